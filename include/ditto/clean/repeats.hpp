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
//  2. the records are scattered into 256 buckets by their top hash bits; in each bucket (on the
//     executor) two bit tables drop most records whose hash occurs once, the rest are sorted by
//     (hash, document, position) and those whose hash occurs once are dropped;
//  3. the candidates go to document order, each naming its group's first window; each document
//     is tokenized again to find the windows' bytes, and every window is confirmed byte for byte
//     against its group's first, a run of consecutive windows with one comparison (a collision
//     splits the group; a window left alone is not a repeat);
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
// Memory: 16 bytes per window (the records), then 40 bytes per window left past the bit tables,
// and 16 bytes per token of the one document each task is working on. Work is linear in the
// candidates (a passage repeated 10^5 times costs 10^5 steps) but for groups holding a hash
// collision, sorted by bytes; the result does not depend on the executor's thread count.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
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
#include <ditto/store/sorted_runs.hpp>
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
    /// Bytes of window records held in memory before they spill to sorted runs (0: no limit).
    /// Past it the records are written, sorted, to streams from `temporary` and merged; the
    /// result is the same byte for byte. The candidates (windows whose hash repeats), a batch of
    /// chunks being hashed (1 MB of text per thread) and the merge's buffers come on top.
    std::size_t memory_bytes = 0;
    /// Where spilled runs go (for instance temporary_files_in(folder)); needed with memory_bytes.
    temporary_streams temporary{};

    /// Throws std::invalid_argument naming the parameter when an option is out of range.
    void validate() const {
        if (min_tokens < 1 || min_tokens > 65536)
            detail::throw_invalid_argument("repeat_options", "min_tokens", "in 1..65536", std::to_string(min_tokens));
        if (memory_bytes != 0 && !temporary)
            detail::throw_invalid_argument("repeat_options", "temporary", "set when memory_bytes is", "empty");
    }
};

/// What find_repeats did (for benchmarks and --verbose).
struct repeat_stats {
    std::size_t tokens = 0;            ///< tokens outside excluded ranges
    std::size_t windows = 0;           ///< window records sorted
    std::size_t repeated_windows = 0;  ///< records whose hash occurs more than once
    std::size_t confirmed_windows = 0; ///< of those, windows whose bytes occur more than once
    std::size_t record_bytes = 0;      ///< bytes of the window records
    std::size_t runs = 0;              ///< sorted runs written, merged ones included (memory_bytes)
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

// A function object, so that std::sort inlines it.
inline constexpr auto window_less = [](const window_record& a, const window_record& b) noexcept {
    if (a.hash != b.hash) return a.hash < b.hash;
    return a.doc != b.doc ? a.doc < b.doc : a.pos < b.pos;
};

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

// The bytes of two bit tables for n records.
[[nodiscard]] constexpr std::size_t bit_table_bytes(std::size_t n) noexcept {
    std::size_t bits = 64;
    while (bits < n * 8) bits *= 2;
    return 2 * (bits / 8);
}

// Keeps the records of r whose hash occurs more than once in r, sorted by (hash, doc, pos), at
// its front; returns how many. Most windows occur once: two bit tables of 8 bits per record drop,
// in one pass, every record whose hash bits no other record shares (all but about 12% of the
// unique ones), so the sort sees far fewer records. The order is total, so the result does not
// depend on which task runs this.
inline std::size_t keep_repeated(std::span<window_record> r, std::vector<std::uint64_t>& seen,
                                 std::vector<std::uint64_t>& twice) {
    const std::size_t mask = bit_table_bytes(r.size()) * 4 - 1;
    seen.assign((mask + 1) / 64, 0);
    twice.assign((mask + 1) / 64, 0);
    for (const auto& w : r) {
        const std::size_t i = static_cast<std::size_t>(w.hash) & mask;
        const std::uint64_t bit = std::uint64_t{1} << (i & 63);
        twice[i >> 6] |= seen[i >> 6] & bit;
        seen[i >> 6] |= bit;
    }
    std::size_t n = 0;
    for (const auto& w : r) {
        const std::size_t i = static_cast<std::size_t>(w.hash) & mask;
        if ((twice[i >> 6] >> (i & 63)) & 1) r[n++] = w;
    }
    const auto kept = r.first(n);
    if (n < (std::size_t{1} << 14)) {
        std::sort(kept.begin(), kept.end(), window_less);
    } else {
        std::array<std::size_t, 257> inner{};
        radix_pass(kept, 48, inner);
        for (std::size_t c = 0; c < 256; ++c)
            std::sort(kept.begin() + static_cast<std::ptrdiff_t>(inner[c]),
                      kept.begin() + static_cast<std::ptrdiff_t>(inner[c + 1]), window_less);
    }
    std::size_t m = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && kept[j].hash == kept[i].hash) ++j;
        if (j - i > 1)
            for (std::size_t x = i; x < j; ++x) r[m++] = kept[x];
        i = j;
    }
    return m;
}

// The window records in one block from malloc: shrinking it to the repeated ones is a realloc,
// which common allocators do without a second block (glibc trims the block or remaps its pages),
// where a vector would copy them next to the full array.
class record_buffer {
public:
    explicit record_buffer(std::size_t n) : size_(n) {
        if (n == 0) return;
        data_ = static_cast<window_record*>(std::malloc(n * sizeof(window_record)));
        if (data_ == nullptr) throw std::bad_alloc();
    }
    record_buffer(const record_buffer&) = delete;
    record_buffer& operator=(const record_buffer&) = delete;
    ~record_buffer() { std::free(data_); }

    void shrink(std::size_t n) noexcept {
        if (n >= size_) return;
        if (n == 0) {
            std::free(data_);
            data_ = nullptr;
        } else if (void* p = std::realloc(data_, n * sizeof(window_record))) {
            data_ = static_cast<window_record*>(p);
        }
        size_ = n;
    }
    void swap(record_buffer& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] window_record& operator[](std::size_t i) noexcept { return data_[i]; }
    [[nodiscard]] const window_record& operator[](std::size_t i) const noexcept { return data_[i]; }
    [[nodiscard]] std::span<window_record> all() noexcept { return {data_, size_}; }

private:
    window_record* data_ = nullptr;
    std::size_t size_ = 0;
};

// After the sort a record's hash field holds the key of its group's first window, the one of
// least (doc, pos): doc << 32 | pos. It names the group from then on; no_key marks a window whose
// bytes occur once.
[[nodiscard]] constexpr std::uint64_t key_of(std::uint64_t doc, std::uint32_t pos) noexcept { return doc << 32 | pos; }
inline constexpr std::uint64_t no_key = ~std::uint64_t{0};
[[nodiscard]] constexpr std::size_t key_doc(std::uint64_t key) noexcept { return static_cast<std::size_t>(key >> 32); }
[[nodiscard]] constexpr std::uint32_t key_pos(std::uint64_t key) noexcept { return static_cast<std::uint32_t>(key); }

// The token offsets of one text: (begin, end) of each token, in order.
inline void token_offsets(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& out) {
    out.clear();
    for_each_token(text, [&](const token& t) { out.emplace_back(t.offset, t.offset + t.text.size()); });
}

// A window record as a band record of the run format (store/sorted_runs.hpp), in the same
// order: (band, key, document) = (top half of the hash, bottom half and document, position).
[[nodiscard]] constexpr band_record to_band(const window_record& w) noexcept {
    return {w.hash << 32 | w.doc, static_cast<std::uint32_t>(w.hash >> 32), w.pos};
}
[[nodiscard]] constexpr window_record from_band(const band_record& b) noexcept {
    return {std::uint64_t{b.band} << 32 | b.key >> 32, static_cast<std::uint32_t>(b.key), b.document};
}

// Steps 1 and 2 under a memory budget: chunks are hashed a batch at a time, every full budget of
// records is sorted and written as a run, and the runs are merged; the records whose hash occurs
// more than once go to out in (hash, doc, pos) order, as the in-memory steps leave them.
template <executor E, class ExcludedOf>
void repeated_by_runs(std::span<const std::string_view> texts, const ExcludedOf& excluded_of, const repeat_options& options,
                      E& exec, std::uint64_t hash_mask, repeat_stats& st, record_buffer& out) {
    const std::size_t limit = std::max<std::size_t>(options.memory_bytes / sizeof(window_record), 1);
    // As the index builder does: when fan_in runs of one level are written they are merged into
    // one of the next, so few files are open at once however small the budget.
    constexpr std::size_t fan_in = 64;
    const std::size_t buffer = std::max<std::size_t>(limit / fan_in, 64);  // records read at a time per run
    const std::vector<std::size_t> chunk_ends = document_chunks(texts, std::size_t{1} << 20);
    struct spilled_run {
        std::unique_ptr<std::iostream> stream;
        std::size_t level = 0;
        std::uint64_t count = 0;
    };
    std::vector<spilled_run> runs;
    std::vector<window_record> pending;
    std::vector<band_record> bands;
    std::size_t most = 0;
    const auto new_stream = [&] {
        std::unique_ptr<std::iostream> stream = options.temporary();
        if (!stream || !*stream) throw std::runtime_error("find_repeats: cannot make a temporary stream");
        ++st.runs;
        return stream;
    };
    const auto spill = [&](std::span<window_record> piece) {
        std::sort(piece.begin(), piece.end(), window_less);
        bands.resize(piece.size());
        std::transform(piece.begin(), piece.end(), bands.begin(), to_band);
        spilled_run run{new_stream(), 0, piece.size()};
        write_run(*run.stream, bands);
        runs.push_back(std::move(run));
        while (runs.size() >= fan_in) {
            const auto first = runs.end() - static_cast<std::ptrdiff_t>(fan_in);
            if (first->level != runs.back().level) break;  // levels only decrease along the vector
            run_merger merger;
            spilled_run merged{nullptr, first->level + 1, 0};
            for (auto r = first; r != runs.end(); ++r) {
                merger.add_run(*r->stream, buffer);
                merged.count += r->count;
            }
            merged.stream = new_stream();
            run_writer writer(*merged.stream, merged.count);
            merger.for_each([&](const band_record& b) { writer.add(b); });
            writer.finish();
            runs.erase(first, runs.end());
            runs.push_back(std::move(merged));
        }
    };
    const std::size_t batch = std::max<std::size_t>(exec.concurrency(), 1);
    for (std::size_t c0 = 0; c0 < chunk_ends.size(); c0 += batch) {
        const std::size_t c1 = std::min(chunk_ends.size(), c0 + batch);
        std::vector<std::vector<window_record>> chunk_records(c1 - c0);
        std::vector<std::size_t> chunk_tokens(c1 - c0, 0);
        exec.bulk(c1 - c0, [&](std::size_t i) {
            window_hasher hasher(options.min_tokens, options.seed, hash_mask);
            const std::size_t c = c0 + i;
            for (std::size_t d = c == 0 ? 0 : chunk_ends[c - 1]; d < chunk_ends[c]; ++d)
                chunk_tokens[i] += hasher.run(texts[d], static_cast<std::uint32_t>(d), excluded_of(d), chunk_records[i]);
        });
        for (std::size_t i = 0; i < c1 - c0; ++i) {
            st.tokens += chunk_tokens[i];
            st.windows += chunk_records[i].size();
            pending.insert(pending.end(), chunk_records[i].begin(), chunk_records[i].end());
            std::vector<window_record>().swap(chunk_records[i]);
            most = std::max(most, pending.size());
            std::size_t at = 0;
            for (; pending.size() - at >= limit; at += limit) spill(std::span<window_record>(pending).subspan(at, limit));
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(at));
        }
    }
    std::sort(pending.begin(), pending.end(), window_less);
    bands.resize(pending.size());
    std::transform(pending.begin(), pending.end(), bands.begin(), to_band);
    std::vector<window_record>().swap(pending);
    st.record_bytes = st.windows * sizeof(window_record);
    st.peak_bytes = most * sizeof(window_record) + std::min(limit, most) * sizeof(band_record);

    run_merger merger;
    for (auto& r : runs) merger.add_run(*r.stream, buffer);
    merger.add_sorted(bands);
    std::vector<window_record> kept, group;
    merger.for_each([&](const band_record& b) {
        const window_record w = from_band(b);
        if (!group.empty() && group.front().hash != w.hash) {
            if (group.size() > 1) kept.insert(kept.end(), group.begin(), group.end());
            group.clear();
        }
        group.push_back(w);
    });
    if (group.size() > 1) kept.insert(kept.end(), group.begin(), group.end());
    record_buffer all(kept.size());
    std::copy(kept.begin(), kept.end(), all.all().begin());
    out.swap(all);
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

    // Steps 1 and 2 leave in records the windows whose hash occurs more than once, sorted.
    record_buffer records(0);
    std::size_t m = 0;
    if (options.memory_bytes != 0) {
        repeated_by_runs(texts, excluded_of, options, exec, hash_mask, st, records);
        m = records.size();
    } else {
        // 1. Window records, per chunk of documents.
        std::size_t total = 0;
        std::vector<std::vector<window_record>> chunk_records;
        {
            const std::vector<std::size_t> chunk_ends = document_chunks(texts, std::size_t{1} << 20);
            chunk_records.resize(chunk_ends.size());
            std::vector<std::size_t> chunk_tokens(chunk_ends.size(), 0);
            exec.bulk(chunk_ends.size(), [&](std::size_t c) {
                window_hasher hasher(k, options.seed, hash_mask);
                // Room for a window per 4 bytes, more than most text makes: growing by copies costs
                // more than the untouched pages of a reservation.
                std::size_t bytes = 0;
                for (std::size_t d = c == 0 ? 0 : chunk_ends[c - 1]; d < chunk_ends[c]; ++d) bytes += texts[d].size();
                chunk_records[c].reserve(bytes / 4);
                for (std::size_t d = c == 0 ? 0 : chunk_ends[c - 1]; d < chunk_ends[c]; ++d)
                    chunk_tokens[c] += hasher.run(texts[d], static_cast<std::uint32_t>(d), excluded_of(d), chunk_records[c]);
            });
            for (std::size_t c = 0; c < chunk_records.size(); ++c) {
                total += chunk_records[c].size();
                st.tokens += chunk_tokens[c];
            }
        }
        st.windows = total;
        st.record_bytes = total * sizeof(window_record);

        // 2. The records go to buckets by the top 8 bits of their hashes as they are copied out of
        // the chunks (a counting scatter: each chunk's share of each bucket is known beforehand);
        // then each bucket, on the executor, keeps its repeated hashes (bit tables of its own, so only
        // one bucket's tables exist per task), sorted, and the buckets' survivors are moved together.
        const auto top_bits = [](const window_record& w) { return static_cast<std::size_t>(w.hash >> 56); };
        std::vector<std::array<std::size_t, 256>> chunk_at(chunk_records.size());
        exec.bulk(chunk_records.size(), [&](std::size_t c) {
            chunk_at[c].fill(0);
            for (const auto& w : chunk_records[c]) ++chunk_at[c][top_bits(w)];
        });
        std::array<std::size_t, 257> top{};
        for (std::size_t b = 0, at = 0; b < 256; ++b) {
            top[b] = at;
            for (auto& counts : chunk_at) {
                const std::size_t n = counts[b];
                counts[b] = at;
                at += n;
            }
        }
        top[256] = total;
        // Not touched when allocated: pages are committed as chunks are copied in and freed.
        {
            record_buffer all(total);
            records.swap(all);
        }
        exec.bulk(chunk_records.size(), [&](std::size_t c) {
            for (const auto& w : chunk_records[c]) records[chunk_at[c][top_bits(w)]++] = w;
            std::vector<window_record>().swap(chunk_records[c]);
        });
        std::array<std::size_t, 256> bucket_kept{};
        std::size_t largest_bucket = 0;
        for (std::size_t b = 0; b < 256; ++b) largest_bucket = std::max(largest_bucket, top[b + 1] - top[b]);
        exec.bulk(256, [&](std::size_t b) {
            std::vector<std::uint64_t> seen, twice;
            bucket_kept[b] = keep_repeated(records.all().subspan(top[b], top[b + 1] - top[b]), seen, twice);
        });
        st.peak_bytes = total * sizeof(window_record) +
                        std::min<std::size_t>(256, exec.concurrency()) * bit_table_bytes(largest_bucket);
        for (std::size_t b = 0; b < 256; ++b) {
            const auto from = records.all().subspan(top[b], bucket_kept[b]);
            std::copy(from.begin(), from.end(), records.all().begin() + static_cast<std::ptrdiff_t>(m));
            m += bucket_kept[b];
        }
        records.shrink(m);
    }
    st.repeated_windows = m;

    // 3. Each record's hash becomes its group's key; then the records are scattered into document
    // order (a second block: the arrays of step 4 are larger than both together) and sorted by
    // position inside each document, so the passes below read them in order.
    for (std::size_t i = 0; i < m;) {
        std::size_t j = i + 1;
        while (j < m && records[j].hash == records[i].hash) ++j;
        const std::uint64_t key = key_of(records[i].doc, records[i].pos);
        for (std::size_t x = i; x < j; ++x) records[x].hash = key;
        i = j;
    }
    std::vector<std::size_t> doc_first(texts.size() + 1, 0);
    for (std::size_t i = 0; i < m; ++i) ++doc_first[records[i].doc + 1];
    for (std::size_t d = 0; d < texts.size(); ++d) doc_first[d + 1] += doc_first[d];
    {
        record_buffer by_doc(m);
        std::vector<std::size_t> next(doc_first.begin(), doc_first.end() - 1);
        for (std::size_t i = 0; i < m; ++i) by_doc[next[records[i].doc]++] = records[i];
        records.swap(by_doc);
    }
    std::vector<std::size_t> docs_with;  // documents holding candidates
    for (std::size_t d = 0; d < texts.size(); ++d)
        if (doc_first[d + 1] > doc_first[d]) docs_with.push_back(d);
    const std::size_t doc_tasks = std::min(docs_with.size(), exec.concurrency() * 8);
    struct scratch {
        std::vector<std::pair<std::size_t, std::size_t>> offsets;
        std::vector<std::uint64_t> collided;
    };
    std::vector<scratch> scratches(doc_tasks);
    const auto for_docs_with = [&](auto&& f) {
        exec.bulk(doc_tasks, [&](std::size_t t) {
            for (std::size_t x = t * docs_with.size() / doc_tasks; x < (t + 1) * docs_with.size() / doc_tasks; ++x)
                f(docs_with[x], scratches[t]);
        });
    };
    // The bytes of each candidate window, and (from step 4) the first byte of its kept occurrence.
    std::vector<std::size_t> wbegin(m), wend(m), wkept(m);
    st.peak_bytes = std::max(st.peak_bytes, m * (sizeof(window_record) + 3 * sizeof(std::size_t)) +
                                                2 * (texts.size() + 1) * sizeof(std::size_t));
    for_docs_with([&](std::size_t d, scratch& s) {
        const auto first = records.all().begin() + static_cast<std::ptrdiff_t>(doc_first[d]);
        const auto last = records.all().begin() + static_cast<std::ptrdiff_t>(doc_first[d + 1]);
        std::sort(first, last, [](const window_record& a, const window_record& b) { return a.pos < b.pos; });
        token_offsets(texts[d], s.offsets);
        for (std::size_t i = doc_first[d]; i < doc_first[d + 1]; ++i) {
            wbegin[i] = s.offsets[records[i].pos].first;
            wend[i] = s.offsets[records[i].pos + k - 1].second;
        }
    });
    const auto bytes_of = [&](std::size_t i) {
        return texts[records[i].doc].substr(wbegin[i], wend[i] - wbegin[i]);
    };
    const auto own_key = [&](std::size_t i) { return key_of(records[i].doc, records[i].pos); };
    // The candidate at a key: a first occurrence is a candidate of its document.
    const auto index_of = [&](std::uint64_t key) {
        const auto first = records.all().begin() + static_cast<std::ptrdiff_t>(doc_first[key_doc(key)]);
        const auto last = records.all().begin() + static_cast<std::ptrdiff_t>(doc_first[key_doc(key) + 1]);
        const auto at = std::lower_bound(first, last, key_pos(key),
                                         [](const window_record& w, std::uint32_t pos) { return w.pos < pos; });
        return static_cast<std::size_t>(at - records.all().begin());
    };

    // 4. Confirm byte for byte that each window equals its group's first. Windows at consecutive
    // positions whose firsts sit at consecutive positions of one document form a run: each side's
    // bytes are one range, compared once (with every window's offsets within it), so a passage
    // costs about its own length instead of min_tokens times it. A run that does not match whole
    // falls back to one comparison per window; a window that differs from its first marks its
    // group as holding a hash collision.
    for_docs_with([&](std::size_t d, scratch& s) {
        const std::size_t end = doc_first[d + 1];
        const auto continues = [&](std::size_t prev, std::size_t next) {
            const std::uint64_t a = records[prev].hash, b = records[next].hash;
            return b != own_key(next) && records[next].pos == records[prev].pos + 1 && b == a + 1 &&
                   key_doc(a) == key_doc(b);
        };
        for (std::size_t x = doc_first[d]; x < end;) {
            if (records[x].hash == own_key(x)) {  // a first occurrence
                wkept[x] = wbegin[x];
                ++x;
                continue;
            }
            std::size_t y = x + 1;
            while (y < end && continues(y - 1, y)) ++y;
            // The firsts are candidates at consecutive positions of their document: f .. f + y - x - 1.
            const std::size_t f = index_of(records[x].hash), length = wend[y - 1] - wbegin[x];
            bool whole = wend[f + (y - 1 - x)] - wbegin[f] == length &&
                         texts[d].substr(wbegin[x], length) == texts[records[f].doc].substr(wbegin[f], length);
            for (std::size_t z = x + 1; z < y && whole; ++z) {
                const std::size_t g = f + (z - x);
                whole = wbegin[z] - wbegin[x] == wbegin[g] - wbegin[f] && wend[z] - wbegin[x] == wend[g] - wbegin[f];
            }
            for (std::size_t z = x; z < y; ++z) {
                const std::size_t g = f + (z - x);
                if (whole || bytes_of(z) == bytes_of(g)) wkept[z] = wbegin[g];
                else s.collided.push_back(records[z].hash);
            }
            x = y;
        }
    });
    // A group with a hash collision: its windows sorted by bytes, then document order, give its
    // classes of equal bytes; each class's head is its first, a class of one is no repeat.
    std::vector<std::uint64_t> collided;
    for (auto& s : scratches) {
        collided.insert(collided.end(), s.collided.begin(), s.collided.end());
        std::vector<std::uint64_t>().swap(s.collided);
    }
    std::sort(collided.begin(), collided.end());
    collided.erase(std::unique(collided.begin(), collided.end()), collided.end());
    if (!collided.empty()) {
        std::vector<std::pair<std::uint64_t, std::size_t>> members;  // (key, candidate)
        for (std::size_t i = 0; i < m; ++i)
            if (std::binary_search(collided.begin(), collided.end(), records[i].hash)) members.emplace_back(records[i].hash, i);
        std::sort(members.begin(), members.end());
        std::vector<std::size_t> order;
        for (std::size_t a = 0; a < members.size();) {
            std::size_t b = a + 1;
            while (b < members.size() && members[b].first == members[a].first) ++b;
            order.clear();
            for (std::size_t x = a; x < b; ++x) order.push_back(members[x].second);
            std::sort(order.begin(), order.end(), [&](std::size_t p, std::size_t q) {
                const std::string_view u = bytes_of(p), v = bytes_of(q);
                return u != v ? u < v : p < q;
            });
            for (std::size_t x = 0; x < order.size();) {
                std::size_t y = x + 1;
                while (y < order.size() && bytes_of(order[y]) == bytes_of(order[x])) ++y;
                const std::size_t head = order[x];  // least index of its class: sorted by index within
                for (std::size_t z = x; z < y; ++z) {
                    records[order[z]].hash = y - x > 1 ? own_key(head) : no_key;
                    wkept[order[z]] = wbegin[head];
                }
                x = y;
            }
            a = b;
        }
    }
    for (std::size_t i = 0; i < m; ++i)
        if (records[i].hash != no_key) ++st.confirmed_windows;

    // 5. Spans, per document.
    const bool keep_first = options.remove == remove_rule::copies;
    std::vector<std::vector<removed_span>> per_doc(docs_with.size());
    std::vector<std::size_t> slot_of(texts.size(), 0);
    for (std::size_t x = 0; x < docs_with.size(); ++x) slot_of[docs_with[x]] = x;
    for_docs_with([&](std::size_t d, scratch& sc) {
        auto& offsets = sc.offsets;
        // The removing windows by position, each with the first token it removes: its own first,
        // or, when its kept occurrence overlaps it (a period shorter than the window), the first
        // token after that occurrence, which stays whole.
        std::vector<std::pair<std::size_t, std::size_t>> removing;  // (candidate, first removed token)
        for (std::size_t i = doc_first[d]; i < doc_first[d + 1]; ++i) {
            const std::uint64_t key = records[i].hash;
            if (key == no_key || (keep_first && key == own_key(i))) continue;
            std::size_t from = records[i].pos;
            if (keep_first && key_doc(key) == d && std::size_t{key_pos(key)} + k > from) from = key_pos(key) + k;
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
            return key_doc(records[a].hash) == key_doc(records[b].hash) && wkept[a] + wbegin[b] == wkept[b] + wbegin[a];
        };
        auto& out = per_doc[slot_of[d]];
        bool open = false;
        std::size_t span_begin = 0, span_end = 0, current = none;
        const auto close = [&] {
            removed_span s{d, span_begin, span_end, span_kind::passage, std::nullopt};
            if (keep_first)
                s.kept = text_location{key_doc(records[current].hash), span_begin - wbegin[current] + wkept[current],
                                       span_end - wbegin[current] + wkept[current]};
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
