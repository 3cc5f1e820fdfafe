#pragma once
// UTF-8 decoding and validation per the Unicode Standard 15, chapter 3.9 (table 3-7):
// overlong forms, surrogates, code points above U+10FFFF and truncated sequences are invalid.
// Invalid input is handled by a policy: replace each maximal subpart of an ill-formed sequence
// with U+FFFD (the standard's recommended practice, chapter 3.9 "U+FFFD Substitution of Maximal
// Subparts"), throw ditto::parse_error with the byte offset, or skip the bad bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <ditto/detail/load.hpp>
#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// What to do with ill-formed UTF-8.
enum class invalid_utf8 {
    replace,  ///< each maximal subpart becomes U+FFFD (default)
    error,    ///< throw ditto::parse_error naming the byte offset
    skip,     ///< drop the ill-formed bytes
};

inline constexpr char32_t replacement_character = 0xFFFD;

/// One decoded code point, or one maximal subpart of an ill-formed sequence (valid == false,
/// code_point == U+FFFD). length is the number of bytes consumed, always >= 1.
struct decoded_code_point {
    char32_t code_point;
    std::uint32_t length;
    bool valid;
};

/// Decodes the code point that starts at text[pos]. Precondition: pos < text.size().
[[nodiscard]] constexpr decoded_code_point decode_utf8(std::string_view text, std::size_t pos) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned lead = byte(pos);
    if (lead < 0x80) return {static_cast<char32_t>(lead), 1, true};
    // The common well-formed 2- and 3-byte forms first (Cyrillic, Greek, CJK), without the loop.
    const std::size_t left = text.size() - pos;
    if (lead >= 0xC2 && lead < 0xE0 && left >= 2) {
        const unsigned b1 = byte(pos + 1);
        if ((b1 & 0xC0) == 0x80) return {static_cast<char32_t>(((lead & 0x1F) << 6) | (b1 & 0x3F)), 2, true};
    } else if (lead > 0xE0 && lead < 0xF0 && lead != 0xED && left >= 3) {
        const unsigned b1 = byte(pos + 1), b2 = byte(pos + 2);
        if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80)
            return {static_cast<char32_t>(((lead & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F)), 3, true};
    }
    constexpr decoded_code_point bad1{replacement_character, 1, false};
    // Valid range of the second byte and number of continuation bytes, from table 3-7.
    unsigned low = 0x80, high = 0xBF, need;
    char32_t cp;
    if (lead < 0xC2) return bad1;
    if (lead < 0xE0) {
        need = 1;
        cp = lead & 0x1F;
    } else if (lead < 0xF0) {
        need = 2;
        cp = lead & 0x0F;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;  // excludes the surrogates D800..DFFF
    } else if (lead < 0xF5) {
        need = 3;
        cp = lead & 0x07;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
        return bad1;
    }
    const std::size_t available = text.size() - pos - 1;
    for (unsigned i = 1; i <= need; ++i) {
        if (i > available) return {replacement_character, i, false};
        const unsigned b = byte(pos + i);
        if (b < low || b > high) return {replacement_character, i, false};
        cp = (cp << 6) | (b & 0x3F);
        low = 0x80;
        high = 0xBF;
    }
    return {cp, need + 1, true};
}

namespace detail {
// Returns the offset of the first non-ASCII byte at or after pos, scanning 8 bytes at a time.
[[nodiscard]] inline std::size_t skip_ascii(std::string_view text, std::size_t pos) noexcept {
    const char* const begin = text.data();
    const char* p = begin + pos;
    const char* const end = begin + text.size();
    for (; end - p >= 8; p += 8)
        if (load8(p) & 0x8080808080808080ULL) break;
    while (p != end && static_cast<unsigned char>(*p) < 0x80) ++p;
    return static_cast<std::size_t>(p - begin);
}
}  // namespace detail

/// Offset of the first byte of the first ill-formed sequence, or std::string_view::npos.
[[nodiscard]] inline std::size_t find_invalid_utf8(std::string_view text) noexcept {
    // Words of ASCII skipped whole; the well-formed 2- and 3-byte forms checked in place (no code
    // point is needed), so text in other scripts does not pay a call per character; the rest, and
    // every ill-formed sequence, through decode_utf8.
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t pos = 0;
    while (pos < n) {
        while (n - pos >= 8 && (detail::load8(p + pos) & 0x8080808080808080ULL) == 0) pos += 8;
        if (pos == n) break;
        const unsigned lead = p[pos];
        if (lead < 0x80) {
            ++pos;
        } else if (lead >= 0xC2 && lead < 0xE0 && n - pos >= 2 && (p[pos + 1] & 0xC0) == 0x80) {
            pos += 2;
        } else if (lead > 0xE0 && lead < 0xF0 && lead != 0xED && n - pos >= 3 && (p[pos + 1] & 0xC0) == 0x80 &&
                   (p[pos + 2] & 0xC0) == 0x80) {
            pos += 3;
        } else {
            const auto d = decode_utf8(text, pos);
            if (!d.valid) return pos;
            pos += d.length;
        }
    }
    return std::string_view::npos;
}

[[nodiscard]] inline bool is_valid_utf8(std::string_view text) noexcept {
    return find_invalid_utf8(text) == std::string_view::npos;
}

/// Number of maximal subparts of ill-formed sequences, i.e. how many U+FFFD replacement makes.
[[nodiscard]] inline std::size_t count_invalid_utf8(std::string_view text) noexcept {
    std::size_t count = 0;
    for (std::size_t pos = 0;;) {
        pos = detail::skip_ascii(text, pos);
        if (pos >= text.size()) return count;
        const auto d = decode_utf8(text, pos);
        count += d.valid ? 0 : 1;
        pos += d.length;
    }
}

/// Writes the UTF-8 form of a Unicode scalar value to out (room for 4 bytes); returns the length.
/// Surrogates and values above U+10FFFF are written as U+FFFD.
inline std::size_t encode_utf8(char32_t cp, char* out) noexcept {
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xC0 | (cp >> 6));
        out[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = replacement_character;
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xE0 | (cp >> 12));
        out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<char>(0xF0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

inline void append_utf8(std::string& out, char32_t cp) {
    char buffer[4];
    out.append(buffer, encode_utf8(cp, buffer));
}

/// Returns text as well-formed UTF-8 under the policy (a copy when nothing is wrong).
/// With invalid_utf8::error, throws ditto::parse_error at the first ill-formed sequence.
[[nodiscard]] inline std::string to_valid_utf8(std::string_view text,
                                               invalid_utf8 policy = invalid_utf8::replace) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    for (;;) {
        const std::size_t ascii_end = detail::skip_ascii(text, pos);
        std::size_t run_end = ascii_end;
        // Extend the run over valid multi-byte sequences so they are copied in one piece.
        decoded_code_point d{0, 0, true};
        while (run_end < text.size()) {
            d = decode_utf8(text, run_end);
            if (!d.valid) break;
            run_end = detail::skip_ascii(text, run_end + d.length);
        }
        out.append(text.substr(pos, run_end - pos));
        if (run_end >= text.size()) return out;
        if (policy == invalid_utf8::error) detail::throw_parse_error("invalid UTF-8", run_end);
        if (policy == invalid_utf8::replace) append_utf8(out, replacement_character);
        pos = run_end + d.length;
    }
}

}  // namespace ditto
