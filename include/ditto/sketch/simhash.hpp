#pragma once
// 64-bit SimHash fingerprints (Charikar 2002) of weighted sets of 64-bit shingle hashes.
//
// Each shingle, mixed with the seed, is a random vector of +1/-1 entries (its 64 bits); the
// fingerprint keeps the sign of the weighted sum of those vectors, bit by bit (1 where the sum is
// positive; a zero sum gives 0). For two weight vectors at angle theta, a random hyperplane
// separates them with probability theta / pi, so each fingerprint bit differs with that
// probability and the Hamming distance d of two fingerprints estimates the angle:
//
//     E[d] = 64 * theta / pi,   theta ~= pi * d / 64,   cosine similarity ~= cos(pi * d / 64).
//
// With set weights (the default: 1 per distinct shingle) the cosine of two sets A and B is
// |A n B| / sqrt(|A| |B|); for sets of equal size and Jaccard similarity J it is 2J / (1 + J).
// So J = 0.9 puts the expected distance near 6.6 bits and J = 0.8 near 9.7, with a spread of
// about 2.5 to 3 bits: 64 bits tell near-identical texts apart from the rest, not J = 0.8 from
// J = 0.7. The ±1 entries make the relation exact only in the limit of many shingles (it is
// the central limit of the sums); tests/sketch/simhash.cpp measures it.
//
// Speed: with unit weights the sum for bit b is 2 * ones_b - n, so only the number of shingles
// with bit b set is needed. Those 64 counts are kept in eight words of eight 8-bit lanes: word j
// lane i counts bit 8i + j, and one shift, mask and add per word adds a shingle to eight
// counters at once, without a branch per bit. The lanes are emptied into 64 wide counters every
// 255 shingles, before they can overflow.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include <ditto/detail/swar.hpp>
#include <ditto/hash.hpp>

namespace ditto::inline v0_1 {

/// How shingles are weighted in a SimHash fingerprint.
enum class simhash_weight {
    set,        ///< 1 per distinct shingle: the fingerprint of the shingle set (like MinHash)
    frequency,  ///< 1 per occurrence: the term frequency of each shingle
};

namespace detail {

// Adds the set bits of each value of [first, last) to count[b] (b = bit position), eight bits
// per operation (see the top of this header).
inline void count_bits(const std::uint64_t* first, const std::uint64_t* last, std::uint64_t seed,
                       std::array<std::uint64_t, 64>& count) noexcept {
    constexpr std::uint64_t low_bits = 0x0101010101010101ULL;
    while (first != last) {
        const std::size_t batch = std::min<std::size_t>(static_cast<std::size_t>(last - first), 255);
        std::array<std::uint64_t, 8> lanes{};
        for (std::size_t i = 0; i < batch; ++i) {
            const std::uint64_t h = mix64(first[i], seed);
            for (unsigned j = 0; j < 8; ++j) lanes[j] += (h >> j) & low_bits;
        }
        for (unsigned j = 0; j < 8; ++j)
            for (unsigned i = 0; i < 8; ++i) count[8 * i + j] += (lanes[j] >> (8 * i)) & 0xff;
        first += batch;
    }
}

}  // namespace detail

/// Makes SimHash fingerprints. Cheap to copy; thread-safe.
class simhash_sketcher {
public:
    explicit constexpr simhash_sketcher(std::uint64_t seed = default_seed,
                                        simhash_weight weight = simhash_weight::set) noexcept
        : seed_(seed), weight_(weight) {}

    [[nodiscard]] constexpr std::uint64_t seed() const noexcept { return seed_; }
    [[nodiscard]] constexpr simhash_weight weight() const noexcept { return weight_; }

    /// The fingerprint of a sequence of shingle hashes (any order; repeats count once with set
    /// weights, once per occurrence with frequency weights). 0 for no shingles.
    [[nodiscard]] std::uint64_t operator()(std::span<const std::uint64_t> hashes) const {
        if (weight_ == simhash_weight::frequency || strictly_increasing(hashes)) return of_items(hashes);
        std::vector<std::uint64_t> set(hashes.begin(), hashes.end());
        std::sort(set.begin(), set.end());
        set.erase(std::unique(set.begin(), set.end()), set.end());
        return of_items(set);
    }

private:
    // A sorted, repeat-free input (the pipeline's shingle sets) needs no copy.
    static bool strictly_increasing(std::span<const std::uint64_t> hashes) noexcept {
        return std::adjacent_find(hashes.begin(), hashes.end(),
                                  [](std::uint64_t a, std::uint64_t b) { return a >= b; }) == hashes.end();
    }

    // Every item weighs 1: bit b is set where more than half the items have it.
    [[nodiscard]] std::uint64_t of_items(std::span<const std::uint64_t> items) const noexcept {
        std::array<std::uint64_t, 64> count{};
        detail::count_bits(items.data(), items.data() + items.size(), seed_, count);
        std::uint64_t out = 0;
        for (unsigned b = 0; b < 64; ++b)
            out |= static_cast<std::uint64_t>(2 * count[b] > items.size()) << b;
        return out;
    }

    std::uint64_t seed_;
    simhash_weight weight_;
};

/// The number of bits in which two fingerprints differ.
[[nodiscard]] constexpr unsigned hamming_distance(std::uint64_t a, std::uint64_t b) noexcept {
    return detail::bit_count(a ^ b);
}

/// The angle (radians) between the weight vectors of two texts that SimHash distance d
/// estimates: pi * d / 64.
[[nodiscard]] inline double simhash_angle(unsigned distance) noexcept {
    return std::numbers::pi * static_cast<double>(distance) / 64.0;
}

/// The cosine similarity that SimHash distance d estimates: cos(pi * d / 64).
[[nodiscard]] inline double simhash_cosine(unsigned distance) noexcept { return std::cos(simhash_angle(distance)); }

/// The expected SimHash distance of two weight vectors whose cosine similarity is c:
/// 64 * acos(c) / pi (c is clamped to [-1, 1]).
[[nodiscard]] inline double simhash_expected_distance(double cosine) noexcept {
    return 64.0 * std::acos(std::clamp(cosine, -1.0, 1.0)) / std::numbers::pi;
}

}  // namespace ditto
