// Character k-gram shingles: the normalizing shingler against a definition written out by hand
// (code points of the normalized text, as a std::u32string), and the pipeline with
// shingle_kind::characters against brute-force Jaccard over sets of k-gram strings, on texts in
// Latin, Cyrillic, CJK and Thai with planted near-copies.
#include <ditto/dedup.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/text_shingler.hpp>
#include <ditto/verify.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

// Well-formed UTF-8 (what the normalizer writes) to code points, and back.
std::u32string decode(const std::string& s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
        for (std::size_t j = 1; j < n; ++j) cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3fu);
        out += cp;
        i += n;
    }
    return out;
}

std::string encode(const std::u32string& s) {
    std::string out;
    for (const char32_t cp : s) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }
    return out;
}

// The k-grams of a text by the definition: code points of the normalized text, every window of
// k of them; the whole text when shorter; none when empty.
std::vector<std::u32string> reference_grams(const std::string& text, std::size_t k) {
    const std::u32string cps = decode(ditto::normalizer{}(text));
    std::vector<std::u32string> out;
    if (cps.empty()) return out;
    if (cps.size() < k) return {cps};
    for (std::size_t i = 0; i + k <= cps.size(); ++i) out.push_back(cps.substr(i, k));
    return out;
}

// Texts in four scripts: words of syllables separated by spaces (Latin, Cyrillic), runs of
// characters without spaces (CJK, Thai).
const std::vector<std::u32string> latin = {U"ka", U"Lo", U"mi", U"ne", U"ru", U"sta", U"ver", U"qui", U"dor", U"pel",
                                           U"tam", U"zu", U"bre", U"gio", U"han", U"wex", U"fy", U"ost", U"lum", U"cra"};
const std::vector<std::u32string> cyrillic = {U"ка", U"ло", U"Ми", U"не", U"ру", U"ста", U"вер", U"щи", U"дор", U"пел",
                                              U"там", U"зу", U"бре", U"жё", U"хан", U"вэк", U"фы", U"ост", U"люм", U"кра"};
const std::vector<std::u32string> thai = {U"กา", U"ลี", U"มู", U"เน", U"รา", U"สุ", U"วิ", U"ดอ", U"ปา", U"ตั้ง",
                                          U"ซู", U"บร", U"โก", U"หาน", U"วอ", U"ฟ้า", U"อส", U"ลุ่ม", U"คร", U"ยิ่ง"};

std::u32string make_text(ditto_test::rng& g, int script, std::size_t length) {
    std::u32string t;
    while (t.size() < length) {
        switch (script) {
            case 0:
            case 1: {
                const auto& syl = script == 0 ? latin : cyrillic;
                if (!t.empty()) t += g.below(10) == 0 ? U", " : U" ";
                for (std::size_t s = 1 + g.below(3); s > 0; --s) t += syl[g.below(syl.size())];
                break;
            }
            case 2:  // CJK ideographs from a block of 400, a full stop now and then
                t += static_cast<char32_t>(0x4e00 + g.below(400));
                if (g.below(25) == 0) t += U'\u3002';
                break;
            default:
                t += thai[g.below(thai.size())];
                break;
        }
    }
    return t;
}

// A copy with code points deleted, substituted and inserted at `rate` each third, the
// substitutes drawn from the same script.
std::u32string edit(ditto_test::rng& g, int script, const std::u32string& text, double rate) {
    std::u32string out;
    for (const char32_t c : text) {
        const double r = g.unit();
        if (r < rate / 3) continue;
        if (r < 2 * rate / 3) {
            out += make_text(g, script, 1).substr(0, 1);
            continue;
        }
        out += c;
        if (r < rate) out += make_text(g, script, 1).substr(0, 1);
    }
    return out;
}

std::vector<std::string> make_script_corpus(std::uint64_t seed) {
    ditto_test::rng g{seed};
    std::vector<std::string> docs;
    for (int script = 0; script < 4; ++script) {
        for (std::size_t d = 0; d < 40; ++d) {
            const std::u32string base = make_text(g, script, 40 + g.below(300));
            docs.push_back(encode(base));
            const std::size_t copies = g.below(4);
            for (std::size_t c = 0; c < copies; ++c) {
                std::u32string copy = edit(g, script, base, g.unit() * 0.05);
                if (g.below(4) == 0) copy = copy.substr(0, copy.size() * 9 / 10);  // end cut off
                std::string text = encode(copy);
                if (script == 0 && g.below(2) == 0)  // case and spacing the normalizer folds
                    for (auto& ch : text) ch = ch == ' ' ? '\n' : static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
                docs.push_back(text);
            }
        }
    }
    // Hostile texts: empty, whitespace only, shorter than k, ill-formed UTF-8 (replaced by U+FFFD).
    for (const char* odd : {"", "   ", "ab", "ab", "AB", "\xff\xfe", "\xff\xfe", "x\x80y", "\xe4\xb8", "кот", "。"})
        docs.emplace_back(odd);
    for (std::size_t i = docs.size(); i > 1; --i) std::swap(docs[i - 1], docs[g.below(i)]);
    return docs;
}

// Every pair at or above the threshold by Jaccard over sets of k-gram strings (each string given
// a number by a dictionary: no hash); texts whose normalized forms are equal are similar with 1.
std::vector<ditto_test::reference_pair> brute_force(const std::vector<std::string>& docs, std::size_t k, double t) {
    std::map<std::u32string, std::uint64_t> ids;
    std::vector<std::vector<std::uint64_t>> sets(docs.size());
    std::vector<std::string> normalized(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
        normalized[d] = ditto::normalizer{}(docs[d]);
        for (const auto& gram : reference_grams(docs[d], k)) sets[d].push_back(ids.emplace(gram, ids.size()).first->second);
        std::sort(sets[d].begin(), sets[d].end());
        sets[d].erase(std::unique(sets[d].begin(), sets[d].end()), sets[d].end());
    }
    std::vector<ditto_test::reference_pair> out;
    for (std::size_t a = 0; a < docs.size(); ++a)
        for (std::size_t b = a + 1; b < docs.size(); ++b) {
            double j = 1.0;
            if (normalized[a] != normalized[b]) {
                std::vector<std::uint64_t> common;
                std::set_intersection(sets[a].begin(), sets[a].end(), sets[b].begin(), sets[b].end(), std::back_inserter(common));
                const std::size_t united = sets[a].size() + sets[b].size() - common.size();
                j = united == 0 ? 0.0 : static_cast<double>(common.size()) / static_cast<double>(united);
            }
            if (j >= t) out.push_back({a, b, j});
        }
    return out;
}

}  // namespace

TEST_CASE("char shingles: the hashes of the k code points of the normalized text", "[shingle][chars]") {
    const std::vector<std::string> texts = {
        "Hello,   World",        // case, a whitespace run
        "  Привет   мир  ",       // Cyrillic; ends trimmed
        "東京都の天気は晴れ",       // CJK without spaces
        "ภาษาไทยไม่มีช่องว่าง",     // Thai with marks
        "abc", "ab", "a", "", "   ", "\xff\xfe", "x\x80y", "e\xcc\x81t\xc3\xa9",  // short, empty, ill-formed, NFD
    };
    for (const std::size_t k : {1u, 2u, 3u, 5u, 9u}) {
        const ditto::normalizing_char_shingler<> shingler(ditto::normalize_options{}, k, 17);
        const ditto::text_shingler runtime(ditto::shingle_kind::characters, ditto::normalize_options{}, k, 17);
        for (const auto& text : texts) {
            std::vector<std::uint64_t> want;
            for (const auto& gram : reference_grams(text, k)) want.push_back(ditto::hash64(encode(gram), 17));
            INFO("k " << k << ", text '" << text << "'");
            CHECK(shingler(text) == want);
            CHECK(runtime(text) == want);
        }
    }
    // Whitespace runs are one space: these two have the same grams.
    const ditto::normalizing_char_shingler<> three(ditto::normalize_options{}, 3);
    CHECK(three("to  be\n\tor") == three("to be or"));
    CHECK(three("tobeor") != three("to be or"));
    // A text shorter than k is one gram of the whole text; empty and whitespace-only give none.
    CHECK(three("ab").size() == 1);
    CHECK(three("").empty());
    CHECK(three(" \n ").empty());
    // Ill-formed UTF-8: replaced (one U+FFFD per maximal subpart), or an error under that policy.
    CHECK(three("\xff") == three("\xef\xbf\xbd"));
    ditto::normalize_options strict;
    strict.on_invalid = ditto::invalid_utf8::error;
    CHECK_THROWS_AS(ditto::normalizing_char_shingler<>(strict, 3)("ok \xff"), ditto::parse_error);
    // The runtime shingler of words is the word shingler.
    const ditto::text_shingler words(ditto::shingle_kind::words, ditto::normalize_options{}, 2, 5);
    CHECK(words("Der Hund, die Katze") == ditto::word_shingler<>(2, 5)(ditto::normalizer{}("Der Hund, die Katze")));
}

TEST_CASE("dedup with char shingles finds the brute-force pairs in four scripts", "[dedup][chars][ground-truth]") {
    const std::vector<std::string> docs = make_script_corpus(77);
    for (const std::size_t k : {3u, 5u}) {
        const auto expected = brute_force(docs, k, 0.8);
        std::map<std::pair<std::size_t, std::size_t>, double> truth;
        for (const auto& p : expected) truth[{p.first, p.second}] = p.similarity;
        REQUIRE(expected.size() >= 100);
        ditto::dedup_options o;
        o.shingles = ditto::shingle_kind::characters;
        o.ngram = k;
        ditto::inline_executor one;
        const ditto::dedup_result r = ditto::dedup(docs, o, one);
        const auto pairs = ditto::expand_pairs(r);
        std::size_t correct = 0, planted = 0, planted_found = 0;
        std::set<std::pair<std::size_t, std::size_t>> found;
        for (const auto& p : pairs) {
            const auto it = truth.find({p.first, p.second});
            correct += static_cast<std::size_t>(it != truth.end() && it->second == p.similarity);
            found.emplace(p.first, p.second);
        }
        // Pairs well above the threshold (the planted copies with few edits) are certain
        // candidates: P = 1 - (1 - 0.85^6)^18 > 0.9998 each.
        for (const auto& p : expected) {
            if (p.similarity < 0.85) continue;
            ++planted;
            planted_found += found.count({p.first, p.second});
        }
        INFO("k " << k << ": " << expected.size() << " true pairs, " << pairs.size() << " reported, " << correct << " correct");
        CHECK(correct == pairs.size());  // precision 1
        CHECK(static_cast<double>(correct) >= 0.99 * static_cast<double>(expected.size()));
        CHECK(planted_found == planted);
        // Every removed copy is similar to its kept copy.
        for (std::size_t i = 0; i < docs.size(); ++i) {
            const std::size_t c = r.clusters.cluster[i];
            if (c != i) CHECK(truth.count({std::min(c, i), std::max(c, i)}) == 1);
        }
        // The same result on any number of threads, with pairs or clusters only.
        for (const std::size_t threads : {2u, 8u}) {
            ditto::thread_pool pool(threads);
            const auto again = ditto::dedup(docs, o, pool);
            CHECK(again.pairs == r.pairs);
            CHECK(again.clusters.cluster == r.clusters.cluster);
            ditto::dedup_options clusters_only = o;
            clusters_only.collect_pairs = false;
            CHECK(ditto::dedup(docs, clusters_only, pool).clusters.keep == r.clusters.keep);
        }
    }
}

TEST_CASE("dedup with char shingles: short and odd texts, and the option's range", "[dedup][chars]") {
    ditto::dedup_options o;
    o.shingles = ditto::shingle_kind::characters;
    o.ngram = 4;
    // Titles too short for word 5-shingles to tell apart, but not for character 4-grams.
    const std::vector<std::string> docs = {"Breaking: markets rally", "BREAKING: Markets rally!", "Markets fall",
                                           "", "", "ab", "ab", "\xff", "\xef\xbf\xbd", "東京", "東京"};
    ditto::inline_executor one;
    const auto r = ditto::dedup(docs, o, one);
    const auto expected = brute_force(docs, 4, 0.8);
    std::vector<ditto::similar_pair> want;
    for (const auto& p : expected) want.push_back({p.first, p.second, p.similarity});
    CHECK(ditto::expand_pairs(r) == want);
    CHECK(r.clusters.cluster[1] == 0);
    CHECK(r.clusters.cluster[2] == 2);
    CHECK(r.exact_of[4] == 3);   // empty texts: exact duplicates of each other
    CHECK(r.exact_of[8] == 7);   // an ill-formed byte is U+FFFD
    CHECK(r.stats.empty_documents == 2);

    o.ngram = 65;
    CHECK_THROWS_WITH(o.validate(), "dedup: ngram must be in [1, 64] for character shingles, got 65");
    o.ngram = 64;
    CHECK_NOTHROW(o.validate());
    o.ngram = 0;
    CHECK_THROWS_AS(o.validate(), std::invalid_argument);
    o.ngram = 5;
    o.shingles = static_cast<ditto::shingle_kind>(7);
    CHECK_THROWS_AS(o.validate(), std::invalid_argument);
}
