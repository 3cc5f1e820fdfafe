#pragma once
// The corpus pipeline with SimHash candidates: every pair of documents whose word-shingle
// Jaccard similarity is at or above a threshold and whose SimHash fingerprints are within
// Hamming distance k, their clusters, and the copy of each cluster to keep.
//
//   exact duplicates: byte-identical texts, then identical normalized texts, collapse to one
//     "unit" each, as in ditto::dedup; they are similar with 1
//   normalize -> shingle -> sorted set -> 64-bit SimHash, once per unit  (parallel over units)
//   -> Hamming index (index/hamming.hpp): pairs within k bits         (parallel over runs)
//   -> exact Jaccard of the two shingle sets, kept or recomputed       (in the same tasks)
//   -> clusters (greedy or connected) and the keep rule, as in ditto::dedup
//
// Precision is exact (every reported pair is verified); recall is what the fingerprints give:
// a pair is examined only when its fingerprints are within k bits. SimHash distance tracks the
// cosine of the shingle sets (sketch/simhash.hpp), so with 64 bits and a small k this finds
// near-identical copies (Jaccard >= 0.9 or so) and misses many pairs near 0.8; ditto::dedup
// (MinHash with a recall target) is the method for a stated recall. docs/design.md has figures.
//
// The result is the same, byte for byte, whatever the executor and its thread count: pairs are
// gathered per task and sorted before clustering.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/cluster.hpp>
#include <ditto/concepts.hpp>
#include <ditto/dedup.hpp>
#include <ditto/detail/erased.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/hamming.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/simhash.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/normalizing_shingler.hpp>
#include <ditto/text_source.hpp>
#include <ditto/verify.hpp>

namespace ditto::inline v0_1 {

/// The SimHash pipeline's parameters. validate() says what is wrong with them.
struct simhash_dedup_options {
    double threshold = 0.8;            ///< report pairs with Jaccard similarity >= this; in (0, 1]
    std::size_t ngram = 5;             ///< words per shingle; in [1, 1024]
    /// Examine pairs whose fingerprints differ in at most this many bits; in [0, 32].
    unsigned hamming = 3;
    /// Blocks of the Hamming index; 0: chosen from hamming and the corpus size (index/hamming.hpp);
    /// else in [hamming + 1, 64] with C(blocks, hamming) <= 4096 tables.
    unsigned blocks = 0;
    simhash_weight weight = simhash_weight::set;  ///< how shingles weigh in a fingerprint
    keep_rule keep = keep_rule::first;  ///< which copy of a cluster to keep
    /// greedy: every removed copy is similar to its cluster's kept copy; connected: single linkage.
    cluster_rule clustering = cluster_rule::greedy;
    /// List the similar pairs in the result (dedup_result::pairs); they are found either way.
    bool collect_pairs = true;
    /// Bytes of sorted shingle sets kept for verification (8 per shingle); the sets of units
    /// beyond it are recomputed from their texts when needed.
    std::size_t shingle_memory = std::size_t{1} << 30;
    normalize_options normalization{};  ///< how texts are normalized before shingling
    std::uint64_t seed = default_seed;  ///< seeds the shingle hashes and the fingerprints
    /// Called now and then while the pipeline runs, from one thread at a time; must not throw.
    std::function<void(const dedup_progress&)> progress;

    /// The seed of the fingerprints (the shingle hashes use seed itself).
    [[nodiscard]] constexpr std::uint64_t fingerprint_seed() const noexcept { return mix64(seed, 0x51a4a5); }

    /// Throws std::invalid_argument naming the first option out of range and its valid range.
    void validate() const {
        if (!(threshold > 0.0 && threshold <= 1.0))
            detail::throw_invalid_argument("simhash_dedup", "threshold", "in (0, 1]", detail::format_double(threshold));
        if (ngram < 1 || ngram > max_shingle_size)
            detail::throw_invalid_argument("simhash_dedup", "ngram", "in [1, 1024]", std::to_string(ngram));
        if (hamming > max_hamming_distance)
            detail::throw_invalid_argument("simhash_dedup", "hamming", "in [0, " + std::to_string(max_hamming_distance) + "]",
                                           std::to_string(hamming));
        if (blocks != 0 && (blocks < hamming + 1 || blocks > 64))
            detail::throw_invalid_argument("simhash_dedup", "blocks",
                                           "0 (chosen) or in [hamming + 1, 64] = [" + std::to_string(hamming + 1) + ", 64]",
                                           std::to_string(blocks));
        if (blocks != 0 && detail::binomial_capped(blocks, hamming, max_hamming_tables) > max_hamming_tables)
            detail::throw_invalid_argument("simhash_dedup", "blocks",
                                           "such that C(blocks, hamming) <= " + std::to_string(max_hamming_tables),
                                           std::to_string(blocks) + " (hamming " + std::to_string(hamming) + ")");
        if (weight != simhash_weight::set && weight != simhash_weight::frequency)
            detail::throw_invalid_argument("simhash_dedup", "weight", "set or frequency", "another value");
    }
};

/// The SimHash pipeline's answer: a dedup_result (it converts to one), and the Hamming index's
/// plan, whose warning says that its prefixes were too short for the corpus.
struct simhash_dedup_result : dedup_result {
    hamming_plan hamming;
};

namespace detail {
// The SimHash pipeline over n texts, text_at(i) or text_at(i, buffer) as fetch_text calls it.
template <class Text, executor E, class Better>
[[nodiscard]] simhash_dedup_result simhash_dedup_texts(const std::size_t n, const Text& text_at,
                                                       const simhash_dedup_options& options, E& exec, Better better) {
    options.validate();
    using u32 = std::uint32_t;
    if (n > std::numeric_limits<u32>::max() - 1)
        detail::throw_invalid_argument("simhash_dedup", "documents", "at most 4294967294", std::to_string(n));
    detail::stopwatch clock, total;
    simhash_dedup_result result;
    dedup_stats& stats = result.stats;
    stats.documents = n;
    stats.threads = exec.concurrency();
    auto text = [&](std::size_t i, std::string& buffer) { return detail::fetch_text(text_at, i, buffer); };
    const normalizer normalize(options.normalization);
    const normalizing_word_shingler<> shingle_raw(options.normalization, options.ngram, options.seed);
    const simhash_sketcher sketcher(options.fingerprint_seed(), options.weight);
    detail::progress_reporter progress(options.progress);

    // Stage 1: byte-identical texts. first_raw[i]: the first document with i's bytes.
    progress.start("exact", n);
    std::vector<u32> first_raw = detail::first_same_bytes(exec, n, text, [&](std::size_t done) { progress.advance(done); });
    std::vector<u32> distinct;  // the first document of each distinct byte string, ascending
    for (std::size_t i = 0; i < n; ++i)
        if (first_raw[i] == i) distinct.push_back(static_cast<u32>(i));
    const std::size_t d_count = distinct.size();
    stats.seconds_exact = clock.lap();

    // Stage 2: per distinct text: the hash of its shingle sequence (equal normalized texts have
    // equal sequences), its set size, its fingerprint, and its sorted set while the budget lasts
    // (which texts keep theirs depends on the tasks' timing; only work, not results, does).
    const std::size_t budget = options.shingle_memory / sizeof(std::uint64_t);
    std::vector<std::vector<std::uint64_t>> kept_sets(d_count);
    std::atomic<std::size_t> kept_used{0};
    std::vector<content_hash> sequence_hash(d_count);
    std::vector<std::uint64_t> fingerprint(d_count);
    std::vector<u32> set_size(d_count);
    struct task_counts {
        std::size_t bytes = 0, shingles = 0;
    };
    std::vector<task_counts> counts((d_count + detail::documents_per_task - 1) / detail::documents_per_task);
    progress.start("sketch", d_count);
    detail::for_chunks(exec, d_count, detail::documents_per_task, [&](std::size_t first, std::size_t last) {
        std::vector<std::uint64_t> hashes;
        std::string buffer;
        auto& c = counts[first / detail::documents_per_task];
        for (std::size_t d = first; d < last; ++d) {
            const std::string_view t = text(distinct[d], buffer);
            c.bytes += t.size();
            hashes.clear();
            shingle_raw(t, [&](std::uint64_t h) { hashes.push_back(h); });
            sequence_hash[d] = hash128(std::string_view(reinterpret_cast<const char*>(hashes.data()), hashes.size() * sizeof(std::uint64_t)));
            c.shingles += hashes.size();
            if (hashes.empty()) continue;
            if (options.weight == simhash_weight::frequency) fingerprint[d] = sketcher(hashes);
            make_set(hashes);
            if (options.weight == simhash_weight::set) fingerprint[d] = sketcher(hashes);  // sorted: no copy
            set_size[d] = static_cast<u32>(std::min<std::size_t>(hashes.size(), std::numeric_limits<u32>::max()));
            std::size_t used = kept_used.load(std::memory_order_relaxed);
            while (used + hashes.size() <= budget &&
                   !kept_used.compare_exchange_weak(used, used + hashes.size(), std::memory_order_relaxed)) {
            }
            if (used + hashes.size() <= budget) kept_sets[d] = hashes;
        }
        progress.advance(last - first);
    });
    for (const auto& c : counts) {
        stats.bytes += c.bytes;
        stats.shingles += c.shingles;
    }
    // Identical normalized texts, among the texts that share their shingle sequence with another.
    std::vector<u32> first_norm = detail::first_same_normalized(exec, sequence_hash, [&](std::size_t d, std::string& out) {
        std::string buffer;  // allocates only when the text is fetched into it
        normalize.normalize(text(distinct[d], buffer), out);
    });
    stats.seconds_sketch = clock.lap();

    // Units: distinct normalized texts, numbered in the order of their first documents.
    std::vector<u32> unit_of_distinct(d_count);
    std::vector<u32> unit_doc;  // the first document of each unit
    std::vector<u32> unit_size;
    std::vector<std::uint64_t> unit_fingerprint;
    std::vector<std::vector<std::uint64_t>> unit_set;  // sorted, when kept
    for (std::size_t d = 0; d < d_count; ++d) {
        if (first_norm[d] != d) {
            unit_of_distinct[d] = unit_of_distinct[first_norm[d]];
            std::vector<std::uint64_t>().swap(kept_sets[d]);
            continue;
        }
        unit_of_distinct[d] = static_cast<u32>(unit_doc.size());
        unit_doc.push_back(distinct[d]);
        unit_size.push_back(set_size[d]);
        unit_fingerprint.push_back(fingerprint[d]);
        unit_set.push_back(std::move(kept_sets[d]));
    }
    const std::size_t units = unit_doc.size();
    std::vector<std::vector<std::uint64_t>>().swap(kept_sets);
    std::vector<u32>().swap(first_norm);
    std::vector<std::uint64_t>().swap(fingerprint);
    std::vector<u32> unit_of_doc(n);
    {
        std::vector<u32> ordinal(n, 0);
        for (std::size_t d = 0; d < d_count; ++d) ordinal[distinct[d]] = static_cast<u32>(d);
        for (std::size_t i = 0; i < n; ++i) unit_of_doc[i] = unit_of_distinct[ordinal[first_raw[i]]];
    }
    std::vector<u32>().swap(first_raw);
    std::vector<u32>().swap(distinct);
    stats.units = units;
    stats.exact_duplicates = n - units;
    result.exact_of.resize(n);
    for (std::size_t i = 0; i < n; ++i) result.exact_of[i] = unit_doc[unit_of_doc[i]];
    for (std::size_t i = 0; i < n; ++i)
        if (unit_size[unit_of_doc[i]] == 0) ++stats.empty_documents;
    for (const auto& s : unit_set) stats.set_bytes += s.size() * sizeof(std::uint64_t);

    // Stage 3: the Hamming index over the units with shingles (an empty text matches nothing).
    std::vector<u32> rows;
    std::vector<std::uint64_t> row_fingerprint;
    for (std::size_t u = 0; u < units; ++u)
        if (unit_size[u] != 0) {
            rows.push_back(static_cast<u32>(u));
            row_fingerprint.push_back(unit_fingerprint[u]);
        }
    std::vector<std::uint64_t>().swap(unit_fingerprint);
    const hamming_index index(row_fingerprint, options.hamming, options.blocks);
    result.hamming = index.plan();
    stats.index_bytes = row_fingerprint.size() * sizeof(std::uint64_t) + rows.size() * sizeof(u32) + index.table_bytes();
    stats.seconds_candidates = clock.lap();

    // Stage 4: every pair the index reports, verified exactly, in the index's tasks.
    auto make_unit_set = [&](u32 u, std::vector<std::uint64_t>& set) {
        set.clear();
        std::string buffer;  // allocates only when the text is fetched into it
        shingle_raw(text(unit_doc[u], buffer), [&](std::uint64_t h) { set.push_back(h); });
        make_set(set);
    };
    struct pair_found {
        u32 u, v;
        double similarity;
    };
    struct task_state {
        detail::recent_sets recent;
        std::vector<pair_found> found;
        std::size_t candidates = 0;
    };
    const double threshold = options.threshold;
    std::vector<task_state> states(hamming_index::task_count(exec));
    progress.start("verify", result.hamming.tables);
    index.for_each_pair(exec, [&](std::size_t task, std::size_t a, std::size_t b, unsigned) {
        task_state& st = states[task];
        ++st.candidates;
        const u32 u = rows[a], v = rows[b];  // u < v: rows ascend
        auto set_of = [&](u32 x) -> std::span<const std::uint64_t> {
            return !unit_set[x].empty() ? std::span<const std::uint64_t>(unit_set[x]) : st.recent.get(x, make_unit_set, u);
        };
        const std::span<const std::uint64_t> set_u = set_of(u);
        const double s = jaccard_at_least(set_u, set_of(v), threshold);
        if (s >= threshold) st.found.push_back({u, v, s});
    });
    progress.advance(result.hamming.tables);
    std::vector<pair_found> found;
    for (auto& st : states) {
        stats.candidates += st.candidates;
        stats.recomputed_sets += st.recent.made;
        found.insert(found.end(), st.found.begin(), st.found.end());
        std::vector<pair_found>().swap(st.found);
    }
    std::vector<task_state>().swap(states);
    std::sort(found.begin(), found.end(), [](const pair_found& x, const pair_found& y) {
        return x.u != y.u ? x.u < y.u : x.v < y.v;
    });
    stats.verified = stats.candidates;
    stats.seconds_verify = clock.lap();

    // Stage 5: clusters of units, then of documents. A unit is as good as its best document;
    // the greedy rule joins the most similar kept copy (similarity in 2^-32 steps).
    progress.start("cluster", n);
    std::vector<u32> best_doc(unit_doc.begin(), unit_doc.end());
    for (std::size_t i = 0; i < n; ++i)
        if (better(i, best_doc[unit_of_doc[i]])) best_doc[unit_of_doc[i]] = static_cast<u32>(i);
    auto unit_better = [&](std::size_t a, std::size_t b) { return better(best_doc[a], best_doc[b]); };
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    std::vector<std::uint32_t> affinity;
    edges.reserve(found.size());
    affinity.reserve(found.size());
    for (const pair_found& p : found) {
        edges.emplace_back(p.u, p.v);
        affinity.push_back(static_cast<std::uint32_t>(p.similarity * 4294967295.0));
    }
    const clustering unit_clusters = options.clustering == cluster_rule::greedy
                                         ? cluster_greedy(units, edges, std::span<const std::uint32_t>(affinity), unit_better)
                                         : cluster(units, edges, unit_better);
    std::vector<std::pair<std::size_t, std::size_t>>().swap(edges);
    std::vector<std::uint32_t>().swap(affinity);
    if (options.collect_pairs) {
        result.pairs.reserve(found.size());
        for (const pair_found& p : found) result.pairs.push_back(similar_pair{unit_doc[p.u], unit_doc[p.v], p.similarity});
        for (std::size_t i = 0; i < n; ++i)
            if (result.exact_of[i] != i) result.pairs.push_back(similar_pair{result.exact_of[i], i, 1.0});
        std::sort(result.pairs.begin(), result.pairs.end(), [](const similar_pair& a, const similar_pair& b) {
            return a.first != b.first ? a.first < b.first : a.second < b.second;
        });
        stats.similar_pairs = result.pairs.size();
    }
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
    stats.seconds_verify += clock.lap();
    stats.seconds_total = total.lap();
    return result;
}
}  // namespace detail

/// Runs the SimHash pipeline over a random-access range of documents on exec; better(a, b) says
/// that document a is to be kept rather than b (a strict weak order on indices; ties keep the
/// earlier). In the stats, lsh, buckets, split_buckets and prefiltered stay 0; candidates counts
/// the pairs the Hamming index reported, all verified. Throws std::invalid_argument for invalid
/// options or more than 2^32 - 2 documents, and whatever normalization throws.
template <std::ranges::random_access_range R, executor E, class Better>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] simhash_dedup_result simhash_dedup(const R& documents, const simhash_dedup_options& options, E& exec,
                                                 Better better) {
    static_assert(stable_document_range<const R&>,
                  "ditto::simhash_dedup: the range yields documents by value, so each document's text would be "
                  "read after the temporary holding it is gone. Pass a range of lvalues (e.g. a std::vector of the "
                  "documents), or, when the document type only views text owned elsewhere, specialize "
                  "ditto::enable_borrowed_text<Document> as true.");
    const auto text = detail::range_texts(documents);
    detail::executor_ref erased_exec(exec);
    return detail::simhash_dedup_texts(static_cast<std::size_t>(std::ranges::size(documents)), detail::text_ref(text),
                                       options, erased_exec, detail::order_ref(better));
}

/// The SimHash pipeline over a text_source (text_source.hpp): texts are fetched as each stage
/// needs them and never all held. The result is the same as for a range of documents with the
/// same texts.
template <text_source S, executor E, class Better>
    requires(!std::ranges::range<S>)
[[nodiscard]] simhash_dedup_result simhash_dedup(const S& source, const simhash_dedup_options& options, E& exec,
                                                 Better better) {
    const auto text = detail::source_texts(source);
    detail::executor_ref erased_exec(exec);
    return detail::simhash_dedup_texts(static_cast<std::size_t>(source.size()), detail::text_ref(text), options,
                                       erased_exec, detail::order_ref(better));
}

/// The SimHash pipeline over a text_source on exec, keeping copies by options.keep.
template <text_source S, executor E>
    requires(!std::ranges::range<S>)
[[nodiscard]] simhash_dedup_result simhash_dedup(const S& source, const simhash_dedup_options& options, E& exec) {
    return detail::with_keep_rule(source, options.keep, exec,
                                  [&](auto better) { return simhash_dedup(source, options, exec, better); });
}

/// Runs the SimHash pipeline on exec, keeping copies by options.keep.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] simhash_dedup_result simhash_dedup(const R& documents, const simhash_dedup_options& options, E& exec) {
    return detail::with_keep_rule(documents, options.keep, [&](auto better) { return simhash_dedup(documents, options, exec, better); });
}

/// Runs the SimHash pipeline on a thread pool with one thread per core.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] simhash_dedup_result simhash_dedup(const R& documents, const simhash_dedup_options& options = {}) {
    thread_pool pool;
    return simhash_dedup(documents, options, pool);
}

}  // namespace ditto
