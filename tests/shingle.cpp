#include <ditto/shingle.hpp>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

// Brute-force reference, written from the documented definition: split into tokens by hand,
// hash each window's tokens separately and evaluate the polynomial directly.
std::vector<std::uint64_t> reference_word_shingles(const std::vector<std::string>& tokens, std::size_t k,
                                                   std::uint64_t seed) {
    const std::uint64_t base = 0xdc22c46963e968fdULL;
    std::vector<std::uint64_t> out;
    const auto window = [&](std::size_t first, std::size_t count) {
        std::uint64_t value = 0;
        for (std::size_t i = first; i < first + count; ++i) value = value * base + ditto::hash64(tokens[i], seed);
        out.push_back(ditto::mix64(value, seed));
    };
    if (tokens.empty()) return out;
    if (tokens.size() < k) {
        window(0, tokens.size());
        return out;
    }
    for (std::size_t i = 0; i + k <= tokens.size(); ++i) window(i, k);
    return out;
}

std::string join(const std::vector<std::string>& tokens, std::mt19937& rng) {
    const char* separators[] = {" ", ", ", "  ", " - ", "\n", "... "};
    std::string text;
    for (const auto& t : tokens) text += t + separators[rng() % 6];
    return text;
}

}  // namespace

TEST_CASE("shingle: word shingles equal the brute-force reference", "[shingle]") {
    const std::vector<std::string> vocabulary = {"the", "news", "copy", "article", "Straße", "привет", "1", "2026", "x", "漢"};
    std::mt19937 rng(3);
    for (std::size_t k : {1u, 2u, 3u, 5u, 9u, 40u}) {
        const ditto::word_shingler<> shingler(k, 99);
        for (int round = 0; round < 50; ++round) {
            std::vector<std::string> tokens;
            const std::size_t n = rng() % 60;
            for (std::size_t i = 0; i < n; ++i) tokens.push_back(vocabulary[rng() % vocabulary.size()]);
            const std::string text = join(tokens, rng);
            // "漢" next to a separator-free neighbour would still be its own token: join adds separators.
            INFO("k = " << k << ", text = " << text);
            CHECK(shingler(text) == reference_word_shingles(tokens, k, 99));
        }
    }
}

TEST_CASE("shingle: short and empty texts", "[shingle]") {
    const ditto::word_shingler<> five(5);
    CHECK(five("").empty());
    CHECK(five(" , . ").empty());
    CHECK(five("one").size() == 1);
    CHECK(five("one two three four").size() == 1);
    CHECK(five("one two three four five").size() == 1);
    CHECK(five("one two three four five six").size() == 2);
    // The one shingle of a short text is the shingle of its whole token sequence.
    CHECK(five("one two") == five(" one, two! "));
    CHECK(five("one two") != five("two one"));
    CHECK(five("one two") != five("one"));
}

TEST_CASE("shingle: equal windows give equal hashes, different windows different ones", "[shingle]") {
    const ditto::word_shingler<> three(3);
    const auto h = three("a b c d a b c e");
    REQUIRE(h.size() == 6);
    CHECK(h[0] == h[4]);  // "a b c" twice
    CHECK(h[1] != h[5]);  // "b c d" vs "b c e"
    CHECK(ditto::word_shingler<>(3, 1)("a b c") != ditto::word_shingler<>(3, 2)("a b c"));
}

TEST_CASE("shingle: character k-grams over code points", "[shingle]") {
    const ditto::char_shingler<> three(3, 5);
    const std::string text = "aЖ漢😀b";
    const auto h = three(text);
    REQUIRE(h.size() == 3);
    CHECK(h[0] == ditto::hash64("aЖ漢", 5));
    CHECK(h[1] == ditto::hash64("Ж漢😀", 5));
    CHECK(h[2] == ditto::hash64("漢😀b", 5));
    CHECK(three("").empty());
    CHECK(three("ab") == std::vector<std::uint64_t>{ditto::hash64("ab", 5)});
    CHECK(three("abc") == std::vector<std::uint64_t>{ditto::hash64("abc", 5)});
    // An ill-formed byte counts as one code point.
    CHECK(three("a\xFF" "bc").size() == 2);
    const ditto::char_shingler<> forty(40);
    const std::string long_text(100, 'z');
    CHECK(forty(long_text).size() == 61);
}

TEST_CASE("shingle: sizes are validated", "[shingle]") {
    CHECK_THROWS_AS(ditto::word_shingler<>(0), std::invalid_argument);
    CHECK_THROWS_AS(ditto::word_shingler<>(1025), std::invalid_argument);
    CHECK_THROWS_AS(ditto::char_shingler<>(0), std::invalid_argument);
    try {
        ditto::word_shingler<> bad(0);
        FAIL("expected invalid_argument");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "word_shingler: k must be in [1, 1024], got 0");
    }
    CHECK_NOTHROW(ditto::word_shingler<>(1024));
}
