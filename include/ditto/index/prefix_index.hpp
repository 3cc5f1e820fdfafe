#pragma once
// An incremental prefix-filter index: sets are added one at a time, and a query returns every
// added set that may reach a Jaccard threshold with it (all that do, and a few that do not).
//
// The pipeline's greedy clusters use it inside large LSH buckets. Units are visited in keep
// order and each is compared with the units kept before it; in a family of pages sharing a
// template, thousands of kept pages sit at Jaccard 0.6-0.8 of each other in the same buckets, and
// comparing each new page with all of them costs the square of the family. Prefix filtering
// (Chaudhuri et al. 2006; Bayardo et al. 2007; Xiao et al. 2008) asks instead which kept pages
// share one of the page's rarest shingles. Fix one order of all shingles, rare first. If
// J(x, y) >= t with |x| <= |y|, the two share a shingle within x's *index prefix* (its first
// |x| - ceil(2t/(1+t) |x|) + 1 shingles) and y's *probe prefix* (its first |y| - ceil(t |y|) + 1)
// (index/prefix_split.hpp derives the lengths). Sets arrive in any size order here, so each is
// filed twice: its index prefix in one table, its probe prefix in another. A query looks its
// probe prefix up in the first table (an earlier set no larger than it) and its index prefix up
// in the second (an earlier set larger than it). A template's shingles are common, so they come
// last in every prefix and pair nobody.
//
// The order: shingles are ranked by how many sets of a sample hold them (rarer first), then by
// value. Any fixed order keeps the filter exact; the sample only makes it selective.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/index/prefix_split.hpp>

namespace ditto {

/// An order of shingles, rare first: by the number of sample sets holding each (up to 255;
/// shingles held by fewer than two count as 0), then by value. The counts sit in a direct-mapped
/// table of bytes eight times larger than the common shingles, small enough to stay in cache; a
/// rare shingle that shares a cell with a common one counts as common. That changes the order,
/// not its being one fixed order, so prefix filtering stays exact.
class shingle_order {
public:
    shingle_order() = default;

    /// Counts the shingles of the sample sets (each sorted, without repeats).
    template <class Sets>
    explicit shingle_order(const Sets& sample) {
        std::unordered_map<std::uint64_t, std::uint32_t> count;
        for (const auto& set : sample)
            for (const std::uint64_t h : set) ++count[h];
        std::size_t common = 0;
        for (const auto& entry : count) common += entry.second >= 2 ? 1 : 0;
        if (common == 0) return;
        std::size_t cells = 1024;
        while (cells < 8 * common) cells *= 2;
        table_.assign(cells, 0);
        mask_ = cells - 1;
        for (const auto& [h, c] : count)
            if (c >= 2) {
                std::uint8_t& cell = table_[cell_of(h)];
                cell = static_cast<std::uint8_t>(std::max<std::uint32_t>(cell, std::min<std::uint32_t>(c, 255)));
            }
    }

    /// The count of shingle h's cell: how many sample sets hold it (0 when fewer than two).
    [[nodiscard]] std::uint32_t frequency(std::uint64_t h) const noexcept {
        return table_.empty() ? 0 : table_[cell_of(h)];
    }

    /// The first `length` shingles of set (no repeats) in this order, written to out (replaced),
    /// in order.
    void first(std::span<const std::uint64_t> set, std::size_t length, std::vector<std::uint64_t>& out) const {
        std::vector<std::pair<std::uint32_t, std::uint64_t>> keyed;
        keyed.reserve(set.size());
        for (const std::uint64_t h : set) keyed.emplace_back(frequency(h), h);
        length = std::min(length, keyed.size());
        const auto end = keyed.begin() + static_cast<std::ptrdiff_t>(length);
        if (length < keyed.size()) std::nth_element(keyed.begin(), end, keyed.end());
        std::sort(keyed.begin(), end);
        out.clear();
        for (auto it = keyed.begin(); it != end; ++it) out.push_back(it->second);
    }

private:
    // Shingles are hashes already: their high bits pick the cell.
    [[nodiscard]] std::size_t cell_of(std::uint64_t h) const noexcept { return static_cast<std::size_t>((h >> 32) ^ h) & mask_; }

    std::vector<std::uint8_t> table_;
    std::size_t mask_ = 0;
};

/// A set's prefixes under an order: its probe prefix, whose first index_length shingles are its
/// index prefix.
struct set_prefix {
    std::vector<std::uint64_t> shingles;
    std::size_t index_length = 0;
    std::size_t set_size = 0;  ///< the whole set's size
};

/// Sets filed under their prefixes, by an id; ids must be added in ascending order, so every
/// list of ids is ascending. Queries are const and may run concurrently while nothing is added.
///
/// A query also applies the positional filter (Xiao et al. 2008): the first shingle two sets
/// share, in the order, sits at position x of one and y of the other, so they share at most
/// 1 + min(|a| - x - 1, |b| - y - 1) shingles, and a pair that cannot reach the overlap
/// t/(1+t) (|a| + |b|) is not returned. Within a template family, where two pages first meet in
/// the template, that bound is about their true overlap: pairs below the threshold drop out
/// before any signature or set is read.
class prefix_index {
public:
    /// Throws std::invalid_argument for a threshold outside (0, 1].
    explicit prefix_index(double threshold) : threshold_(threshold) {
        if (!(threshold > 0.0 && threshold <= 1.0))
            detail::throw_invalid_argument("prefix_index", "threshold", "in (0, 1]", std::to_string(threshold));
    }

    [[nodiscard]] double threshold() const noexcept { return threshold_; }

    /// The prefixes of a set (sorted, no repeats) under order, at this index's threshold.
    [[nodiscard]] set_prefix prefix(std::span<const std::uint64_t> set, const shingle_order& order) const {
        set_prefix p;
        order.first(set, prefix_length(set.size(), threshold_), p.shingles);
        p.index_length = std::min(p.shingles.size(), prefix_length(set.size(), 2 * threshold_ / (1 + threshold_)));
        p.set_size = set.size();
        return p;
    }

    /// Files a set under id, which must exceed every id added before. Throws
    /// std::invalid_argument otherwise.
    void add(std::uint32_t id, const set_prefix& p) {
        if (added_ && id <= last_id_)
            detail::throw_invalid_argument("prefix_index::add", "id", "above the last id added (" + std::to_string(last_id_) + ")",
                                           std::to_string(id));
        added_ = true;
        last_id_ = id;
        for (std::size_t x = 0; x < p.shingles.size(); ++x) {
            const posting entry{id, static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(p.set_size)};
            probe_[p.shingles[x]].push_back(entry);
            if (x < p.index_length) index_[p.shingles[x]].push_back(entry);
        }
    }

    /// Appends to out the ids at or above min_id of the sets that may reach the threshold with
    /// the set of prefixes p (every one that does, and some that do not), each once for every
    /// prefix shingle it shares with p where the positional bound still holds (more: likelier a
    /// copy). Ascending by id.
    void query(const set_prefix& p, std::uint32_t min_id, std::vector<std::uint32_t>& out) const {
        const std::size_t first = out.size();
        const double need = threshold_ / (1 + threshold_);
        const std::size_t a = p.set_size;
        // The bound only falls along the order, so a pair passes at some shared shingle exactly
        // when it passes at its first, the one that decides (see the class's note).
        auto append = [&](const std::unordered_map<std::uint64_t, std::vector<posting>>& table, std::size_t x) {
            const auto it = table.find(p.shingles[x]);
            if (it == table.end()) return;
            const auto& list = it->second;
            auto from = std::lower_bound(list.begin(), list.end(), min_id,
                                         [](const posting& e, std::uint32_t id) { return e.id < id; });
            for (; from != list.end(); ++from) {
                const std::size_t b = from->size;
                const std::size_t most = 1 + std::min(a - x - 1, b - from->position - 1);
                if (static_cast<double>(most) >= need * static_cast<double>(a + b) - 1e-9) out.push_back(from->id);
            }
        };
        for (std::size_t x = 0; x < p.shingles.size(); ++x) {
            append(index_, x);                          // earlier sets no larger than this one
            if (x < p.index_length) append(probe_, x);  // earlier sets larger than it
        }
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    }

private:
    struct posting {
        std::uint32_t id, position, size;  // the set, the shingle's place in its prefix, the set's size
    };

    double threshold_;
    bool added_ = false;
    std::uint32_t last_id_ = 0;
    std::unordered_map<std::uint64_t, std::vector<posting>> index_, probe_;
};

}  // namespace ditto
