// MinHash (ditto::dedup) against SimHash (ditto::simhash_dedup) against containment
// (ditto::containment_dedup) on one generated corpus with planted near-duplicates and excerpts,
// in the same run: precision and recall against exact Jaccard and exact containment at
// thresholds 0.8 and 0.9, documents/s, and bytes per document of sketches, index and sets; then
// the same figures as one side-by-side table (not with --json).
//
// Accuracy: every pair that involves one of a sample of documents, by brute force (each sample
// document's shingle set against every document's, through a map from shingle to the sample
// documents holding it). Texts without shingles are left out of both sides: they are similar
// only as exact duplicates, which every method finds the same way.
//
// Bytes per document: MinHash: its LSH band keys and sort records (stats.index_bytes) plus the
// 16-bit prefilter slots it keeps per distinct text (sketch_size x 2 bytes); SimHash: the 8-byte
// fingerprints, row numbers and the one table in use (stats.index_bytes); containment: its
// inverted lists, shingle numbers and ordered sets (stats.index_bytes). Separately, the sorted
// shingle sets each keeps for exact verification (stats.set_bytes): MinHash those of the texts in
// an LSH bucket, SimHash and containment all.
//
// Usage: method_bench [--originals N] [--sample N] [--threads N] [--excerpt-every N] [--json]
//   --originals      original documents (default 10000; with 0-6 copies each, about 40,000 documents)
//   --sample         documents in the accuracy sample (default 1500)
//   --threads        worker threads (default 2)
//   --excerpt-every  after every N-th document of at least 40 words, add a contiguous excerpt of
//                    30-90 % of its words (default 10; 0: none, the corpus of the first runs)

#include <ditto/containment_dedup.hpp>
#include <ditto/dedup.hpp>
#include <ditto/parallel.hpp>
#include <ditto/simhash_dedup.hpp>
#include <ditto/verify.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bench_support.hpp"
#include "support/planted_corpus.hpp"

namespace {

using pair_set = std::set<std::pair<std::size_t, std::size_t>>;

// The sample and, per threshold, every pair at or above it that involves a sample document, by
// Jaccard and by containment (of the smaller set in the larger).
struct ground_truth {
    std::vector<std::uint8_t> in_sample;
    std::vector<std::uint8_t> empty;  // no shingles
    std::vector<std::pair<pair_set, double>> at;  // (pairs, threshold)
    std::vector<pair_set> contained;  // per threshold of `at`
};

ground_truth brute_force(const std::vector<std::string>& docs, std::size_t sample_size, const std::vector<double>& thresholds) {
    const std::size_t n = docs.size();
    ground_truth g;
    g.in_sample.assign(n, 0);
    g.empty.assign(n, 0);
    std::vector<std::vector<std::uint64_t>> sets(n);
    for (std::size_t d = 0; d < n; ++d) {
        sets[d] = ditto::shingle_set(docs[d]);
        g.empty[d] = sets[d].empty() ? 1 : 0;
    }
    std::vector<std::size_t> sample;
    for (std::size_t i = 0; i < n && sample.size() < sample_size; i += std::max<std::size_t>(1, n / sample_size))
        if (!g.empty[i]) sample.push_back(i);
    for (const std::size_t s : sample) g.in_sample[s] = 1;
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> holders;  // shingle -> sample positions
    for (std::size_t s = 0; s < sample.size(); ++s)
        for (const std::uint64_t h : sets[sample[s]]) holders[h].push_back(static_cast<std::uint32_t>(s));
    for (const double t : thresholds) g.at.emplace_back(pair_set{}, t);
    g.contained.resize(thresholds.size());
    std::vector<std::size_t> common(sample.size(), 0);
    std::vector<std::uint32_t> touched;
    for (std::size_t d = 0; d < n; ++d) {
        touched.clear();
        for (const std::uint64_t h : sets[d]) {
            const auto it = holders.find(h);
            if (it == holders.end()) continue;
            for (const std::uint32_t s : it->second)
                if (common[s]++ == 0) touched.push_back(s);
        }
        for (const std::uint32_t s : touched) {
            const std::size_t other = sample[s];
            const double j = static_cast<double>(common[s]) /
                             static_cast<double>(sets[d].size() + sets[other].size() - common[s]);
            const double c = static_cast<double>(common[s]) / static_cast<double>(std::min(sets[d].size(), sets[other].size()));
            common[s] = 0;
            if (other == d) continue;
            for (std::size_t t = 0; t < g.at.size(); ++t) {
                if (j >= g.at[t].second) g.at[t].first.emplace(std::min(other, d), std::max(other, d));
                if (c >= g.at[t].second) g.contained[t].emplace(std::min(other, d), std::max(other, d));
            }
        }
    }
    return g;
}

struct accuracy {
    double precision, recall;
    std::size_t truth;
};

accuracy score(const ditto::dedup_result& r, const ground_truth& g, const pair_set& truth) {
    std::size_t reported = 0, correct = 0;
    for (const auto& p : ditto::expand_pairs(r)) {
        if (!(g.in_sample[p.first] || g.in_sample[p.second]) || g.empty[p.first] || g.empty[p.second]) continue;
        ++reported;
        correct += truth.count({p.first, p.second});
    }
    return {reported ? static_cast<double>(correct) / static_cast<double>(reported) : 1.0,
            truth.empty() ? 1.0 : static_cast<double>(correct) / static_cast<double>(truth.size()), truth.size()};
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t originals = 10000, sample = 1500, threads = 2, excerpt_every = 10;
    bench::options cli;
    cli.numbers = {{"--originals", &originals}, {"--sample", &sample}, {"--threads", &threads}, {"--excerpt-every", &excerpt_every}};
    cli.parse(argc, argv, "method_bench [--originals N] [--sample N] [--threads N] [--excerpt-every N] [--json]");

    ditto_test::corpus_options co;
    co.originals = originals;
    co.max_edit_rate = 0.05;
    co.min_words = 150;
    co.max_words = 450;
    co.seed = 31;
    std::vector<std::string> docs = ditto_test::make_corpus(co);
    if (excerpt_every > 0) {  // contiguous excerpts of 30-90 % of a document's words
        ditto_test::rng g{7};
        const std::size_t planted = docs.size();
        for (std::size_t d = 0, seen = 0; d < planted; ++d) {
            std::vector<std::string> words;
            for (std::size_t at = 0; at < docs[d].size();) {
                const std::size_t end = std::min(docs[d].find(' ', at), docs[d].size());
                if (end > at) words.push_back(docs[d].substr(at, end - at));
                at = end + 1;
            }
            if (words.size() < 40 || ++seen % excerpt_every != 0) continue;
            const std::size_t length = words.size() * (30 + g.below(61)) / 100, from = g.below(words.size() - length + 1);
            std::string excerpt;
            for (std::size_t w = from; w < from + length; ++w) (excerpt += w > from ? " " : "") += words[w];
            docs.push_back(std::move(excerpt));
        }
    }
    std::size_t bytes = 0;
    for (const auto& d : docs) bytes += d.size();
    const std::vector<double> thresholds{0.8, 0.9};
    const ground_truth truth = brute_force(docs, sample, thresholds);
    ditto::thread_pool pool(threads);
    const double n = static_cast<double>(docs.size());

    std::vector<bench::figure> figures;
    figures.push_back({"corpus: documents", n, "docs"});
    figures.push_back({"corpus: mean bytes per document", static_cast<double>(bytes) / n, "B"});
    auto timed = [](auto&& run) {
        const auto start = std::chrono::steady_clock::now();
        auto result = run();
        return std::pair(std::move(result), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
    struct row {
        std::string method;
        double threshold;
        accuracy jaccard, contained;
        double docs_per_second, index_bytes, set_bytes;
    };
    std::vector<row> table;
    for (std::size_t t = 0; t < thresholds.size(); ++t) {
        const double threshold = thresholds[t];
        const pair_set& pairs = truth.at[t].first;
        const pair_set& contained = truth.contained[t];
        char head[64];
        std::snprintf(head, sizeof head, "t %.1f: ", threshold);
        figures.push_back({std::string(head) + "true pairs in the sample", static_cast<double>(pairs.size()), "pairs"});
        figures.push_back({std::string(head) + "contained pairs in the sample", static_cast<double>(contained.size()), "pairs"});

        ditto::dedup_options mo;
        mo.threshold = threshold;
        const auto [minhash, minhash_seconds] = timed([&] { return ditto::dedup(docs, mo, pool); });
        const accuracy ma = score(minhash, truth, pairs);
        const std::string m = std::string(head) + "minhash: ";
        figures.push_back({m + "precision", ma.precision, ""});
        figures.push_back({m + "recall", ma.recall, ""});
        figures.push_back({m + "throughput", n / minhash_seconds, "docs/s"});
        figures.push_back({m + "sketch+index bytes per document",
                           static_cast<double>(minhash.stats.index_bytes + minhash.stats.units * mo.sketch_size * 2) / n, "B"});
        table.push_back({"MinHash (recall 0.995)", threshold, ma, score(minhash, truth, contained), n / minhash_seconds,
                         static_cast<double>(minhash.stats.index_bytes + minhash.stats.units * mo.sketch_size * 2) / n,
                         static_cast<double>(minhash.stats.set_bytes) / n});

        for (const unsigned k : {3u, 6u, 10u}) {
            ditto::simhash_dedup_options so;
            so.threshold = threshold;
            so.hamming = k;
            const auto [simhash, simhash_seconds] = timed([&] { return ditto::simhash_dedup(docs, so, pool); });
            const accuracy sa = score(simhash, truth, pairs);
            const std::string s = std::string(head) + "simhash k " + std::to_string(k) + ": ";
            figures.push_back({s + "precision", sa.precision, ""});
            figures.push_back({s + "recall", sa.recall, ""});
            figures.push_back({s + "throughput", n / simhash_seconds, "docs/s"});
            figures.push_back({s + "sketch+index bytes per document", static_cast<double>(simhash.stats.index_bytes) / n, "B"});
            figures.push_back({s + "candidates per document", static_cast<double>(simhash.stats.candidates) / n, ""});
            if (simhash.hamming.warning) std::fprintf(stderr, "method_bench: k %u: %s\n", k, simhash.hamming.warning_text().c_str());
            table.push_back({"SimHash k = " + std::to_string(k), threshold, sa, score(simhash, truth, contained), n / simhash_seconds,
                             static_cast<double>(simhash.stats.index_bytes) / n, static_cast<double>(simhash.stats.set_bytes) / n});
        }

        const auto [inclusion, containment_seconds] = timed([&] { return ditto::containment_dedup(docs, mo, pool); });
        const accuracy cj = score(inclusion, truth, pairs), cc = score(inclusion, truth, contained);
        const std::string c = std::string(head) + "containment: ";
        figures.push_back({c + "precision (against containment)", cc.precision, ""});
        figures.push_back({c + "recall (against containment)", cc.recall, ""});
        figures.push_back({c + "precision (against Jaccard)", cj.precision, ""});
        figures.push_back({c + "recall (against Jaccard)", cj.recall, ""});
        figures.push_back({c + "throughput", n / containment_seconds, "docs/s"});
        figures.push_back({c + "index bytes per document", static_cast<double>(inclusion.stats.index_bytes) / n, "B"});
        figures.push_back({c + "candidates per document", static_cast<double>(inclusion.stats.candidates) / n, ""});
        table.push_back({"containment (prefix filter)", threshold, cj, cc, n / containment_seconds,
                         static_cast<double>(inclusion.stats.index_bytes) / n, static_cast<double>(inclusion.stats.set_bytes) / n});
    }
    bench::print_figures(figures, cli.json);
    if (!cli.json) {
        std::printf("\n| method | t | P (Jaccard) | R (Jaccard) | P (containment) | R (containment) | docs/s | "
                    "sketch+index B/doc | sets B/doc |\n|---|---|---|---|---|---|---|---|---|\n");
        for (const row& r : table)
            std::printf("| %s | %.1f | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %.0f |\n", r.method.c_str(), r.threshold,
                        r.jaccard.precision, r.jaccard.recall, r.contained.precision, r.contained.recall, r.docs_per_second,
                        r.index_bytes, r.set_bytes);
    }
    return 0;
}
