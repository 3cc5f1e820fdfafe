#pragma once
// Repeated passages: every passage of at least min_tokens tokens whose bytes occur more than once
// in a corpus (in two documents, or twice in one), found without a suffix array.
//
// A window is min_tokens consecutive tokens (ditto's tokens, so a CJK ideograph is a token and a
// threshold means the same amount of text in every script); its bytes run from its first token's
// first byte to its last token's last byte, separators included. Steps:
//  1. every window is hashed (a rolling polynomial over token hashes and the hashes of the
//     separators between them) into a 16-byte record (hash, document, token position), on the
//     executor, one pass over the text;
//  2. a pass over two bit tables drops most records whose hash occurs once; the rest are sorted
//     by (hash, document, position): an in-place radix pass on the top 8 bits, a second one
//     inside each bucket on the executor, then std::sort of each small piece;
//  3. records whose hash occurs once are dropped; for the others each document is tokenized again
//     to find the windows' bytes, and every group of equal hashes is confirmed byte for byte (a
//     collision splits the group; a window left alone is not a repeat);
//  4. per document, the windows are merged into spans. Under remove_rule::copies the first
//     occurrence of each window (document order, then position) stays and every later one goes:
//     a token is removed when a later occurrence of some window holds it, and the separator
//     between two removed tokens when one such window holds both. A later occurrence that
//     overlaps its own first occurrence (text repeating with a period shorter than the window,
//     "ha ha ha ha") removes only the tokens after that first occurrence, which stays whole.
//     Under remove_rule::all every window of a confirmed group goes. Spans never start or end
//     inside a token or a character.
// Under remove_rule::copies a span is cut where its kept occurrence stops being one contiguous
// range, so every span's bytes equal its `kept` range byte for byte (a span may then start with
// the separator before its first token).
//
// Memory: 16 bytes per window (the records) and 2 to 4 bytes per window for the bit tables, then
// 48 bytes per window left past them, and 16 bytes per token of the one document each task is
// working on. Work per group is linear in its size, so a passage repeated 10^5 times costs 10^5
// steps, and the result does not depend on the executor's thread count.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/clean/lines.hpp>
#include <ditto/clean/spans.hpp>
#include <ditto/concepts.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/parallel.hpp>
#include <ditto/text/tokenize.hpp>

namespace ditto::inline v0_1 {

/// Options of find_repeats.
struct repeat_options {
    /// A passage is at least this many tokens (1..65536). 40 words is about the 50 subword tokens
    /// of Lee et al. (2022), two or three sentences: long enough that a common phrase, a quotation
    /// or an address line never reaches it, short enough to catch a repeated disclaimer or a
    /// navigation block. See docs/design.md.
    std::size_t min_tokens = 40;
    remove_rule remove = remove_rule::copies;
    std::uint64_t seed = default_seed;

    /// Throws std::invalid_argument naming the parameter when an option is out of range.
    void validate() const {
        if (min_tokens < 1 || min_tokens > 65536)
            detail::throw_invalid_argument("repeat_options", "min_tokens", "in 1..65536", std::to_string(min_tokens));
    }
};

/// What find_repeats did (for benchmarks and --verbose).
struct repeat_stats {
    std::size_t tokens = 0;            ///< tokens outside excluded ranges
    std::size_t windows = 0;           ///< window records sorted
    std::size_t repeated_windows = 0;  ///< records whose hash occurs more than once
    std::size_t confirmed_windows = 0; ///< of those, windows whose bytes occur more than once
    std::size_t record_bytes = 0;      ///< bytes of the window records
    /// The most bytes the stage's arrays held at once (records, bit tables, candidate arrays),
    /// besides the texts and one document's token offsets per task.
    std::size_t peak_bytes = 0;
};

namespace detail {

// One window: 16 bytes.
struct window_record {
    std::uint64_t hash;
    std::uint32_t doc;
    std::uint32_t pos;  // the index of its first token in its document
};
static_assert(sizeof(window_record) == 16, "window records must stay at 16 bytes");

[[nodiscard]] constexpr bool window_less(const window_record& a, const window_record& b) noexcept {
    if (a.hash != b.hash) return a.hash < b.hash;
    return a.doc != b.doc ? a.doc < b.doc : a.pos < b.pos;
}

// Hashes every window of min_tokens tokens of one document; tokens starting inside an excluded
// range (sorted, disjoint) break the sequence. Appends records to out; returns the token count.
class window_hasher {
public:
    // hash_mask keeps some bits of each window hash: tests force collisions with it.
    window_hasher(std::size_t k, std::uint64_t seed, std::uint64_t hash_mask = ~std::uint64_t{0})
        : k_(k), seed_(seed), mask_(hash_mask), gap_seed_(mix64(seed, 0x6a9a5eedULL)), space_(hash64(" ", mix64(seed, 0x6a9a5eedULL))),
          ring_(k + 1) {
        power_k_ = 1;
        for (std::size_t i = 0; i < k; ++i) power_k_ *= base;
        power_k1_ = 1;
        for (std::size_t i = 0; i + 1 < k; ++i) power_k1_ *= base;
    }

    std::size_t run(std::string_view text, std::uint32_t doc, std::span<const removed_span> excluded,
                    std::vector<window_record>& out) {
        std::size_t index = 0, counted = 0, in_run = 0, slot = 0, ex = 0, previous_end = 0;
        std::uint64_t f_poly = 0, g_poly = 0;
        for_each_token(text, [&](const token& t) {
            const std::size_t at = index++;
            while (ex < excluded.size() && excluded[ex].end <= t.offset) ++ex;
            if (ex < excluded.size() && excluded[ex].begin <= t.offset) {
                in_run = 0;
                return;
            }
            ++counted;
            const std::uint64_t f = hash64(t.text, seed_);
            std::uint64_t g = 0;
            if (in_run > 0) {
                const std::string_view gap = text.substr(previous_end, t.offset - previous_end);
                g = gap.size() == 1 && gap[0] == ' ' ? space_ : hash64(gap, gap_seed_);
            } else {
                f_poly = g_poly = 0;
                slot = 0;
            }
            previous_end = t.offset + t.text.size();
            ++in_run;
            ring_[slot] = {f, g};
            // Token at - k sits k + 1 - k = 1 slot ahead (mod k + 1); token at - k + 1 two ahead.
            const std::size_t old_f = slot + 1 == ring_.size() ? 0 : slot + 1;
            const std::size_t old_g = old_f + 1 == ring_.size() ? 0 : old_f + 1;
            f_poly = f_poly * base + f - (in_run > k_ ? ring_[old_f].first * power_k_ : 0);
            g_poly = g_poly * base + g - (in_run >= k_ ? ring_[k_ == 1 ? slot : old_g].second * power_k1_ : 0);
            slot = old_f;
            if (in_run >= k_) {
                if (at - (k_ - 1) > std::numeric_limits<std::uint32_t>::max())
                    throw_invalid_argument("find_repeats", "tokens per document", "at most 2^32",
                                           std::to_string(at + 1));
                out.push_back(window_record{mix64(f_poly ^ (g_poly * 0x9e3779b97f4a7c15ULL), seed_) & mask_, doc,
                                            static_cast<std::uint32_t>(at - (k_ - 1))});
            }
        });
        return counted;
    }

private:
    static constexpr std::uint64_t base = 0x100000001b3ULL * 2 + 1;  // odd
    std::size_t k_;
    std::uint64_t seed_, mask_, gap_seed_, space_;
    std::uint64_t power_k_ = 1, power_k1_ = 1;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ring_;  // (token hash, hash of the gap before it)
};

// Sorts records by (hash, doc, pos): one in-place radix pass on the top bits, then each bucket
// with std::sort on the executor. The order is total, so the result is the same on any executor.
// One in-place radix pass (American flag sort) on the 8 bits of the hash at shift over r; start
// receives the 257 bucket boundaries.
inline void radix_pass(std::span<window_record> r, unsigned shift, std::array<std::size_t, 257>& start) {
    const auto digit = [shift](const window_record& w) { return static_cast<std::size_t>((w.hash >> shift) & 255); };
    start.fill(0);
    for (const auto& w : r) ++start[digit(w) + 1];
    for (std::size_t b = 0; b < 256; ++b) start[b + 1] += start[b];
    std::array<std::size_t, 256> next{};
    for (std::size_t b = 0; b < 256; ++b) next[b] = start[b];
    for (std::size_t b = 0; b < 256; ++b) {
        while (next[b] < start[b + 1]) {
            window_record v = r[next[b]];
            std::size_t d = digit(v);
            while (d != b) {
                std::swap(v, r[next[d]++]);
                d = digit(v);
            }
            r[next[b]++] = v;
        }
    }
}

// Sorts records by (hash, doc, pos): a radix pass on the top 8 bits, then in each bucket (on the
// executor) one on the next 8 and std::sort of each piece. The order is total, so the result is
// the same on any executor; no memory beyond the records.
template <executor E>
void sort_windows(std::span<window_record> r, E& exec) {
    if (r.size() < (std::size_t{1} << 14)) {
        std::sort(r.begin(), r.end(), window_less);
        return;
    }
    std::array<std::size_t, 257> top{};
    radix_pass(r, 56, top);
    exec.bulk(256, [&](std::size_t b) {
        const auto bucket = r.subspan(top[b], top[b + 1] - top[b]);
        std::array<std::size_t, 257> inner{};
        radix_pass(bucket, 48, inner);
        for (std::size_t c = 0; c < 256; ++c)
            std::sort(bucket.begin() + static_cast<std::ptrdiff_t>(inner[c]),
                      bucket.begin() + static_cast<std::ptrdiff_t>(inner[c + 1]), window_less);
    });
}

// The token offsets of one text: (begin, end) of each token, in order.
inline void token_offsets(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& out) {
    out.clear();
    for_each_token(text, [&](const token& t) { out.emplace_back(t.offset, t.offset + t.text.size()); });
}

template <executor E>
[[nodiscard]] std::vector<removed_span> repeats(std::span<const std::string_view> texts,
                                                std::span<const removed_span> excluded, const repeat_options& options,
                                                E& exec, repeat_stats* stats,
                                                std::uint64_t hash_mask = ~std::uint64_t{0}) {
    options.validate();
    if (texts.size() > std::numeric_limits<std::uint32_t>::max())
        throw_invalid_argument("find_repeats", "documents", "at most 2^32 - 1", std::to_string(texts.size()));
    const std::size_t k = options.min_tokens;
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    repeat_stats st;

    // Excluded ranges of each document: excluded is sorted by (doc, begin).
    std::vector<std::size_t> excluded_first(texts.size() + 1, 0);
    for (const auto& s : excluded) ++excluded_first[s.doc + 1];
    for (std::size_t d = 0; d < texts.size(); ++d) excluded_first[d + 1] += excluded_first[d];
    const auto excluded_of = [&](std::size_t d) {
        return excluded.subspan(excluded_first[d], excluded_first[d + 1] - excluded_first[d]);
    };

    // 1. Window records, per chunk of documents, joined in document order.
    std::vector<window_record> records;
    {
        const std::vector<std::size_t> chunk_ends = document_chunks(texts, std::size_t{1} << 20);
        std::vector<std::vector<window_record>> chunk_records(chunk_ends.size());
        std::vector<std::size_t> chunk_tokens(chunk_ends.size(), 0);
        exec.bulk(chunk_ends.size(), [&](std::size_t c) {
            window_hasher hasher(k, options.seed, hash_mask);
            for (std::size_t d = c == 0 ? 0 : chunk_ends[c - 1]; d < chunk_ends[c]; ++d)
                chunk_tokens[c] += hasher.run(texts[d], static_cast<std::uint32_t>(d), excluded_of(d), chunk_records[c]);
        });
        std::size_t total = 0;
        for (std::size_t c = 0; c < chunk_records.size(); ++c) {
            total += chunk_records[c].size();
            st.tokens += chunk_tokens[c];
        }
        // Reserved, not touched: pages are committed as chunks are copied in and freed.
        records.reserve(total);
        for (auto& c : chunk_records) {
            records.insert(records.end(), c.begin(), c.end());
            std::vector<window_record>().swap(c);
        }
    }
    st.windows = records.size();
    st.record_bytes = records.size() * sizeof(window_record);

    // 2. Most windows occur once. Two bit tables of 8 bits per record drop, in one pass, every
    // record whose hash bits no other record shares (all but about 12% of the unique ones), so
    // the sort sees far fewer records; order is kept.
    {
        std::size_t bits = 64;
        while (bits < records.size() * 8) bits *= 2;
        const std::size_t mask = bits - 1;
        std::vector<std::uint64_t> seen(bits / 64, 0), twice(bits / 64, 0);
        st.peak_bytes = records.capacity() * sizeof(window_record) + 2 * (bits / 8);
        for (const auto& r : records) {
            const std::size_t i = static_cast<std::size_t>(r.hash) & mask;
            const std::uint64_t bit = std::uint64_t{1} << (i & 63);
            twice[i >> 6] |= seen[i >> 6] & bit;
            seen[i >> 6] |= bit;
        }
        std::size_t kept_records = 0;
        for (const auto& r : records) {
            const std::size_t i = static_cast<std::size_t>(r.hash) & mask;
            if ((twice[i >> 6] >> (i & 63)) & 1) records[kept_records++] = r;
        }
        records.resize(kept_records);
    }
    // 3. Sort; keep the records whose hash occurs more than once.
    sort_windows(std::span<window_record>(records), exec);
    std::size_t m = 0;
    for (std::size_t i = 0; i < records.size();) {
        std::size_t j = i + 1;
        while (j < records.size() && records[j].hash == records[i].hash) ++j;
        if (j - i > 1)
            for (std::size_t x = i; x < j; ++x) records[m++] = records[x];
        i = j;
    }
    records.resize(m);
    records.shrink_to_fit();
    st.repeated_windows = m;

    // The candidates of each document, by position.
    std::vector<std::size_t> doc_first(texts.size() + 1, 0), by_doc(m);
    for (const auto& r : records) ++doc_first[r.doc + 1];
    for (std::size_t d = 0; d < texts.size(); ++d) doc_first[d + 1] += doc_first[d];
    {
        std::vector<std::size_t> fill(doc_first.begin(), doc_first.end() - 1);
        for (std::size_t i = 0; i < m; ++i) by_doc[fill[records[i].doc]++] = i;
    }
    std::vector<std::size_t> docs_with;  // documents holding candidates
    for (std::size_t d = 0; d < texts.size(); ++d)
        if (doc_first[d + 1] > doc_first[d]) docs_with.push_back(d);
    const std::size_t doc_tasks = std::min(docs_with.size(), exec.concurrency() * 8);
    const auto for_docs_with = [&](auto&& f) {
        exec.bulk(doc_tasks, [&](std::size_t t) {
            std::vector<std::pair<std::size_t, std::size_t>> offsets;
            for (std::size_t x = t * docs_with.size() / doc_tasks; x < (t + 1) * docs_with.size() / doc_tasks; ++x)
                f(docs_with[x], offsets);
        });
    };

    // The bytes of each candidate window.
    std::vector<std::size_t> wbegin(m), wend(m);
    // Records, by_doc, wbegin, wend and (below) kept: 48 bytes per candidate.
    st.peak_bytes = std::max(st.peak_bytes, m * (sizeof(window_record) + 4 * sizeof(std::size_t)) +
                                                2 * (texts.size() + 1) * sizeof(std::size_t));
    for_docs_with([&](std::size_t d, std::vector<std::pair<std::size_t, std::size_t>>& offsets) {
        const auto list = std::span<std::size_t>(by_doc).subspan(doc_first[d], doc_first[d + 1] - doc_first[d]);
        std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) { return records[a].pos < records[b].pos; });
        token_offsets(texts[d], offsets);
        for (const std::size_t i : list) {
            wbegin[i] = offsets[records[i].pos].first;
            wend[i] = offsets[records[i].pos + k - 1].second;
        }
    });
    const auto bytes_of = [&](std::size_t i) {
        return texts[records[i].doc].substr(wbegin[i], wend[i] - wbegin[i]);
    };

    // 4. Confirm byte for byte that each window equals its group's first, the record of least
    // (doc, pos) with its hash. kept[i]: that first, or none once i's bytes differ from it.
    // Windows at consecutive positions whose firsts sit at consecutive positions of one document
    // form a run: each side's bytes are one range, compared once (with every window's offsets
    // within it), so a passage costs about its own length instead of min_tokens times it. A run
    // that does not match whole falls back to one comparison per window.
    std::vector<std::size_t> group_start;
    for (std::size_t i = 0; i < m; ++i)
        if (i == 0 || records[i].hash != records[i - 1].hash) group_start.push_back(i);
    group_start.push_back(m);
    const std::size_t groups = group_start.size() - 1;
    std::vector<std::size_t> kept(m);
    for (std::size_t g = 0; g < groups; ++g)
        std::fill(kept.begin() + static_cast<std::ptrdiff_t>(group_start[g]),
                  kept.begin() + static_cast<std::ptrdiff_t>(group_start[g + 1]), group_start[g]);
    for_docs_with([&](std::size_t d, std::vector<std::pair<std::size_t, std::size_t>>&) {
        const auto list = std::span<const std::size_t>(by_doc).subspan(doc_first[d], doc_first[d + 1] - doc_first[d]);
        const auto continues = [&](std::size_t prev, std::size_t next) {
            const std::size_t fp = kept[prev], fn = kept[next];
            return fn != next && records[next].pos == records[prev].pos + 1 && records[fn].doc == records[fp].doc &&
                   records[fn].pos == records[fp].pos + 1;
        };
        for (std::size_t x = 0; x < list.size();) {
            const std::size_t a = list[x];
            if (kept[a] == a) {  // a first occurrence
                ++x;
                continue;
            }
            std::size_t y = x + 1;
            while (y < list.size() && continues(list[y - 1], list[y])) ++y;
            const std::size_t f = kept[a], last = list[y - 1];
            const std::size_t length = wend[last] - wbegin[a];
            bool whole = wend[kept[last]] - wbegin[f] == length &&
                         texts[d].substr(wbegin[a], length) == texts[records[f].doc].substr(wbegin[f], length);
            for (std::size_t z = x + 1; z < y && whole; ++z) {
                const std::size_t i = list[z];
                whole = wbegin[i] - wbegin[a] == wbegin[kept[i]] - wbegin[f] && wend[i] - wbegin[a] == wend[kept[i]] - wbegin[f];
            }
            if (!whole)
                for (std::size_t z = x; z < y; ++z)
                    if (bytes_of(list[z]) != bytes_of(kept[list[z]])) kept[list[z]] = none;
            x = y;
        }
    });
    // A group with a window that differs from its first holds a hash collision: sort it by bytes,
    // then index, so each class stays in (doc, pos) order and its head is its first.
    const std::size_t group_tasks = std::min(groups, exec.concurrency() * 8);
    exec.bulk(group_tasks, [&](std::size_t t) {
        std::vector<std::size_t> order;
        for (std::size_t g = t * groups / group_tasks; g < (t + 1) * groups / group_tasks; ++g) {
            const std::size_t begin = group_start[g], end = group_start[g + 1];
            if (std::find(kept.begin() + static_cast<std::ptrdiff_t>(begin), kept.begin() + static_cast<std::ptrdiff_t>(end),
                          none) == kept.begin() + static_cast<std::ptrdiff_t>(end))
                continue;
            order.resize(end - begin);
            for (std::size_t i = begin; i < end; ++i) {
                order[i - begin] = i;
                kept[i] = none;
            }
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                const std::string_view x = bytes_of(a), y = bytes_of(b);
                return x != y ? x < y : a < b;
            });
            for (std::size_t x = 0; x < order.size();) {
                std::size_t y = x + 1;
                while (y < order.size() && bytes_of(order[y]) == bytes_of(order[x])) ++y;
                if (y - x > 1) {
                    const std::size_t head = *std::min_element(order.begin() + static_cast<std::ptrdiff_t>(x),
                                                               order.begin() + static_cast<std::ptrdiff_t>(y));
                    for (std::size_t z = x; z < y; ++z) kept[order[z]] = head;
                }
                x = y;
            }
        }
    });
    for (std::size_t i = 0; i < m; ++i)
        if (kept[i] != none) ++st.confirmed_windows;

    // 5. Spans, per document.
    const bool keep_first = options.remove == remove_rule::copies;
    std::vector<std::vector<removed_span>> per_doc(docs_with.size());
    std::vector<std::size_t> slot_of(texts.size(), 0);
    for (std::size_t x = 0; x < docs_with.size(); ++x) slot_of[docs_with[x]] = x;
    for_docs_with([&](std::size_t d, std::vector<std::pair<std::size_t, std::size_t>>& offsets) {
        const auto list = std::span<const std::size_t>(by_doc).subspan(doc_first[d], doc_first[d + 1] - doc_first[d]);
        // The removing windows by position, each with the first token it removes: its own first,
        // or, when its kept occurrence overlaps it (a period shorter than the window), the first
        // token after that occurrence, which stays whole.
        std::vector<std::pair<std::size_t, std::size_t>> removing;  // (candidate, first removed token)
        for (const std::size_t i : list) {
            if (kept[i] == none || (keep_first && kept[i] == i)) continue;
            std::size_t from = records[i].pos;
            if (keep_first && records[kept[i]].doc == d && records[kept[i]].pos + k > from)
                from = records[kept[i]].pos + k;
            removing.emplace_back(i, from);
        }
        if (removing.empty()) return;
        token_offsets(texts[d], offsets);
        const std::size_t n = offsets.size();
        // best[t]: the removing window of largest position whose removed range holds token t.
        // Taken by decreasing position, the ranges end earlier and earlier, and every token from
        // the lowest range start so far up to the current range's end is already taken.
        std::vector<std::size_t> best(n, none);
        std::size_t frontier = n;
        for (std::size_t x = removing.size(); x-- > 0;) {
            const auto [i, from] = removing[x];
            const std::size_t last = std::min<std::size_t>(records[i].pos + k - 1, frontier == 0 ? 0 : frontier - 1);
            if (frontier == 0) break;
            for (std::size_t t = from; t <= last && t < frontier; ++t) best[t] = i;
            frontier = std::min(frontier, from);
        }
        const auto covers = [&](std::size_t i, std::size_t t) { return i != none && records[i].pos + k > t; };
        // Same kept occurrence, shifted by the same amount: bytes map one to one.
        const auto same_mapping = [&](std::size_t a, std::size_t b) {
            return records[kept[a]].doc == records[kept[b]].doc && wbegin[kept[a]] + wbegin[b] == wbegin[kept[b]] + wbegin[a];
        };
        auto& out = per_doc[slot_of[d]];
        bool open = false;
        std::size_t span_begin = 0, span_end = 0, current = none;
        const auto close = [&] {
            removed_span s{d, span_begin, span_end, span_kind::passage, std::nullopt};
            if (keep_first) {
                const std::size_t base_kept = wbegin[kept[current]];
                s.kept = text_location{records[kept[current]].doc, span_begin - wbegin[current] + base_kept,
                                       span_end - wbegin[current] + base_kept};
            }
            out.push_back(s);
            open = false;
        };
        for (std::size_t t = 0; t < n; ++t) {
            if (best[t] == none) {
                if (open) close();
                continue;
            }
            if (open) {
                // The separator before t goes when one removing window holds t - 1 and t; the
                // one of largest position holding t - 1 does if any does.
                const bool gap = covers(best[t - 1], t);
                if (gap && !keep_first) {
                    span_end = offsets[t].second;
                    continue;
                }
                if (gap) {
                    if (covers(current, t)) {
                        span_end = offsets[t].second;
                        continue;
                    }
                    if (same_mapping(best[t - 1], current)) {
                        current = best[t - 1];
                        span_end = offsets[t].second;
                        continue;
                    }
                    // Another kept occurrence: a new span, starting with the separator, which
                    // best[t - 1] holds.
                    close();
                    open = true;
                    current = best[t - 1];
                    span_begin = offsets[t - 1].second;
                    span_end = offsets[t].second;
                    continue;
                }
                close();
            }
            open = true;
            current = best[t];
            span_begin = offsets[t].first;
            span_end = offsets[t].second;
        }
        if (open) close();
    });
    std::vector<removed_span> spans;
    for (auto& p : per_doc) spans.insert(spans.end(), p.begin(), p.end());
    if (stats) *stats = st;
    return spans;
}

}  // namespace detail

/// The repeated passages of a corpus as removed spans (kind passage), sorted by document then
/// offset; see the top of this header. Throws std::invalid_argument when options are out of range
/// or the corpus has 2^32 documents, or a document 2^32 tokens.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] std::vector<removed_span> find_repeats(const R& documents, const repeat_options& options, E& exec,
                                                     repeat_stats* stats = nullptr) {
    const std::vector<std::string_view> texts = detail::texts_of(documents);
    return detail::repeats(std::span<const std::string_view>(texts), {}, options, exec, stats);
}

/// As above, on the calling thread.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] std::vector<removed_span> find_repeats(const R& documents, const repeat_options& options = {}) {
    inline_executor exec;
    return find_repeats(documents, options, exec);
}

}  // namespace ditto
