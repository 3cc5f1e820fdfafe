// Compile-time tests of the concepts: types that satisfy them and types that must not.
#include <ditto/concepts.hpp>

#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/tokenize.hpp>

#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

struct seeded_hash {
    std::uint64_t operator()(std::string_view s, std::uint64_t seed) const { return s.size() ^ seed; }
};
struct unseeded_hash {
    std::uint64_t operator()(std::string_view s) const { return s.size(); }
};
struct narrow_hash {
    std::uint32_t operator()(std::string_view, std::uint64_t) const { return 0; }
};
struct mutable_hash {  // callable only when non-const
    std::uint64_t operator()(std::string_view, std::uint64_t) { return 0; }
};

struct my_token {
    std::string_view text;
    std::size_t offset;
};
struct no_offset_token {
    std::string_view text;
};

// Splits at spaces only, into a vector.
struct space_tokenizer {
    std::vector<my_token> operator()(std::string_view s) const {
        std::vector<my_token> out;
        std::size_t pos = 0;
        while (pos < s.size()) {
            const auto end = std::min(s.find(' ', pos), s.size());
            if (end > pos) out.push_back({s.substr(pos, end - pos), pos});
            pos = end + 1;
        }
        return out;
    }
};
struct bad_token_tokenizer {
    std::vector<no_offset_token> operator()(std::string_view) const { return {}; }
};
struct string_tokenizer {
    std::vector<std::string> operator()(std::string_view) const { return {}; }
};

static_assert(ditto::hasher<ditto::default_hasher>);
static_assert(ditto::hasher<seeded_hash>);
static_assert(!ditto::hasher<unseeded_hash>);
static_assert(!ditto::hasher<narrow_hash>);
static_assert(!ditto::hasher<mutable_hash>);
static_assert(!ditto::hasher<int>);

static_assert(ditto::token_like<ditto::token>);
static_assert(ditto::token_like<my_token>);
static_assert(!ditto::token_like<no_offset_token>);
static_assert(!ditto::token_like<std::string>);

static_assert(ditto::tokenizer<ditto::word_tokenizer>);
static_assert(ditto::tokenizer<space_tokenizer>);
static_assert(!ditto::tokenizer<bad_token_tokenizer>);
static_assert(!ditto::tokenizer<string_tokenizer>);
static_assert(!ditto::tokenizer<seeded_hash>);

}  // namespace

TEST_CASE("concepts: a caller's tokenizer and hash plug into the shingler", "[concepts]") {
    const ditto::word_shingler<space_tokenizer, seeded_hash> custom(2, 0);
    // Tokens "a,b" and "c" (the space tokenizer keeps punctuation): one 2-shingle.
    const auto hashes = custom("a,b c");
    REQUIRE(hashes.size() == 1);
    const std::uint64_t base = 0xdc22c46963e968fdULL;
    CHECK(hashes[0] == ditto::mix64(3 * base + 1, 0));
    // The default tokenizer sees three tokens and two shingles.
    CHECK(ditto::word_shingler<>(2, 0)("a,b c").size() == 2);
}
