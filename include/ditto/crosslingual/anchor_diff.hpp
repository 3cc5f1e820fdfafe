#pragma once
// What the anchors say about two copies of a text in different languages: the anchors they
// share, in order (a longest common subsequence of the two anchor sequences), the anchors only
// one of them has, and the changed figures: numbers at the same place in the alignment with
// another value. Between two consecutive shared anchors (or before the first, after the last),
// the k-th number of A's gap and the k-th number of B's gap are a changed figure; the rest of
// each gap is only in A or only in B.
//
// The alignment keeps the DP columns as bit vectors (crosslingual/lcs.hpp) and traces back
// through them: |A| · |B| / 8 bytes, so two texts of 20,000 anchors each take 50 MB; past
// max_cells (default 2^32 cells, 512 MB) it throws std::invalid_argument.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <ditto/crosslingual/anchors.hpp>
#include <ditto/crosslingual/lcs.hpp>
#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

struct anchor_diff {
    /// Shared anchors, in order: (index in A, index in B).
    std::vector<std::pair<std::size_t, std::size_t>> shared;
    /// Numbers at the same place with another value: (index in A, index in B).
    std::vector<std::pair<std::size_t, std::size_t>> changed_figures;
    /// Anchors only in A, only in B (indexes, in order), changed figures not included.
    std::vector<std::size_t> only_a, only_b;
};

namespace detail {

// A longest common subsequence of a and b as index pairs, in order.
inline std::vector<std::pair<std::size_t, std::size_t>> lcs_alignment(const std::vector<std::uint32_t>& a,
                                                                      const std::vector<std::uint32_t>& b,
                                                                      std::uint64_t max_cells) {
    const std::size_t m = a.size(), n = b.size();
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (m == 0 || n == 0) return out;
    if (static_cast<double>(m) * static_cast<double>(n) > static_cast<double>(max_cells))
        throw_invalid_argument("diff_anchors", "anchors in A times anchors in B", "at most " + std::to_string(max_cells),
                               std::to_string(m) + " x " + std::to_string(n));
    const lcs_pattern pattern{std::span<const std::uint32_t>(a)};
    const std::size_t words = pattern.words();
    // columns[j]: V after b[0, j); bit i is 0 when LCS(a[0, i + 1), b[0, j)) exceeds LCS(a[0, i), b[0, j)).
    std::vector<std::uint64_t> columns((n + 1) * words, ~std::uint64_t{0});
    for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t* v = columns.data() + j * words;
        std::uint64_t* next = columns.data() + (j + 1) * words;
        std::copy(v, v + words, next);
        pattern.advance(b[j], next);
    }
    // Back from (m, n): equal symbols are a diagonal step (always on some longest path); else up
    // when the LCS does not drop without a[i - 1] (bit i - 1 of column j set), else left.
    for (std::size_t i = m, j = n; i > 0 && j > 0;) {
        if (a[i - 1] == b[j - 1]) {
            out.emplace_back(i - 1, j - 1);
            --i;
            --j;
        } else if ((columns[j * words + (i - 1) / 64] >> ((i - 1) % 64)) & 1) {
            --i;
        } else {
            --j;
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace detail

/// The diff of two anchor lists (see the top of this header). Anchors are equal when their
/// normalized texts are.
[[nodiscard]] inline anchor_diff diff_anchors(const anchor_list& a, const anchor_list& b,
                                             std::uint64_t max_cells = std::uint64_t{1} << 32) {
    // Symbols: one number per distinct anchor text.
    std::unordered_map<std::string_view, std::uint32_t> symbol;
    std::vector<std::uint32_t> sa(a.size()), sb(b.size());
    for (std::size_t i = 0; i < a.size(); ++i) sa[i] = symbol.emplace(a.text(i), static_cast<std::uint32_t>(symbol.size())).first->second;
    for (std::size_t i = 0; i < b.size(); ++i) sb[i] = symbol.emplace(b.text(i), static_cast<std::uint32_t>(symbol.size())).first->second;
    anchor_diff d;
    d.shared = detail::lcs_alignment(sa, sb, max_cells);
    const auto gap = [&](std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1) {
        std::vector<std::size_t> na, nb;
        for (std::size_t i = a0; i < a1; ++i)
            if (a[i].kind == anchor_kind::number) na.push_back(i);
        for (std::size_t j = b0; j < b1; ++j)
            if (b[j].kind == anchor_kind::number) nb.push_back(j);
        const std::size_t pairs = std::min(na.size(), nb.size());
        for (std::size_t k = 0; k < pairs; ++k) d.changed_figures.emplace_back(na[k], nb[k]);
        std::size_t k = 0;
        for (std::size_t i = a0; i < a1; ++i) {
            if (k < pairs && na[k] == i) ++k;
            else d.only_a.push_back(i);
        }
        k = 0;
        for (std::size_t j = b0; j < b1; ++j) {
            if (k < pairs && nb[k] == j) ++k;
            else d.only_b.push_back(j);
        }
    };
    std::size_t pa = 0, pb = 0;
    for (const auto& [i, j] : d.shared) {
        gap(pa, i, pb, j);
        pa = i + 1;
        pb = j + 1;
    }
    gap(pa, a.size(), pb, b.size());
    return d;
}

}  // namespace ditto
