#pragma once
// Character properties from the generated Unicode tables (text/unicode_data.hpp): general
// category, the tokenizer's standalone class, White_Space, and the mappings the normalizer uses.

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <ditto/text/unicode_data.hpp>

namespace ditto::unicode {

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

/// Ideographs, kana and hangul syllables: each is a token by itself.
[[nodiscard]] constexpr bool is_standalone(char32_t cp) noexcept {
    return (property_byte(cp) & detail::standalone_bit) != 0;
}

/// Nonspacing marks with a non-zero combining class: what diacritic stripping removes.
[[nodiscard]] constexpr bool is_strippable_mark(char32_t cp) noexcept {
    return (property_byte(cp) & detail::strippable_mark_bit) != 0;
}

/// True when the code point has a case folding, stripping or compatibility mapping.
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

}  // namespace ditto::unicode
