#include <ditto/text/normalizing_shingler.hpp>

#include <ditto/detail/load.hpp>
#include <ditto/detail/swar.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/token_hash.hpp>
#include <ditto/text/text_shingler.hpp>
#include <ditto/text/tokenize.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "support/catch.hpp"

using ditto::normalize_options;

namespace {

std::string utf8(char32_t c) {
    char buffer[4];
    return std::string(buffer, ditto::encode_utf8(c, buffer));
}

// The reference: the normalizer's whole output, then the block tokenizer.
std::vector<std::string> reference_tokens(std::string_view text, const normalize_options& options) {
    const std::string normalized = ditto::normalizer(options)(text);
    std::vector<std::string> out;
    ditto::for_each_token(normalized, [&](const ditto::token& t) { out.emplace_back(t.text); });
    return out;
}

std::vector<std::string> fused_tokens(std::string_view text, const normalize_options& options) {
    std::vector<std::string> out;
    ditto::normalizing_word_shingler<>(options).for_each_normalized_token(
        text, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}

// Either the tokens or the offset of the parse_error thrown.
struct outcome {
    std::vector<std::string> tokens;
    std::optional<std::size_t> error_at;
    friend bool operator==(const outcome&, const outcome&) = default;
};

template <class Run>
outcome run(Run&& r) {
    outcome o;
    try {
        o.tokens = r();
    } catch (const ditto::parse_error& e) {
        o.error_at = e.byte_offset();
    }
    return o;
}

// Printable form for failure messages: non-ASCII and control bytes as \xNN.
std::string escaped(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F) {
            out.push_back(c);
        } else {
            const char* digits = "0123456789ABCDEF";
            out += "\\x";
            out.push_back(digits[b >> 4]);
            out.push_back(digits[b & 15]);
        }
    }
    return out;
}

// Pieces random texts are made of: every kind of input the fast paths and the fallback meet.
std::vector<std::string> pieces() {
    std::vector<std::string> p = {
        "the", "Quick", "BROWN", "fox", "x", "Z", "42", "3rd", "a1B2c3",
        "averyveryverylongwordthatgoesonandon", "ANOTHERVERYLONGWORDWELLOVERSIXTYFOURBYTESLONGTOCROSSBLOCKSXXXXXXXX",
        " ", " ", " ", "  ", "\t", "\n", "\r\n", ",", ", ", ".", "-", "'", "\"", "<", "=", ">", "(", ")", "_",
        std::string(1, '\0'), "\x01", "\x7f",
        // Latin, precomposed and special foldings
        "é", "É", "ß", "ẞ", "İ", "ı", "ſ", "ﬁ", "ǅ", "Ω", "K", "Å", "ё", "ŉ", "ǰ", "ΐ", "ς", "Σ", "σ",
        // combining marks, alone and after letters (canonical ordering, composition)
        "\xCC\x81", "\xCC\x88", "\xCC\x96", "\xCC\xB8", "\xCD\x85", "e\xCC\x81", "E\xCC\x81\xCC\x96",
        "a\xCC\x96\xCC\x81", "<\xCC\xB8", "=\xCC\xB8", "\xE0\xA4\xBC",
        // Cyrillic, Greek
        "привет", "Привет", "МИР", "и\xCC\x86", "й", "Ёлка", "αβγ", "Άλφα", "ΣΟΦΟΣ",
        // CJK, kana (with a voiced sound mark to compose), hangul syllables and jamo
        "中", "文字", "日本語", "か\xE3\x82\x99", "が", "ｶ", "ﾞ", "가", "각", "\xE1\x86\xA8", "\xE1\x84\x80\xE1\x85\xA1",
        "\xEA\xB0\x80\xE1\x86\xA8",
        // Thai, Devanagari, Arabic
        "สวัสดี", "ก\xE0\xB9\x88", "नमस्ते", "क\xE0\xA4\xBC", "مرحبا",
        // marks already in normal form after letters, and ones that are not
        "\xE0\xB8\xB4\xE0\xB9\x88", "ม\xE0\xB8\xB4\xE0\xB9\x88", "a\xCC\x96", "x\xCD\x85", "Ω\xCD\x85",
        "ש\xD7\x81", "ب\xD9\x8E", "\xD9\x8E", "\xE0\xA5\x8D", "\xCC\x96\xCC\x81", "\xCC\x81\xCC\x96",
        "\xE1\x85\xA1", "\xE0\xAC\xAC\xE0\xAC\xBE\xE0\xAD\x97",
        // compatibility characters, digits
        "Ａ", "ｂ", "²", "½", "①", "٣", "Ⅻ", "㎏",
        // spaces and punctuation the normalizer folds or removes
        "\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\x83", "\xE2\x80\x94", "\xE2\x80\x9C", "\xE2\x80\x9D", "„", "«",
        "\xE2\x80\xA6", "\xC2\xAD", "\xE2\x80\x8B", "\xE2\x81\xA0", "\xEF\xBB\xBF", "\xE2\x80\xA8", "\xC2\x85",
        "€", "©", "😀", "\xEF\xBF\xBD", "\xC2\xA8", "\xC2\xB4",
        // ill-formed UTF-8
        "\xFF", "\xC3", "\xE2\x80", "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\x80", "\xF0\x9F\x98",
    };
    return p;
}

// A random text: pieces glued, sometimes without a space so tokens meet across kinds.
std::string random_text(std::mt19937& rng, const std::vector<std::string>& pool, std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) {
        text += pool[rng() % pool.size()];
        if (rng() % 3 == 0) text += ' ';
    }
    return text;
}

std::vector<normalize_options> all_options() {
    std::vector<normalize_options> out;
    for (int fold = 0; fold < 3; ++fold)
        for (int bits = 0; bits < 32; ++bits)
            for (int invalid = 0; invalid < 3; ++invalid) {
                normalize_options o;
                o.case_fold = static_cast<ditto::case_folding>(fold);
                o.fold_punctuation = (bits & 1) != 0;
                o.collapse_whitespace = (bits & 2) != 0;
                o.strip_diacritics = (bits & 4) != 0;
                o.fold_compatibility = (bits & 8) != 0;
                o.canonical_equivalence = (bits & 16) != 0;
                o.on_invalid = static_cast<ditto::invalid_utf8>(invalid);
                out.push_back(o);
            }
    return out;
}

void check_same(std::string_view text, const normalize_options& options) {
    const outcome expected = run([&] { return reference_tokens(text, options); });
    const outcome got = run([&] { return fused_tokens(text, options); });
    INFO("text: " << escaped(text));
    INFO("case_fold " << static_cast<int>(options.case_fold) << " punct " << options.fold_punctuation << " collapse "
                      << options.collapse_whitespace << " strip " << options.strip_diacritics << " compat "
                      << options.fold_compatibility << " canonical " << options.canonical_equivalence << " invalid "
                      << static_cast<int>(options.on_invalid));
    const bool same = expected == got;
    std::string e, g;  // spelled out for the failure message only
    if (!same) {
        for (const auto& t : expected.tokens) e += "[" + escaped(t) + "]";
        for (const auto& t : got.tokens) g += "[" + escaped(t) + "]";
    }
    INFO("expected " << e);
    INFO("got      " << g);
    CHECK(same);
    // The hashing pass has paths of its own (tokens hashed from words of a block, expanded
    // letters written over): one-token shingles are the token hashes, mixed.
    if (same && !expected.error_at) {
        const std::string normalized = ditto::normalizer(options)(text);
        CHECK(ditto::normalizing_word_shingler<>(options, 1)(text) == ditto::word_shingler<>(1)(normalized));
    }
}

}  // namespace

TEST_CASE("token_hasher: equals hash64 for every length and several seeds", "[normalizing_shingler]") {
    std::mt19937_64 rng(7);
    std::string bytes;
    for (int i = 0; i < 80; ++i) bytes.push_back(static_cast<char>(rng()));
    for (const std::uint64_t seed : {ditto::default_seed, std::uint64_t{0}, std::uint64_t{rng()}, ~std::uint64_t{0}}) {
        const ditto::detail::token_hasher h(seed);
        for (std::size_t n = 0; n <= bytes.size(); ++n)
            for (std::size_t at = 0; at + n <= bytes.size(); at += 13) {
                const std::string_view s(bytes.data() + at, n);
                REQUIRE(h(s) == ditto::hash64(s, seed));
            }
    }
}

TEST_CASE("token_hasher::from_words equals hash64 for every length up to 16, whatever surrounds the token",
          "[normalizing_shingler]") {
    std::mt19937_64 rng(11);
    std::string bytes;
    for (int i = 0; i < 96; ++i) bytes.push_back(static_cast<char>(rng()));
    for (const std::uint64_t seed : {ditto::default_seed, std::uint64_t{0}, std::uint64_t{rng()}}) {
        const ditto::detail::token_hasher h(seed);
        for (std::size_t n = 1; n <= ditto::detail::token_hasher::short_limit; ++n)
            for (std::size_t at = 8; at + n + 8 <= bytes.size(); at += 5) {
                const std::string_view s(bytes.data() + at, n);
                const std::uint64_t first = ditto::detail::load8(bytes.data() + at);
                const std::uint64_t last = ditto::detail::load8(bytes.data() + at + n - 8);
                REQUIRE(h.from_words(first, last, n) == ditto::hash64(s, seed));
            }
    }
}

TEST_CASE("append_to: the sink's hashes, appended; nothing on an exception", "[normalizing_shingler]") {
    std::mt19937 rng(5);
    const auto pool = pieces();
    std::vector<std::string> well_formed;
    for (const auto& p : pool)
        if (ditto::find_invalid_utf8(p) == std::string_view::npos) well_formed.push_back(p);
    normalize_options strict;
    strict.on_invalid = ditto::invalid_utf8::error;
    for (const std::size_t k : {1u, 3u, 5u, 40u}) {
        const ditto::normalizing_word_shingler<> shingle(strict, k);
        const ditto::text_shingler words(ditto::shingle_kind::words, strict, k);
        const ditto::text_shingler chars(ditto::shingle_kind::characters, strict, k);
        for (int round = 0; round < 200; ++round) {
            // Up to a few thousand hashes, so the appender grows its vector more than once.
            const std::string text = random_text(rng, round % 10 == 0 ? pool : well_formed, rng() % 2000);
            std::vector<std::uint64_t> expected = {1, 2, 3};
            bool threw = false;
            try {
                shingle(text, [&](std::uint64_t h) { expected.push_back(h); });
            } catch (const ditto::parse_error&) {
                threw = true;
            }
            std::vector<std::uint64_t> got = {1, 2, 3};
            if (threw) {
                REQUIRE_THROWS_AS(shingle.append_to(text, got), ditto::parse_error);
                REQUIRE(got == std::vector<std::uint64_t>{1, 2, 3});
                REQUIRE_THROWS_AS(chars.append_to(text, got), ditto::parse_error);
                REQUIRE(got == std::vector<std::uint64_t>{1, 2, 3});
                continue;
            }
            shingle.append_to(text, got);
            REQUIRE(got == expected);
            std::vector<std::uint64_t> through_kind = {1, 2, 3};
            words.append_to(text, through_kind);
            REQUIRE(through_kind == expected);
            std::vector<std::uint64_t> char_grams = {1, 2, 3}, char_expected = {1, 2, 3};
            chars.append_to(text, char_grams);
            chars(text, [&](std::uint64_t h) { char_expected.push_back(h); });
            REQUIRE(char_grams == char_expected);
        }
    }
}

TEST_CASE("token_class_of agrees with the tokenizer's classify on every code point", "[normalizing_shingler]") {
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        if (cp >= 0xD800 && cp < 0xE000) continue;
        const std::string s = utf8(cp);
        REQUIRE(ditto::detail::token_class_of(cp) == ditto::detail::classify(s, 0).cls);
    }
}

TEST_CASE("normalizing_word_shingler: hand-written cases give the reference tokens", "[normalizing_shingler]") {
    const std::vector<std::string> cases = {
        "",
        " ",
        "Hello, World!",
        "  leading and trailing  ",
        "ABCDEFGH abcdefgh ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz end",
        "café cafe\xCC\x81 CAFE\xCC\x81 Café",                    // NFC and NFD
        "Straße STRASSE straße",                                   // full folding expands
        "na\xC3\xAFve n\xC3\xA4ive",                               // a word continues across non-ASCII
        "a<\xCC\xB8" "b c=\xCC\xB8" "d",                                 // a mark composing with a separator
        "x \xCC\x81 y",                                            // a lone mark starts a token
        "soft\xC2\xADhyphen zero\xE2\x80\x8Bwidth",                // removed characters join tokens
        "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x80\x94 dash\xE2\x80\xA6" "end",
        "中文字かな\xE3\x82\x99가\xE1\x86\xA8 한국어",              // standalone characters, composition
        "Thai: สวัสดีครับ ก\xE0\xB9\x88\xE0\xB8\xB2",
        "Привет, МИР и\xCC\x86 ёлка",
        "bad \xFF bytes\xC3 here\xE2\x80 and\xED\xA0\x80 there \xC0\xAF",
        "\xFF\xFE",
        "ab\xFF" "cd",
        "ﬁne ＦＵＬＬ ½ ² ①",
        "İstanbul ΣΟΦΟΣ ǅemal",
        std::string(200, 'A') + " " + std::string(70, 'b') + "\xC3\xA9" + std::string(30, 'C'),
        "trailing mark e\xCC\x81",
        "e\xCC\x81\xCC\x96\xCC\x88 a\xCC\x88\xCC\x96",            // canonical reordering
    };
    for (const auto& options : all_options())
        for (const auto& text : cases) check_same(text, options);
}

TEST_CASE("normalizing_word_shingler: every two-byte and General Punctuation code point inside ASCII text",
          "[normalizing_shingler]") {
    // The block scan decides these from tables (letters copied into a word, separators): each
    // between words, inside one, and next to a capital, in a text long enough for whole blocks.
    std::vector<char32_t> code_points;
    for (char32_t cp = 0x80; cp < 0x800; ++cp) code_points.push_back(cp);
    for (char32_t cp = 0x2000; cp < 0x2070; ++cp) code_points.push_back(cp);
    for (const auto& options : all_options()) {
        if (options.on_invalid != ditto::invalid_utf8::replace) continue;
        for (const char32_t cp : code_points) {
            const std::string c = utf8(cp);
            const std::string text = "the quick brown" + c + "fox jumps over" + c + " the lazy dog " + c + "Again" + c +
                                     " and again and again, until the block ends" + c + "x";
            check_same(text, options);
        }
    }
}

TEST_CASE("normalizing_word_shingler: random mixed-script text gives the reference tokens", "[normalizing_shingler]") {
    std::mt19937 rng(20261129);
    const auto pool = pieces();
    for (const auto& options : all_options()) {
        for (int i = 0; i < 100; ++i) {
            const std::string text = random_text(rng, pool, 1 + rng() % 40);
            check_same(text, options);
        }
    }
}

TEST_CASE("normalizing_word_shingler: the reference hashes under every option combination", "[normalizing_shingler]") {
    // The hashing pass (the shingler's own, with the default hasher) has paths of its own: tokens
    // hashed from words of the input, long tokens lowered into a buffer, expanded letters written
    // over. Texts long enough for whole blocks, with long words in capitals, as well as short ones.
    std::mt19937 rng(1201);
    auto pool = pieces();
    pool.push_back("LONGCAPITALWORDOF24BYTES");
    pool.push_back("Seventeen-ByteSXY");
    pool.push_back("MiXeDcAsE0123456789ABCDEFGHIJ");
    for (const auto& options : all_options()) {
        if (options.on_invalid == ditto::invalid_utf8::error) continue;  // the error's place is checked above
        const ditto::normalizer normalize(options);
        for (const std::size_t k : {1u, 5u}) {
            const ditto::normalizing_word_shingler<> fused(options, k);
            const ditto::word_shingler<> reference(k);
            for (int i = 0; i < 12; ++i) {
                const std::string text = random_text(rng, pool, 1 + rng() % (i % 2 == 0 ? 8 : 60));
                INFO("text: " << escaped(text) << ", case_fold " << static_cast<int>(options.case_fold) << ", k " << k);
                REQUIRE(fused(text) == reference(normalize(text)));
            }
        }
    }
}

TEST_CASE("normalizing_word_shingler: random NFD and long ASCII text under the default options",
          "[normalizing_shingler]") {
    std::mt19937 rng(99);
    const auto pool = pieces();
    const normalize_options options;
    for (int i = 0; i < 2000; ++i) {
        // Decompose a random text fully (NFD, code point by code point) to exercise the fallback.
        const std::string text = random_text(rng, pool, 1 + rng() % 60);
        std::string nfd;
        for (std::size_t pos = 0; pos < text.size();) {
            const auto d = ditto::decode_utf8(text, pos);
            if (!d.valid) {
                nfd.append(text, pos, d.length);
            } else {
                ditto::unicode::decompose(d.code_point, false, [&](char32_t c) { nfd += utf8(c); });
            }
            pos += d.length;
        }
        check_same(nfd, options);
        std::string ascii;
        const std::size_t length = rng() % 300;
        for (std::size_t k = 0; k < length; ++k) ascii.push_back(static_cast<char>(rng() % 128));
        check_same(ascii, options);
    }
}

TEST_CASE("normalizing_word_shingler: long random texts give the reference tokens", "[normalizing_shingler]") {
    // Thousands of pieces: block masks reused across non-ASCII characters, tokens across blocks.
    std::mt19937 rng(31337);
    auto pool = pieces();
    for (int i = 0; i < 20; ++i) pool.push_back(std::string(1 + rng() % 90, static_cast<char>('a' + rng() % 26)));
    const auto options = all_options();
    for (int i = 0; i < 60; ++i) check_same(random_text(rng, pool, 2000), options[rng() % options.size()]);
}

TEST_CASE("normalizing_word_shingler: the same hashes as normalize then word_shingler", "[normalizing_shingler]") {
    std::mt19937 rng(5);
    const auto pool = pieces();
    struct other_hasher {  // not default_hasher: takes the generic path
        std::uint64_t operator()(std::string_view bytes, std::uint64_t seed) const noexcept {
            return ditto::hash64(bytes, seed ^ 0x1234);
        }
    };
    for (const std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{5}, std::size_t{40}}) {
        for (const std::uint64_t seed : {ditto::default_seed, std::uint64_t{42}}) {
            normalize_options options;
            options.on_invalid = rng() % 2 == 0 ? ditto::invalid_utf8::replace : ditto::invalid_utf8::skip;
            const ditto::normalizer normalizer(options);
            const ditto::word_shingler<> reference(k, seed);
            const ditto::normalizing_word_shingler<> fused(options, k, seed);
            const ditto::word_shingler<ditto::word_tokenizer, other_hasher> reference_other(k, seed);
            const ditto::normalizing_word_shingler<other_hasher> fused_other(options, k, seed);
            for (int i = 0; i < 200; ++i) {
                const std::string text = random_text(rng, pool, rng() % 80);
                const std::string normalized = normalizer(text);
                INFO("text: " << escaped(text));
                REQUIRE(fused(text) == reference(normalized));
                REQUIRE(fused_other(text) == reference_other(normalized));
            }
        }
    }
    CHECK_THROWS_AS(ditto::normalizing_word_shingler<>(normalize_options{}, 0), std::invalid_argument);
}

TEST_CASE("normalizing_word_shingler: invalid UTF-8 under the error policy throws before any hash",
          "[normalizing_shingler]") {
    normalize_options options;
    options.on_invalid = ditto::invalid_utf8::error;
    const ditto::normalizing_word_shingler<> fused(options, 1);
    std::size_t hashes = 0;
    try {
        fused("one two three \xFF four", [&](std::uint64_t) { ++hashes; });
        FAIL("no exception");
    } catch (const ditto::parse_error& e) {
        CHECK(e.byte_offset() == 14);
    }
    CHECK(hashes == 0);
}

namespace {

struct mapped_token {
    std::string text;
    std::size_t begin = 0, end = 0;
    friend bool operator==(const mapped_token&, const mapped_token&) = default;
};

// The reference: the normalizer's output with its offset map, the block tokenizer, and each
// token's bytes mapped back to the input.
std::vector<mapped_token> reference_mapped(std::string_view text, const normalize_options& options) {
    std::string normalized;
    ditto::offset_map map;
    ditto::normalizer(options).normalize(text, normalized, map);
    std::vector<mapped_token> out;
    std::vector<ditto::byte_span> spans;
    ditto::for_each_token(normalized, [&](const ditto::token& t) {
        out.push_back({std::string(t.text), 0, 0});
        spans.push_back({t.offset, t.offset + t.text.size()});
    });
    map.to_original(spans, spans);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i].begin = spans[i].begin;
        out[i].end = spans[i].end;
    }
    return out;
}

// Checks for_each_mapped_token against the reference; returns whether it gave every token.
bool check_mapped(std::string_view text, const normalize_options& options) {
    INFO("text: " << escaped(text));
    INFO("case_fold " << static_cast<int>(options.case_fold) << " punct " << options.fold_punctuation << " collapse "
                      << options.collapse_whitespace << " strip " << options.strip_diacritics << " compat "
                      << options.fold_compatibility << " canonical " << options.canonical_equivalence << " invalid "
                      << static_cast<int>(options.on_invalid));
    std::optional<std::size_t> expected_error, got_error;
    std::vector<mapped_token> expected, got;
    try {
        expected = reference_mapped(text, options);
    } catch (const ditto::parse_error& e) {
        expected_error = e.byte_offset();
    }
    bool complete = false;
    try {
        complete = ditto::normalizing_word_shingler<>(options).for_each_mapped_token(
            text, [&](std::string_view t, std::size_t begin, std::size_t end) { got.push_back({std::string(t), begin, end}); });
    } catch (const ditto::parse_error& e) {
        got_error = e.byte_offset();
    }
    CHECK(expected_error == got_error);
    if (expected_error) {
        CHECK(got.empty());
        return true;
    }
    std::string e, g;  // spelled out for the failure message only
    for (const auto& t : expected) e += "[" + escaped(t.text) + " " + std::to_string(t.begin) + "-" + std::to_string(t.end) + "]";
    for (const auto& t : got) g += "[" + escaped(t.text) + " " + std::to_string(t.begin) + "-" + std::to_string(t.end) + "]";
    INFO("expected " << e);
    INFO("got      " << g << (complete ? "" : " (gave up)"));
    if (complete) {
        CHECK(got == expected);
    } else {  // the tokens it gave before giving up are the reference's first ones (their spans
              // may end short of the reference's: the caller discards them)
        REQUIRE(got.size() <= expected.size());
        CHECK(std::equal(got.begin(), got.end(), expected.begin(),
                         [](const mapped_token& a, const mapped_token& b) { return a.text == b.text && a.begin == b.begin; }));
    }
    return complete;
}

}  // namespace

TEST_CASE("for_each_mapped_token: tokens and their input bytes as the offset map gives them", "[normalizing_shingler]") {
    std::mt19937 rng(4242);
    const auto pool = pieces();
    std::size_t complete = 0, texts = 0;
    for (const auto& options : all_options()) {
        for (int i = 0; i < 40; ++i) {
            if (check_mapped(random_text(rng, pool, 1 + rng() % 40), options)) ++complete;
            ++texts;
        }
    }
    // The fast path must carry a real share of mixed-script text, not give up on all of it.
    INFO(complete << " of " << texts << " texts complete");
    CHECK(complete * 5 >= texts);
}

TEST_CASE("for_each_mapped_token: ASCII, precomposed letters, capitals and folded punctuation never give up",
          "[normalizing_shingler]") {
    // What Latin text is made of: the pass must not hand it to the normalizer.
    std::vector<std::string> pool = {"the", "Quick", "BROWN", "fox", "42", " ", "  ", "\n", ", ", ".", "\"", "'",
                                     "é", "É", "ß", "Größe", "Über", "naïve", "„", "“", "”", "—", "«", "€", "中文",
                                     "Привет", "\xC2\xA0"};
    std::mt19937 rng(77);
    // Every case folding, with and without punctuation folding and white-space collapsing; the
    // other options at their defaults.
    const normalize_options defaults;
    for (const auto& o : all_options()) {
        if (o.strip_diacritics != defaults.strip_diacritics || o.fold_compatibility != defaults.fold_compatibility ||
            o.canonical_equivalence != defaults.canonical_equivalence || o.on_invalid != defaults.on_invalid)
            continue;
        for (int i = 0; i < 200; ++i) CHECK(check_mapped(random_text(rng, pool, 1 + rng() % 200), o));
        std::string ascii;
        for (int k = 0; k < 500; ++k) ascii.push_back(static_cast<char>(rng() % 128));
        CHECK(check_mapped(ascii, o));
    }
}

TEST_CASE("ascii_lower lowers ASCII capitals and leaves every other byte alone", "[normalizing_shingler]") {
    // Bytes: 'A', 'z', 0xC3 (low 7 bits 'C'), 0xD0 (low 7 bits 'P'), 'Z', '@', '[', 0xFF.
    const std::uint64_t word = 0xFF5B405AD0C37A41ULL;
    CHECK(ditto::detail::ascii_lower(word) == 0xFF5B407AD0C37A61ULL);
    for (unsigned b = 0; b < 256; ++b) {  // each byte value in each place, beside non-ASCII neighbours
        const auto expected = static_cast<std::uint64_t>(b >= 'A' && b <= 'Z' ? b + 32 : b);
        for (unsigned place = 0; place < 8; ++place) {
            const std::uint64_t others = 0xFFFFFFFFFFFFFFFFULL & ~(std::uint64_t{0xFF} << (8 * place));
            const std::uint64_t in = (0xC3C3C3C3C3C3C3C3ULL & others) | (std::uint64_t{b} << (8 * place));
            CHECK(ditto::detail::ascii_lower(in) == ((0xC3C3C3C3C3C3C3C3ULL & others) | (expected << (8 * place))));
        }
    }
}

TEST_CASE("for_each_mapped_token: long texts across blocks", "[normalizing_shingler]") {
    std::mt19937 rng(8080);
    auto pool = pieces();
    for (int i = 0; i < 20; ++i) pool.push_back(std::string(1 + rng() % 90, static_cast<char>('A' + rng() % 58)));
    const auto options = all_options();
    for (int i = 0; i < 60; ++i) check_mapped(random_text(rng, pool, 2000), options[rng() % options.size()]);
}

TEST_CASE("for_each_mapped_token: deleted characters outside tokens do not make it give up", "[normalizing_shingler]") {
    const normalize_options defaults;
    // A byte-order mark before the first token, a zero-width space or soft hyphen between two
    // separators: the offset map gives their bytes to no token.
    CHECK(check_mapped("\xEF\xBB\xBFHello world", defaults));
    CHECK(check_mapped("one \xE2\x80\x8B two \xC2\xAD three", defaults));
    CHECK(check_mapped("\xEF\xBB\xBF", defaults));
    // Inside a token, or after the last one where trailing white space is dropped, they may widen
    // a span: given up, and whatever was given before is a prefix of the reference.
    CHECK_FALSE(check_mapped("soft\xC2\xADhyphen", defaults));
    CHECK_FALSE(check_mapped("last \xE2\x80\x8B", defaults));
    CHECK_FALSE(check_mapped("last \xE2\x80\x8B ,", defaults));
}
