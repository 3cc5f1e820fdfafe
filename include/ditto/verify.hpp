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

/// The size of the intersection of two sorted, repeat-free sets.
[[nodiscard]] inline std::size_t intersection_size(std::span<const std::uint64_t> a,
                                                   std::span<const std::uint64_t> b) noexcept {
    std::size_t i = 0, j = 0, common = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] < b[j]) ++i;
        else if (b[j] < a[i]) ++j;
        else { ++common; ++i; ++j; }
    }
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
