#pragma once
// Strict JSONL records: one JSON object per line (RFC 8259), from which the text field and the id
// field are taken.
//
// The whole line is validated: every value, escape (surrogate pairs included), number and
// nesting level (at most 512), with nothing but whitespace after the object. A top-level member
// named like the text field must hold a string; one named like the id field a string or a number;
// either appearing twice is an error. Other members are validated and otherwise ignored.
//
// Strings are decoded in place: every escape is longer than what it stands for, so the decoded
// text overwrites its escaped form inside the caller's line buffer and nothing is copied. The one
// case that grows, an ill-formed UTF-8 byte replaced by U+FFFD (3 bytes), moves that string to a
// side store (a deque, so earlier views stay valid). Errors throw ditto::parse_error with the
// 1-based line, the 1-based column (in bytes) and the byte offset within the line; the message
// says what was expected.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>

#include <ditto/detail/load.hpp>
#include <ditto/detail/swar.hpp>
#include <ditto/error.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

/// Which fields a JSONL record's text and id are, and what to do with ill-formed UTF-8 in them.
struct jsonl_options {
    std::string text_field = "text";
    std::string id_field = "id";                      ///< empty: records have no id
    invalid_utf8 on_invalid = invalid_utf8::replace;  ///< replace (counted), skip (counted) or error
};

/// The JSON type of a record's id.
enum class json_id_kind : unsigned char { none, string, number };

/// How a string decoded in place was written in the line, for writing the line back as read
/// (restore_jsonl_line): its bytes between the quotes, and whether its escapes are those of an
/// encoder that writes non-ASCII (and DEL) as \u escapes (lower-case hex, surrogate pairs), as
/// Python's json.dumps does by default, rather than as UTF-8. Either way every other escape is the
/// short one (\" \\ \b \f \n \r \t) or \u00xx for the other controls, and nothing else is
/// escaped; a string written otherwise makes its record not restorable.
struct json_string_form {
    std::size_t encoded_size = 0;
    bool ascii = false;
};

/// What a record holds. Views point into the parsed line buffer or the parser's side store.
struct jsonl_record {
    std::string_view text;                    ///< the decoded text field
    std::string_view id;                      ///< the decoded id string, or the number as written
    json_id_kind id_kind = json_id_kind::none;
    std::size_t invalid_utf8 = 0;             ///< ill-formed sequences replaced or skipped in text and id
    json_string_form text_form, id_form;      ///< how text and a string id were written
    /// Whether parsing changed the line only in text and id, in forms restore_jsonl_line writes
    /// back (it may still find a string's length does not match: see jsonl_restorable).
    bool restorable = true;
};

/// Parses JSONL records. One parser per thread; records stay valid while the line buffers and the
/// parser (its side store) live.
class jsonl_parser {
public:
    static constexpr std::size_t max_depth = 512;

    /// Throws std::invalid_argument when the text field is empty or equals the id field.
    explicit jsonl_parser(jsonl_options options) : options_(std::move(options)) {
        if (options_.text_field.empty())
            detail::throw_invalid_argument("jsonl_parser", "text_field", "a non-empty name", "\"\"");
        if (options_.text_field == options_.id_field)
            detail::throw_invalid_argument("jsonl_parser", "id_field", "different from text_field",
                                           "\"" + options_.id_field + "\"");
    }

    [[nodiscard]] const jsonl_options& options() const noexcept { return options_; }

    /// Parses one record in place. line holds the line without its "\n" (a final "\r" is allowed);
    /// line_number is 1-based, for error messages.
    jsonl_record parse(char* line, std::size_t size, std::size_t line_number) {
        begin_ = line;
        p_ = line;
        end_ = line + size;
        if (end_ > begin_ && end_[-1] == '\r') --end_;
        line_ = line_number;
        jsonl_record record;
        record_ = &record;
        skip_space();
        if (p_ == end_) fail("blank line: expected a JSON object");
        if (*p_ != '{') fail("expected a JSON object ('{') at the start of the record");
        bool has_text = false;
        ++p_;
        skip_space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
        } else {
            for (;;) {
                skip_space();
                if (p_ == end_ || *p_ != '"') fail("expected a string as an object key");
                const char* key_start = p_;
                const std::string_view key = string(true, false);
                skip_space();
                if (p_ == end_ || *p_ != ':') fail("expected ':' after an object key");
                ++p_;
                skip_space();
                if (key == options_.text_field) {
                    if (has_text) fail_at(key_start, "duplicate field \"" + options_.text_field + "\"");
                    has_text = true;
                    if (p_ == end_ || *p_ != '"')
                        fail("field \"" + options_.text_field + "\" must be a string, got " + describe_value());
                    record.text = string(true, true, &record.text_form);
                } else if (!options_.id_field.empty() && key == options_.id_field) {
                    if (record.id_kind != json_id_kind::none)
                        fail_at(key_start, "duplicate field \"" + options_.id_field + "\"");
                    if (p_ < end_ && *p_ == '"') {
                        record.id = string(true, true, &record.id_form);
                        record.id_kind = json_id_kind::string;
                    } else if (p_ < end_ && (*p_ == '-' || (*p_ >= '0' && *p_ <= '9'))) {
                        const char* start = p_;
                        number();
                        record.id = std::string_view(start, static_cast<std::size_t>(p_ - start));
                        record.id_kind = json_id_kind::number;
                    } else {
                        fail("field \"" + options_.id_field + "\" must be a string or a number, got " + describe_value());
                    }
                } else {
                    value(2);  // the record object is level 1
                }
                skip_space();
                if (p_ < end_ && *p_ == ',') {
                    ++p_;
                    continue;
                }
                if (p_ < end_ && *p_ == '}') {
                    ++p_;
                    break;
                }
                fail("expected ',' or '}' after an object member");
            }
        }
        skip_space();
        if (p_ != end_) fail("expected the end of the line after the JSON object");
        if (!has_text) fail_at(begin_, "missing field \"" + options_.text_field + "\"");
        return record;
    }

    /// Drops the side store (invalidating records that point into it).
    void clear_side_store() { side_.clear(); }

private:
    [[noreturn]] void fail_at(const char* where, const std::string& message) const {
        const auto offset = static_cast<std::size_t>(where - begin_);
        throw parse_error(message, offset, line_, offset + 1);
    }
    [[noreturn]] void fail(const std::string& message) const { fail_at(p_, message); }

    std::string describe_value() const {
        if (p_ == end_) return "nothing";
        switch (*p_) {
            case '{': return "an object";
            case '[': return "an array";
            case '"': return "a string";
            case 't': case 'f': return "a boolean";
            case 'n': return "null";
            default: return (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) ? "a number" : "an invalid value";
        }
    }

    void skip_space() noexcept {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
    }

    void value(std::size_t depth) {
        if (depth > max_depth) fail("nesting deeper than 512 levels");
        if (p_ == end_) fail("expected a JSON value");
        switch (*p_) {
            case '"': string(false, false); return;
            case '{': {
                ++p_;
                skip_space();
                if (p_ < end_ && *p_ == '}') { ++p_; return; }
                for (;;) {
                    skip_space();
                    if (p_ == end_ || *p_ != '"') fail("expected a string as an object key");
                    string(false, false);
                    skip_space();
                    if (p_ == end_ || *p_ != ':') fail("expected ':' after an object key");
                    ++p_;
                    skip_space();
                    value(depth + 1);
                    skip_space();
                    if (p_ < end_ && *p_ == ',') { ++p_; continue; }
                    if (p_ < end_ && *p_ == '}') { ++p_; return; }
                    fail("expected ',' or '}' after an object member");
                }
            }
            case '[': {
                ++p_;
                skip_space();
                if (p_ < end_ && *p_ == ']') { ++p_; return; }
                for (;;) {
                    skip_space();
                    value(depth + 1);
                    skip_space();
                    if (p_ < end_ && *p_ == ',') { ++p_; continue; }
                    if (p_ < end_ && *p_ == ']') { ++p_; return; }
                    fail("expected ',' or ']' after an array element");
                }
            }
            case 't': literal("true"); return;
            case 'f': literal("false"); return;
            case 'n': literal("null"); return;
            default:
                if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) { number(); return; }
                fail("expected a JSON value (object, array, string, number, true, false or null)");
        }
    }

    void literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
            fail("expected a JSON value (object, array, string, number, true, false or null)");
        p_ += word.size();
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    void number() {
        auto digit = [&] { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; };
        if (*p_ == '-') ++p_;
        if (!digit()) fail("expected a digit in a number");
        if (*p_ == '0') {
            ++p_;
            if (digit()) fail("a number must not have leading zeros");
        } else {
            while (digit()) ++p_;
        }
        if (p_ < end_ && *p_ == '.') {
            ++p_;
            if (!digit()) fail("expected a digit after the decimal point");
            while (digit()) ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (!digit()) fail("expected a digit in the exponent");
            while (digit()) ++p_;
        }
    }

    unsigned hex4() {
        if (end_ - p_ < 4) fail("expected 4 hexadecimal digits after \\u");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = *p_;
            unsigned d;
            if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
            else fail("expected 4 hexadecimal digits after \\u");
            v = v * 16 + d;
            ++p_;
        }
        return v;
    }

    // Handles an ill-formed sequence or lone surrogate at `where` under the policy: returns
    // whether U+FFFD is to be written.
    // Whether the 4 bytes at p (if there are 4) are digits and lower-case hex letters.
    bool lower_case_hex(const char* p) const noexcept {
        if (end_ - p < 4) return false;
        for (int i = 0; i < 4; ++i)
            if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return false;
        return true;
    }

    bool invalid(const char* where, const char* what, bool counted) {
        if (options_.on_invalid == invalid_utf8::error) fail_at(where, what);
        if (counted) ++record_->invalid_utf8;
        return options_.on_invalid == invalid_utf8::replace;
    }

    // The length of the well-formed UTF-8 sequence at p (lead byte >= 0x80) if it is one of the
    // forms of table 3-7, else 0 (ill-formed or cut by the end: the caller's slow path decides).
    static std::size_t well_formed_length(const char* p, const char* end) noexcept {
        const auto byte = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p[i]); };
        const unsigned lead = byte(0);
        const std::ptrdiff_t left = end - p;
        const auto cont = [&](std::ptrdiff_t i) { return (byte(i) & 0xC0) == 0x80; };
        if (lead >= 0xC2 && lead < 0xE0) return left >= 2 && cont(1) ? 2 : 0;
        if (lead >= 0xE0 && lead < 0xF0) {
            if (left < 3 || !cont(1) || !cont(2)) return 0;
            if (lead == 0xE0 && byte(1) < 0xA0) return 0;
            if (lead == 0xED && byte(1) > 0x9F) return 0;  // surrogates
            return 3;
        }
        if (lead >= 0xF0 && lead < 0xF5) {
            if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
            if (lead == 0xF0 && byte(1) < 0x90) return 0;
            if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
            return 4;
        }
        return 0;
    }

    // Mask of the bytes that end a run of string bytes copied as they are: '"', '\\' and control
    // bytes. Exact for every byte value (no carry crosses bytes: the high bits are cleared
    // before adding).
    static std::uint64_t string_stops(std::uint64_t w) noexcept {
        const std::uint64_t control = ~((w & ~detail::highs) + detail::ones * 0x60) & ~w & detail::highs;
        return detail::bytes_equal(w, '"') | detail::bytes_equal(w, '\\') | control;
    }

    // How many of the 8 bytes (6 to 8; 0: none) are ASCII and well-formed 2- and 3-byte UTF-8
    // sequences, not counting a sequence that the word cuts at its end; when the word has a
    // 4-byte form or a sequence led by C0 or C1, 0 (the byte-wise path decides those).
    // Leads and continuation bytes are told apart by bits 6, 5 and 4: each 2-byte lead must be
    // followed by one continuation byte, each 3-byte lead by two, and there must be no other
    // continuation byte.
    static unsigned simple_utf8_prefix(std::uint64_t w) noexcept {
        using detail::highs;
        const std::uint64_t high = w & highs;
        const std::uint64_t b6 = (w << 1) & highs, b5 = (w << 2) & highs, b4 = (w << 3) & highs;
        const std::uint64_t lead = high & b6, cont = high & ~b6;
        const std::uint64_t lead2 = lead & ~b5, lead3 = lead & b5 & ~b4, lead4 = lead & b5 & b4;
        const std::uint64_t c0_c1 = lead2 & detail::bytes_equal(w & (detail::ones * 0x1E), 0);
        if ((lead4 | c0_c1) != 0) return 0;
        // Leads whose sequence ends beyond the word: the prefix stops before the first of them.
        const std::uint64_t cut = (lead2 & (std::uint64_t{0x80} << 56)) | (lead3 & (std::uint64_t{0x8080} << 48));
        unsigned n = 8;
        std::uint64_t checked = ~std::uint64_t{0};
        if (cut != 0) {
            n = detail::first_marked_byte(cut);
            checked = (std::uint64_t{1} << (8 * n)) - 1;
        }
        // The continuation bytes the leads before the cut call for: all of them, and no others,
        // must be in the prefix (a sequence reaching past the cut is ill-formed there).
        const std::uint64_t expected = ((lead2 & checked) << 8) | ((lead3 & checked) << 8) | ((lead3 & checked) << 16);
        // E0 must be followed by A0..BF, ED by 80..9F (no overlong forms, no surrogates): bit 5 of
        // the next byte, moved under the lead.
        const std::uint64_t next_b5 = b5 >> 8;
        const std::uint64_t bad = (detail::bytes_equal(w, 0xE0) & ~next_b5) | (detail::bytes_equal(w, 0xED) & next_b5);
        return (bad & checked) == 0 && (expected & ~checked) == 0 && ((cont ^ expected) & checked) == 0 ? n : 0;
    }

    // Parses the string at p_ (on its opening quote). With decode, writes the decoded bytes over
    // the string's own bytes (or to the side store when they would grow) and returns them.
    // counted: ill-formed UTF-8 here counts in the record (text and id only).
    //
    // Bytes that stay as they are (ASCII other than '"', '\\' and controls, well-formed UTF-8)
    // form runs; a run is moved into place once, when an escape, an ill-formed byte or the
    // closing quote ends it, and not at all while nothing before it has shrunk.
    std::string_view string(bool decode, bool counted, json_string_form* form = nullptr) {
        ++p_;  // the opening quote
        char* out = p_;   // decoded bytes go here while in place
        bool odd = false;  // an escape restore_jsonl_line would not write, or a byte replaced
        std::string* grown = nullptr;
        auto put = [&](const char* bytes, std::size_t n) {
            if (!decode) return;
            if (grown) grown->append(bytes, n);
            else if (out + n <= p_) { std::memmove(out, bytes, n); out += n; }
            else {  // would overwrite bytes not yet read: continue in the side store
                grown = &side_.emplace_back(static_cast<const char*>(string_start_), static_cast<std::size_t>(out - string_start_));
                grown->append(bytes, n);
            }
        };
        string_start_ = p_;
        // The run, [run, p_): moved into place once, at its end.
        const char* run = p_;
        auto start_run = [&] { run = p_; };
        auto end_run = [&] {
            if (!decode || p_ == run) return;
            const auto n = static_cast<std::size_t>(p_ - run);
            if (grown) grown->append(run, n);
            else {
                if (out != run) std::memmove(out, run, n);
                out += n;
            }
        };
        for (;;) {
            while (end_ - p_ >= 8) {
                const std::uint64_t w = detail::load8(p_);
                const std::uint64_t stop = string_stops(w), high = w & detail::highs;
                if ((stop | high) == 0) {
                    p_ += 8;
                    continue;
                }
                if (stop == 0) {
                    if (const unsigned n = simple_utf8_prefix(w); n != 0) {
                        p_ += n;
                        continue;
                    }
                }
                p_ += detail::first_marked_byte(stop | high);
                goto stopped;
            }
            while (p_ < end_) {
                const auto c = static_cast<unsigned char>(*p_);
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
                ++p_;
            }
        stopped:
            if (p_ == end_) fail_at(string_start_ - 1, "unterminated string");
            auto c = static_cast<unsigned char>(*p_);
            if (c >= 0x80) {
                // Well-formed sequences, one after another (Cyrillic, CJK), stay in the run.
                std::size_t n;
                while ((n = well_formed_length(p_, end_)) != 0) {
                    p_ += n;
                    if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x80) break;
                }
                if (n != 0) continue;
                end_run();
                const auto d = decode_utf8(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), 0);
                const char* at = p_;
                p_ += d.length;
                if (d.valid) {
                    put(at, d.length);
                } else {
                    odd = true;
                    if (invalid(at, "invalid UTF-8 in a string", counted)) {
                        char buffer[4];
                        put(buffer, encode_utf8(replacement_character, buffer));
                    }
                }
                start_run();
                continue;
            }
            end_run();
            if (c == '"') {
                ++p_;
                if (!decode) return {};
                // A changed key, or text or id written in a form restore_jsonl_line does not write.
                if (form != nullptr) form->encoded_size = static_cast<std::size_t>(p_ - 1 - string_start_);
                // (A key's replaced bytes may keep its length: odd counts for keys too.)
                if (grown || odd || (form == nullptr && out != p_ - 1)) record_->restorable = false;
                if (grown) return *grown;
                return std::string_view(string_start_, static_cast<std::size_t>(out - string_start_));
            }
            if (c < 0x20) fail("control character in a string (it must be escaped)");
            // An escape.
            const char* at = p_;
            ++p_;
            if (p_ == end_) fail_at(string_start_ - 1, "unterminated string");
            const char e = *p_++;
            char single = 0;
            switch (e) {
                case '"': single = '"'; break;
                case '\\': single = '\\'; break;
                case '/': single = '/'; break;
                case 'b': single = '\b'; break;
                case 'f': single = '\f'; break;
                case 'n': single = '\n'; break;
                case 'r': single = '\r'; break;
                case 't': single = '\t'; break;
                case 'u': break;
                default: fail_at(at, "invalid escape (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
            }
            if (e != 'u') {
                odd = odd || e == '/';
                put(&single, 1);
                start_run();
                continue;
            }
            const bool lower_hex = lower_case_hex(p_);
            char32_t cp = hex4();
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // A high surrogate must be followed by an escaped low surrogate.
                if (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
                    char* save = p_;
                    p_ += 2;
                    const bool low_lower_hex = lower_case_hex(p_);
                    const unsigned low = hex4();
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        odd = odd || !low_lower_hex;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else {
                        p_ = save;  // the next escape is read on its own
                        cp = 0xFFFFFFFF;
                    }
                } else {
                    cp = 0xFFFFFFFF;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFFFFFF;
            }
            // The \u escapes an encoder writes: non-ASCII and DEL in the ASCII form, the controls
            // without a short escape in both; in lower-case hex.
            if (cp >= 0x7F && form != nullptr) form->ascii = true;
            odd = odd || !lower_hex || cp == 0xFFFFFFFF || (cp >= 0x20 && cp < 0x7F) || cp == '\b' ||
                  cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t';
            if (cp == 0xFFFFFFFF) {
                if (!invalid(at, "unpaired surrogate escape in a string", counted)) {
                    start_run();
                    continue;
                }
                cp = replacement_character;
            }
            char buffer[4];
            put(buffer, encode_utf8(cp, buffer));
            start_run();
        }
    }

    jsonl_options options_;
    std::deque<std::string> side_;
    char* begin_ = nullptr;
    char* p_ = nullptr;
    char* end_ = nullptr;
    char* string_start_ = nullptr;
    std::size_t line_ = 0;
    jsonl_record* record_ = nullptr;
};

namespace detail {

// The bytes of w an encoder escapes whatever its form: '"', '\\' and the controls, high bit set
// in each.
inline std::uint64_t json_escaped_bytes(std::uint64_t w) noexcept {
    return (bytes_below(w & ~highs, 0x20) | bytes_equal(w, '"') | bytes_equal(w, '\\')) & ~w;
}

// The \u escape of a UTF-16 unit, lower-case hex.
inline void append_u_escape(unsigned unit, std::string& out) {
    const char* digits = "0123456789abcdef";
    const char e[6] = {'\\', 'u', digits[(unit >> 12) & 15], digits[(unit >> 8) & 15], digits[(unit >> 4) & 15],
                       digits[unit & 15]};
    out.append(e, 6);
}

}  // namespace detail

/// The bytes append_json_escaped writes for s.
[[nodiscard]] inline std::size_t json_escaped_size(std::string_view s, bool ascii) noexcept {
    // The count of bytes whose high bit is set (by a multiply: std::popcount is a library call
    // where the target has no instruction for it).
    const auto marked_bytes = [](std::uint64_t marks) {
        return static_cast<std::size_t>(((marks >> 7) * detail::ones) >> 56);
    };
    std::size_t size = s.size(), i = 0;
    if (!ascii) {  // each short escape one byte more, each other control five more
        for (; i + 8 <= s.size(); i += 8) {
            const std::uint64_t w = detail::load8(s.data() + i);
            const std::uint64_t escaped = detail::json_escaped_bytes(w);
            if (escaped == 0) continue;
            const std::uint64_t shorts = (detail::bytes_equal(w, '\b') | detail::bytes_equal(w, '\t') |
                                          detail::bytes_equal(w, '\n') | detail::bytes_equal(w, '\f') |
                                          detail::bytes_equal(w, '\r') | detail::bytes_equal(w, '"') |
                                          detail::bytes_equal(w, '\\')) & ~w;
            size += marked_bytes(shorts) + 5 * marked_bytes(escaped & ~shorts);
        }
    }
    for (; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') size += 1;
        else if (c < 0x20 || (ascii && c == 0x7F)) size += 5;
        else if (ascii && c >= 0x80) {
            // A sequence becomes one \u escape (6 bytes), or two beyond U+FFFF: its lead byte stands
            // for all of it, its continuation bytes for nothing.
            if (c >= 0xF0) size += 12 - 1;
            else if (c >= 0xC0) size += 6 - 1;
            else size -= 1;
        }
    }
    return size;
}

/// Appends s (well-formed UTF-8) to out as the body of a JSON string: \" \\ \b \f \n \r \t,
/// \u00xx for the other controls, and with ascii non-ASCII and DEL as \u escapes (lower-case hex,
/// surrogate pairs beyond U+FFFF); everything else as it is.
inline void append_json_escaped(std::string_view s, bool ascii, std::string& out) {
    std::size_t run = 0;  // s[run, i) goes out as it is
    for (std::size_t i = 0; i < s.size();) {
        // Past bytes that go out as they are, 8 at a time.
        while (i + 8 <= s.size()) {
            const std::uint64_t w = detail::load8(s.data() + i);
            const std::uint64_t stops =
                detail::json_escaped_bytes(w) | (ascii ? (w & detail::highs) | detail::bytes_equal(w, 0x7F) : 0);
            if (stops != 0) {
                i += detail::first_marked_byte(stops);
                break;
            }
            i += 8;
        }
        if (i == s.size()) break;
        const auto c = static_cast<unsigned char>(s[i]);
        const char* shorts = nullptr;
        switch (c) {
            case '"': shorts = "\\\""; break;
            case '\\': shorts = "\\\\"; break;
            case '\b': shorts = "\\b"; break;
            case '\f': shorts = "\\f"; break;
            case '\n': shorts = "\\n"; break;
            case '\r': shorts = "\\r"; break;
            case '\t': shorts = "\\t"; break;
            default: break;
        }
        if (shorts == nullptr && c >= 0x20 && !(ascii && c >= 0x7F)) {
            ++i;
            continue;
        }
        out.append(s.data() + run, i - run);
        if (shorts != nullptr) {
            out.append(shorts, 2);
            ++i;
        } else if (c < 0x80) {
            detail::append_u_escape(c, out);
            ++i;
        } else {
            const decoded_code_point d = decode_utf8(s, i);
            if (d.code_point >= 0x10000) {
                const char32_t v = d.code_point - 0x10000;
                detail::append_u_escape(0xD800 + static_cast<unsigned>(v >> 10), out);
                detail::append_u_escape(0xDC00 + static_cast<unsigned>(v & 0x3FF), out);
            } else {
                detail::append_u_escape(static_cast<unsigned>(d.code_point), out);
            }
            i += d.length;
        }
        run = i;
    }
    out.append(s.data() + run, s.size() - run);
}

namespace detail {
// The strings parsing changed in a line, in line order: (offset in the line, decoded, form).
struct changed_string {
    std::size_t at;
    std::string_view decoded;
    json_string_form form;
};
inline std::size_t changed_strings(std::string_view parsed, const jsonl_record& r, changed_string (&out)[2]) {
    std::size_t n = 0;
    const auto add = [&](std::string_view decoded, const json_string_form& form) {
        if (decoded.size() == form.encoded_size) return;  // no escape: as read
        out[n++] = {static_cast<std::size_t>(decoded.data() - parsed.data()), decoded, form};
    };
    add(r.text, r.text_form);
    if (r.id_kind == json_id_kind::string) add(r.id, r.id_form);
    if (n == 2 && out[1].at < out[0].at) std::swap(out[0], out[1]);
    return n;
}
}  // namespace detail

/// Whether restore_jsonl_line gives a parsed line back as read: parsing changed nothing in it but
/// the text and the id, and those were written in the forms json_string_form describes (the sizes
/// their escaping gives are the sizes they had). parsed: the line as parse left it, its size
/// what parse was given.
[[nodiscard]] inline bool jsonl_restorable(std::string_view parsed, const jsonl_record& r) noexcept {
    if (!r.restorable) return false;
    detail::changed_string changed[2];
    const std::size_t n = detail::changed_strings(parsed, r, changed);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = changed[i];
        if (c.at + c.decoded.size() > parsed.size()) return false;  // not in the line (the side store)
        if (json_escaped_size(c.decoded, c.form.ascii) != c.form.encoded_size) return false;
    }
    return true;
}

/// Appends the line as read to out, given the line as parse left it and its record, for which
/// jsonl_restorable holds.
inline void restore_jsonl_line(std::string_view parsed, const jsonl_record& r, std::string& out) {
    detail::changed_string changed[2];
    const std::size_t n = detail::changed_strings(parsed, r, changed);
    std::size_t from = 0;
    for (std::size_t i = 0; i < n; ++i) {
        out.append(parsed.data() + from, changed[i].at - from);
        append_json_escaped(changed[i].decoded, changed[i].form.ascii, out);
        from = changed[i].at + changed[i].form.encoded_size;
    }
    out.append(parsed.data() + from, parsed.size() - from);
}

}  // namespace ditto
