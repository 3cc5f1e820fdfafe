#pragma once
// The corpus pipeline: every pair of documents whose shingle-set Jaccard similarity (word
// shingles, or character k-grams) is at or above a threshold, their clusters, and the copy of
// each cluster to keep.
//
//   exact duplicates: byte-identical texts, then identical normalized texts, collapse to one
//     "unit" each (128-bit content hash, confirmed by comparison); they are similar with 1
//   normalize -> shingle -> sketch -> band keys, once per unit   (parallel over units)
//   -> LSH buckets                                               (parallel over bands)
//   -> sorted shingle sets of the units in a bucket, under a memory budget (parallel)
//   -> candidates: the signature prefilter, then exact Jaccard by merging two sorted sets
//   -> clusters (greedy or connected) and the keep rule
//
// Work after LSH is bounded by what the output needs, not by the squares of the bucket sizes:
// with pairs asked for, every candidate pair of units is examined once (the output may be that
// large); for clusters alone, a unit is compared only with the kept units of its buckets
// (greedy) or with one member at a time of each other component in its buckets (connected),
// and a pair already joined is never examined.
//
// Every stage writes results by index and merges them in a fixed order, so the result is the
// same, byte for byte, whatever the executor and its thread count.

#include <algorithm>
#include <iterator>
#include <array>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ditto/cluster.hpp>
#include <ditto/concepts.hpp>
#include <ditto/dedup_components.hpp>
#include <ditto/detail/erased.hpp>
#include <ditto/detail/spilled_rows.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/index/prefix_index.hpp>
#include <ditto/index/prefix_split.hpp>
#include <ditto/parallel.hpp>
#include <ditto/prefilter.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/normalizing_shingler.hpp>
#include <ditto/text/text_shingler.hpp>
#include <ditto/text_sketch.hpp>
#include <ditto/text_source.hpp>
#include <ditto/verify.hpp>

namespace ditto::inline v0_1 {

/// Where a running pipeline is: its stage ("exact", "sketch", "candidates", "sets", "pairs" (with
/// a pair_sink), "verify", "cluster") and how many of the stage's items (documents, bands, units) are done.
struct dedup_progress {
    std::string_view stage;
    std::size_t done = 0;
    std::size_t total = 0;
};

/// Two documents (by index, first < second) and their similarity.
struct similar_pair {
    std::size_t first;
    std::size_t second;
    double similarity;
    friend constexpr bool operator==(const similar_pair&, const similar_pair&) = default;
};

/// The pipeline's parameters. validate() says what is wrong with them.
struct dedup_options {
    double threshold = 0.8;            ///< report pairs with Jaccard similarity >= this; in (0, 1]
    std::size_t ngram = 5;             ///< shingle size: words, or code points; in [1, 1024], [1, 64] for characters
    /// What a shingle is: ngram words (the default), or ngram code points of the normalized text
    /// (text/text_shingler.hpp), for short titles, code, OCR or scripts without spaces.
    shingle_kind shingles = shingle_kind::words;
    std::size_t sketch_size = 128;     ///< MinHash slots; in [1, 4096]
    double recall = 0.995;             ///< P(candidate) for a pair at the threshold; in (0, 1)
    lsh_params bands_rows{};           ///< {0, 0}: chosen from threshold and recall; else used as given
    keep_rule keep = keep_rule::first; ///< which copy of a cluster to keep
    /// greedy: every removed copy is similar to its cluster's kept copy; connected: single linkage.
    cluster_rule clustering = cluster_rule::greedy;
    /// Collect the similar pairs (dedup_result::pairs). false: clusters only, which examines
    /// far fewer candidates on corpora with large families of near-copies.
    bool collect_pairs = true;
    bool exact = true;                 ///< verify candidates from the shingle sets; false: signature estimate
    /// The signature prefilter drops a candidate before exact verification when a pair at the
    /// threshold would show as few equal slots with probability at most this; in [0, 0.5]; 0: off.
    /// Two stages share it equally: the LSH signatures (sketch_size slots), then a finer sketch
    /// of prefilter_slots 8-bit slots made for the units that share a bucket.
    double prefilter_miss = 1e-4;
    /// Slots of the finer prefilter sketch; in [0, 4096]; 0: the first stage only. More slots
    /// tell pairs just below the threshold from those at it (the band of doubt narrows as
    /// 1/sqrt(slots)), at 1 byte per slot per unit in a bucket.
    std::size_t prefilter_slots = 512;
    /// LSH buckets of at least this many units are split by prefix filtering before candidates
    /// are examined (exact: no pair at or above the threshold is lost); 0: never, else >= 2. A
    /// family of pages sharing a template, all below the threshold, otherwise costs the square of
    /// its size. Only when exact.
    std::size_t split_buckets = 256;
    /// Bytes of sorted shingle sets kept for verification (8 per shingle); the sets of units
    /// beyond it are recomputed from their texts when needed. The sketch stage keeps the
    /// shingles it makes while they fit in it, so the sets need not be made twice; those of
    /// texts in no LSH bucket are freed once the buckets are known, but the process may keep
    /// that memory, so the peak can be up to this much above what the rest of the pipeline uses.
    std::size_t shingle_memory = std::size_t{1} << 30;
    /// Temporary streams (store/sorted_runs.hpp: temporary_files_in) for the texts' band keys
    /// and prefilter slots, which are then not held: 8 x bands + 2 x sketch_size bytes a
    /// distinct text (400 at the defaults). The keys go to sorted runs of spill_buffer bytes,
    /// merged into the LSH buckets; only the units in a bucket have their slots read back. The
    /// results are the same. Called from several threads at once. Empty (the default): held.
    /// ditto::dedup only (containment_dedup and dedup_against hold their state).
    temporary_streams spill;
    /// With spill: bytes of band records (16 each) sorted in memory before a run is written;
    /// at least 4096. Up to 1 + threads such buffers exist at once.
    std::size_t spill_buffer = std::size_t{64} << 20;
    /// With spill: runs of one size merged into one of the next when there are this many, so
    /// few streams are open at once; at least 2.
    std::size_t spill_fan_in = 64;
    normalize_options normalization{}; ///< how texts are normalized before shingling
    std::uint64_t seed = default_seed; ///< seeds the shingle hashes and the sketcher
    /// Called now and then while the pipeline runs, from one thread at a time (any thread); must
    /// not throw. Empty: no reports.
    std::function<void(const dedup_progress&)> progress;
    /// With collect_pairs: receives the similar pairs instead of dedup_result::pairs, in the same
    /// order and form (sorted by (first, second), compact), a chunk at a time, on the calling
    /// thread. A chunk is the pairs of 64 units (each unit's exact duplicates and its similar
    /// later units), and the pipeline holds 2 x threads chunks at a time: a family of m
    /// near-copies costs 128 x threads x m pairs in memory, not m(m-1)/2. What the sink throws
    /// stops the pipeline and propagates. Clusters are then made as with collect_pairs = false
    /// (a second pass over the buckets, whose candidates the stats count too): what is kept is
    /// the same as when pairs are collected, and so is where a removed copy goes unless large
    /// buckets are split (one may then join another similar kept copy). Empty: the pairs go to
    /// dedup_result::pairs.
    std::function<void(std::span<const similar_pair>)> pair_sink;
    /// Texts whose shingle sets order shingles by rarity for prefix filtering in large buckets.
    /// The order decides no pair, no connected cluster and no kept copy, only which kept copy a
    /// removed one joins under the greedy rule (the one sharing most prefix shingles). Empty
    /// (the default): the run takes its own sample, reported in dedup_result::rarity_sample. A
    /// run over part of a corpus that no LSH bucket crosses (see dedup_result::rarity_sample)
    /// passes the texts of the whole run's sample here, so that its clusters are the whole run's.
    std::vector<std::string> rarity_texts;

    /// Throws std::invalid_argument naming the first option out of range and its valid range.
    void validate() const {
        validate_pipeline();
        validate_lsh();
    }

    /// validate() without the LSH shape (recall, bands_rows), which configures ditto's own
    /// candidate generator only: what dedup checks when given a caller's parts.
    void validate_pipeline() const {
        if (!(threshold > 0.0 && threshold <= 1.0))
            detail::throw_invalid_argument("dedup", "threshold", "in (0, 1]", detail::format_double(threshold));
        if (shingles != shingle_kind::words && shingles != shingle_kind::characters)
            detail::throw_invalid_argument("dedup", "shingles", "words or characters", "another value");
        if (ngram < 1 || ngram > max_shingle_size)
            detail::throw_invalid_argument("dedup", "ngram", "in [1, 1024]", std::to_string(ngram));
        if (shingles == shingle_kind::characters && ngram > max_char_shingle_size)
            detail::throw_invalid_argument("dedup", "ngram", "in [1, 64] for character shingles", std::to_string(ngram));
        if (sketch_size < 1 || sketch_size > 4096)
            detail::throw_invalid_argument("dedup", "sketch_size", "in [1, 4096]", std::to_string(sketch_size));
        if (!(prefilter_miss >= 0.0 && prefilter_miss <= 0.5))
            detail::throw_invalid_argument("dedup", "prefilter_miss", "in [0, 0.5]", detail::format_double(prefilter_miss));
        if (prefilter_slots > 4096)
            detail::throw_invalid_argument("dedup", "prefilter_slots", "in [0, 4096]", std::to_string(prefilter_slots));
        if (split_buckets == 1)
            detail::throw_invalid_argument("dedup", "split_buckets", "0 or at least 2", "1");
        if (spill && spill_buffer < 4096)
            detail::throw_invalid_argument("dedup", "spill_buffer", "at least 4096 with spill", std::to_string(spill_buffer));
        if (spill && spill_fan_in < 2)
            detail::throw_invalid_argument("dedup", "spill_fan_in", "at least 2 with spill", std::to_string(spill_fan_in));
    }

    /// The LSH shape's part of validate().
    void validate_lsh() const {
        if (bands_rows.bands == 0 && bands_rows.rows == 0) {
            if (!(recall > 0.0 && recall < 1.0))
                detail::throw_invalid_argument("dedup", "recall", "in (0, 1)", detail::format_double(recall));
            (void)lsh();  // throws when no LSH shape reaches the recall with these slots
        } else if (bands_rows.bands == 0 || bands_rows.rows == 0 || bands_rows.bands * bands_rows.rows > sketch_size) {
            detail::throw_invalid_argument("dedup", "bands_rows",
                                           "{0, 0} or at least 1 x 1 with bands x rows <= sketch_size (" +
                                               std::to_string(sketch_size) + ")",
                                           std::to_string(bands_rows.bands) + " x " + std::to_string(bands_rows.rows));
        }
    }

    /// The LSH shape the pipeline uses.
    [[nodiscard]] lsh_params lsh() const {
        if (bands_rows.bands != 0) return bands_rows;
        return recall_lsh_params(threshold, sketch_size, recall);
    }
};

/// ditto's own parts, as options configures them: its normalizer, word shingles or character
/// k-grams of the normalized text (text_shingler), the fast MinHash sketcher, banded LSH of
/// options.lsh() and exact Jaccard. Throws std::invalid_argument for invalid options.
[[nodiscard]] inline auto default_components(const dedup_options& options) {
    options.validate();
    return dedup_components{normalizer(options.normalization),
                            text_shingler(options.shingles, options.normalization, options.ngram, options.seed),
                            minhash_sketcher(mix64(options.seed, 0x5ce7c4e5)), lsh_banding(options.lsh()),
                            jaccard_verifier{}};
}

/// The parts default_components makes.
using default_dedup_components = decltype(default_components(std::declval<const dedup_options&>()));

/// What the pipeline did and how long each stage took.
struct dedup_stats {
    std::size_t documents = 0;
    std::size_t bytes = 0;              ///< of text, before normalization
    std::size_t exact_duplicates = 0;   ///< documents whose normalized text an earlier one has
    std::size_t units = 0;              ///< distinct normalized texts
    std::size_t empty_documents = 0;    ///< no shingles: similar only to exact duplicates
    std::size_t shingles = 0;           ///< over all units, repeats included
    lsh_params lsh{};                   ///< the banding; {keys per signature, 0} for a caller's candidate generator
    std::size_t buckets = 0;            ///< LSH buckets of two or more units
    std::size_t largest_bucket = 0;
    std::size_t split_buckets = 0;      ///< large buckets split by prefix filtering (index/prefix_split.hpp)
    std::size_t candidates = 0;         ///< candidate pairs of units examined
    std::size_t prefiltered = 0;        ///< of those, dropped by the signature prefilter
    std::size_t verified = 0;           ///< of those, verified exactly (or estimated, exact = false)
    std::size_t similar_pairs = 0;      ///< pairs listed in dedup_result::pairs
    std::size_t clusters = 0;           ///< singletons included
    std::size_t duplicates = 0;         ///< documents not kept
    std::size_t index_bytes = 0;        ///< peak bytes of band keys and sort records held
    std::size_t spilled_bytes = 0;      ///< bytes of band keys and slots written to dedup_options::spill
    std::size_t set_bytes = 0;          ///< bytes of shingle sets kept for verification
    std::size_t recomputed_sets = 0;    ///< shingle sets recomputed past shingle_memory
    std::size_t threads = 1;
    double seconds_exact = 0;
    double seconds_sketch = 0;
    double seconds_candidates = 0;
    double seconds_sets = 0;
    /// The verify stage: finding the candidates of each unit (for greedy clusters, the kept units
    /// of its buckets; for connected ones, a member of each other component; through a prefix
    /// index in large buckets), judging them, and clustering.
    double seconds_verify = 0;
    /// Of the verify stage: judging candidates, i.e. verification (the signature prefilters, then
    /// exact verification of those they let through), summed over threads.
    double seconds_verification = 0;
    /// Of seconds_verification: exact verification alone (the sets, kept or recomputed, and the
    /// merge), summed over threads.
    double seconds_exact_verification = 0;
    double seconds_total = 0;
};

/// The pipeline's answer.
struct dedup_result {
    /// With collect_pairs: the similar pairs, sorted by (first, second), in compact form: a
    /// document whose normalized text equals an earlier document's (exact_of[i] != i) appears in
    /// one pair only, (exact_of[i], i, 1.0); every other pair it has is its representative's.
    /// expand_pairs() lists every pair.
    std::vector<similar_pair> pairs;
    clustering clusters;              ///< per document: its cluster (kept index) and keep flag
    /// Per document: the lowest index of a document with the same normalized text (itself when
    /// none comes before it).
    std::vector<std::size_t> exact_of;
    /// The documents whose shingle sets ordered shingles by rarity for prefix filtering (see
    /// dedup_options::rarity_texts), ascending: taken evenly (every rarity_sample_step(m)-th,
    /// from the first) from the m texts, in order, that first have their shingle sequence and
    /// are in an LSH bucket holding split_buckets distinct shingle sequences or more before
    /// splitting. Empty when the run needs no order (pairs collected in dedup_result::pairs, not
    /// exact, no split, or no bucket large after the split) or was given one.
    /// Greedy clusters are the only result this sample changes: a run over the documents of a
    /// part of the corpus that shares no LSH bucket with the rest, given these documents' texts
    /// as rarity_texts, gives the whole run's result for them.
    std::vector<std::size_t> rarity_sample;
    dedup_stats stats;
};

/// The rarity sample (dedup_result::rarity_sample) takes every rarity_sample_step(m)-th of the m
/// candidate texts, from the first: about 1024 of them.
[[nodiscard]] constexpr std::size_t rarity_sample_step(std::size_t m) noexcept { return m / 1024 > 1 ? m / 1024 : 1; }

/// Every similar pair of a result in full, sorted by (first, second): the compact pairs with
/// every exact duplicate standing in for its representative too. Its size is the true number of
/// similar pairs, which grows with the square of exact-duplicate groups: use it on small corpora.
[[nodiscard]] inline std::vector<similar_pair> expand_pairs(const dedup_result& r) {
    const std::size_t n = r.exact_of.size();
    std::vector<std::vector<std::size_t>> members(n);
    for (std::size_t i = 0; i < n; ++i) members[r.exact_of[i]].push_back(i);
    std::vector<similar_pair> out;
    for (std::size_t g = 0; g < n; ++g)
        for (std::size_t x = 0; x < members[g].size(); ++x)
            for (std::size_t y = x + 1; y < members[g].size(); ++y) out.push_back({members[g][x], members[g][y], 1.0});
    for (const similar_pair& p : r.pairs) {
        if (r.exact_of[p.second] != p.second) continue;  // an exact-duplicate pair, listed above
        for (const std::size_t a : members[p.first])
            for (const std::size_t b : members[p.second]) out.push_back({std::min(a, b), std::max(a, b), p.similarity});
    }
    std::sort(out.begin(), out.end(), [](const similar_pair& a, const similar_pair& b) {
        return a.first != b.first ? a.first < b.first : a.second < b.second;
    });
    return out;
}

namespace detail {

class stopwatch {
public:
    double lap() {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        return s;
    }

private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// The shingle sets of the last few units a task needed that are not kept in memory.
class recent_sets {
public:
    /// The set of unit, made by make(unit, set) unless held; never evicts the set of `keep`.
    template <class Make>
    std::span<const std::uint64_t> get(std::uint32_t unit, Make& make, std::uint32_t keep) {
        for (auto& s : slots_)
            if (s.unit == unit) return s.set;
        if (slots_[next_].unit == keep) next_ = (next_ + 1) % slots_.size();
        auto& s = slots_[next_];
        next_ = (next_ + 1) % slots_.size();
        s.unit = unit;
        make(unit, s.set);
        ++made;
        return s.set;
    }
    std::size_t made = 0;

private:
    struct slot {
        std::uint32_t unit = std::numeric_limits<std::uint32_t>::max();
        std::vector<std::uint64_t> set;
    };
    std::array<slot, 8> slots_{};
    std::size_t next_ = 0;
};

// Reports progress without making workers wait for each other: a worker that finds the
// callback busy skips its report.
class progress_reporter {
public:
    explicit progress_reporter(const std::function<void(const dedup_progress&)>& callback) : callback_(callback) {}

    void start(std::string_view stage, std::size_t total) {
        stage_ = stage;
        total_ = total;
        done_.store(0);
        if (callback_) callback_(dedup_progress{stage_, 0, total_});
    }
    void advance(std::size_t n) {
        if (!callback_) return;
        const std::size_t done = done_.fetch_add(n) + n;
        std::unique_lock lock(mutex_, std::try_to_lock);
        if (lock) callback_(dedup_progress{stage_, done, total_});
    }

private:
    const std::function<void(const dedup_progress&)>& callback_;
    std::mutex mutex_;
    std::atomic<std::size_t> done_{0};
    std::string_view stage_;
    std::size_t total_ = 0;
};

inline constexpr std::size_t documents_per_task = 256;
inline constexpr std::size_t units_per_task = 64;
// Units in a bucket of at least this many get the fine prefilter sketch.
inline constexpr std::size_t fine_sketch_bucket = 16;

// Runs f(first, last) over [0, n) in chunks of `chunk` on exec.
template <executor E, class F>
void for_chunks(E& exec, std::size_t n, std::size_t chunk, F&& f) {
    exec.bulk((n + chunk - 1) / chunk, [&](std::size_t task) {
        const std::size_t first = task * chunk;
        f(first, std::min(n, first + chunk));
    });
}

// Text i of an accessor called as text(i) or text(i, buffer) (a text_source's way: the text may
// be placed in buffer).
template <class Text>
[[nodiscard]] std::string_view fetch_text(const Text& text, std::size_t i, std::string& buffer) {
    if constexpr (std::is_invocable_v<const Text&, std::size_t, std::string&>) return text(i, buffer);
    else return text(i);
}

// The texts of a random-access range of documents as the pipelines take them: text(i, buffer),
// a view into document i (buffer unused).
template <std::ranges::random_access_range R>
[[nodiscard]] auto range_texts(const R& documents) {
    return [begin = std::ranges::begin(documents)](std::size_t i, std::string&) -> std::string_view {
        return ditto::text_of(begin[static_cast<std::ptrdiff_t>(i)]);
    };
}

// Byte-identical texts: first[i] is the first of the n documents with text(i)'s bytes (128-bit
// hashes; each claim confirmed by comparing the bytes, so a collision leaves the document
// alone). text is called as fetch_text calls it. advance(k) is told of k more documents done,
// from any thread.
// hash_of(i, buffer): hash128 of document i's text, computed (fetched into buffer) or known.
template <executor E, class Text, class Advance, class HashOf>
[[nodiscard]] std::vector<std::uint32_t> first_same_bytes(E& exec, std::size_t n, Text text, Advance advance, HashOf hash_of) {
    std::vector<content_hash> raw_hash(n);
    for_chunks(exec, n, documents_per_task, [&](std::size_t from, std::size_t to) {
        std::string buffer;
        for (std::size_t i = from; i < to; ++i) raw_hash[i] = hash_of(i, buffer);
    });
    std::vector<std::uint32_t> first = first_with_same_hash(raw_hash);
    std::vector<content_hash>().swap(raw_hash);
    for_chunks(exec, n, documents_per_task, [&](std::size_t from, std::size_t to) {
        std::string mine, theirs;
        for (std::size_t i = from; i < to; ++i)
            if (first[i] != i && fetch_text(text, i, mine) != fetch_text(text, first[i], theirs))
                first[i] = static_cast<std::uint32_t>(i);  // a collision
        advance(to - from);
    });
    return first;
}

template <executor E, class Text, class Advance>
[[nodiscard]] std::vector<std::uint32_t> first_same_bytes(E& exec, std::size_t n, Text text, Advance advance) {
    return first_same_bytes(exec, n, text, std::move(advance),
                            [&](std::size_t i, std::string& buffer) { return hash128(fetch_text(text, i, buffer)); });
}

// Identical normalized texts among distinct texts: first[d] is the first distinct text with d's
// shingle sequence and d's normalized text. Equal normalized texts have equal shingle sequences,
// so only texts whose sequence hash (sequence_hash[d], freed here) another text has are
// normalized and hashed; claims are confirmed by comparing the normalized texts (a task
// remembers the last representative it normalized, as groups are usually met together).
// normalize_text(d, out) puts distinct text d's normalized text into out, from any thread.
// first_sequence_out, when given, receives each text's first distinct text with its sequence hash.
template <executor E, class NormalizeText>
[[nodiscard]] std::vector<std::uint32_t> first_same_normalized(E& exec, std::vector<content_hash>& sequence_hash,
                                                              NormalizeText normalize_text,
                                                              std::vector<std::uint32_t>* first_sequence_out = nullptr) {
    using u32 = std::uint32_t;
    const std::size_t count = sequence_hash.size();
    std::vector<u32> first(count);
    {
        std::vector<u32> first_sequence = first_with_same_hash(sequence_hash);
        std::vector<content_hash>().swap(sequence_hash);
        std::vector<std::uint8_t> shared(count, 0);
        for (std::size_t d = 0; d < count; ++d)
            if (first_sequence[d] != d) shared[d] = shared[first_sequence[d]] = 1;
        std::vector<u32> grouped;  // ascending
        for (std::size_t d = 0; d < count; ++d)
            if (shared[d]) grouped.push_back(static_cast<u32>(d));
        std::vector<content_hash> norm_hash(grouped.size());
        for_chunks(exec, grouped.size(), documents_per_task, [&](std::size_t from, std::size_t to) {
            std::string normalized;
            for (std::size_t g = from; g < to; ++g) {
                normalize_text(grouped[g], normalized);
                norm_hash[g] = hash128(normalized);
            }
        });
        const std::vector<u32> first_grouped = first_with_same_hash(norm_hash);
        for (std::size_t d = 0; d < count; ++d) first[d] = static_cast<u32>(d);
        for (std::size_t g = 0; g < grouped.size(); ++g) first[grouped[g]] = grouped[first_grouped[g]];
        if (first_sequence_out) *first_sequence_out = std::move(first_sequence);
    }
    for_chunks(exec, count, documents_per_task, [&](std::size_t from, std::size_t to) {
        confirm_same_content(first, from, to, normalize_text);
    });
    return first;
}

// A 16-bit slot for the prefilter from a 32-bit one: a hash, so the 16 bits are uniform.
[[nodiscard]] inline std::uint16_t prefilter_slot(std::uint32_t slot) noexcept {
    return static_cast<std::uint16_t>(mix64(slot, 0x243f6a8885a308d3ULL) >> 48);
}

// An 8-bit slot of the finer prefilter sketch from a 32-bit one (a hash: uniform bits).
[[nodiscard]] inline std::uint8_t prefilter_slot8(std::uint32_t slot) noexcept {
    return static_cast<std::uint8_t>(mix64(slot, 0x13198a2e03707344ULL) >> 56);
}

// Equal slots of two sketches of k slots of 8 or 16 bits, 8 bytes at a time: the lanes of a ^ b
// that are zero get their high bit set (no carry crosses a lane); those bits, moved to each
// lane's low bit, add up lane-wise, and the lanes are summed now and then (no popcount, which
// would be a library call without a -m flag).
template <class V>
[[nodiscard]] inline std::size_t equal_slots(const V* a, const V* b, std::size_t k) noexcept {
    static_assert(sizeof(V) == 1 || sizeof(V) == 2);
    constexpr std::uint64_t high = sizeof(V) == 1 ? 0x8080808080808080ULL : 0x8000800080008000ULL;
    constexpr unsigned lane_bits = 8 * sizeof(V);
    constexpr std::size_t per_word = 8 / sizeof(V);
    constexpr std::size_t words_per_flush = sizeof(V) == 1 ? 255 : 65535;  // a lane counts to that
    std::size_t equal = 0, s = 0;
    auto lane_sum = [](std::uint64_t lanes) -> std::size_t {
        if constexpr (sizeof(V) == 1) lanes = (lanes & 0x00ff00ff00ff00ffULL) + ((lanes >> 8) & 0x00ff00ff00ff00ffULL);
        lanes = (lanes & 0x0000ffff0000ffffULL) + ((lanes >> 16) & 0x0000ffff0000ffffULL);
        return static_cast<std::size_t>((lanes & 0xffffffffULL) + (lanes >> 32));
    };
    while (s + per_word <= k) {
        std::uint64_t lanes = 0;
        for (std::size_t w = 0; w < words_per_flush && s + per_word <= k; ++w, s += per_word) {
            std::uint64_t x, y;
            std::memcpy(&x, a + s, 8);
            std::memcpy(&y, b + s, 8);
            const std::uint64_t d = x ^ y;
            lanes += (~((d & ~high) + ~high) & ~d & high) >> (lane_bits - 1);
        }
        equal += lane_sum(lanes);
    }
    for (; s < k; ++s) equal += static_cast<std::size_t>(a[s] == b[s]);
    return equal;
}

}  // namespace detail

namespace detail {
// One text's part of the pipeline's sketch stage: its shingle hashes (left in hashes), their
// sequence hash, and, when it has shingles, its band keys (key_row, bands of them, starting at
// zero) and 16-bit prefilter slots (slot_row, slots.size() of them). slots: scratch of
// sketch_size. The same for dedup and for text_sketcher, so their sketches are the same.
template <class Parts>
content_hash sketch_one_text(const Parts& parts, std::string_view text, std::vector<std::uint64_t>& hashes,
                             std::span<std::uint32_t> slots, std::uint64_t* key_row, std::size_t bands,
                             std::uint16_t* slot_row) {
    hashes.clear();
    if constexpr (requires { parts.shingler.append_to(text, hashes); }) {
        parts.shingler.append_to(text, hashes);  // the library's shinglers: a faster way to the same
    } else {
        parts.shingler(text, [&](std::uint64_t h) { hashes.push_back(h); });
    }
    const content_hash sequence =
        hash128(std::string_view(reinterpret_cast<const char*>(hashes.data()), hashes.size() * sizeof(std::uint64_t)));
    if (hashes.empty()) return sequence;
    parts.sketcher.fill(std::span<const std::uint64_t>(hashes), slots);
    parts.candidates.keys(std::span<const std::uint32_t>(slots), std::span<std::uint64_t>(key_row, bands));
    for (std::size_t s = 0; s < slots.size(); ++s) slot_row[s] = prefilter_slot(slots[s]);
    return sequence;
}

// The candidate generator's banding, checked against sketch_size k for `who`: at least one key
// per signature, and ditto's LSH banding within k slots. lsh_params{keys, 0} for another kind
// of generator.
template <class Candidates>
lsh_params checked_banding(const char* who, const Candidates& candidates, std::size_t k) {
    const std::size_t keys = candidates.key_count();
    if (keys == 0) throw_invalid_argument(who, "components.candidates", "at least 1 key per signature", "0");
    if constexpr (requires { { candidates.params() } -> std::convertible_to<lsh_params>; }) {
        const lsh_params p = candidates.params();
        if (p.bands * p.rows > k)
            throw_invalid_argument(who, "components.candidates", "a banding within sketch_size (" + std::to_string(k) + ") slots",
                                   std::to_string(p.bands) + " x " + std::to_string(p.rows));
        return p;
    } else {
        return lsh_params{keys, 0};
    }
}

// The pipeline without precomputed sketches.
struct no_sketches {};

// The pipeline over n texts, text(i) or text(i, buffer) as fetch_text calls it. With a
// sketch_source, each text's hashes, keys and slots are taken from it instead of computed.
template <class Text, executor E, class Better, text_normalizer Normalizer, document_shingler Shingler,
          sketcher Sketcher, candidate_keyer Candidates, pair_verifier Verifier, class Sketches = no_sketches>
[[nodiscard]] dedup_result dedup_texts(const std::size_t n, const Text& text_at, const dedup_options& options, E& exec,
                                       Better better,
                                       const dedup_components<Normalizer, Shingler, Sketcher, Candidates, Verifier>& parts,
                                       const Sketches* sketches = nullptr) {
    constexpr bool sketched = !std::is_same_v<Sketches, no_sketches>;
    if constexpr (sketched) {
        if (static_cast<std::size_t>(sketches->size()) != n)
            detail::throw_invalid_argument("dedup_sketched", "sketches", std::to_string(n) + " sketches, one per text",
                                           std::to_string(sketches->size()));
    }
    options.validate_pipeline();
    using u32 = std::uint32_t;
    if (n > std::numeric_limits<u32>::max() - 1)
        detail::throw_invalid_argument("dedup", "documents", "at most 4294967294", std::to_string(n));
    detail::stopwatch clock, total;
    dedup_result result;
    dedup_stats& stats = result.stats;
    stats.documents = n;
    stats.threads = exec.concurrency();
    const std::size_t k = options.sketch_size, bands = parts.candidates.key_count();
    stats.lsh = detail::checked_banding("dedup", parts.candidates, k);
    auto text = [&](std::size_t i, std::string& buffer) { return detail::fetch_text(text_at, i, buffer); };
    const Normalizer& normalize = parts.normalizer;
    const Shingler& shingle_raw = parts.shingler;  // from the raw text: it normalizes as it needs
    detail::progress_reporter progress(options.progress);

    // Stage 1: byte-identical texts. first_raw[i]: the first document with i's bytes.
    progress.start("exact", n);
    const auto advance = [&](std::size_t done) { progress.advance(done); };
    std::vector<u32> first_raw;
    if constexpr (sketched) {
        // Each text is checked against its sketch: one sketched from other bytes (another
        // version of the input, another record) would give a wrong answer, not an error.
        first_raw = detail::first_same_bytes(exec, n, text, advance, [&](std::size_t i, std::string& buffer) {
            text_sketch s;
            sketches->sketch(i, s);
            if (hash128(text(i, buffer)) != s.bytes)
                detail::throw_invalid_argument("dedup_sketched", "sketches", "the sketch of each text",
                                               "for document " + std::to_string(i) + " a sketch of other bytes");
            return s.bytes;
        });
    } else {
        first_raw = detail::first_same_bytes(exec, n, text, advance);
    }
    std::vector<u32> distinct;  // the first document of each distinct byte string, ascending
    for (std::size_t i = 0; i < n; ++i)
        if (first_raw[i] == i) distinct.push_back(static_cast<u32>(i));
    const std::size_t d_count = distinct.size();
    stats.seconds_exact = clock.lap();

    // Stage 2: per distinct text: normalized-text hash, shingle count, band keys, prefilter slots;
    // and its shingles, while they fit in the budget for sets (which texts keep them depends on
    // the tasks' timing; only work, not results, depends on it).
    const std::size_t budget = options.shingle_memory / sizeof(std::uint64_t);
    const bool keep_early = options.exact && budget > 0;
    std::vector<std::vector<std::uint64_t>> early_shingles(keep_early ? d_count : 0);
    std::atomic<std::size_t> early_used{0};
    // The hash of each text's shingle sequence: equal normalized texts have equal sequences, so
    // only texts whose sequence another text has need normalizing to tell them apart.
    std::vector<content_hash> sequence_hash(d_count);
    // Band keys and prefilter slots: held, row d for distinct text d, or spilled.
    const bool spill = static_cast<bool>(options.spill);
    std::optional<detail::spilled_rows> spilled;
    if (spill && bands > std::numeric_limits<u32>::max())
        detail::throw_invalid_argument("dedup", "components.candidates", "at most 2^32 - 1 keys per signature with spill",
                                       std::to_string(bands));
    if (spill)
        spilled.emplace(options.spill, options.spill_buffer, options.spill_fan_in, k, bands, d_count,
                        detail::documents_per_task);
    std::vector<std::uint64_t> keys(spill ? 0 : d_count * bands);
    std::vector<std::uint16_t> slots16(spill ? 0 : d_count * k);
    std::vector<u32> shingle_count(d_count);
    // Sketched texts whose sketches came without prefilter slots: made in stage 4 for the units
    // in a bucket, the only ones ever judged.
    std::vector<std::uint8_t> slots_later(sketched ? d_count : 0, 0);
    struct task_counts {
        std::size_t bytes = 0, shingles = 0;
    };
    std::vector<task_counts> counts((d_count + detail::documents_per_task - 1) / detail::documents_per_task);
    progress.start("sketch", d_count);
    detail::for_chunks(exec, d_count, detail::documents_per_task, [&](std::size_t first, std::size_t last) {
        std::vector<std::uint64_t> hashes;
        std::vector<std::uint32_t> slots(k);
        std::string buffer;
        auto& c = counts[first / detail::documents_per_task];
        std::vector<std::uint64_t> row_keys(spill ? bands : 0);
        std::vector<band_record> records;  // spilled: this task's band keys
        std::vector<std::uint16_t> task_slots(spill ? (last - first) * k : 0);  // spilled: its rows, zero when empty
        if (spill && spilled->failed()) return;  // the stage fails: no more rows
        [[maybe_unused]] text_sketch given;
        for (std::size_t d = first; d < last; ++d) {
            std::uint64_t* key_row = spill ? row_keys.data() : keys.data() + d * bands;
            if (spill) std::fill(row_keys.begin(), row_keys.end(), 0);  // as the held rows start
            std::uint16_t* slot_row = spill ? task_slots.data() + (d - first) * k : slots16.data() + d * k;
            if constexpr (sketched) {
                sketches->sketch(distinct[d], given);
                if (given.shingles > 0 && (given.keys.size() != bands || (given.slots.size() != k && !given.slots.empty())))
                    detail::throw_invalid_argument("dedup_sketched", "sketches",
                                                   std::to_string(bands) + " band keys and " + std::to_string(k) +
                                                       " slots (or none) for a text with shingles",
                                                   std::to_string(given.keys.size()) + " and " + std::to_string(given.slots.size()) +
                                                       " for document " + std::to_string(distinct[d]));
                c.bytes += given.length;
                sequence_hash[d] = given.sequence;
                shingle_count[d] = given.shingles;
                c.shingles += given.shingles;
                if (given.shingles == 0) continue;
                std::copy(given.keys.begin(), given.keys.end(), key_row);
                std::copy(given.slots.begin(), given.slots.end(), slot_row);
                if (given.slots.empty()) slots_later[d] = 1;  // made with its shingle set (stage 4)
            } else {
                const std::string_view t = text(distinct[d], buffer);
                c.bytes += t.size();
                sequence_hash[d] = detail::sketch_one_text(parts, t, hashes, std::span<std::uint32_t>(slots), key_row, bands, slot_row);
                shingle_count[d] = static_cast<u32>(std::min<std::size_t>(hashes.size(), std::numeric_limits<u32>::max()));
                c.shingles += hashes.size();
                if (hashes.empty()) continue;
                if (keep_early) {  // reserve room in the budget, then keep them
                    std::size_t used = early_used.load(std::memory_order_relaxed);
                    while (used + hashes.size() <= budget &&
                           !early_used.compare_exchange_weak(used, used + hashes.size(), std::memory_order_relaxed)) {
                    }
                    if (used + hashes.size() <= budget) early_shingles[d] = hashes;
                }
            }
            if (spill)
                for (std::size_t b = 0; b < bands; ++b)
                    records.push_back(band_record{key_row[b], static_cast<u32>(b), static_cast<u32>(d)});
        }
        if (spill) spilled->add(first, records, task_slots);
        progress.advance(last - first);
    });
    for (const auto& c : counts) {
        stats.bytes += c.bytes;
        stats.shingles += c.shingles;
    }
    // Identical normalized texts, among the texts that share their shingle sequence with another.
    // The rarity sample (stage 4b) needs to know which texts first have their shingle sequence.
    const bool take_sample = options.exact && options.split_buckets >= 2 &&
                             !(options.collect_pairs && !options.pair_sink) && options.rarity_texts.empty();
    std::vector<u32> first_sequence;
    std::vector<u32> first_norm = detail::first_same_normalized(
        exec, sequence_hash,
        [&](std::size_t d, std::string& out) {
            std::string buffer;  // allocates only when the text is fetched into it
            normalize.normalize(text(distinct[d], buffer), out);
        },
        take_sample ? &first_sequence : nullptr);
    stats.seconds_sketch = clock.lap();

    // Units: distinct normalized texts, numbered in the order of their first documents.
    std::vector<u32> unit_of_distinct(d_count);
    std::vector<u32> unit_doc;  // the first document of each unit
    std::vector<u32> unit_count_shingles;
    std::vector<std::uint8_t> unit_slots_later;  // sketched: the unit's first text's slots_later
    // A unit's sorted shingle set when kept (stored[u]), else empty; until stage 4, the shingles
    // the sketch stage kept, if any.
    std::vector<std::vector<std::uint64_t>> unit_set;
    if (keep_early) unit_set.reserve(d_count);
    // Spilled: the unit whose rows distinct text d's are, when d is its unit's first text and
    // has shingles; else none.
    std::vector<u32> unit_of_row(spill ? d_count : 0, detail::spilled_rows::none);
    std::size_t units = 0;
    for (std::size_t d = 0; d < d_count; ++d) {
        if (first_norm[d] != d) {
            unit_of_distinct[d] = unit_of_distinct[first_norm[d]];
            if (keep_early) std::vector<std::uint64_t>().swap(early_shingles[d]);
            continue;
        }
        if (keep_early) unit_set.push_back(std::move(early_shingles[d]));
        unit_of_distinct[d] = static_cast<u32>(units);
        if (spill) {
            if (shingle_count[d] > 0) unit_of_row[d] = static_cast<u32>(units);
        } else if (units != d) {  // compact the unit's rows in place (units <= d)
            std::copy_n(keys.begin() + static_cast<std::ptrdiff_t>(d * bands), bands,
                        keys.begin() + static_cast<std::ptrdiff_t>(units * bands));
            std::copy_n(slots16.begin() + static_cast<std::ptrdiff_t>(d * k), k,
                        slots16.begin() + static_cast<std::ptrdiff_t>(units * k));
        }
        unit_doc.push_back(distinct[d]);
        unit_count_shingles.push_back(shingle_count[d]);
        if constexpr (sketched) unit_slots_later.push_back(slots_later[d]);
        ++units;
    }
    // Whether a unit is the first with its shingle sequence (units whose normalized texts differ
    // only where tokens do not reach, such as punctuation, share it).
    std::vector<std::uint8_t> sequence_first(take_sample ? units : 0, 0);
    if (take_sample)
        for (std::size_t d = 0; d < d_count; ++d)
            if (first_norm[d] == d) sequence_first[unit_of_distinct[d]] = unit_of_distinct[first_sequence[d]] == unit_of_distinct[d];
    std::vector<u32>().swap(first_sequence);
    std::vector<u32>().swap(first_norm);
    std::vector<u32>().swap(shingle_count);
    std::vector<std::uint8_t>().swap(slots_later);
    std::vector<std::vector<std::uint64_t>>().swap(early_shingles);
    if (options.exact) unit_set.resize(units);
    if (!spill) {
        keys.resize(units * bands);
        slots16.resize(units * k);
        slots16.shrink_to_fit();
    }
    std::vector<u32> unit_of_doc(n);
    {
        std::vector<u32> ordinal(n, 0);
        for (std::size_t d = 0; d < d_count; ++d) ordinal[distinct[d]] = static_cast<u32>(d);
        for (std::size_t i = 0; i < n; ++i) unit_of_doc[i] = unit_of_distinct[ordinal[first_raw[i]]];
    }
    std::vector<u32>().swap(first_raw);
    std::vector<u32>().swap(distinct);
    std::vector<u32>().swap(unit_of_distinct);
    stats.units = units;
    stats.exact_duplicates = n - units;
    result.exact_of.resize(n);
    for (std::size_t i = 0; i < n; ++i) result.exact_of[i] = unit_doc[unit_of_doc[i]];
    for (std::size_t i = 0; i < n; ++i)
        if (unit_count_shingles[unit_of_doc[i]] == 0) ++stats.empty_documents;

    // Stage 3: LSH buckets over the units with shingles.
    progress.start("candidates", bands);
    lsh_buckets buckets;
    // Spilled: the row of unit u's prefilter slots in slots16 when it is in a bucket (the only
    // units ever judged).
    std::vector<u32> slot_row;
    if (spill) {
        buckets = spilled->buckets(std::span<const u32>(unit_of_row), units, bands, [&] { progress.advance(1); });
        slot_row.assign(units, detail::spilled_rows::none);
        std::size_t bucketed_units = 0;
        for (std::size_t u = 0; u < units; ++u)
            if (!buckets.of(u).empty()) slot_row[u] = static_cast<u32>(bucketed_units++);
        slots16.resize(bucketed_units * k);
        spilled->read_slots([&](std::size_t d) -> std::uint16_t* {
            const u32 u = unit_of_row[d];
            if (u == detail::spilled_rows::none || slot_row[u] == detail::spilled_rows::none) return nullptr;
            return slots16.data() + std::size_t{slot_row[u]} * k;
        });
        stats.spilled_bytes = spilled->bytes_written();
        stats.index_bytes = std::min(options.spill_buffer, d_count * bands * sizeof(band_record)) * (1 + exec.concurrency());
        spilled.reset();
        std::vector<u32>().swap(unit_of_row);
    } else {
        std::vector<u32> rows;
        rows.reserve(units);
        for (std::size_t u = 0; u < units; ++u) {
            if (unit_count_shingles[u] == 0) continue;
            if (rows.size() != u)
                std::copy_n(keys.begin() + static_cast<std::ptrdiff_t>(u * bands), bands,
                            keys.begin() + static_cast<std::ptrdiff_t>(rows.size() * bands));
            rows.push_back(static_cast<u32>(u));
        }
        keys.resize(rows.size() * bands);
        stats.index_bytes = keys.size() * sizeof(std::uint64_t) + rows.size() * sizeof(u32) +
                            std::min(bands, exec.concurrency()) * rows.size() * 16;
        buckets = batch_buckets(std::span<const std::uint64_t>(keys), bands, std::span<const u32>(rows), units, exec,
                                [&] { progress.advance(1); });
        std::vector<std::uint64_t>().swap(keys);
        std::vector<u32>().swap(rows);
    }
    stats.buckets = buckets.bucket_count();
    stats.largest_bucket = buckets.largest();
    stats.index_bytes = std::max(stats.index_bytes, buckets.members.size() * 8 + buckets.start.size() * 8 +
                                                        buckets.document_start.size() * 8);
    stats.seconds_candidates = clock.lap();

    // Stage 4: sorted shingle sets of the units in a bucket, in unit order while the budget lasts.
    std::vector<std::uint8_t> stored(units, 0);
    std::vector<u32> to_store;
    {
        std::size_t used = 0;
        for (std::size_t u = 0; u < units; ++u) {
            if (options.exact && !buckets.of(u).empty() && used + unit_count_shingles[u] <= budget) {
                stored[u] = 1;
                used += unit_count_shingles[u];
                to_store.push_back(static_cast<u32>(u));
            }
        }
        stats.set_bytes = used * sizeof(std::uint64_t);
    }
    // The finer prefilter sketches, for every unit in a bucket (their sets are made here anyway,
    // kept or not).
    const std::size_t k2 = options.exact ? options.prefilter_slots : 0;
    std::vector<u32> bucketed;
    std::vector<u32> fine_index(k2 ? units : 0, 0);
    // Only units in a large bucket get one: small buckets make few candidates, which the first
    // stage and verification handle at less cost than sketching.
    std::vector<std::uint8_t> has_fine(k2 ? units : 0, 0);
    if (k2)
        for (std::size_t u = 0; u < units; ++u) {
            for (const u32 b : buckets.of(u))
                if (buckets.bucket(b).size() >= detail::fine_sketch_bucket) has_fine[u] = 1;
            if (!has_fine[u]) continue;
            fine_index[u] = static_cast<u32>(bucketed.size());
            bucketed.push_back(static_cast<u32>(u));
        }
    // Kept shingles no longer needed: neither a stored set nor a fine sketch will be made of them.
    if (options.exact)
        for (std::size_t u = 0; u < units; ++u)
            if (!stored[u] && !(k2 && has_fine[u])) std::vector<std::uint64_t>().swap(unit_set[u]);
    std::vector<std::uint8_t> fine(bucketed.size() * k2);
    const minhash_sketcher fine_sketcher(mix64(options.seed, 0xf17e));
    // The units to prepare: those whose set is kept, and those that get a fine sketch (both
    // ascending, merged).
    std::vector<u32> prepare;
    std::set_union(to_store.begin(), to_store.end(), bucketed.begin(), bucketed.end(), std::back_inserter(prepare));
    if constexpr (sketched) {  // and those in a bucket whose prefilter slots are still to be made
        std::vector<u32> later;
        for (std::size_t u = 0; u < units; ++u)
            if (unit_slots_later[u] && !buckets.of(u).empty()) later.push_back(static_cast<u32>(u));
        if (!later.empty()) {
            std::vector<u32> both;
            std::set_union(prepare.begin(), prepare.end(), later.begin(), later.end(), std::back_inserter(both));
            prepare.swap(both);
        }
    }
    progress.start("sets", prepare.size());
    // A unit's shingles in text order, made from its text.
    auto shingle_unit = [&](u32 u, std::vector<std::uint64_t>& out) {
        out.clear();
        std::string buffer;  // allocates only when the text is fetched into it
        shingle_raw(text(unit_doc[u], buffer), [&](std::uint64_t h) { out.push_back(h); });
    };
    // A unit's sorted shingle set, made from its text.
    auto make_unit_set = [&](u32 u, std::vector<std::uint64_t>& set) {
        shingle_unit(u, set);
        make_set(set);
    };
    detail::for_chunks(exec, prepare.size(), detail::units_per_task, [&](std::size_t first, std::size_t last) {
        std::vector<std::uint64_t> set;
        std::vector<std::uint32_t> slots(k2);
        [[maybe_unused]] std::vector<std::uint32_t> signature(sketched ? k : 0);
        for (std::size_t t = first; t < last; ++t) {
            const u32 u = prepare[t];
            // The unit's set: its kept one (stored) or this task's scratch.
            std::vector<std::uint64_t>* made = nullptr;
            if constexpr (sketched) {
                if (unit_slots_later[u]) {
                    // The prefilter slots from the shingles in text order, as the sketch stage
                    // makes them, then the set from the same shingles.
                    made = stored[u] ? &unit_set[u] : &set;
                    shingle_unit(u, *made);
                    parts.sketcher.fill(std::span<const std::uint64_t>(*made), std::span<std::uint32_t>(signature));
                    std::uint16_t* row = slots16.data() + (spill ? std::size_t{slot_row[u]} : std::size_t{u}) * k;
                    for (std::size_t x = 0; x < k; ++x) row[x] = detail::prefilter_slot(signature[x]);
                    make_set(*made);
                }
            }
            if (!made) {
                std::vector<std::uint64_t>& mine = unit_set[u];
                if (!mine.empty()) make_set(mine);  // the sketch stage's shingles
                else if (stored[u]) make_unit_set(u, mine);
                else make_unit_set(u, set);
                made = mine.empty() ? &set : &mine;
            }
            if (k2 && has_fine[u]) {
                fine_sketcher.fill(std::span<const std::uint64_t>(*made), std::span<std::uint32_t>(slots));
                std::uint8_t* out = fine.data() + std::size_t{fine_index[u]} * k2;
                for (std::size_t x = 0; x < k2; ++x) out[x] = detail::prefilter_slot8(slots[x]);
            }
            if (!stored[u] && made != &set) std::vector<std::uint64_t>().swap(*made);
        }
        progress.advance(last - first);
    });
    std::vector<u32>().swap(bucketed);
    std::vector<u32>().swap(to_store);
    // Stage 4b: large buckets split by prefix filtering (index/prefix_split.hpp): exact, and a
    // family of pages sharing a template, all below the threshold, no longer costs the square of
    // its size.
    // Where the rarity sample comes from: the first units of their shingle sequences in a bucket
    // holding split_buckets distinct sequences or more before the split. So it follows from the
    // texts' sequence hashes and band keys alone (what the sketch files hold), not from how the
    // buckets split or how normalized texts differ beyond their tokens.
    std::vector<u32> large_units;
    if (take_sample) {
        std::vector<std::uint8_t> large(units, 0);
        for (std::size_t b = 0; b < buckets.bucket_count(); ++b) {
            const auto members = buckets.bucket(b);
            if (members.size() < options.split_buckets) continue;
            std::size_t sequences = 0;
            for (const u32 u : members) sequences += sequence_first[u];
            if (sequences < options.split_buckets) continue;
            for (const u32 u : members) large[u] |= sequence_first[u];
        }
        for (std::size_t u = 0; u < units; ++u)
            if (large[u]) large_units.push_back(static_cast<u32>(u));
    }
    std::vector<std::uint8_t>().swap(sequence_first);
    if (options.exact && options.split_buckets >= 2) {
        const auto split = split_large_buckets(buckets, units, options.split_buckets, options.threshold, exec,
                                               [&](u32 u, std::vector<std::uint64_t>& scratch) {
                                                   if (stored[u]) return std::span<const std::uint64_t>(unit_set[u]);
                                                   make_unit_set(u, scratch);
                                                   return std::span<const std::uint64_t>(scratch);
                                               });
        stats.split_buckets = split.split;
    }
    stats.seconds_sets = clock.lap();

    // Stage 5: candidates. judge(u, v) is the similarity when it reaches the threshold (any value
    // with exact = false), else negative: dropped by the prefilter or below the threshold.
    const double stage_miss = k2 ? options.prefilter_miss / 2 : options.prefilter_miss;
    const std::size_t min_matches = options.exact ? prefilter_min_matches(options.threshold, k, stage_miss) : 0;
    const std::size_t min_fine_matches = k2 ? prefilter_min_matches(options.threshold, k2, stage_miss) : 0;
    const double threshold = options.threshold;
    struct judge_counts {
        std::size_t candidates = 0, prefiltered = 0, verified = 0, recomputed = 0;
        double seconds_judging = 0, seconds_exact = 0;
    };
    struct judge_state {
        detail::recent_sets recent;
        judge_counts counts;
    };
    // judge(u, v): the similarity of a candidate pair when it reaches the threshold, else
    // negative: dropped by the prefilter (the LSH signatures' equal slots, then the fine sketch's)
    // or below the threshold once verified. Counted. Without exact verification the signatures'
    // estimate is the similarity.
    // Every call is timed (about 20 ns a clock read, a tenth of a prefiltered candidate), so the
    // stats can tell verification from the search for candidates around it.
    auto judge = [&](u32 a, u32 b, judge_state& st) -> double {
        using clock_type = std::chrono::steady_clock;
        const auto started = clock_type::now();
        auto seconds_since = [](clock_type::time_point from, clock_type::time_point to) {
            return std::chrono::duration<double>(to - from).count();
        };
        ++st.counts.candidates;
        const std::size_t equal =
            spill ? detail::equal_slots(slots16.data() + std::size_t{slot_row[a]} * k, slots16.data() + std::size_t{slot_row[b]} * k, k)
                  : detail::equal_slots(slots16.data() + std::size_t{a} * k, slots16.data() + std::size_t{b} * k, k);
        if (!options.exact) {
            ++st.counts.verified;
            st.counts.seconds_judging += seconds_since(started, clock_type::now());
            return static_cast<double>(equal) / static_cast<double>(k);
        }
        if (equal < min_matches ||
            (k2 && has_fine[a] && has_fine[b] &&
             detail::equal_slots(fine.data() + std::size_t{fine_index[a]} * k2,
                                 fine.data() + std::size_t{fine_index[b]} * k2, k2) < min_fine_matches)) {
            ++st.counts.prefiltered;
            st.counts.seconds_judging += seconds_since(started, clock_type::now());
            return -1.0;
        }
        ++st.counts.verified;
        const auto exact_started = clock_type::now();
        // b's set may need a cache slot: a's is kept from eviction.
        auto set_of = [&](u32 u) -> std::span<const std::uint64_t> {
            return stored[u] ? std::span<const std::uint64_t>(unit_set[u]) : st.recent.get(u, make_unit_set, a);
        };
        const std::span<const std::uint64_t> set_a = set_of(a);
        const double similarity = static_cast<double>(parts.verifier(set_a, set_of(b), threshold));
        const auto finished = clock_type::now();
        st.counts.seconds_exact += seconds_since(exact_started, finished);
        st.counts.seconds_judging += seconds_since(started, finished);
        return similarity;
    };
    judge_counts all_counts;
    auto add_counts = [&](const judge_state& st) {
        all_counts.candidates += st.counts.candidates;
        all_counts.prefiltered += st.counts.prefiltered;
        all_counts.verified += st.counts.verified;
        all_counts.recomputed += st.recent.made;
        all_counts.seconds_judging += st.counts.seconds_judging;
        all_counts.seconds_exact += st.counts.seconds_exact;
    };

    // Documents' keep order is lifted to units: a unit is as good as its best document.
    std::vector<u32> best_doc(unit_doc.begin(), unit_doc.end());
    for (std::size_t i = 0; i < n; ++i)
        if (better(i, best_doc[unit_of_doc[i]])) best_doc[unit_of_doc[i]] = static_cast<u32>(i);
    auto unit_better = [&](std::size_t a, std::size_t b) { return better(best_doc[a], best_doc[b]); };

    clustering unit_clusters;
    const bool stream_pairs = options.collect_pairs && static_cast<bool>(options.pair_sink);
    if (stream_pairs) {
        // The pairs in the order dedup_result::pairs has them, by (first, second): unit u (whose
        // first document is below those of later units) lists its exact duplicates and the later
        // units of its buckets it is similar to, merged by document. Tasks of units run in
        // parallel a window at a time; the window's pairs go to the sink in task order and are
        // dropped, so memory holds one window's pairs, not all.
        progress.start("pairs", units);
        std::vector<std::size_t> member_start(units + 1, 0), members(n);  // each unit's other documents
        for (std::size_t i = 0; i < n; ++i)
            if (result.exact_of[i] != i) ++member_start[unit_of_doc[i] + 1];
        for (std::size_t u = 0; u < units; ++u) member_start[u + 1] += member_start[u];
        {
            std::vector<std::size_t> fill(member_start.begin(), member_start.end() - 1);
            for (std::size_t i = 0; i < n; ++i)
                if (result.exact_of[i] != i) members[fill[unit_of_doc[i]]++] = i;
        }
        const std::size_t tasks = (units + detail::units_per_task - 1) / detail::units_per_task;
        const std::size_t window = std::max<std::size_t>(2, 2 * static_cast<std::size_t>(exec.concurrency()));
        std::vector<std::vector<similar_pair>> found(window);
        std::mutex counts_mutex;
        for (std::size_t w = 0; w < tasks; w += window) {
            const std::size_t in_window = std::min(window, tasks - w);
            exec.bulk(in_window, [&](std::size_t t) {
                judge_state st;
                std::vector<u32> candidates;
                std::vector<similar_pair>& out = found[t];
                out.clear();
                const std::size_t first = (w + t) * detail::units_per_task;
                const std::size_t last = std::min(units, first + detail::units_per_task);
                for (std::size_t u = first; u < last; ++u) {
                    candidates.clear();
                    for (const u32 b : buckets.of(u)) {
                        const auto bucket = buckets.bucket(b);  // ascending
                        candidates.insert(candidates.end(), std::upper_bound(bucket.begin(), bucket.end(), static_cast<u32>(u)),
                                          bucket.end());
                    }
                    std::sort(candidates.begin(), candidates.end());
                    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
                    // Similar later units (ascending, so their first documents ascend) merged with
                    // u's exact duplicates (ascending) by document.
                    std::size_t m = member_start[u];
                    const std::size_t m_end = member_start[u + 1];
                    const std::size_t doc = unit_doc[u];
                    for (const u32 v : candidates) {
                        const double s = judge(static_cast<u32>(u), v, st);
                        if (!(s >= threshold)) continue;
                        for (; m < m_end && members[m] < unit_doc[v]; ++m) out.push_back(similar_pair{doc, members[m], 1.0});
                        out.push_back(similar_pair{doc, unit_doc[v], s});
                    }
                    for (; m < m_end; ++m) out.push_back(similar_pair{doc, members[m], 1.0});
                }
                std::lock_guard lock(counts_mutex);
                add_counts(st);
            });
            for (std::size_t t = 0; t < in_window; ++t) {
                if (!found[t].empty()) options.pair_sink(std::span<const similar_pair>(found[t]));
                stats.similar_pairs += found[t].size();
                std::vector<similar_pair>().swap(found[t]);
            }
            progress.advance(std::min(units, (w + in_window) * detail::units_per_task) - w * detail::units_per_task);
        }
    }
    // Clusters without every pair listed: a bucket of split_buckets units or more (one the split
    // left whole: its members are near-copies of each other, or a dense template family) is not
    // searched member by member but through a prefix index of the units' sets
    // (index/prefix_index.hpp), which pairs only units that may reach the threshold.
    const bool use_prefix_index =
        !(options.collect_pairs && !stream_pairs) && options.exact && options.split_buckets >= 2;
    std::vector<std::uint8_t> indexed_bucket(use_prefix_index ? buckets.bucket_count() : 0, 0);
    std::vector<std::uint8_t> in_indexed_bucket(use_prefix_index ? units : 0, 0);
    // A unit's set: stored, or made in scratch.
    auto set_of_unit = [&](u32 u, std::vector<std::uint64_t>& scratch) {
        if (stored[u]) return std::span<const std::uint64_t>(unit_set[u]);
        make_unit_set(u, scratch);
        return std::span<const std::uint64_t>(scratch);
    };
    // Shingles ordered by how many of up to about 1024 sampled units hold them: the given texts,
    // or units evenly spread among those in a large bucket before the split.
    shingle_order shingle_rarity;
    if (use_prefix_index) {
        for (std::size_t b = 0; b < buckets.bucket_count(); ++b)
            indexed_bucket[b] = buckets.bucket(b).size() >= options.split_buckets ? 1 : 0;
        bool any_indexed = false;
        for (std::size_t u = 0; u < units; ++u)
            for (const u32 b : buckets.of(u))
                if (indexed_bucket[b]) {
                    in_indexed_bucket[u] = 1;
                    any_indexed = true;
                }
        std::vector<std::vector<std::uint64_t>> sample;
        if (!options.rarity_texts.empty()) {
            for (const std::string& t : options.rarity_texts) {
                std::vector<std::uint64_t> set;
                shingle_raw(std::string_view(t), [&](std::uint64_t h) { set.push_back(h); });
                make_set(set);
                sample.push_back(std::move(set));
            }
        } else if (any_indexed) {
            const std::size_t step = rarity_sample_step(large_units.size());
            std::vector<std::uint64_t> scratch;
            for (std::size_t i = 0; i < large_units.size(); i += step) {
                const auto set = set_of_unit(large_units[i], scratch);
                sample.emplace_back(set.begin(), set.end());
                result.rarity_sample.push_back(unit_doc[large_units[i]]);
            }
        }
        if (!sample.empty()) shingle_rarity = shingle_order(sample);
    }
    std::vector<u32>().swap(large_units);
    // Whether units a and b share a bucket (both lists ascending).
    const auto share_bucket = [&](std::size_t a, std::size_t b) {
        const auto x = buckets.of(a), y = buckets.of(b);
        auto i = x.begin(), j = y.begin();
        while (i != x.end() && j != y.end() && *i != *j) (*i < *j) ? ++i : ++j;
        return i != x.end() && j != y.end();
    };
    progress.start("verify", units);
    if (options.collect_pairs && !stream_pairs) {
        // Every candidate pair (u, v), u < v, examined once: v gathers the smaller members of its
        // buckets. Tasks keep their similar pairs; concatenated in task order they are sorted by v.
        struct pair_found {
            u32 u, v;
            u32 shared;  // buckets the two share: the greedy rule's preference among kept copies
            double similarity;
        };
        const std::size_t tasks = (units + detail::units_per_task - 1) / detail::units_per_task;
        std::vector<std::vector<pair_found>> found(tasks);
        std::mutex counts_mutex;
        exec.bulk(tasks, [&](std::size_t task) {
            judge_state st;
            std::vector<u32> candidates;
            const std::size_t first = task * detail::units_per_task, last = std::min(units, first + detail::units_per_task);
            for (std::size_t v = first; v < last; ++v) {
                candidates.clear();
                for (const u32 b : buckets.of(v))
                    for (const u32 u : buckets.bucket(b)) {
                        if (u >= v) break;
                        candidates.push_back(u);
                    }
                std::sort(candidates.begin(), candidates.end());
                for (std::size_t c = 0; c < candidates.size();) {  // a run of one unit: the buckets v shares with it
                    const u32 u = candidates[c];
                    std::size_t end = c + 1;
                    while (end < candidates.size() && candidates[end] == u) ++end;
                    const double s = judge(u, static_cast<u32>(v), st);
                    if (s >= threshold) found[task].push_back({u, static_cast<u32>(v), static_cast<u32>(end - c), s});
                    c = end;
                }
            }
            std::lock_guard lock(counts_mutex);
            add_counts(st);
            progress.advance(last - first);
        });
        std::vector<std::pair<std::size_t, std::size_t>> edges;
        std::vector<std::uint32_t> shared;
        for (const auto& f : found)
            for (const pair_found& p : f) {
                edges.emplace_back(p.u, p.v);
                shared.push_back(p.shared);
                result.pairs.push_back(similar_pair{unit_doc[p.u], unit_doc[p.v], p.similarity});
            }
        std::vector<std::vector<pair_found>>().swap(found);
        unit_clusters = options.clustering == cluster_rule::greedy
                            ? cluster_greedy(units, edges, std::span<const std::uint32_t>(shared), unit_better)
                            : cluster(units, edges, unit_better);
        for (std::size_t i = 0; i < n; ++i)
            if (result.exact_of[i] != i) result.pairs.push_back(similar_pair{result.exact_of[i], i, 1.0});
        std::sort(result.pairs.begin(), result.pairs.end(), [](const similar_pair& a, const similar_pair& b) {
            return a.first != b.first ? a.first < b.first : a.second < b.second;
        });
        stats.similar_pairs = result.pairs.size();
    } else if (options.clustering == cluster_rule::greedy) {
        // Units in keep order; each is compared with the kept units of its buckets and joins the
        // first similar one in order of preference: most buckets shared with it (the likeliest
        // copy: a near-identical copy shares nearly every band), then keep order. So a removed
        // copy usually verifies its own original first and stops, and only a unit that is kept
        // must be told apart from every candidate. In batches: every unit of a batch is first
        // compared, in parallel, with the units kept before the batch; then, in order, with the
        // units kept within the batch that it prefers to the one found, if any.
        const std::vector<std::size_t> order = detail::keep_order(units, unit_better);
        std::vector<std::size_t> rank(units);
        for (std::size_t r = 0; r < units; ++r) rank[order[r]] = r;
        // Per bucket, the ranks of its kept units, ascending; an indexed bucket lists none: its
        // kept units are found through a prefix index of their sets.
        std::vector<std::vector<u32>> kept(buckets.bucket_count());
        // The units kept before the current batch, and those kept within it: a batch's own
        // index is small, so the sequential pass looks its prefixes up in cache.
        prefix_index kept_prefixes(threshold), batch_prefixes(threshold);
        std::vector<std::size_t> kept_in_batch;  // batch positions, ascending
        unit_clusters.cluster.assign(units, units);
        unit_clusters.keep.assign(units, false);
        constexpr std::size_t batch = 2048;
        constexpr std::uint64_t none = ~std::uint64_t{0};
        // The preference key of the kept unit joined so far (none: no similar one yet).
        std::vector<std::uint64_t> match(batch);
        std::vector<set_prefix> prefixes(use_prefix_index ? batch : 0);  // of the batch's units in an indexed bucket
        std::mutex counts_mutex;
        judge_state sequential;
        std::vector<std::uint64_t> candidates;
        // The preference key ((~buckets shared) << 32 | rank, smallest first) of the first kept
        // unit similar to v among those at min_rank or later whose key is below `below`; none
        // when there is none.
        // prefix: v's prefixes when it is in an indexed bucket, else null.
        // kept_index: the index of the kept units to look v's prefix up in.
        auto first_similar = [&](std::size_t v, std::size_t min_rank, std::uint64_t below, const set_prefix* prefix,
                                 const prefix_index& kept_index, std::vector<std::uint64_t>& found, judge_state& st) -> std::uint64_t {
            found.clear();
            if (prefix) {
                std::vector<u32> hits;
                kept_index.query(*prefix, static_cast<u32>(min_rank), hits);
                // Only units that share a bucket with v are candidates, as with listed buckets,
                // so what is kept does not depend on how buckets are searched.
                // hits come in runs of one rank (one per shared prefix shingle): checked once per run.
                for (std::size_t h = 0; h < hits.size();) {
                    std::size_t end = h + 1;
                    while (end < hits.size() && hits[end] == hits[h]) ++end;
                    if (share_bucket(v, order[hits[h]])) found.insert(found.end(), end - h, hits[h]);
                    h = end;
                }
            }
            for (const u32 b : buckets.of(v)) {
                if (use_prefix_index && indexed_bucket[b]) continue;
                const auto& list = kept[b];
                // The entries at min_rank or later are a suffix of the list.
                const auto from = min_rank == 0 ? list.begin() : std::lower_bound(list.begin(), list.end(), static_cast<u32>(min_rank));
                found.insert(found.end(), from, list.end());
            }
            std::sort(found.begin(), found.end());
            std::size_t kept_candidates = 0;
            for (std::size_t c = 0; c < found.size();) {  // a run of one rank: the buckets v shares with it
                std::size_t end = c + 1;
                while (end < found.size() && found[end] == found[c]) ++end;
                const std::uint64_t key = (std::uint64_t{~static_cast<u32>(end - c)} << 32) | found[c];
                if (key < below) found[kept_candidates++] = key;
                c = end;
            }
            found.resize(kept_candidates);
            std::sort(found.begin(), found.end());
            for (const std::uint64_t key : found)
                if (judge(static_cast<u32>(order[static_cast<u32>(key)]), static_cast<u32>(v), st) >= threshold) return key;
            return none;
        };
        for (std::size_t first = 0; first < units; first += batch) {
            const std::size_t last = std::min(units, first + batch);
            detail::for_chunks(exec, last - first, detail::units_per_task, [&](std::size_t from, std::size_t to) {
                judge_state st;
                std::vector<std::uint64_t> found;
                std::vector<std::uint64_t> scratch;
                for (std::size_t x = from; x < to; ++x) {
                    const std::size_t v = order[first + x];
                    if (use_prefix_index && in_indexed_bucket[v])
                        kept_prefixes.prefix(set_of_unit(static_cast<u32>(v), scratch), shingle_rarity, prefixes[x]);
                    match[x] = first_similar(v, 0, none, use_prefix_index && in_indexed_bucket[v] ? &prefixes[x] : nullptr,
                                             kept_prefixes, found, st);
                }
                std::lock_guard lock(counts_mutex);
                add_counts(st);
            });
            for (std::size_t x = 0; x < last - first; ++x) {
                const std::size_t v = order[first + x];
                std::uint64_t joined = match[x];
                // Units kept within the batch that v prefers to the one found.
                const set_prefix* prefix = use_prefix_index && in_indexed_bucket[v] ? &prefixes[x] : nullptr;
                const std::uint64_t within = first_similar(v, first, joined, prefix, batch_prefixes, candidates, sequential);
                if (within != none) joined = within;
                if (joined == none) {
                    unit_clusters.keep[v] = true;
                    unit_clusters.cluster[v] = v;
                    ++unit_clusters.cluster_count;
                    for (const u32 b : buckets.of(v))
                        if (!use_prefix_index || !indexed_bucket[b]) kept[b].push_back(static_cast<u32>(rank[v]));
                    if (prefix) {
                        batch_prefixes.add(static_cast<u32>(rank[v]), *prefix);
                        kept_in_batch.push_back(x);
                    }
                } else {
                    unit_clusters.cluster[v] = order[static_cast<u32>(joined)];
                }
            }
            for (const std::size_t x : kept_in_batch) kept_prefixes.add(static_cast<u32>(first + x), prefixes[x]);
            kept_in_batch.clear();
            batch_prefixes = prefix_index(threshold);
            progress.advance(last - first);
        }
        add_counts(sequential);
    } else {
        // Connected components. Each bucket keeps its members grouped by component; a unit is
        // compared with the members of each other component of its buckets until one is similar,
        // so a bucket whose members are all one component (near-copies) costs one look per unit.
        // An indexed bucket stops keeping groups once it holds more than `fragmented_at`
        // components (a template family, whose pages are each their own component: listing
        // would compare every page with every earlier one); a unit in such a bucket is instead
        // compared with the earlier units that its prefixes meet in a prefix index of every
        // unit of an indexed bucket (each once, none already in its component, all that may be
        // similar to it), which then also stands for its other indexed buckets.
        constexpr std::size_t fragmented_at = 64;
        union_find components(units);
        std::vector<std::vector<std::vector<u32>>> groups(buckets.bucket_count());
        std::vector<std::uint8_t> fragmented(use_prefix_index ? buckets.bucket_count() : 0, 0);
        std::vector<std::size_t> seen(units, std::numeric_limits<std::size_t>::max());
        judge_state st;
        prefix_index earlier(threshold);
        constexpr std::size_t batch = 2048;
        std::vector<set_prefix> prefixes(use_prefix_index ? batch : 0);  // of the batch's units in an indexed bucket
        std::vector<u32> hits;
        for (std::size_t first = 0; first < units; first += batch) {
            const std::size_t last = std::min(units, first + batch);
            if (use_prefix_index)  // the batch's prefixes, in parallel
                detail::for_chunks(exec, last - first, detail::units_per_task, [&](std::size_t from, std::size_t to) {
                    std::vector<std::uint64_t> scratch;
                    for (std::size_t x = from; x < to; ++x)
                        if (in_indexed_bucket[first + x])
                            earlier.prefix(set_of_unit(static_cast<u32>(first + x), scratch), shingle_rarity, prefixes[x]);
                });
            for (std::size_t v = first; v < last; ++v) {
                bool searched = false;  // v's indexed buckets searched through the index
                if (use_prefix_index && in_indexed_bucket[v]) {
                    const set_prefix& prefix = prefixes[v - first];
                    for (const u32 b : buckets.of(v)) searched = searched || (indexed_bucket[b] && fragmented[b]);
                    hits.clear();
                    if (searched) earlier.query(prefix, 0, hits);
                    for (std::size_t h = 0; h < hits.size(); ++h) {
                        const u32 u = hits[h];
                        if (h > 0 && hits[h - 1] == u) continue;  // one run of hits per unit
                        if (seen[u] == v) continue;
                        seen[u] = v;
                        // As with listed buckets, only units that share a bucket are compared.
                        if (components.find(u) == components.find(v) || !share_bucket(u, v)) continue;
                        if (judge(u, static_cast<u32>(v), st) >= threshold) components.unite(u, v);
                    }
                    earlier.add(static_cast<u32>(v), prefix);
                }
                for (const u32 b : buckets.of(v)) {
                    if (use_prefix_index && indexed_bucket[b] && searched) continue;
                    for (const auto& group : groups[b]) {
                        if (components.find(group.front()) == components.find(v)) continue;
                        for (const u32 u : group) {
                            if (seen[u] == v) continue;  // examined through another bucket
                            seen[u] = v;
                            if (judge(u, static_cast<u32>(v), st) >= threshold) {
                                components.unite(u, v);
                                break;
                            }
                        }
                    }
                }
                // Join v to its buckets that keep groups, merging the groups that are now its
                // component.
                for (const u32 b : buckets.of(v)) {
                    if (use_prefix_index && fragmented[b]) continue;
                    auto& gs = groups[b];
                    std::size_t into = gs.size();  // members of one group are always one component
                    for (std::size_t g = 0; g < gs.size();) {
                        if (components.find(gs[g].front()) != components.find(v)) {
                            ++g;
                        } else if (into == gs.size()) {
                            into = g++;
                        } else {  // into < g: append group g to it and fill slot g from the back
                            gs[into].insert(gs[into].end(), gs[g].begin(), gs[g].end());
                            gs[g].swap(gs.back());
                            gs.pop_back();
                        }
                    }
                    if (into == gs.size()) gs.push_back({static_cast<u32>(v)});
                    else gs[into].push_back(static_cast<u32>(v));
                    if (use_prefix_index && indexed_bucket[b] && gs.size() > fragmented_at) {
                        fragmented[b] = 1;  // its members are all in the index
                        std::vector<std::vector<u32>>().swap(gs);
                    }
                }
                if ((v & 1023) == 1023) progress.advance(1024);
            }
        }
        add_counts(st);
        std::vector<std::pair<std::size_t, std::size_t>> edges;
        for (std::size_t u = 0; u < units; ++u)
            if (components.find(u) != u) edges.emplace_back(components.find(u), u);
        unit_clusters = cluster(units, edges, unit_better);
    }
    stats.candidates = all_counts.candidates;
    stats.prefiltered = all_counts.prefiltered;
    stats.verified = all_counts.verified;
    stats.recomputed_sets = all_counts.recomputed;
    stats.seconds_verification = all_counts.seconds_judging;
    stats.seconds_exact_verification = all_counts.seconds_exact;

    // Documents: the best document of the kept unit names the cluster.
    progress.start("cluster", n);
    result.clusters.cluster.resize(n);
    result.clusters.keep.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t kept_doc = best_doc[unit_clusters.cluster[unit_of_doc[i]]];
        result.clusters.cluster[i] = kept_doc;
        result.clusters.keep[i] = kept_doc == i;
    }
    result.clusters.cluster_count = unit_clusters.cluster_count;
    stats.clusters = result.clusters.cluster_count;
    stats.duplicates = n - stats.clusters;
    stats.seconds_verify = clock.lap();
    stats.seconds_total = total.lap();
    return result;
}
}  // namespace detail

/// Runs the pipeline over a random-access range of documents on exec with the given parts
/// (dedup_components.hpp); better(a, b) says that document a is to be kept rather than b (a
/// strict weak order on indices; ties keep the earlier). The options still choose the sketch
/// size, threshold, prefilter (seed also seeds its fine sketch), bucket splitting, memory
/// budget, clustering and outputs; those that configure only ditto's own parts (shingles,
/// ngram, normalization, recall, bands_rows) are used by default_components. The options are
/// checked by validate_pipeline(): all but recall and bands_rows. Throws std::invalid_argument for invalid options, a
/// candidate generator with no keys or a banding wider than sketch_size, or more than 2^32 - 2
/// documents, and whatever the parts throw (ditto's normalizer: parse_error under
/// invalid_utf8::error).
template <std::ranges::random_access_range R, executor E, class Better, text_normalizer Normalizer,
          document_shingler Shingler, sketcher Sketcher, candidate_keyer Candidates, pair_verifier Verifier>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options, E& exec, Better better,
                                 const dedup_components<Normalizer, Shingler, Sketcher, Candidates, Verifier>& parts) {
    static_assert(stable_document_range<const R&>,
                  "ditto::dedup: the range yields documents by value, so each document's text would be read "
                  "after the temporary holding it is gone. Pass a range of lvalues (e.g. a std::vector of the "
                  "documents), or, when the document type only views text owned elsewhere, specialize "
                  "ditto::enable_borrowed_text<Document> as true.");
    const auto text = detail::range_texts(documents);
    detail::executor_ref erased_exec(exec);
    return detail::dedup_texts(static_cast<std::size_t>(std::ranges::size(documents)), detail::text_ref(text), options,
                               erased_exec, detail::order_ref(better), parts);
}

/// The pipeline over a text_source (text_source.hpp): texts are fetched as each stage needs them
/// (a few times each: hashing, sketching, shingle sets beyond options.shingle_memory) and never
/// all held, so a corpus read from disk by offset needs memory for its per-document state only
/// (about 2 x sketch_size + 12 x bands + 70 bytes a document, and the shingle sets within
/// shingle_memory). The result is the same as for a range of documents with the same texts.
template <text_source S, executor E, class Better, text_normalizer Normalizer, document_shingler Shingler,
          sketcher Sketcher, candidate_keyer Candidates, pair_verifier Verifier>
    requires(!std::ranges::range<S>)
[[nodiscard]] dedup_result dedup(const S& source, const dedup_options& options, E& exec, Better better,
                                 const dedup_components<Normalizer, Shingler, Sketcher, Candidates, Verifier>& parts) {
    const auto text = detail::source_texts(source);
    detail::executor_ref erased_exec(exec);
    return detail::dedup_texts(static_cast<std::size_t>(source.size()), detail::text_ref(text), options, erased_exec,
                               detail::order_ref(better), parts);
}

/// Makes each text's text_sketch as dedup's sketch stage does with the same options and parts:
/// what dedup_sketched takes in place of computing it. Stateless and safe to call from many
/// threads. Throws std::invalid_argument for invalid options (validate_pipeline), a candidate
/// generator without keys, or a banding wider than sketch_size.
template <class Parts = default_dedup_components>
class text_sketcher {
public:
    explicit text_sketcher(const dedup_options& options)
        requires std::same_as<Parts, default_dedup_components>
        : text_sketcher(options, default_components(options)) {}

    text_sketcher(const dedup_options& options, Parts parts)
        : parts_(std::move(parts)), k_(options.sketch_size), bands_(parts_.candidates.key_count()) {
        options.validate_pipeline();
        (void)detail::checked_banding("text_sketcher", parts_.candidates, k_);
    }

    /// Band keys per text (the candidate generator's key_count) and slots per text (sketch_size).
    [[nodiscard]] std::size_t key_count() const noexcept { return bands_; }
    [[nodiscard]] std::size_t slot_count() const noexcept { return k_; }

    /// Fills out with text's sketch (its vectors reused). Throws what the parts throw (ditto's
    /// normalizer: parse_error under invalid_utf8::error).
    void operator()(std::string_view text, text_sketch& out) const {
        std::vector<std::uint64_t> hashes;
        std::vector<std::uint32_t> slots(k_);
        out.keys.assign(bands_, 0);
        out.slots.assign(k_, 0);
        out.length = text.size();
        out.bytes = hash128(text);
        out.sequence = detail::sketch_one_text(parts_, text, hashes, std::span<std::uint32_t>(slots), out.keys.data(),
                                               bands_, out.slots.data());
        out.shingles = static_cast<std::uint32_t>(std::min<std::size_t>(hashes.size(), std::numeric_limits<std::uint32_t>::max()));
        if (hashes.empty()) {
            out.keys.clear();
            out.slots.clear();
        }
    }

private:
    Parts parts_;
    std::size_t k_, bands_;
};

/// The pipeline over a text_source whose sketches (text_sketch: hashes, band keys, prefilter
/// slots) were made beforehand, by text_sketcher with the same options and parts, perhaps on
/// other machines: texts are fetched to be checked against their sketches' byte hashes and
/// where texts are compared (exact duplicates confirmed, identical normalized texts told
/// apart, shingle sets of the units in a bucket), never normalized, shingled and sketched all.
/// The result is dedup's over the same source, byte for byte; sketches made with other
/// options or parts give some other result. Throws std::invalid_argument as dedup does, and
/// when sketches.size() is not source.size(), a sketch's byte hash is not its text's, or a
/// sketch with shingles has other than key_count keys and sketch_size slots.
template <text_source S, sketch_source K, executor E, class Better, text_normalizer Normalizer,
          document_shingler Shingler, sketcher Sketcher, candidate_keyer Candidates, pair_verifier Verifier>
    requires(!std::ranges::range<S>)
[[nodiscard]] dedup_result dedup_sketched(const S& source, const K& sketches, const dedup_options& options, E& exec,
                                          Better better,
                                          const dedup_components<Normalizer, Shingler, Sketcher, Candidates, Verifier>& parts) {
    const auto text = detail::source_texts(source);
    detail::executor_ref erased_exec(exec);
    const detail::sketches_ref erased_sketches(sketches);
    return detail::dedup_texts(static_cast<std::size_t>(source.size()), detail::text_ref(text), options, erased_exec,
                               detail::order_ref(better), parts, &erased_sketches);
}

/// dedup_sketched with ditto's own parts (default_components(options)).
template <text_source S, sketch_source K, executor E, class Better>
    requires(!std::ranges::range<S>)
[[nodiscard]] dedup_result dedup_sketched(const S& source, const K& sketches, const dedup_options& options, E& exec,
                                          Better better) {
    return dedup_sketched(source, sketches, options, exec, std::move(better), default_components(options));
}

namespace detail {
// run(better) with the keep rule as a strict order on document indices (ties keep the earlier).
template <std::ranges::random_access_range R, class Run>
auto with_keep_rule(const R& documents, keep_rule keep, Run run) {
    if (keep == keep_rule::longest) {
        const auto begin = std::ranges::begin(documents);
        return run([begin](std::size_t a, std::size_t b) {
            return ditto::text_of(begin[static_cast<std::ptrdiff_t>(a)]).size() >
                   ditto::text_of(begin[static_cast<std::ptrdiff_t>(b)]).size();
        });
    }
    return run([](std::size_t a, std::size_t b) { return a < b; });
}

// run(better) with the keep rule over a text_source: lengths from s.length(i) when it has it,
// else from each text fetched once on exec.
template <text_source S, executor E, class Run>
auto with_keep_rule(const S& source, keep_rule keep, E& exec, Run run) {
    if (keep != keep_rule::longest) return run([](std::size_t a, std::size_t b) { return a < b; });
    std::vector<std::size_t> length(static_cast<std::size_t>(source.size()));
    for_chunks(exec, length.size(), documents_per_task, [&](std::size_t from, std::size_t to) {
        std::string buffer;
        for (std::size_t i = from; i < to; ++i) {
            if constexpr (sized_text_source<S>) length[i] = static_cast<std::size_t>(source.length(i));
            else length[i] = std::string_view(source.text(i, buffer)).size();
        }
    });
    return run([&length](std::size_t a, std::size_t b) { return length[a] > length[b]; });
}
}  // namespace detail

/// Runs the pipeline over a text_source with ditto's own parts (default_components(options)).
template <text_source S, executor E, class Better>
    requires(!std::ranges::range<S>)
[[nodiscard]] dedup_result dedup(const S& source, const dedup_options& options, E& exec, Better better) {
    return dedup(source, options, exec, std::move(better), default_components(options));
}

/// Runs the pipeline over a text_source on exec, keeping copies by options.keep.
template <text_source S, executor E>
    requires(!std::ranges::range<S>)
[[nodiscard]] dedup_result dedup(const S& source, const dedup_options& options, E& exec) {
    return detail::with_keep_rule(source, options.keep, exec, [&](auto better) { return dedup(source, options, exec, better); });
}

/// dedup_sketched keeping copies by options.keep (keep_rule::longest: lengths from the sketches).
template <text_source S, sketch_source K, executor E>
    requires(!std::ranges::range<S>)
[[nodiscard]] dedup_result dedup_sketched(const S& source, const K& sketches, const dedup_options& options, E& exec) {
    if (options.keep != keep_rule::longest)
        return dedup_sketched(source, sketches, options, exec, [](std::size_t a, std::size_t b) { return a < b; });
    std::vector<std::uint64_t> length(static_cast<std::size_t>(sketches.size()));
    detail::for_chunks(exec, length.size(), detail::documents_per_task, [&](std::size_t from, std::size_t to) {
        text_sketch s;
        for (std::size_t i = from; i < to; ++i) {
            sketches.sketch(i, s);
            length[i] = s.length;
        }
    });
    return dedup_sketched(source, sketches, options, exec, [&length](std::size_t a, std::size_t b) { return length[a] > length[b]; });
}

/// Runs the pipeline with ditto's own parts (default_components(options)).
template <std::ranges::random_access_range R, executor E, class Better>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options, E& exec, Better better) {
    return dedup(documents, options, exec, std::move(better), default_components(options));
}

/// Runs the pipeline on exec, keeping copies by options.keep.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options, E& exec) {
    return detail::with_keep_rule(documents, options.keep, [&](auto better) { return dedup(documents, options, exec, better); });
}

/// Runs the pipeline on a thread pool with one thread per core.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options = {}) {
    thread_pool pool;
    return dedup(documents, options, pool);
}

}  // namespace ditto
