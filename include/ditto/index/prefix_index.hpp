#pragma once
// An incremental prefix-filter index: sets are added one at a time, and a query returns every
// added set that may reach a Jaccard threshold with it (all that do, and a few that do not).
//
// The pipeline's clusters use it inside large LSH buckets (connected ones too: see dedup.hpp).
// For greedy ones, units are visited in keep order and each is compared with the units kept
// before it; in a family of pages sharing a template, thousands of kept pages sit at Jaccard
// 0.6-0.8 of each other in the same buckets, and comparing each new page with all of them
// costs the square of the family. Prefix filtering
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
// The order (index/shingle_order.hpp): shingles are ranked by how many sets of a sample hold them
// (rarer first), then by value. Any fixed order keeps the filter exact; the sample only makes it
// selective.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/index/prefix_split.hpp>
#include <ditto/index/shingle_order.hpp>

namespace ditto::inline v0_1 {

namespace detail {

// A filed set: its id, the shingle's place in its prefix, its size, and the posting filed before
// it under the same shingle (plus one; 0 ends the list).
struct posting {
    std::uint32_t id, place, size, next;
};

// Posting lists by shingle: an open-addressing table of list heads over one array of postings,
// each list newest first. Flat arrays, where a map of vectors would allocate per shingle; a
// slot holds key and head together, so a look-up costs one cache line.
class posting_table {
public:
    void add(std::uint64_t key, posting entry) {
        if (2 * (used_ + 1) > slots_.size()) grow();
        slot& s = slots_[find(key)];
        if (s.head == 0) {
            s.key = key;
            ++used_;
        }
        if (postings_.size() >= std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("prefix_index: more than 2^32 - 1 postings");
        entry.next = s.head;
        postings_.push_back(entry);
        s.head = static_cast<std::uint32_t>(postings_.size());
    }

    // The newest posting of key's list (a reference for at()), 0 when it has none. The list
    // goes on through posting::next, newest first.
    [[nodiscard]] std::uint32_t head(std::uint64_t key) const noexcept { return used_ == 0 ? 0 : slots_[find(key)].head; }
    [[nodiscard]] const posting& at(std::uint32_t reference) const noexcept { return postings_[reference - 1]; }

private:
    struct slot {
        std::uint64_t key = 0;
        std::uint32_t head = 0;  // 1 + the newest posting's index; 0: an empty slot
    };

    // The key's slot, or the empty slot where it would go. Keys are hashes: the multiplication
    // only spreads structured ones.
    [[nodiscard]] std::size_t find(std::uint64_t key) const noexcept {
        const std::size_t mask = slots_.size() - 1;
        std::size_t at = static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_);
        while (slots_[at].head != 0 && slots_[at].key != key) at = (at + 1) & mask;
        return at;
    }
    void grow() {
        std::vector<slot> old = std::move(slots_);
        const std::size_t cells = old.empty() ? 1024 : 2 * old.size();
        slots_.assign(cells, slot{});
        shift_ = 64;
        for (std::size_t c = cells; c > 1; c /= 2) --shift_;
        for (const slot& s : old)
            if (s.head != 0) slots_[find(s.key)] = s;
    }

    std::vector<slot> slots_;
    std::vector<posting> postings_;
    std::size_t used_ = 0;
    int shift_ = 64;
};

}  // namespace detail

/// A set's prefixes under an order: its probe prefix, whose first index_length shingles are its
/// index prefix.
struct set_prefix {
    std::vector<std::uint64_t> shingles;
    std::size_t index_length = 0;
    std::size_t set_size = 0;  ///< the whole set's size
};

/// Sets filed under their prefixes, by an id; ids must be added in ascending order, so every
/// posting list runs from the newest id down and a query for ids at or above some id stops
/// early. Sets must be sorted by value without repeats (the prefixes assume it). At most
/// 2^32 - 1 postings per table (std::length_error past it). Queries are const and may run
/// concurrently while nothing is added.
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
        prefix(set, order, p);
        return p;
    }
    /// The same, written to p (its buffer reused).
    void prefix(std::span<const std::uint64_t> set, const shingle_order& order, set_prefix& p) const {
        order.first(set, prefix_length(set.size(), threshold_), p.shingles);
        p.index_length = std::min(p.shingles.size(), prefix_length(set.size(), 2 * threshold_ / (1 + threshold_)));
        p.set_size = set.size();
    }

    /// Files a set under id, which must exceed every id added before. Throws
    /// std::invalid_argument otherwise.
    void add(std::uint32_t id, const set_prefix& p) {
        if (added_ && id <= last_id_)
            detail::throw_invalid_argument("prefix_index::add", "id", "above the last id added (" + std::to_string(last_id_) + ")",
                                           std::to_string(id));
        added_ = true;
        last_id_ = id;
        if (p.set_size > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("prefix_index::add: a set of 2^32 shingles or more");
        for (std::size_t x = 0; x < p.shingles.size(); ++x) {
            const detail::posting entry{id, static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(p.set_size), 0};
            probe_.add(p.shingles[x], entry);
            if (x < p.index_length) index_.add(p.shingles[x], entry);
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
        // The lists to walk: earlier sets no larger than this one under its probe prefix's
        // shingles (index_), larger ones under its index prefix's (probe_). Their heads are
        // looked up first and the lists then walked side by side, one posting of each per
        // round, so the cache misses of different lists overlap rather than queue.
        struct walk {
            const detail::posting_table* table;
            std::uint32_t at;
            std::uint32_t x;  // the shingle's place in p
        };
        std::vector<walk> walks;
        walks.reserve(p.shingles.size() + p.index_length);
        for (std::size_t x = 0; x < p.shingles.size(); ++x) {
            const auto place = static_cast<std::uint32_t>(x);
            if (const std::uint32_t h = index_.head(p.shingles[x])) walks.push_back({&index_, h, place});
            if (x < p.index_length)
                if (const std::uint32_t h = probe_.head(p.shingles[x])) walks.push_back({&probe_, h, place});
        }
        // The bound only falls along the order, so a pair passes at some shared shingle exactly
        // when it passes at its first, the one that decides (see the class's note).
        while (!walks.empty()) {
            std::size_t live = 0;
            for (std::size_t w = 0; w < walks.size(); ++w) {
                const walk here = walks[w];
                const detail::posting& e = here.table->at(here.at);
                if (e.id < min_id) continue;  // ids only fall along a list
                const std::size_t x = here.x, b = e.size, y = e.place;
                const std::size_t most = 1 + std::min(a - x - 1, b - y - 1);
                if (static_cast<double>(most) >= need * static_cast<double>(a + b) - 1e-9) out.push_back(e.id);
                if (e.next != 0) walks[live++] = walk{here.table, e.next, here.x};
            }
            walks.resize(live);
        }
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    }

private:
    double threshold_;
    bool added_ = false;
    std::uint32_t last_id_ = 0;
    detail::posting_table index_, probe_;  // each set under its index prefix, and under its probe prefix
};

}  // namespace ditto
