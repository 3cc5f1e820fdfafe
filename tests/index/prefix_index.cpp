// The incremental prefix-filter index against brute-force Jaccard: every earlier set that
// reaches the threshold with a query is returned, in any size order and for any order of shingles.
#include <ditto/index/prefix_index.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "support/catch.hpp"

namespace {

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    std::vector<std::uint64_t> common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
    const double u = static_cast<double>(a.size() + b.size() - common.size());
    return u == 0 ? 1.0 : static_cast<double>(common.size()) / u;
}

// Families of sets sharing a "template" of common values, each with its own values, of varied
// sizes, so pairs sit on both sides of the threshold.
std::vector<std::vector<std::uint64_t>> make_sets(std::mt19937_64& rng, std::size_t count) {
    std::vector<std::vector<std::uint64_t>> sets;
    for (std::size_t i = 0; i < count; ++i) {
        std::set<std::uint64_t> s;
        if (i > 0 && rng() % 3 == 0) {  // a near-copy of an earlier set: most of it, a few values of its own
            for (const std::uint64_t x : sets[rng() % i])
                if (rng() % 20 != 0) s.insert(x);
            for (std::size_t o = rng() % 4; o > 0; --o) s.insert(100000 + rng() % 1000000);
        } else {  // a family's template and values of its own
            const std::uint64_t family = rng() % 4;
            const std::size_t template_size = 5 + rng() % 60, own = 1 + rng() % 40;
            for (std::size_t t = 0; t < template_size; ++t) s.insert(family * 1000 + t);
            for (std::size_t o = 0; o < own; ++o) s.insert(100000 + rng() % 1000000);
        }
        sets.emplace_back(s.begin(), s.end());
    }
    return sets;
}

}  // namespace

TEST_CASE("prefix index: every earlier set at or above the threshold is found", "[lsh][prefix]") {
    std::mt19937_64 rng(31);
    for (const double t : {0.5, 0.8, 0.9}) {
        const auto sets = make_sets(rng, 400);
        // One order from a sample of the sets, one from nothing (values only): both exact.
        std::vector<std::vector<std::uint64_t>> sample(sets.begin(), sets.begin() + 50);
        for (const bool sampled : {true, false}) {
            const ditto::shingle_order order = sampled ? ditto::shingle_order(sample) : ditto::shingle_order();
            ditto::prefix_index index(t);
            std::size_t similar = 0, missed = 0, returned = 0;  // returned: distinct ids
            for (std::size_t i = 0; i < sets.size(); ++i) {
                const auto p = index.prefix(sets[i], order);
                std::vector<std::uint32_t> hits;
                index.query(p, 0, hits);
                const std::set<std::uint32_t> found(hits.begin(), hits.end());
                returned += found.size();
                for (std::size_t j = 0; j < i; ++j)
                    if (jaccard(sets[i], sets[j]) >= t) {
                        ++similar;
                        missed += found.count(static_cast<std::uint32_t>(j)) == 0 ? std::size_t{1} : std::size_t{0};
                    }
                // Ids at or above min_id only.
                std::vector<std::uint32_t> late;
                index.query(p, static_cast<std::uint32_t>(i / 2), late);
                for (const std::uint32_t id : late) CHECK(id >= i / 2);
                index.add(static_cast<std::uint32_t>(i), p);
            }
            INFO("t " << t << ", sampled order " << sampled);
            CHECK(similar > 50);
            CHECK(missed == 0);
            // With the sampled order, templates come last: far fewer sets returned than the
            // pairs a full scan would examine.
            if (sampled) CHECK(returned < sets.size() * (sets.size() - 1) / 2 / 10);
        }
    }
}

TEST_CASE("prefix index: the order puts shingles common in the sample last", "[lsh][prefix]") {
    const std::vector<std::vector<std::uint64_t>> sample{{1, 2, 3, 50}, {1, 2, 4, 60}, {1, 5, 70}};
    const ditto::shingle_order order(sample);
    CHECK(order.frequency(1) == 3);
    CHECK(order.frequency(2) == 2);
    CHECK(order.frequency(3) == 0);  // held by one sample set only
    CHECK(order.frequency(99) == 0);
    std::vector<std::uint64_t> first;
    const std::vector<std::uint64_t> set{1, 2, 3, 9, 50};
    order.first(set, 3, first);
    CHECK(first == std::vector<std::uint64_t>{3, 9, 50});  // the rare ones, by value
    order.first(set, 10, first);
    CHECK(first == std::vector<std::uint64_t>{3, 9, 50, 2, 1});
}

TEST_CASE("prefix index: prefix lengths and invalid use", "[lsh][prefix]") {
    ditto::prefix_index index(0.8);
    std::vector<std::uint64_t> set(100);
    for (std::size_t i = 0; i < set.size(); ++i) set[i] = i;
    const auto p = index.prefix(set, ditto::shingle_order());
    CHECK(p.shingles.size() == 100 - 80 + 1);     // |x| - ceil(0.8 |x|) + 1
    CHECK(p.index_length == 100 - 89 + 1);         // |x| - ceil(1.6/1.8 |x|) + 1 = 100 - 89 + 1
    CHECK(p.shingles == std::vector<std::uint64_t>(set.begin(), set.begin() + 21));
    index.add(5, p);
    CHECK_THROWS_AS(index.add(5, p), std::invalid_argument);
    CHECK_THROWS_AS(index.add(4, p), std::invalid_argument);
    CHECK_NOTHROW(index.add(6, p));
    CHECK_THROWS_AS(ditto::prefix_index(0.0), std::invalid_argument);
    CHECK_THROWS_AS(ditto::prefix_index(1.5), std::invalid_argument);
    std::vector<std::uint32_t> hits;
    ditto::prefix_index(0.5).query(ditto::prefix_index(0.5).prefix({}, ditto::shingle_order()), 0, hits);
    CHECK(hits.empty());
}

TEST_CASE("prefix index: the positional filter drops template pages that meet only in the template", "[lsh][prefix]") {
    // A 90-shingle template (common in the sample, so last in the order) and pages with their own
    // shingles. u: 5 of its own; v: 20 (J = 90/115 = 0.78 < 0.8); w: 15 (J(u, w) = 90/110 = 0.82).
    // v's and w's probe prefixes reach 3 and 7 template shingles, u's index prefix 6, so both meet
    // u; the bound 1 + min(|v| - x - 1, |u| - y - 1) = 90 is below v's needed 0.8/1.8 * 205 but
    // not below w's 0.8/1.8 * 200.
    auto page = [](std::uint64_t own_from, std::size_t own) {
        std::vector<std::uint64_t> s;
        for (std::uint64_t t = 0; t < 90; ++t) s.push_back(1'000'000 + t);
        for (std::size_t o = 0; o < own; ++o) s.push_back(own_from + o);
        std::sort(s.begin(), s.end());
        return s;
    };
    const auto u = page(10, 5), v = page(100, 20), w = page(200, 15);
    const ditto::shingle_order order(std::vector<std::vector<std::uint64_t>>{page(300, 3), page(400, 3)});
    ditto::prefix_index index(0.8);
    const auto pu = index.prefix(u, order);
    REQUIRE(pu.index_length == 95 - 85 + 1);
    index.add(0, pu);
    std::vector<std::uint32_t> hits;
    index.query(index.prefix(v, order), 0, hits);
    CHECK(hits.empty());
    index.query(index.prefix(w, order), 0, hits);
    CHECK(!hits.empty());
    CHECK(std::all_of(hits.begin(), hits.end(), [](std::uint32_t id) { return id == 0; }));
}

TEST_CASE("shingle order: counts are exact, and first() is the (count, value) order", "[lsh][prefix]") {
    // A taken-for-common rare shingle would put a template's shingle into a page's index prefix
    // and join the whole family in one sub-bucket, so the counts are checked against a brute
    // force for every sampled shingle and for many that are not sampled.
    std::mt19937_64 rng(77);
    std::vector<std::vector<std::uint64_t>> sample;
    std::vector<std::uint64_t> common;
    for (int c = 0; c < 300; ++c) common.push_back(rng());
    for (int s = 0; s < 400; ++s) {
        std::set<std::uint64_t> set;
        for (const std::uint64_t h : common)
            if (rng() % 3 != 0) set.insert(h);
        for (int o = 0; o < 50; ++o) set.insert(rng());
        sample.emplace_back(set.begin(), set.end());
    }
    std::map<std::uint64_t, std::uint32_t> count;
    for (const auto& set : sample)
        for (const std::uint64_t h : set) ++count[h];
    const ditto::shingle_order order(sample);
    for (const auto& [h, c] : count) REQUIRE(order.frequency(h) == (c < 2 ? 0 : std::min<std::uint32_t>(c, 255)));
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t h = rng();
        if (count.count(h) == 0) REQUIRE(order.frequency(h) == 0);
    }
    // first(): a brute-force sort by (count, value) of a set mixing common and rare shingles.
    for (int trial = 0; trial < 50; ++trial) {
        std::set<std::uint64_t> s;
        for (const std::uint64_t h : sample[static_cast<std::size_t>(trial)]) s.insert(h);
        for (int o = 0; o < 20; ++o) s.insert(rng());
        const std::vector<std::uint64_t> set(s.begin(), s.end());
        std::vector<std::pair<std::uint32_t, std::uint64_t>> keyed;
        for (const std::uint64_t h : set) keyed.emplace_back(order.frequency(h), h);
        std::sort(keyed.begin(), keyed.end());
        for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{37}, set.size() / 2, set.size(), set.size() + 5}) {
            std::vector<std::uint64_t> first;
            order.first(set, length, first);
            REQUIRE(first.size() == std::min(length, set.size()));
            for (std::size_t x = 0; x < first.size(); ++x) REQUIRE(first[x] == keyed[x].second);
        }
    }
}
