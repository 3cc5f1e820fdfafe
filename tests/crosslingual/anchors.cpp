// Anchor extraction: each class on hand-written examples with the expected normalized text,
// numbers written in three locales, transliteration, what must not be an anchor, and odd input.
#include <ditto/crosslingual/anchors.hpp>
#include <ditto/crosslingual/transliterate.hpp>

#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

using kinds = std::vector<std::pair<ditto::anchor_kind, std::string>>;

kinds anchors_of(std::string_view text) {
    const ditto::anchor_list a = ditto::extract_anchors(text);
    kinds out;
    for (std::size_t i = 0; i < a.size(); ++i) out.emplace_back(a[i].kind, std::string(a.text(i)));
    return out;
}

std::vector<std::string> texts_of(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& [k, t] : anchors_of(text)) out.push_back(t);
    return out;
}

}  // namespace

TEST_CASE("numbers are one anchor however their groups are separated", "[crosslingual][anchors]") {
    using K = ditto::anchor_kind;
    CHECK(anchors_of("7,1 Meter") == kinds{{K::number, "7.1"}});
    CHECK(texts_of("7.1 metres") == std::vector<std::string>{"7.1"});
    CHECK(texts_of("roughly 9,000 residents") == std::vector<std::string>{"9.000"});
    CHECK(texts_of("rund 9.000 Einwohner") == std::vector<std::string>{"9.000"});
    CHECK(texts_of("около 9 000 жителей") == std::vector<std::string>{"9.000"});
    CHECK(texts_of("около 9\u00a0000 жителей") == std::vector<std::string>{"9.000"});       // no-break space
    CHECK(texts_of("1\u202f234\u202f567 рублей") == std::vector<std::string>{"1.234.567"});  // narrow no-break space
    CHECK(texts_of("$4.2 million, 42%, +5, \u22123, \u20ac12") == std::vector<std::string>{"4.2", "42", "5", "3", "12"});
    CHECK(anchors_of("am 14.03.2026.") == kinds{{K::number, "14.03.2026"}});
    CHECK(anchors_of("12.50 EUR") == kinds{{K::number, "12.50"}, {K::acronym, "eur"}});
    // A year is not a thousands group: "in 2020 100 people" stays two numbers.
    CHECK(texts_of("in 2020 100 people") == std::vector<std::string>{"2020", "100"});
    // A line break never joins groups.
    CHECK(texts_of("9\n000") == std::vector<std::string>{"9", "000"});
    CHECK(texts_of("1/2/2024") == std::vector<std::string>{"1", "2", "2024"});
}

TEST_CASE("each anchor class, normalized", "[crosslingual][anchors]") {
    using K = ditto::anchor_kind;
    CHECK(anchors_of("see https://www.Example.com/News/ now") == kinds{{K::url, "example.com/news"}});
    CHECK(anchors_of("(http://a.example/x?y=1).") == kinds{{K::url, "a.example/x?y=1"}});
    CHECK(anchors_of("www.city.example") == kinds{{K::url, "city.example"}});
    CHECK(anchors_of("write to Info@City.example.") == kinds{{K::email, "info@city.example"}});
    CHECK(anchors_of("use --threshold=0.4 or -o") == kinds{{K::option, "--threshold=0.4"}, {K::option, "-o"}});
    CHECK(anchors_of("$HOME and %PATH% and ${x}") == kinds{{K::variable, "$home"}, {K::variable, "%path%"}, {K::variable, "${x}"}});
    CHECK(anchors_of("in /usr/local/bin, ~/notes, C:\\Temp and src/ditto/main.cpp") ==
          kinds{{K::path, "/usr/local/bin"}, {K::path, "~/notes"}, {K::path, "c:\\temp"}, {K::path, "src/ditto/main.cpp"}});
    CHECK(anchors_of("5G, H2O, v2.1 at 14:30") == kinds{{K::digits, "5g"}, {K::digits, "h2o"}, {K::digits, "v2.1"}, {K::digits, "14:30"}});
    CHECK(anchors_of("snake_case std::vector os.path.join f() a->b example.com") ==
          kinds{{K::code, "snake_case"}, {K::code, "std::vector"}, {K::code, "os.path.join"}, {K::code, "f()"},
                {K::code, "a->b"}, {K::code, "example.com"}});
    CHECK(anchors_of("NASA and the EU.") == kinds{{K::acronym, "nasa"}, {K::acronym, "eu"}});
    CHECK(anchors_of("iPhone, YouTube, eBay") == kinds{{K::mixed_case, "iphone"}, {K::mixed_case, "youtube"}, {K::mixed_case, "ebay"}});
    // Cut at dashes and slashes.
    CHECK(anchors_of("COVID-19 over TCP/IP") == kinds{{K::acronym, "covid"}, {K::number, "19"}, {K::acronym, "tcp"}, {K::acronym, "ip"}});
}

TEST_CASE("Cyrillic and Greek anchors are transliterated", "[crosslingual][anchors]") {
    CHECK(texts_of("ФСБ, ООН, МВД") == std::vector<std::string>{"fsb", "oon", "mvd"});
    CHECK(texts_of("ΕΛΤΑ και ΟΤΕ") == std::vector<std::string>{"elta", "ote"});
    CHECK(texts_of("ЦСКА-2") == std::vector<std::string>{"tsska", "2"});
    CHECK(ditto::to_folded_latin("Щука Ёж Юг Ягода Ґанок Їжак Џеп") == "shchuka ezh yug yagoda ganok yizhak dzep");
    CHECK(ditto::to_folded_latin("Ψάθα Θεσσαλονίκη Χανιά ΰ") == "psatha thessaloniki chania y");
    CHECK(ditto::to_folded_latin("объём") == "obem");  // hard and soft signs are dropped
    CHECK(ditto::to_folded_latin("STRASSE Straße") == "strasse strasse");
}

TEST_CASE("words, capitalized words and punctuation are not anchors", "[crosslingual][anchors]") {
    CHECK(texts_of("The Council met in Berlin; Die Bürgermeisterin sagte: «Москва — это город».").empty());
    CHECK(texts_of("e.g. z.B. U.S. don't — ... A I В").empty());
    CHECK(texts_of("").empty());
    CHECK(texts_of("   \n\t ").empty());
    CHECK(texts_of("-- - / // $ % @ a@b").empty());
}

TEST_CASE("anchors point at their bytes; odd input is accepted", "[crosslingual][anchors]") {
    const std::string text = "Costs: \xE2\x82\xAC" "4,2 Mio. (NASA)";
    const ditto::anchor_list a = ditto::extract_anchors(text);
    REQUIRE(a.size() == 2);
    CHECK(text.substr(a[0].source.begin, a[0].source.end - a[0].source.begin) == "\xE2\x82\xAC" "4,2");
    CHECK(text.substr(a[1].source.begin, a[1].source.end - a[1].source.begin) == "NASA");
    // Ill-formed UTF-8 is never part of an anchor and never read past.
    CHECK(texts_of("NA\xFFSA 42\xC3 7") == std::vector<std::string>{"7"});
    CHECK(texts_of("\xE2\x82") .empty());
    CHECK(texts_of("\x80\x80 12 \xF0") == std::vector<std::string>{"12"});
    // A huge line without spaces is one piece.
    const std::string huge(1 << 20, 'x');
    CHECK(texts_of(huge).empty());
    CHECK(ditto::extract_anchors(std::string(1 << 16, '7')).size() == 1);
    // A number of 100,000 space-separated groups is one anchor (and found in linear time).
    std::string groups = "1";
    for (int i = 0; i < 100000; ++i) groups += " 000";
    const ditto::anchor_list g = ditto::extract_anchors(groups + " end");
    REQUIRE(g.size() == 1);
    CHECK(g.text(0).size() == 1 + 4 * 100000);
    CHECK(g[0].source == ditto::byte_span{0, groups.size()});
    CHECK(texts_of("9 000, 5") == std::vector<std::string>{"9.000", "5"});
    CHECK(texts_of("9 000руб 100") == std::vector<std::string>{"9", "000rub", "100"});
    // The extractor's buffers are reused and the result replaced.
    ditto::anchor_extractor extract;
    ditto::anchor_list out;
    extract.extract("NASA 1 2 3", out);
    extract.extract("EU", out);
    REQUIRE(out.size() == 1);
    CHECK(out.text(0) == "eu");
}

TEST_CASE("the fast path for words equals the general one", "[crosslingual][anchors]") {
    // A word alone takes the letters-only fast path; with a comma after it, the general path
    // (which strips the comma): both must give the same anchors.
    const char* const letters[] = {"a", "Z", "q", "\xD0\x96" /* Ж */, "\xD0\xB6" /* ж */, "\xD0\x81" /* Ё */, "\xD1\x91" /* ё */,
                                   "\xD1\xA0" /* Ѡ */, "\xD1\xA1" /* ѡ */, "\xCE\x86" /* Ά */, "\xCE\xAC" /* ά */, "\xCE\x90" /* ΐ */,
                                   "\xCE\xA3" /* Σ */, "\xCF\x82" /* ς */, "\xCC\x81" /* combining acute */, "\xC3\x9F" /* ß */,
                                   "\xE4\xB8\xAD" /* 中 */, "\xC3\x89" /* É */, "\xD4\xB1" /* Armenian Ա */, "\xD5\xA1" /* ա */};
    ditto_test::rng r{3};
    for (int round = 0; round < 5000; ++round) {
        std::string word;
        for (std::size_t i = 0, n = 1 + r.below(6); i < n; ++i) word += letters[r.below(std::size(letters))];
        CAPTURE(word);
        CHECK(anchors_of(word) == anchors_of(word + ","));
        CHECK(anchors_of(word) == anchors_of("(" + word + ")"));
    }
    using K = ditto::anchor_kind;
    CHECK(anchors_of("ФСБ и МВД") == kinds{{K::acronym, "fsb"}, {K::acronym, "mvd"}});
    CHECK(anchors_of("МакДональдс Москва") == kinds{{K::mixed_case, "makdonalds"}});
    CHECK(anchors_of("ΟΤΕ Αθήνα") == kinds{{K::acronym, "ote"}});
}
