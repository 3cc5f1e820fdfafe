#pragma once
// Every pair of 64-bit fingerprints within Hamming distance k, by the permuted tables of Manku,
// Jain and Das Sarma (2007).
//
// The 64 bits are cut into m contiguous blocks (m > k). Two fingerprints that differ in at most
// k bits differ in at most k blocks, so they agree on at least m - k blocks. For each choice of
// m - k blocks (C(m, m - k) choices, in lexicographic order of their block numbers) a table holds
// every fingerprint with the chosen blocks moved to its top bits, sorted: fingerprints that agree
// on those blocks form a run of one prefix, and only pairs within a run are compared.
//
// A pair that agrees on several choices collides in several tables; it is reported by the first
// of them only: the lexicographically first choice of m - k blocks within the set of blocks on
// which it agrees is that set's m - k lowest blocks, so a table reports a pair exactly when its
// choice is those blocks. No memory is needed to remember what was reported.
//
// Tables are made and scanned one at a time (memory: one table, 16 bytes per fingerprint), and
// pairs go to a callback as they are found: a run of r equal prefixes costs r^2 / 2 comparisons
// but no memory beyond the table. When the prefix has fewer bits than log2(n) + 4, random
// fingerprints share prefixes in runs of n / 2^prefix on average and the work grows towards n^2:
// the plan says so (hamming_plan::warning) and the caller should pass more blocks.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/detail/swar.hpp>
#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// The largest k the index accepts.
inline constexpr unsigned max_hamming_distance = 32;
/// The most tables a plan may have (C(blocks, k)).
inline constexpr std::size_t max_hamming_tables = 4096;
/// The most tables an automatic choice of blocks makes.
inline constexpr std::size_t auto_hamming_tables = 64;

/// The shape of a Hamming index: k, the blocks, the tables they make, and the prefix length.
struct hamming_plan {
    unsigned k = 0;
    unsigned blocks = 1;
    std::size_t tables = 1;       ///< C(blocks, blocks - k)
    unsigned prefix_bits = 64;    ///< the shortest prefix of a table: the bits of its m - k blocks
    unsigned wanted_bits = 0;     ///< ceil(log2(n)) + 4: fewer prefix bits than this degenerate
    bool warning = false;         ///< prefix_bits < wanted_bits: expect large runs of equal prefixes

    /// A message for people when warning is set, else empty.
    [[nodiscard]] std::string warning_text() const {
        if (!warning) return {};
        return "the Hamming index matches " + std::to_string(prefix_bits) + "-bit prefixes (" +
               std::to_string(blocks) + " blocks, k = " + std::to_string(k) + "), fewer than the " +
               std::to_string(wanted_bits) +
               " bits this many fingerprints need; runs of equal prefixes will be long and the search slow "
               "(use more blocks or a smaller k)";
    }
};

namespace detail {

// C(n, r), or max + 1 when it exceeds max.
[[nodiscard]] constexpr std::size_t binomial_capped(unsigned n, unsigned r, std::size_t max) noexcept {
    if (r > n) return 0;
    r = std::min(r, n - r);
    std::size_t c = 1;
    for (unsigned i = 1; i <= r; ++i) {
        c = c * (n - r + i) / i;  // exact: a product of i consecutive integers is divisible by i!
        if (c > max) return max + 1;
    }
    return c;
}

// Block b of m covers bits [block_start(b), block_start(b + 1)): the first 64 % m blocks have
// one bit more than the others.
[[nodiscard]] constexpr unsigned block_start(unsigned b, unsigned m) noexcept {
    const unsigned base = 64 / m, extra = 64 % m;
    return b * base + std::min(b, extra);
}

// The shortest total length of m - k blocks: the last m - k blocks (the first ones are the longer).
[[nodiscard]] constexpr unsigned shortest_prefix(unsigned k, unsigned m) noexcept { return 64 - block_start(k, m); }

[[nodiscard]] inline unsigned wanted_prefix_bits(std::size_t n) noexcept {
    const unsigned log2n = n <= 1 ? 0 : static_cast<unsigned>(std::bit_width(n - 1));  // ceil(log2 n)
    return log2n + 4;
}

}  // namespace detail

/// The plan for n fingerprints and distance k with `blocks` blocks; blocks 0 chooses: the fewest
/// blocks (at least k + 1) whose prefix has log2(n) + 4 bits, among those making at most
/// auto_hamming_tables tables (else the most blocks within that). Throws std::invalid_argument
/// unless k <= max_hamming_distance, and blocks is 0 or in [k + 1, 64] with at most
/// max_hamming_tables tables.
[[nodiscard]] inline hamming_plan plan_hamming_index(std::size_t n, unsigned k, unsigned blocks = 0) {
    if (k > max_hamming_distance)
        detail::throw_invalid_argument("hamming_index", "k", "in [0, " + std::to_string(max_hamming_distance) + "]",
                                       std::to_string(k));
    hamming_plan plan;
    plan.k = k;
    plan.wanted_bits = detail::wanted_prefix_bits(n);
    if (blocks == 0) {
        blocks = k + 1;
        for (unsigned m = k + 1; m <= 64; ++m) {
            if (detail::binomial_capped(m, k, auto_hamming_tables) > auto_hamming_tables) break;
            blocks = m;
            if (detail::shortest_prefix(k, m) >= plan.wanted_bits) break;
        }
    } else if (blocks < k + 1 || blocks > 64) {
        detail::throw_invalid_argument("hamming_index", "blocks",
                                       "0 (chosen from k) or in [k + 1, 64] = [" + std::to_string(k + 1) + ", 64]",
                                       std::to_string(blocks));
    }
    plan.blocks = blocks;
    plan.tables = detail::binomial_capped(blocks, k, max_hamming_tables);
    if (plan.tables > max_hamming_tables)
        detail::throw_invalid_argument("hamming_index", "blocks",
                                       "such that C(blocks, k) <= " + std::to_string(max_hamming_tables),
                                       std::to_string(blocks) + " (k = " + std::to_string(k) + ")");
    plan.prefix_bits = detail::shortest_prefix(k, blocks);
    plan.warning = plan.prefix_bits < plan.wanted_bits;
    return plan;
}

/// Finds every pair of fingerprints within Hamming distance k. Holds a view of the fingerprints,
/// which must outlive it.
class hamming_index {
public:
    /// Throws std::invalid_argument as plan_hamming_index, or for more than 2^32 - 1 fingerprints.
    explicit hamming_index(std::span<const std::uint64_t> fingerprints, unsigned k, unsigned blocks = 0)
        : fingerprints_(fingerprints), plan_(plan_hamming_index(fingerprints.size(), k, blocks)) {
        if (fingerprints.size() > 0xffffffffULL)
            detail::throw_invalid_argument("hamming_index", "fingerprints", "at most 4294967295",
                                           std::to_string(fingerprints.size()));
        for (unsigned b = 0; b <= plan_.blocks; ++b) start_[b] = detail::block_start(b, plan_.blocks);
    }

    [[nodiscard]] const hamming_plan& plan() const noexcept { return plan_; }

    /// Calls f(a, b, distance) once for each pair of fingerprints (by index, a < b) within
    /// distance k. Sequential; pairs come table by table.
    template <class F>
    void for_each_pair(F&& f) const {
        std::vector<record> table;
        for_each_table(table, [&](std::uint64_t chosen) { scan(table, chosen, 0, table.size(), f); });
    }

    /// As for_each_pair, with each table's runs spread over tasks of exec: f(task, a, b,
    /// distance), where task in [0, task_count(exec)) names a slot no other running call shares
    /// (for per-task state). Which task reports a pair, and the order, depend on exec; the pairs
    /// do not.
    template <executor E, class F>
    void for_each_pair(E& exec, F&& f) const {
        const std::size_t tasks = task_count(exec);
        std::vector<record> table;
        std::vector<std::size_t> cut(tasks + 1);
        for_each_table(table, [&](std::uint64_t chosen) {
            // Cuts at run starts, near equal shares of the table.
            const unsigned shift = 64 - chosen_bits(chosen);
            cut[0] = 0;
            for (std::size_t t = 1; t <= tasks; ++t) {
                std::size_t at = std::max(cut[t - 1], table.size() * t / tasks);
                while (at > 0 && at < table.size() && prefix(table[at].key, shift) == prefix(table[at - 1].key, shift)) ++at;
                cut[t] = t == tasks ? table.size() : at;
            }
            exec.bulk(tasks, [&](std::size_t t) {
                scan(table, chosen, cut[t], cut[t + 1], [&](std::size_t a, std::size_t b, unsigned d) { f(t, a, b, d); });
            });
        });
    }

    /// The number of task slots for_each_pair(exec, f) uses.
    template <executor E>
    [[nodiscard]] static std::size_t task_count(E& exec) {
        return std::max<std::size_t>(1, exec.concurrency() * 4);
    }

    /// Bytes of the table in use while searching (one table at a time).
    [[nodiscard]] std::size_t table_bytes() const noexcept { return fingerprints_.size() * sizeof(record); }

private:
    struct record {
        std::uint64_t key;  // the fingerprint with the chosen blocks on top
        std::uint32_t id;
    };

    [[nodiscard]] static std::uint64_t prefix(std::uint64_t key, unsigned shift) noexcept {
        return shift >= 64 ? 0 : key >> shift;
    }

    // The bits of the blocks in mask `chosen`.
    [[nodiscard]] unsigned chosen_bits(std::uint64_t chosen) const noexcept {
        unsigned bits = 0;
        for (unsigned b = 0; b < plan_.blocks; ++b)
            if ((chosen >> b) & 1) bits += start_[b + 1] - start_[b];
        return bits;
    }

    // Builds each table in turn (chosen: a mask of its m - k blocks, in lexicographic order of
    // the block numbers) and calls visit(chosen).
    template <class Visit>
    void for_each_table(std::vector<record>& table, Visit&& visit) const {
        const unsigned m = plan_.blocks, r = m - plan_.k;
        table.resize(fingerprints_.size());
        std::array<unsigned, 64> pick{};
        for (unsigned i = 0; i < r; ++i) pick[i] = i;
        for (;;) {
            std::uint64_t chosen = 0;
            for (unsigned i = 0; i < r; ++i) chosen |= std::uint64_t{1} << pick[i];
            // Chosen blocks first (high bits), then the others, each in block order.
            std::array<unsigned, 64> order{};
            unsigned o = 0;
            for (unsigned b = 0; b < m; ++b)
                if ((chosen >> b) & 1) order[o++] = b;
            for (unsigned b = 0; b < m; ++b)
                if (!((chosen >> b) & 1)) order[o++] = b;
            for (std::size_t i = 0; i < fingerprints_.size(); ++i) {
                const std::uint64_t fp = fingerprints_[i];
                std::uint64_t key = 0;
                for (unsigned x = 0; x < m; ++x) {
                    const unsigned from = start_[order[x]], length = start_[order[x] + 1] - from;
                    const std::uint64_t bits = length == 64 ? fp : (fp >> from) & ((std::uint64_t{1} << length) - 1);
                    key = length == 64 ? bits : (key << length) | bits;
                }
                table[i] = record{key, static_cast<std::uint32_t>(i)};
            }
            std::sort(table.begin(), table.end(),
                      [](const record& a, const record& b) { return a.key != b.key ? a.key < b.key : a.id < b.id; });
            visit(chosen);
            // The next combination in lexicographic order.
            unsigned i = r;
            while (i > 0 && pick[i - 1] == m - r + i - 1) --i;
            if (i == 0) break;
            ++pick[i - 1];
            for (unsigned j = i; j < r; ++j) pick[j] = pick[j - 1] + 1;
        }
    }

    // The blocks (as a mask) on which two fingerprints agree.
    [[nodiscard]] std::uint64_t agreeing_blocks(std::uint64_t x) const noexcept {
        std::uint64_t mask = 0;
        for (unsigned b = 0; b < plan_.blocks; ++b) {
            const unsigned length = start_[b + 1] - start_[b];
            const std::uint64_t bits = length == 64 ? x : (x >> start_[b]) & ((std::uint64_t{1} << length) - 1);
            mask |= static_cast<std::uint64_t>(bits == 0) << b;
        }
        return mask;
    }

    // The m - k lowest blocks of a mask.
    [[nodiscard]] std::uint64_t lowest_blocks(std::uint64_t mask) const noexcept {
        std::uint64_t out = 0;
        for (unsigned i = 0; i < plan_.blocks - plan_.k && mask != 0; ++i) {
            out |= mask & (~mask + 1);
            mask &= mask - 1;
        }
        return out;
    }

    // The pairs of the runs that start in table[first, last): each compared pair within k is
    // reported when this table is the first in which it collides.
    template <class F>
    void scan(const std::vector<record>& table, std::uint64_t chosen, std::size_t first, std::size_t last, F&& f) const {
        const unsigned shift = 64 - chosen_bits(chosen);
        const unsigned k = plan_.k;
        const std::uint64_t first_chosen = ~std::uint64_t{0} >> (64 - (plan_.blocks - k));
        for (std::size_t run = first; run < last;) {
            const std::uint64_t p = prefix(table[run].key, shift);
            std::size_t end = run + 1;
            while (end < table.size() && prefix(table[end].key, shift) == p) ++end;
            for (std::size_t i = run; i < end; ++i) {
                const std::uint64_t ki = table[i].key;
                for (std::size_t j = i + 1; j < end; ++j) {
                    const unsigned d = detail::bit_count(ki ^ table[j].key);
                    if (d > k) continue;
                    const std::uint32_t a = table[i].id, b = table[j].id;
                    // Distance 0 agrees on every block: the first table (blocks 0 .. m-k-1) reports it.
                    if (d == 0 ? chosen != first_chosen
                               : lowest_blocks(agreeing_blocks(fingerprints_[a] ^ fingerprints_[b])) != chosen)
                        continue;
                    f(std::size_t{std::min(a, b)}, std::size_t{std::max(a, b)}, d);
                }
            }
            run = end;
        }
    }

    std::span<const std::uint64_t> fingerprints_;
    hamming_plan plan_;
    std::array<unsigned, 65> start_{};
};

}  // namespace ditto
