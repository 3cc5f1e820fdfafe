// The signature prefilter: its bound against an independent binomial computation, and its miss
// rate by simulation on pairs planted exactly at the threshold.
#include <ditto/dedup.hpp>
#include <ditto/prefilter.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "support/catch.hpp"

namespace {

// P(Binomial(k, p) <= c) by the recurrence pmf(j+1) = pmf(j) (k-j)/(j+1) p/(1-p), in long double.
long double binomial_cdf(std::size_t k, double p, std::size_t c) {
    long double pmf = std::pow(static_cast<long double>(1 - p), static_cast<long double>(k)), cdf = 0;
    for (std::size_t j = 0; j <= c; ++j) {
        cdf += pmf;
        pmf *= static_cast<long double>(k - j) / static_cast<long double>(j + 1) * p / (1 - p);
    }
    return cdf;
}

}  // namespace

TEST_CASE("prefilter bound: the largest c with P(Bin(k, t) < c) <= miss", "[prefilter]") {
    for (const std::size_t k : {16u, 64u, 128u, 256u, 1024u})
        for (const double t : {0.3, 0.5, 0.8, 0.9, 0.95})
            for (const double miss : {1e-2, 1e-4, 1e-6}) {
                const std::size_t c = ditto::prefilter_min_matches(t, k, miss);
                INFO("k " << k << ", t " << t << ", miss " << miss << ", c " << c);
                if (c > 0) CHECK(binomial_cdf(k, t, c - 1) <= miss * (1 + 1e-9));
                CHECK(binomial_cdf(k, t, c) > miss * (1 - 1e-9));
            }
    // Hand-checked figures: k = 128, t = 0.8: mean 102.4, sd 4.5; the 1e-4 quantile is near 86.
    const std::size_t c = ditto::prefilter_min_matches(0.8, 128, 1e-4);
    CHECK(c >= 84);
    CHECK(c <= 88);
    CHECK(ditto::prefilter_min_matches(0.8, 128, 0) == 0);
    CHECK(ditto::prefilter_min_matches(1.0, 128, 1e-4) == 128);
    CHECK(ditto::prefilter_min_matches(0.8, 2, 1e-4) == 0);  // too few slots to drop anything
    CHECK_THROWS_AS(ditto::prefilter_min_matches(0, 128, 1e-4), std::invalid_argument);
    CHECK_THROWS_AS(ditto::prefilter_min_matches(0.8, 0, 1e-4), std::invalid_argument);
    CHECK_THROWS_AS(ditto::prefilter_min_matches(0.8, 128, 1.0), std::invalid_argument);
}

TEST_CASE("prefilter by simulation: 100,000 pairs at J = t, dropped at most at the stated rate", "[prefilter][statistics]") {
    // Pairs sketched as the pipeline sketches (default sketcher, 32-bit slots, hashed to the
    // 16-bit prefilter slots), set sizes from 10 to 1,000, each pair with its own elements.
    constexpr std::size_t k = 128, pairs = 100000;
    const ditto::minhash_sketcher sketcher(12345);
    for (const double t : {0.5, 0.8, 0.9}) {
        const std::size_t c = ditto::prefilter_min_matches(t, k, 1e-4);
        std::size_t dropped = 0, dropped_far = 0;
        std::vector<std::uint64_t> a, b;
        std::vector<std::uint32_t> sa(k), sb(k);
        for (std::size_t p = 0; p < pairs; ++p) {
            const std::size_t union_size = p % 10 < 4 ? 10 * (1 + p % 2) : p % 10 < 8 ? 100 : 1000;
            auto make = [&](double j, std::uint64_t salt) {
                const auto common = static_cast<std::size_t>(std::llround(j * static_cast<double>(union_size)));
                const std::size_t own = (union_size - common) / 2, own_b = union_size - common - own;
                a.clear();
                b.clear();
                std::uint64_t x = ditto::mix64(p, salt);
                for (std::size_t i = 0; i < common; ++i, ++x) a.push_back(x), b.push_back(x);
                for (std::size_t i = 0; i < own; ++i, ++x) a.push_back(x);
                for (std::size_t i = 0; i < own_b; ++i, ++x) b.push_back(x);
                sketcher.fill(std::span<const std::uint64_t>(a), std::span<std::uint32_t>(sa));
                sketcher.fill(std::span<const std::uint64_t>(b), std::span<std::uint32_t>(sb));
                std::size_t equal = 0;
                for (std::size_t s = 0; s < k; ++s)
                    equal += ditto::detail::prefilter_slot(sa[s]) == ditto::detail::prefilter_slot(sb[s]) ? 1u : 0u;
                return equal;
            };
            if (make(t, 0xa11ce) < c) ++dropped;
            if (p % 10 == 0 && make(t - 0.25, 0xb0b) < c) ++dropped_far;
        }
        INFO("t " << t << ", c " << c << ": dropped " << dropped << " of " << pairs << " at t, " << dropped_far
                  << " of " << pairs / 10 << " at t - 0.25");
        // At most 1e-4 expected (10 of 100,000); 25 is beyond the 99.99% quantile of Poisson(10).
        CHECK(dropped <= 25);
        // The filter does its job: most pairs well below the threshold are dropped.
        CHECK(dropped_far >= pairs / 10 * 8 / 10);
    }
}

TEST_CASE("equal slots counted 8 bytes at a time", "[prefilter]") {
    std::vector<std::uint8_t> a8(1000), b8(1000);
    std::vector<std::uint16_t> a16(1000), b16(1000);
    std::uint64_t x = 1;
    for (std::size_t i = 0; i < 1000; ++i) {
        x = ditto::mix64(x, i);
        a8[i] = static_cast<std::uint8_t>(x);
        b8[i] = x % 3 == 0 ? a8[i] : static_cast<std::uint8_t>(x >> 8);
        a16[i] = static_cast<std::uint16_t>(x >> 16);
        b16[i] = x % 5 < 2 ? a16[i] : static_cast<std::uint16_t>(a16[i] ^ (1u << (x % 16)));
    }
    for (const std::size_t k : {0u, 1u, 7u, 8u, 9u, 128u, 511u, 1000u}) {
        std::size_t want8 = 0, want16 = 0;
        for (std::size_t i = 0; i < k; ++i) {
            want8 += a8[i] == b8[i] ? 1u : 0u;
            want16 += a16[i] == b16[i] ? 1u : 0u;
        }
        CHECK(ditto::detail::equal_slots(a8.data(), b8.data(), k) == want8);
        CHECK(ditto::detail::equal_slots(a16.data(), b16.data(), k) == want16);
    }
}
