// The SimHash pipeline against a brute-force all-pairs reference on corpora with planted
// near-duplicates: every reported pair is truly similar (precision 1), every truly similar pair
// whose fingerprints are within k bits is reported, clusters follow the rules, the output is the
// same on 1, 2 and 8 threads, and options are checked.
#include <ditto/dedup.hpp>
#include <ditto/simhash_dedup.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

using pair_key = std::pair<std::size_t, std::size_t>;

std::map<pair_key, double> truth_of(const std::vector<ditto_test::reference_pair>& expected) {
    std::map<pair_key, double> truth;
    for (const auto& p : expected) truth[{p.first, p.second}] = p.similarity;
    return truth;
}

// The fingerprint of each document, made apart from the pipeline: its shingle set by
// ditto::shingle_set, then the sketcher with the options' fingerprint seed.
std::vector<std::uint64_t> fingerprints(const std::vector<std::string>& docs, const ditto::simhash_dedup_options& o) {
    const ditto::word_shingler<> shingle(o.ngram, o.seed);
    const ditto::simhash_sketcher sketch(o.fingerprint_seed());
    std::vector<std::uint64_t> out;
    for (const auto& d : docs) out.push_back(sketch(ditto::shingle_set(d, ditto::normalizer{}, shingle)));
    return out;
}

}  // namespace

TEST_CASE("simhash pipeline: precision 1 and every pair within k found", "[simhash_dedup][ground-truth]") {
    ditto_test::corpus_options co;
    co.seed = 77;
    co.max_edit_rate = 0.02;
    const std::vector<std::string> docs = ditto_test::make_corpus(co);
    for (const double threshold : {0.8, 0.9}) {
        const auto expected = ditto_test::brute_force_pairs(docs, 5, threshold);
        REQUIRE(expected.size() >= 100);
        const auto truth = truth_of(expected);
        for (const unsigned k : {3u, 6u}) {
            ditto::simhash_dedup_options o;
            o.threshold = threshold;
            o.hamming = k;
            ditto::inline_executor one;
            const ditto::simhash_dedup_result result = ditto::simhash_dedup(docs, o, one);
            const std::vector<ditto::similar_pair> pairs = ditto::expand_pairs(result);
            INFO("threshold " << threshold << ", k " << k << ": " << pairs.size() << " pairs of " << truth.size());
            std::size_t wrong = 0;
            std::set<pair_key> reported;
            for (const auto& p : pairs) {
                const auto it = truth.find({p.first, p.second});
                wrong += static_cast<std::size_t>(it == truth.end() || it->second != p.similarity);
                reported.emplace(p.first, p.second);
            }
            CHECK(wrong == 0);  // precision 1, with the exact similarity
            CHECK(reported.size() == pairs.size());
            // Recall given the fingerprints: a truly similar pair within k bits (or an exact
            // duplicate) must be reported; one beyond k bits may not be.
            const std::vector<std::uint64_t> fp = fingerprints(docs, o);
            std::size_t missed = 0, reachable = 0;
            for (const auto& p : expected) {
                const bool exact = result.exact_of[p.first] == result.exact_of[p.second];
                if (!exact && ditto::hamming_distance(fp[p.first], fp[p.second]) > k) continue;
                ++reachable;
                missed += static_cast<std::size_t>(!reported.count({p.first, p.second}));
            }
            CHECK(missed == 0);
            CHECK(reachable == pairs.size());
            CHECK(!result.hamming.warning);
            CHECK(result.hamming.k == k);
            // The exact-duplicate collapse is the MinHash pipeline's.
            CHECK(result.exact_of == ditto::dedup(docs, ditto::dedup_options{}, one).exact_of);
            // Greedy clusters: every removed copy is truly similar to the kept one, kept first.
            for (std::size_t i = 0; i < docs.size(); ++i) {
                const std::size_t c = result.clusters.cluster[i];
                CHECK(result.clusters.keep[i] == (c == i));
                if (c != i) CHECK(truth.count({std::min(c, i), std::max(c, i)}) == 1);
                CHECK(c <= i);
            }
        }
    }
}

TEST_CASE("simhash pipeline: connected clusters are the components of its pairs", "[simhash_dedup]") {
    ditto_test::corpus_options co;
    co.seed = 5;
    const std::vector<std::string> docs = ditto_test::make_corpus(co);
    ditto::simhash_dedup_options o;
    o.hamming = 6;
    o.clustering = ditto::cluster_rule::connected;
    o.keep = ditto::keep_rule::longest;
    ditto::thread_pool two(2);
    const auto result = ditto::simhash_dedup(docs, o, two);
    const auto pairs = ditto::expand_pairs(result);
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    for (const auto& p : pairs) edges.emplace_back(p.first, p.second);
    std::vector<std::size_t> lengths;
    for (const auto& d : docs) lengths.push_back(d.size());
    const ditto::clustering want = ditto::cluster(docs.size(), edges, ditto::keep_rule::longest, lengths);
    CHECK(result.clusters.cluster == want.cluster);
    CHECK(result.stats.clusters == want.cluster_count);
    // Without pairs: the same clusters, no pairs listed.
    o.collect_pairs = false;
    const auto quiet = ditto::simhash_dedup(docs, o, two);
    CHECK(quiet.pairs.empty());
    CHECK(quiet.clusters.cluster == result.clusters.cluster);
}

TEST_CASE("simhash pipeline: identical output on 1, 2 and 8 threads", "[simhash_dedup]") {
    ditto_test::corpus_options co;
    co.seed = 9;
    co.originals = 300;
    std::vector<std::string> docs = ditto_test::make_corpus(co);
    for (int i = 0; i < 500; ++i) docs.push_back(docs[7]);  // a large exact group
    for (const auto weight : {ditto::simhash_weight::set, ditto::simhash_weight::frequency}) {
        ditto::simhash_dedup_options o;
        o.hamming = 5;
        o.weight = weight;
        o.shingle_memory = 20000;  // most sets recomputed when needed
        ditto::inline_executor one;
        const auto base = ditto::simhash_dedup(docs, o, one);
        CHECK(base.stats.recomputed_sets > 0);
        for (const std::size_t threads : {1u, 2u, 8u}) {
            ditto::thread_pool pool(threads);
            const auto r = ditto::simhash_dedup(docs, o, pool);
            INFO("threads " << threads);
            CHECK(r.pairs == base.pairs);
            CHECK(r.clusters.cluster == base.clusters.cluster);
            CHECK(r.clusters.keep == base.clusters.keep);
            CHECK(r.exact_of == base.exact_of);
            CHECK(r.stats.candidates == base.stats.candidates);
        }
    }
}

TEST_CASE("simhash pipeline: empty texts match only their exact duplicates", "[simhash_dedup]") {
    const std::vector<std::string> docs{"", " ... ", "", "one two three four five six", "one two three four five six"};
    const auto r = ditto::simhash_dedup(docs);
    CHECK(r.stats.empty_documents == 3);
    CHECK(r.clusters.cluster == std::vector<std::size_t>{0, 1, 0, 3, 3});
    CHECK(r.stats.candidates == 0);  // the one similar pair is an exact duplicate
}

TEST_CASE("simhash pipeline: a text repeated 10^5 times is one unit", "[simhash_dedup]") {
    std::vector<std::string> docs(100000, "the same story was posted again and again on every site");
    docs.push_back("The SAME story   was posted again and again on every site");  // equal once normalized
    docs.push_back("a different story entirely with its own words and its own end");
    ditto::thread_pool two(2);
    ditto::simhash_dedup_options o;
    o.collect_pairs = true;
    const auto r = ditto::simhash_dedup(docs, o, two);
    CHECK(r.stats.units == 2);
    CHECK(r.stats.candidates == 0);
    CHECK(r.pairs.size() == 100000);  // compact: each copy once, with the first
    CHECK(r.stats.clusters == 2);
    CHECK(r.clusters.cluster[100000] == 0);
    CHECK(r.clusters.keep[0]);
    CHECK(r.clusters.keep[100001]);
    CHECK(!r.clusters.keep[100]);
}

TEST_CASE("simhash pipeline: options are checked", "[simhash_dedup]") {
    const std::vector<std::string> docs{"a b c"};
    auto fails = [&](auto change, const std::string& name) {
        ditto::simhash_dedup_options o;
        change(o);
        try {
            (void)ditto::simhash_dedup(docs, o);
            FAIL("no exception for " << name);
        } catch (const std::invalid_argument& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find("simhash_dedup: " + name + " must be") == 0);
        }
    };
    fails([](auto& o) { o.threshold = 0; }, "threshold");
    fails([](auto& o) { o.threshold = 1.5; }, "threshold");
    fails([](auto& o) { o.ngram = 0; }, "ngram");
    fails([](auto& o) { o.ngram = 1025; }, "ngram");
    fails([](auto& o) { o.hamming = 33; }, "hamming");
    fails([](auto& o) { o.blocks = 3; }, "blocks");         // hamming 3 needs at least 4
    fails([](auto& o) { o.blocks = 65; }, "blocks");
    fails([](auto& o) { o.hamming = 20; o.blocks = 40; }, "blocks");  // C(40, 20) tables
    fails([](auto& o) { o.weight = static_cast<ditto::simhash_weight>(7); }, "weight");
    ditto::simhash_dedup_options ok;
    ok.hamming = 0;
    ok.blocks = 1;
    CHECK_NOTHROW(ok.validate());
}
