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
// Usage: dedup_bench [--corpus planted|web|templates] [--originals N] [--sample N] [--repeat N] [--json]
//   --corpus     planted (default): about 2 KB documents with 0-2 light copies each;
//                web: the web-shaped corpus of web_corpus.hpp (storms, template families, Zipf copy
//                counts, short texts, several scripts, log pages), with accuracy at thresholds
//                0.5, 0.8 and 0.9 against the independent unit-level brute force;
//                templates: only template families, each page with 4 lightly edited copies
//   --originals  planted: original documents (default 100000; about 200,000 documents in all);
//                web: articles (default 60000)
//   --sample     documents (units) in the precision/recall sample (default 2000)
// Each corpus is timed on 1 and 2 threads, for clusters only and with every pair collected.

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
#include "web_corpus.hpp"

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
    for (const auto& p : ditto::expand_pairs(result)) {
        if (!in_sample.count(p.first) && !in_sample.count(p.second)) continue;
        // Texts without shingles are similar only as exact duplicates (equal normalized texts),
        // which this shingle-set brute force cannot see; the web corpus check covers them.
        if (ditto::shingle_set(docs[p.first]).empty()) continue;
        ++reported;
        if (truth.count({p.first, p.second})) ++correct;
    }
    return {reported == 0 ? 1.0 : static_cast<double>(correct) / static_cast<double>(reported),
            truth.empty() ? 1.0 : static_cast<double>(correct) / static_cast<double>(truth.size()), truth.size()};
}

// Unit-level precision and recall against the brute force: reported pairs of distinct normalized
// texts (the compact pairs between representatives) involving a sampled unit, and whether every
// document's representative is the brute force's.
struct unit_accuracy {
    double precision, recall;
    std::size_t true_pairs, reported, exact_mismatches;
};

unit_accuracy check_units(const bench::unit_truth& truth, const ditto::dedup_result& r) {
    unit_accuracy a{1, 1, 0, 0, 0};
    for (std::size_t i = 0; i < truth.unit_of.size(); ++i) a.exact_mismatches += r.exact_of[i] != truth.unit_of[i] ? 1u : 0u;
    std::unordered_map<std::size_t, std::size_t> position;
    for (std::size_t s = 0; s < truth.sample.size(); ++s) position[truth.sample[s]] = s;
    std::vector<std::set<std::size_t>> want(truth.sample.size());
    for (std::size_t s = 0; s < truth.sample.size(); ++s) {
        for (const auto& [u, j] : truth.similar[s]) want[s].insert(u);
        a.true_pairs += want[s].size();
    }
    std::size_t correct = 0;
    for (const auto& p : r.pairs) {
        if (r.exact_of[p.second] != p.second) continue;  // an exact-duplicate pair
        for (const auto& [x, y] : {std::pair(p.first, p.second), std::pair(p.second, p.first)}) {
            const auto it = position.find(x);
            if (it == position.end()) continue;
            ++a.reported;
            correct += want[it->second].count(y);
        }
    }
    a.precision = a.reported == 0 ? 1.0 : static_cast<double>(correct) / static_cast<double>(a.reported);
    a.recall = a.true_pairs == 0 ? 1.0 : static_cast<double>(correct) / static_cast<double>(a.true_pairs);
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t originals = 0, sample = 2000, repeat = 1, split_buckets = ditto::dedup_options{}.split_buckets;
    std::string kind = "planted";
    bool accuracy_only = false, clusters_only = false;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--corpus" && i + 1 < argc) kind = argv[++i];
        else if (std::string_view(argv[i]) == "--accuracy-only") accuracy_only = true;
        else if (std::string_view(argv[i]) == "--clusters-only") clusters_only = true;
        else rest.push_back(argv[i]);
    }
    const char* usage =
        "dedup_bench [--corpus planted|web|templates] [--accuracy-only] [--clusters-only] [--originals N] [--sample N] [--repeat N]\n"
        "                   [--split-buckets N (0: never)] [--json]";
    if (kind != "planted" && kind != "web" && kind != "templates") {
        std::fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    bench::options opts;
    opts.numbers = {{"--originals", &originals}, {"--sample", &sample}, {"--repeat", &repeat}, {"--split-buckets", &split_buckets}};
    opts.parse(static_cast<int>(rest.size()), rest.data(), usage);

    std::vector<std::string> docs;
    if (kind == "planted") {
        ditto_test::corpus_options corpus;
        corpus.originals = originals ? originals : 100000;
        corpus.max_copies = 2;
        corpus.min_words = 220;
        corpus.max_words = 420;
        corpus.vocabulary = 50000;
        corpus.odd_texts = true;
        corpus.seed = 12345;
        docs = ditto_test::make_corpus(corpus);
    } else {
        bench::web_options web;
        if (kind == "templates") {
            web = bench::templates_options();
        } else if (originals) {
            web.articles = originals;
        }
        docs = bench::make_web_corpus(web);
    }
    std::size_t bytes = 0;
    for (const auto& d : docs) bytes += d.size();
    const double mb = static_cast<double>(bytes) / 1e6;
    const std::size_t rss_corpus = bench::peak_rss_bytes();

    std::vector<figure> figures;
    {
        // Exact verification alone: 5 KB texts (about 850 words) and their sorted shingle sets in
        // memory, as the pipeline keeps them. Similar pairs: each text with its most similar other
        // text (a planted copy, J 0.7-1), as verified candidates are after the prefilter; timed at
        // the threshold 0.8 (what the pipeline does) and as a full merge. Unrelated pairs (J about
        // 0, every element a step of its own) as a full merge: the slowest case.
        ditto_test::corpus_options o;
        o.originals = 400;
        o.max_copies = 1;
        o.max_edit_rate = 0.03;
        o.min_words = 820;
        o.max_words = 880;
        o.vocabulary = 50000;
        o.odd_texts = false;
        const auto texts = ditto_test::make_corpus(o);
        std::vector<std::vector<std::uint64_t>> sets;
        for (const auto& t : texts) sets.push_back(ditto::shingle_set(t));
        std::vector<std::pair<std::size_t, std::size_t>> similar_pairs;
        for (std::size_t a = 0; a < sets.size(); ++a)
            for (std::size_t b = a + 1; b < sets.size(); ++b)
                if (ditto::jaccard(sets[a], sets[b]) >= 0.5) similar_pairs.emplace_back(a, b);
        auto time_pairs = [&](const std::vector<std::pair<std::size_t, std::size_t>>& pairs, double threshold) {
            std::size_t checks = 0, similar = 0;
            const double seconds = bench::best_seconds(3, [&] {
                checks = 0;
                for (int round = 0; round < 50; ++round)
                    for (const auto& [a, b] : pairs) {
                        similar += ditto::jaccard_at_least(sets[a], sets[b], threshold) >= 0.5 ? 1u : 0u;
                        ++checks;
                    }
            });
            bench::sink = similar;
            return seconds * 1e6 / static_cast<double>(checks);
        };
        std::vector<std::pair<std::size_t, std::size_t>> unrelated;
        for (std::size_t a = 0; a < sets.size(); ++a) unrelated.emplace_back(a, (a * 7 + 3) % sets.size());
        figures.push_back({"verify/similar_pairs_5kb", static_cast<double>(similar_pairs.size()), "pairs"});
        figures.push_back({"verify/us_per_similar_pair_5kb_at_0.8", time_pairs(similar_pairs, 0.8), "us"});
        figures.push_back({"verify/us_per_similar_pair_5kb_full_merge", time_pairs(similar_pairs, 0.0), "us"});
        figures.push_back({"verify/us_per_unrelated_pair_5kb_full_merge", time_pairs(unrelated, 0.0), "us"});
    }
    const std::string c = "corpus/" + kind + "/";
    figures.push_back({c + "documents", static_cast<double>(docs.size()), "docs"});
    figures.push_back({c + "megabytes", mb, "MB"});
    figures.push_back({c + "bytes_per_document", static_cast<double>(bytes) / static_cast<double>(docs.size()), "B"});
    ditto::dedup_result last;
    for (const bool pairs : {false, true}) {
        if (accuracy_only || (pairs && clusters_only)) break;
        for (const std::size_t threads : {1u, 2u}) {
            ditto::dedup_options options;
            options.collect_pairs = pairs;
            options.split_buckets = split_buckets;
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
            const std::string prefix =
                "dedup/" + std::string(pairs ? "pairs" : "clusters") + "/threads_" + std::to_string(threads) + "/";
            figures.push_back({prefix + "documents_per_second", static_cast<double>(docs.size()) / best, "docs/s"});
            figures.push_back({prefix + "throughput", mb / best, "MB/s"});
            figures.push_back({prefix + "seconds_total", best, "s"});
            figures.push_back({prefix + "seconds_exact", st.seconds_exact, "s"});
            figures.push_back({prefix + "seconds_sketch", st.seconds_sketch, "s"});
            figures.push_back({prefix + "seconds_candidates", st.seconds_candidates, "s"});
            figures.push_back({prefix + "seconds_sets", st.seconds_sets, "s"});
            figures.push_back({prefix + "seconds_verify_and_cluster", st.seconds_verify, "s"});
            figures.push_back({prefix + "verify_and_cluster_share_of_total", st.seconds_verify / best, ""});
            // Verification (judging candidates: the prefilters, then exact verification) is CPU
            // time summed over threads, as is exact verification alone.
            figures.push_back({prefix + "seconds_verification_cpu", st.seconds_verification, "s"});
            figures.push_back({prefix + "verification_share_of_total_cpu",
                               st.seconds_verification / (best * static_cast<double>(st.threads)), ""});
            figures.push_back({prefix + "seconds_exact_verification_cpu", st.seconds_exact_verification, "s"});
            figures.push_back({prefix + "exact_verification_share_of_total_cpu",
                               st.seconds_exact_verification / (best * static_cast<double>(st.threads)), ""});
            figures.push_back({prefix + "split_buckets", static_cast<double>(st.split_buckets), "buckets"});
            figures.push_back({prefix + "candidates", static_cast<double>(st.candidates), "pairs"});
            figures.push_back({prefix + "prefiltered", static_cast<double>(st.prefiltered), "pairs"});
            figures.push_back({prefix + "verified", static_cast<double>(st.verified), "pairs"});
            figures.push_back({prefix + "us_per_verified_candidate",
                               st.verified ? st.seconds_exact_verification * 1e6 / static_cast<double>(st.verified) : 0.0, "us"});
            if (pairs) {
                // Similar pairs of units (the compact pairs between representatives).
                std::size_t unit_pairs = 0;
                for (const auto& p : last.pairs) unit_pairs += last.exact_of[p.second] == p.second ? 1u : 0u;
                const double per = static_cast<double>(std::max<std::size_t>(1, unit_pairs));
                figures.push_back({prefix + "similar_unit_pairs", static_cast<double>(unit_pairs), "pairs"});
                figures.push_back({prefix + "candidates_per_similar_pair", static_cast<double>(st.candidates) / per, "x"});
                figures.push_back({prefix + "verified_per_similar_pair", static_cast<double>(st.verified) / per, "x"});
            }
            bench::print_figures(figures, opts.json);
            figures.clear();
        }
    }
    const auto& st = last.stats;
    if (!accuracy_only) {
    figures.push_back({"dedup/exact_duplicates", static_cast<double>(st.exact_duplicates), "docs"});
    figures.push_back({"dedup/units", static_cast<double>(st.units), "units"});
    figures.push_back({"dedup/buckets", static_cast<double>(st.buckets), "buckets"});
    figures.push_back({"dedup/largest_bucket", static_cast<double>(st.largest_bucket), "units"});
    figures.push_back({"dedup/bands", static_cast<double>(st.lsh.bands), "bands"});
    figures.push_back({"dedup/rows", static_cast<double>(st.lsh.rows), "rows"});
    figures.push_back({"dedup/set_megabytes", static_cast<double>(st.set_bytes) / 1e6, "MB"});
    figures.push_back({"dedup/clusters", static_cast<double>(st.clusters), "clusters"});
    figures.push_back({"memory/peak_rss", static_cast<double>(bench::peak_rss_bytes()) / 1e6, "MB"});
    figures.push_back({"memory/peak_rss_above_corpus", static_cast<double>(bench::peak_rss_bytes() - rss_corpus) / 1e6, "MB"});
    }
    bench::print_figures(figures, opts.json);
    figures.clear();
    if (clusters_only) return 0;
    if (kind == "planted") {
        const accuracy a = check_sample(docs, last, 0.8, sample);
        figures.push_back({"accuracy/sample_true_pairs", static_cast<double>(a.true_pairs), "pairs"});
        figures.push_back({"accuracy/precision", 100 * a.precision, "%"});
        figures.push_back({"accuracy/recall", 100 * a.recall, "%"});
    } else {
        ditto::thread_pool pool(2);
        for (const double threshold : {0.5, 0.8, 0.9}) {
            ditto::dedup_options options;
            options.threshold = threshold;
            options.split_buckets = split_buckets;
            const ditto::dedup_result r = ditto::dedup(docs, options, pool);
            const bench::unit_truth truth = bench::reference_units(docs, options.ngram, threshold, sample);
            const unit_accuracy a = check_units(truth, r);
            char t[16];
            std::snprintf(t, sizeof t, "%.1f", threshold);
            const std::string prefix = std::string("accuracy/threshold_") + t + "/";
            figures.push_back({prefix + "sample_units", static_cast<double>(truth.sample.size()), "units"});
            figures.push_back({prefix + "sample_true_pairs", static_cast<double>(a.true_pairs), "pairs"});
            figures.push_back({prefix + "precision", 100 * a.precision, "%"});
            figures.push_back({prefix + "recall", 100 * a.recall, "%"});
            figures.push_back({prefix + "exact_group_mismatches", static_cast<double>(a.exact_mismatches), "docs"});
            bench::print_figures(figures, opts.json);
            figures.clear();
        }
    }
    bench::print_figures(figures, opts.json);
    return 0;
}
