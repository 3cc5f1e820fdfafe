#pragma once
// Little-endian loads from unaligned memory: byte i of the input is byte i of the value on every
// platform, so hashes and byte-parallel tests give the same results everywhere.

#include <bit>
#include <cstdint>
#include <cstring>

namespace ditto::inline v0_1::detail {

[[nodiscard]] constexpr std::uint64_t byte_swap(std::uint64_t x) noexcept {
    x = ((x & 0x00FF00FF00FF00FFULL) << 8) | ((x >> 8) & 0x00FF00FF00FF00FFULL);
    x = ((x & 0x0000FFFF0000FFFFULL) << 16) | ((x >> 16) & 0x0000FFFF0000FFFFULL);
    return (x << 32) | (x >> 32);
}

[[nodiscard]] inline std::uint64_t load8(const void* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
    return v;
}

[[nodiscard]] inline std::uint64_t load4(const void* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    if constexpr (std::endian::native == std::endian::big) return byte_swap(v) >> 32;
    return v;
}

}  // namespace ditto::detail
