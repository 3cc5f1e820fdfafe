#pragma once
// ditto's seeded 64-bit hash. Signatures and indexes are stored, so its values are part of the
// format: known answers are pinned in tests/hash.cpp and must never change silently.
//
// Design: the input is read as little-endian 64-bit words (whatever the platform) and folded
// pairwise with a 128-bit multiply whose high and low halves are xor-ed together. Inputs of up
// to 16 bytes take one fold plus a finalizing fold; longer inputs run two independent lanes over
// 32-byte blocks, so the multiplies overlap in the pipeline. The finalizer folds the state once
// more with the length-mixed seed, which the avalanche tests in tests/hash.cpp measure. No seed
// is special: the seed is folded before it meets a constant (see hash64 and mix64).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <ditto/detail/load.hpp>

namespace ditto::inline v0_1 {

/// The seed used when none is given. Fixed, so results are the same on every run and machine.
inline constexpr std::uint64_t default_seed = 0x5eed'd177'0c0f'1e55ULL;

namespace detail {

inline constexpr std::uint64_t hash_k0 = 0x9d52490575ffc53dULL;
inline constexpr std::uint64_t hash_k1 = 0xe2a214e8bbe9c675ULL;
inline constexpr std::uint64_t hash_k2 = 0x986c39e8c7bb69f7ULL;
inline constexpr std::uint64_t hash_k3 = 0x83aa3897fcf4c6b7ULL;
inline constexpr std::uint64_t hash_k4 = 0xe4d4748ca3c77ebfULL;

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 uint128;
#endif

/// The high and low halves of the 128-bit product a * b, xor-ed.
[[nodiscard]] constexpr std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
    const uint128 product = static_cast<uint128>(a) * b;
    return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
#else
    const std::uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;
    const std::uint64_t high = (hi_lo >> 32) + (cross >> 32) + hi_hi;
    const std::uint64_t low = (cross << 32) | (lo_lo & 0xFFFFFFFFu);
    return low ^ high;
#endif
}

}  // namespace detail

/// Mixes a 64-bit value with a seed: a cheap, well-distributed 64-to-64-bit hash.
///
/// The seed only ever shifts the value (`value ^ seed`) before a fold with a constant, so it is
/// never a factor of a product: no seed can zero one out or turn it into a shift. (The first
/// design multiplied by `seed ^ constant`; the seed equal to that constant made the first fold
/// zero for every value.)
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t value, std::uint64_t seed = default_seed) noexcept {
    const std::uint64_t x = detail::fold_multiply(value ^ seed ^ detail::hash_k0, detail::hash_k1);
    return detail::fold_multiply(x ^ detail::hash_k2, value ^ detail::hash_k3);
}

/// The 64-bit hash of bytes under seed.
[[nodiscard]] inline std::uint64_t hash64(std::string_view bytes, std::uint64_t seed = default_seed) noexcept {
    using detail::fold_multiply;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    // The seed and the length (spread by an odd multiplier, so that lengths differ in many bits)
    // are folded with a constant. (The first design folded `seed ^ k0` with the length: the seed
    // k0 zeroed the state for every length, so inputs of different lengths reading the same words
    // collided, "a" with "aa" and "aaa".) Now the fold's input differs for every length whatever
    // the seed, and no seed is a factor of a product.
    std::uint64_t state =
        fold_multiply(seed ^ detail::hash_k0 ^ (static_cast<std::uint64_t>(n) * detail::hash_k4), detail::hash_k1);
    std::uint64_t a = 0, b = 0;
    if (n <= 16) {
        if (n >= 8) {
            a = detail::load8(p);
            b = detail::load8(p + n - 8);
        } else if (n >= 4) {
            a = detail::load4(p);
            b = detail::load4(p + n - 4);
        } else if (n > 0) {
            a = (std::uint64_t{p[0]} << 16) | (std::uint64_t{p[n / 2]} << 8) | p[n - 1];
        }
    } else {
        std::size_t left = n;
        if (left > 32) {
            std::uint64_t lane = state ^ detail::hash_k4;
            do {
                state = fold_multiply(detail::load8(p) ^ detail::hash_k2, detail::load8(p + 8) ^ state);
                lane = fold_multiply(detail::load8(p + 16) ^ detail::hash_k3, detail::load8(p + 24) ^ lane);
                p += 32;
                left -= 32;
            } while (left > 32);
            state ^= lane;
        }
        if (left > 16) {
            state = fold_multiply(detail::load8(p) ^ detail::hash_k2, detail::load8(p + 8) ^ state);
            p += 16;
            left -= 16;
        }
        // The last 16 bytes, overlapping what was already read when left < 16.
        a = detail::load8(p + left - 16);
        b = detail::load8(p + left - 8);
    }
    const std::uint64_t x = fold_multiply(a ^ detail::hash_k2, b ^ state);
    return fold_multiply(x ^ detail::hash_k3, a ^ b ^ state ^ detail::hash_k4);
}

/// The default hasher type (satisfies ditto::hasher).
struct default_hasher {
    [[nodiscard]] std::uint64_t operator()(std::string_view bytes, std::uint64_t seed) const noexcept {
        return hash64(bytes, seed);
    }
};

}  // namespace ditto
