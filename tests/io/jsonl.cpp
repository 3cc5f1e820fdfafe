// The strict JSONL record parser: decoding (escapes, surrogate pairs, in place and grown), the
// field rules, the whole JSON grammar, and error locations.
#include <ditto/io/jsonl.hpp>
#include <ditto/text/utf8.hpp>

#include <cstdint>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>

#include "support/catch.hpp"

namespace {

struct parsed {
    std::string line;  // owns the buffer the record points into
    ditto::jsonl_record record;
};

ditto::jsonl_record parse(ditto::jsonl_parser& p, std::string& line, std::size_t number = 1) {
    return p.parse(line.data(), line.size(), number);
}

// The error of parsing line: "LINE:COLUMN: message".
std::string error_of(std::string line, ditto::jsonl_options o = {}) {
    ditto::jsonl_parser p(o);
    try {
        parse(p, line, 4);
    } catch (const ditto::parse_error& e) {
        return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("jsonl: text and id fields, escapes decoded in place", "[jsonl]") {
    ditto::jsonl_parser p({});
    std::string line = R"({"x": [1, {"y": null}], "id": "a\u00e9\"b", "text": "line\none\ttab \\ \/ \b\f\r A\u0042"})";
    const auto r = parse(p, line);
    CHECK(r.text == "line\none\ttab \\ / \b\f\r AB");
    CHECK(r.id == "a\xc3\xa9\"b");
    CHECK(r.id_kind == ditto::json_id_kind::string);
    CHECK(r.invalid_utf8 == 0);
    // In place: the views point into the line buffer.
    CHECK(r.text.data() >= line.data());
    CHECK(r.text.data() < line.data() + line.size());

    std::string numbered = "{\"id\": -12.5e+3, \"text\": \"\"}\r";  // a CRLF line's CR is ignored
    const auto n = parse(p, numbered);
    CHECK(n.id == "-12.5e+3");
    CHECK(n.id_kind == ditto::json_id_kind::number);
    CHECK(n.text.empty());

    std::string no_id = R"({"text": "only text"})";
    CHECK(parse(p, no_id).id_kind == ditto::json_id_kind::none);
}

TEST_CASE("jsonl: surrogate pairs and ill-formed text", "[jsonl]") {
    ditto::jsonl_parser p({});
    std::string pair = R"({"text": "\ud83d\ude00!"})";
    CHECK(parse(p, pair).text == "\xf0\x9f\x98\x80!");
    // A lone surrogate and an invalid byte become U+FFFD and are counted. The replacement grows
    // the string (1 byte -> 3), so it moves to the side store.
    std::string lone = "{\"text\": \"a\\ud800b \xff c\"}";
    const auto r = parse(p, lone);
    CHECK(r.text == "a\xef\xbf\xbd" "b \xef\xbf\xbd c");
    CHECK(r.invalid_utf8 == 2);
    // The high surrogate followed by a non-low escape: both read on their own.
    std::string high_then_other = R"({"text": "\ud800\u0041"})";
    CHECK(parse(p, high_then_other).text == "\xef\xbf\xbd" "A");

    ditto::jsonl_options strict;
    strict.on_invalid = ditto::invalid_utf8::error;
    CHECK(error_of("{\"text\": \"ok \xc3\x28\"}", strict) == "4:14: invalid UTF-8 in a string");
    CHECK(error_of(R"({"text": "\udc00"})", strict) == "4:11: unpaired surrogate escape in a string");
    // Ill-formed UTF-8 in other fields: an error under error, ignored (and not counted) otherwise.
    CHECK(error_of("{\"other\": \"\xff\", \"text\": \"x\"}", strict) == "4:12: invalid UTF-8 in a string");
    ditto::jsonl_parser lenient({});
    std::string other = "{\"other\": \"\xff\", \"text\": \"x\"}";
    CHECK(parse(lenient, other).invalid_utf8 == 0);
}

TEST_CASE("jsonl: field rules", "[jsonl]") {
    CHECK(error_of(R"({"id": 1})") == "4:1: missing field \"text\"");
    CHECK(error_of(R"({"text": 5})") == "4:10: field \"text\" must be a string, got a number");
    CHECK(error_of(R"({"text": ["a"]})") == "4:10: field \"text\" must be a string, got an array");
    CHECK(error_of(R"({"text": "a", "text": "b"})") == "4:15: duplicate field \"text\"");
    CHECK(error_of(R"({"id": true, "text": "a"})") == "4:8: field \"id\" must be a string or a number, got a boolean");
    CHECK(error_of(R"({"id": 1, "id": 2, "text": "a"})") == "4:11: duplicate field \"id\"");
    // Other names for the fields; an escaped key still matches.
    ditto::jsonl_options o;
    o.text_field = "body";
    o.id_field = "";
    ditto::jsonl_parser p(o);
    std::string line = R"({"b\u006fdy": "hello", "id": {"nested": 1}})";
    const auto r = parse(p, line);
    CHECK(r.text == "hello");
    CHECK(r.id_kind == ditto::json_id_kind::none);
    CHECK_THROWS_AS(ditto::jsonl_parser(ditto::jsonl_options{"", "id", ditto::invalid_utf8::replace}), std::invalid_argument);
    CHECK_THROWS_AS(ditto::jsonl_parser(ditto::jsonl_options{"x", "x", ditto::invalid_utf8::replace}), std::invalid_argument);
}

TEST_CASE("jsonl: the JSON grammar and where errors are", "[jsonl]") {
    CHECK(error_of("") == "4:1: blank line: expected a JSON object");
    CHECK(error_of("   \t") == "4:5: blank line: expected a JSON object");
    CHECK(error_of("[1]") == "4:1: expected a JSON object ('{') at the start of the record");
    CHECK(error_of(R"({"text": "a",})") == "4:14: expected a string as an object key");
    CHECK(error_of(R"({"text" "a"})") == "4:9: expected ':' after an object key");
    CHECK(error_of(R"({"text": "a")") == "4:13: expected ',' or '}' after an object member");
    CHECK(error_of(R"({"text": "a"} {})") == "4:15: expected the end of the line after the JSON object");
    CHECK(error_of(R"({"text": "abc)") == "4:10: unterminated string");
    CHECK(error_of("{\"text\": \"a\tb\"}") == "4:12: control character in a string (it must be escaped)");
    CHECK(error_of(R"({"text": "\x"})").starts_with("4:11: invalid escape"));
    CHECK(error_of(R"({"text": "\u12G4"})") == "4:15: expected 4 hexadecimal digits after \\u");
    CHECK(error_of(R"({"a": tru, "text": "x"})").starts_with("4:7: expected a JSON value"));
    CHECK(error_of(R"({"a": [1,], "text": "x"})").starts_with("4:10: expected a JSON value"));
    CHECK(error_of(R"({"a": [1 2], "text": "x"})") == "4:10: expected ',' or ']' after an array element");
    CHECK(error_of(R"({"a": 01, "text": "x"})") == "4:8: a number must not have leading zeros");
    CHECK(error_of(R"({"a": 1., "text": "x"})") == "4:9: expected a digit after the decimal point");
    CHECK(error_of(R"({"a": 1e, "text": "x"})") == "4:9: expected a digit in the exponent");
    CHECK(error_of(R"({"a": -, "text": "x"})") == "4:8: expected a digit in a number");
    CHECK(error_of(R"({"a": +1, "text": "x"})").starts_with("4:7: expected a JSON value"));
    // Valid values of every kind pass.
    CHECK(error_of(R"({"a": [true, false, null, 0, -0.5, 1E-9, "s", {}, [], {"k": [{}]}], "text": "x"})") == "no error");
    // Nesting: 512 levels are fine, 513 are not.
    const std::string ok = "{\"text\": \"x\", \"a\": " + std::string(511, '[') + std::string(511, ']') + "}";
    CHECK(error_of(ok) == "no error");
    const std::string deep = "{\"text\": \"x\", \"a\": " + std::string(512, '[') + std::string(512, ']') + "}";
    CHECK(error_of(deep) == "4:531: nesting deeper than 512 levels");
}

TEST_CASE("jsonl: raw UTF-8 in strings against the reference decoder, at every alignment", "[jsonl]") {
    // Random byte strings built from ASCII, well-formed sequences of every length and the bytes
    // that make sequences ill-formed (C0, C1, E0 and ED leads, cut sequences, stray continuation
    // bytes, F5..FF): the parsed text must be what decode_utf8 makes of them, byte by byte, with
    // escapes in between (which shift the in-place copy).
    static const char* const pieces[] = {"a", "bc", "defghij", "\xc3\xa9", "\xd0\xb6", "\xe4\xb8\xad", "\xef\xbf\xbd",
                                         "\xe0\xa4\x85", "\xed\x9f\xbf", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
                                         "\xc0\xaf", "\xc1", "\xe0\x80", "\xed\xa0\x80", "\xf4\x90", "\x80", "\xbf",
                                         "\xc3", "\xe4\xb8", "\xf5", "\xff", "\\n", "\\u00e9"};
    std::uint64_t state = 7;
    auto below = [&](std::size_t n) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return static_cast<std::size_t>((state * 0x2545F4914F6CDD1DULL) % n);
    };
    for (int round = 0; round < 3000; ++round) {
        std::string raw;
        const std::size_t n = below(40);
        for (std::size_t i = 0; i < n; ++i) raw += pieces[below(round % 2 ? 11 : std::size(pieces))];
        // The reference: escapes decoded, then each ill-formed subpart replaced by U+FFFD.
        std::string unescaped;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw.compare(i, 2, "\\n") == 0) unescaped += '\n', i += 1;
            else if (raw.compare(i, 6, "\\u00e9") == 0) unescaped += "\xc3\xa9", i += 5;
            else unescaped += raw[i];
        }
        std::string expected;
        std::size_t invalid = 0;
        for (std::size_t i = 0; i < unescaped.size();) {
            const auto d = ditto::decode_utf8(unescaped, i);
            if (d.valid) expected.append(unescaped, i, d.length);
            else expected += "\xef\xbf\xbd", ++invalid;
            i += d.length;
        }
        const std::string prefix = std::string(below(9), ' ') + "{\"text\": \"";
        std::string line = prefix + raw + "\"}";
        ditto::jsonl_parser p({});
        const auto r = parse(p, line);
        INFO("round " << round);
        CHECK(r.text == expected);
        CHECK(r.invalid_utf8 == invalid);
        // Under the error policy: the first ill-formed byte is the error, at its column.
        std::string strict_line = prefix + raw + "\"}";
        ditto::jsonl_options o;
        o.on_invalid = ditto::invalid_utf8::error;
        ditto::jsonl_parser strict(o);
        std::size_t first_bad = std::string::npos;
        for (std::size_t i = 0; i < raw.size();) {
            if (raw[i] == '\\') {
                i += raw[i + 1] == 'n' ? std::size_t{2} : std::size_t{6};
                continue;
            }
            const auto d = ditto::decode_utf8(raw, i);
            if (!d.valid) {
                first_bad = i;
                break;
            }
            i += d.length;
        }
        if (first_bad == std::string::npos) {
            CHECK(strict.parse(strict_line.data(), strict_line.size(), 1).text == expected);
        } else {
            try {
                static_cast<void>(strict.parse(strict_line.data(), strict_line.size(), 1));
                FAIL("no error");
            } catch (const ditto::parse_error& e) {
                CHECK(e.column() == prefix.size() + first_bad + 1);
                CHECK(std::string(e.what()) == "invalid UTF-8 in a string");
            }
        }
    }
}

namespace {

// A string body as the two encoders restore_jsonl_line knows write it, spelled out by hand from
// the JSON grammar (independent of append_json_escaped): short escapes, \u00xx for other
// controls, and with ascii every code point from DEL up as \u escapes in lower-case hex.
std::string encoded_by_hand(const std::u32string& text, bool ascii) {
    std::string out;
    const auto u = [&](unsigned unit) {
        const char* hex = "0123456789abcdef";
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 15];
    };
    for (const char32_t c : text) {
        switch (c) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            default: break;
        }
        if (c < 0x20 || (ascii && c >= 0x7F)) {
            if (c >= 0x10000) {
                u(0xD800 + static_cast<unsigned>((c - 0x10000) >> 10));
                u(0xDC00 + static_cast<unsigned>((c - 0x10000) & 0x3FF));
            } else {
                u(static_cast<unsigned>(c));
            }
            continue;
        }
        char b[4];
        out.append(b, ditto::encode_utf8(c, b));
    }
    return out;
}

std::u32string random_text(std::mt19937& rng) {
    const char32_t pool[] = {'a', 'b', ' ', 'Z', '0', '"', '\\', '/', '\n', '\t', '\r', '\b', '\f', 0x01, 0x1F, 0x7F,
                             0xE9, 0x3B1, 0x43F, 0x4E2D, 0x2028, 0xFFFD, 0x1F600, 0x10FFFF};
    std::u32string t;
    const std::size_t n = rng() % 40;
    for (std::size_t i = 0; i < n; ++i) t.push_back(pool[rng() % std::size(pool)]);
    return t;
}

}  // namespace

TEST_CASE("jsonl: a line its encoder's escapes were written by is written back as read", "[jsonl]") {
    std::mt19937 rng(21);
    for (int round = 0; round < 4000; ++round) {
        const bool ascii = rng() % 2 == 0;
        const std::string text = encoded_by_hand(random_text(rng), ascii);
        const std::string id = encoded_by_hand(random_text(rng), ascii);
        std::string line;
        switch (rng() % 4) {
            case 0: line = "{\"text\": \"" + text + "\", \"id\": \"" + id + "\"}"; break;
            case 1: line = "{\"id\":\"" + id + "\",\"n\":[1,\"x\\n\"],\"text\":\"" + text + "\"}"; break;
            case 2: line = " { \"text\" : \"" + text + "\" , \"id\" : 17 } "; break;
            default: line = "{\"meta\": {\"a\": \"\\u00e9\\/\"}, \"text\": \"" + text + "\"}\r"; break;
        }
        const std::string as_read = line;
        ditto::jsonl_parser p({});
        const ditto::jsonl_record r = parse(p, line);
        INFO(as_read);
        REQUIRE(ditto::jsonl_restorable(line, r));
        std::string back;
        ditto::restore_jsonl_line(line, r, back);
        REQUIRE(back == as_read);
        CHECK(ditto::json_escaped_size(r.text, r.text_form.ascii) == r.text_form.encoded_size);
    }
}

TEST_CASE("jsonl: lines written otherwise are not restorable, and a restorable one is always exact", "[jsonl]") {
    // Forms no encoder restore_jsonl_line knows writes: each must not be taken for one.
    for (const std::string body : {"a\\/b", "\\u00E9", "\\u0041", "\\u0022", "\\u005c", "\\u000a", "\\u0009",
                                   "caf\\u00e9 caf\xC3\xA9", "\\ud83d\\ude00\xF0\x9F\x98\x80", "\\uD83D\\uDE00",
                                   "\x7F\\u00e9", "bad \xFF byte", "lone \\udc00", "\x01"}) {
        std::string line = "{\"text\": \"" + std::string(body) + "\"}";
        ditto::jsonl_parser p({});
        ditto::jsonl_record r;
        try {
            r = parse(p, line);
        } catch (const ditto::parse_error&) {
            continue;  // a raw control: not JSON at all
        }
        INFO(body);
        CHECK_FALSE(ditto::jsonl_restorable(line, r));
    }
    // Ill-formed bytes in a key replaced at the same length (a 3-byte maximal subpart by U+FFFD),
    // alone or with escapes that shrink it as much: the key changed all the same.
    for (const std::string& line_as_read : {std::string("{\"\xf0\x9f\x98\":1,\"text\":\"a\"}"),
                                           std::string("{\"k\\n\\n\xff\":0,\"text\":\"a\\n\"}"),
                                           std::string("{\"text\":\"x\",\"\\u00e9\xff\xff\":0}")}) {
        std::string line = line_as_read;
        ditto::jsonl_parser p({});
        const auto r = parse(p, line);
        INFO(line_as_read);
        CHECK_FALSE(ditto::jsonl_restorable(line, r));
    }
    {  // a key with an escape changes the line outside text and id
        std::string line = "{\"te\\u0078t\": \"a\\nb\"}";
        ditto::jsonl_parser p({});
        const auto r = parse(p, line);
        CHECK(r.text == "a\nb");
        CHECK_FALSE(ditto::jsonl_restorable(line, r));
    }
    // Random escapes of every kind: whenever the line is called restorable, it comes back exact.
    std::mt19937 rng(8);
    const char* pieces[] = {"a", " ", "\\n", "\\/", "\\u00e9", "\\u00E9", "\xC3\xA9", "\\\"", "\\\\", "\\u0001",
                            "\\u007f", "\x7F", "\\ud83d\\ude00", "\xF0\x9F\x98\x80", "\\t", "\\u0020", "\\b"};
    std::size_t restorable = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string body;
        const std::size_t n = rng() % 6;
        for (std::size_t i = 0; i < n; ++i) body += pieces[rng() % std::size(pieces)];
        std::string line = "{\"id\": \"" + std::string(pieces[rng() % std::size(pieces)]) + "\", \"text\": \"" + body + "\"}";
        const std::string as_read = line;
        ditto::jsonl_parser p({});
        const auto r = parse(p, line);
        if (!ditto::jsonl_restorable(line, r)) continue;
        ++restorable;
        std::string back;
        ditto::restore_jsonl_line(line, r, back);
        INFO(as_read);
        REQUIRE(back == as_read);
    }
    CHECK(restorable > 2000);  // the check is not vacuous
}
