// Checks every code point of the generated tables against the Unicode Character Database files
// (Debian's unicode-data package). Without them the checks are skipped, and say so.

#include <ditto/text/unicode.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

using ditto::unicode::general_category;

const std::string ucd_dir = DITTO_UCD_DIR;

// Without the data these tests fail (never pass): the message starts with "Unicode data
// missing", which ctest reports as a skip unless DITTO_REQUIRE_UCD asks for the data (CI does).
bool have_ucd() {
    std::ifstream f(ucd_dir + "/UnicodeData.txt");
    if (!f) FAIL("Unicode data missing: no Unicode Character Database at " << ucd_dir << " (apt-get install unicode-data)");
    return static_cast<bool>(f);
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, sep)) {
        const auto b = field.find_first_not_of(' ');
        const auto e = field.find_last_not_of(' ');
        out.push_back(b == std::string::npos ? "" : field.substr(b, e - b + 1));
    }
    return out;
}

// Data lines of a UCD file, comments stripped, split at ';'.
std::vector<std::vector<std::string>> read_ucd(const std::string& name) {
    std::ifstream f(ucd_dir + "/" + name);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(f, line)) {
        line = line.substr(0, line.find('#'));
        if (line.find_first_not_of(' ') == std::string::npos) continue;
        rows.push_back(split(line, ';'));
    }
    return rows;
}

std::pair<char32_t, char32_t> range_of(const std::string& field) {
    const auto dots = field.find("..");
    const auto lo = static_cast<char32_t>(std::stoul(field.substr(0, dots), nullptr, 16));
    const auto hi = dots == std::string::npos ? lo : static_cast<char32_t>(std::stoul(field.substr(dots + 2), nullptr, 16));
    return {lo, hi};
}

std::u32string code_points(const std::string& field) {
    std::u32string out;
    std::istringstream in(field);
    std::string hex;
    while (in >> hex) out.push_back(static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
    return out;
}

std::set<char32_t> property_set(const std::string& file, const std::set<std::string>& values) {
    std::set<char32_t> out;
    for (const auto& row : read_ucd(file))
        if (values.count(row[1])) {
            const auto [lo, hi] = range_of(row[0]);
            for (char32_t c = lo; c <= hi; ++c) out.insert(c);
        }
    return out;
}

struct unicode_data_file {
    std::vector<std::string> category = std::vector<std::string>(0x110000, "Cn");
    std::vector<int> combining_class = std::vector<int>(0x110000, 0);
};

const unicode_data_file& unicode_data() {
    static const unicode_data_file data = [] {
        unicode_data_file d;
        char32_t first = 0;
        for (const auto& row : read_ucd("UnicodeData.txt")) {
            const auto cp = static_cast<char32_t>(std::stoul(row[0], nullptr, 16));
            if (row[1].find(", First>") != std::string::npos) {
                first = cp;
                continue;
            }
            const char32_t lo = row[1].find(", Last>") != std::string::npos ? first : cp;
            for (char32_t c = lo; c <= cp; ++c) {
                d.category[c] = row[2];
                d.combining_class[c] = std::stoi(row[3]);
            }
        }
        return d;
    }();
    return data;
}

const char* const category_names[] = {"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl",
                                      "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc",
                                      "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"};

}  // namespace

TEST_CASE("unicode: general category of every code point matches UnicodeData.txt", "[unicode]") {
    if (!have_ucd()) return;
    const auto& d = unicode_data();
    std::size_t mismatches = 0;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        const auto got = category_names[static_cast<int>(ditto::unicode::category(cp))];
        if (d.category[cp] != got) {
            if (++mismatches < 5) UNSCOPED_INFO("U+" << std::hex << static_cast<std::uint32_t>(cp) << " " << got);
        }
        const bool word = d.category[cp][0] == 'L' || d.category[cp][0] == 'M' || d.category[cp][0] == 'N';
        if (ditto::unicode::is_word_character(cp) != word) ++mismatches;
        const bool strippable = d.category[cp] == "Mn" && d.combining_class[cp] != 0;
        if (ditto::unicode::is_strippable_mark(cp) != strippable) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(ditto::unicode::category(0x110000) == general_category::Cn);
}

TEST_CASE("unicode: White_Space and the standalone class match PropList, Scripts and HangulSyllableType", "[unicode]") {
    if (!have_ucd()) return;
    const auto& d = unicode_data();
    const auto white = property_set("PropList.txt", {"White_Space"});
    const auto ideographic = property_set("PropList.txt", {"Ideographic"});
    const auto kana = property_set("Scripts.txt", {"Hiragana", "Katakana"});
    const auto hangul = property_set("HangulSyllableType.txt", {"LV", "LVT"});
    const auto unspaced = property_set("Scripts.txt", {"Thai", "Lao", "Khmer", "Myanmar"});
    std::size_t mismatches = 0;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        if (ditto::unicode::is_white_space(cp) != (white.count(cp) != 0)) ++mismatches;
        const char major = d.category[cp][0];
        const bool standalone = hangul.count(cp) || ((major == 'L' || major == 'N') && (ideographic.count(cp) || kana.count(cp))) ||
                                (major == 'L' && unspaced.count(cp));
        if (ditto::unicode::is_standalone(cp) != standalone) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(ditto::unicode::is_standalone(U'漢'));
    CHECK(ditto::unicode::is_standalone(U'か'));
    CHECK(ditto::unicode::is_standalone(U'カ'));
    CHECK(ditto::unicode::is_standalone(U'한'));
    CHECK_FALSE(ditto::unicode::is_standalone(U'a'));
    CHECK(ditto::unicode::is_standalone(U'\u0E01'));        // Thai ko kai
    CHECK(ditto::unicode::is_standalone(U'\u0E81'));        // Lao ko
    CHECK(ditto::unicode::is_standalone(U'\u1780'));        // Khmer ka
    CHECK(ditto::unicode::is_standalone(U'\u1000'));        // Myanmar ka
    CHECK_FALSE(ditto::unicode::is_standalone(U'\u0E34'));  // Thai sara i, a mark
    CHECK_FALSE(ditto::unicode::is_standalone(U'\u0E51'));  // Thai digit one
}

TEST_CASE("unicode: simple and full case folding of every code point match CaseFolding.txt", "[unicode]") {
    if (!have_ucd()) return;
    std::map<char32_t, std::u32string> simple, full;
    for (const auto& row : read_ucd("CaseFolding.txt")) {
        const auto cp = static_cast<char32_t>(std::stoul(row[0], nullptr, 16));
        if (row[1] == "C" || row[1] == "S") simple[cp] = code_points(row[2]);
        if (row[1] == "C" || row[1] == "F") full[cp] = code_points(row[2]);
    }
    REQUIRE(simple.size() > 1000);
    std::size_t mismatches = 0;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        const auto s = simple.count(cp) ? simple[cp] : std::u32string();
        const auto f = full.count(cp) ? full[cp] : std::u32string();
        if (std::u32string(ditto::unicode::simple_case_folding(cp)) != s) ++mismatches;
        if (std::u32string(ditto::unicode::full_case_folding(cp)) != f) ++mismatches;
        if ((!s.empty() || !f.empty()) && !ditto::unicode::has_mapping(cp)) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(std::u32string(ditto::unicode::full_case_folding(U'ß')) == U"ss");
    CHECK(ditto::unicode::simple_case_folding(U'ß').empty());
}

TEST_CASE("unicode: compatibility folding and diacritic stripping agree with NormalizationTest.txt", "[unicode]") {
    // Part 1 of NormalizationTest.txt lists every code point whose normal forms differ from it:
    // source; NFC; NFD; NFKC; NFKD. The build decompresses it next to the test binary.
    std::ifstream f(DITTO_NORMALIZATION_TEST);
    if (!f) {
        FAIL("Unicode data missing: NormalizationTest.txt was not found (needs unicode-data and bzip2 at configure time)");
    }
    const auto& d = unicode_data();
    std::map<char32_t, std::u32string> nfc, nfd, nfkc;
    std::string line;
    bool part1 = false;
    while (std::getline(f, line)) {
        if (line.rfind("@Part", 0) == 0) {
            part1 = line.rfind("@Part1", 0) == 0;
            continue;
        }
        if (!part1 || line.empty() || line[0] == '#') continue;
        const auto fields = split(line.substr(0, line.find('#')), ';');
        const auto source = code_points(fields[0]);
        if (source.size() != 1) continue;
        nfc[source[0]] = code_points(fields[1]);
        nfd[source[0]] = code_points(fields[2]);
        nfkc[source[0]] = code_points(fields[3]);
    }
    REQUIRE(nfkc.size() > 5000);
    std::size_t mismatches = 0;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        // Compatibility folding is NFKC of the code point where it differs from NFC.
        std::u32string expected;
        if (nfkc.count(cp) && nfkc[cp] != nfc[cp]) expected = nfkc[cp];
        if (std::u32string(ditto::unicode::compatibility_folding(cp)) != expected) {
            if (++mismatches < 5) UNSCOPED_INFO("compat U+" << std::hex << static_cast<std::uint32_t>(cp));
        }
        // Stripping: the NFD of the mapping equals the NFD of the code point less its marks.
        const auto decompose = [&](const std::u32string& s) {
            std::u32string out;
            for (char32_t c : s) out += nfd.count(c) ? nfd[c] : std::u32string(1, c);
            return out;
        };
        std::u32string stripped;
        for (char32_t c : decompose(std::u32string(1, cp)))
            if (!(d.category[c] == "Mn" && d.combining_class[c] != 0)) stripped += c;
        const auto mapping = ditto::unicode::diacritic_stripping(cp);
        const std::u32string got = mapping.empty() ? std::u32string(1, cp) : std::u32string(mapping);
        const bool lone_mark = stripped.empty();
        if (!lone_mark && decompose(got) != stripped) {
            if (++mismatches < 10) UNSCOPED_INFO("strip U+" << std::hex << static_cast<std::uint32_t>(cp));
        }
    }
    CHECK(mismatches == 0);
    CHECK(std::u32string(ditto::unicode::diacritic_stripping(U'é')) == U"e");
    CHECK(std::u32string(ditto::unicode::compatibility_folding(U'ﬁ')) == U"fi");
    CHECK(std::u32string(ditto::unicode::compatibility_folding(U'Ａ')) == U"A");
}
