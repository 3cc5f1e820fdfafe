// The pipeline against a brute-force all-pairs reference on corpora with planted near-duplicates,
// its determinism across executors, option validation, and the document customization points.
#include <ditto/dedup.hpp>
#include <ditto/document.hpp>

#include <algorithm>
#include <map>
#include <ranges>
#include <set>
#include <span>
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
    const std::vector<ditto::similar_pair> pairs = ditto::expand_pairs(got);
    for (const auto& p : pairs) {
        const auto it = truth.find({p.first, p.second});
        if (it != truth.end() && it->second == p.similarity) ++correct;
    }
    const double precision = pairs.empty() ? 1.0 : static_cast<double>(correct) / static_cast<double>(pairs.size());
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
    CHECK(result.stats.lsh == ditto::lsh_params{18, 6});  // recall 0.995 at 0.8 with 128 slots
    CHECK(result.stats.similar_pairs == result.pairs.size());
    CHECK(std::is_sorted(result.pairs.begin(), result.pairs.end(), [](const auto& a, const auto& b) {
        return std::pair(a.first, a.second) < std::pair(b.first, b.second);
    }));

    // Texts without tokens are similar only to texts with the same normalized form (their exact
    // duplicates), and join the earliest of them.
    const ditto::normalizer normalize;
    std::size_t empties = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        if (!ditto::shingle_set(docs[i]).empty()) continue;
        ++empties;
        std::size_t earliest = i;
        for (std::size_t j = 0; j < i; ++j)
            if (normalize(docs[j]) == normalize(docs[i])) {
                earliest = j;
                break;
            }
        CHECK(result.clusters.cluster[i] == earliest);
        CHECK(result.exact_of[i] == earliest);
    }
    CHECK(empties == result.stats.empty_documents);
    CHECK(empties > 2);

    // Greedy clusters: named by their earliest member (keep first), and every removed copy is
    // similar to its kept copy by the brute-force measure.
    std::map<std::pair<std::size_t, std::size_t>, double> truth;
    for (const auto& p : expected) truth[{p.first, p.second}] = p.similarity;
    std::map<std::size_t, std::size_t> earliest;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const std::size_t c = result.clusters.cluster[i];
        if (!earliest.count(c)) earliest[c] = i;
        CHECK(result.clusters.keep[i] == (c == i));
        if (c != i) CHECK(truth.count({c, i}) == 1);
    }
    for (const auto& [c, first] : earliest) CHECK(c == first);
    CHECK(result.stats.duplicates == docs.size() - result.stats.clusters);
}

namespace {

// Brute-force clusters from the reference pairs: greedy in keep order, or connected components.
std::vector<std::size_t> reference_clusters(std::size_t n, const std::vector<ditto_test::reference_pair>& pairs,
                                            ditto::cluster_rule rule, const std::vector<std::size_t>& order) {
    std::vector<std::set<std::size_t>> similar(n);
    for (const auto& p : pairs) {
        similar[p.first].insert(p.second);
        similar[p.second].insert(p.first);
    }
    std::vector<std::size_t> cluster(n, n);
    if (rule == ditto::cluster_rule::greedy) {
        std::vector<std::size_t> kept;  // in keep order
        for (const std::size_t v : order) {
            for (const std::size_t u : kept)
                if (similar[v].count(u)) {
                    cluster[v] = u;
                    break;
                }
            if (cluster[v] == n) {
                cluster[v] = v;
                kept.push_back(v);
            }
        }
        return cluster;
    }
    for (const std::size_t start : order) {  // the first of a component in keep order names it
        if (cluster[start] != n) continue;
        std::vector<std::size_t> stack{start};
        cluster[start] = start;
        while (!stack.empty()) {
            const std::size_t x = stack.back();
            stack.pop_back();
            for (const std::size_t y : similar[x])
                if (cluster[y] == n) {
                    cluster[y] = start;
                    stack.push_back(y);
                }
        }
    }
    return cluster;
}

// Checks clusters against the brute-force ones. Connected: equal. Greedy: the same copies kept
// (which similar kept copy a removed one joins does not change which are kept), and every removed
// copy joined a kept copy that comes before it in keep order and is similar to it.
void check_clusters(const ditto::clustering& got, const std::vector<std::size_t>& want,
                    const std::vector<ditto_test::reference_pair>& pairs, ditto::cluster_rule rule,
                    const std::vector<std::size_t>& order) {
    if (rule == ditto::cluster_rule::connected) {
        CHECK(got.cluster == want);
        return;
    }
    const std::size_t n = want.size();
    REQUIRE(got.cluster.size() == n);
    std::set<std::pair<std::size_t, std::size_t>> similar;
    for (const auto& p : pairs) similar.emplace(std::min(p.first, p.second), std::max(p.first, p.second));
    std::vector<std::size_t> rank(n);
    for (std::size_t r = 0; r < n; ++r) rank[order[r]] = r;
    std::size_t wrong_keep = 0, bad_join = 0;
    for (std::size_t i = 0; i < n; ++i) {
        wrong_keep += static_cast<std::size_t>(got.keep[i] != (want[i] == i));
        const std::size_t c = got.cluster[i];
        if (c == i) continue;
        bad_join += static_cast<std::size_t>(c >= n || !got.keep[c] || rank[c] > rank[i] ||
                                             !similar.count({std::min(c, i), std::max(c, i)}));
    }
    CHECK(wrong_keep == 0);
    CHECK(bad_join == 0);
}

std::vector<bool> greedy_keep(const std::vector<std::size_t>& cluster) {
    std::vector<bool> keep(cluster.size());
    for (std::size_t i = 0; i < cluster.size(); ++i) keep[i] = cluster[i] == i;
    return keep;
}

}  // namespace

TEST_CASE("clusters match brute force: greedy and connected, with and without pairs", "[dedup][ground-truth]") {
    ditto_test::corpus_options o;
    o.seed = 4242;
    o.max_edit_rate = 0.08;  // copies across the threshold, so the rules differ
    const std::vector<std::string> docs = ditto_test::make_corpus(o);
    const auto expected = ditto_test::brute_force_pairs(docs, 5, 0.8);
    std::vector<std::size_t> by_index(docs.size()), by_length(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) by_index[i] = by_length[i] = i;
    std::sort(by_length.begin(), by_length.end(), [&](std::size_t a, std::size_t b) {
        return docs[a].size() != docs[b].size() ? docs[a].size() > docs[b].size() : a < b;
    });
    ditto::thread_pool two(2);
    bool rules_differ = false;
    for (const auto keep : {ditto::keep_rule::first, ditto::keep_rule::longest}) {
        std::vector<std::size_t> greedy;
        for (const auto rule : {ditto::cluster_rule::greedy, ditto::cluster_rule::connected}) {
            const auto want = reference_clusters(docs.size(), expected, rule,
                                                 keep == ditto::keep_rule::first ? by_index : by_length);
            for (const int variant : {0, 1, 2}) {
                // Pairs collected; clusters only; clusters only with every bucket of two or more
                // split or searched through the prefix index of its kept units.
                const bool pairs = variant == 0;
                ditto::dedup_options options;
                options.keep = keep;
                options.clustering = rule;
                options.collect_pairs = pairs;
                if (variant == 2) options.split_buckets = 2;
                // Every pair at 0.8 a candidate (P = 1 - (1 - 0.8^4)^32 > 1 - 1e-7), none prefiltered:
                // then the clusters are exactly the brute-force ones.
                options.bands_rows = {32, 4};
                options.prefilter_miss = 0;
                const auto r = ditto::dedup(docs, options, two);
                INFO("keep " << static_cast<int>(keep) << ", rule " << static_cast<int>(rule) << ", variant " << variant);
                check_clusters(r.clusters, want, expected, rule, keep == ditto::keep_rule::first ? by_index : by_length);
                if (rule == ditto::cluster_rule::greedy) {
                    // Which similar kept copy a removed one joins (the one sharing most buckets)
                    // is the same whether pairs are collected or not, with the same buckets.
                    if (pairs) greedy = r.clusters.cluster;
                    else if (variant == 1) CHECK(r.clusters.cluster == greedy);
                } else {
                    rules_differ = rules_differ || r.clusters.keep != greedy_keep(greedy);
                }
                // With the default prefilter the clusters barely move (none here: no pair sits at 0.8).
                options.prefilter_miss = 1e-4;
                const auto f = ditto::dedup(docs, options, two);
                CHECK(f.clusters.cluster == r.clusters.cluster);
                if (!pairs) CHECK(f.stats.candidates <= r.stats.candidates);
            }
        }
    }
    CHECK(rules_differ);  // the corpus has chains where the two rules part
}

TEST_CASE("greedy clusters: a copy similar to two kept texts joins the one it is closest to", "[dedup]") {
    // Single words as shingles. A = X + P and B = X + Q share X: J(A, B) = 100/220, below 0.5, so
    // both are kept. C = X + Q + 12 words of P: J(A, C) = 112/220 = 0.509 and J(B, C) = 160/172 =
    // 0.93, similar to both; A comes first in keep order, but C's signature agrees with B's in
    // about 93% of the slots against 51% for A's, so C joins B.
    auto words = [](const char* prefix, std::size_t from, std::size_t to) {
        std::string out;
        for (std::size_t w = from; w < to; ++w) out.append(prefix).append(std::to_string(w)).append(" ");
        return out;
    };
    const std::vector<std::string> docs{words("x", 0, 100) + words("p", 0, 60), words("x", 0, 100) + words("q", 0, 60),
                                        words("x", 0, 100) + words("q", 0, 60) + words("p", 0, 12)};
    for (const bool pairs : {true, false}) {
        ditto::dedup_options options;
        options.ngram = 1;
        options.threshold = 0.5;
        options.collect_pairs = pairs;
        ditto::inline_executor exec;
        const auto r = ditto::dedup(docs, options, exec);
        INFO("pairs " << pairs);
        CHECK(r.clusters.cluster == std::vector<std::size_t>{0, 1, 1});
        if (pairs) CHECK(r.pairs.size() == 2);  // A-C and B-C
    }
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
    for (int variant = 0; variant < 5; ++variant) {
        ditto::dedup_options options;
        options.exact = variant != 4;
        options.keep = ditto::keep_rule::longest;
        options.clustering = variant % 2 == 0 ? ditto::cluster_rule::greedy : ditto::cluster_rule::connected;
        options.collect_pairs = variant < 2 || variant == 4;
        options.shingle_memory = variant == 1 ? 20000 : options.shingle_memory;  // most sets recomputed
        ditto::inline_executor inline_exec;
        const auto reference = ditto::dedup(docs, options, inline_exec);
        REQUIRE(reference.stats.duplicates > 0);
        if (options.collect_pairs) REQUIRE(!reference.pairs.empty());
        if (variant == 1) REQUIRE(reference.stats.recomputed_sets > 0);
        // The stage times nest: exact verification within verification (judging candidates),
        // which on one thread lies within the stage that finds, judges and clusters them.
        const auto& st = reference.stats;
        CHECK(st.verified > 0);
        CHECK(st.seconds_verification > 0.0);
        CHECK(st.seconds_exact_verification <= st.seconds_verification);
        CHECK(st.seconds_verification <= st.seconds_verify);
        if (!options.exact) CHECK(st.seconds_exact_verification == 0.0);
        for (const std::size_t threads : {1u, 2u, 8u}) {
            ditto::thread_pool pool(threads);
            const auto r = ditto::dedup(docs, options, pool);
            INFO("variant " << variant << ", threads " << threads);
            CHECK(r.pairs == reference.pairs);
            CHECK(r.clusters.cluster == reference.clusters.cluster);
            CHECK(r.clusters.keep == reference.clusters.keep);
            CHECK(r.stats.candidates == reference.stats.candidates);
            CHECK(r.stats.verified == reference.stats.verified);
        }
    }
}

TEST_CASE("storms: 100,000 copies of one text and a family of 20,000 near-copies stay linear", "[dedup]") {
    // One short text 100,000 times (with case and spacing variants), a template with a counter
    // 20,000 times (101 words, 97 shingles of which 5 hold the counter: every two at J = 92/102), and 500 distinct texts.
    std::vector<std::string> docs;
    std::string head, tail;
    for (int w = 0; w < 100; ++w) (w < 50 ? head : tail).append("w").append(std::to_string(w * 7919 % 1000)).append(" ");
    for (std::size_t i = 0; i < 100000; ++i)
        docs.push_back(i % 1000 == 1 ? "Page  NOT found" : i % 1000 == 2 ? "page not FOUND" : "page not found");
    for (std::size_t i = 0; i < 20000; ++i) {
        docs.push_back(std::string(head).append("n").append(std::to_string(i)).append(" ").append(tail));
    }
    for (std::size_t i = 0; i < 500; ++i) {
        std::string t;
        for (int w = 0; w < 30; ++w) t.append("d").append(std::to_string(i)).append("x").append(std::to_string(w)).append(" ");
        docs.push_back(std::move(t));
    }
    ditto::thread_pool two(2);
    for (const auto rule : {ditto::cluster_rule::greedy, ditto::cluster_rule::connected}) {
        ditto::dedup_options options;
        options.clustering = rule;
        options.collect_pairs = false;
        const auto r = ditto::dedup(docs, options, two);
        INFO("rule " << static_cast<int>(rule));
        CHECK(r.stats.exact_duplicates == 99999 + 0);
        CHECK(r.stats.units == 1 + 20000 + 500);
        CHECK(r.clusters.cluster_count == 1 + 1 + 500);
        CHECK(r.clusters.cluster[100000 + 19999] == 100000);
        CHECK(r.clusters.cluster[99999] == 0);
        // Linear work: about one examined candidate per near-copy, not 20,000^2 / 2.
        CHECK(r.stats.candidates <= 3 * 20000);
    }
    // Pairs in compact form: one per exact duplicate, every pair of the family.
    ditto::dedup_options options;
    const std::vector<std::string> family(docs.begin() + 100000, docs.begin() + 102000);
    const auto p = ditto::dedup(family, options, two);
    CHECK(p.pairs.size() == 2000u * 1999u / 2u);
    for (const auto& pair : p.pairs) CHECK(pair.similarity == 92.0 / 102.0);
}

TEST_CASE("a pair sink gets the pairs a collecting run lists, in order, a window at a time", "[dedup]") {
    // Planted copies, an exact storm (about 1,700 copies of one text, and empty texts), and a
    // family of 1,286 near-copies (a counter in a template: every two similar, 0.83 M pairs).
    ditto_test::corpus_options o;
    o.seed = 77;
    std::vector<std::string> docs = ditto_test::make_corpus(o);
    std::string head, tail;
    for (int w = 0; w < 100; ++w) (w < 50 ? head : tail).append("t").append(std::to_string(w * 31 % 997)).append(" ");
    for (std::size_t i = 0; i < 3500; ++i) {
        if (i % 7 == 3) docs.push_back(i % 14 == 3 ? "" : "...");
        else if (i < 2000) docs.push_back("page not found");
        else docs.push_back(std::string(head).append("n").append(std::to_string(i)).append(" ").append(tail));
        std::swap(docs.back(), docs[(i * 2654435761u) % docs.size()]);  // spread through the corpus
    }
    ditto::thread_pool two(2);
    for (const auto rule : {ditto::cluster_rule::greedy, ditto::cluster_rule::connected}) {
        INFO("rule " << static_cast<int>(rule));
        ditto::dedup_options options;
        options.clustering = rule;
        const auto collected = ditto::dedup(docs, options, two);
        REQUIRE(collected.pairs.size() > 1286u * 1285u / 2u);
        options.collect_pairs = false;
        const auto clusters_only = ditto::dedup(docs, options, two);
        options.collect_pairs = true;
        for (const std::size_t threads : {1u, 2u, 8u}) {
            std::vector<ditto::similar_pair> streamed;
            std::size_t largest_chunk = 0, chunks = 0;
            options.pair_sink = [&](std::span<const ditto::similar_pair> chunk) {
                streamed.insert(streamed.end(), chunk.begin(), chunk.end());
                largest_chunk = std::max(largest_chunk, chunk.size());
                ++chunks;
            };
            ditto::thread_pool pool(threads);
            const auto r = ditto::dedup(docs, options, pool);
            INFO("threads " << threads);
            CHECK(r.pairs.empty());
            CHECK(r.stats.similar_pairs == collected.pairs.size());
            CHECK(streamed == collected.pairs);  // the same pairs, similarities and order
            // A chunk is one task's pairs: at most 64 units times what one unit can list.
            CHECK(largest_chunk * 10 < streamed.size());
            CHECK(chunks > 10);
            CHECK(r.clusters.keep == collected.clusters.keep);
            CHECK(r.clusters.cluster == clusters_only.clusters.cluster);
            CHECK(r.exact_of == collected.exact_of);
        }
    }
    // What the sink throws ends the run and reaches the caller.
    ditto::dedup_options options;
    options.pair_sink = [](std::span<const ditto::similar_pair>) { throw std::runtime_error("disk full"); };
    CHECK_THROWS_WITH(ditto::dedup(docs, options, two), "disk full");
}

TEST_CASE("large buckets split by prefix filtering lose no similar pair", "[dedup]") {
    // Every bucket split (split_buckets = 2) against none (0): the same pairs and clusters, for both
    // rules, on the planted corpus and on a family of pages sharing a template at J 0.5-0.9.
    ditto_test::corpus_options o;
    o.seed = 606;
    o.max_edit_rate = 0.08;
    std::vector<std::string> docs = ditto_test::make_corpus(o);
    std::string head, tail;
    for (int w = 0; w < 60; ++w) (w < 30 ? head : tail).append("t").append(std::to_string(w)).append(" ");
    for (std::size_t page = 0; page < 400; ++page) {
        std::string own;
        const std::size_t words = 2 + page % 14;
        for (std::size_t w = 0; w < words; ++w) own.append("p").append(std::to_string(page)).append("w").append(std::to_string(w)).append(" ");
        docs.push_back(std::string(head).append(own).append(tail));
        if (page % 3 == 0) docs.push_back(std::string(head).append(own).append("extra ").append(tail));
    }
    ditto::thread_pool two(2);
    for (const auto rule : {ditto::cluster_rule::greedy, ditto::cluster_rule::connected})
        for (const bool pairs : {true, false}) {
            ditto::dedup_options options;
            options.clustering = rule;
            options.collect_pairs = pairs;
            options.split_buckets = 0;
            const auto whole = ditto::dedup(docs, options, two);
            options.split_buckets = 2;
            const auto split = ditto::dedup(docs, options, two);
            INFO("rule " << static_cast<int>(rule) << ", pairs " << pairs);
            CHECK(split.stats.split_buckets > 0);
            CHECK(split.pairs == whole.pairs);
            if (rule == ditto::cluster_rule::connected) {
                CHECK(split.clusters.cluster == whole.clusters.cluster);
            } else {
                // The same copies kept; which similar kept copy a removed one joins may differ
                // (the preference counts shared buckets), but it is kept and comes first.
                CHECK(split.clusters.keep == whole.clusters.keep);
                for (std::size_t i = 0; i < docs.size(); ++i) {
                    const std::size_t c = split.clusters.cluster[i];
                    if (c != i) CHECK((c < i && split.clusters.keep[c]));
                }
            }
            CHECK(split.stats.candidates <= whole.stats.candidates);
        }
}

TEST_CASE("a large family below the threshold costs linear work", "[dedup]") {
    // 20,000 lines of one 25-word template with a counter: every two at J = 16/26, below 0.8, all
    // in the same bucket of every band. Prefix filtering pairs none of them.
    std::vector<std::string> docs;
    for (std::size_t i = 0; i < 20000; ++i)
        docs.push_back(std::string("the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat near the door counter ")
                           .append(std::to_string(i))
                           .append(" end of record"));
    ditto::thread_pool two(2);
    for (const auto rule : {ditto::cluster_rule::greedy, ditto::cluster_rule::connected}) {
        ditto::dedup_options options;
        options.clustering = rule;
        options.collect_pairs = rule == ditto::cluster_rule::connected;
        const auto r = ditto::dedup(docs, options, two);
        CHECK(r.stats.largest_bucket > 1000);
        CHECK(r.stats.candidates <= docs.size());
        CHECK(r.clusters.cluster_count == docs.size());
        CHECK(r.pairs.empty());
    }
}

TEST_CASE("connected clusters in a dense template family cost linear work", "[dedup]") {
    // 4,000 pages of one 60-word template and 7 words of their own (every two at J of about
    // 0.6), in pairs or fours that share those words (J of 0.9 or more): the prefixes of the
    // pages overlap in the template, so the split leaves their buckets whole. Each page must
    // still be compared with the earlier pages that share its own words only, not with every
    // earlier page of the family.
    std::string tpl;
    for (int i = 0; i < 60; ++i) tpl.append("t").append(std::to_string(i)).append(" ");
    const auto family = [&](std::size_t pages) {
        std::vector<std::string> docs;
        for (std::size_t i = 0; i < pages; ++i) {
            const std::size_t own = i % 2 == 0 || i % 4 == 1 ? i / 2 : i;
            std::string d = tpl;
            for (int k = 0; k < 7; ++k) d.append("u").append(std::to_string(own)).append("x").append(std::to_string(k)).append(" ");
            if (i % 2 == 1) d.append("end").append(std::to_string(i));
            docs.push_back(d);
        }
        return docs;
    };
    ditto::thread_pool two(2);
    ditto::dedup_options options;
    options.clustering = ditto::cluster_rule::connected;
    std::size_t candidates[2] = {};
    for (const std::size_t pages : {std::size_t{2000}, std::size_t{4000}}) {
        const std::vector<std::string> docs = family(pages);
        options.collect_pairs = true;  // every pair listed, then components
        const auto listed = ditto::dedup(docs, options, two);
        options.collect_pairs = false;
        const auto searched = ditto::dedup(docs, options, two);
        INFO(pages << " pages");
        CHECK(searched.stats.largest_bucket > pages / 2);
        CHECK(searched.stats.split_buckets == 0);
        CHECK(searched.clusters.cluster == listed.clusters.cluster);
        CHECK(searched.clusters.cluster_count < pages / 2);
        candidates[pages / 4000] = searched.stats.candidates;
    }
    // Linear: the 2,000 pages more cost a few candidates each (listing: 4.5 million more).
    CHECK(candidates[1] <= candidates[0] + 4 * 2000);
}

TEST_CASE("a run over a part of the corpus that shares no LSH bucket with the rest gives the whole run's result", "[dedup]") {
    // The planted corpus, storms of identical texts, and three template families of 180 pages
    // whose buckets stay large after the split (greedy clusters then depend on the rarity
    // order). The documents are cut into three parts along the components of "shares a band key
    // or a normalized text", computed here from text_sketcher's keys; each part is run alone with
    // the whole run's rarity sample, and must give the whole run's result for its documents.
    ditto_test::corpus_options o;
    o.seed = 1717;
    o.originals = 120;
    std::vector<std::string> docs = ditto_test::make_corpus(o);
    for (int t = 0; t < 3; ++t) {
        std::string tpl;
        for (int w = 0; w < 60; ++w) tpl.append("tpl").append(std::to_string(t)).append("w").append(std::to_string(w)).append(" ");
        for (std::size_t page = 0; page < 180; ++page) {
            // In threes: two pages with one of 3 shared tails each (J of about 0.74 to each
            // other), then the page without a tail (J of about 0.85 to both): greedy keeps the
            // first two, and the third joins one of them.
            const std::size_t group = page / 3;
            std::string d = tpl;
            for (int w = 0; w < 7; ++w) d.append("own").append(std::to_string(t)).append("p").append(std::to_string(group)).append("x").append(std::to_string(w)).append(" ");
            if (page % 3 != 2) {
                const std::size_t tail = (group + page % 3) % 3;
                for (int w = 0; w < 12; ++w) d.append("tail").append(std::to_string(tail)).append("x").append(std::to_string(w)).append(" ");
            }
            docs.push_back(d);
            if (page % 10 == 0) docs.push_back(d);  // an exact copy
        }
    }
    for (int i = 0; i < 40; ++i) docs.push_back(i % 2 ? "read more" : "share this article on social media now");

    ditto::dedup_options options;
    options.split_buckets = 16;
    std::vector<ditto::text_sketch> sketches(docs.size());
    {
        const ditto::text_sketcher<> sketcher(options);
        for (std::size_t i = 0; i < docs.size(); ++i) sketcher(docs[i], sketches[i]);
    }
    ditto::union_find parts_of(docs.size());
    {
        std::map<std::pair<std::size_t, std::uint64_t>, std::size_t> first_with_key;
        std::map<ditto::content_hash, std::size_t> first_with_text;
        for (std::size_t i = 0; i < docs.size(); ++i) {
            const auto [it, added] = first_with_text.emplace(sketches[i].sequence, i);
            if (!added) parts_of.unite(it->second, i);
            for (std::size_t b = 0; b < sketches[i].keys.size(); ++b) {
                const auto [kt, new_key] = first_with_key.emplace(std::make_pair(b, sketches[i].keys[b]), i);
                if (!new_key) parts_of.unite(kt->second, i);
            }
        }
    }
    std::vector<std::vector<std::size_t>> part(3);  // global indices, ascending
    std::map<std::size_t, std::size_t> part_of_root;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const auto [it, added] = part_of_root.emplace(parts_of.find(i), part_of_root.size() % 3);
        part[it->second].push_back(i);
    }
    for (const auto& p : part) REQUIRE(p.size() > 100);

    ditto::thread_pool two(2);
    for (const auto rule : {ditto::cluster_rule::greedy, ditto::cluster_rule::connected})
        for (const bool pairs : {true, false}) {
            INFO("rule " << static_cast<int>(rule) << ", pairs " << pairs);
            options.clustering = rule;
            options.collect_pairs = pairs;
            options.rarity_texts.clear();
            const auto whole = ditto::dedup(docs, options, two);
            CHECK(whole.stats.largest_bucket >= 50);
            if (!pairs) {  // buckets searched through the prefix index, which needs the order
                CHECK(whole.stats.split_buckets > 0);
                REQUIRE(!whole.rarity_sample.empty());
            }
            for (const std::size_t d : whole.rarity_sample) options.rarity_texts.push_back(docs[d]);
            std::vector<ditto::similar_pair> all_pairs;
            for (const auto& p : part) {
                std::vector<std::string> sub;
                for (const std::size_t g : p) sub.push_back(docs[g]);
                const auto r = ditto::dedup(sub, options, two);
                CHECK(r.rarity_sample.empty());  // given, not sampled
                for (std::size_t i = 0; i < p.size(); ++i) {
                    CHECK(p[r.clusters.cluster[i]] == whole.clusters.cluster[p[i]]);
                    CHECK(r.clusters.keep[i] == whole.clusters.keep[p[i]]);
                    CHECK(p[r.exact_of[i]] == whole.exact_of[p[i]]);
                }
                for (const auto& q : r.pairs) all_pairs.push_back({p[q.first], p[q.second], q.similarity});
            }
            std::sort(all_pairs.begin(), all_pairs.end(), [](const auto& a, const auto& b) {
                return a.first != b.first ? a.first < b.first : a.second < b.second;
            });
            CHECK(all_pairs == whole.pairs);
        }
}

TEST_CASE("ranges that yield temporaries are refused at compile time", "[dedup]") {
    std::vector<std::string> owned{"a b c"};
    auto copies = owned | std::views::transform([](const std::string& s) { return s; });
    auto views = owned | std::views::transform([](const std::string& s) { return std::string_view(s); });
    struct viewing { std::string_view text; };
    auto viewing_docs = owned | std::views::transform([](const std::string& s) { return viewing{s}; });
    static_assert(!ditto::stable_document_range<decltype(copies)>);
    static_assert(ditto::stable_document_range<decltype(views)>);
    static_assert(ditto::stable_document_range<decltype(viewing_docs)>);
    static_assert(ditto::stable_document_range<std::vector<std::string>&>);
    ditto::inline_executor one;
    CHECK(ditto::dedup(views, {}, one).clusters.cluster_count == 1);
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
    // Texts without tokens: equal normalized forms are exact duplicates ("" and "  " both
    // normalize to ""), others match nothing.
    const std::vector<std::string> empties{"", "  ", "...", "", "\xf0\x9f\x99\x82", "\xf0\x9f\x99\x82", "!!"};
    const auto re = ditto::dedup(empties, {}, one);
    CHECK(re.stats.empty_documents == 7);
    CHECK(re.clusters.cluster == std::vector<std::size_t>{0, 0, 2, 0, 4, 4, 6});
    CHECK(re.exact_of == std::vector<std::size_t>{0, 0, 2, 0, 4, 4, 6});
    CHECK(ditto::expand_pairs(re).size() == 3 + 1);
    CHECK(re.pairs.size() == 3);  // compact: (0, 1), (0, 3), (4, 5)
    const std::vector<std::string> same(30, "one two three four five six seven");
    const auto rs = ditto::dedup(same, {}, one);
    CHECK(rs.pairs.size() == 29);
    CHECK(ditto::expand_pairs(rs).size() == 30 * 29 / 2);
    CHECK(rs.clusters.cluster_count == 1);
    CHECK(rs.stats.duplicates == 29);
    CHECK(rs.stats.exact_duplicates == 29);
    CHECK(rs.stats.candidates == 0);
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
    o = {};
    o.split_buckets = 1;
    CHECK(message(o) == "dedup: split_buckets must be 0 or at least 2, got 1");
    const std::vector<std::string> docs{"a b c"};
    ditto::inline_executor one;
    o = {};
    o.threshold = 2;
    CHECK_THROWS_AS(ditto::dedup(docs, o, one), std::invalid_argument);
}
