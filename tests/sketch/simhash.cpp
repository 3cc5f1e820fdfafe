// SimHash fingerprints: hand-computed values for tiny inputs (one, two and three shingles are the
// mixed hash, the AND and the majority of the mixed hashes), order and repeat independence, and
// the Hamming distance against the angle theory over many seeds, and against a bit-by-bit count.
#include <ditto/sketch/simhash.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "support/catch.hpp"

namespace {

constexpr std::uint64_t seed = 0x1234;

// A bit-by-bit reference: the sign of the sum of +1/-1 per bit, written the slow way.
std::uint64_t reference(const std::vector<std::uint64_t>& items) {
    std::uint64_t out = 0;
    for (unsigned b = 0; b < 64; ++b) {
        long sum = 0;
        for (const std::uint64_t x : items) sum += ((ditto::mix64(x, seed) >> b) & 1) ? 1 : -1;
        if (sum > 0) out |= std::uint64_t{1} << b;
    }
    return out;
}

}  // namespace

TEST_CASE("simhash: tiny inputs by hand", "[simhash]") {
    const ditto::simhash_sketcher s(seed);
    const std::uint64_t a = ditto::mix64(11, seed), b = ditto::mix64(22, seed), c = ditto::mix64(33, seed);
    CHECK(s(std::vector<std::uint64_t>{}) == 0);
    CHECK(s(std::vector<std::uint64_t>{11}) == a);                     // every sum is +1 or -1
    CHECK(s(std::vector<std::uint64_t>{11, 22}) == (a & b));           // +2 only where both have the bit
    CHECK(s(std::vector<std::uint64_t>{33, 11, 22}) == ((a & b) | (a & c) | (b & c)));  // majority
    // Frequency weights: 11 twice and 22 once is the majority of a, a, b: a.
    const ditto::simhash_sketcher f(seed, ditto::simhash_weight::frequency);
    CHECK(f(std::vector<std::uint64_t>{11, 22, 11}) == a);
    CHECK(f(std::vector<std::uint64_t>{11, 22}) == (a & b));
}

TEST_CASE("simhash: the blocked counters agree with a bit-by-bit sum", "[simhash]") {
    // Sizes around the 255-item flush of the 8-bit lanes.
    for (const std::size_t size : {1u, 2u, 254u, 255u, 256u, 511u, 1000u, 3001u}) {
        std::vector<std::uint64_t> items(size);
        for (std::size_t i = 0; i < size; ++i) items[i] = ditto::mix64(i, 99);
        const ditto::simhash_sketcher f(seed, ditto::simhash_weight::frequency);
        CHECK(f(items) == reference(items));
    }
}

TEST_CASE("simhash: set weights ignore order and repeats", "[simhash]") {
    std::vector<std::uint64_t> items;
    for (std::uint64_t i = 0; i < 300; ++i) items.push_back(i * 7919);
    const ditto::simhash_sketcher s(seed);
    const std::uint64_t fp = s(items);
    CHECK(fp == reference(items));
    std::vector<std::uint64_t> shuffled(items.rbegin(), items.rend());
    for (std::size_t i = 0; i < items.size(); i += 3) shuffled.push_back(items[i]);  // repeats
    CHECK(s(shuffled) == fp);
    // Frequency weights see the repeats.
    const ditto::simhash_sketcher f(seed, ditto::simhash_weight::frequency);
    CHECK(f(shuffled) == reference(shuffled));
    CHECK(f(items) == fp);
}

TEST_CASE("simhash: distance tracks the angle, E[d] = 64 theta / pi", "[simhash]") {
    // Sets of 1001 elements sharing `common`: cosine = common / 1001. Odd sizes, so no bit's
    // sum is ever zero. Over 400 seeds the mean distance has a standard error below
    // sqrt(64 * 0.25 / 400) = 0.2 bits; the ±1 entries (rather than Gaussian ones) bias it by
    // far less than that at 1001 elements. Tolerance: 0.8 bits (4 standard errors).
    for (const std::size_t common : {1000u, 950u, 800u, 500u, 200u}) {
        const double cosine = static_cast<double>(common) / 1001.0;
        const double expected = 64.0 * std::acos(cosine) / std::numbers::pi;
        double sum = 0;
        const std::uint64_t seeds = 400;
        for (std::uint64_t t = 0; t < seeds; ++t) {
            const ditto::simhash_sketcher s(t * 0x9e3779b97f4a7c15ULL + 1);
            std::vector<std::uint64_t> a, b;
            const std::uint64_t base = t << 32;
            for (std::uint64_t i = 0; i < 1001; ++i) a.push_back(base + i);
            for (std::uint64_t i = 0; i < common; ++i) b.push_back(base + i);
            for (std::uint64_t i = common; i < 1001; ++i) b.push_back(base + 5000 + i);
            sum += ditto::hamming_distance(s(a), s(b));
        }
        const double mean = sum / static_cast<double>(seeds);
        INFO("common " << common << ": mean distance " << mean << ", theory " << expected);
        CHECK(std::abs(mean - expected) < 0.8);
        CHECK(std::abs(ditto::simhash_expected_distance(cosine) - expected) < 1e-12);
    }
    CHECK(ditto::simhash_cosine(0) == 1.0);
    CHECK(std::abs(ditto::simhash_cosine(32)) < 1e-12);
    CHECK(ditto::simhash_angle(64) == std::numbers::pi);
}

TEST_CASE("hamming_distance: the differing bits, counted one by one", "[simhash]") {
    static_assert(ditto::hamming_distance(0, 0) == 0);
    static_assert(ditto::hamming_distance(0, ~std::uint64_t{0}) == 64);
    static_assert(ditto::hamming_distance(0b1011, 0b0110) == 3);
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 10000; ++i) {
        x = ditto::mix64(x, seed);
        // Sparse, dense and uniform words.
        const std::uint64_t a = i % 3 == 0 ? x & (x >> 7) & (x >> 13) : i % 3 == 1 ? x | (x >> 5) : x;
        const std::uint64_t b = i % 2 == 0 ? 0 : ditto::mix64(a, seed);
        unsigned slow = 0;
        for (unsigned bit = 0; bit < 64; ++bit) slow += static_cast<unsigned>(((a ^ b) >> bit) & 1);
        REQUIRE(ditto::hamming_distance(a, b) == slow);
    }
}
