// Prefix filtering inside large buckets: prefix lengths by hand, and split buckets against a
// brute-force Jaccard over every pair of a bucket.
#include <ditto/index/lsh.hpp>
#include <ditto/index/prefix_split.hpp>
#include <ditto/parallel.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "support/catch.hpp"

namespace {

using set_type = std::vector<std::uint64_t>;

double jaccard(const set_type& a, const set_type& b) {
    set_type common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
    return static_cast<double>(common.size()) / static_cast<double>(a.size() + b.size() - common.size());
}

ditto::lsh_buckets make_buckets(const std::vector<std::vector<std::uint32_t>>& lists, std::size_t documents) {
    ditto::lsh_buckets b;
    for (const auto& list : lists) {
        b.members.insert(b.members.end(), list.begin(), list.end());
        b.start.push_back(b.start.back() + list.size());
    }
    ditto::detail::index_bucket_members(b, documents);
    return b;
}

// Every pair sharing a bucket, as (smaller, larger).
std::set<std::pair<std::uint32_t, std::uint32_t>> pairs_of(const ditto::lsh_buckets& b) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (std::size_t k = 0; k < b.bucket_count(); ++k) {
        const auto m = b.bucket(k);
        for (std::size_t i = 0; i < m.size(); ++i)
            for (std::size_t j = i + 1; j < m.size(); ++j) pairs.emplace(std::min(m[i], m[j]), std::max(m[i], m[j]));
    }
    return pairs;
}

// The CSR invariants: members ascending in each bucket, buckets_of the inverse, ascending.
void check_consistent(const ditto::lsh_buckets& b, std::size_t documents) {
    REQUIRE(b.document_start.size() == documents + 1);
    std::vector<std::vector<std::uint32_t>> expected(documents);
    for (std::size_t k = 0; k < b.bucket_count(); ++k) {
        const auto m = b.bucket(k);
        CHECK(m.size() >= 2);
        CHECK(std::adjacent_find(m.begin(), m.end(), [](auto x, auto y) { return x >= y; }) == m.end());
        for (const auto d : m) expected[d].push_back(static_cast<std::uint32_t>(k));
    }
    for (std::size_t d = 0; d < documents; ++d) {
        const auto of = b.of(d);
        CHECK(std::vector<std::uint32_t>(of.begin(), of.end()) == expected[d]);
    }
}

// A family of `members` sets sharing a template of `shared` shingles, each with its own
// 0..max_own shingles, and some near-copies of earlier members (one shingle swapped or added).
std::vector<set_type> template_family(std::size_t members, std::size_t shared, std::size_t max_own, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<set_type> sets;
    std::uint64_t next = 1'000'000;
    for (std::size_t i = 0; i < members; ++i) {
        set_type s;
        if (i > 0 && rng() % 4 == 0) {
            s = sets[rng() % sets.size()];
            if (rng() % 2 && s.size() > 1) s.erase(s.begin() + static_cast<std::ptrdiff_t>(rng() % s.size()));
            s.push_back(next++);
        } else {
            for (std::uint64_t x = 0; x < shared; ++x) s.push_back(x * 7919 + 13);
            const std::size_t own = rng() % (max_own + 1);
            for (std::size_t x = 0; x < own; ++x) s.push_back(next++);
        }
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        sets.push_back(std::move(s));
    }
    return sets;
}

}  // namespace

TEST_CASE("prefix lengths: size - ceil(fraction * size) + 1", "[lsh][prefix]") {
    CHECK(ditto::prefix_length(10, 0.8) == 3);             // 10 - 8 + 1
    CHECK(ditto::prefix_length(10, 1.6 / 1.8) == 2);       // ceil(8.89) = 9
    CHECK(ditto::prefix_length(5, 0.8) == 2);              // 0.8 * 5 is 4, not a hair above
    CHECK(ditto::prefix_length(7, 0.5) == 4);              // ceil(3.5) = 4
    CHECK(ditto::prefix_length(10, 1.0) == 1);
    CHECK(ditto::prefix_length(1, 0.8) == 1);
    CHECK(ditto::prefix_length(0, 0.8) == 0);
    CHECK(ditto::prefix_length(3, 0.01) == 3);             // never longer than the set
}

TEST_CASE("split buckets keep every pair at or above the threshold", "[lsh][prefix]") {
    ditto::thread_pool two(2);
    ditto::inline_executor one;
    for (const double t : {0.5, 0.8, 0.9}) {
        for (const std::uint64_t seed : {1u, 2u, 3u}) {
            // Bucket 0: a template family; bucket 1: a small bucket (kept as it is); bucket 2: the
            // same members as bucket 0 (a second band); bucket 3: random sets of mixed sizes.
            auto sets = template_family(300, 40, 30, seed);
            std::mt19937_64 rng(seed * 31);
            for (std::size_t i = 0; i < 200; ++i) {
                set_type s;
                const std::size_t size = 1 + rng() % 60;
                while (s.size() < size) s.push_back(rng() % 120);
                std::sort(s.begin(), s.end());
                s.erase(std::unique(s.begin(), s.end()), s.end());
                sets.push_back(std::move(s));
            }
            std::vector<std::uint32_t> family(300), mixed(200);
            for (std::uint32_t i = 0; i < 300; ++i) family[i] = i;
            for (std::uint32_t i = 0; i < 200; ++i) mixed[i] = 300 + i;
            const std::vector<std::uint32_t> small{3, 301, 450};
            const auto before = make_buckets({family, small, family, mixed}, sets.size());
            auto set_of = [&](std::uint32_t d, set_type&) { return std::span<const std::uint64_t>(sets[d]); };
            for (const bool threaded : {false, true}) {
                auto after = before;
                const auto stats = threaded ? ditto::split_large_buckets(after, sets.size(), 50, t, two, set_of)
                                            : ditto::split_large_buckets(after, sets.size(), 50, t, one, set_of);
                INFO("t = " << t << ", seed " << seed);
                CHECK(stats.large == 3);
                CHECK(stats.duplicates == 1);
                check_consistent(after, sets.size());
                // The small bucket is there as it was.
                bool found_small = false;
                for (std::size_t k = 0; k < after.bucket_count(); ++k) {
                    const auto m = after.bucket(k);
                    found_small = found_small || std::vector<std::uint32_t>(m.begin(), m.end()) == small;
                }
                CHECK(found_small);
                // Brute force: every pair of a large bucket at J >= t shares a bucket afterwards,
                // and no pair that shared none before shares one now.
                const auto kept = pairs_of(after);
                const auto all = pairs_of(before);
                std::size_t similar = 0;
                for (const auto& list : {family, mixed})
                    for (std::size_t i = 0; i < list.size(); ++i)
                        for (std::size_t j = i + 1; j < list.size(); ++j)
                            if (jaccard(sets[list[i]], sets[list[j]]) >= t) {
                                ++similar;
                                CHECK(kept.count({list[i], list[j]}) == 1);
                            }
                CHECK(similar > 0);
                for (const auto& p : kept) CHECK(all.count(p) == 1);
                if (threaded) continue;
                // The template family, mostly below the threshold, no longer pairs everyone with
                // everyone (random sets of a small universe, bucket 3, split less well).
                if (t >= 0.8) {
                    CHECK(stats.split >= 1);
                    const auto in_family = std::count_if(kept.begin(), kept.end(), [](const auto& p) { return p.second < 300; });
                    CHECK(static_cast<std::size_t>(in_family) < 300 * 299 / 2 / 4);
                }
            }
        }
    }
}

TEST_CASE("a bucket of near-copies stays whole", "[lsh][prefix]") {
    // 200 sets that differ from one base by one shingle each: all pairs similar at 0.8, so their
    // prefixes overlap and splitting would list more pairs than the bucket has.
    std::vector<set_type> sets;
    for (std::uint64_t i = 0; i < 200; ++i) {
        set_type s;
        for (std::uint64_t x = 0; x < 50; ++x) s.push_back(x);
        s.push_back(1000 + i);
        sets.push_back(s);
    }
    std::vector<std::uint32_t> all(200);
    for (std::uint32_t i = 0; i < 200; ++i) all[i] = i;
    auto buckets = make_buckets({all}, sets.size());
    ditto::inline_executor one;
    const auto stats = ditto::split_large_buckets(buckets, sets.size(), 2, 0.8, one,
                                                  [&](std::uint32_t d, set_type&) { return std::span<const std::uint64_t>(sets[d]); });
    CHECK(stats.large == 1);
    CHECK(stats.split == 0);
    REQUIRE(buckets.bucket_count() == 1);
    CHECK(buckets.bucket(0).size() == 200);
}

TEST_CASE("sets made in scratch space, and parameter checks", "[lsh][prefix]") {
    // set_of may fill the worker's scratch vector: 100 sets {i, i+1, ..., i+9} made on the fly.
    std::vector<std::uint32_t> all(100);
    for (std::uint32_t i = 0; i < 100; ++i) all[i] = i;
    auto buckets = make_buckets({all}, 100);
    auto make = [](std::uint32_t d, set_type& scratch) {
        scratch.clear();
        for (std::uint64_t x = 0; x < 10; ++x) scratch.push_back(d + x);
        return std::span<const std::uint64_t>(scratch);
    };
    ditto::thread_pool two(2);
    const auto stats = ditto::split_large_buckets(buckets, 100, 2, 0.8, two, make);
    CHECK(stats.split == 1);
    // J(i, i+1) = 9/11 >= 0.8; J(i, i+2) = 8/12 < 0.8.
    const auto kept = pairs_of(buckets);
    for (std::uint32_t i = 0; i + 1 < 100; ++i) CHECK(kept.count({i, i + 1}) == 1);
    CHECK(kept.size() < 100 * 99 / 2 / 4);
    CHECK_THROWS_AS(ditto::split_large_buckets(buckets, 100, 1, 0.8, two, make), std::invalid_argument);
    CHECK_THROWS_AS(ditto::split_large_buckets(buckets, 100, 2, 0.0, two, make), std::invalid_argument);
    CHECK_THROWS_AS(ditto::split_large_buckets(buckets, 100, 2, 1.5, two, make), std::invalid_argument);
}
