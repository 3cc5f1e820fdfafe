// dedup_against: new documents against a stored index, checked against a brute force over every
// (new, indexed) pair, against ditto::dedup on the two corpora together, in estimated mode and
// on several thread counts.
#include <ditto/dedup.hpp>
#include <ditto/parallel.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/index.hpp>
#include <ditto/verify.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "support/catch.hpp"

namespace {

struct text_doc {
    std::string text;
};

std::string random_text(std::mt19937& rng, std::size_t words) {
    std::string t;
    for (std::size_t w = 0; w < words; ++w) t.append(t.empty() ? "" : " ").append(1, 'w').append(std::to_string(rng() % 500));
    return t;
}

// A copy of t with `edits` words replaced by new ones.
std::string edited(std::string t, std::mt19937& rng, std::size_t edits) {
    std::vector<std::string> words;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= t.size(); ++i)
        if (i == t.size() || t[i] == ' ') {
            words.push_back(t.substr(start, i - start));
            start = i + 1;
        }
    for (std::size_t e = 0; e < edits; ++e) words[rng() % words.size()] = std::string(1, 'x').append(std::to_string(rng() % 100000));
    std::string out;
    for (const auto& w : words) out.append(out.empty() ? "" : " ").append(w);
    return out;
}

struct corpora {
    std::vector<text_doc> reference, fresh;
};

// A reference corpus with families of near-copies, and new documents: near-copies of reference
// documents at several distances, copies of each other, and unrelated ones.
corpora make_corpora(std::uint32_t seed) {
    std::mt19937 rng(seed);
    corpora c;
    for (std::size_t i = 0; i < 300; ++i) {
        // One random draw per statement: the corpus must not depend on the order in which a
        // compiler evaluates function arguments.
        if (i > 0 && rng() % 3 == 0) {
            const std::size_t of = rng() % i, edits = rng() % 6;
            c.reference.push_back({edited(c.reference[of].text, rng, edits)});
        } else {
            const std::size_t length = 40 + rng() % 60;
            c.reference.push_back({random_text(rng, length)});
        }
    }
    for (std::size_t i = 0; i < 200; ++i) {
        const auto kind = rng() % 4;
        if (kind == 0) {  // matches nothing
            const std::size_t length = 30 + rng() % 60;
            c.fresh.push_back({random_text(rng, length)});
        } else if (kind == 3 && i > 0) {
            const std::size_t of = rng() % i;
            c.fresh.push_back({edited(c.fresh[of].text, rng, 1)});
        } else {
            const std::size_t of = rng() % 300, edits = rng() % 10;
            c.fresh.push_back({edited(c.reference[of].text, rng, edits)});
        }
    }
    c.fresh.push_back({" \n "});  // no words, no shingles: matches nothing
    return c;
}

ditto::stored_index build(const std::vector<text_doc>& docs, const ditto::index_parameters& p) {
    ditto::index_builder builder(p);
    const ditto::index_sketcher sketcher(p);
    std::string all;
    for (const auto& d : docs) all += d.text;
    const auto source = builder.add_source({"reference", all.size(), ditto::hash128(all)});
    std::uint64_t offset = 0;
    std::string scratch;
    std::vector<std::uint64_t> hashes, slots(p.slots);
    for (std::size_t i = 0; i < docs.size(); ++i) {
        sketcher.shingles(docs[i].text, scratch, hashes);
        sketcher.sign(hashes, slots);
        builder.add_document({source, offset, docs[i].text.size(), ditto::hash128(docs[i].text), std::string(1, 'r').append(std::to_string(i))},
                             std::span<const std::uint64_t>(slots));
        offset += docs[i].text.size();
    }
    return std::move(builder).finish();
}

using triple = std::tuple<std::size_t, std::uint32_t, double>;

std::vector<triple> exact_triples(const ditto::against_result& r) {
    std::vector<triple> out;
    for (const auto& m : r.matches) {
        CHECK_FALSE(m.estimated);
        out.emplace_back(m.document, m.indexed, m.similarity);
    }
    return out;
}

}  // namespace

TEST_CASE("dedup_against equals a brute force over every pair", "[store][against]") {
    const corpora c = make_corpora(11);
    for (const double threshold : {0.8, 0.5}) {
        CAPTURE(threshold);
        ditto::dedup_options o;
        o.threshold = threshold;
        o.recall = 0.9999;  // a pair missed by LSH would be a (rare, deterministic) difference
        const ditto::stored_index index = build(c.reference, ditto::index_parameters_for(o));
        const auto texts = [&](std::uint32_t d, std::string& out) {
            out = c.reference[d].text;
            return true;
        };
        ditto::inline_executor one;
        const ditto::against_result r = ditto::dedup_against(index, c.fresh, one, texts);

        // Brute force: exact Jaccard over the shingle sets of every (new, indexed) pair.
        const ditto::normalizer normalize(o.normalization);
        const ditto::word_shingler<> shingle(o.ngram, o.seed);
        std::vector<std::vector<std::uint64_t>> ref_sets, new_sets;
        for (const auto& d : c.reference) ref_sets.push_back(ditto::shingle_set(d.text, normalize, shingle));
        for (const auto& d : c.fresh) new_sets.push_back(ditto::shingle_set(d.text, normalize, shingle));
        std::vector<triple> expected;
        std::size_t unmatched = 0;
        for (std::size_t i = 0; i < new_sets.size(); ++i) {
            bool any = false;
            for (std::size_t j = 0; j < ref_sets.size(); ++j) {
                const double s = ditto::jaccard(new_sets[i], ref_sets[j]);
                if (s >= threshold) {
                    expected.emplace_back(i, static_cast<std::uint32_t>(j), s);
                    any = true;
                }
            }
            unmatched += any ? 0 : 1;
        }
        CHECK(unmatched >= 40);       // the corpus has new documents that match nothing
        CHECK(expected.size() >= 30);
        CHECK(exact_triples(r) == expected);
        CHECK(r.estimated == 0);
        CHECK(r.empty_documents == 1);
        CHECK(r.documents == c.fresh.size());

        // ditto::dedup over reference + new together: its cross pairs are the same.
        std::vector<text_doc> together = c.reference;
        together.insert(together.end(), c.fresh.begin(), c.fresh.end());
        o.prefilter_miss = 0;
        const ditto::dedup_result all = ditto::dedup(together, o, one, std::less<>{});
        std::vector<triple> cross;
        for (const auto& p : ditto::expand_pairs(all))
            if (p.first < c.reference.size() && p.second >= c.reference.size())
                cross.emplace_back(p.second - c.reference.size(), static_cast<std::uint32_t>(p.first), p.similarity);
        std::sort(cross.begin(), cross.end());
        CHECK(cross == expected);
    }
}

TEST_CASE("dedup_against estimates from the signatures without texts, or with texts that changed", "[store][against]") {
    const corpora c = make_corpora(5);
    ditto::dedup_options o;
    const ditto::stored_index index = build(c.reference, ditto::index_parameters_for(o));
    ditto::inline_executor one;
    const ditto::against_result estimated = ditto::dedup_against(index, c.fresh, one);
    REQUIRE(!estimated.matches.empty());
    CHECK(estimated.exact == 0);
    CHECK(estimated.estimated == estimated.candidates);
    for (const auto& m : estimated.matches) {
        CHECK(m.estimated);
        // The estimate is the share of equal slots.
        const auto theirs = index.signature(m.indexed);
        const ditto::index_sketcher sketcher(index.parameters);
        std::string scratch;
        std::vector<std::uint64_t> hashes, mine(index.parameters.slots);
        sketcher.shingles(c.fresh[m.document].text, scratch, hashes);
        sketcher.sign(hashes, mine);
        std::size_t equal = 0;
        for (std::size_t s = 0; s < mine.size(); ++s) equal += static_cast<std::size_t>(mine[s] == theirs[s]);
        CHECK(m.similarity == static_cast<double>(equal) / static_cast<double>(mine.size()));
        CHECK(m.similarity >= 0.8);
    }
    // Texts other than the indexed ones (their hash differs) are not used.
    const ditto::against_result changed = ditto::dedup_against(index, c.fresh, one, [&](std::uint32_t d, std::string& out) {
        out = c.reference[d].text + " changed";
        return true;
    });
    CHECK(changed.matches == estimated.matches);
    // Only some available: those judged exactly, the others estimated.
    const ditto::against_result half = ditto::dedup_against(index, c.fresh, one, [&](std::uint32_t d, std::string& out) {
        if (d % 2) return false;
        out = c.reference[d].text;
        return true;
    });
    for (const auto& m : half.matches) CHECK(m.estimated == (m.indexed % 2 == 1));
    CHECK(half.exact > 0);
    CHECK(half.estimated > 0);
}

TEST_CASE("dedup_against gives the same result on 1, 2 and 8 threads", "[store][against]") {
    const corpora c = make_corpora(23);
    ditto::dedup_options o;
    o.threshold = 0.5;
    const ditto::stored_index index = build(c.reference, ditto::index_parameters_for(o));
    const auto texts = [&](std::uint32_t d, std::string& out) {
        if (d % 3 == 0) return false;
        out = c.reference[d].text;
        return true;
    };
    ditto::inline_executor one;
    const ditto::against_result base = ditto::dedup_against(index, c.fresh, one, texts);
    REQUIRE(!base.matches.empty());
    for (const std::size_t threads : {std::size_t{2}, std::size_t{8}}) {
        ditto::thread_pool pool(threads);
        const ditto::against_result r = ditto::dedup_against(index, c.fresh, pool, texts);
        CHECK(r.matches == base.matches);
        CHECK(r.candidates == base.candidates);
    }
}

TEST_CASE("dedup_against examines each candidate once when a document has many indexed copies", "[store][against]") {
    ditto::dedup_options o;
    const std::string text = "one two three four five six seven eight nine ten eleven twelve";
    const std::vector<text_doc> reference(2000, text_doc{text});
    const ditto::stored_index index = build(reference, ditto::index_parameters_for(o));
    ditto::inline_executor one;
    std::size_t calls = 0;
    const std::vector<text_doc> fresh{{text}, {text + " thirteen"}};
    const ditto::against_result r = ditto::dedup_against(index, fresh, one, [&](std::uint32_t, std::string& out) {
        ++calls;
        out = text;
        return true;
    });
    CHECK(r.candidates == 4000);
    CHECK(calls == 4000);
    REQUIRE(r.matches.size() == 4000);
    CHECK(r.matches.front().similarity == 1.0);
    CHECK(std::abs(r.matches.back().similarity - 8.0 / 9.0) < 1e-12);
}
