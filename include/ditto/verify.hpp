#pragma once
// Exact similarity of two texts: the Jaccard similarity (and containment) of their word-shingle
// sets, recomputed from the texts. The pipeline verifies every LSH candidate this way, so the
// pairs it reports are exactly those at or above the threshold.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>

namespace ditto {

/// Sorts hashes and removes repeats, turning a shingle sequence into a set.
inline void make_set(std::vector<std::uint64_t>& hashes) {
    std::sort(hashes.begin(), hashes.end());
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
