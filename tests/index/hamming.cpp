// The Hamming index against a brute force over all pairs of 10^5 fingerprints (fewer under
// sanitizers), with many pairs planted at each distance from 0 to 5 and one fingerprint repeated
// thousands of times; its plan (blocks, prefix length, warning) and its option checks.
#include <ditto/index/hamming.hpp>
#include <ditto/parallel.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

using ditto_test::rng;  // splitmix64, the tests' shared stream

// x with exactly d distinct bits flipped.
std::uint64_t flip(std::uint64_t x, unsigned d, rng& g) {
    std::uint64_t mask = 0;
    while (static_cast<unsigned>(std::popcount(mask)) < d) mask |= std::uint64_t{1} << g.below(64);
    return x ^ mask;
}

constexpr std::size_t full_size = DITTO_LARGE_TEST_BYTES >= (1ULL << 30) ? 100000 : 20000;
constexpr std::size_t repeats = 2000;  // copies of one fingerprint

std::vector<std::uint64_t> planted(std::size_t n) {
    rng g{42};
    std::vector<std::uint64_t> fps;
    const std::uint64_t repeated = g.next();
    for (std::size_t i = 0; i < repeats; ++i) fps.push_back(repeated);
    for (unsigned d = 1; d <= 5; ++d)
        for (int i = 0; i < 10; ++i) fps.push_back(flip(repeated, d, g));
    // Pairs and small families at distances 0..5 from a base, so the brute force has real work
    // at exactly k and k + 1 for every k tested.
    while (fps.size() + 4 <= n * 7 / 10) {
        const std::uint64_t base = g.next();
        fps.push_back(base);
        const std::size_t family = 1 + g.below(3);
        for (std::size_t c = 0; c < family; ++c) fps.push_back(flip(base, static_cast<unsigned>(g.below(6)), g));
    }
    while (fps.size() < n) fps.push_back(g.next());
    for (std::size_t i = fps.size(); i > 1; --i) std::swap(fps[i - 1], fps[g.below(i)]);
    return fps;
}

using found_pair = std::tuple<std::size_t, std::size_t, unsigned>;

// Every pair within max_k, by comparing all pairs.
std::vector<found_pair> brute_force(const std::vector<std::uint64_t>& fps, unsigned max_k) {
    std::vector<found_pair> out;
    for (std::size_t a = 0; a < fps.size(); ++a) {
        const std::uint64_t x = fps[a];
        for (std::size_t b = a + 1; b < fps.size(); ++b) {
            const auto d = static_cast<unsigned>(std::popcount(x ^ fps[b]));
            if (d <= max_k) out.emplace_back(a, b, d);
        }
    }
    return out;
}

std::vector<found_pair> within(const std::vector<found_pair>& all, unsigned k) {
    std::vector<found_pair> out;
    for (const auto& p : all)
        if (std::get<2>(p) <= k) out.push_back(p);
    return out;
}

}  // namespace

TEST_CASE("hamming index: every pair within k, once, against all pairs", "[hamming]") {
    const std::vector<std::uint64_t> fps = planted(full_size);
    const std::vector<found_pair> all = brute_force(fps, 5);
    // The planted pairs are there at every distance (the repeats alone make ~2 million at 0).
    for (unsigned d = 0; d <= 5; ++d) {
        const auto at = std::count_if(all.begin(), all.end(), [&](const found_pair& p) { return std::get<2>(p) == d; });
        INFO("distance " << d);
        CHECK(at >= (d == 0 ? 1999000 : 5000));
    }
    ditto::thread_pool pool(2);
    for (unsigned k = 0; k <= 4; ++k) {
        const std::vector<found_pair> expected = within(all, k);
        for (const unsigned blocks : {0u, k + 2}) {
            if (blocks != 0 && k == 4) continue;  // C(6, 4) = 15 tables of 10-bit prefixes: slow, tested below
            const ditto::hamming_index index(fps, k, blocks);
            std::vector<found_pair> got;
            index.for_each_pair([&](std::size_t a, std::size_t b, unsigned d) { got.emplace_back(a, b, d); });
            std::sort(got.begin(), got.end());  // brute force order: by a, then b
            INFO("k " << k << ", blocks " << index.plan().blocks << ", tables " << index.plan().tables);
            CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());  // each pair once
            CHECK(got.size() == expected.size());
            CHECK(got == expected);
        }
        // The parallel search finds the same pairs.
        const ditto::hamming_index index(fps, k);
        std::vector<std::vector<found_pair>> per_task(ditto::hamming_index::task_count(pool));
        index.for_each_pair(pool, [&](std::size_t task, std::size_t a, std::size_t b, unsigned d) {
            per_task[task].emplace_back(a, b, d);
        });
        std::vector<found_pair> got;
        for (const auto& t : per_task) got.insert(got.end(), t.begin(), t.end());
        std::sort(got.begin(), got.end());
        INFO("parallel, k " << k);
        CHECK(got == expected);
    }
}

TEST_CASE("hamming index: short prefixes and odd block counts on a smaller set", "[hamming]") {
    const std::vector<std::uint64_t> fps = planted(12000);
    const std::vector<found_pair> all = brute_force(fps, 6);
    for (const auto& [k, blocks] : std::vector<std::pair<unsigned, unsigned>>{{4, 5}, {4, 6}, {5, 7}, {6, 9}, {1, 64}, {2, 12}, {0, 3}}) {
        const ditto::hamming_index index(fps, k, blocks);
        std::vector<found_pair> got;
        index.for_each_pair([&](std::size_t a, std::size_t b, unsigned d) { got.emplace_back(a, b, d); });
        std::sort(got.begin(), got.end());
        INFO("k " << k << ", blocks " << blocks);
        CHECK(got == within(all, k));
    }
}

TEST_CASE("hamming index: plans and warnings", "[hamming]") {
    // k = 3 with 4 blocks of 16 bits: one block per table, 16-bit prefixes; 10^6 fingerprints
    // need ceil(log2 10^6) + 4 = 24 bits.
    const auto four = ditto::plan_hamming_index(1000000, 3, 4);
    CHECK(four.tables == 4);
    CHECK(four.prefix_bits == 16);
    CHECK(four.wanted_bits == 24);
    CHECK(four.warning);
    CHECK(four.warning_text().find("16-bit prefixes") != std::string::npos);
    // Chosen: 5 blocks (13, 13, 13, 13, 12 bits): C(5, 2) = 10 tables, prefixes of 25 bits.
    const auto chosen = ditto::plan_hamming_index(1000000, 3);
    CHECK(chosen.blocks == 5);
    CHECK(chosen.tables == 10);
    CHECK(chosen.prefix_bits == 25);
    CHECK(!chosen.warning);
    CHECK(chosen.warning_text().empty());
    // k = 0: one table of the whole fingerprint.
    const auto exact = ditto::plan_hamming_index(1000000, 0);
    CHECK(exact.blocks == 1);
    CHECK(exact.tables == 1);
    CHECK(exact.prefix_bits == 64);
    // Small inputs keep k + 1 blocks.
    CHECK(ditto::plan_hamming_index(100, 3).blocks == 4);
    // A large k cannot reach the wanted bits within the automatic table limit: it warns.
    const auto wide = ditto::plan_hamming_index(1000000, 16);
    CHECK(wide.tables <= ditto::auto_hamming_tables);
    CHECK(wide.warning);
    CHECK_THROWS_AS(ditto::plan_hamming_index(10, 33), std::invalid_argument);
    CHECK_THROWS_AS(ditto::plan_hamming_index(10, 3, 3), std::invalid_argument);
    CHECK_THROWS_AS(ditto::plan_hamming_index(10, 3, 65), std::invalid_argument);
    CHECK_THROWS_AS(ditto::plan_hamming_index(10, 16, 40), std::invalid_argument);  // C(40, 16) tables
    try {
        (void)ditto::plan_hamming_index(10, 3, 2);
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("blocks must be") != std::string::npos);
    }
    // Empty and single inputs.
    const std::vector<std::uint64_t> none, one{7};
    std::size_t count = 0;
    ditto::hamming_index(none, 3).for_each_pair([&](std::size_t, std::size_t, unsigned) { ++count; });
    ditto::hamming_index(one, 3).for_each_pair([&](std::size_t, std::size_t, unsigned) { ++count; });
    CHECK(count == 0);
}
