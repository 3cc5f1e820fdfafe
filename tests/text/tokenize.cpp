#include <ditto/text/tokenize.hpp>

#include <ditto/text/normalize.hpp>

#include <random>
#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& t : ditto::word_tokenizer{}(text)) {
        // Every token is a view into the text at its offset.
        REQUIRE(t.text.data() == text.data() + t.offset);
        out.emplace_back(t.text);
    }
    return out;
}

using list = std::vector<std::string>;

}  // namespace

TEST_CASE("tokenize: English words, numbers and punctuation", "[tokenize]") {
    CHECK(words("Hello, world! It's 2026.") == list{"Hello", "world", "It", "s", "2026"});
    CHECK(words("") == list{});
    CHECK(words("  ...  ") == list{});
    CHECK(words("a") == list{"a"});
    CHECK(words("x_y-z") == list{"x", "y", "z"});
}

TEST_CASE("tokenize: numbers like 7,1 and 30.000 split at their separators", "[tokenize]") {
    // Tokens are maximal runs of L, M and N: a decimal comma or thousands dot separates.
    CHECK(words("Inflation 7,1 % bei 30.000 Euro") == list{"Inflation", "7", "1", "bei", "30", "000", "Euro"});
    CHECK(words("1 000 000") == list{"1", "000", "000"});
    CHECK(words("Ⅻ ½ ٣٤") == list{"Ⅻ", "½", "٣٤"});  // Nl, No, Arabic-Indic digits
}

TEST_CASE("tokenize: German with sharp s, umlauts and low-high quotes", "[tokenize]") {
    CHECK(words("„Größe“ ändert Straße") == list{"Größe", "ändert", "Straße"});
}

TEST_CASE("tokenize: Russian and Greek", "[tokenize]") {
    CHECK(words("Привет, мир! Ёлка.") == list{"Привет", "мир", "Ёлка"});
    CHECK(words("Καλημέρα κόσμε") == list{"Καλημέρα", "κόσμε"});
}

TEST_CASE("tokenize: Chinese, Japanese and Korean characters are tokens by themselves", "[tokenize]") {
    CHECK(words("中文分词") == list{"中", "文", "分", "词"});
    CHECK(words("東京はカタカナ") == list{"東", "京", "は", "カ", "タ", "カ", "ナ"});
    CHECK(words("한국어") == list{"한", "국", "어"});
    // A combining voiced sound mark stays with its kana.
    CHECK(words("か\u3099") == list{"か\u3099"});
    // Latin next to CJK splits at the script change.
    CHECK(words("iPhone手机") == list{"iPhone", "手", "机"});
}

TEST_CASE("tokenize: emoji and symbols separate, combining marks join", "[tokenize]") {
    CHECK(words("good😀news 👍🏽 ok") == list{"good", "news", "ok"});
    CHECK(words("cafe\u0301 ok") == list{"cafe\u0301", "ok"});
    CHECK(words("\u0301x") == list{"\u0301x"});
}

TEST_CASE("tokenize: mixed scripts with byte offsets", "[tokenize]") {
    const std::string text = "Abc Жж 漢 9";
    std::vector<ditto::token> tokens;
    for (const auto& t : ditto::word_tokenizer{}(text)) tokens.push_back(t);
    REQUIRE(tokens.size() == 4);
    CHECK(tokens[0].offset == 0);
    CHECK(tokens[1].offset == 4);
    CHECK(tokens[2].offset == 9);
    CHECK(tokens[3].offset == 13);
}

TEST_CASE("tokenize: invalid UTF-8 and NUL bytes separate tokens", "[tokenize]") {
    CHECK(words("ab\xFF" "cd\xE2\x82" "ef") == list{"ab", "cd", "ef"});
    CHECK(words(std::string("ab\0cd", 5)) == list{"ab", "cd"});
    CHECK(words("\xC3") == list{});
}

TEST_CASE("tokenize: range and loop forms agree", "[tokenize]") {
    const std::string text = "Один 2 three 四 ﬁve";
    std::vector<ditto::token> a, b;
    for (const auto& t : ditto::word_tokenizer{}(text)) a.push_back(t);
    ditto::for_each_token(text, [&](const ditto::token& t) { b.push_back(t); });
    CHECK(a == b);
    static_assert(std::ranges::forward_range<ditto::token_range>);
    auto range = ditto::word_tokenizer{}(text);
    auto it = range.begin();
    auto copy = it;
    ++it;
    CHECK(copy->text == "Один");
    CHECK(it->text == "2");
}

TEST_CASE("tokenize: the block-scanning loop form equals the range form on random text", "[tokenize]") {
    // Pieces that exercise the 64-byte ASCII blocks: long words that straddle block edges, runs of
    // separators, and non-ASCII letters, marks, ideographs and bad bytes that send a block to
    // the byte-wise scanner, at every alignment.
    const std::vector<std::string> pieces = {"a", "word", "Alphabetic", std::string(70, 'x'), std::string(130, 'Q'),
                                             " ", "  ", ", ", ".\n", "7", "30.000", "ä", "Straße", "Ж", "слово",
                                             "e\u0301", "漢", "字", "か\u3099", "😀", "\xFF", std::string(1, '\0'),
                                             std::string(63, ' '), std::string(64, '-')};
    std::mt19937 rng(2024);
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        const int length = 1 + static_cast<int>(rng() % 80);
        const bool ascii_only = round % 3 == 0;
        for (int i = 0; i < length; ++i) {
            const std::string& piece = pieces[rng() % pieces.size()];
            if (ascii_only && static_cast<unsigned char>(piece[0]) >= 0x80) continue;
            text += piece;
        }
        std::vector<ditto::token> a, b;
        for (const auto& t : ditto::word_tokenizer{}(text)) a.push_back(t);
        ditto::for_each_token(text, [&](const ditto::token& t) { b.push_back(t); });
        INFO("round " << round << ", " << text.size() << " bytes");
        REQUIRE(a == b);
    }
}
