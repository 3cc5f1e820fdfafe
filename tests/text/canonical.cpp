// Canonical equivalence: the normalizer brings text to NFC (NFKC with compatibility folding)
// before its other steps. Checked against every line of NormalizationTest.txt and by hand.

#include <ditto/text/normalize.hpp>
#include <ditto/verify.hpp>

#include <cstdint>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

std::string utf8(const std::u32string& s) {
    std::string out;
    for (char32_t c : s) {
        char buffer[4];
        out.append(buffer, ditto::encode_utf8(c, buffer));
    }
    return out;
}

std::u32string code_points(const std::string& field) {
    std::u32string out;
    std::istringstream in(field);
    std::string hex;
    while (in >> hex) out.push_back(static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
    return out;
}

std::string hex(const std::string& s) {
    std::ostringstream out;
    for (char c : s) out << std::hex << (static_cast<int>(c) & 0xFF) << ' ';
    return out.str();
}

// Only the normal form: every other step of the normalizer off.
ditto::normalize_options form_only(bool compatibility) {
    ditto::normalize_options o;
    o.case_fold = ditto::case_folding::none;
    o.fold_punctuation = false;
    o.collapse_whitespace = false;
    o.strip_diacritics = false;
    o.fold_compatibility = compatibility;
    o.canonical_equivalence = true;
    return o;
}

struct test_line {
    std::u32string c[5];  // source; NFC; NFD; NFKC; NFKD
};

}  // namespace

TEST_CASE("canonical: every line of NormalizationTest.txt, NFC and NFKC", "[normalize][canonical]") {
    std::ifstream f(DITTO_NORMALIZATION_TEST);
    if (!f) {
        // Fails, never passes; ctest reports it skipped unless DITTO_REQUIRE_UCD (tests/CMakeLists.txt).
        FAIL("Unicode data missing: NormalizationTest.txt was not found (needs unicode-data and bzip2 at configure time)");
    }
    std::vector<test_line> lines;
    std::set<char32_t> part1;
    std::string line;
    int part = -1;
    while (std::getline(f, line)) {
        if (line.rfind("@Part", 0) == 0) {
            part = line[5] - '0';
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::istringstream in(line.substr(0, line.find('#')));
        std::string field;
        while (std::getline(in, field, ';')) fields.push_back(field);
        REQUIRE(fields.size() >= 5);
        test_line t;
        for (int i = 0; i < 5; ++i) t.c[i] = code_points(fields[static_cast<std::size_t>(i)]);
        if (part == 1) part1.insert(t.c[0][0]);
        lines.push_back(t);
    }
    REQUIRE(lines.size() > 18000);
    REQUIRE(part1.size() > 5000);
    const ditto::normalizer nfc(form_only(false)), nfkc(form_only(true));
    std::size_t failures = 0;
    std::string out;
    ditto::offset_map map;
    for (const auto& t : lines) {
        // NFC: c2 == toNFC(c1) == toNFC(c2) == toNFC(c3); c4 == toNFC(c4) == toNFC(c5).
        // NFKC: c4 == toNFKC(c1..c5).
        for (int i = 0; i < 5; ++i) {
            const std::string source = utf8(t.c[i]);
            const std::string want_nfc = utf8(i < 3 ? t.c[1] : t.c[3]);
            const std::string want_nfkc = utf8(t.c[3]);
            const std::string got_nfc = nfc(source), got_nfkc = nfkc(source);
            nfc.normalize(source, out, map);  // the mapped form writes the same text
            const bool map_ok = out == got_nfc && map.normalized_size() == out.size();
            if (got_nfc != want_nfc || got_nfkc != want_nfkc || !map_ok) {
                if (++failures <= 10)
                    UNSCOPED_INFO("column " << i + 1 << " of " << hex(utf8(t.c[0])) << ": NFC " << hex(got_nfc)
                                            << " want " << hex(want_nfc) << "; NFKC " << hex(got_nfkc) << " want "
                                            << hex(want_nfkc));
            }
        }
    }
    // Part 1 lists every code point that some form changes: all others are left alone.
    std::size_t unchanged_failures = 0;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        if ((cp >= 0xD800 && cp <= 0xDFFF) || part1.count(cp)) continue;
        const std::string s = utf8(std::u32string(1, cp));
        if (nfc(s) != s || nfkc(s) != s) {
            if (++unchanged_failures <= 5) UNSCOPED_INFO("U+" << std::hex << static_cast<std::uint32_t>(cp) << " changed");
        }
    }
    CHECK(failures == 0);
    CHECK(unchanged_failures == 0);

    // In context and with every default step on: texts made of the same lines, each written in
    // any of its canonically equivalent columns (source, NFC, NFD), normalize identically, and
    // the mapped form agrees.
    std::mt19937 rng(2026);
    const ditto::normalizer defaults;
    const char* const separators[] = {"", " ", "a", "\u00E9", "  x\t", "\u0301", "\u1100", "\u3042"};
    std::size_t context_failures = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::size_t> picked;
        std::vector<std::string> seps;
        for (int i = 0; i < 6; ++i) {
            picked.push_back(rng() % lines.size());
            seps.emplace_back(separators[rng() % 8]);
        }
        std::string reference;
        for (int variant = 0; variant < 4; ++variant) {
            std::string text;
            for (std::size_t i = 0; i < picked.size(); ++i)
                text += seps[i] + utf8(lines[picked[i]].c[variant == 3 ? rng() % 3 : static_cast<std::size_t>(variant)]);
            const std::string got = defaults(text);
            defaults.normalize(text, out, map);
            if (variant == 0) reference = got;
            if (got != reference || out != got) ++context_failures;
        }
    }
    CHECK(context_failures == 0);
}

TEST_CASE("canonical: precomposed and decomposed text normalize alike", "[normalize][canonical]") {
    const std::string nfc_text = "Le caf\u00E9 cr\u00E8me co\u00FBte tr\u00E8s cher \u00E0 Montr\u00E9al";
    const std::string nfd_text = "Le cafe\u0301 cre\u0300me cou\u0302te tre\u0300s cher a\u0300 Montre\u0301al";
    REQUIRE(nfc_text != nfd_text);
    CHECK(ditto::normalize(nfd_text) == ditto::normalize(nfc_text));
    CHECK(ditto::normalize(nfd_text) == "le caf\u00E9 cr\u00E8me co\u00FBte tr\u00E8s cher \u00E0 montr\u00E9al");
    CHECK(ditto::exact_similarity(nfc_text, nfd_text) == 1.0);
    // Switched off, the two spellings differ again.
    ditto::normalize_options off;
    off.canonical_equivalence = false;
    CHECK(ditto::normalize(nfd_text, off) != ditto::normalize(nfc_text, off));

    // Marks in either order, and a precomposed letter with one of them.
    const std::string a = "q\u0323\u0307", b = "q\u0307\u0323";
    CHECK(ditto::normalize(a) == ditto::normalize(b));
    CHECK(ditto::normalize("\u1E0B\u0323") == "\u1E0D\u0307");  // d+dot above, dot below
    CHECK(ditto::normalize("d\u0307\u0323") == "\u1E0D\u0307");
    // Hangul from conjoining jamo; Greek with tonos; the Angstrom and Ohm signs (singletons).
    CHECK(ditto::normalize("\u1112\u1161\u11AB\u1100\u116E\u11A8") == "\uD55C\uAD6D");  // 한국
    CHECK(ditto::normalize("\u03B1\u0301") == "\u03AC");
    CHECK(ditto::normalize("\u212B") == "\u00E5");  // case folding after NFC: Å to å
    CHECK(ditto::normalize("\u2126") == "\u03C9");
    // A composition exclusion stays decomposed.
    CHECK(ditto::normalize("\u0915\u093C") == "\u0915\u093C");
    CHECK(ditto::normalize("\u0958") == "\u0915\u093C");
    // Across the 8-byte path, after spaces, at the ends, and a mark with nothing to attach to.
    CHECK(ditto::normalize("abcdefgE\u0301 x") == "abcdefg\u00E9 x");
    CHECK(ditto::normalize("abcdefghE\u0301") == "abcdefgh\u00E9");
    CHECK(ditto::normalize("  \u0301a  ") == "\u0301a");
    CHECK(ditto::normalize("x \u0301") == "x \u0301");
    // A long run of marks (the linear sort): dots below before acutes, the first dot composed.
    std::string marks, expected = "\u1EA1";
    for (int i = 0; i < 40; ++i) marks += "\u0301\u0323";
    for (int i = 0; i < 39; ++i) expected += "\u0323";
    for (int i = 0; i < 40; ++i) expected += "\u0301";
    CHECK(ditto::normalize("a" + marks) == expected);
    // With stripping, both forms lose the accent.
    ditto::normalize_options strip;
    strip.strip_diacritics = true;
    CHECK(ditto::normalize(nfd_text, strip) == ditto::normalize(nfc_text, strip));
    CHECK(ditto::normalize("cafe\u0301", strip) == "cafe");
}

TEST_CASE("canonical: compatibility folding is NFKC of the whole text", "[normalize][canonical]") {
    ditto::normalize_options compat;
    compat.fold_compatibility = true;
    CHECK(ditto::normalize("\uFB01nance \uFF21\uFF22\uFF23 x\u00B2", compat) == "finance abc x2");
    // A compatibility character followed by a mark composes with it (NFKC, not per code point).
    CHECK(ditto::normalize("\uFF41\u0301", compat) == "\u00E1");
    CHECK(ditto::normalize("\u1E9B\u0323", compat) == "\u1E69");
}

TEST_CASE("canonical: offset maps stay exact when characters compose", "[normalize][canonical]") {
    const std::string text = "Cafe\u0301 and  O\u0308l";
    std::string out;
    ditto::offset_map map;
    ditto::normalizer{}.normalize(text, out, map);
    REQUIRE(out == "caf\u00E9 and \u00F6l");
    // "é" (2 bytes at 3) comes from "e" + U+0301 (3 bytes at 3).
    CHECK(map.to_original(3, 5) == ditto::byte_span{3, 6});
    CHECK(map.to_original(0, 5) == ditto::byte_span{0, 6});
    CHECK(map.to_original(6, 9) == ditto::byte_span{7, 10});
    // "öl": "ö" from "O" + U+0308 at 12..15, "l" at 15.
    CHECK(map.to_original(10, 12) == ditto::byte_span{12, 15});
    CHECK(map.to_original(12, 13) == ditto::byte_span{15, 16});
}
