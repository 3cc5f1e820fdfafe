#pragma once
// Clusters of near-duplicates from the graph whose edges are the similar pairs, and in each the
// one copy to keep. Two rules:
//
//  - greedy (the pipeline's default): elements are visited in keep order; one with an edge to an
//    element already kept joins such a kept element (the edge of highest affinity, when edges
//    carry one, else the first in keep order), otherwise it is kept. Every removed element has an
//    edge to the kept element of its cluster, so with similarity edges every removed copy is
//    similar to the copy that replaces it.
//  - connected: the connected components (single linkage). If A~B and B~C, all three are one
//    cluster even when A and C are not similar: a chain of light edits is one story, but its
//    ends can be far apart.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// Disjoint sets over [0, n) with path halving and union by size: near-constant time per
/// operation.
class union_find {
public:
    explicit union_find(std::size_t n) : parent_(n), size_(n, 1), components_(n) {
        std::iota(parent_.begin(), parent_.end(), std::size_t{0});
    }

    [[nodiscard]] std::size_t size() const noexcept { return parent_.size(); }
    /// The number of disjoint sets.
    [[nodiscard]] std::size_t components() const noexcept { return components_; }

    /// The representative of x's set.
    std::size_t find(std::size_t x) noexcept {
        while (parent_[x] != x) {
            parent_[x] = parent_[parent_[x]];
            x = parent_[x];
        }
        return x;
    }

    /// Joins the sets of a and b; returns false when they were already one.
    bool unite(std::size_t a, std::size_t b) noexcept {
        a = find(a);
        b = find(b);
        if (a == b) return false;
        if (size_[a] < size_[b]) std::swap(a, b);
        parent_[b] = a;
        size_[a] += size_[b];
        --components_;
        return true;
    }

    /// The number of elements in x's set.
    [[nodiscard]] std::size_t set_size(std::size_t x) noexcept { return size_[find(x)]; }

private:
    std::vector<std::size_t> parent_;
    std::vector<std::size_t> size_;
    std::size_t components_;
};

/// Which copy of a cluster to keep.
enum class keep_rule {
    first,    ///< the earliest in input order
    longest,  ///< the longest text (in bytes); ties go to the earliest
};

/// How elements joined by edges form clusters (see the top of this header).
enum class cluster_rule {
    greedy,     ///< every removed element has an edge to its cluster's kept element
    connected,  ///< connected components (single linkage)
};

/// Every element's cluster, named by the index of its kept element, and whether it is kept.
struct clustering {
    std::vector<std::size_t> cluster;  ///< cluster[i]: the index of the copy kept in i's cluster
    std::vector<bool> keep;            ///< keep[i]: i is its cluster's kept copy
    std::size_t cluster_count = 0;     ///< clusters, singletons included
};

namespace detail {

inline void check_edge(std::size_t a, std::size_t b, std::size_t n) {
    if (a >= n || b >= n)
        throw_invalid_argument("cluster", "edges", "pairs of indices below " + std::to_string(n),
                               std::to_string(a) + ", " + std::to_string(b));
}

// Elements sorted best first: better(a, b) says a is kept rather than b; ties keep the lower index.
template <class Better>
std::vector<std::size_t> keep_order(std::size_t n, Better& better) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return better(a, b) || (!better(b, a) && a < b);
    });
    return order;
}

}  // namespace detail

/// Clusters n elements joined by edges (pairs of indices below n). better(a, b) says element a
/// is to be kept rather than b (a strict weak order); among equals the lowest index wins. Throws
/// std::invalid_argument for an edge outside [0, n).
template <class Edges, class Better>
[[nodiscard]] clustering cluster(std::size_t n, const Edges& edges, Better better) {
    union_find sets(n);
    for (const auto& [a, b] : edges) {
        const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
        detail::check_edge(ua, ub, n);
        sets.unite(ua, ub);
    }
    clustering out;
    out.cluster.assign(n, 0);
    out.keep.assign(n, false);
    out.cluster_count = sets.components();
    // best[root]: the element to keep so far; scanning in index order lets the lowest index win ties.
    std::vector<std::size_t> best(n, n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t root = sets.find(i);
        if (best[root] == n || better(i, best[root])) best[root] = i;
    }
    for (std::size_t i = 0; i < n; ++i) {
        out.cluster[i] = best[sets.find(i)];
        out.keep[i] = out.cluster[i] == i;
    }
    return out;
}


/// Greedy clusters: elements are visited in keep order (better(a, b): a before b; ties by
/// index); an element with an edge to an already kept element joins one of them, otherwise it is
/// kept. It joins the kept neighbour whose edge has the highest affinity (affinity[e] for edges[e];
/// an empty affinity makes them all equal), ties going to the first in keep order. Which one it
/// joins never changes which elements are kept. Linear in n plus the edges, after sorting. Throws
/// std::invalid_argument for an edge outside [0, n) or an affinity of another length than edges.
template <class Edges, class Better>
[[nodiscard]] clustering cluster_greedy(std::size_t n, const Edges& edges, std::span<const std::uint32_t> affinity,
                                        Better better) {
    if (!affinity.empty() && affinity.size() != std::size(edges))
        detail::throw_invalid_argument("cluster_greedy", "affinity", "empty or one per edge (" + std::to_string(std::size(edges)) + ")",
                                       std::to_string(affinity.size()));
    // Adjacency in compressed rows; each entry names the neighbour and the edge.
    std::vector<std::size_t> start(n + 1, 0);
    for (const auto& [a, b] : edges) {
        detail::check_edge(static_cast<std::size_t>(a), static_cast<std::size_t>(b), n);
        ++start[static_cast<std::size_t>(a) + 1];
        ++start[static_cast<std::size_t>(b) + 1];
    }
    for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
    std::vector<std::size_t> next(start.begin(), start.end() - 1), neighbour(start[n]), edge_of(start[n]);
    std::size_t e = 0;
    for (const auto& [a, b] : edges) {
        edge_of[next[static_cast<std::size_t>(a)]] = e;
        neighbour[next[static_cast<std::size_t>(a)]++] = static_cast<std::size_t>(b);
        edge_of[next[static_cast<std::size_t>(b)]] = e++;
        neighbour[next[static_cast<std::size_t>(b)]++] = static_cast<std::size_t>(a);
    }
    auto weight = [&](std::size_t x) -> std::uint32_t { return affinity.empty() ? 0 : affinity[edge_of[x]]; };
    const std::vector<std::size_t> order = detail::keep_order(n, better);
    std::vector<std::size_t> rank(n);
    for (std::size_t r = 0; r < n; ++r) rank[order[r]] = r;
    clustering out;
    out.cluster.assign(n, n);
    out.keep.assign(n, false);
    for (const std::size_t v : order) {
        std::size_t best = n, best_weight = 0;  // the kept neighbour of highest affinity, then first in keep order
        for (std::size_t x = start[v]; x < start[v + 1]; ++x) {
            const std::size_t u = neighbour[x], w = weight(x);
            if (out.keep[u] && (best == n || w > best_weight || (w == best_weight && rank[u] < rank[best]))) {
                best = u;
                best_weight = w;
            }
        }
        if (best == n) {
            out.keep[v] = true;
            out.cluster[v] = v;
            ++out.cluster_count;
        } else {
            out.cluster[v] = best;
        }
    }
    return out;
}

/// Greedy clusters with all edges equal: an element joins the first kept neighbour in keep order.
template <class Edges, class Better>
[[nodiscard]] clustering cluster_greedy(std::size_t n, const Edges& edges, Better better) {
    return cluster_greedy(n, edges, std::span<const std::uint32_t>{}, std::move(better));
}

/// Clusters by rule: cluster_greedy or connected components (cluster).
template <class Edges, class Better>
[[nodiscard]] clustering cluster(std::size_t n, const Edges& edges, Better better, cluster_rule rule) {
    return rule == cluster_rule::greedy ? cluster_greedy(n, edges, better) : cluster(n, edges, better);
}

/// Clusters with a keep rule; lengths[i] is element i's length (used by keep_rule::longest).
template <class Edges>
[[nodiscard]] clustering cluster(std::size_t n, const Edges& edges, keep_rule rule = keep_rule::first,
                                 std::span<const std::size_t> lengths = {}) {
    if (rule == keep_rule::longest) {
        if (lengths.size() != n)
            detail::throw_invalid_argument("cluster", "lengths", "one length per element (" + std::to_string(n) + ")",
                                           std::to_string(lengths.size()) + " lengths");
        return cluster(n, edges, [&](std::size_t a, std::size_t b) { return lengths[a] > lengths[b]; });
    }
    return cluster(n, edges, [](std::size_t a, std::size_t b) { return a < b; });
}

}  // namespace ditto
