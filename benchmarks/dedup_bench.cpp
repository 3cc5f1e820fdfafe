// End-to-end throughput of ditto::dedup on a generated corpus with planted near-duplicates
// (documents of about 2 KB), on 1 and 2 threads: documents/s, MB/s, stage times, peak resident
// memory, index bytes per band per document, candidates per similar pair, and precision/recall
// against an exact brute-force search for a sample of documents.
//
// The brute force: the shingle sets of the sampled documents go into a map from shingle to
// sample members; one pass over every document counts its shingles shared with each sampled
// document, which gives the exact Jaccard similarity of every pair involving the sample (pairs
// sharing no shingle have similarity 0).
//
// Usage: dedup_bench [--originals N] [--sample N] [--repeat N] [--json]
//   --originals  original documents (default 100000; each gets 0-2 copies, about 200,000 in all)
//   --sample     documents in the precision/recall sample (default 2000)

#include <ditto/ditto.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_support.hpp"
#include "support/planted_corpus.hpp"

namespace {

using bench::figure;

struct accuracy {
    double precision, recall;
    std::size_t true_pairs;
};

accuracy check_sample(const std::vector<std::string>& docs, const ditto::dedup_result& result, double threshold,
                      std::size_t sample_size) {
    const std::size_t n = docs.size();
    const std::size_t step = std::max<std::size_t>(1, n / sample_size);
    std::vector<std::size_t> sample;
    for (std::size_t i = 0; i < n && sample.size() < sample_size; i += step) sample.push_back(i);
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> owners;  // shingle -> sample positions
    std::vector<std::size_t> sample_set_size(sample.size());
    for (std::size_t s = 0; s < sample.size(); ++s) {
        const auto set = ditto::shingle_set(docs[sample[s]]);
        sample_set_size[s] = set.size();
        for (const auto h : set) owners[h].push_back(static_cast<std::uint32_t>(s));
    }
    std::set<std::pair<std::size_t, std::size_t>> truth;
    std::vector<std::size_t> shared(sample.size());
    for (std::size_t d = 0; d < n; ++d) {
        const auto set = ditto::shingle_set(docs[d]);
        std::vector<std::uint32_t> touched;
        for (const auto h : set) {
            const auto it = owners.find(h);
            if (it == owners.end()) continue;
            for (const auto s : it->second)
                if (shared[s]++ == 0) touched.push_back(s);
        }
        for (const auto s : touched) {
            const double j = static_cast<double>(shared[s]) /
                             static_cast<double>(set.size() + sample_set_size[s] - shared[s]);
            if (sample[s] != d && j >= threshold) truth.emplace(std::min(sample[s], d), std::max(sample[s], d));
            shared[s] = 0;
        }
    }
    const std::set<std::size_t> in_sample(sample.begin(), sample.end());
    std::size_t reported = 0, correct = 0;
    for (const auto& p : result.pairs) {
        if (!in_sample.count(p.first) && !in_sample.count(p.second)) continue;
        ++reported;
        if (truth.count({p.first, p.second})) ++correct;
    }
    return {reported == 0 ? 1.0 : static_cast<double>(correct) / static_cast<double>(reported),
            truth.empty() ? 1.0 : static_cast<double>(correct) / static_cast<double>(truth.size()), truth.size()};
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t originals = 100000, sample = 2000, repeat = 1;
    bench::options opts;
    opts.numbers = {{"--originals", &originals}, {"--sample", &sample}, {"--repeat", &repeat}};
    opts.parse(argc, argv, "dedup_bench [--originals N] [--sample N] [--repeat N] [--json]");

    ditto_test::corpus_options corpus;
    corpus.originals = originals;
    corpus.max_copies = 2;
    corpus.min_words = 220;
    corpus.max_words = 420;
    corpus.vocabulary = 50000;
    corpus.odd_texts = true;
    corpus.seed = 12345;
    const std::vector<std::string> docs = ditto_test::make_corpus(corpus);
    std::size_t bytes = 0;
    for (const auto& d : docs) bytes += d.size();
    const double mb = static_cast<double>(bytes) / 1e6;
    const std::size_t rss_corpus = bench::peak_rss_bytes();

    std::vector<figure> figures;
    figures.push_back({"corpus/documents", static_cast<double>(docs.size()), "docs"});
    figures.push_back({"corpus/bytes_per_document", static_cast<double>(bytes) / static_cast<double>(docs.size()), "B"});
    const ditto::dedup_options options;
    ditto::dedup_result last;
    for (const std::size_t threads : {1u, 2u}) {
        ditto::thread_pool pool(threads);
        double best = 1e300;
        for (std::size_t r = 0; r < repeat; ++r) {
            ditto::dedup_result result = ditto::dedup(docs, options, pool);
            if (result.stats.seconds_total < best) {
                best = result.stats.seconds_total;
                last = std::move(result);
            }
        }
        const auto& st = last.stats;
        const std::string prefix = "dedup/threads_" + std::to_string(threads) + "/";
        figures.push_back({prefix + "documents_per_second", static_cast<double>(docs.size()) / best, "docs/s"});
        figures.push_back({prefix + "throughput", mb / best, "MB/s"});
        figures.push_back({prefix + "seconds_sketch", st.seconds_sketch, "s"});
        figures.push_back({prefix + "seconds_candidates", st.seconds_candidates, "s"});
        figures.push_back({prefix + "seconds_verify", st.seconds_verify, "s"});
        figures.push_back({prefix + "seconds_cluster", st.seconds_cluster, "s"});
    }
    const auto& st = last.stats;
    const std::size_t indexed = st.documents - st.empty_documents;
    figures.push_back({"dedup/bands", static_cast<double>(st.lsh.bands), "bands"});
    figures.push_back({"dedup/rows", static_cast<double>(st.lsh.rows), "rows"});
    figures.push_back({"dedup/index_bytes_per_band_per_document",
                       static_cast<double>(st.index_bytes) / static_cast<double>(indexed * st.lsh.bands), "B"});
    figures.push_back({"dedup/candidates", static_cast<double>(st.candidates), "pairs"});
    figures.push_back({"dedup/similar_pairs", static_cast<double>(st.similar_pairs), "pairs"});
    figures.push_back({"dedup/candidates_per_similar_pair",
                       static_cast<double>(st.candidates) / static_cast<double>(std::max<std::size_t>(1, st.similar_pairs)), "x"});
    figures.push_back({"dedup/clusters", static_cast<double>(st.clusters), "clusters"});
    figures.push_back({"memory/peak_rss", static_cast<double>(bench::peak_rss_bytes()) / 1e6, "MB"});
    figures.push_back({"memory/peak_rss_above_corpus", static_cast<double>(bench::peak_rss_bytes() - rss_corpus) / 1e6, "MB"});
    const accuracy a = check_sample(docs, last, options.threshold, sample);
    figures.push_back({"accuracy/sample_true_pairs", static_cast<double>(a.true_pairs), "pairs"});
    figures.push_back({"accuracy/precision", a.precision, ""});
    figures.push_back({"accuracy/recall", a.recall, ""});
    bench::print_figures(figures, opts.json);
    return 0;
}
