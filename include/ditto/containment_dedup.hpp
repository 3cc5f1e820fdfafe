#pragma once
// The corpus pipeline for containment: every pair of documents where the smaller shingle set A
// lies in the larger one B to at least a threshold, |A n B| / |A| >= t, their clusters, and the
// copy of each cluster to keep. An excerpt or a truncated copy has a low Jaccard similarity with
// its source (an excerpt of 30 % has J <= 0.3) but a containment near 1.
//
//   exact duplicates: byte-identical texts, then identical normalized texts, collapse to one
//     "unit" each, as in ditto::dedup; they are similar with 1
//   normalize -> shingle -> sorted set, once per unit                   (parallel over units)
//   -> every shingle numbered; each set ordered rarest shingle first, then an inverted list per
//      shingle of (unit, position in that unit's order)
//   -> candidates by prefix filtering: unit A probes the lists of its first |A| - m + 1
//      shingles, m = the least overlap with m / |A| >= t                (parallel over units)
//   -> exact |A n B| by merging the two sorted sets
//   -> clusters (greedy or connected) and the keep rule
//
// Candidate generation is exact, not probabilistic: when |A n B| >= m, at most |A| - m of A's
// shingles are outside B, so one of A's first |A| - m + 1 shingles (in any fixed order) is in B,
// and B is on its list. So the recall is 1: every pair at or above the threshold is examined and
// verified. (MinHash LSH, even partitioned by set size as LSH Ensemble does, cannot promise
// that: a 30 % excerpt has J = 0.3 with its source, where banding at 0.995 recall pairs most of a
// corpus.) The shared order is rarest first so that the probed lists are short; PPJoin's
// positional filter drops a candidate whose first shared shingle comes too late in either
// order for m shared shingles to follow (a template family, all sharing the same common tail).
// The cost: every set is kept in memory (8 bytes per distinct shingle of a unit) and indexed
// (8 bytes per shingle, plus 12 per distinct shingle of the corpus).
//
// Pairs: (first document, second document, containment of the smaller set in the larger) in the
// compact form of dedup_result::pairs. Clusters: greedy takes units largest set first (equal sizes
// by the keep rule); each joins the kept unit that contains it most (containment >= t; kept units
// are never smaller), or is kept. So every removed copy is contained to at least t in the copy
// kept in its place, and a source is kept rather than its excerpts. Connected: the components of
// the pairs, each named by its first unit in that order.
//
// Every stage writes results by index and merges them in a fixed order, so the result is the
// same, byte for byte, whatever the executor and its thread count.

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/cluster.hpp>
#include <ditto/concepts.hpp>
#include <ditto/dedup.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/index/prefix_index.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/text_shingler.hpp>
#include <ditto/verify.hpp>

namespace ditto::inline v0_1 {

/// The least overlap m with m / size >= threshold (compared as the pipeline compares it), for
/// size >= 1 and threshold in (0, 1].
[[nodiscard]] inline std::size_t containment_overlap(std::size_t size, double threshold) noexcept {
    const double s = static_cast<double>(size);
    auto m = static_cast<std::size_t>(std::ceil(threshold * s));
    while (m > 1 && static_cast<double>(m - 1) / s >= threshold) --m;
    while (m < size && static_cast<double>(m) / s < threshold) ++m;
    return std::max<std::size_t>(m, 1);
}

namespace detail {

inline void validate_containment(const dedup_options& o) {
    if (!(o.threshold > 0.0 && o.threshold <= 1.0))
        throw_invalid_argument("containment_dedup", "threshold", "in (0, 1]", format_double(o.threshold));
    if (o.shingles != shingle_kind::words && o.shingles != shingle_kind::characters)
        throw_invalid_argument("containment_dedup", "shingles", "words or characters", "another value");
    if (o.ngram < 1 || o.ngram > max_shingle_size)
        throw_invalid_argument("containment_dedup", "ngram", "in [1, 1024]", std::to_string(o.ngram));
    if (o.shingles == shingle_kind::characters && o.ngram > max_char_shingle_size)
        throw_invalid_argument("containment_dedup", "ngram", "in [1, 64] for character shingles", std::to_string(o.ngram));
}

// A verified pair of units (u < v) with its shared shingles and containment.
struct containment_pair {
    std::uint32_t u, v;
    std::uint32_t common;
    double similarity;
};

// Greedy clusters without listing the pairs. Units in keep order (unit_better: larger sets
// first); each is compared only with the units kept before it, found through an index of the
// kept units' shingles by its prefix in the shared order (`ordered`, rarest first) and the
// positional filter, and joins the kept unit it shares the most shingles with (then the first in
// keep order) among those containing it to at least the threshold, or is kept. These are the
// clusters cluster_greedy makes of every verified pair with that affinity: prefix filtering misses
// no kept unit that contains it. But a family of m near-copies costs m probes of its few kept
// units, not m^2 pairs. In batches: every unit of a batch first probes the units kept before the
// batch, in parallel, then, in order, those kept within the batch.
template <class UnitBetter, executor E>
clustering greedy_containment_clusters(const std::vector<std::vector<std::uint64_t>>& unit_set,
                                       const std::vector<std::vector<std::uint32_t>>& ordered, UnitBetter& unit_better,
                                       double threshold, E& exec, dedup_stats& stats) {
    const std::size_t units = unit_set.size();
    const std::vector<std::size_t> order = keep_order(units, unit_better);
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    struct choice {
        std::size_t common = 0, rank = none;  // the best kept unit so far (rank none: not one yet)
    };
    struct counts {
        std::size_t candidates = 0;
        double seconds = 0;
    };
    // v's best kept unit in table (postings: (rank, place, size)), starting from `best`.
    const auto probe = [&](std::size_t v, const posting_table& table, choice best, std::vector<std::uint32_t>& found,
                           counts& c) {
        const std::size_t size_v = unit_set[v].size();
        if (size_v == 0) return best;  // contained in nothing
        const std::size_t m = containment_overlap(size_v, threshold);
        const std::size_t prefix = size_v - m + 1;
        found.clear();
        for (std::size_t i = 0; i < prefix; ++i)
            for (std::uint32_t at = table.head(ordered[v][i]); at != 0;) {
                const posting& e = table.at(at);
                if (std::min<std::size_t>(size_v - i, std::size_t{e.size} - e.place) >= m) found.push_back(e.id);
                at = e.next;
            }
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
        c.candidates += found.size();
        const auto started = std::chrono::steady_clock::now();
        for (const std::uint32_t r : found) {
            const std::size_t common = lane_intersection(unit_set[v], unit_set[order[r]], m);
            if (common < m || static_cast<double>(common) / static_cast<double>(size_v) < threshold) continue;
            if (best.rank == none || common > best.common || (common == best.common && r < best.rank)) best = {common, r};
        }
        c.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return best;
    };
    const auto file = [&](posting_table& table, std::size_t v, std::size_t rank) {
        const auto& shingles = ordered[v];
        for (std::size_t p = 0; p < shingles.size(); ++p)
            table.add(shingles[p], posting{static_cast<std::uint32_t>(rank), static_cast<std::uint32_t>(p),
                                           static_cast<std::uint32_t>(shingles.size()), 0});
    };
    for (const auto& set : unit_set)
        if (set.size() > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("containment_dedup: a set of 2^32 shingles or more");

    clustering out;
    out.cluster.assign(units, units);
    out.keep.assign(units, false);
    posting_table kept_before;
    counts all;
    std::mutex counts_mutex;
    constexpr std::size_t batch = 2048;
    std::vector<choice> before(batch);
    std::vector<std::size_t> kept_in_batch;
    std::vector<std::uint32_t> found;
    for (std::size_t first = 0; first < units; first += batch) {
        const std::size_t last = std::min(units, first + batch);
        for_chunks(exec, last - first, units_per_task, [&](std::size_t from, std::size_t to) {
            counts mine;
            std::vector<std::uint32_t> scratch;
            for (std::size_t x = from; x < to; ++x) before[x] = probe(order[first + x], kept_before, choice{}, scratch, mine);
            std::lock_guard lock(counts_mutex);
            all.candidates += mine.candidates;
            all.seconds += mine.seconds;
        });
        posting_table kept_within;
        for (std::size_t x = 0; x < last - first; ++x) {
            const std::size_t v = order[first + x];
            const choice best = probe(v, kept_within, before[x], found, all);  // ranks within follow those before
            if (best.rank == none) {
                out.keep[v] = true;
                out.cluster[v] = v;
                ++out.cluster_count;
                file(kept_within, v, first + x);
                kept_in_batch.push_back(x);
            } else {
                out.cluster[v] = order[best.rank];
            }
        }
        for (const std::size_t x : kept_in_batch) file(kept_before, order[first + x], first + x);
        kept_in_batch.clear();
    }
    stats.candidates = stats.verified = all.candidates;
    stats.seconds_verification = stats.seconds_exact_verification = all.seconds;  // no prefilter: all of it exact
    return out;
}

}  // namespace detail

/// Runs the containment pipeline over a random-access range of documents on exec; better(a, b)
/// says that document a is to be kept rather than b among units of equal set size (a strict weak
/// order on indices; ties keep the earlier). Of the options it uses threshold (on containment),
/// shingles, ngram, normalization, seed, keep (through better), clustering, collect_pairs,
/// pair_sink (given the pairs once they are all found, in chunks) and progress; the MinHash ones
/// (sketch_size, recall, bands_rows, exact, prefilter_*, split_buckets, shingle_memory) do not
/// apply. In the stats, lsh, buckets and prefiltered stay 0; candidates counts the pairs that
/// pass the prefix and positional filters, all verified. Throws std::invalid_argument for invalid
/// options or more than 2^32 - 2 documents, and whatever normalization throws.
template <std::ranges::random_access_range R, executor E, class Better>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result containment_dedup(const R& documents, const dedup_options& options, E& exec, Better better) {
    static_assert(stable_document_range<const R&>,
                  "ditto::containment_dedup: the range yields documents by value, so each document's text would "
                  "be read after the temporary holding it is gone. Pass a range of lvalues (e.g. a std::vector of "
                  "the documents), or, when the document type only views text owned elsewhere, specialize "
                  "ditto::enable_borrowed_text<Document> as true.");
    detail::validate_containment(options);
    using u32 = std::uint32_t;
    const std::size_t n = static_cast<std::size_t>(std::ranges::size(documents));
    if (n > std::numeric_limits<u32>::max() - 1)
        detail::throw_invalid_argument("containment_dedup", "documents", "at most 4294967294", std::to_string(n));
    detail::stopwatch clock, total;
    dedup_result result;
    dedup_stats& stats = result.stats;
    stats.documents = n;
    stats.threads = exec.concurrency();
    const auto begin = std::ranges::begin(documents);
    auto text = [&](std::size_t i) -> std::string_view { return ditto::text_of(begin[static_cast<std::ptrdiff_t>(i)]); };
    const normalizer normalize(options.normalization);
    const text_shingler shingle(options.shingles, options.normalization, options.ngram, options.seed);
    detail::progress_reporter progress(options.progress);
    const double threshold = options.threshold;

    // Stage 1: byte-identical texts. first_raw[i]: the first document with i's bytes.
    progress.start("exact", n);
    std::vector<u32> first_raw = detail::first_same_bytes(exec, n, text, [&](std::size_t done) { progress.advance(done); });
    std::vector<u32> distinct;  // the first document of each distinct byte string, ascending
    for (std::size_t i = 0; i < n; ++i)
        if (first_raw[i] == i) distinct.push_back(static_cast<u32>(i));
    const std::size_t d_count = distinct.size();
    stats.seconds_exact = clock.lap();

    // Stage 2: per distinct text, its sorted shingle set and the hash of its shingle sequence
    // (equal normalized texts have equal sequences, so only texts sharing a sequence are
    // normalized to tell them apart).
    std::vector<std::vector<std::uint64_t>> sets(d_count);
    std::vector<content_hash> sequence_hash(d_count);
    std::vector<std::size_t> task_bytes((d_count + detail::documents_per_task - 1) / detail::documents_per_task);
    std::vector<std::size_t> task_shingles(task_bytes.size());
    progress.start("sketch", d_count);
    detail::for_chunks(exec, d_count, detail::documents_per_task, [&](std::size_t first, std::size_t last) {
        const std::size_t task = first / detail::documents_per_task;
        for (std::size_t d = first; d < last; ++d) {
            const std::string_view t = text(distinct[d]);
            task_bytes[task] += t.size();
            std::vector<std::uint64_t>& hashes = sets[d];
            shingle(t, [&](std::uint64_t h) { hashes.push_back(h); });
            sequence_hash[d] = hash128(std::string_view(reinterpret_cast<const char*>(hashes.data()), hashes.size() * sizeof(std::uint64_t)));
            task_shingles[task] += hashes.size();
            make_set(hashes);
            hashes.shrink_to_fit();
        }
        progress.advance(last - first);
    });
    for (std::size_t t = 0; t < task_bytes.size(); ++t) {
        stats.bytes += task_bytes[t];
        stats.shingles += task_shingles[t];
    }
    std::vector<u32> first_norm = detail::first_same_normalized(exec, sequence_hash, [&](std::size_t d, std::string& out) {
        normalize.normalize(text(distinct[d]), out);
    });
    stats.seconds_sketch = clock.lap();

    // Units: distinct normalized texts, numbered in the order of their first documents.
    std::vector<u32> unit_of_distinct(d_count), unit_doc;
    std::vector<std::vector<std::uint64_t>> unit_set;
    for (std::size_t d = 0; d < d_count; ++d) {
        if (first_norm[d] != d) {
            unit_of_distinct[d] = unit_of_distinct[first_norm[d]];
            std::vector<std::uint64_t>().swap(sets[d]);
            continue;
        }
        unit_of_distinct[d] = static_cast<u32>(unit_doc.size());
        unit_doc.push_back(distinct[d]);
        unit_set.push_back(std::move(sets[d]));
    }
    std::vector<std::vector<std::uint64_t>>().swap(sets);
    const std::size_t units = unit_doc.size();
    std::vector<u32> unit_of_doc(n);
    {
        std::vector<u32> ordinal(n, 0);
        for (std::size_t d = 0; d < d_count; ++d) ordinal[distinct[d]] = static_cast<u32>(d);
        for (std::size_t i = 0; i < n; ++i) unit_of_doc[i] = unit_of_distinct[ordinal[first_raw[i]]];
    }
    std::vector<u32>().swap(first_raw);
    std::vector<u32>().swap(first_norm);
    stats.units = units;
    stats.exact_duplicates = n - units;
    result.exact_of.resize(n);
    for (std::size_t i = 0; i < n; ++i) result.exact_of[i] = unit_doc[unit_of_doc[i]];
    std::size_t set_values = 0;
    for (std::size_t u = 0; u < units; ++u) set_values += unit_set[u].size();
    for (std::size_t i = 0; i < n; ++i)
        if (unit_set[unit_of_doc[i]].empty()) ++stats.empty_documents;
    stats.set_bytes = set_values * sizeof(std::uint64_t);

    // Stage 3: every distinct shingle numbered (keys, ascending), each unit's shingles as numbers
    // in the shared order (fewest units first, then by number), and per number the (unit,
    // position) of its occurrences, ascending by unit.
    progress.start("candidates", units);
    std::vector<std::uint64_t> keys;
    keys.reserve(set_values);
    for (const auto& s : unit_set) keys.insert(keys.end(), s.begin(), s.end());
    make_set(keys);
    if (keys.size() > std::numeric_limits<u32>::max())
        detail::throw_invalid_argument("containment_dedup", "documents", "at most 2^32 - 1 distinct shingles",
                                       std::to_string(keys.size()));
    // Hashes are uniform, so their top bits find a key's neighbourhood: directory[v] is the first
    // key whose top `bits` bits are at least v (a binary search over all keys per shingle cost
    // most of this stage).
    const unsigned bits = std::min(28u, static_cast<unsigned>(std::bit_width(keys.size())));
    std::vector<u32> directory((std::size_t{1} << bits) + 1);
    {
        std::size_t x = 0;
        for (std::size_t v = 0; v < directory.size(); ++v) {
            while (x < keys.size() && bits != 0 && (keys[x] >> (64 - bits)) < v) ++x;
            directory[v] = static_cast<u32>(bits == 0 && v != 0 ? keys.size() : x);
        }
    }
    std::vector<std::vector<u32>> ordered(units);
    detail::for_chunks(exec, units, detail::units_per_task, [&](std::size_t first, std::size_t last) {
        for (std::size_t u = first; u < last; ++u) {
            auto& out = ordered[u];
            out.resize(unit_set[u].size());
            for (std::size_t x = 0; x < out.size(); ++x) {
                const std::uint64_t h = unit_set[u][x];
                const std::size_t v = bits == 0 ? 0 : static_cast<std::size_t>(h >> (64 - bits));
                const auto at = std::lower_bound(keys.begin() + directory[v], keys.begin() + directory[v + 1], h);
                out[x] = static_cast<u32>(at - keys.begin());
            }
        }
    });
    std::vector<std::size_t> list_start(keys.size() + 1, 0);
    for (const auto& o : ordered)
        for (const u32 key : o) ++list_start[std::size_t{key} + 1];
    // Each unit's shingles in the shared order: (units holding it, number) packed in 64 bits and
    // sorted, so the sort reads no table.
    detail::for_chunks(exec, units, detail::units_per_task, [&](std::size_t first, std::size_t last) {
        std::vector<std::uint64_t> packed;
        for (std::size_t u = first; u < last; ++u) {
            packed.clear();
            for (const u32 key : ordered[u])
                packed.push_back((static_cast<std::uint64_t>(list_start[std::size_t{key} + 1]) << 32) | key);
            std::sort(packed.begin(), packed.end());
            for (std::size_t x = 0; x < packed.size(); ++x) ordered[u][x] = static_cast<u32>(packed[x]);
        }
    });
    std::vector<u32>().swap(directory);

    // Units in keep order: the larger set first, equal sizes by the keep rule lifted to units (a
    // unit is as good as its best document).
    std::vector<u32> best_doc(unit_doc.begin(), unit_doc.end());
    for (std::size_t i = 0; i < n; ++i)
        if (better(i, best_doc[unit_of_doc[i]])) best_doc[unit_of_doc[i]] = static_cast<u32>(i);
    auto unit_better = [&](std::size_t x, std::size_t y) {
        const std::size_t sx = unit_set[x].size(), sy = unit_set[y].size();
        return sx != sy ? sx > sy : better(best_doc[x], best_doc[y]);
    };
    clustering unit_clusters;
    std::vector<std::vector<detail::containment_pair>> found;
    if (!options.collect_pairs && options.clustering == cluster_rule::greedy) {
        std::vector<std::uint64_t>().swap(keys);
        std::vector<std::size_t>().swap(list_start);
        unit_clusters = detail::greedy_containment_clusters(unit_set, ordered, unit_better, threshold, exec, stats);
        stats.seconds_candidates = clock.lap();
    } else {
        for (std::size_t key = 0; key < keys.size(); ++key) list_start[key + 1] += list_start[key];
        struct occurrence {
            u32 unit, position;
        };
        std::vector<occurrence> lists(set_values);
        {
            std::vector<std::size_t> fill(list_start.begin(), list_start.end() - 1);
            for (std::size_t u = 0; u < units; ++u)
                for (std::size_t p = 0; p < ordered[u].size(); ++p)
                    lists[fill[ordered[u][p]]++] = occurrence{static_cast<u32>(u), static_cast<u32>(p)};
        }
        stats.index_bytes = keys.size() * (sizeof(std::uint64_t) + sizeof(std::size_t)) + set_values * (sizeof(u32) + sizeof(occurrence));
        std::vector<std::uint64_t>().swap(keys);

        // Stage 4: candidates and their exact overlap. Unit a probes the lists of its prefix; a
        // candidate b is larger (or as large, and later), and its first shared shingle leaves room
        // for m shared ones in both orders.
        using pair_found = detail::containment_pair;
        const std::size_t tasks = (units + detail::units_per_task - 1) / detail::units_per_task;
        found.resize(tasks);
        std::mutex counts_mutex;
        std::size_t candidates = 0;
        double seconds_verify = 0;
        exec.bulk(tasks, [&](std::size_t task) {
            std::vector<u32> mine;
            std::size_t my_candidates = 0;
            double my_seconds = 0;
            const std::size_t first = task * detail::units_per_task, last = std::min(units, first + detail::units_per_task);
            for (std::size_t a = first; a < last; ++a) {
                const std::size_t size_a = unit_set[a].size();
                if (size_a == 0) continue;
                const std::size_t m = containment_overlap(size_a, threshold);
                const std::size_t prefix = size_a - m + 1;
                mine.clear();
                for (std::size_t i = 0; i < prefix; ++i) {
                    const u32 key = ordered[a][i];
                    for (std::size_t e = list_start[key]; e < list_start[std::size_t{key} + 1]; ++e) {
                        const occurrence o = lists[e];
                        const std::size_t size_b = unit_set[o.unit].size();
                        if (o.unit == a || size_b < size_a || (size_b == size_a && o.unit < a)) continue;
                        if (std::min(size_a - i, size_b - o.position) < m) continue;
                        mine.push_back(o.unit);
                    }
                }
                std::sort(mine.begin(), mine.end());
                mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
                my_candidates += mine.size();
                const auto started = std::chrono::steady_clock::now();
                for (const u32 b : mine) {
                    const std::size_t common = detail::lane_intersection(unit_set[a], unit_set[b], m);
                    const double c = static_cast<double>(common) / static_cast<double>(size_a);
                    if (common >= m && c >= threshold)
                        found[task].push_back({std::min(static_cast<u32>(a), b), std::max(static_cast<u32>(a), b), static_cast<u32>(common), c});
                }
                my_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            }
            std::lock_guard lock(counts_mutex);
            candidates += my_candidates;
            seconds_verify += my_seconds;
            progress.advance(last - first);
        });
        stats.candidates = stats.verified = candidates;
        stats.seconds_verification = stats.seconds_exact_verification = seconds_verify;  // no prefilter
        stats.seconds_candidates = clock.lap();

        // Clusters over units, in keep order.
        progress.start("cluster", n);
        std::vector<std::pair<std::size_t, std::size_t>> edges;
        std::vector<std::uint32_t> common;  // a kept unit is never smaller, so this orders by containment
        for (const auto& f : found)
            for (const pair_found& p : f) {
                edges.emplace_back(p.u, p.v);
                common.push_back(p.common);
            }
        unit_clusters = options.clustering == cluster_rule::greedy
                            ? cluster_greedy(units, edges, std::span<const std::uint32_t>(common), unit_better)
                            : cluster(units, edges, unit_better);
    }  // every pair listed
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

    if (options.collect_pairs) {
        for (const auto& f : found)
            for (const detail::containment_pair& p : f) result.pairs.push_back(similar_pair{unit_doc[p.u], unit_doc[p.v], p.similarity});
        for (std::size_t i = 0; i < n; ++i)
            if (result.exact_of[i] != i) result.pairs.push_back(similar_pair{result.exact_of[i], i, 1.0});
        std::sort(result.pairs.begin(), result.pairs.end(), [](const similar_pair& x, const similar_pair& y) {
            return x.first != y.first ? x.first < y.first : x.second < y.second;
        });
        stats.similar_pairs = result.pairs.size();
        if (options.pair_sink) {
            constexpr std::size_t chunk = 4096;
            for (std::size_t p = 0; p < result.pairs.size(); p += chunk)
                options.pair_sink(std::span<const similar_pair>(result.pairs).subspan(p, std::min(chunk, result.pairs.size() - p)));
            std::vector<similar_pair>().swap(result.pairs);
        }
    }
    stats.seconds_verify = clock.lap();
    stats.seconds_total = total.lap();
    return result;
}

/// Runs the containment pipeline on exec, keeping copies by options.keep among units of equal size.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result containment_dedup(const R& documents, const dedup_options& options, E& exec) {
    return detail::with_keep_rule(documents, options.keep, [&](auto better) { return containment_dedup(documents, options, exec, better); });
}

/// Runs the containment pipeline on a thread pool with one thread per core.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] dedup_result containment_dedup(const R& documents, const dedup_options& options = {}) {
    thread_pool pool;
    return containment_dedup(documents, options, pool);
}

}  // namespace ditto
