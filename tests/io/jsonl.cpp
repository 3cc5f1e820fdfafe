// The strict JSONL record parser: decoding (escapes, surrogate pairs, in place and grown), the
// field rules, the whole JSON grammar, and error locations.
#include <ditto/io/jsonl.hpp>

#include <cstdint>
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
