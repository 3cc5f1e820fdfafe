#pragma once
// Exact similarity of two texts: the Jaccard similarity (and containment) of their word-shingle
// sets, recomputed from the texts. The pipeline verifies every LSH candidate this way, so the
// pairs it reports are exactly those at or above the threshold.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>

namespace ditto {

namespace detail {

// Sorts values whose key(v) is a uniformly distributed 64-bit hash: one counting pass on the
// top bits of the key, then each bucket alone with less. Comparison sorts mispredict a branch
// per comparison on random keys (about 13 us for 330 hashes); here buckets hold one or two
// values on average. Skewed keys only make buckets larger, which std::sort handles.
template <class T, class Key, class Less>
void bucket_sort(std::vector<T>& values, Key key, Less less) {
    const std::size_t n = values.size();
    if (n < 64) {
        std::sort(values.begin(), values.end(), less);
        return;
    }
    const int bits = std::min(16, static_cast<int>(std::bit_width(n)));
    const std::size_t buckets = std::size_t{1} << bits;
    std::vector<std::uint32_t> start(buckets + 1, 0);
    for (const T& v : values) ++start[(key(v) >> (64 - bits)) + 1];
    for (std::size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
    std::vector<T> sorted(n);
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (const T& v : values) sorted[fill[key(v) >> (64 - bits)]++] = v;
    for (std::size_t b = 0; b < buckets; ++b) {
        auto first = sorted.begin() + start[b], last = sorted.begin() + start[b + 1];
        if (last - first > 1) std::sort(first, last, less);
    }
    values.swap(sorted);
}

inline void sort_hashes(std::vector<std::uint64_t>& hashes) {
    bucket_sort(hashes, [](std::uint64_t h) { return h; }, std::less<>{});
}

}  // namespace detail

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

}  // namespace detail

/// The size of the intersection of two sorted, repeat-free sets. Shingle hashes are uniform, so
/// both sets are cut at the same three values into four ranges of about equal size, merged side
/// by side: four independent chains of loads and compares instead of one long one.
[[nodiscard]] inline std::size_t intersection_size(std::span<const std::uint64_t> a,
                                                   std::span<const std::uint64_t> b) noexcept {
    std::size_t common = 0;
    if (a.size() < 64 || b.size() < 64) {
        std::size_t i = 0, j = 0;
        detail::merge_steps(a.data(), i, a.size(), b.data(), j, b.size(), common);
        return common;
    }
    constexpr int lanes = 4;
    std::size_t ia[lanes + 1], ib[lanes + 1];
    ia[0] = ib[0] = 0;
    ia[lanes] = a.size();
    ib[lanes] = b.size();
    for (int l = 1; l < lanes; ++l) {
        const std::uint64_t cut = std::uint64_t{static_cast<std::uint64_t>(l)} << 62;
        ia[l] = static_cast<std::size_t>(std::lower_bound(a.begin(), a.end(), cut) - a.begin());
        ib[l] = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), cut) - b.begin());
    }
    std::size_t i0 = ia[0], i1 = ia[1], i2 = ia[2], i3 = ia[3];
    std::size_t j0 = ib[0], j1 = ib[1], j2 = ib[2], j3 = ib[3];
    std::size_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    const std::uint64_t* pa = a.data();
    const std::uint64_t* pb = b.data();
    while (i0 < ia[1] && j0 < ib[1] && i1 < ia[2] && j1 < ib[2] && i2 < ia[3] && j2 < ib[3] && i3 < ia[4] &&
           j3 < ib[4]) {
        const std::uint64_t x0 = pa[i0], y0 = pb[j0], x1 = pa[i1], y1 = pb[j1];
        const std::uint64_t x2 = pa[i2], y2 = pb[j2], x3 = pa[i3], y3 = pb[j3];
        c0 += static_cast<std::size_t>(x0 == y0);
        c1 += static_cast<std::size_t>(x1 == y1);
        c2 += static_cast<std::size_t>(x2 == y2);
        c3 += static_cast<std::size_t>(x3 == y3);
        i0 += static_cast<std::size_t>(x0 <= y0);
        j0 += static_cast<std::size_t>(y0 <= x0);
        i1 += static_cast<std::size_t>(x1 <= y1);
        j1 += static_cast<std::size_t>(y1 <= x1);
        i2 += static_cast<std::size_t>(x2 <= y2);
        j2 += static_cast<std::size_t>(y2 <= x2);
        i3 += static_cast<std::size_t>(x3 <= y3);
        j3 += static_cast<std::size_t>(y3 <= x3);
    }
    common = c0 + c1 + c2 + c3;
    detail::merge_steps(pa, i0, ia[1], pb, j0, ib[1], common);
    detail::merge_steps(pa, i1, ia[2], pb, j1, ib[2], common);
    detail::merge_steps(pa, i2, ia[3], pb, j2, ib[3], common);
    detail::merge_steps(pa, i3, ia[4], pb, j3, ib[4], common);
    return common;
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
