#include <ditto/text/utf8.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "support/catch.hpp"

// GCC 12 at -O3 reports the reference decoder's reads of the test buffers as possibly
// uninitialized and out of bounds; every read is below the length checked beside it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif

namespace {

// An independent reference: the set of all well-formed encodings, built by encoding every scalar
// value with the bit layout of the standard's table 3-6, and the set of their proper prefixes,
// both stored as bitmaps indexed by the bytes.
std::vector<unsigned char> encode_reference(std::uint32_t cp) {
    if (cp < 0x80) return {static_cast<unsigned char>(cp)};
    if (cp < 0x800) return {static_cast<unsigned char>(0xC0 | (cp >> 6)), static_cast<unsigned char>(0x80 | (cp & 0x3F))};
    if (cp < 0x10000)
        return {static_cast<unsigned char>(0xE0 | (cp >> 12)), static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)),
                static_cast<unsigned char>(0x80 | (cp & 0x3F))};
    return {static_cast<unsigned char>(0xF0 | (cp >> 18)), static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F)),
            static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<unsigned char>(0x80 | (cp & 0x3F))};
}

// Index of a sequence in its length's bitmap; 4-byte sequences must start with F0..F7.
std::size_t index_of(const unsigned char* bytes, std::size_t length) {
    std::size_t v = length == 4 ? (bytes[0] & 7u) : bytes[0];
    for (std::size_t i = 1; i < length; ++i) v = (v << 8) | bytes[i];
    return v;
}

struct reference_sets {
    std::vector<bool> valid[5];
    std::vector<bool> prefix[4];
};

const reference_sets& reference() {
    static const reference_sets sets = [] {
        reference_sets r;
        for (std::size_t len = 1; len <= 4; ++len) r.valid[len].assign(std::size_t{1} << (len == 4 ? 27 : 8 * len), false);
        for (std::size_t len = 1; len <= 3; ++len) r.prefix[len].assign(std::size_t{1} << (8 * len), false);
        for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            const auto e = encode_reference(cp);
            r.valid[e.size()][index_of(e.data(), e.size())] = true;
            for (std::size_t len = 1; len < e.size(); ++len) r.prefix[len][index_of(e.data(), len)] = true;
        }
        return r;
    }();
    return sets;
}

bool reference_valid(const unsigned char* bytes, std::size_t length) {
    if (length == 4 && (bytes[0] >> 3) != 0x1E) return false;
    return reference().valid[length][index_of(bytes, length)];
}

// U+FFFD count under maximal-subpart replacement, by the definition: at each position take the
// longest well-formed sequence, else the longest prefix of one (at least one byte) as one U+FFFD.
std::size_t reference_replacements(const unsigned char* bytes, std::size_t length) {
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < length;) {
        std::size_t taken = 0;
        for (std::size_t len = 1; len <= 4 && pos + len <= length; ++len)
            if (reference_valid(bytes + pos, len)) taken = len;
        if (taken == 0) {
            ++count;
            taken = 1;
            for (std::size_t len = 1; len <= 3 && pos + len <= length; ++len)
                if (reference().prefix[len][index_of(bytes + pos, len)]) taken = len;
        }
        pos += taken;
    }
    return count;
}

std::string bytes_of(std::initializer_list<unsigned> values) {
    std::string s;
    for (unsigned v : values) s.push_back(static_cast<char>(v));
    return s;
}

}  // namespace

TEST_CASE("utf8: every 1-, 2- and 3-byte sequence is classified as the reference says", "[utf8]") {
    unsigned char buf[3] = {};
    std::size_t checked = 0, mismatches = 0;
    for (std::uint32_t length = 1; length <= 3; ++length) {
        const std::uint32_t limit = 1u << (8 * length);
        for (std::uint32_t v = 0; v < limit; ++v) {
            for (std::uint32_t i = 0; i < length; ++i) buf[i] = static_cast<unsigned char>(v >> (8 * (length - 1 - i)));
            const std::string_view s(reinterpret_cast<const char*>(buf), length);
            const bool expected = reference_replacements(buf, length) == 0;
            if (ditto::is_valid_utf8(s) != expected) ++mismatches;
            if (ditto::count_invalid_utf8(s) != reference_replacements(buf, length)) ++mismatches;
            ++checked;
        }
    }
    CHECK(checked == 256u + 65536u + 16777216u);
    CHECK(mismatches == 0);
}

TEST_CASE("utf8: 4-byte sequences over all lead and second bytes and interesting tails", "[utf8]") {
    const unsigned tails[] = {0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF};
    unsigned char buf[4] = {};
    std::size_t mismatches = 0;
    for (unsigned a = 0; a < 256; ++a)
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned c : tails)
                for (unsigned d : tails) {
                    buf[0] = static_cast<unsigned char>(a);
                    buf[1] = static_cast<unsigned char>(b);
                    buf[2] = static_cast<unsigned char>(c);
                    buf[3] = static_cast<unsigned char>(d);
                    const std::string_view s(reinterpret_cast<const char*>(buf), 4);
                    if (ditto::count_invalid_utf8(s) != reference_replacements(buf, 4)) ++mismatches;
                }
    CHECK(mismatches == 0);
}

TEST_CASE("utf8: every scalar value decodes to itself; surrogates and beyond U+10FFFF do not", "[utf8]") {
    std::size_t mismatches = 0;
    for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        const auto e = encode_reference(cp);
        const std::string s(e.begin(), e.end());
        const auto d = ditto::decode_utf8(s, 0);
        if (!d.valid || d.code_point != cp || d.length != e.size()) ++mismatches;
        char out[4];
        if (ditto::encode_utf8(static_cast<char32_t>(cp), out) != e.size() || std::string(out, e.size()) != s) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK_FALSE(ditto::is_valid_utf8(bytes_of({0xED, 0xA0, 0x80})));        // U+D800 encoded
    CHECK_FALSE(ditto::is_valid_utf8(bytes_of({0xF4, 0x90, 0x80, 0x80})));  // U+110000
    CHECK_FALSE(ditto::is_valid_utf8(bytes_of({0xC0, 0xAF})));              // overlong '/'
    CHECK_FALSE(ditto::is_valid_utf8(bytes_of({0xE0, 0x80, 0xAF})));        // overlong '/'
    CHECK_FALSE(ditto::is_valid_utf8(bytes_of({0xE2, 0x82})));              // truncated
}

TEST_CASE("utf8: maximal subpart replacement matches the standard's example", "[utf8]") {
    // Unicode 15, chapter 3.9, table 3-11: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
    const std::string input =
        bytes_of({0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64});
    const std::string r = "\xEF\xBF\xBD";
    CHECK(ditto::to_valid_utf8(input) == "a" + r + r + r + "b" + r + "c" + r + r + "d");
    CHECK(ditto::to_valid_utf8(input, ditto::invalid_utf8::skip) == "abcd");
    CHECK(ditto::count_invalid_utf8(input) == 6);
    CHECK(ditto::find_invalid_utf8(input) == 1);
    try {
        (void)ditto::to_valid_utf8(input, ditto::invalid_utf8::error);
        FAIL("expected a parse_error");
    } catch (const ditto::parse_error& e) {
        CHECK(e.byte_offset() == 1);
        CHECK(std::string(e.what()).find("byte offset 1") != std::string::npos);
    }
}

TEST_CASE("utf8: valid text, embedded NUL and long ASCII runs pass through unchanged", "[utf8]") {
    const std::string text = std::string("abc\0def", 7) + "Straße „Zitat“ Привет 漢字 😀" + std::string(100, 'x');
    CHECK(ditto::is_valid_utf8(text));
    CHECK(ditto::to_valid_utf8(text) == text);
    CHECK(ditto::find_invalid_utf8(text) == std::string_view::npos);
    std::string broken = text;
    broken[120] = '\xFF';
    CHECK(ditto::find_invalid_utf8(broken) == 120);
    CHECK(ditto::is_valid_utf8(""));
}

TEST_CASE("utf8: encode_utf8 writes U+FFFD for surrogates and values above U+10FFFF", "[utf8]") {
    char out[4];
    CHECK(ditto::encode_utf8(0xD800, out) == 3);
    CHECK(std::string(out, 3) == "\xEF\xBF\xBD");
    CHECK(ditto::encode_utf8(0x110000, out) == 3);
    CHECK(std::string(out, 3) == "\xEF\xBF\xBD");
}

TEST_CASE("utf8: find_invalid_utf8 finds the first ill-formed sequence in long mixed text", "[utf8]") {
    // The reference walks the text code point by code point with decode_utf8 (checked against
    // table 3-7 above); find_invalid_utf8 skips ASCII by words and checks 2- and 3-byte forms in
    // place, so the pieces put every form at every offset from a word's start and the text's end.
    const std::vector<std::string> pieces = {"a", "word ", "12345678", "é", "Привет ", "漢字", "😀", "\xC2\xA0",
                                             "\xEF\xBF\xBD", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF"};
    const std::vector<std::string> broken = {"\xFF", "\x80", "\xC0\xAF", "\xC3", "\xE2\x82", "\xED\xA0\x80",
                                             "\xE0\x80\xAF", "\xF4\x90\x80\x80", "\xF0\x9F\x98", "\xC3\x28"};
    std::mt19937 rng(5);
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        const std::size_t count = rng() % 40;
        for (std::size_t k = 0; k < count; ++k) text += pieces[rng() % pieces.size()];
        if (i % 2 == 1) text.insert(rng() % (text.size() + 1), broken[rng() % broken.size()]);
        std::size_t expected = std::string_view::npos;
        for (std::size_t pos = 0; pos < text.size();) {
            const auto d = ditto::decode_utf8(text, pos);
            if (!d.valid) {
                expected = pos;
                break;
            }
            pos += d.length;
        }
        INFO("case " << i);
        REQUIRE(ditto::find_invalid_utf8(text) == expected);
        REQUIRE(ditto::is_valid_utf8(text) == (expected == std::string_view::npos));
    }
}
