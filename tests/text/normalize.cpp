#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>

#include <random>
#include <string>
#include <vector>

#include "support/catch.hpp"

using ditto::normalize;
using ditto::normalize_options;

TEST_CASE("normalize: full case folding makes Straße and STRASSE agree", "[normalize]") {
    CHECK(normalize("Straße") == "strasse");
    CHECK(normalize("STRASSE") == "strasse");
    CHECK(normalize("ΣΊΣΥΦΟΣ") == "σίσυφοσ");
    CHECK(normalize("ПРИВЕТ, Мир") == "привет, мир");
    normalize_options simple;
    simple.case_fold = ditto::case_folding::simple;
    CHECK(normalize("Straße", simple) == "straße");
    normalize_options none;
    none.case_fold = ditto::case_folding::none;
    CHECK(normalize("Straße ABC", none) == "Straße ABC");
}

TEST_CASE("normalize: typographic punctuation and spaces fold to ASCII", "[normalize]") {
    CHECK(normalize("„Zitat“ und ‚das‘") == "\"zitat\" und 'das'");
    CHECK(normalize("«Бонжур» — это ‹x›") == "\"бонжур\" - это 'x'");
    CHECK(normalize("a–b—c…") == "a-b-c...");
    CHECK(normalize("it’s 10\u00A0000\u202F€") == "it's 10 000 €");
    CHECK(normalize("re\u00ADpub\u200Blished") == "republished");
    normalize_options keep;
    keep.fold_punctuation = false;
    CHECK(normalize("„a“ – b…", keep) == "„a“ – b…");
}

TEST_CASE("normalize: whitespace runs collapse and ends are trimmed", "[normalize]") {
    CHECK(normalize("  hello \t\r\n  world \n") == "hello world");
    CHECK(normalize("\u3000\u2003a\u2028b\u0085") == "a b");
    CHECK(normalize("") == "");
    CHECK(normalize(" \n\t ") == "");
    normalize_options keep;
    keep.collapse_whitespace = false;
    CHECK(normalize(" a\tb\u00A0c ", keep) == " a\tb c ");
}

TEST_CASE("normalize: optional diacritic stripping and compatibility folding", "[normalize]") {
    normalize_options strip;
    strip.strip_diacritics = true;
    CHECK(normalize("Café Müller Ærø São", strip) == "cafe muller ærø sao");
    CHECK(normalize("Cafe\u0301", strip) == "cafe");  // decomposed input
    CHECK(normalize("Ёлка", strip) == "елка");
    CHECK(normalize("Café") == "café");  // off by default
    normalize_options compat;
    compat.fold_compatibility = true;
    CHECK(normalize("ﬁnance ＡＢＣ１２３ x²", compat) == "finance abc123 x2");
    CHECK(normalize("Ｘ１ ²") == "ｘ１ ²");  // off by default (case folding still applies)
}

TEST_CASE("normalize: invalid UTF-8 follows the policy", "[normalize]") {
    const std::string bad = "ab\xFF" "cd\xE2\x82";
    CHECK(normalize(bad) == "ab\xEF\xBF\xBD" "cd\xEF\xBF\xBD");
    normalize_options skip;
    skip.on_invalid = ditto::invalid_utf8::skip;
    CHECK(normalize(bad, skip) == "abcd");
    normalize_options error;
    error.on_invalid = ditto::invalid_utf8::error;
    try {
        (void)normalize(bad, error);
        FAIL("expected a parse_error");
    } catch (const ditto::parse_error& e) {
        CHECK(e.byte_offset() == 2);
    }
    const std::string nul("a\0B", 3);
    CHECK(normalize(nul) == std::string("a\0b", 3));
}

namespace {

// Normalizes with a map and checks, for every code point boundary of the normalized text, that
// the mapped original span re-normalizes to exactly that piece: the map points at the right bytes.
void check_round_trip(const std::string& original, const normalize_options& options = {}) {
    const ditto::normalizer n(options);
    std::string out;
    ditto::offset_map map;
    n.normalize(original, out, map);
    REQUIRE(out == n(original));
    REQUIRE(map.normalized_size() == out.size());
    REQUIRE(map.original_size() == original.size());
    // Tokens, the spans later stages point with, map exactly; the one-pass batch form agrees.
    std::vector<ditto::byte_span> token_spans, one_by_one;
    for (const auto& t : ditto::word_tokenizer{}(out)) {
        const auto span = map.to_original(t.offset, t.offset + t.text.size());
        INFO("token '" << t.text << "' maps to [" << span.begin << ", " << span.end << ")");
        REQUIRE(n(original.substr(span.begin, span.end - span.begin)) == t.text);
        token_spans.push_back({t.offset, t.offset + t.text.size()});
        one_by_one.push_back(span);
    }
    std::vector<ditto::byte_span> batch(token_spans.size());
    map.to_original(token_spans, batch);
    REQUIRE(batch == one_by_one);
    std::vector<std::size_t> boundaries;
    for (std::size_t i = 0; i <= out.size(); ++i)
        if (i == out.size() || (static_cast<unsigned char>(out[i]) & 0xC0) != 0x80) boundaries.push_back(i);
    for (std::size_t a = 0; a < boundaries.size(); ++a) {
        for (std::size_t b = a + 1; b < boundaries.size() && b <= a + 4; ++b) {
            const auto span = map.to_original(boundaries[a], boundaries[b]);
            REQUIRE(span.begin <= span.end);
            REQUIRE(span.end <= original.size());
            const std::string piece = out.substr(boundaries[a], boundaries[b] - boundaries[a]);
            const std::string renormalized = n(original.substr(span.begin, span.end - span.begin));
            // Whitespace at the ends of a piece is trimmed when re-normalized on its own.
            const auto trim = [](const std::string& s) {
                const auto first = s.find_first_not_of(' ');
                return first == std::string::npos ? std::string() : s.substr(first, s.find_last_not_of(' ') - first + 1);
            };
            INFO("normalized [" << boundaries[a] << ", " << boundaries[b] << ") = '" << piece << "' from original ["
                                << span.begin << ", " << span.end << ")");
            // A piece may be part of one character's expansion ("s" of "ẞ" -> "ss"): the span
            // then covers that whole character.
            REQUIRE(renormalized.find(trim(piece)) != std::string::npos);
            REQUIRE(renormalized.size() <= trim(piece).size() + 8);
        }
    }
}

}  // namespace

TEST_CASE("normalize: offset maps round-trip to the right original bytes", "[normalize]") {
    check_round_trip("Hello   World");
    check_round_trip("  Die STRASSE heißt „Große Straße“ — 7,1 %  ");
    check_round_trip("ΣΊΣΥΦΟΣ и ПРИВЕТ… 漢字かな 한국어 😀 ẞ İstanbul");
    check_round_trip("ab\xFF" "cd\xE2\x82 ef");
    normalize_options all;
    all.strip_diacritics = true;
    all.fold_compatibility = true;
    check_round_trip("Cafe\u0301 ﬁnance ＡＢＣ x² São re\u00ADpublished", all);
    normalize_options skip;
    skip.on_invalid = ditto::invalid_utf8::skip;
    check_round_trip("ab\xFF" "cd \xC0\xAF x", skip);
}

TEST_CASE("normalize: offset map on random mixed text", "[normalize]") {
    const std::vector<std::string> pieces = {"a", "B", " ", "  ", "\t", "ß", "ẞ", "É", "e\u0301", "Ж", "ж", "…", "„",
                                             "“", "—", "\u00A0", "\u00AD", "漢", "😀", "ﬁ", "Ａ", "\xFF", "İ", "7,1",
                                             "\u0301", "\u0323", "\u0308", "\u1100", "\u1161", "\u11A8", "\u212B",
                                             "\u0958", "\u1E0B", "ｅ"};
    std::mt19937 rng(12345);
    normalize_options all;
    all.strip_diacritics = true;
    all.fold_compatibility = true;
    for (int round = 0; round < 500; ++round) {
        std::string text;
        const int length = static_cast<int>(rng() % 20);
        for (int i = 0; i < length; ++i) text += pieces[rng() % pieces.size()];
        check_round_trip(text);
        check_round_trip(text, all);
    }
}

TEST_CASE("normalize: an unchanged text needs a single map segment", "[normalize]") {
    std::string out;
    ditto::offset_map map;
    ditto::normalizer{}.normalize("plain lower case text, with punctuation. и кириллица", out, map);
    CHECK(map.segment_count() == 1);
    CHECK(map.to_original(6) == 6);
    CHECK(map.to_original(6, 11) == ditto::byte_span{6, 11});
}

TEST_CASE("normalize: the map of an expanded character covers its source", "[normalize]") {
    // "ẞ" is 3 bytes and folds to "ss": both normalized bytes map to the whole character.
    std::string out;
    ditto::offset_map map;
    ditto::normalizer{}.normalize("xẞy", out, map);
    REQUIRE(out == "xssy");
    CHECK(map.to_original(1, 2) == ditto::byte_span{1, 4});
    CHECK(map.to_original(1, 3) == ditto::byte_span{1, 4});
    CHECK(map.to_original(3, 4) == ditto::byte_span{4, 5});
    CHECK(map.to_original(4) == 5);
}

TEST_CASE("normalize: spaces a mapping produces join the whitespace around them", "[normalize]") {
    // U+FFE3 FULLWIDTH MACRON is " " + U+0304 under compatibility folding; with diacritics
    // stripped only the space is left. Either way no two spaces may follow each other, and none
    // may start or end the text (a regression input of the normalizer's fuzz target).
    for (const bool canonical : {true, false}) {
        normalize_options compat;
        compat.fold_compatibility = true;
        compat.canonical_equivalence = canonical;
        normalize_options stripped = compat;
        stripped.strip_diacritics = true;
        INFO("canonical equivalence " << canonical);
        CHECK(normalize("a \uFFE3 b", stripped) == "a b");
        CHECK(normalize("a\uFFE3b", stripped) == "a b");
        CHECK(normalize("\uFFE3x\uFFE3", stripped) == "x");
        CHECK(normalize("\uFFE3\uFFE3", stripped).empty());
        CHECK(normalize("a \uFFE3b", compat) == "a \u0304b");
        CHECK(normalize("\uFFE3b", compat) == "\u0304b");
        CHECK(normalize("a\uFFE3b", compat) == "a \u0304b");
        for (const char* text : {"a \uFFE3 b", "a\uFFE3b", "\uFFE3x\uFFE3", " \u00A8 \u00A8x \u00AF", "finance \uFFE3 xfinanc"}) {
            check_round_trip(text, stripped);
            check_round_trip(text, compat);
        }
    }
}
