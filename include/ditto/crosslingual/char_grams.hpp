#pragma once
// Character 4-grams of a text's transliterated form: the optional third term of the
// cross-lingual score. Names, places and loan words keep most of their letters across languages
// once Cyrillic and Greek are written in Latin, which helps short texts with few anchors.
//
// The form: every letter and digit lower-cased, transliterated (crosslingual/transliterate.hpp)
// and stripped of diacritics; every run of other characters one space; a space at both ends.
// The 4-grams are its byte 4-grams, kept as a sorted set of 32-bit hashes. The similarity of two
// sets is their cosine as binary vectors, |A ∩ B| / sqrt(|A| · |B|) (0 when either is empty).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/crosslingual/transliterate.hpp>
#include <ditto/hash.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

/// The transliterated form of text described above.
[[nodiscard]] inline std::string char_gram_form(std::string_view text) {
    std::string out(1, ' ');
    out.reserve(text.size() + 2);
    for (std::size_t i = 0; i < text.size();) {
        const decoded_code_point d = decode_utf8(text, i);
        i += d.length;
        char32_t cp = d.code_point;
        if (!d.valid || !unicode::is_word_character(cp)) {
            if (out.back() != ' ') out += ' ';
            continue;
        }
        if (unicode::is_mark(cp)) continue;  // combining marks: diacritics
        if (cp >= 0x80) {
            if (const std::u32string_view bare = unicode::diacritic_stripping(cp); bare.size() == 1 && !is_transliterated(cp))
                cp = bare[0];
        }
        append_folded_latin(out, cp);
    }
    if (out.back() != ' ') out += ' ';
    return out;
}

/// The sorted, distinct 32-bit hashes of the byte 4-grams of char_gram_form(text), into out.
inline void char_gram_set(std::string_view text, std::vector<std::uint32_t>& out) {
    out.clear();
    const std::string form = char_gram_form(text);
    if (form.size() < 4) return;
    out.reserve(form.size() - 3);
    for (std::size_t i = 0; i + 4 <= form.size(); ++i)
        out.push_back(static_cast<std::uint32_t>(hash64(std::string_view(form).substr(i, 4)) >> 32));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

/// |A ∩ B| / sqrt(|A| · |B|) of two sorted sets (char_gram_set).
[[nodiscard]] inline double char_gram_similarity(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept {
    if (a.empty() || b.empty()) return 0.0;
    std::size_t shared = 0;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] < b[j]) ++i;
        else if (b[j] < a[i]) ++j;
        else ++shared, ++i, ++j;
    }
    return static_cast<double>(shared) / std::sqrt(static_cast<double>(a.size()) * static_cast<double>(b.size()));
}

}  // namespace ditto
