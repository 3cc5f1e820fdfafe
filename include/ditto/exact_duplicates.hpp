#pragma once
// Exact duplicates: items with equal content, found by a 128-bit content hash. Grouping by hash
// gives each item the lowest-indexed item with the same hash; the caller confirms each claim by
// comparing the contents (cheap, and linear: every item is compared once, with its group's first
// item), so a hash collision can never merge two different texts.

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/hash.hpp>

namespace ditto::inline v0_1 {

/// A 128-bit content hash: two independently seeded 64-bit hashes of the same bytes.
struct content_hash {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    friend constexpr bool operator==(const content_hash&, const content_hash&) = default;
    friend constexpr auto operator<=>(const content_hash&, const content_hash&) = default;
};

/// The content hash of bytes.
[[nodiscard]] inline content_hash hash128(std::string_view bytes) noexcept {
    return content_hash{hash64(bytes, 0x6a09e667f3bcc908ULL), hash64(bytes, 0xbb67ae8584caa73bULL)};
}

/// For every item, the lowest index of an item with the same hash (itself when it is the first).
/// O(n log n).
[[nodiscard]] inline std::vector<std::uint32_t> first_with_same_hash(std::span<const content_hash> hashes) {
    std::vector<std::uint32_t> order(hashes.size());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : a < b;
    });
    std::vector<std::uint32_t> first(hashes.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t end = i + 1;
        while (end < order.size() && hashes[order[end]] == hashes[order[i]]) ++end;
        for (std::size_t j = i; j < end; ++j) first[order[j]] = order[i];
        i = end;
    }
    return first;
}

/// Confirms the claims of first (from first_with_same_hash) for items [from, to): an item whose
/// content(i, out) differs from its first item's becomes its own first (a hash collision).
/// content(i, out) writes item i's content to out, a std::string. Items of one group usually
/// come together, so the first item's content is made once per run of them.
template <class Content>
void confirm_same_content(std::vector<std::uint32_t>& first, std::size_t from, std::size_t to, Content content) {
    std::string mine, theirs;
    std::size_t theirs_of = static_cast<std::size_t>(-1);
    for (std::size_t i = from; i < to; ++i) {
        const std::size_t f = first[i];
        if (f == i) continue;
        if (theirs_of != f) {
            content(f, theirs);
            theirs_of = f;
        }
        content(i, mine);
        if (mine != theirs) first[i] = static_cast<std::uint32_t>(i);
    }
}

}  // namespace ditto
