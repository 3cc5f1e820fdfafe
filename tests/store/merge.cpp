// merge_indexes: two index files merged by streaming give the bytes of the in-memory merge, and
// a damaged input is refused exactly when read_index refuses it, with nothing written.
#include <ditto/error.hpp>
#include <ditto/store/index_merge.hpp>
#include <ditto/store/index_reader.hpp>

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>

#include "store/store_support.hpp"
#include "support/catch.hpp"

namespace {

std::string streamed_merge(const std::string& a, const std::string& b) {
    std::istringstream in_a(a), in_b(b);
    std::ostringstream out;
    const std::uint64_t bytes = ditto::merge_indexes(in_a, in_b, out);
    std::string result = std::move(out).str();
    CHECK(bytes == result.size());
    return result;
}

std::string memory_merge(const std::string& a, const std::string& b) {
    return store_test::to_bytes(ditto::merge(store_test::from_bytes(a), store_test::from_bytes(b)));
}

}  // namespace

TEST_CASE("merge_indexes: the bytes of the in-memory merge, for every slot width and shape", "[store][merge]") {
    for (const std::uint32_t bits : {16u, 32u, 64u}) {
        INFO("slot bits " << bits);
        const auto p = store_test::small_parameters(bits);
        // texts() puts an empty text (the empty signature: no band records) at number 3.
        const std::string a = store_test::to_bytes(store_test::build(p, store_test::texts(70, 21), "a.jsonl"));
        const std::string b = store_test::to_bytes(store_test::build(p, store_test::texts(55, 22), "b.jsonl"));
        const std::string empty = store_test::to_bytes(ditto::index_builder(p).finish());
        CHECK(streamed_merge(a, b) == memory_merge(a, b));
        CHECK(streamed_merge(b, a) == memory_merge(b, a));
        CHECK(streamed_merge(a, empty) == memory_merge(a, empty));
        CHECK(streamed_merge(empty, b) == memory_merge(empty, b));
        CHECK(streamed_merge(empty, empty) == memory_merge(empty, empty));
        CHECK(streamed_merge(a, a) == memory_merge(a, a));
        // And the merge is a real one: b's documents after a's, band records interleaved.
        const auto merged = store_test::from_bytes(streamed_merge(a, b));
        REQUIRE(merged.documents.size() == 125);
        CHECK(merged.documents[70].id == "d0");
        CHECK(merged.documents[70].source == 1);
        CHECK(merged.sources[1].path == "b.jsonl");
    }
}

TEST_CASE("merge_indexes: sections of a newer minor version are checked and dropped", "[store][merge]") {
    const auto p = store_test::small_parameters();
    const std::string a = store_test::to_bytes(store_test::build(p, store_test::texts(12, 4)));
    const std::string b = store_test::to_bytes(store_test::build(p, store_test::texts(9, 5), "b.jsonl"));
    const std::string extended = store_test::with_extra_section(a, 1, "a section from the future");
    REQUIRE(store_test::from_bytes(extended) == store_test::from_bytes(a));
    CHECK(streamed_merge(extended, b) == memory_merge(a, b));
    std::string corrupt = extended;
    corrupt[corrupt.size() - 16 - 8] = 'X';  // inside the unknown section
    std::istringstream in_a(corrupt), in_b(b);
    std::ostringstream out;
    try {
        (void)ditto::merge_indexes(in_a, in_b, out);
        FAIL("a damaged unknown section passed");
    } catch (const ditto::merge_input_error& e) {
        CHECK(e.input() == 0);
        CHECK(e.section() == "unknown section");
    }
}

TEST_CASE("merge_indexes: a damaged input is refused like read_index refuses it, and nothing is written",
          "[store][merge]") {
    const auto p = store_test::small_parameters();
    const std::string a = store_test::to_bytes(store_test::build(p, store_test::texts(10, 31)));
    const std::string b = store_test::to_bytes(store_test::build(p, store_test::texts(7, 32), "b.jsonl"));
    const auto outcome = [](const std::string& x, const std::string& y) {
        std::istringstream in_x(x), in_y(y);
        std::ostringstream out;
        try {
            (void)ditto::merge_indexes(in_x, in_y, out);
            return std::string("returned");
        } catch (const ditto::merge_input_error& e) {
            CHECK(out.str().empty());
            return std::string(e.what()) + (e.input() == 0 ? " [a]" : " [b]");
        }
    };
    const auto read_outcome = [](const std::string& x) {
        try {
            (void)store_test::from_bytes(x);
            return std::string("returned");
        } catch (const ditto::index_format_error& e) {
            return std::string(e.what());
        }
    };
    // Every byte of either input flipped; truncated at every length.
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string bad = a;
        bad[i] = static_cast<char>(bad[i] ^ 0x20);
        const std::string expected = read_outcome(bad);
        REQUIRE(expected != "returned");
        REQUIRE(outcome(bad, b) == expected + " [a]");
        REQUIRE(outcome(b, bad) == expected + " [b]");
    }
    for (std::size_t n = 0; n < a.size(); n += 3)
        REQUIRE(outcome(a.substr(0, n), b) == read_outcome(a.substr(0, n)) + " [a]");
    // Damage behind the checksums (resealed), the section table included: the record checks
    // name the same problem.
    for (std::size_t i = 80; i < a.size() - 16; ++i) {
        std::string bad = a;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        store_test::reseal(bad);
        const std::string expected = read_outcome(bad);
        if (expected == "returned") {
            CHECK(outcome(bad, b) == "returned");  // e.g. a changed slot value: still a valid index
        } else {
            REQUIRE(outcome(bad, b) == expected + " [a]");
            REQUIRE(outcome(b, bad) == expected + " [b]");
        }
    }
}

TEST_CASE("merge_indexes: counts are believed only once checked", "[store][merge]") {
    const auto p = store_test::small_parameters();
    const std::string a = store_test::to_bytes(store_test::build(p, store_test::texts(10, 31)));
    const std::string empty = store_test::to_bytes(ditto::index_builder(p).finish());
    const auto refused = [&](const std::string& bad, const std::string& message) {
        try {
            (void)store_test::from_bytes(bad);
            FAIL("read_index accepted " << message);
        } catch (const ditto::index_format_error& e) {
            REQUIRE(std::string(e.what()).find(message) != std::string::npos);
        }
        for (const int input : {0, 1}) {
            std::istringstream x(input == 0 ? bad : a), y(input == 0 ? a : bad);
            std::ostringstream out;
            try {
                (void)ditto::merge_indexes(x, y, out);
                FAIL("merge_indexes accepted " << message);
            } catch (const ditto::merge_input_error& e) {
                CHECK(e.input() == input);
                CHECK(std::string(e.what()).find(message) != std::string::npos);
            }
            CHECK(out.str().empty());
        }
    };
    // No documents, but id bytes: the bytes after the last id are checked with no last id too.
    refused(store_test::with_section(empty, 1, "JUNKJUNK", 0), "8 bytes after the last id");
    // A document count past 2^32 - 1, or past what the section holds.
    refused(store_test::with_section(empty, 1, "", std::uint64_t{1} << 32), "do not fit");
    std::string many = a;
    store_test::put(many, 80 + 32 * 1 + 24, std::uint64_t{1} << 40, 8);
    store_test::reseal(many);
    refused(many, "do not fit");
}

TEST_CASE("merge_indexes: different parameters, and streams that cannot seek", "[store][merge]") {
    auto p = store_test::small_parameters();
    const std::string a = store_test::to_bytes(store_test::build(p, store_test::texts(5, 1)));
    p.seed = 7;
    p.threshold = 0.75;
    const std::string b = store_test::to_bytes(store_test::build(p, store_test::texts(5, 1)));
    std::istringstream in_a(a), in_b(b);
    std::ostringstream out;
    try {
        (void)ditto::merge_indexes(in_a, in_b, out);
        FAIL("merge_indexes accepted different parameters");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("seed, threshold") != std::string::npos);
    }
    CHECK(out.str().empty());

    struct forward_only : std::streambuf {
        explicit forward_only(std::string& s) { setg(s.data(), s.data(), s.data() + s.size()); }
    };
    std::string bytes = a;
    forward_only buffer(bytes);
    std::istream once(&buffer);
    std::istringstream other(a);
    CHECK_THROWS_AS(ditto::merge_indexes(once, other, out), std::invalid_argument);
}
