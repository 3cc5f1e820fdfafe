#pragma once
// The corpus pipeline: every pair of documents whose word-shingle Jaccard similarity is at or
// above a threshold, their clusters, and the copy of each cluster to keep.
//
//   normalize -> shingle -> sketch -> band keys   (parallel over documents)
//   -> batch LSH candidates                       (parallel over bands)
//   -> exact verification from the texts          (parallel over candidates)
//   -> union-find clusters and the keep rule
//
// Every stage writes results by index and merges them in a fixed order, so the result is the
// same, byte for byte, whatever the executor and its thread count.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/cluster.hpp>
#include <ditto/concepts.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/verify.hpp>

namespace ditto {

/// Where a running pipeline is: its stage ("sketch", "candidates", "verify", "cluster") and how
/// many of the stage's items (documents, bands, candidate pairs) are done.
struct dedup_progress {
    std::string_view stage;
    std::size_t done = 0;
    std::size_t total = 0;
};

/// The pipeline's parameters. validate() says what is wrong with them.
struct dedup_options {
    double threshold = 0.8;            ///< report pairs with Jaccard similarity >= this; in (0, 1]
    std::size_t ngram = 5;             ///< words per shingle; in [1, 1024]
    std::size_t sketch_size = 128;     ///< MinHash slots; in [1, 4096]
    double recall = 0.99;              ///< P(candidate) for a pair at the threshold; in (0, 1)
    lsh_params bands_rows{};           ///< {0, 0}: chosen from threshold and recall; else used as given
    keep_rule keep = keep_rule::first; ///< which copy of a cluster to keep
    bool exact = true;                 ///< verify candidates from the texts; false: signature estimate
    normalize_options normalization{}; ///< how texts are normalized before shingling
    std::uint64_t seed = default_seed; ///< seeds the shingle hashes and the sketcher
    /// Called now and then while the pipeline runs, from one thread at a time (any thread); must
    /// not throw. Empty: no reports.
    std::function<void(const dedup_progress&)> progress;

    /// Throws std::invalid_argument naming the first option out of range and its valid range.
    void validate() const {
        if (!(threshold > 0.0 && threshold <= 1.0))
            detail::throw_invalid_argument("dedup", "threshold", "in (0, 1]", detail::format_double(threshold));
        if (ngram < 1 || ngram > max_shingle_size)
            detail::throw_invalid_argument("dedup", "ngram", "in [1, 1024]", std::to_string(ngram));
        if (sketch_size < 1 || sketch_size > 4096)
            detail::throw_invalid_argument("dedup", "sketch_size", "in [1, 4096]", std::to_string(sketch_size));
        if (bands_rows.bands == 0 && bands_rows.rows == 0) {
            if (!(recall > 0.0 && recall < 1.0))
                detail::throw_invalid_argument("dedup", "recall", "in (0, 1)", detail::format_double(recall));
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

/// Two documents (by index, first < second) and their similarity.
struct similar_pair {
    std::size_t first;
    std::size_t second;
    double similarity;
    friend constexpr bool operator==(const similar_pair&, const similar_pair&) = default;
};

/// What the pipeline did and how long each stage took.
struct dedup_stats {
    std::size_t documents = 0;
    std::size_t bytes = 0;              ///< of text, before normalization
    std::size_t empty_documents = 0;    ///< no shingles: never similar to anything
    std::size_t shingles = 0;           ///< over all documents, repeats included
    lsh_params lsh{};
    std::size_t candidates = 0;         ///< distinct candidate pairs from LSH
    std::size_t similar_pairs = 0;      ///< candidates at or above the threshold
    std::size_t clusters = 0;           ///< singletons included
    std::size_t duplicates = 0;         ///< documents not kept
    std::size_t index_bytes = 0;        ///< peak bytes of band keys and sort records
    std::size_t threads = 1;
    double seconds_sketch = 0;
    double seconds_candidates = 0;
    double seconds_verify = 0;
    double seconds_cluster = 0;
    double seconds_total = 0;
};

/// The pipeline's answer.
struct dedup_result {
    std::vector<similar_pair> pairs;  ///< sorted by (first, second)
    clustering clusters;              ///< per document: its cluster (kept index) and keep flag
    dedup_stats stats;
};

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

// The shingle sets of the last few documents a verification task needed. Candidates come in
// families, (a, b), (a, c), (b, c), and are visited family by family, so most sets are needed
// again soon.
class recent_sets {
public:
    /// The set of doc, made by make(doc, set) unless held; never evicts the set of `keep`.
    template <class Make>
    const std::vector<std::uint64_t>& get(std::uint32_t doc, Make& make, std::uint32_t keep) {
        for (auto& s : slots_)
            if (s.doc == doc) return s.set;
        if (slots_[next_].doc == keep) next_ = (next_ + 1) % slots_.size();
        auto& s = slots_[next_];
        next_ = (next_ + 1) % slots_.size();
        s.doc = doc;
        make(doc, s.set);
        return s.set;
    }

private:
    struct slot {
        std::uint32_t doc = std::numeric_limits<std::uint32_t>::max();
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
inline constexpr std::size_t pairs_per_task = 512;

}  // namespace detail

/// Runs the pipeline over a random-access range of documents on exec; better(a, b) says that
/// document a is to be kept rather than b (a strict weak order on indices; ties keep the earlier).
/// Throws std::invalid_argument for invalid options or more than 2^32 - 2 documents, and
/// whatever normalization throws (parse_error under invalid_utf8::error).
template <std::ranges::random_access_range R, executor E, class Better>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options, E& exec, Better better) {
    options.validate();
    const std::size_t n = static_cast<std::size_t>(std::ranges::size(documents));
    if (n > std::numeric_limits<std::uint32_t>::max() - 1)
        detail::throw_invalid_argument("dedup", "documents", "at most 4294967294", std::to_string(n));
    detail::stopwatch clock, total;
    dedup_result result;
    dedup_stats& stats = result.stats;
    stats.documents = n;
    stats.threads = exec.concurrency();
    const lsh_params lsh = options.lsh();
    stats.lsh = lsh;
    const std::size_t k = options.sketch_size, bands = lsh.bands;
    const auto begin = std::ranges::begin(documents);
    auto text = [&](std::size_t i) -> std::string_view { return ditto::text_of(begin[static_cast<std::ptrdiff_t>(i)]); };
    const normalizer normalize(options.normalization);
    const word_shingler<> shingle(options.ngram, options.seed);
    const minhash_sketcher sketcher(mix64(options.seed, 0x5ce7c4e5));

    // Stage 1: band keys (and, without exact verification, the signatures).
    std::vector<std::uint64_t> keys(n * bands);
    std::vector<std::uint32_t> signatures(options.exact ? 0 : n * k);
    std::vector<std::uint8_t> is_empty(n, 0);
    const std::size_t sketch_tasks = (n + detail::documents_per_task - 1) / detail::documents_per_task;
    struct task_counts {
        std::size_t bytes = 0, shingles = 0;
    };
    std::vector<task_counts> counts(sketch_tasks);
    detail::progress_reporter progress(options.progress);
    progress.start("sketch", n);
    exec.bulk(sketch_tasks, [&](std::size_t task) {
        std::string scratch;
        std::vector<std::uint64_t> hashes;
        std::vector<std::uint32_t> slots(k);
        const std::size_t first = task * detail::documents_per_task;
        const std::size_t last = std::min(n, first + detail::documents_per_task);
        for (std::size_t i = first; i < last; ++i) {
            const std::string_view t = text(i);
            counts[task].bytes += t.size();
            shingle_text(t, normalize, shingle, scratch, hashes);
            counts[task].shingles += hashes.size();
            if (hashes.empty()) {
                is_empty[i] = 1;
                continue;
            }
            sketcher.fill(std::span<const std::uint64_t>(hashes), std::span<std::uint32_t>(slots));
            band_keys(std::span<const std::uint32_t>(slots), lsh, std::span<std::uint64_t>(keys.data() + i * bands, bands));
            if (!options.exact) std::copy(slots.begin(), slots.end(), signatures.begin() + static_cast<std::ptrdiff_t>(i * k));
        }
        progress.advance(last - first);
    });
    for (const auto& c : counts) {
        stats.bytes += c.bytes;
        stats.shingles += c.shingles;
    }
    stats.seconds_sketch = clock.lap();

    // Stage 2: candidates. Rows of empty documents are dropped (they match nothing).
    std::vector<std::uint32_t> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (is_empty[i]) continue;
        if (rows.size() != i)
            std::copy_n(keys.begin() + static_cast<std::ptrdiff_t>(i * bands), bands,
                        keys.begin() + static_cast<std::ptrdiff_t>(rows.size() * bands));
        rows.push_back(static_cast<std::uint32_t>(i));
    }
    stats.empty_documents = n - rows.size();
    keys.resize(rows.size() * bands);
    stats.index_bytes = keys.size() * sizeof(std::uint64_t) + rows.size() * sizeof(std::uint32_t) +
                        std::min(bands, exec.concurrency()) * rows.size() * 16;
    progress.start("candidates", bands);
    const std::vector<candidate_pair> candidates =
        batch_candidates(std::span<const std::uint64_t>(keys), bands, std::span<const std::uint32_t>(rows), exec);
    std::vector<std::uint64_t>().swap(keys);
    stats.candidates = candidates.size();
    stats.seconds_candidates = clock.lap();

    // Stage 3: verification from the texts.
    std::vector<double> similarity_of(candidates.size());
    // Visit the candidates component by component (of the candidate graph), so the documents of
    // one family of copies are verified together while their sets are still in a task's cache.
    std::vector<std::uint32_t> order(candidates.size());
    if (options.exact) {
        union_find families(n);
        for (const auto& c : candidates) families.unite(c.first, c.second);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> keyed(candidates.size());
        for (std::size_t p = 0; p < candidates.size(); ++p)
            keyed[p] = {static_cast<std::uint32_t>(families.find(candidates[p].first)), static_cast<std::uint32_t>(p)};
        std::sort(keyed.begin(), keyed.end());
        for (std::size_t p = 0; p < keyed.size(); ++p) order[p] = keyed[p].second;
    }
    progress.start("verify", candidates.size());
    const std::size_t verify_tasks = (candidates.size() + detail::pairs_per_task - 1) / detail::pairs_per_task;
    exec.bulk(verify_tasks, [&](std::size_t task) {
        const std::size_t first = task * detail::pairs_per_task;
        const std::size_t last = std::min(candidates.size(), first + detail::pairs_per_task);
        if (!options.exact) {
            for (std::size_t p = first; p < last; ++p) {
                const std::uint32_t* a = signatures.data() + std::size_t{candidates[p].first} * k;
                const std::uint32_t* b = signatures.data() + std::size_t{candidates[p].second} * k;
                std::size_t equal = 0;
                for (std::size_t s = 0; s < k; ++s) equal += a[s] == b[s] ? 1u : 0u;
                similarity_of[p] = static_cast<double>(equal) / static_cast<double>(k);
            }
            progress.advance(last - first);
            return;
        }
        std::string scratch;
        detail::recent_sets recent;
        auto make = [&](std::uint32_t doc, std::vector<std::uint64_t>& set) {
            shingle_text(text(doc), normalize, shingle, scratch, set);
            make_set(set);
        };
        for (std::size_t q = first; q < last; ++q) {
            const std::size_t p = order[q];
            const auto& set_a = recent.get(candidates[p].first, make, candidates[p].first);
            const auto& set_b = recent.get(candidates[p].second, make, candidates[p].first);
            similarity_of[p] = jaccard(set_a, set_b);
        }
        progress.advance(last - first);
    });
    for (std::size_t p = 0; p < candidates.size(); ++p)
        if (similarity_of[p] >= options.threshold)
            result.pairs.push_back(similar_pair{candidates[p].first, candidates[p].second, similarity_of[p]});
    stats.similar_pairs = result.pairs.size();
    stats.seconds_verify = clock.lap();

    // Stage 4: clusters.
    progress.start("cluster", result.pairs.size());
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    edges.reserve(result.pairs.size());
    for (const similar_pair& p : result.pairs) edges.emplace_back(p.first, p.second);
    result.clusters = cluster(n, edges, better);
    stats.clusters = result.clusters.cluster_count;
    stats.duplicates = n - stats.clusters;
    stats.seconds_cluster = clock.lap();
    stats.seconds_total = total.lap();
    return result;
}

/// Runs the pipeline on exec, keeping copies by options.keep.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options, E& exec) {
    if (options.keep == keep_rule::longest) {
        const auto begin = std::ranges::begin(documents);
        return dedup(documents, options, exec, [&](std::size_t a, std::size_t b) {
            return ditto::text_of(begin[static_cast<std::ptrdiff_t>(a)]).size() >
                   ditto::text_of(begin[static_cast<std::ptrdiff_t>(b)]).size();
        });
    }
    return dedup(documents, options, exec, [](std::size_t a, std::size_t b) { return a < b; });
}

/// Runs the pipeline on a thread pool with one thread per core.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result dedup(const R& documents, const dedup_options& options = {}) {
    thread_pool pool;
    return dedup(documents, options, pool);
}

}  // namespace ditto
