#pragma once
// An order of shingles, rare first, for prefix filtering (index/prefix_split.hpp,
// index/prefix_index.hpp): a set's first shingles in it are its rarest, so two sets that share
// one of them are likely copies, and a template's shingles, held by every page, come last.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <utility>
#include <vector>

#include <ditto/detail/bucket_sort.hpp>

namespace ditto::inline v0_1 {

/// An order of shingles, rare first: by the number of sample sets holding each (up to 255;
/// shingles held by fewer than two count as 0), then by value.
///
/// The counts of the common shingles sit in an open-addressing table (shingle and count in one
/// 16-byte cell) four times larger than the shingles it holds, so a look-up mostly reads one
/// cell. Exact: a rare shingle taken for a common one would put a template's shingle into one
/// page's index prefix, and the whole family would share that page's sub-bucket.
class shingle_order {
public:
    shingle_order() = default;

    /// Counts the shingles of the sample sets (each without repeats).
    template <class Sets>
    explicit shingle_order(const Sets& sample) {
        std::vector<std::uint64_t> all;
        for (const auto& set : sample) all.insert(all.end(), std::begin(set), std::end(set));
        detail::sort_hashes(all);
        // Runs of equal values: the shingles held by two sets or more, and how many.
        std::vector<std::pair<std::uint64_t, std::uint8_t>> common;
        for (std::size_t i = 0; i < all.size();) {
            std::size_t end = i + 1;
            while (end < all.size() && all[end] == all[i]) ++end;
            if (end - i >= 2) common.emplace_back(all[i], static_cast<std::uint8_t>(std::min<std::size_t>(end - i, 255)));
            i = end;
        }
        if (common.empty()) return;
        std::size_t cells = 64;
        while (cells < 4 * common.size()) cells *= 2;
        table_.assign(cells, cell{});
        mask_ = cells - 1;
        for (const auto& [h, c] : common) {
            std::size_t at = cell_of(h);
            while (table_[at].count != 0) at = (at + 1) & mask_;
            table_[at] = cell{h, c};
        }
    }

    /// How many sample sets hold shingle h (0 when fewer than two; at most 255).
    [[nodiscard]] std::uint32_t frequency(std::uint64_t h) const noexcept {
        if (table_.empty()) return 0;
        for (std::size_t at = cell_of(h);; at = (at + 1) & mask_) {
            const cell& c = table_[at];
            if (c.count == 0 || c.shingle == h) return c.count;
        }
    }

    /// The first `length` shingles of set (sorted, no repeats) in this order, written to out
    /// (replaced), in order. A stable counting sort by frequency: the set is in value order
    /// already, and frequencies are bytes, so two passes over the set do it.
    void first(std::span<const std::uint64_t> set, std::size_t length, std::vector<std::uint64_t>& out) const {
        length = std::min(length, set.size());
        out.resize(length);
        if (length == 0) return;
        if (table_.empty()) {  // every shingle is rare: value order
            std::copy_n(set.begin(), length, out.begin());
            return;
        }
        std::array<std::size_t, 256> count{};
        for (const std::uint64_t h : set) ++count[frequency(h)];
        // The last frequency taken (cut), and where each frequency up to it starts in out.
        std::array<std::size_t, 256> start{};
        std::size_t cut = 0, taken = 0;
        for (;; ++cut) {
            start[cut] = taken;
            taken += count[cut];
            if (taken >= length) break;
        }
        for (const std::uint64_t h : set) {
            const std::size_t f = frequency(h);
            if (f < cut || (f == cut && start[cut] < length)) out[start[f]++] = h;
        }
    }

private:
    struct cell {
        std::uint64_t shingle = 0;
        std::uint32_t count = 0;  // >= 2; 0: an empty cell
    };
    // Shingles are hashes already: their bits, folded, pick the cell.
    [[nodiscard]] std::size_t cell_of(std::uint64_t h) const noexcept { return static_cast<std::size_t>((h >> 32) ^ h) & mask_; }

    std::vector<cell> table_;
    std::size_t mask_ = 0;
};

}  // namespace ditto
