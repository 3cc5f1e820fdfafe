// Union-find and clustering against hand-worked graphs and a brute-force component search.
#include <ditto/cluster.hpp>

#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "support/catch.hpp"

using edge = std::pair<std::size_t, std::size_t>;

TEST_CASE("union-find joins sets and counts them", "[cluster]") {
    ditto::union_find u(6);
    CHECK(u.components() == 6);
    CHECK(u.unite(0, 1));
    CHECK(u.unite(2, 3));
    CHECK_FALSE(u.unite(1, 0));
    CHECK(u.unite(1, 3));
    CHECK(u.components() == 3);
    CHECK(u.find(0) == u.find(2));
    CHECK(u.find(4) != u.find(5));
    CHECK(u.set_size(3) == 4);
    CHECK(u.set_size(5) == 1);
}

TEST_CASE("clusters and keep rules on a hand-worked graph", "[cluster]") {
    // 0-3-5 chain (single linkage joins 0 and 5), 1-4, 2 alone, 6-7.
    const std::vector<edge> edges{{3, 5}, {0, 3}, {4, 1}, {6, 7}};
    const std::vector<std::size_t> lengths{10, 50, 20, 30, 50, 30, 5, 5};

    const auto first = ditto::cluster(8, edges);
    CHECK(first.cluster == std::vector<std::size_t>{0, 1, 2, 0, 1, 0, 6, 6});
    CHECK(first.keep == std::vector<bool>{true, true, true, false, false, false, true, false});
    CHECK(first.cluster_count == 4);

    const auto longest = ditto::cluster(8, edges, ditto::keep_rule::longest, lengths);
    // {0,3,5}: 3 and 5 tie at 30, the earlier (3) wins; {1,4}: tie at 50, 1 wins; {6,7}: 6.
    CHECK(longest.cluster == std::vector<std::size_t>{3, 1, 2, 3, 1, 3, 6, 6});
    CHECK(longest.keep == std::vector<bool>{false, true, true, true, false, false, true, false});

    // A caller's rule: prefer the highest index.
    const auto last = ditto::cluster(8, edges, [](std::size_t a, std::size_t b) { return a > b; });
    CHECK(last.cluster == std::vector<std::size_t>{5, 4, 2, 5, 4, 5, 7, 7});

    CHECK_THROWS_AS(ditto::cluster(8, std::vector<edge>{{1, 8}}), std::invalid_argument);
    CHECK_THROWS_AS(ditto::cluster(8, edges, ditto::keep_rule::longest, std::vector<std::size_t>(3)),
                    std::invalid_argument);
    const auto none = ditto::cluster(0, std::vector<edge>{});
    CHECK(none.cluster.empty());
    CHECK(none.cluster_count == 0);
}

TEST_CASE("clusters are the connected components (random graphs)", "[cluster]") {
    std::mt19937_64 rng(5);
    for (int round = 0; round < 20; ++round) {
        const std::size_t n = 60;
        std::vector<edge> edges;
        for (int e = 0; e < 45; ++e) edges.emplace_back(rng() % n, rng() % n);
        const auto c = ditto::cluster(n, edges);
        // Brute force: label propagation until nothing changes.
        std::vector<std::size_t> label(n);
        for (std::size_t i = 0; i < n; ++i) label[i] = i;
        for (bool changed = true; changed;) {
            changed = false;
            for (const auto& [a, b] : edges) {
                const std::size_t m = std::min(label[a], label[b]);
                if (label[a] != m || label[b] != m) {
                    label[a] = label[b] = m;
                    changed = true;
                }
            }
        }
        // With keep_rule::first the kept copy is the component's lowest index: the label.
        REQUIRE(c.cluster == label);
    }
}

TEST_CASE("greedy clusters: a removed element joins the kept neighbour of highest affinity", "[cluster]") {
    // 0 and 1 are not joined, so both are kept; 2 is joined to both. Keep order is index order.
    const std::vector<edge> edges{{0, 2}, {1, 2}, {3, 4}};
    const auto first = [](std::size_t a, std::size_t b) { return a < b; };
    const auto plain = ditto::cluster_greedy(5, edges, first);
    CHECK(plain.cluster == std::vector<std::size_t>{0, 1, 0, 3, 3});  // the first kept neighbour
    const std::vector<std::uint32_t> prefer_1{3, 7, 1};
    const auto weighted = ditto::cluster_greedy(5, edges, std::span<const std::uint32_t>(prefer_1), first);
    CHECK(weighted.cluster == std::vector<std::size_t>{0, 1, 1, 3, 3});
    CHECK(weighted.keep == plain.keep);  // the choice never changes what is kept
    CHECK(weighted.cluster_count == 3);
    const std::vector<std::uint32_t> tie{5, 5, 1};
    CHECK(ditto::cluster_greedy(5, edges, std::span<const std::uint32_t>(tie), first).cluster == plain.cluster);
    const std::vector<std::uint32_t> short_list{1, 2};
    CHECK_THROWS_AS(ditto::cluster_greedy(5, edges, std::span<const std::uint32_t>(short_list), first), std::invalid_argument);
}

TEST_CASE("greedy clusters keep the same elements whatever the affinities (random graphs)", "[cluster]") {
    // Brute force: an element is kept when no earlier kept element is its neighbour; every other
    // element joins a kept neighbour before it, one of highest affinity.
    std::mt19937_64 rng(11);
    for (int round = 0; round < 50; ++round) {
        const std::size_t n = 40;
        std::vector<edge> edges;
        std::vector<std::uint32_t> affinity;
        for (int e = 0; e < 60; ++e) {
            edges.emplace_back(rng() % n, rng() % n);
            affinity.push_back(static_cast<std::uint32_t>(rng() % 4));
        }
        const auto c = ditto::cluster_greedy(n, edges, std::span<const std::uint32_t>(affinity),
                                             [](std::size_t a, std::size_t b) { return a < b; });
        std::vector<bool> kept(n, false);
        for (std::size_t v = 0; v < n; ++v) {
            std::uint32_t best = 0;
            bool any = false;
            for (std::size_t e = 0; e < edges.size(); ++e) {
                const auto [a, b] = edges[e];
                const std::size_t u = a == v ? b : b == v ? a : n;
                if (u < v && kept[u]) {
                    best = any ? std::max(best, affinity[e]) : affinity[e];
                    any = true;
                }
            }
            kept[v] = !any;
            REQUIRE(c.keep[v] == kept[v]);
            if (kept[v]) {
                REQUIRE(c.cluster[v] == v);
                continue;
            }
            // The element joined: kept, before v, and an edge of the highest affinity joins them.
            const std::size_t j = c.cluster[v];
            REQUIRE(j < v);
            REQUIRE(kept[j]);
            bool best_edge = false;
            for (std::size_t e = 0; e < edges.size(); ++e)
                best_edge = best_edge || (((edges[e].first == j && edges[e].second == v) || (edges[e].first == v && edges[e].second == j)) &&
                                          affinity[e] == best);
            CHECK(best_edge);
        }
    }
}
