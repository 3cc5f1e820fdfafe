// Stored indexes: round trips, each kind of corruption the reader must name, newer minor
// versions, hostile counts, and build/add/merge giving byte-identical files.
#include <ditto/store/index.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "store/store_support.hpp"
#include "support/catch.hpp"

using store_test::from_bytes;
using store_test::le;
using store_test::put;
using store_test::reseal;
using store_test::to_bytes;

namespace {

// Reads bytes expecting an index_format_error whose message contains what and which names
// section; returns its byte offset.
std::uint64_t rejected(const std::string& bytes, const std::string& what, const std::string& section) {
    try {
        (void)from_bytes(bytes);
    } catch (const ditto::index_format_error& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(what) != std::string::npos);
        CHECK(e.section() == section);
        return e.byte_offset();
    }
    FAIL("no index_format_error for: " << what);
    return 0;
}

// Where section i's table entry and its data begin.
std::size_t entry_at(std::size_t i) { return 80 + 32 * i; }
std::size_t section_at(const std::string& b, std::size_t i) { return static_cast<std::size_t>(le(b, entry_at(i) + 8, 8)); }

}  // namespace

TEST_CASE("stored index: round trips for every slot width", "[store]") {
    for (const std::uint32_t bits : {16u, 32u, 64u}) {
        INFO("slot bits " << bits);
        const auto index = store_test::build(store_test::small_parameters(bits), store_test::texts(40, bits));
        // Every document has a signature row; all but the empty text have band records.
        REQUIRE(index.signatures.size() == 40 * 8);
        CHECK(index.band_records.size() == 39 * 2);
        CHECK(std::is_sorted(index.band_records.begin(), index.band_records.end()));
        const std::string bytes = to_bytes(index);
        CHECK(bytes.size() % 8 == 0);
        const auto back = from_bytes(bytes);
        CHECK(back == index);
        CHECK(to_bytes(back) == bytes);
    }
}

TEST_CASE("stored index: band records are the band keys of the signatures", "[store]") {
    const auto p = store_test::small_parameters(32);
    const auto index = store_test::build(p, store_test::texts(10, 5));
    std::vector<ditto::band_record> expected;
    for (std::uint32_t d = 0; d < 10; ++d) {
        const auto slots = index.signature(d);
        if (slots[0] == 0xFFFFFFFFu) continue;  // the empty text
        std::vector<std::uint32_t> v(slots.begin(), slots.end());
        for (std::uint32_t b = 0; b < 2; ++b)
            expected.push_back({ditto::band_key(std::span<const std::uint32_t>(v), p.lsh, b), b, d});
    }
    std::sort(expected.begin(), expected.end());
    CHECK(index.band_records == expected);
    CHECK(expected.size() == 18);
}

TEST_CASE("stored index: the writer sorts band records and refuses inconsistent indexes", "[store]") {
    auto index = store_test::build(store_test::small_parameters(), store_test::texts(12, 2));
    const std::string bytes = to_bytes(index);
    auto shuffled = index;
    std::reverse(shuffled.band_records.begin(), shuffled.band_records.end());
    CHECK(to_bytes(shuffled) == bytes);

    std::ostringstream out;
    auto bad = index;
    bad.documents[1].source = 7;
    CHECK_THROWS_AS(ditto::write_index(out, bad), std::invalid_argument);
    bad = index;
    bad.band_records.pop_back();
    CHECK_THROWS_AS(ditto::write_index(out, bad), std::invalid_argument);
    bad = index;
    bad.band_records[1] = bad.band_records[0];
    CHECK_THROWS_AS(ditto::write_index(out, bad), std::invalid_argument);
    bad = index;
    bad.signatures.pop_back();
    CHECK_THROWS_AS(ditto::write_index(out, bad), std::invalid_argument);
    bad = index;
    bad.documents[0].length = bad.sources[0].size + 1;
    CHECK_THROWS_AS(ditto::write_index(out, bad), std::invalid_argument);
}

TEST_CASE("stored index: each corruption is named with its place", "[store]") {
    const auto index = store_test::build(store_test::small_parameters(), store_test::texts(12, 3));
    const std::string good = to_bytes(index);
    REQUIRE_NOTHROW(from_bytes(good));

    SECTION("bad magic") {
        std::string b = good;
        b[3] = 'X';
        CHECK(rejected(b, "bad magic", "header") == 0);
    }
    SECTION("unknown major version") {
        std::string b = good;
        put(b, 8, 3, 2);
        reseal(b);
        CHECK(rejected(b, "unknown major version 3", "header") == 8);
    }
    SECTION("major version 1: hashes of the first hash64 and mix64") {
        std::string b = good;
        put(b, 8, 1, 2);
        reseal(b);
        CHECK(rejected(b, "unknown major version 1", "header") == 8);
    }
    SECTION("header checksum") {
        std::string b = good;
        b[30] = static_cast<char>(b[30] ^ 1);  // the shingle size
        CHECK(rejected(b, "header checksum mismatch", "header") == 80 + 4 * 32);
    }
    SECTION("section checksum") {
        std::string b = good;
        const std::size_t at = section_at(b, 2) + 5;  // inside the signatures
        b[at] = static_cast<char>(b[at] ^ 0x10);
        CHECK(rejected(b, "checksum mismatch", "signatures") == section_at(b, 2));
    }
    SECTION("truncated") {
        CHECK(rejected(good.substr(0, good.size() - 8), "truncated", "footer") == good.size() - 24);
        CHECK(rejected(good.substr(0, 50), "fewer than the smallest index", "header") == 50);
    }
    SECTION("trailing garbage") {
        CHECK(rejected(good + std::string(16, '\0'), "no footer", "footer") == good.size());
        // A second footer copied after the first: the recorded length is not the file's.
        CHECK(rejected(good + good.substr(good.size() - 16), "bytes appended", "footer") == good.size());
    }
    SECTION("section out of bounds") {
        std::string b = good;
        put(b, entry_at(3) + 16, le(b, entry_at(3) + 16, 8) + 64, 8);  // band records 64 bytes longer
        reseal(b);
        CHECK(rejected(b, "extends past the end of the file", "section table") == entry_at(3) + 16);
    }
    SECTION("overlapping sections") {
        std::string b = good;
        put(b, entry_at(1) + 8, le(b, entry_at(1) + 8, 8) - 8, 8);  // documents start 8 bytes early
        reseal(b);
        CHECK(rejected(b, "overlapping or out of place", "section table") == entry_at(1) + 8);
    }
    SECTION("sections out of order") {
        std::string b = good;
        put(b, entry_at(1), 3, 4);
        put(b, entry_at(2), 2, 4);
        reseal(b);
        CHECK(rejected(b, "out of order", "section table") == entry_at(2));
    }
    SECTION("counts that do not match sizes") {
        std::string b = good;
        put(b, entry_at(1) + 24, index.documents.size() + 1, 8);  // one document more than stored
        reseal(b);
        CHECK(rejected(b, "do not fit", "documents") == entry_at(1) + 24);
        b = good;
        put(b, entry_at(2) + 24, index.documents.size() - 1, 8);
        reseal(b);
        CHECK(rejected(b, "signatures for", "signatures") == entry_at(2) + 24);
        b = good;
        put(b, entry_at(3) + 24, index.band_records.size() - 1, 8);
        reseal(b);
        CHECK(rejected(b, "band records, not", "band records") == entry_at(3) + 24);
    }
    SECTION("huge counts are refused before anything is allocated") {
        std::string b = good;
        put(b, entry_at(0) + 24, std::uint64_t{1} << 60, 8);
        reseal(b);
        CHECK(rejected(b, "do not fit", "sources") == entry_at(0) + 24);
        b = good;
        put(b, entry_at(1) + 24, std::numeric_limits<std::uint64_t>::max(), 8);
        reseal(b);
        CHECK(rejected(b, "do not fit", "documents") == entry_at(1) + 24);
        b = good;
        put(b, 12, 0xFFFFFFFFu, 4);
        reseal(b);  // (reseal skips entries past the end)
        CHECK(rejected(b, "section count", "header") == 12);
    }
    SECTION("a document referring to a missing source") {
        std::string b = good;
        put(b, section_at(b, 1) + 48 * 5, 1, 8);  // document 5's source: 1 of 1
        reseal(b);
        CHECK(rejected(b, "refers to source 1, which does not exist", "documents") == section_at(b, 1) + 48 * 5);
    }
    SECTION("a document beyond its source") {
        std::string b = good;
        put(b, section_at(b, 1) + 48 * 2 + 8, index.sources[0].size, 8);  // offset at the end, length > 0
        reseal(b);
        rejected(b, "beyond the end of its source", "documents");
    }
    SECTION("band records not sorted") {
        std::string b = good;
        const std::size_t at = section_at(b, 3);
        const std::string first = b.substr(at, 16), second = b.substr(at + 16, 16);
        b.replace(at, 16, second);
        b.replace(at + 16, 16, first);
        reseal(b);
        CHECK(rejected(b, "not sorted", "band records") == at + 16);
    }
    SECTION("a band record of a missing band or document") {
        std::string b = good;
        const std::size_t last = section_at(b, 3) + 16 * (index.band_records.size() - 1);
        put(b, last + 8, 2, 4);  // band 2 of 2
        reseal(b);
        rejected(b, "band record of band 2", "band records");
        b = good;
        put(b, last + 12, 12, 4);  // document 12 of 12
        reseal(b);
        rejected(b, "which has no signature", "band records");
    }
    SECTION("a document twice in a band") {
        // Band 0's record k takes the document of record k - 1 while its key stays larger, so the
        // order holds and only the repetition is wrong.
        std::string b = good;
        std::size_t k = 1;
        while (index.band_records[k].key == index.band_records[k - 1].key) ++k;
        REQUIRE(index.band_records[k].band == 0);
        const std::size_t at = section_at(b, 3) + 16 * k;
        put(b, at + 12, index.band_records[k - 1].document, 4);
        reseal(b);
        CHECK(rejected(b, "twice in band 0", "band records") == at + 12);
    }
    SECTION("non-zero padding") {
        std::string b = good;
        const std::size_t end = section_at(b, 0) + static_cast<std::size_t>(le(b, entry_at(0) + 16, 8));
        REQUIRE(end % 8 != 0);
        b[end] = 1;
        CHECK(rejected(b, "non-zero padding", "sources") == end);
    }
    SECTION("bad parameters behind a valid checksum") {
        std::string b = good;
        put(b, 49, 8, 1);  // 8-bit slots
        reseal(b);
        CHECK(rejected(b, "slot bits", "parameters") == 49);
        b = good;
        put(b, 64, 0x7FF8000000000000ULL, 8);  // a NaN threshold
        reseal(b);
        CHECK(rejected(b, "threshold", "parameters") == 64);
    }
    SECTION("a missing section") {
        std::string b = good;
        put(b, entry_at(3), 9, 4);  // band records relabelled as an unknown kind
        reseal(b);
        rejected(b, "unknown section kind 9", "section table");
    }
}

namespace {

}  // namespace

TEST_CASE("stored index: a newer minor version's unknown sections are checked and skipped", "[store]") {
    const auto index = store_test::build(store_test::small_parameters(), store_test::texts(12, 4));
    const std::string good = to_bytes(index);
    const std::string newer = store_test::with_extra_section(good, 1, "a section from the future");
    CHECK(from_bytes(newer) == index);
    // Its checksum is still checked.
    std::string corrupt = newer;
    corrupt[corrupt.size() - 16 - 8] = 'X';
    rejected(corrupt, "checksum mismatch", "unknown section");
    // In a file of this reader's own version an unknown section is an error.
    rejected(store_test::with_extra_section(good, 0, "x"), "unknown section kind 9 in a version 2.0 file", "section table");
}

TEST_CASE("stored index: build(A) + add(B) = merge(build(A), build(B)) = build(A then B), byte for byte", "[store]") {
    for (const std::uint32_t bits : {16u, 32u, 64u}) {
        INFO("slot bits " << bits);
        const auto p = store_test::small_parameters(bits);
        const auto a = store_test::texts(60, 11), b = store_test::texts(45, 12);

        ditto::index_builder all(p);
        store_test::add_corpus(all, a, "a.jsonl", "d");
        store_test::add_corpus(all, b, "b.jsonl", "e");
        const std::string together = to_bytes(std::move(all).finish());

        ditto::index_builder first(p);
        store_test::add_corpus(first, a, "a.jsonl", "d");
        const std::string a_file = to_bytes(std::move(first).finish());
        ditto::index_builder second(p);
        store_test::add_corpus(second, b, "b.jsonl", "e");
        const std::string b_file = to_bytes(std::move(second).finish());

        // add: read the stored index, append the new documents, write it again.
        ditto::index_builder more(from_bytes(a_file));
        store_test::add_corpus(more, b, "b.jsonl", "e");
        const std::string added = to_bytes(std::move(more).finish());

        const std::string merged = to_bytes(ditto::merge(from_bytes(a_file), from_bytes(b_file)));

        CHECK(added == together);
        CHECK(merged == together);
        const auto index = from_bytes(together);
        CHECK(index.documents.size() == 105);
        CHECK(index.sources.size() == 2);
        CHECK(index.documents[60].source == 1);
        CHECK(index.documents[60].id == "e0");
        // Band records of both parts interleave: the merge really merged.
        bool interleaved = false;
        for (std::size_t i = 1; i < index.band_records.size(); ++i)
            interleaved |= index.band_records[i - 1].document >= 60 && index.band_records[i].document < 60;
        CHECK(interleaved);
    }
}

TEST_CASE("stored index: the builder takes minhash_signature values of the index's slot width", "[store]") {
    ditto::index_parameters p = store_test::small_parameters(32);
    ditto::index_builder builder(p);
    builder.add_source({"s", 100, {}});
    ditto::minhash_signature<8, std::uint32_t> filled;
    for (std::size_t i = 0; i < 8; ++i) filled.values()[i] = static_cast<std::uint32_t>(i * 1000 + 7);
    CHECK(builder.add_document({0, 0, 10, {}, "a"}, filled) == 0);
    CHECK(builder.add_document({0, 10, 10, {}, "b"}, ditto::minhash_signature<8, std::uint32_t>{}) == 1);
    CHECK_THROWS_AS(builder.add_document({0, 0, 10, {}, "c"}, ditto::minhash_signature<8, std::uint16_t>{}),
                    std::invalid_argument);
    CHECK_THROWS_AS(builder.add_document({1, 0, 10, {}, "d"}, filled), std::invalid_argument);  // no source 1
    CHECK_THROWS_AS(builder.add_document({0, 95, 10, {}, "e"}, filled), std::invalid_argument);  // past the end
    std::vector<std::uint64_t> mixed(8, 5);
    mixed[3] = 0xFFFFFFFFu;
    CHECK_THROWS_AS(builder.add_document({0, 0, 1, {}, "f"}, mixed), std::invalid_argument);
    const auto index = std::move(builder).finish();
    REQUIRE(index.documents.size() == 2);
    CHECK(index.signature(0)[7] == 7007);
    CHECK(index.signature(1)[0] == 0xFFFFFFFFu);
    CHECK(index.band_records.size() == 2);  // the empty signature has none
    CHECK(store_test::from_bytes(to_bytes(index)) == index);
}

TEST_CASE("stored index: merge refuses different parameters and names them", "[store]") {
    auto p = store_test::small_parameters();
    const auto a = store_test::build(p, store_test::texts(5, 1));
    p.seed = 7;
    p.threshold = 0.75;
    const auto b = store_test::build(p, store_test::texts(5, 1));
    try {
        (void)ditto::merge(a, b);
        FAIL("merge accepted different parameters");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("seed, threshold") != std::string::npos);
    }
}

TEST_CASE("stored index: files, index_bytes, and an empty index", "[store]") {
    const auto index = store_test::build(store_test::small_parameters(), store_test::texts(20, 9));
    const std::string path = "ditto_store_test.didx";
    const std::uint64_t bytes = ditto::write_index(path, index);
    CHECK(bytes == to_bytes(index).size());
    CHECK(ditto::read_index(path) == index);
    std::remove(path.c_str());
    CHECK_THROWS_AS(ditto::read_index(std::string("no/such/file.didx")), std::runtime_error);

    ditto::stored_index empty;
    const std::string e = to_bytes(empty);
    CHECK(e.size() == 80 + 4 * 32 + 8 + 16);
    CHECK(from_bytes(e) == empty);
}
