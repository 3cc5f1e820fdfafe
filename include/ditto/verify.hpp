#pragma once
// Exact similarity of two texts: the Jaccard similarity (and containment) of their word-shingle
// sets, recomputed from the texts. The pipeline verifies every LSH candidate this way, so the
// pairs it reports are exactly those at or above the threshold.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/detail/bucket_sort.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>

namespace ditto::inline v0_1 {

/// Sorts hashes and removes repeats, turning a shingle sequence into a set.
inline void make_set(std::vector<std::uint64_t>& hashes) {
    detail::sort_hashes(hashes);
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
}

namespace detail {

// Merge steps without branches on the data: which side advances is a comparison result added to
// an index, so random hashes cost no mispredictions.
inline void merge_steps(const std::uint64_t* a, std::size_t& i, std::size_t ea, const std::uint64_t* b,
                        std::size_t& j, std::size_t eb, std::size_t& common) noexcept {
    while (i < ea && j < eb) {
        const std::uint64_t x = a[i], y = b[j];
        common += static_cast<std::size_t>(x == y);
        i += static_cast<std::size_t>(x <= y);
        j += static_cast<std::size_t>(y <= x);
    }
}

// The intersection of two sorted, repeat-free sets in four lanes: a is cut into four equal
// ranges and b at the same values, and the four pairs of ranges are merged side by side, so four
// independent chains of loads and compares run at once. (Cutting at positions of a, not at fixed
// values, keeps the lanes equally long, so little is left for the one-lane tail, and takes three
// binary searches instead of six.)
//
// A step advances each lane's i or j (or both, exactly when the two values are equal), so the
// common values need no counter of their own: after s steps of a lane, common = (advances of i)
// + (advances of j) - s. Within a round, positions are kept relative to the round's step count
// and the bases move instead: a step lowers i by one exactly when it does not advance it, which
// is one subtract-with-borrow on each lane's chain with either compiler. A lane with r_a and r_b
// elements left can take min(r_a, r_b) steps unchecked: a round runs that many for all lanes,
// then looks again. When `needed` is given, it stops as soon as the intersection cannot reach it
// and returns what it had (less than needed).
inline std::size_t lane_intersection(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b,
                                     std::size_t needed) noexcept {
    std::size_t common = 0;
    if (a.size() < 64 || b.size() < 64) {
        std::size_t i = 0, j = 0;
        merge_steps(a.data(), i, a.size(), b.data(), j, b.size(), common);
        return common;
    }
    std::size_t i[4], j[4], end_a[4], end_b[4], start[4];
    i[0] = 0, j[0] = 0;
    for (std::size_t l = 1; l < 4; ++l) {
        i[l] = a.size() * l / 4;
        j[l] = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), a[i[l]]) - b.begin());
        end_a[l - 1] = i[l], end_b[l - 1] = j[l];
    }
    end_a[3] = a.size(), end_b[3] = b.size();
    for (std::size_t l = 0; l < 4; ++l) start[l] = i[l] + j[l];
    std::size_t steps_taken = 0;  // by each lane: all four run the same number of steps
    const auto common_so_far = [&] {
        std::size_t advances = 0;
        for (std::size_t l = 0; l < 4; ++l) advances += i[l] + j[l] - start[l];
        return advances - 4 * steps_taken;
    };
    for (;;) {
        std::size_t left[4];
        for (std::size_t l = 0; l < 4; ++l) left[l] = std::min(end_a[l] - i[l], end_b[l] - j[l]);
        if (needed != 0 && common_so_far() + left[0] + left[1] + left[2] + left[3] < needed) return common_so_far();
        std::size_t steps = std::min(std::min(left[0], left[1]), std::min(left[2], left[3]));
        if (steps < 8) break;
        if (needed != 0) steps = std::min<std::size_t>(steps, 64);  // look at the bound now and then
        // Step s reads pa[s + i_rel]: pa + s stays within a (s < steps <= what every lane has
        // left), and so does pa + s + i_rel, a lane's real position.
        auto i0 = static_cast<std::ptrdiff_t>(i[0]), i1 = static_cast<std::ptrdiff_t>(i[1]);
        auto i2 = static_cast<std::ptrdiff_t>(i[2]), i3 = static_cast<std::ptrdiff_t>(i[3]);
        auto j0 = static_cast<std::ptrdiff_t>(j[0]), j1 = static_cast<std::ptrdiff_t>(j[1]);
        auto j2 = static_cast<std::ptrdiff_t>(j[2]), j3 = static_cast<std::ptrdiff_t>(j[3]);
        const std::uint64_t* pa = a.data();
        const std::uint64_t* pb = b.data();
        const auto step = [](const std::uint64_t* qa, const std::uint64_t* qb, std::ptrdiff_t& x, std::ptrdiff_t& y) {
            const std::uint64_t u = qa[x], v = qb[y];
            x -= static_cast<std::ptrdiff_t>(v < u);
            y -= static_cast<std::ptrdiff_t>(u < v);
        };
        for (std::size_t s = 0; s != steps; ++s, ++pa, ++pb) {
            step(pa, pb, i0, j0);
            step(pa, pb, i1, j1);
            step(pa, pb, i2, j2);
            step(pa, pb, i3, j3);
        }
        const auto moved = static_cast<std::ptrdiff_t>(steps);
        i[0] = static_cast<std::size_t>(i0 + moved), i[1] = static_cast<std::size_t>(i1 + moved);
        i[2] = static_cast<std::size_t>(i2 + moved), i[3] = static_cast<std::size_t>(i3 + moved);
        j[0] = static_cast<std::size_t>(j0 + moved), j[1] = static_cast<std::size_t>(j1 + moved);
        j[2] = static_cast<std::size_t>(j2 + moved), j[3] = static_cast<std::size_t>(j3 + moved);
        steps_taken += steps;
    }
    common = common_so_far();
    for (std::size_t l = 0; l < 4; ++l) merge_steps(a.data(), i[l], end_a[l], b.data(), j[l], end_b[l], common);
    return common;
}

}  // namespace detail

/// The size of the intersection of two sorted, repeat-free sets (of uniform hashes, for speed;
/// any sorted, repeat-free values give the right answer).
[[nodiscard]] inline std::size_t intersection_size(std::span<const std::uint64_t> a,
                                                   std::span<const std::uint64_t> b) noexcept {
    return detail::lane_intersection(a, b, 0);
}

/// The Jaccard similarity of two sorted, repeat-free sets when it is at least `threshold`, else a
/// negative number: the merge stops as soon as the threshold is out of reach.
[[nodiscard]] inline double jaccard_at_least(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b,
                                             double threshold) noexcept {
    const std::size_t total = a.size() + b.size();
    if (total == 0) return threshold <= 0.0 ? 0.0 : -1.0;
    // J >= t  <=>  |A n B| >= t (|A| + |B|) / (1 + t); a little slack against rounding, then the
    // exact test on the count.
    const double bound = threshold * static_cast<double>(total) / (1.0 + threshold);
    const std::size_t needed = bound <= 1.0 ? 0 : static_cast<std::size_t>(bound - 1.0);
    const std::size_t common = detail::lane_intersection(a, b, needed);
    const double j = static_cast<double>(common) / static_cast<double>(total - common);
    return common >= needed && j >= threshold ? j : -1.0;
}

/// |A n B| / |A u B| of two sorted, repeat-free sets; 0 when both are empty (two empty texts
/// are not copies of each other: they share nothing).
[[nodiscard]] inline double jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
    const std::size_t common = intersection_size(a, b);
    const std::size_t united = a.size() + b.size() - common;
    return united == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(united);
}

/// |A n B| / |A|: how much of A is in B; 0 when A is empty.
[[nodiscard]] inline double containment(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
    return a.empty() ? 0.0 : static_cast<double>(intersection_size(a, b)) / static_cast<double>(a.size());
}

/// Normalizes text and collects its word-shingle hashes (in text order, repeats kept) into out,
/// using scratch for the normalized text. Both buffers are reused across calls.
template <class Shingler>
void shingle_text(std::string_view text, const normalizer& normalize, const Shingler& shingle, std::string& scratch,
                  std::vector<std::uint64_t>& out) {
    normalize.normalize(text, scratch);
    out.clear();
    shingle(std::string_view(scratch), [&](std::uint64_t h) { out.push_back(h); });
}

/// The shingle set of a text: normalized, shingled, sorted, repeat-free.
template <class Shingler = word_shingler<>>
[[nodiscard]] std::vector<std::uint64_t> shingle_set(std::string_view text, const normalizer& normalize = {},
                                                     const Shingler& shingle = Shingler{}) {
    std::string scratch;
    std::vector<std::uint64_t> out;
    shingle_text(text, normalize, shingle, scratch, out);
    make_set(out);
    return out;
}

/// The exact Jaccard similarity of two texts' shingle sets.
template <class Shingler = word_shingler<>>
[[nodiscard]] double exact_similarity(std::string_view a, std::string_view b, const normalizer& normalize = {},
                                      const Shingler& shingle = Shingler{}) {
    return jaccard(shingle_set(a, normalize, shingle), shingle_set(b, normalize, shingle));
}

}  // namespace ditto
