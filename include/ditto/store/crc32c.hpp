#pragma once
// CRC-32C (Castagnoli), the checksum of stored indexes (docs/format.md).
//
// Polynomial 0x1EDC6F41 (0x82F63B78 reflected), initial value and final xor 0xFFFFFFFF: the CRC
// of iSCSI, ext4 and SSE 4.2's crc32 instruction, so any language's crc32c library checks a
// stored index. Computed here by slicing-by-8 over tables built at compile time.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <ditto/detail/load.hpp>

namespace ditto::inline v0_1 {

namespace detail {

inline constexpr std::array<std::array<std::uint32_t, 256>, 8> crc32c_tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        t[0][i] = c;
    }
    for (std::size_t s = 1; s < 8; ++s)
        for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
    return t;
}();

}  // namespace detail

/// An incremental CRC-32C: update() with the bytes in order, then value().
class crc32c {
public:
    void update(const unsigned char* p, std::size_t n) noexcept {
        const auto& t = detail::crc32c_tables;
        std::uint32_t c = state_;
        for (; n >= 8; n -= 8, p += 8) {
            const std::uint64_t w = detail::load8(p) ^ c;
            c = t[7][w & 0xFFu] ^ t[6][(w >> 8) & 0xFFu] ^ t[5][(w >> 16) & 0xFFu] ^ t[4][(w >> 24) & 0xFFu] ^
                t[3][(w >> 32) & 0xFFu] ^ t[2][(w >> 40) & 0xFFu] ^ t[1][(w >> 48) & 0xFFu] ^ t[0][w >> 56];
        }
        for (; n > 0; --n, ++p) c = (c >> 8) ^ t[0][(c ^ *p) & 0xFFu];
        state_ = c;
    }
    void update(std::string_view bytes) noexcept {
        update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    }
    [[nodiscard]] std::uint32_t value() const noexcept { return ~state_; }

private:
    std::uint32_t state_ = 0xFFFFFFFFu;
};

/// The CRC-32C of bytes.
[[nodiscard]] inline std::uint32_t crc32c_of(std::string_view bytes) noexcept {
    crc32c c;
    c.update(bytes);
    return c.value();
}

}  // namespace ditto
