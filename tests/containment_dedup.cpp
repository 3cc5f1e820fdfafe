// The containment pipeline against a brute force over every pair, on corpora of originals,
// excerpts of them (contiguous runs of 30-90 % of their words, some edited) and unrelated texts;
// its clusters against the documented greedy rule; determinism across thread counts.
#include <ditto/containment_dedup.hpp>
#include <ditto/dedup.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

struct excerpt_corpus {
    std::vector<std::string> docs;
    std::size_t excerpts = 0;
};

excerpt_corpus make_excerpts(std::uint64_t seed, std::size_t originals) {
    ditto_test::rng g{seed};
    excerpt_corpus c;
    auto word = [&] { return ditto_test::make_word(g.below(5000)); };
    auto join = [](const std::vector<std::string>& ws) {
        std::string out;
        for (std::size_t i = 0; i < ws.size(); ++i) out += (i ? (i % 15 == 0 ? ". " : " ") : "") + ws[i];
        return out;
    };
    for (std::size_t d = 0; d < originals; ++d) {
        std::vector<std::string> base(30 + g.below(400));
        for (auto& w : base) w = word();
        c.docs.push_back(join(base));
        for (std::size_t e = g.below(4); e > 0; --e) {
            // A contiguous 30-90 % of the words, edited in a third of the copies.
            const std::size_t length = std::max<std::size_t>(1, base.size() * (30 + g.below(61)) / 100);
            const std::size_t from = g.below(base.size() - length + 1);
            std::vector<std::string> part(base.begin() + static_cast<std::ptrdiff_t>(from),
                                          base.begin() + static_cast<std::ptrdiff_t>(from + length));
            if (g.below(3) == 0) {
                const double rate = g.unit() * 0.06;
                for (auto& w : part)
                    if (g.unit() < rate) w = word();
            }
            c.docs.push_back(join(part));
            ++c.excerpts;
        }
    }
    // Hostile texts: empty, shorter than k, the same short text twice, a contained short text.
    for (const char* odd : {"", "", "one two", "one two", "alpha beta gamma delta epsilon zeta", "beta gamma"})
        c.docs.emplace_back(odd);
    for (std::size_t i = c.docs.size(); i > 1; --i) std::swap(c.docs[i - 1], c.docs[g.below(i)]);
    return c;
}

// Word k-shingle sets as sets of strings (each numbered by a dictionary), as planted_corpus's
// brute force builds them; normalized texts kept to tell exact duplicates.
struct reference_sets {
    std::vector<std::vector<std::uint64_t>> sets;
    std::vector<std::string> normalized;
};

reference_sets reference(const std::vector<std::string>& docs, std::size_t k) {
    const ditto::normalizer normalize;
    std::map<std::string, std::uint64_t> ids;
    reference_sets r;
    r.sets.resize(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
        r.normalized.push_back(normalize(docs[d]));
        std::vector<std::string> tokens;
        for (const auto& t : ditto::word_tokenizer{}(r.normalized.back())) tokens.emplace_back(t.text);
        auto add = [&](std::size_t from, std::size_t count) {
            std::string shingle;
            for (std::size_t i = from; i < from + count; ++i) (shingle += tokens[i]) += ' ';
            r.sets[d].push_back(ids.emplace(shingle, ids.size()).first->second);
        };
        if (!tokens.empty() && tokens.size() < k) add(0, tokens.size());
        for (std::size_t i = 0; i + k <= tokens.size(); ++i) add(i, k);
        std::sort(r.sets[d].begin(), r.sets[d].end());
        r.sets[d].erase(std::unique(r.sets[d].begin(), r.sets[d].end()), r.sets[d].end());
    }
    return r;
}

std::size_t common(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    std::vector<std::uint64_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    return both.size();
}

// Every pair with |A n B| / min(|A|, |B|) >= t (1 for equal normalized texts), by brute force.
std::map<std::pair<std::size_t, std::size_t>, double> brute_force(const reference_sets& r, double t) {
    std::map<std::pair<std::size_t, std::size_t>, double> out;
    for (std::size_t a = 0; a < r.sets.size(); ++a)
        for (std::size_t b = a + 1; b < r.sets.size(); ++b) {
            double c = 1.0;
            if (r.normalized[a] != r.normalized[b]) {
                const std::size_t smaller = std::min(r.sets[a].size(), r.sets[b].size());
                c = smaller == 0 ? 0.0 : static_cast<double>(common(r.sets[a], r.sets[b])) / static_cast<double>(smaller);
            }
            if (c >= t) out[{a, b}] = c;
        }
    return out;
}

}  // namespace

TEST_CASE("containment_overlap is the least overlap reaching the threshold", "[containment]") {
    for (std::size_t size = 1; size <= 300; ++size)
        for (const double t : {0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0}) {
            const std::size_t m = ditto::containment_overlap(size, t);
            INFO("size " << size << ", t " << t);
            CHECK(static_cast<double>(m) / static_cast<double>(size) >= t);
            if (m > 1) CHECK(static_cast<double>(m - 1) / static_cast<double>(size) < t);
        }
}

TEST_CASE("containment pipeline finds every excerpt pair of the brute force", "[containment][ground-truth]") {
    const excerpt_corpus c = make_excerpts(31, 160);
    const reference_sets sets = reference(c.docs, 5);
    for (const double t : {0.8, 0.9, 0.6}) {
        const auto truth = brute_force(sets, t);
        REQUIRE(truth.size() >= c.excerpts / 2);
        ditto::dedup_options o;
        o.threshold = t;
        ditto::inline_executor one;
        const ditto::dedup_result r = ditto::containment_dedup(c.docs, o, one);
        const auto pairs = ditto::expand_pairs(r);
        std::size_t correct = 0;
        for (const auto& p : pairs) {
            const auto it = truth.find({p.first, p.second});
            correct += static_cast<std::size_t>(it != truth.end() && it->second == p.similarity);
        }
        INFO("t " << t << ": " << truth.size() << " true pairs, " << pairs.size() << " reported, " << correct << " correct");
        CHECK(correct == pairs.size());   // precision 1, similarities exact
        CHECK(correct == truth.size());   // recall 1: candidate generation is exact
        CHECK(r.stats.similar_pairs == r.pairs.size());
        CHECK(r.stats.candidates >= r.pairs.size() - r.stats.exact_duplicates);

        // Greedy clusters, by the documented rule applied to the brute-force pairs: units
        // (distinct normalized texts) largest set first, then by index; each joins the kept unit
        // containing it most (ties: the first in that order), or is kept.
        const std::size_t n = c.docs.size();
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return sets.sets[a].size() != sets.sets[b].size() ? sets.sets[a].size() > sets.sets[b].size() : a < b;
        });
        std::vector<std::size_t> want(n, n);
        std::vector<std::size_t> kept;
        for (const std::size_t v : order) {
            std::size_t best = n;
            double best_c = 0;
            for (const std::size_t u : kept) {
                const auto it = truth.find({std::min(u, v), std::max(u, v)});
                if (it != truth.end() && it->second > best_c) {
                    best = u;
                    best_c = it->second;
                }
            }
            if (best == n) kept.push_back(best = v);
            want[v] = best;
        }
        CHECK(r.clusters.cluster == want);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t k = r.clusters.cluster[i];
            if (k == i) continue;
            CHECK(sets.sets[k].size() >= sets.sets[i].size());  // the source is kept, not its excerpt
        }

        // The same result on 2 and 8 threads, and with clusters only.
        for (const std::size_t threads : {2u, 8u}) {
            ditto::thread_pool pool(threads);
            const auto again = ditto::containment_dedup(c.docs, o, pool);
            CHECK(again.pairs == r.pairs);
            CHECK(again.clusters.cluster == r.clusters.cluster);
            ditto::dedup_options clusters_only = o;
            clusters_only.collect_pairs = false;
            const auto quiet = ditto::containment_dedup(c.docs, clusters_only, pool);
            CHECK(quiet.pairs.empty());
            CHECK(quiet.clusters.cluster == r.clusters.cluster);
        }
        // Connected: the components of the pairs.
        ditto::dedup_options connected = o;
        connected.clustering = ditto::cluster_rule::connected;
        const auto comp = ditto::containment_dedup(c.docs, connected, one);
        ditto::union_find uf(n);
        for (const auto& [p, s] : truth) uf.unite(p.first, p.second);
        for (std::size_t i = 0; i < n; ++i)
            for (const std::size_t j : {std::size_t{0}, i / 2})
                CHECK((uf.find(i) == uf.find(j)) == (comp.clusters.cluster[i] == comp.clusters.cluster[j]));
    }
}

TEST_CASE("containment: a pair sink gets the pairs in order, and the options are checked", "[containment]") {
    const excerpt_corpus c = make_excerpts(8, 40);
    ditto::dedup_options o;
    ditto::inline_executor one;
    const auto r = ditto::containment_dedup(c.docs, o, one);
    std::vector<ditto::similar_pair> streamed;
    o.pair_sink = [&](std::span<const ditto::similar_pair> chunk) { streamed.insert(streamed.end(), chunk.begin(), chunk.end()); };
    const auto s = ditto::containment_dedup(c.docs, o, one);
    CHECK(streamed == r.pairs);
    CHECK(s.pairs.empty());
    CHECK(s.clusters.cluster == r.clusters.cluster);

    // Character shingles: an excerpt of a Thai text, contained in it.
    const std::vector<std::string> thai = {"ภาษาไทยไม่มีช่องว่างระหว่างคำเลย", "ไม่มีช่องว่าง", "ช่องทางอื่น"};
    ditto::dedup_options chars;
    chars.shingles = ditto::shingle_kind::characters;
    chars.ngram = 3;
    const auto t = ditto::containment_dedup(thai, chars, one);
    REQUIRE(t.pairs.size() == 1);
    CHECK(t.pairs[0] == ditto::similar_pair{0, 1, 1.0});
    CHECK(t.clusters.cluster == std::vector<std::size_t>{0, 0, 2});

    ditto::dedup_options bad;
    bad.threshold = 0;
    CHECK_THROWS_WITH(ditto::containment_dedup(thai, bad, one), "containment_dedup: threshold must be in (0, 1], got 0");
    bad.threshold = 0.05;  // low thresholds are fine: no LSH shape to reach
    CHECK_NOTHROW(ditto::containment_dedup(thai, bad, one));
    bad.shingles = ditto::shingle_kind::characters;
    bad.ngram = 65;
    CHECK_THROWS_AS(ditto::containment_dedup(thai, bad, one), std::invalid_argument);
    // Empty input and only empty texts.
    CHECK(ditto::containment_dedup(std::vector<std::string>{}, o, one).pairs.empty());
    const auto empties = ditto::containment_dedup(std::vector<std::string>{"", " ", ""}, ditto::dedup_options{}, one);
    CHECK(ditto::expand_pairs(empties) == std::vector<ditto::similar_pair>{{0, 1, 1.0}, {0, 2, 1.0}, {1, 2, 1.0}});
    CHECK(empties.stats.empty_documents == 3);
}

TEST_CASE("containment: clusters only probe the kept units, across batches, with the clusters of every pair",
          "[containment]") {
    // A family of 1,800 near-copies of one text (each with words of its own: every pair contains
    // the other to about 0.95) beside excerpt families: more units than one batch of 2,048, and a
    // family where listing every pair costs 1.6 million candidates.
    excerpt_corpus c = make_excerpts(77, 120);
    ditto_test::rng g{78};
    std::string base;
    for (std::size_t w = 0; w < 60; ++w) base += ditto_test::make_word(g.below(5000)) + " ";
    for (std::size_t i = 0; i < 1800; ++i) c.docs.push_back(base + "posted " + std::to_string(i));
    for (std::size_t i = c.docs.size(); i > 1; --i) std::swap(c.docs[i - 1], c.docs[g.below(i)]);
    REQUIRE(c.docs.size() > 2048);
    for (const double t : {0.8, 0.95}) {
        for (const auto keep : {ditto::keep_rule::first, ditto::keep_rule::longest}) {
            if (t == 0.95 && keep == ditto::keep_rule::longest) continue;
            ditto::dedup_options all_pairs;
            all_pairs.threshold = t;
            all_pairs.keep = keep;
            ditto::dedup_options clusters_only = all_pairs;
            clusters_only.collect_pairs = false;
            ditto::inline_executor one;
            const auto listed = ditto::containment_dedup(c.docs, all_pairs, one);  // every pair, then cluster_greedy
            for (const std::size_t threads : {1u, 2u}) {
                ditto::thread_pool pool(threads);
                const auto probed = ditto::containment_dedup(c.docs, clusters_only, pool);
                INFO("t " << t << ", " << threads << " threads");
                CHECK(probed.clusters.cluster == listed.clusters.cluster);
                CHECK(probed.clusters.keep == listed.clusters.keep);
                CHECK(probed.clusters.cluster_count == listed.clusters.cluster_count);
                // The family's copies probe its one kept copy: candidates about one per unit,
                // where the listed run examined every pair of the family.
                CHECK(listed.stats.candidates > 1800u * 1799u / 2);
                CHECK(probed.stats.candidates < 3 * c.docs.size());
            }
        }
    }
}
