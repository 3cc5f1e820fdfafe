#pragma once
// Anchors: the tokens of a text that survive translation, in document order. A German or Russian
// translation of an English article keeps its figures, links, codes and acronyms while every
// word changes, so the anchor sequences of a text and its translation are alike when their word
// shingles share nothing.
//
// A text is split at white space; each piece loses the punctuation around it (quotes, brackets,
// a full stop, a comma...; "f()" and "${x}" keep theirs) and a piece with ill-formed UTF-8 is
// skipped. Then, in this order, a whole piece is an anchor when it is a
//   url        starts with http://, https://, ftp:// or www.   (scheme and "www." dropped, and a
//              trailing '/')
//   email      has an '@' with something before it and a '.' after it ("mailto:" dropped)
//   option     "--name" or "-x..." (a dash, an ASCII letter, ASCII letters, digits and dashes)
//   variable   $NAME, ${NAME} or %NAME%
//   path       starts with '/', "~/", "./", "../" or a drive ("C:\"), or has a '\', or two '/',
//              and has an ASCII letter
//   code       has '_', "::", "->", "()", '=' or a '.' between two runs of two or more letters
//              or digits ("snake_case", "std::vector", "f()", "os.path", "example.com")
// Anything else is cut at dashes and slashes ("COVID-19", "TCP/IP", "2020-2024") and each part is
//   number     digits in groups separated by '.' or ',' (and by a space inside "9 000", the
//              thousands grouping of Russian and French), with signs, currency and percent signs
//              around them ignored; written with every separator as '.', so 7,1 and 7.1 are
//              one anchor and so are 9,000 (English), 9.000 (German) and 9 000 (Russian)
//   digits     any other part with an ASCII digit ("5G", "H2O", "v2.1", "14:30")
//   code       as above
//   acronym    two or more letters, all upper case, in any script ("NASA", "ФСБ")
//   mixed_case letters with an upper-case letter after a lower-case one ("iPhone", "YouTube")
// Capitalized words are not anchors: German capitalizes every noun, and names are transliterated
// too differently between languages to help. Every anchor's text is lower-cased, and Cyrillic and
// Greek are transliterated (crosslingual/transliterate.hpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/crosslingual/transliterate.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

/// The classes of anchors (see the top of this header).
enum class anchor_kind : std::uint8_t { number, url, email, path, variable, option, digits, code, acronym, mixed_case };

[[nodiscard]] constexpr std::string_view to_string(anchor_kind k) noexcept {
    switch (k) {
    case anchor_kind::number: return "number";
    case anchor_kind::url: return "url";
    case anchor_kind::email: return "email";
    case anchor_kind::path: return "path";
    case anchor_kind::variable: return "variable";
    case anchor_kind::option: return "option";
    case anchor_kind::digits: return "digits";
    case anchor_kind::code: return "code";
    case anchor_kind::acronym: return "acronym";
    case anchor_kind::mixed_case: return "mixed_case";
    }
    return "?";
}

/// One anchor: its class, where it is in the text, and where its normalized text is in the
/// anchor_list's character buffer.
struct anchor {
    anchor_kind kind;
    byte_span source;     ///< bytes of the original text
    std::size_t offset;   ///< of the normalized text in anchor_list::chars()
    std::size_t length;
};

/// The anchors of one text, in document order; their texts share one buffer.
class anchor_list {
public:
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
    [[nodiscard]] const anchor& operator[](std::size_t i) const noexcept { return items_[i]; }
    [[nodiscard]] const std::vector<anchor>& items() const noexcept { return items_; }
    /// The normalized text of anchor i.
    [[nodiscard]] std::string_view text(std::size_t i) const noexcept {
        return std::string_view(chars_).substr(items_[i].offset, items_[i].length);
    }
    [[nodiscard]] const std::string& chars() const noexcept { return chars_; }
    void clear() noexcept {
        items_.clear();
        chars_.clear();
    }

    // For the extractor: the text of the next anchor is appended to chars(), then push closes it.
    std::string& buffer() noexcept { return chars_; }
    void push(anchor_kind kind, byte_span source, std::size_t offset) {
        items_.push_back({kind, source, offset, chars_.size() - offset});
    }

private:
    std::vector<anchor> items_;
    std::string chars_;
};

namespace detail::anchors {

// Byte classes for the fast path: most pieces of prose are plain lower-case or capitalized words.
inline constexpr unsigned char c_lower = 1, c_upper = 2, c_digit = 4, c_special = 8, c_space = 16, c_punct = 32;

constexpr std::array<unsigned char, 256> make_byte_classes() {
    std::array<unsigned char, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = c_lower;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = c_upper;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = c_digit;
    for (const char c : std::string_view(" \t\n\r\f\v")) t[static_cast<unsigned char>(c)] = c_space;
    // What may surround a token without being part of it.
    for (const char c : std::string_view("\"'()[]{}<>,;:!?.*`|")) t[static_cast<unsigned char>(c)] = c_punct;
    // Everything else in ASCII that makes a piece more than a word.
    for (const char c : std::string_view("@/\\_$%=#+-&~^")) t[static_cast<unsigned char>(c)] = c_special;
    return t;
}
inline constexpr std::array<unsigned char, 256> byte_class = make_byte_classes();

[[nodiscard]] constexpr bool is_ascii_letter(char c) noexcept { return (byte_class[static_cast<unsigned char>(c)] & (c_lower | c_upper)) != 0; }
[[nodiscard]] constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_ascii_alnum(char c) noexcept { return is_ascii_letter(c) || is_ascii_digit(c); }
[[nodiscard]] constexpr bool has_ascii_letter(std::string_view s) noexcept {
    for (const char c : s)
        if (is_ascii_letter(c)) return true;
    return false;
}
[[nodiscard]] constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// The length of a white-space character at text[i], 0 when there is none: ASCII space and
// controls, NO-BREAK SPACE, the spaces U+2000..U+200A, NARROW NO-BREAK SPACE, MEDIUM
// MATHEMATICAL SPACE, IDEOGRAPHIC SPACE, OGHAM SPACE MARK, LINE and PARAGRAPH SEPARATOR.
[[nodiscard]] inline std::size_t space_at(std::string_view text, std::size_t i) noexcept {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) return (byte_class[b] & c_space) != 0 ? 1 : 0;
    const auto at = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u; };
    if (b == 0xC2) return at(1) == 0xA0 ? 2 : 0;
    if (b == 0xE2 && at(1) == 0x80) {
        const unsigned c = at(2);
        return (c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF ? 3 : 0;
    }
    if (b == 0xE2 && at(1) == 0x81) return at(2) == 0x9F ? 3 : 0;
    if (b == 0xE3 && at(1) == 0x80) return at(2) == 0x80 ? 3 : 0;
    if (b == 0xE1 && at(1) == 0x9A) return at(2) == 0x80 ? 3 : 0;
    return 0;
}

// Punctuation that surrounds a token: the ASCII ones above, and typographic quotes, guillemets,
// ellipsis and dashes standing alone.
[[nodiscard]] inline bool surrounding_punctuation(char32_t cp) noexcept {
    if (cp < 0x80) return (byte_class[cp] & c_punct) != 0;
    switch (cp) {
    case 0x00AB: case 0x00BB: case 0x2018: case 0x2019: case 0x201A: case 0x201C: case 0x201D: case 0x201E:
    case 0x2039: case 0x203A: case 0x2026: case 0x00BF: case 0x00A1: case 0x3001: case 0x3002:
        return true;
    default:
        return false;
    }
}

// The code point that ends just before byte `end` (which is > begin).
[[nodiscard]] inline decoded_code_point decode_before(std::string_view text, std::size_t begin, std::size_t end) noexcept {
    std::size_t s = end - 1;
    while (s > begin && end - s < 4 && (static_cast<unsigned char>(text[s]) & 0xC0) == 0x80) --s;
    decoded_code_point d = decode_utf8(text.substr(0, end), s);
    if (s + d.length != end) return {replacement_character, 1, false};  // a stray continuation byte
    return d;
}

[[nodiscard]] constexpr bool is_currency_or_sign(char32_t cp) noexcept {
    switch (cp) {
    case '$': case '%': case '+': case '-': case 0x2212: case 0x00B1: case 0x20AC: case 0x00A3: case 0x00A5:
    case 0x20BD: case 0x20B4: case 0x2030: case 0x00B0: case '~': case 0x2248:
        return true;
    default:
        return false;
    }
}

[[nodiscard]] constexpr bool is_dash(char32_t cp) noexcept {
    return cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2212;
}

[[nodiscard]] inline bool starts_with_ascii_nocase(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (ascii_lower(s[i]) != prefix[i]) return false;
    return true;
}

}  // namespace detail::anchors

namespace detail::anchors {

// One extraction: the text and where its anchors go.
class scanner {
public:
    scanner(std::string_view text, anchor_list& out) : text_(text), out_(&out) {}

    void run() const {
        const std::string_view text = text_;
        std::size_t i = 0;
        const std::size_t n = text.size();
        while (i < n) {
            if (const std::size_t s = space_at(text, i)) {
                i += s;
                continue;
            }
            std::size_t end = i;
            while (end < n && space_at(text, end) == 0) ++end;
            // Thousands grouped by spaces: "9 000", "1 234 567": a piece of 1 to 3 digits, then
            // pieces of exactly 3 digits, each after one space-like character (not a line break or
            // tab); a group with punctuation after it ("000,") ends the number.
            if (end - i <= 3 && all_digits(i, end)) {
                while (end < n) {
                    const std::size_t s = space_at(text, end);
                    if (s == 0 || text[end] == '\n' || text[end] == '\t' || text[end] == '\r') break;
                    const std::string_view group = text.substr(end + s, 4);
                    if (group.size() < 3 || !is_ascii_digit(group[0]) || !is_ascii_digit(group[1]) ||
                        !is_ascii_digit(group[2]) || (group.size() == 4 && is_ascii_digit(group[3])))
                        break;
                    std::size_t next_end = end + s + 3;
                    bool bare = true;  // the group's piece is its three digits and nothing else
                    for (; next_end < n && space_at(text, next_end) == 0; ++next_end) {
                        if ((byte_class[static_cast<unsigned char>(text[next_end])] & c_punct) == 0) break;
                        bare = false;
                    }
                    if (next_end < n && space_at(text, next_end) == 0) break;  // "000руб": not a group
                    end = next_end;
                    if (!bare) break;
                }
            }
            piece(i, end);
            i = end;
        }
    }

private:
    using kind = anchor_kind;

    bool all_digits(std::size_t b, std::size_t e) const {
        for (std::size_t k = b; k < e; ++k)
            if (!is_ascii_digit(text_[k])) return false;
        return b < e;
    }

    // One piece between white space.
    void piece(std::size_t b, std::size_t e) const {
        // Strip surrounding punctuation.
        while (b < e) {
            const std::size_t n = punctuation_after(b, e);
            if (n == 0) break;
            b += n;
        }
        while (e > b) {
            // A call "f()" and a variable "${x}" keep their brackets.
            const std::string_view kept = text_.substr(b, e - b);
            if ((kept.ends_with("()") && kept.size() > 2) || (kept.starts_with("${") && kept.ends_with('}'))) break;
            const std::size_t n = punctuation_before(b, e);
            if (n == 0) break;
            e -= n;
        }
        if (b == e) return;
        const std::string_view p = text_.substr(b, e - b);
        // Fast path: a plain word of ASCII letters, lower case after its first letter.
        unsigned all = 0, rest = 0;
        for (std::size_t k = 0; k < p.size(); ++k) {
            const auto c = static_cast<unsigned char>(p[k]);
            const unsigned cls = c < 0x80 ? byte_class[c] : 128u;
            all |= cls;
            if (k > 0) rest |= cls;
        }
        if ((all & ~unsigned{c_lower | c_upper}) == 0 && (rest & c_upper) == 0) return;
        // A piece with ill-formed UTF-8 is no anchor, whatever else it has.
        if ((all & 128u) != 0 && find_invalid_utf8(p) != std::string_view::npos) return;
        // Fast path for words in other scripts (most of a Russian or Greek text): one pass over
        // the letters decides between acronym, mixed case and no anchor.
        if ((all & (c_digit | c_special | c_punct)) == 0 && letters_only(b, e)) return;
        if (all & (c_special | c_punct)) {
            if (whole_piece(b, e)) return;
        }
        // Cut at dashes and slashes.
        std::size_t s = b;
        for (std::size_t k = b; k < e;) {
            const decoded_code_point d = decode_utf8(text_.substr(0, e), k);
            if (is_dash(d.code_point) || d.code_point == '/') {
                part(s, k);
                k += d.length;
                s = k;
            } else {
                k += d.length;
            }
        }
        part(s, e);
    }

    // The length of the surrounding punctuation at b (0: none). Only the bytes C2, E2 and E3
    // start a non-ASCII one, so the letters of other scripts are not decoded.
    std::size_t punctuation_after(std::size_t b, std::size_t e) const {
        const auto c = static_cast<unsigned char>(text_[b]);
        if (c < 0x80) return (byte_class[c] & c_punct) != 0 ? 1 : 0;
        if (c != 0xC2 && c != 0xE2 && c != 0xE3) return 0;
        const decoded_code_point d = decode_utf8(text_.substr(0, e), b);
        return d.valid && surrounding_punctuation(d.code_point) ? d.length : 0;
    }
    // The length of the surrounding punctuation that ends at e (0: none).
    std::size_t punctuation_before(std::size_t b, std::size_t e) const {
        const auto c = static_cast<unsigned char>(text_[e - 1]);
        if (c < 0x80) return (byte_class[c] & c_punct) != 0 ? 1 : 0;
        std::size_t lead = e - 1;
        while (lead > b && e - lead < 4 && (static_cast<unsigned char>(text_[lead]) & 0xC0) == 0x80) --lead;
        const auto l = static_cast<unsigned char>(text_[lead]);
        if (l != 0xC2 && l != 0xE2 && l != 0xE3) return 0;
        const decoded_code_point d = decode_before(text_, b, e);
        return surrounding_punctuation(d.code_point) ? d.length : 0;
    }

    // For a piece without ASCII digits or punctuation: true when it is letters (and marks) only,
    // after emitting it if it is an acronym or has an inner capital; false (nothing emitted) when
    // it has anything else, for the general path.
    bool letters_only(std::size_t b, std::size_t e) const {
        using unicode::general_category;
        bool lower_seen = false, upper_after_lower = false, all_upper = true;
        std::size_t letters = 0;
        for (std::size_t k = b; k < e;) {
            const auto lead = static_cast<unsigned char>(text_[k]);
            bool upper, lower;
            const unsigned cp2 = lead >= 0xC0 && lead < 0xE0 && k + 1 < e
                                     ? ((lead & 0x1Fu) << 6) | (static_cast<unsigned char>(text_[k + 1]) & 0x3Fu)
                                     : 0;  // a two-byte code point (the input is valid UTF-8)
            if (lead < 0x80) {
                if (!is_ascii_letter(static_cast<char>(lead))) return false;
                upper = lead <= 'Z';
                lower = !upper;
                k += 1;
            } else if (cp2 >= 0x400 && cp2 < 0x480) {
                // Cyrillic: upper case U+0400..U+042F, lower case U+0430..U+045F; U+0460..U+047F
                // (historic letters) alternate upper and lower.
                upper = cp2 < 0x430 || (cp2 >= 0x460 && cp2 % 2 == 0);
                lower = !upper;
                k += 2;
            } else if ((cp2 >= 0x388 && cp2 <= 0x3AB && cp2 != 0x38B && cp2 != 0x38D && cp2 != 0x3A2) || cp2 == 0x386) {
                // Greek upper case (U+0390 is a lower-case letter)
                upper = cp2 != 0x390;
                lower = !upper;
                k += 2;
            } else if (cp2 >= 0x3AC && cp2 <= 0x3CE) {
                upper = false;  // Greek lower case
                lower = true;
                k += 2;
            } else {
                const decoded_code_point d = decode_utf8(text_.substr(0, e), k);
                const auto cat = unicode::category(d.code_point);
                k += d.length;
                if (cat == general_category::Mn || cat == general_category::Mc || cat == general_category::Me) continue;
                upper = cat == general_category::Lu || cat == general_category::Lt;
                lower = cat == general_category::Ll || cat == general_category::Lm || cat == general_category::Lo;
                if (!upper && !lower) return false;
            }
            ++letters;
            if (upper && lower_seen) upper_after_lower = true;
            if (lower) {
                lower_seen = true;
                all_upper = false;
            }
        }
        if (all_upper && letters >= 2) emit(anchor_kind::acronym, b, e);
        else if (upper_after_lower) emit(anchor_kind::mixed_case, b, e);
        return true;
    }

    // The classes that take the whole piece; true when one did.
    bool whole_piece(std::size_t b, std::size_t e) const {
                const std::string_view p = text_.substr(b, e - b);
        const auto emit_lower = [&](kind k, std::size_t from) {
            std::string& buf = out_->buffer();
            const std::size_t offset = buf.size();
            append_folded(b + from, e);
            out_->push(k, {b, e}, offset);
        };
        // url
        for (const std::string_view scheme : {std::string_view("http://"), std::string_view("https://"), std::string_view("ftp://")}) {
            if (starts_with_ascii_nocase(p, scheme) && p.size() > scheme.size()) {
                std::size_t from = scheme.size();
                if (starts_with_ascii_nocase(p.substr(from), "www.")) from += 4;
                emit_url(b, e, from);
                return true;
            }
        }
        if (starts_with_ascii_nocase(p, "www.") && p.size() > 4 && p.find('.', 4) != std::string_view::npos) {
            emit_url(b, e, 4);
            return true;
        }
        // email
        if (const std::size_t at = p.find('@'); at != std::string_view::npos && at > 0) {
            const std::size_t dot = p.find('.', at + 1);
            if (dot != std::string_view::npos && dot > at + 1 && dot + 1 < p.size() && p.find('@', at + 1) == std::string_view::npos) {
                emit_lower(kind::email, starts_with_ascii_nocase(p, "mailto:") ? 7 : 0);
                return true;
            }
        }
        // option (its value after '=' is any text)
        if (p.size() >= 2 && p[0] == '-') {
            const std::size_t from = p.size() >= 3 && p[1] == '-' ? 2 : 1;
            bool ok = is_ascii_letter(p[from]);
            for (std::size_t k = from; ok && k < p.size() && p[k] != '='; ++k) ok = is_ascii_alnum(p[k]) || p[k] == '-';
            if (ok) {
                emit_lower(kind::option, 0);
                return true;
            }
        }
        // variable
        if (p.size() >= 2 && p[0] == '$' && (is_ascii_letter(p[1]) || p[1] == '_' || p[1] == '{')) {
            emit_lower(kind::variable, 0);
            return true;
        }
        if (p.size() >= 3 && p[0] == '%' && p.back() == '%' && is_ascii_letter(p[1])) {
            emit_lower(kind::variable, 0);
            return true;
        }
        // path
        // A path has a letter: "1/2/2024" is a date, cut into numbers below.
        const bool path = p[0] == '/' || p.starts_with("~/") || p.starts_with("./") || p.starts_with("../") ||
                          (p.size() >= 3 && is_ascii_letter(p[0]) && p[1] == ':' && p[2] == '\\') ||
                          p.find('\\') != std::string_view::npos ||
                          (p.find('/') != p.rfind('/') && p.find("//") == std::string_view::npos);
        if (path && has_ascii_letter(p)) {
            emit_lower(kind::path, 0);
            return true;
        }
        if (is_code(p)) {
            emit_lower(kind::code, 0);
            return true;
        }
        return false;
    }

    void emit_url(std::size_t b, std::size_t e, std::size_t from) const {
        std::string& buf = out_->buffer();
        const std::size_t offset = buf.size();
        append_folded(b + from, e);
        while (buf.size() > offset + 1 && buf.back() == '/') buf.pop_back();
        out_->push(kind::url, {b, e}, offset);
    }

    // A part of a piece cut at dashes and slashes.
    void part(std::size_t b, std::size_t e) const {
        // Punctuation left at the cut ("(COVID-19)" -> "COVID", "19)").
        while (b < e) {
            const std::size_t n = punctuation_after(b, e);
            if (n == 0) break;
            b += n;
        }
        while (e > b) {
            const std::size_t n = punctuation_before(b, e);
            if (n == 0) break;
            e -= n;
        }
        if (b == e) return;
        if (number(b, e)) return;
        // Scan: digits, letters and their case, code marks.
        bool digit = false, lower_seen = false, upper_after_lower = false, all_upper_letters = true, other = false;
        std::size_t letters = 0;
        for (std::size_t k = b; k < e;) {
            const decoded_code_point d = decode_utf8(text_.substr(0, e), k);
            const char32_t cp = d.code_point;
            if (!d.valid) {
                other = true;
            } else if (cp >= '0' && cp <= '9') {
                digit = true;
            } else {
                const auto cat = unicode::category(cp);
                using unicode::general_category;
                if (cat == general_category::Lu || cat == general_category::Lt) {
                    ++letters;
                    if (lower_seen) upper_after_lower = true;
                } else if (cat == general_category::Ll || cat == general_category::Lm || cat == general_category::Lo) {
                    ++letters;
                    lower_seen = true;
                    all_upper_letters = false;
                } else if (cat == general_category::Mn || cat == general_category::Mc || cat == general_category::Me) {
                    // a combining mark belongs to its letter
                } else {
                    other = true;
                }
            }
            k += d.length;
        }
        const std::string_view p = text_.substr(b, e - b);
        if (digit) return emit(kind::digits, b, e);
        if (is_code(p)) return emit(kind::code, b, e);
        if (other || letters == 0) return;
        if (all_upper_letters && letters >= 2) return emit(kind::acronym, b, e);
        if (upper_after_lower) return emit(kind::mixed_case, b, e);
    }

    void emit(kind k, std::size_t b, std::size_t e) const {
        const std::size_t offset = out_->buffer().size();
        append_folded(b, e);
        out_->push(k, {b, e}, offset);
    }

    static bool is_code(std::string_view p) noexcept {
                if (p.find("::") != std::string_view::npos || p.find("->") != std::string_view::npos ||
            p.find("()") != std::string_view::npos)
            return true;
        if (p.size() >= 3 && (p.find('=') != std::string_view::npos || p.find('_') != std::string_view::npos)) {
            for (const char c : p)
                if (is_ascii_alnum(c)) return true;
        }
        // A '.' between two runs of at least two letters or digits, in a piece with a letter
        // ("14.03.2026" is a number).
        if (!has_ascii_letter(p)) return false;
        for (std::size_t dot = p.find('.'); dot != std::string_view::npos; dot = p.find('.', dot + 1))
            if (dot >= 2 && dot + 2 < p.size() && is_ascii_alnum(p[dot - 2]) && is_ascii_alnum(p[dot - 1]) &&
                is_ascii_alnum(p[dot + 1]) && is_ascii_alnum(p[dot + 2]))
                return true;
        return false;
    }

    // A number: signs and currency, digit groups separated by '.', ',' or space-like characters,
    // signs after. Emits it with every separator as '.'.
    bool number(std::size_t b, std::size_t e) const {
                std::size_t k = b;
        while (k < e) {
            const decoded_code_point d = decode_utf8(text_.substr(0, e), k);
            if (!is_currency_or_sign(d.code_point)) break;
            k += d.length;
        }
        if (k == e || !is_ascii_digit(text_[k])) return false;
        const std::size_t first = k;
        std::size_t last = k;  // end of the last digit
        while (k < e) {
            if (is_ascii_digit(text_[k])) {
                ++k;
                last = k;
                continue;
            }
            std::size_t sep = text_[k] == '.' || text_[k] == ',' ? 1 : space_at(text_, k);
            if (sep == 0 || k + sep >= e || !is_ascii_digit(text_[k + sep])) break;
            k += sep;
        }
        for (k = last; k < e;) {
            const decoded_code_point d = decode_utf8(text_.substr(0, e), k);
            if (!is_currency_or_sign(d.code_point)) return false;
            k += d.length;
        }
        std::string& buf = out_->buffer();
        const std::size_t offset = buf.size();
        for (k = first; k < last;) {
            if (is_ascii_digit(text_[k])) {
                buf += text_[k++];
            } else {
                buf += '.';
                k += text_[k] == '.' || text_[k] == ',' ? 1 : space_at(text_, k);
            }
        }
        out_->push(kind::number, {b, e}, offset);
        return true;
    }

    void append_folded(std::size_t b, std::size_t e) const {
        std::string& buf = out_->buffer();
        for (std::size_t k = b; k < e;) {
            const auto c = static_cast<unsigned char>(text_[k]);
            if (c < 0x80) {
                buf += ascii_lower(static_cast<char>(c));
                ++k;
                continue;
            }
            const decoded_code_point d = decode_utf8(text_.substr(0, e), k);
            append_folded_latin(buf, d.code_point);
            k += d.length;
        }
    }

    std::string_view text_;
    anchor_list* out_;
};

}  // namespace detail::anchors

/// Extracts anchors. It holds no state, so one extractor serves any number of texts and threads.
class anchor_extractor {
public:
    /// Replaces out's contents with the anchors of text, in document order (out's buffers are
    /// reused). Ill-formed UTF-8 is never part of an anchor (a piece between white space that
    /// has any is skipped); any text, of any size, is accepted.
    void extract(std::string_view text, anchor_list& out) const {
        out.clear();
        detail::anchors::scanner(text, out).run();
    }

    [[nodiscard]] anchor_list operator()(std::string_view text) const {
        anchor_list out;
        extract(text, out);
        return out;
    }
};

/// The anchors of a text (see anchor_extractor).
[[nodiscard]] inline anchor_list extract_anchors(std::string_view text) { return anchor_extractor{}(text); }

}  // namespace ditto
