// The stored index format: CRC-32C known answers, the bytes of a tiny index laid out by hand
// from docs/format.md, and the parameter comparison.
#include <ditto/store/crc32c.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>
#include <ditto/store/parameters.hpp>

#include <bit>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "store/store_support.hpp"
#include "support/catch.hpp"

using store_test::put;

TEST_CASE("crc32c: known answers", "[store]") {
    // The check value of CRC-32C (RFC 3720, and the CRC catalogue's "check" for CRC-32/ISCSI).
    CHECK(ditto::crc32c_of("123456789") == 0xE3069283u);
    CHECK(ditto::crc32c_of("") == 0u);
    // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
    CHECK(ditto::crc32c_of(std::string(32, '\0')) == 0x8A9136AAu);
    CHECK(ditto::crc32c_of(std::string(32, '\xFF')) == 0x62A8AB43u);
    // Incremental updates in pieces of every size agree with one update (the 8-byte loop and the
    // byte loop meet at every alignment).
    std::string text;
    for (int i = 0; i < 100; ++i) text.push_back(static_cast<char>(i * 37 + 11));
    const std::uint32_t whole = ditto::crc32c_of(text);
    for (std::size_t piece = 1; piece <= 17; ++piece) {
        ditto::crc32c c;
        for (std::size_t at = 0; at < text.size(); at += piece) c.update(std::string_view(text).substr(at, piece));
        CHECK(c.value() == whole);
    }
}

TEST_CASE("stored index: the bytes of a tiny index, laid out by hand", "[store]") {
    ditto::stored_index index;
    ditto::index_parameters& p = index.parameters;
    p.shingles = ditto::shingle_kind::words;
    p.shingle_size = 3;
    p.normalization = {};  // full case folding, punctuation folded, whitespace collapsed
    p.sketch = ditto::sketch_kind::fast;
    p.slots = 2;
    p.slot_bits = 16;
    p.lsh = {1, 2};
    p.threshold = 0.5;
    p.recall = 0.9;
    index.sources.push_back({"ab", 10, {0x1111, 0x2222}});
    index.documents.push_back({0, 2, 5, {0x33, 0x44}, "xyz"});
    index.signatures = {1, 2};
    // The band key: hash64 of the band's slot bytes (01 00 02 00) seeded by the band number.
    const std::uint64_t key = ditto::hash64(std::string("\x01\x00\x02\x00", 4), ditto::mix64(0, 0x1f83d9abfb41bd6bULL));
    index.band_records.push_back({key, 0, 0});

    // Header 216 bytes (80 + 4 x 32 + 8); sources at 216 (34 bytes, padded to 40); documents at
    // 256 (51, padded to 56); signatures at 312 (4, padded to 8); band records at 320 (16);
    // footer at 336; 352 bytes in all.
    std::string e(352, '\0');
    e.replace(0, 8, "DITTOIDX");
    put(e, 8, 2, 2);    // major version 2
    put(e, 10, 0, 2);
    put(e, 12, 4, 4);
    put(e, 16, 216, 8);
    put(e, 24, 0, 1);   // words
    put(e, 25, 2, 1);   // full case folding
    put(e, 26, 3, 1);   // fold punctuation | collapse whitespace
    put(e, 27, 0, 1);   // invalid UTF-8 replaced
    put(e, 28, 3, 4);
    put(e, 32, ditto::text_pipeline_id, 8);
    put(e, 40, ditto::default_seed, 8);
    put(e, 48, 0, 1);   // fast sketcher
    put(e, 49, 16, 1);
    put(e, 52, 2, 4);
    put(e, 56, 1, 4);
    put(e, 60, 2, 4);
    put(e, 64, 0x3FE0000000000000ULL, 8);  // 0.5
    put(e, 72, 0x3FECCCCCCCCCCCCDULL, 8);  // 0.9
    const std::size_t table[4][4] = {{1, 216, 34, 1}, {2, 256, 51, 1}, {3, 312, 4, 1}, {4, 320, 16, 1}};
    // Sections.
    put(e, 216, 10, 8);
    put(e, 224, 0x1111, 8);
    put(e, 232, 0x2222, 8);
    put(e, 240, 2, 8);
    e.replace(248, 2, "ab");
    put(e, 256, 0, 8);
    put(e, 264, 2, 8);
    put(e, 272, 5, 8);
    put(e, 280, 0x33, 8);
    put(e, 288, 0x44, 8);
    put(e, 296, 3, 8);
    e.replace(304, 3, "xyz");
    put(e, 312, 1, 2);
    put(e, 314, 2, 2);
    put(e, 320, key, 8);
    put(e, 328, 0, 4);
    put(e, 332, 0, 4);
    put(e, 336, 352, 8);
    e.replace(344, 8, "DITTOEND");
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t at = 80 + 32 * i;
        put(e, at, table[i][0], 4);
        put(e, at + 4, ditto::crc32c_of(std::string_view(e).substr(table[i][1], table[i][2])), 4);
        put(e, at + 8, table[i][1], 8);
        put(e, at + 16, table[i][2], 8);
        put(e, at + 24, table[i][3], 8);
    }
    put(e, 208, ditto::crc32c_of(std::string_view(e).substr(0, 208)), 4);

    std::ostringstream out;
    CHECK(ditto::write_index(out, index) == 352);
    const std::string written = std::move(out).str();
    REQUIRE(written.size() == e.size());
    for (std::size_t i = 0; i < e.size(); ++i) {
        INFO("byte " << i);
        CHECK(static_cast<unsigned char>(written[i]) == static_cast<unsigned char>(e[i]));
    }
    CHECK(store_test::from_bytes(e) == index);
}

TEST_CASE("stored index: differing_parameters names every differing field", "[store]") {
    const ditto::index_parameters base;
    CHECK(ditto::differing_parameters(base, base).empty());
    struct change {
        const char* name;
        void (*apply)(ditto::index_parameters&);
    };
    const change changes[] = {
        {"shingle kind", [](ditto::index_parameters& p) { p.shingles = ditto::shingle_kind::characters; }},
        {"shingle size", [](ditto::index_parameters& p) { p.shingle_size = 4; }},
        {"case folding", [](ditto::index_parameters& p) { p.normalization.case_fold = ditto::case_folding::simple; }},
        {"fold punctuation", [](ditto::index_parameters& p) { p.normalization.fold_punctuation = false; }},
        {"collapse whitespace", [](ditto::index_parameters& p) { p.normalization.collapse_whitespace = false; }},
        {"strip diacritics", [](ditto::index_parameters& p) { p.normalization.strip_diacritics = true; }},
        {"fold compatibility", [](ditto::index_parameters& p) { p.normalization.fold_compatibility = true; }},
        {"invalid UTF-8", [](ditto::index_parameters& p) { p.normalization.on_invalid = ditto::invalid_utf8::skip; }},
        {"text pipeline", [](ditto::index_parameters& p) { p.text_pipeline += 1; }},
        {"seed", [](ditto::index_parameters& p) { p.seed = 1; }},
        {"sketch kind", [](ditto::index_parameters& p) { p.sketch = ditto::sketch_kind::classic; }},
        {"slots", [](ditto::index_parameters& p) { p.slots = 256; }},
        {"slot bits", [](ditto::index_parameters& p) { p.slot_bits = 64; }},
        {"bands", [](ditto::index_parameters& p) { p.lsh.bands = 17; }},
        {"rows", [](ditto::index_parameters& p) { p.lsh.rows = 5; }},
        {"threshold", [](ditto::index_parameters& p) { p.threshold = 0.9; }},
        {"recall", [](ditto::index_parameters& p) { p.recall = 0.99; }},
    };
    ditto::index_parameters all = base;
    for (const change& c : changes) {
        ditto::index_parameters one = base;
        c.apply(one);
        c.apply(all);
        const auto d = ditto::differing_parameters(base, one);
        REQUIRE(d.size() == 1);
        CHECK(d[0] == c.name);
    }
    const auto every = ditto::differing_parameters(all, base);
    REQUIRE(every.size() == std::size(changes));
    for (std::size_t i = 0; i < every.size(); ++i) CHECK(every[i] == changes[i].name);
}

TEST_CASE("stored index: the text pipeline id holds the revision and the Unicode version", "[store]") {
    CHECK(ditto::text_pipeline_id >> 32 == ditto::text_pipeline_revision);
    CHECK(((ditto::text_pipeline_id >> 16) & 0xFFFF) == static_cast<std::uint64_t>(ditto::unicode::version_major));
    CHECK(((ditto::text_pipeline_id >> 8) & 0xFF) == static_cast<std::uint64_t>(ditto::unicode::version_minor));
}

TEST_CASE("stored index: invalid parameters are refused by the builder and the writer", "[store]") {
    ditto::index_parameters p;
    p.lsh = {20, 7};  // 140 > 128 slots
    CHECK_THROWS_AS(ditto::index_builder(p), std::invalid_argument);
    ditto::stored_index index;
    index.parameters = p;
    std::ostringstream out;
    CHECK_THROWS_AS(ditto::write_index(out, index), std::invalid_argument);
    p = {};
    p.slot_bits = 8;
    CHECK_THROWS_AS(ditto::index_builder(p), std::invalid_argument);
    p = {};
    p.threshold = 0.0;
    CHECK_THROWS_AS(ditto::index_builder(p), std::invalid_argument);
}
