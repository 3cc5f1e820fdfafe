// Bad and huge input: one line of DITTO_LARGE_TEST_BYTES bytes (1 GiB by default; smaller under
// sanitizers) with invalid UTF-8 and NUL bytes goes through normalize, tokenize and shingle in
// linear time without crashing. Timing is not asserted; a quadratic step would not finish.

#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>

#include <string>

#include "support/catch.hpp"

TEST_CASE("large input: a single huge line with bad bytes", "[large]") {
    const std::size_t target = DITTO_LARGE_TEST_BYTES;
    // A unit of six tokens, an invalid byte and a NUL: the expected counts follow from it.
    const std::string unit = std::string("Word Straße \xFF") + std::string(1, '\0') + "Привет 7,1\xE2\x80\x94x ";
    const std::size_t units = target / unit.size();
    std::string line;
    line.reserve(units * unit.size());
    for (std::size_t i = 0; i < units; ++i) line += unit;

    std::string normalized;
    ditto::normalizer{}.normalize(line, normalized);
    const std::string expected_unit = std::string("word strasse \xEF\xBF\xBD") + std::string(1, '\0') + "привет 7,1-x ";
    CHECK(normalized.size() == units * expected_unit.size() - 1);  // the final space is trimmed
    CHECK(normalized.compare(0, expected_unit.size(), expected_unit) == 0);

    std::size_t tokens = 0;
    ditto::for_each_token(normalized, [&](const ditto::token&) { ++tokens; });
    CHECK(tokens == units * 6);  // word, strasse, привет, 7, 1, x

    std::size_t shingles = 0;
    ditto::word_shingler<>(5)(normalized, [&](std::uint64_t) { ++shingles; });
    CHECK(shingles == units * 6 - 4);
}
