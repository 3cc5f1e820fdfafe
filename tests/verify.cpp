// Exact set measures: the four-lane intersection and the early-stopping threshold test against a
// plain merge, on random sorted sets of many sizes and overlaps.
#include <ditto/verify.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "support/catch.hpp"

namespace {

std::size_t plain_intersection(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    std::vector<std::uint64_t> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out.size();
}

}  // namespace

TEST_CASE("intersection and jaccard_at_least agree with a plain merge", "[verify]") {
    std::mt19937_64 rng(5);
    for (int trial = 0; trial < 3000; ++trial) {
        const std::size_t size_a = rng() % 2000, common = size_a == 0 ? 0 : rng() % (size_a + 1);
        const std::size_t size_b = common + rng() % 600;
        std::vector<std::uint64_t> a, b;
        // Uniform hashes, or (every fifth trial) small skewed values that fill one lane only.
        auto value = [&] { return trial % 5 == 0 ? rng() % 100000 : rng(); };
        for (std::size_t i = 0; i < common; ++i) {
            const std::uint64_t x = value();
            a.push_back(x);
            b.push_back(x);
        }
        for (std::size_t i = common; i < size_a; ++i) a.push_back(value());
        for (std::size_t i = common; i < size_b; ++i) b.push_back(value());
        ditto::make_set(a);
        ditto::make_set(b);
        const std::size_t want = plain_intersection(a, b);
        REQUIRE(ditto::intersection_size(a, b) == want);
        const double j = ditto::jaccard(a, b);
        CHECK(j == (a.size() + b.size() == 0 ? 0.0 : static_cast<double>(want) / static_cast<double>(a.size() + b.size() - want)));
        for (const double t : {0.1, 0.5, 0.8, 0.9, 1.0}) {
            const double got = ditto::jaccard_at_least(a, b, t);
            if (j >= t && !(a.empty() && b.empty())) CHECK(got == j);
            else CHECK(got < 0);
        }
        // Exactly at a threshold: the pair passes.
        if (j > 0) CHECK(ditto::jaccard_at_least(a, b, j) == j);
    }
}
