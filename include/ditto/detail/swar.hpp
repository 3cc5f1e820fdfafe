#pragma once
// Byte-parallel tests on 8 bytes in a 64-bit word ("SWAR"), for the ASCII fast paths of the
// normalizer and the tokenizer: portable C++, no intrinsics. Each test sets the high bit of the
// bytes that pass it; none lets a carry cross from one byte into the next for ASCII input. And a
// bit count the same way.

#include <bit>
#include <cstdint>

#include <ditto/detail/load.hpp>

namespace ditto::inline v0_1::detail {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;

// High bit of each byte set where the (ASCII) byte is below `bound` (bound <= 0x80).
[[nodiscard]] constexpr std::uint64_t bytes_below(std::uint64_t word, unsigned bound) noexcept {
    return ~(word + ones * (0x80 - bound)) & ~word & highs;
}

// High bit of each byte set where the (ASCII) byte equals `value`.
[[nodiscard]] constexpr std::uint64_t bytes_equal(std::uint64_t word, unsigned value) noexcept {
    const std::uint64_t x = word ^ (ones * value);
    return ~((x & ~highs) + ~highs) & ~x & highs;
}

// ASCII capitals A-Z.
[[nodiscard]] constexpr std::uint64_t ascii_upper_bytes(std::uint64_t word) noexcept {
    return bytes_below(word, 'Z' + 1) & ~bytes_below(word, 'A') & ~word & highs;
}

// ASCII letters A-Z turned to a-z in all 8 bytes; every other byte, non-ASCII ones too, unchanged
// (the bytes are compared on their low 7 bits, so no carry crosses from a non-ASCII byte).
[[nodiscard]] constexpr std::uint64_t ascii_lower(std::uint64_t word) noexcept {
    return word | ((ascii_upper_bytes(word & ~highs) & ~word) >> 2);
}

// The high bits of bytes [first, last) of a word (first < last <= 8).
[[nodiscard]] constexpr std::uint64_t byte_range(unsigned first, unsigned last) noexcept {
    return (highs >> (8 * (8 - (last - first)))) << (8 * first);
}

// ASCII letters and digits, [0-9A-Za-z]: the bytes an ASCII word is made of.
[[nodiscard]] constexpr std::uint64_t ascii_word_bytes(std::uint64_t word) noexcept {
    const std::uint64_t lower = word | (ones * 0x20);  // folds A-Z onto a-z
    const std::uint64_t letters = bytes_below(lower, 'z' + 1) & ~bytes_below(lower, 'a');
    const std::uint64_t digits = bytes_below(word, '9' + 1) & ~bytes_below(word, '0');
    return (letters | digits) & ~word & highs;
}

// Index of the first byte whose high bit is set in mask (mask != 0).
[[nodiscard]] constexpr unsigned first_marked_byte(std::uint64_t mask) noexcept {
    return static_cast<unsigned>(std::countr_zero(mask)) / 8;
}

// The number of set bits. std::popcount is a library call on x86-64 unless the target has the
// instruction (-mpopcnt, -march=...); this is a dozen inline operations otherwise.
[[nodiscard]] constexpr unsigned bit_count(std::uint64_t x) noexcept {
#if defined(__POPCNT__)
    return static_cast<unsigned>(std::popcount(x));
#else
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<unsigned>((x * ones) >> 56);
#endif
}

}  // namespace ditto::detail
