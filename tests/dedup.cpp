// The pipeline against a brute-force all-pairs reference on corpora with planted near-duplicates,
// its determinism across executors, option validation, and the document customization points.
#include <ditto/dedup.hpp>
#include <ditto/document.hpp>

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

struct article {
    std::string id;
    std::string text;
};

namespace adl {
struct record {
    std::string body;
    int number;
};
std::string_view text_of(const record& r) { return r.body; }
int id_of(const record& r) { return r.number; }
}  // namespace adl

static_assert(ditto::identified_document<article>);
static_assert(ditto::identified_document<adl::record>);
static_assert(ditto::identified_document<std::pair<int, std::string>>);
static_assert(ditto::document<std::string>);
static_assert(ditto::document<std::string_view>);
static_assert(!ditto::document<int>);
static_assert(!ditto::identified_document<std::string>);

struct score {
    double precision, recall;
    std::size_t missed, true_pairs;
};

score compare(const ditto::dedup_result& got, const std::vector<ditto_test::reference_pair>& expected) {
    std::map<std::pair<std::size_t, std::size_t>, double> truth;
    for (const auto& p : expected) truth[{p.first, p.second}] = p.similarity;
    std::size_t correct = 0;
    for (const auto& p : got.pairs) {
        const auto it = truth.find({p.first, p.second});
        if (it != truth.end() && it->second == p.similarity) ++correct;
    }
    const double precision = got.pairs.empty() ? 1.0 : static_cast<double>(correct) / static_cast<double>(got.pairs.size());
    const double recall = truth.empty() ? 1.0 : static_cast<double>(correct) / static_cast<double>(truth.size());
    return {precision, recall, truth.size() - correct, truth.size()};
}

}  // namespace

TEST_CASE("document customization points", "[dedup]") {
    const article a{"a1", "some text"};
    CHECK(ditto::text_of(a) == "some text");
    CHECK(ditto::id_of(a) == "a1");
    const adl::record r{"body", 7};
    CHECK(ditto::text_of(r) == "body");
    CHECK(ditto::id_of(r) == 7);
    const std::pair<int, std::string> p{3, "pair text"};
    CHECK(ditto::text_of(p) == "pair text");
    CHECK(ditto::id_of(p) == 3);
    CHECK(ditto::text_of(std::string("plain")) == "plain");
}

TEST_CASE("pipeline finds the planted near-duplicates exactly (threshold 0.8)", "[dedup][ground-truth]") {
    ditto_test::corpus_options o;
    o.seed = 2024;
    const std::vector<std::string> docs = ditto_test::make_corpus(o);
    const auto expected = ditto_test::brute_force_pairs(docs, 5, 0.8);
    REQUIRE(expected.size() >= 150);  // the corpus must exercise the threshold

    ditto::inline_executor one;
    const ditto::dedup_result result = ditto::dedup(docs, ditto::dedup_options{}, one);
    const score s = compare(result, expected);
    INFO("true pairs " << s.true_pairs << ", missed " << s.missed << ", candidates " << result.stats.candidates);
    CHECK(s.precision == 1.0);
    CHECK(s.recall >= 0.99);
    CHECK(result.stats.documents == docs.size());
    CHECK(result.stats.lsh == ditto::lsh_params{16, 6});
    CHECK(result.stats.similar_pairs == result.pairs.size());
    CHECK(std::is_sorted(result.pairs.begin(), result.pairs.end(), [](const auto& a, const auto& b) {
        return std::pair(a.first, a.second) < std::pair(b.first, b.second);
    }));

    // Empty texts are never similar, not even to each other; they stay alone and are kept.
    std::size_t empties = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        if (!ditto::shingle_set(docs[i]).empty()) continue;
        ++empties;
        CHECK(result.clusters.cluster[i] == i);
        CHECK(result.clusters.keep[i]);
    }
    CHECK(empties == result.stats.empty_documents);
    CHECK(empties > 0);

    // Clusters: both ends of every pair share a cluster, and it is named by its earliest member.
    std::map<std::size_t, std::size_t> earliest;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const std::size_t c = result.clusters.cluster[i];
        if (!earliest.count(c)) earliest[c] = i;
        CHECK(result.clusters.keep[i] == (c == i));
    }
    for (const auto& [c, first] : earliest) CHECK(c == first);
    for (const auto& p : result.pairs) CHECK(result.clusters.cluster[p.first] == result.clusters.cluster[p.second]);
    CHECK(result.stats.duplicates == docs.size() - result.stats.clusters);
}

TEST_CASE("pipeline recall at thresholds 0.5 and 0.95", "[dedup][ground-truth]") {
    ditto_test::corpus_options o;
    o.seed = 77;
    const std::vector<std::string> docs = ditto_test::make_corpus(o);
    ditto::thread_pool two(2);
    for (const double threshold : {0.5, 0.95}) {
        const auto expected = ditto_test::brute_force_pairs(docs, 5, threshold);
        REQUIRE(expected.size() >= 50);
        ditto::dedup_options options;
        options.threshold = threshold;
        const score s = compare(ditto::dedup(docs, options, two), expected);
        INFO("threshold " << threshold << ": true pairs " << s.true_pairs << ", missed " << s.missed);
        CHECK(s.precision == 1.0);
        CHECK(s.recall >= 0.98);
    }
}

TEST_CASE("output is identical on 1, 2 and 8 threads", "[dedup]") {
    ditto_test::corpus_options o;
    o.seed = 9;
    o.originals = 120;
    const std::vector<std::string> docs = ditto_test::make_corpus(o);
    for (const bool exact : {true, false}) {
        ditto::dedup_options options;
        options.exact = exact;
        options.keep = ditto::keep_rule::longest;
        ditto::inline_executor inline_exec;
        const auto reference = ditto::dedup(docs, options, inline_exec);
        REQUIRE(!reference.pairs.empty());
        for (const std::size_t threads : {1u, 2u, 8u}) {
            ditto::thread_pool pool(threads);
            const auto r = ditto::dedup(docs, options, pool);
            CHECK(r.pairs == reference.pairs);
            CHECK(r.clusters.cluster == reference.clusters.cluster);
            CHECK(r.clusters.keep == reference.clusters.keep);
            CHECK(r.stats.candidates == reference.stats.candidates);
        }
    }
}

TEST_CASE("keep rules in the pipeline", "[dedup]") {
    const std::vector<std::pair<std::string, std::string>> docs{
        {"short", "the council approved the budget for the new bridge on monday"},
        {"other", "a completely different story about weather in the mountains"},
        {"long", "the council approved the budget for the new bridge on monday . read more"},
    };
    ditto::dedup_options options;
    options.threshold = 0.5;
    ditto::inline_executor one;
    const auto first = ditto::dedup(docs, options, one);
    REQUIRE(first.pairs.size() == 1);
    CHECK(first.pairs[0].first == 0);
    CHECK(first.pairs[0].second == 2);
    // Shingle sets: 7 of "short", 9 of "long" (the same 7 plus 2): J = 7/9.
    CHECK(first.pairs[0].similarity == 7.0 / 9.0);
    CHECK(first.clusters.cluster == std::vector<std::size_t>{0, 1, 0});
    options.keep = ditto::keep_rule::longest;
    CHECK(ditto::dedup(docs, options, one).clusters.cluster == std::vector<std::size_t>{2, 1, 2});
    // A caller's rule, by id.
    const auto by_id = ditto::dedup(docs, options, one, [&](std::size_t a, std::size_t b) {
        return docs[a].first > docs[b].first;  // "short" > "long"
    });
    CHECK(by_id.clusters.cluster == std::vector<std::size_t>{0, 1, 0});
}

TEST_CASE("signature-estimate verification", "[dedup]") {
    ditto_test::corpus_options o;
    o.seed = 31;
    const std::vector<std::string> docs = ditto_test::make_corpus(o);
    ditto::dedup_options options;
    options.exact = false;
    ditto::inline_executor one;
    const auto r = ditto::dedup(docs, options, one);
    const auto expected = ditto_test::brute_force_pairs(docs, 5, 0.8);
    std::map<std::pair<std::size_t, std::size_t>, double> truth;
    for (const auto& p : ditto_test::brute_force_pairs(docs, 5, 0.0)) truth[{p.first, p.second}] = p.similarity;
    // Each estimate is within 5 standard deviations of the exact value (K = 128).
    for (const auto& p : r.pairs) {
        const double j = truth.at({p.first, p.second});
        CHECK(std::abs(p.similarity - j) <= 5 * std::sqrt(std::max(j * (1 - j), 0.01) / 128));
    }
    CHECK(r.pairs.size() >= expected.size() / 2);
}

TEST_CASE("odd inputs: no documents, one, all empty, all identical", "[dedup]") {
    ditto::inline_executor one;
    const std::vector<std::string> none;
    const auto r0 = ditto::dedup(none, {}, one);
    CHECK(r0.pairs.empty());
    CHECK(r0.clusters.cluster.empty());
    const std::vector<std::string> single{"just one document here"};
    CHECK(ditto::dedup(single, {}, one).clusters.keep == std::vector<bool>{true});
    const std::vector<std::string> empties{"", "  ", "...", ""};
    const auto re = ditto::dedup(empties, {}, one);
    CHECK(re.pairs.empty());
    CHECK(re.stats.empty_documents == 4);
    CHECK(re.clusters.cluster_count == 4);
    const std::vector<std::string> same(30, "one two three four five six seven");
    const auto rs = ditto::dedup(same, {}, one);
    CHECK(rs.pairs.size() == 30 * 29 / 2);
    CHECK(rs.clusters.cluster_count == 1);
    CHECK(rs.stats.duplicates == 29);
    // Shorter than the shingle size: the whole text is one shingle.
    const std::vector<std::string> tiny{"hello world", "Hello, World!", "hello there"};
    const auto rt = ditto::dedup(tiny, {}, one);
    REQUIRE(rt.pairs.size() == 1);
    CHECK(rt.pairs[0].first == 0);
    CHECK(rt.pairs[0].second == 1);
}

TEST_CASE("option validation names the option and its range", "[dedup]") {
    auto message = [](ditto::dedup_options o) {
        try {
            o.validate();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("valid");
    };
    ditto::dedup_options o;
    CHECK(message(o) == "valid");
    o.threshold = 0;
    CHECK(message(o) == "dedup: threshold must be in (0, 1], got 0");
    o = {};
    o.ngram = 0;
    CHECK(message(o) == "dedup: ngram must be in [1, 1024], got 0");
    o = {};
    o.sketch_size = 5000;
    CHECK(message(o) == "dedup: sketch_size must be in [1, 4096], got 5000");
    o = {};
    o.recall = 1;
    CHECK(message(o) == "dedup: recall must be in (0, 1), got 1");
    o = {};
    o.bands_rows = {20, 10};
    CHECK(message(o) == "dedup: bands_rows must be {0, 0} or at least 1 x 1 with bands x rows <= sketch_size (128), got 20 x 10");
    const std::vector<std::string> docs{"a b c"};
    ditto::inline_executor one;
    o = {};
    o.threshold = 2;
    CHECK_THROWS_AS(ditto::dedup(docs, o, one), std::invalid_argument);
}
