// dedup_against: new documents against a stored index, checked against a brute force over every
// (new, indexed) pair, against ditto::dedup on the two corpora together, in estimated mode and
// on several thread counts.
#include <ditto/dedup.hpp>
#include <ditto/parallel.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/index.hpp>
#include <ditto/verify.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string_view>
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

// New documents as a text_source that copies each text into the caller's buffer, as a source
// reading from disk does (a view kept past the buffer's next use shows under ASan).
struct copying_source {
    const std::vector<text_doc>* docs;
    [[nodiscard]] std::size_t size() const { return docs->size(); }
    std::string_view text(std::size_t i, std::string& buffer) const {
        buffer.assign((*docs)[i].text);
        return buffer;
    }
};

// Everything a result says, compared.
void check_same(const ditto::against_result& got, const ditto::against_result& expected) {
    CHECK(got.matches == expected.matches);
    CHECK(got.exact_of == expected.exact_of);
    CHECK(got.indexed_of == expected.indexed_of);
    CHECK(got.documents == expected.documents);
    CHECK(got.empty_documents == expected.empty_documents);
    CHECK(got.exact_duplicates == expected.exact_duplicates);
    CHECK(got.units == expected.units);
    CHECK(got.candidates == expected.candidates);
    CHECK(got.exact == expected.exact);
    CHECK(got.estimated == expected.estimated);
    CHECK(got.fetched == expected.fetched);
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
    for (const auto& m : ditto::expand_matches(r)) {
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
        // The new documents from a text source: the same answer.
        ditto::thread_pool pool(3);
        check_same(ditto::dedup_against(index, copying_source{&c.fresh}, pool, texts), r);
        check_same(ditto::dedup_against(index, copying_source{&c.fresh}, pool), ditto::dedup_against(index, c.fresh, one));

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
    for (const auto& m : ditto::expand_matches(estimated)) {
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
    for (const auto& m : ditto::expand_matches(half)) CHECK(m.estimated == (m.indexed % 2 == 1));
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
        check_same(r, base);
    }
}

namespace {

using quad = std::tuple<std::size_t, std::uint32_t, double, bool>;

std::vector<quad> quads(const std::vector<ditto::against_match>& matches) {
    std::vector<quad> out;
    for (const auto& m : matches) out.emplace_back(m.document, m.indexed, m.similarity, m.estimated);
    return out;
}

// Every (new, indexed) pair sharing a band key, judged one by one: exactly from both texts when
// the indexed text is available, else from the signatures. No grouping of any kind.
std::vector<quad> brute_force(const ditto::stored_index& index, const std::vector<text_doc>& reference,
                              const std::vector<text_doc>& fresh, const std::function<bool(std::uint32_t)>& available) {
    const ditto::index_sketcher sketcher(index.parameters);
    const auto& p = index.parameters;
    const std::size_t k = p.slots;
    struct sketch {
        std::vector<std::uint64_t> set;
        std::vector<std::uint32_t> slots;
        std::vector<std::uint64_t> keys;
        bool empty = true;
    };
    const auto make = [&](const std::string& text) {
        sketch s;
        std::string scratch;
        sketcher.shingle_set(text, scratch, s.set);
        s.slots.resize(k);
        s.keys.resize(p.lsh.bands);
        s.empty = !sketcher.sign(std::span<const std::uint64_t>(s.set), std::span<std::uint32_t>(s.slots));
        if (!s.empty) ditto::band_keys(std::span<const std::uint32_t>(s.slots), p.lsh, std::span<std::uint64_t>(s.keys));
        return s;
    };
    std::vector<sketch> ref, mine;
    for (const auto& d : reference) ref.push_back(make(d.text));
    for (const auto& d : fresh) mine.push_back(make(d.text));
    std::vector<quad> out;
    for (std::size_t i = 0; i < mine.size(); ++i)
        for (std::size_t j = 0; j < ref.size(); ++j) {
            if (mine[i].empty || ref[j].empty) continue;
            bool shared = false;
            for (std::size_t b = 0; b < p.lsh.bands; ++b) shared = shared || mine[i].keys[b] == ref[j].keys[b];
            if (!shared) continue;
            const auto d = static_cast<std::uint32_t>(j);
            double s;
            if (available(d)) {
                s = ditto::jaccard(mine[i].set, ref[j].set);
            } else {
                std::size_t equal = 0;
                for (std::size_t x = 0; x < k; ++x) equal += static_cast<std::size_t>(mine[i].slots[x] == ref[j].slots[x]);
                s = static_cast<double>(equal) / static_cast<double>(k);
            }
            if (s >= p.threshold) out.emplace_back(i, d, s, !available(d));
        }
    return out;
}

// Storms on both sides: texts repeated thousands of times (byte-identical, and case or spacing
// variants: equal once normalized), texts without words (empty, spaces, emoji only, too short
// for a shingle), near-copies of a storm text, and documents matching nothing; shuffled.
corpora make_storms(std::uint32_t seed) {
    corpora c = make_corpora(seed);
    std::mt19937 rng(seed + 1);
    const std::string storm = "Sorry, this page is not available in your country at the moment.";
    const std::string other = "Accept cookies to continue reading this article on our website today.";
    const auto add = [](std::vector<text_doc>& to, const std::string& text, std::size_t times) {
        for (std::size_t i = 0; i < times; ++i) to.push_back({text});
    };
    add(c.reference, storm, 1200);
    add(c.reference, "SORRY, this page is  not available in your country at the moment.", 200);
    add(c.reference, other, 700);
    add(c.reference, storm + " Please try again later.", 40);
    add(c.reference, "", 300);
    add(c.reference, "\xF0\x9F\x98\x80\xF0\x9F\x8E\x89", 150);  // emoji only
    add(c.reference, "two words", 100);
    add(c.fresh, storm, 1000);
    add(c.fresh, "Sorry, this page is not available in your COUNTRY at the moment.", 300);
    add(c.fresh, storm + " Please try again later, thank you.", 20);
    add(c.fresh, other + " Or not.", 60);
    add(c.fresh, "", 200);
    add(c.fresh, "\xF0\x9F\x98\x80\xF0\x9F\x8E\x89", 100);
    add(c.fresh, "two words", 50);
    add(c.fresh, "a storm of its own that the index has never seen before, repeated", 400);
    std::shuffle(c.reference.begin(), c.reference.end(), rng);
    std::shuffle(c.fresh.begin(), c.fresh.end(), rng);
    return c;
}

}  // namespace

TEST_CASE("dedup_against with storms on both sides equals a brute force over every pair", "[store][against]") {
    const corpora c = make_storms(31);
    for (const double threshold : {0.8, 0.5}) {
        CAPTURE(threshold);
        ditto::dedup_options o;
        o.threshold = threshold;
        const ditto::stored_index index = build(c.reference, ditto::index_parameters_for(o));
        // All texts available; none; and a mix (every third indexed text missing), so that groups of
        // copies split into a part judged exactly and a part estimated.
        const std::function<bool(std::uint32_t)> modes[] = {
            [](std::uint32_t) { return true; },
            [](std::uint32_t) { return false; },
            [](std::uint32_t d) { return d % 3 != 0; },
        };
        for (std::size_t mode = 0; mode < 3; ++mode) {
            CAPTURE(mode);
            const auto& available = modes[mode];
            std::size_t calls = 0;
            std::mutex calls_mutex;
            const auto texts = [&](std::uint32_t d, std::string& out) {
                {
                    std::lock_guard lock(calls_mutex);
                    ++calls;
                }
                if (!available(d)) return false;
                out = c.reference[d].text;
                return true;
            };
            ditto::inline_executor one;
            const ditto::against_result r = ditto::dedup_against(index, c.fresh, one, texts);
            const std::vector<quad> expected = brute_force(index, c.reference, c.fresh, available);
            REQUIRE(expected.size() > 1000 * 1200);  // the storms match each other
            const ditto::against_groups groups(r);
            CHECK(groups.pair_count() == expected.size());
            CHECK(quads(ditto::expand_matches(r)) == expected);
            // The work is that of the distinct texts: far fewer judgements and fetches than pairs.
            CHECK(r.candidates < 3000);
            CHECK(calls <= r.candidates + c.reference.size());
            CHECK(r.matches.size() < 2000);
            check_same(ditto::dedup_against(index, copying_source{&c.fresh}, one, texts), r);  // from a text source
            // Each unit and each part is named by its first member; new units are normalized texts.
            const ditto::index_sketcher sketcher(index.parameters);
            std::string a, b;
            for (std::size_t i = 0; i < c.fresh.size(); ++i) {
                const std::size_t f = r.exact_of[i];
                REQUIRE(f <= i);
                CHECK(r.exact_of[f] == f);
                sketcher.normalize(c.fresh[i].text, a);
                sketcher.normalize(c.fresh[f].text, b);
                CHECK(a == b);
            }
            for (std::size_t d = 0; d < c.reference.size(); ++d) {
                const std::uint32_t f = r.indexed_of[d];
                REQUIRE(f <= d);
                CHECK(r.indexed_of[f] == f);
                CHECK(c.reference[f].text == c.reference[d].text);
                if (f != d) CHECK(available(f) == available(static_cast<std::uint32_t>(d)));
            }
            CHECK(r.empty_documents == 200 + 100 + 1);  // empty, emoji only, and make_corpora's spaces ("two words" is one shingle)
            // Byte-identical texts are one unit with the first of them, whatever their meaning.
            CHECK(r.exact_duplicates > 1500);

            // The same on pools of 2 and 8 threads.
            for (const std::size_t threads : {std::size_t{2}, std::size_t{8}}) {
                ditto::thread_pool pool(threads);
                const ditto::against_result t = ditto::dedup_against(index, c.fresh, pool, texts);
                check_same(t, r);
            }
        }
    }
}

TEST_CASE("dedup_against judges a text repeated in the index and among the new documents once", "[store][against]") {
    ditto::dedup_options o;
    const std::string text = "one two three four five six seven eight nine ten eleven twelve";
    // 10^5 copies on each side: 10^10 pairs, which a judgement per pair could not afford.
    constexpr std::size_t copies = 100000;
    const std::vector<text_doc> reference(copies, text_doc{text});
    const ditto::stored_index index = build(reference, ditto::index_parameters_for(o));
    ditto::inline_executor one;
    std::size_t calls = 0;
    std::vector<text_doc> fresh(copies, text_doc{text});
    fresh.push_back({text + " thirteen"});
    const ditto::against_result r = ditto::dedup_against(index, fresh, one, [&](std::uint32_t, std::string& out) {
        ++calls;
        out = text;
        return true;
    });
    CHECK(r.units == 2);
    CHECK(r.candidates == 2);          // two units, one group of copies
    CHECK(r.fetched == copies);        // the group's texts, fetched once to confirm the copies
    CHECK(calls == copies + 2);
    REQUIRE(r.matches.size() == 2);
    CHECK(r.matches[0].document == 0);
    CHECK(r.matches[0].indexed == 0);
    CHECK(r.matches[0].similarity == 1.0);
    CHECK(r.matches[1].document == copies);
    CHECK(std::abs(r.matches[1].similarity - 8.0 / 9.0) < 1e-12);
    CHECK(r.indexed_copies == copies - 1);
    CHECK(r.exact_duplicates == copies - 1);
    CHECK(ditto::against_groups(r).pair_count() == std::uint64_t{copies + 1} * copies);
}

TEST_CASE("dedup_against keeps indexed documents with one text hash but other signatures apart", "[store][against]") {
    // A recorded hash shared by two different texts (as a collision would): the signatures tell
    // them apart, so neither stands for the other.
    ditto::dedup_options o;
    const ditto::index_parameters p = ditto::index_parameters_for(o);
    const ditto::index_sketcher sketcher(p);
    const std::vector<std::string> texts{"alpha beta gamma delta epsilon zeta eta theta iota kappa",
                                         "alpha beta gamma delta epsilon zeta eta theta iota lambda",
                                         "alpha beta gamma delta epsilon zeta eta theta iota kappa"};
    ditto::index_builder builder(p);
    const auto source = builder.add_source({"s", 1000, ditto::hash128("s")});
    std::string scratch;
    std::vector<std::uint64_t> hashes, slots(p.slots);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        sketcher.shingles(texts[i], scratch, hashes);
        sketcher.sign(hashes, slots);
        builder.add_document({source, 0, 10, ditto::hash128(texts[0]), std::to_string(i)}, std::span<const std::uint64_t>(slots));
    }
    const ditto::stored_index index = std::move(builder).finish();
    ditto::inline_executor one;
    const std::vector<text_doc> fresh{{texts[1]}};
    const ditto::against_result r = ditto::dedup_against(index, fresh, one);
    CHECK(r.indexed_of == std::vector<std::uint32_t>{0, 1, 0});
    const auto all = ditto::expand_matches(r);
    REQUIRE(!all.empty());
    CHECK(std::any_of(all.begin(), all.end(), [](const auto& m) { return m.indexed == 1 && m.similarity == 1.0; }));
}
