// Union-find and clustering against hand-worked graphs and a brute-force component search.
#include <ditto/cluster.hpp>

#include <random>
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
