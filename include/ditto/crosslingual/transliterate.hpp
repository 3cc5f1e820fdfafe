#pragma once
// Cyrillic and Greek letters to lower-case ASCII Latin, so that an acronym or a code written in
// either script can meet its Latin spelling ("ФСБ" -> "fsb", "ΕΛΤΑ" -> "elta").
//
// The scheme is one fixed table, ASCII only, with no apostrophes or diacritics (both would keep
// two spellings of one name apart):
//  - Russian after BGN/PCGN without its apostrophes: а a, б b, в v, г g, д d, е e, ё e, ж zh,
//    з z, и i, й y, к k, л l, м m, н n, о o, п p, р r, с s, т t, у u, ф f, х kh, ц ts, ч ch,
//    ш sh, щ shch, ъ (dropped), ы y, ь (dropped), э e, ю yu, я ya;
//  - the other letters of the basic block (U+0400..U+045F): Ukrainian є ye, і i, ї yi, ґ g;
//    Belarusian ў u; Serbian and Macedonian ђ dj, ј j, љ lj, њ nj, ћ c, џ dz, ѓ gj, ќ kj, ѕ dz;
//    ѐ e, ѝ i;
//  - Greek after ELOT 743 (ISO 843, transcription) reduced to single letters per character:
//    α a, β v, γ g, δ d, ε e, ζ z, η i, θ th, ι i, κ k, λ l, μ m, ν n, ξ x, ο o, π p, ρ r,
//    σ ς s, τ t, υ y, φ f, χ ch, ψ ps, ω o; accented and diaeresis forms (ά, ϊ, ΰ...) lose their
//    marks first (the Unicode canonical decomposition, from the generated tables).
// Upper and lower case map alike. Other characters are left to the caller (see
// append_folded_latin).

#include <array>
#include <string>
#include <string_view>

#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

namespace detail::translit {

// U+0400..U+040F and U+0450..U+045F (the same letters, upper and lower case).
inline constexpr std::array<std::string_view, 16> cyrillic_extra = {
    "e", "e", "dj", "gj", "ye", "dz", "i", "yi", "j", "lj", "nj", "c", "kj", "i", "u", "dz"};
// U+0410..U+042F and U+0430..U+044F: а..я.
inline constexpr std::array<std::string_view, 32> cyrillic_basic = {
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"};
// U+0391..U+03A9 and U+03B1..U+03C9: α..ω (U+03A2 is unassigned, U+03C2 is final sigma).
inline constexpr std::array<std::string_view, 25> greek = {
    "a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n",
    "x", "o", "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o"};

[[nodiscard]] constexpr bool table_latin(char32_t cp, std::string_view& out) noexcept {
    if (cp >= 0x0400 && cp <= 0x040F) return out = cyrillic_extra[cp - 0x0400], true;
    if (cp >= 0x0450 && cp <= 0x045F) return out = cyrillic_extra[cp - 0x0450], true;
    if (cp >= 0x0410 && cp <= 0x042F) return out = cyrillic_basic[cp - 0x0410], true;
    if (cp >= 0x0430 && cp <= 0x044F) return out = cyrillic_basic[cp - 0x0430], true;
    if (cp == 0x0490 || cp == 0x0491) return out = "g", true;  // Ґ ґ
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) return out = greek[cp - 0x0391], true;
    if (cp >= 0x03B1 && cp <= 0x03C9) return out = greek[cp - 0x03B1], true;
    return false;
}

}  // namespace detail::translit

/// Whether cp is a Cyrillic or Greek letter the scheme above covers (accented Greek included).
[[nodiscard]] constexpr bool is_transliterated(char32_t cp) noexcept {
    std::string_view latin;
    if (detail::translit::table_latin(cp, latin)) return true;
    if (cp < 0x0370 || cp > 0x03FF) return false;
    const std::u32string_view bare = unicode::diacritic_stripping(cp);
    return bare.size() == 1 && detail::translit::table_latin(bare[0], latin);
}

/// The lower-case Latin letters for a Cyrillic or Greek letter (empty for ъ and ь), or false
/// when the scheme does not cover cp.
[[nodiscard]] constexpr bool transliterate(char32_t cp, std::string_view& latin) noexcept {
    if (detail::translit::table_latin(cp, latin)) return true;
    if (cp < 0x0370 || cp > 0x03FF) return false;
    const std::u32string_view bare = unicode::diacritic_stripping(cp);
    return bare.size() == 1 && detail::translit::table_latin(bare[0], latin);
}

/// Appends cp lower-cased and, when Cyrillic or Greek, transliterated: ASCII letters are
/// lowered, other characters case-folded (full folding, U+00DF to "ss").
inline void append_folded_latin(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
        return;
    }
    std::string_view latin;
    if (transliterate(cp, latin)) {
        out += latin;
        return;
    }
    const std::u32string_view folded = unicode::full_case_folding(cp);
    if (folded.empty()) {
        append_utf8(out, cp);
        return;
    }
    for (const char32_t c : folded) append_utf8(out, c);
}

/// text lower-cased and transliterated (ill-formed UTF-8 becomes U+FFFD).
[[nodiscard]] inline std::string to_folded_latin(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const decoded_code_point d = decode_utf8(text, i);
        append_folded_latin(out, d.code_point);
        i += d.length;
    }
    return out;
}

}  // namespace ditto
