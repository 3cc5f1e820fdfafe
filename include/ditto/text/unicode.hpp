#pragma once
// Character properties from the generated Unicode tables (text/unicode_data.hpp): general
// category, the tokenizer's standalone class, White_Space, and the mappings the normalizer uses.

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <ditto/text/unicode_data.hpp>

namespace ditto::inline v0_1::unicode {

/// The Unicode general categories, in the order the generated table encodes them.
enum class general_category : std::uint8_t {
    Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
    Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn
};

inline constexpr int version_major = data::version_major;
inline constexpr int version_minor = data::version_minor;
inline constexpr int version_update = data::version_update;

namespace detail {
inline constexpr std::uint8_t category_bits = 0x1F;
inline constexpr std::uint8_t standalone_bit = 0x20;
inline constexpr std::uint8_t strippable_mark_bit = 0x40;
inline constexpr std::uint8_t mapped_bit = 0x80;
inline constexpr std::uint8_t unassigned = static_cast<std::uint8_t>(general_category::Cn);

[[nodiscard]] constexpr std::u32string_view lookup(const data::mapping* begin, const data::mapping* end,
                                                   const char32_t* pool, char32_t cp) noexcept {
    const auto* it = std::lower_bound(begin, end, cp, [](const data::mapping& m, char32_t c) {
        return m.code_point < c;
    });
    if (it == end || it->code_point != cp) return {};
    return {pool + it->offset, it->length};
}
}  // namespace detail

/// The packed property byte of a code point (see tools/gen_unicode_data.py for the layout).
[[nodiscard]] constexpr std::uint8_t property_byte(char32_t cp) noexcept {
    if (cp >= 0x110000) return detail::unassigned;
    return data::property_blocks[data::property_index[cp / data::block_size] * data::block_size +
                                 cp % data::block_size];
}

[[nodiscard]] constexpr general_category category(char32_t cp) noexcept {
    return static_cast<general_category>(property_byte(cp) & detail::category_bits);
}

/// Letters, marks and numbers (L*, M*, N*): the characters words are made of.
[[nodiscard]] constexpr bool is_word_character(char32_t cp) noexcept {
    return (property_byte(cp) & detail::category_bits) <= static_cast<std::uint8_t>(general_category::No);
}

[[nodiscard]] constexpr bool is_mark(char32_t cp) noexcept {
    const auto c = category(cp);
    return c == general_category::Mn || c == general_category::Mc || c == general_category::Me;
}

/// Ideographs, kana, hangul syllables, and the letters of Thai, Lao, Khmer and Myanmar (scripts
/// written without spaces between words): each is a token by itself, with the marks after it.
[[nodiscard]] constexpr bool is_standalone(char32_t cp) noexcept {
    return (property_byte(cp) & detail::standalone_bit) != 0;
}

/// Nonspacing marks with a non-zero combining class: what diacritic stripping removes.
[[nodiscard]] constexpr bool is_strippable_mark(char32_t cp) noexcept {
    return (property_byte(cp) & detail::strippable_mark_bit) != 0;
}

/// True when the code point has a case folding, stripping or compatibility mapping, or may change
/// under NFC or NFKC (see is_normalization_sensitive).
[[nodiscard]] constexpr bool has_mapping(char32_t cp) noexcept {
    return (property_byte(cp) & detail::mapped_bit) != 0;
}

/// The White_Space property (PropList.txt) from a code point and its property byte, for callers
/// that already looked the byte up: Zs, Zl, Zp and the controls 9..D and 85.
[[nodiscard]] constexpr bool is_white_space(char32_t cp, std::uint8_t property) noexcept {
    if (cp < 0x80) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    const auto c = static_cast<general_category>(property & detail::category_bits);
    return cp == 0x85 || c == general_category::Zs || c == general_category::Zl || c == general_category::Zp;
}

/// The White_Space property (PropList.txt).
[[nodiscard]] constexpr bool is_white_space(char32_t cp) noexcept { return is_white_space(cp, property_byte(cp)); }

/// Simple case folding (statuses C and S): one code point, or empty when it folds to itself.
[[nodiscard]] constexpr std::u32string_view simple_case_folding(char32_t cp) noexcept {
    return detail::lookup(std::begin(data::simple_fold_map), std::end(data::simple_fold_map),
                          data::simple_fold_pool, cp);
}

/// Full case folding (statuses C and F), e.g. U+00DF to "ss"; empty when it folds to itself.
[[nodiscard]] constexpr std::u32string_view full_case_folding(char32_t cp) noexcept {
    return detail::lookup(std::begin(data::full_fold_map), std::end(data::full_fold_map),
                          data::full_fold_pool, cp);
}

/// The code point without its diacritics (canonical decomposition less strippable marks,
/// recomposed); empty when unchanged. A lone strippable mark is not in this table.
[[nodiscard]] constexpr std::u32string_view diacritic_stripping(char32_t cp) noexcept {
    return detail::lookup(std::begin(data::strip_map), std::end(data::strip_map), data::strip_pool, cp);
}

/// NFKC of the single code point where it differs from NFC (fullwidth forms, ligatures,
/// superscripts...); empty when unchanged.
[[nodiscard]] constexpr std::u32string_view compatibility_folding(char32_t cp) noexcept {
    return detail::lookup(std::begin(data::compat_map), std::end(data::compat_map), data::compat_pool, cp);
}

// ---- Canonical equivalence (UAX #15) ----

namespace detail {
inline constexpr std::uint16_t nfc_sensitive_bit = 0x100;
inline constexpr std::uint16_t nfkc_sensitive_bit = 0x200;
inline constexpr std::uint16_t nfc_segment_start_bit = 0x400;
inline constexpr std::uint16_t nfkc_segment_start_bit = 0x800;

[[nodiscard]] constexpr std::uint16_t canonical_bits(char32_t cp) noexcept {
    if (cp >= 0x110000) return 0;
    return data::canonical_blocks[data::canonical_index[cp / data::block_size] * data::block_size +
                                  cp % data::block_size];
}

inline constexpr char32_t hangul_s_base = 0xAC00, hangul_l_base = 0x1100, hangul_v_base = 0x1161,
                          hangul_t_base = 0x11A7;
inline constexpr char32_t hangul_l_count = 19, hangul_v_count = 21, hangul_t_count = 28,
                          hangul_n_count = hangul_v_count * hangul_t_count,
                          hangul_s_count = hangul_l_count * hangul_n_count;
}  // namespace detail

/// The canonical combining class (UnicodeData.txt field 3).
[[nodiscard]] constexpr std::uint8_t combining_class(char32_t cp) noexcept {
    return static_cast<std::uint8_t>(detail::canonical_bits(cp) & 0xFF);
}

/// False when normalization to NFC (NFKC when compatibility is true) may start afresh at cp:
/// cp is a starter that does not compose with anything before it and is unchanged by the
/// normal form. True for every code point with a non-zero combining class, and for those whose
/// quick check (DerivedNormalizationProps.txt NFC_QC / NFKC_QC) is No or Maybe.
[[nodiscard]] constexpr bool is_normalization_sensitive(char32_t cp, bool compatibility) noexcept {
    return (detail::canonical_bits(cp) &
            (compatibility ? detail::nfkc_sensitive_bit : detail::nfc_sensitive_bit)) != 0;
}

/// True when nothing before cp takes part in its normal form: cp is a starter whose decomposition
/// (canonical, or compatibility when compatibility is true) starts with a starter that composes
/// with nothing before it. Normalization may then handle the text from cp on by itself.
[[nodiscard]] constexpr bool starts_normalization_segment(char32_t cp, bool compatibility) noexcept {
    return (detail::canonical_bits(cp) &
            (compatibility ? detail::nfkc_segment_start_bit : detail::nfc_segment_start_bit)) != 0;
}

/// The full canonical decomposition (NFD) of a code point other than a hangul syllable; empty when
/// it has none.
[[nodiscard]] constexpr std::u32string_view canonical_decomposition(char32_t cp) noexcept {
    return detail::lookup(std::begin(data::canonical_decomposition_map), std::end(data::canonical_decomposition_map),
                          data::canonical_decomposition_pool, cp);
}

/// The full compatibility decomposition (NFKD) of a code point, where it differs from the canonical
/// one; empty otherwise.
[[nodiscard]] constexpr std::u32string_view compatibility_decomposition(char32_t cp) noexcept {
    return detail::lookup(std::begin(data::compatibility_decomposition_map),
                          std::end(data::compatibility_decomposition_map), data::compatibility_decomposition_pool, cp);
}

/// The primary composite of first and second (hangul included), or 0 when there is none.
[[nodiscard]] constexpr char32_t compose(char32_t first, char32_t second) noexcept {
    using namespace detail;
    if (first >= hangul_l_base && first < hangul_l_base + hangul_l_count && second >= hangul_v_base &&
        second < hangul_v_base + hangul_v_count)
        return hangul_s_base + ((first - hangul_l_base) * hangul_v_count + (second - hangul_v_base)) * hangul_t_count;
    if (first >= hangul_s_base && first < hangul_s_base + hangul_s_count && (first - hangul_s_base) % hangul_t_count == 0 &&
        second > hangul_t_base && second < hangul_t_base + hangul_t_count)
        return first + (second - hangul_t_base);
    const auto* end = std::end(data::compositions);
    const auto* it = std::lower_bound(std::begin(data::compositions), end, first,
                                      [](const data::composition& c, char32_t f) { return c.first < f; });
    for (; it != end && it->first == first; ++it)
        if (it->second == second) return it->composite;
    return 0;
}

/// Appends the full decomposition of cp (canonical, or compatibility when compatibility is true)
/// to out through push(char32_t); hangul syllables decompose algorithmically.
template <class Push>
constexpr void decompose(char32_t cp, bool compatibility, Push&& push) {
    using namespace detail;
    if (cp >= hangul_s_base && cp < hangul_s_base + hangul_s_count) {
        const char32_t s = cp - hangul_s_base;
        push(hangul_l_base + s / hangul_n_count);
        push(hangul_v_base + (s % hangul_n_count) / hangul_t_count);
        if (s % hangul_t_count != 0) push(hangul_t_base + s % hangul_t_count);
        return;
    }
    std::u32string_view d = compatibility ? compatibility_decomposition(cp) : std::u32string_view{};
    if (d.empty()) d = canonical_decomposition(cp);
    if (d.empty()) {
        push(cp);
        return;
    }
    for (char32_t c : d) push(c);
}

}  // namespace ditto::unicode
