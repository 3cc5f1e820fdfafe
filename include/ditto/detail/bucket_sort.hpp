#pragma once
// Sorting uniformly distributed 64-bit hashes: a counting pass on the top bits, then each small
// bucket alone.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace ditto::inline v0_1 {

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

}  // namespace ditto
