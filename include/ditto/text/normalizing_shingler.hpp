#pragma once
// Normalize, tokenize and word-shingle in one pass over the raw text: the same shingle hashes, in
// the same order, as normalizer::normalize followed by word_shingler over the result, without
// writing the normalized text.
//
// Most text needs nothing of the normalizer but ASCII lower-casing and per-code-point lookups, so
// the pass reproduces those steps itself: ASCII as bit masks of up to 64 bytes (word bytes,
// capitals and non-ASCII bytes, found 8 at a time with SWAR tests; a short token is hashed from two
// words of a lower-cased copy of its block, or of the input), other code points by their property
// byte (copied, or mapped
// by the normalizer's own per-code-point mapping and punctuation folding). Whatever may change
// under canonical equivalence (combining marks, non-NFC forms; a mark that is provably in normal
// form already excepted) and ill-formed UTF-8 go to the normalizer itself: the pass runs it on the
// stretch from the last "split point" to the next hard boundary and tokenizes that stretch's
// output with for_each_token.
//
// A split point is the input position of a code point that needs no normalization context (not
// normalization-sensitive, so nothing before it composes with it and a normal-form segment
// restarts there) and at which a token boundary falls in the normalized text (every token before
// it has ended). Normalizing the text in pieces cut at split points gives the tokens of
// normalizing it whole. Tokens are only emitted at split points, so falling back never takes back
// a token already emitted. tests/text/normalizing_shingler.cpp checks all this against the
// reference on random and hand-written inputs under every option combination.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/detail/inline.hpp>
#include <ditto/detail/swar.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/token_hash.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

namespace detail {

// What the normalizer makes of one code point that is mapped (its property byte has the mapped
// or strippable-mark bit) or that punctuation folding may change, taken alone: the fused pass's
// per-code-point path, and the tables below, ask this.
struct code_point_mapping {
    // Left uninitialized (map_for_pass sets both): the pass keeps a cache of 64 of these per call.
    enum kind_t : std::uint8_t { sensitive, unchanged, replaced } kind;
    std::uint8_t size;
    char32_t out[code_point_buffer::capacity * 3];  // "..." is the longest folding
};

inline void map_for_pass(const normalizer& normalize, char32_t cp, bool mapped, bool punctuation,
                         code_point_mapping& m) {
    const normalize_options& o = normalize.options();
    const bool nfk = o.canonical_equivalence && o.fold_compatibility;
    m.size = 0;
    // The normalizer's order: canonical equivalence first, then the mappings, then punctuation
    // folding of each code point they produce.
    const char32_t first_sensitive = nfk ? unicode::data::nfkc_first_sensitive : unicode::data::nfc_first_sensitive;
    if (mapped && o.canonical_equivalence && cp >= first_sensitive && unicode::is_normalization_sensitive(cp, nfk)) {
        m.kind = code_point_mapping::sensitive;
        return;
    }
    code_point_buffer seq;
    const bool changed = mapped && normalize.map_code_point(cp, seq);
    if (!punctuation && !changed) {
        m.kind = code_point_mapping::unchanged;
        return;
    }
    if (!changed) {
        seq.size = 0;
        seq.push(cp);
    }
    m.kind = code_point_mapping::replaced;
    for (std::size_t k = 0; k < seq.size; ++k) {
        const char* folded = o.fold_punctuation ? punctuation_folding(seq.data[k]) : nullptr;
        if (folded == nullptr) m.out[m.size++] = seq.data[k];
        for (; folded != nullptr && *folded != '\0'; ++folded) m.out[m.size++] = static_cast<unsigned char>(*folded);
    }
}

// How the fused pass's per-code-point path treats a code point, for the block scan's tables.
enum class pass_role : std::uint8_t { other, copied_word, expanded_word, separator };

// The role of cp; for an expanded_word, m holds its replacement.
inline pass_role role_in_pass(const normalizer& normalize, char32_t cp, code_point_mapping& m) {
    const normalize_options& o = normalize.options();
    const std::uint8_t property = unicode::property_byte(cp);
    if (o.collapse_whitespace && unicode::is_white_space(cp, property)) return pass_role::separator;
    const bool punctuation = o.fold_punctuation && maybe_punctuation(cp);
    const bool mapped = (property & (unicode::detail::mapped_bit | unicode::detail::strippable_mark_bit)) != 0;
    if (!punctuation && !mapped) {
        const token_class cls = token_class_of(cp);
        return cls == token_class::word ? pass_role::copied_word
               : cls == token_class::separator ? pass_role::separator
                                               : pass_role::other;
    }
    map_for_pass(normalize, cp, mapped, punctuation, m);
    if (m.kind == code_point_mapping::sensitive) return pass_role::other;
    if (m.kind == code_point_mapping::unchanged) return token_class_of(cp) == token_class::word ? pass_role::copied_word : pass_role::other;
    // Replaced by separators only: it ends a token and starts none, like an ASCII space. (A code
    // point deleted is no separator: the text either side of it joins.)
    if (m.size == 0) return pass_role::other;
    bool separators = true, words = true;
    for (std::size_t k = 0; k < m.size; ++k) {
        const token_class cls = token_class_of(m.out[k]);
        separators = separators && cls == token_class::separator;
        words = words && cls == token_class::word;
    }
    // Replaced by word code points only (a capital by its lower case, ß by "ss"): inside a word
    // or starting one, they go on with it like a copied letter, as other bytes.
    return separators ? pass_role::separator : words ? pass_role::expanded_word : pass_role::other;
}

// The code points the block scan takes in its stride, decided by role_in_pass: two-byte ones
// (U+0080..U+07FF) copied unchanged into a word (lower-case Latin, Greek and Cyrillic letters
// under most options), replaced by word code points (capitals, ß, accented letters under
// strip_diacritics: their UTF-8 is kept here, at most 7 bytes) or that are separators (no-break
// space, guillemets), and General Punctuation (U+2000..U+206F) separators (typographic quotes and
// dashes, spaces).
struct copied_letters {
    static constexpr char32_t punctuation_first = 0x2000, punctuation_end = 0x2070;
    // One byte per two-byte code point, read without a branch by the block scan: taken_bit (one of
    // the three kinds), word_bit (copied or expanded), expanded_bit.
    static constexpr std::uint8_t taken_bit = 1, word_bit = 2, expanded_bit = 4;
    std::uint8_t two_byte_roles[0x800 - 0x80] = {};
    std::uint64_t punctuation_separator_bits[2] = {};
    // For each expanded code point: its replacement's UTF-8 in the low bytes, its length in the top one.
    std::vector<std::uint64_t> expansions;
    [[nodiscard]] bool expanded(char32_t cp) const noexcept { return (two_byte_roles[cp - 0x80] & expanded_bit) != 0; }
    /// Appends the replacement of an expanded code point to out.
    void append_expansion(char32_t cp, std::string& out) const {
        const std::uint64_t e = expansions[cp - 0x80];
        for (unsigned k = 0; k < (e >> 56); ++k) out.push_back(static_cast<char>(e >> (8 * k)));
    }
    [[nodiscard]] bool punctuation_separator(char32_t cp) const noexcept {
        const char32_t i = cp - punctuation_first;  // wraps for cp below the block
        return i < punctuation_end - punctuation_first && ((punctuation_separator_bits[i / 64] >> (i % 64)) & 1);
    }
};

// The table for normalize's options, made once per process for each combination of the
// options that decide it (every field but on_invalid, which only concerns ill-formed input):
// making it asks the mapping tables about 1,920 code points, too slow for every differ.
inline const copied_letters& copied_letters_for(const normalizer& normalize) {
    const normalize_options& o = normalize.options();
    constexpr std::size_t foldings = 3;  // case_folding's values
    const auto fold = static_cast<std::size_t>(o.case_fold);
    if (fold >= foldings) throw_invalid_argument("normalizing_word_shingler", "case_fold", "a case_folding value",
                                                 std::to_string(fold));
    const std::size_t key = fold * 32 + (o.fold_punctuation ? 1u : 0u) + (o.collapse_whitespace ? 2u : 0u) +
                            (o.strip_diacritics ? 4u : 0u) + (o.fold_compatibility ? 8u : 0u) +
                            (o.canonical_equivalence ? 16u : 0u);
    static std::array<copied_letters, foldings * 32> tables;
    static std::array<std::once_flag, foldings * 32> made;
    std::call_once(made[key], [&] {
        copied_letters& t = tables[key];
        code_point_mapping m;
        for (char32_t cp = 0x80; cp < 0x800; ++cp) {
            const pass_role role = role_in_pass(normalize, cp, m);
            if (role == pass_role::copied_word) t.two_byte_roles[cp - 0x80] = copied_letters::taken_bit | copied_letters::word_bit;
            if (role == pass_role::separator) t.two_byte_roles[cp - 0x80] = copied_letters::taken_bit;
            if (role != pass_role::expanded_word) continue;
            std::string bytes;
            for (std::size_t k = 0; k < m.size; ++k) {
                char encoded[4];
                bytes.append(encoded, encode_utf8(m.out[k], encoded));
            }
            if (bytes.size() > 7) continue;  // left to the per-code-point path
            if (t.expansions.empty()) t.expansions.assign(0x800 - 0x80, 0);
            std::uint64_t packed = std::uint64_t{bytes.size()} << 56;
            for (std::size_t k = 0; k < bytes.size(); ++k) packed |= std::uint64_t{static_cast<unsigned char>(bytes[k])} << (8 * k);
            t.expansions[cp - 0x80] = packed;
            t.two_byte_roles[cp - 0x80] = copied_letters::taken_bit | copied_letters::word_bit | copied_letters::expanded_bit;
        }
        for (char32_t cp = copied_letters::punctuation_first; cp < copied_letters::punctuation_end; ++cp)
            if (role_in_pass(normalize, cp, m) == pass_role::separator) {
                const char32_t i = cp - copied_letters::punctuation_first;
                t.punctuation_separator_bits[i / 64] |= std::uint64_t{1} << (i % 64);
            }
    });
    return tables[key];
}

}  // namespace detail

/// The word k-shingle hashes of normalize(text): for every text and options,
/// normalizing_word_shingler(options, k, seed)(text, sink) calls sink with exactly the hashes that
/// word_shingler<>(k, seed)(normalizer(options)(text), sink) does. With invalid_utf8::error the
/// text is checked first, so the same parse_error is thrown before any hash is produced.
template <hasher H = default_hasher>
class normalizing_word_shingler {
public:
    /// Throws std::invalid_argument unless 1 <= k <= max_shingle_size.
    explicit normalizing_word_shingler(const normalize_options& options = {}, std::size_t k = 5,
                                       std::uint64_t seed = default_seed, H hash = {})
        : normalizer_(options), k_(k), seed_(seed), hash_(std::move(hash)), token_hash_(seed) {
        detail::check_shingle_size("normalizing_word_shingler", k);
        power_ = 1;  // B^(k-1), as in word_shingler
        for (std::size_t i = 1; i < k; ++i) power_ *= detail::shingle_base;
    }

    [[nodiscard]] const normalize_options& options() const noexcept { return normalizer_.options(); }
    [[nodiscard]] std::size_t k() const noexcept { return k_; }
    [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

    /// Calls sink(hash) for each shingle of the normalized text, in text order.
    template <shingle_sink F>
    void operator()(std::string_view text, F&& sink) const {
        detail::roll_shingles(k_, power_, seed_, [&](auto&& push) {
            if constexpr (std::is_same_v<H, default_hasher>) {
                std::string buffer;
                scan<false, true>(text, buffer, push);  // hashes the tokens as it finds them
            } else {
                for_each_normalized_token(text, [&](std::string_view token) { push(hash_(token, seed_)); });
            }
        }, sink);
    }

    /// The shingle hashes of the normalized text, in text order (repeats included).
    [[nodiscard]] std::vector<std::uint64_t> operator()(std::string_view text) const {
        std::vector<std::uint64_t> out;
        append_to(text, out);
        return out;
    }

    /// Appends the shingle hashes of the normalized text to out, in text order: what operator()
    /// with a sink that pushes them back gives, faster (the pass keeps out's end in a register).
    /// On an exception out is as it was.
    void append_to(std::string_view text, std::vector<std::uint64_t>& out) const {
        const std::size_t size = out.size();
        std::uint64_t buffer[detail::vector_appender::buffer_size];
        detail::vector_appender append(out, buffer);
        try {
            (*this)(text, append);
            append.finish();
        } catch (...) {
            out.resize(size);
            throw;
        }
    }

    /// Calls f(bytes) with the bytes of each token of normalize(text), in order: the tokens
    /// for_each_token finds in the normalized text. The view is valid during the call only.
    template <class F>
    void for_each_normalized_token(std::string_view text, F&& f) const {
        std::string buffer;
        scan<false, false>(text, buffer, f);
    }

    /// Calls f(bytes, begin, end) with each token of normalize(text), in order, and the input
    /// bytes [begin, end) it came from: what normalizer::normalize(text, out, map) followed by
    /// for_each_token(out) and map.to_original(token) give. Returns true when every token was
    /// given. Returns false where only the normalizer's own offset map tells the bytes apart:
    /// text it must normalize itself (normalization-sensitive code points that may not be in
    /// normal form, ill-formed UTF-8 under invalid_utf8::replace) and code points it deletes
    /// (which may widen the span of a token given earlier). The caller then discards what it was
    /// given and starts again with the normalizer.
    template <class F>
    [[nodiscard]] bool for_each_mapped_token(std::string_view text, F&& f) const {
        std::string buffer;
        return scan<true, false>(text, buffer, f);
    }
    /// The same, building tokens that are not input bytes in buffer: a caller that keeps it
    /// allocates nothing once it has grown to the longest such token.
    template <class F>
    [[nodiscard]] bool for_each_mapped_token(std::string_view text, std::string& buffer, F&& f) const {
        return scan<true, false>(text, buffer, f);
    }

private:
    // The pass behind all three: with Spans, f also gets each token's input bytes, and the pass
    // stops (returning false) where those need the normalizer's offset map; with Hashes (the
    // default hasher only), f gets each token's hash instead of its bytes, and a token of input
    // bytes is hashed from the input, lower-cased on the way, without being copied. tok: where a
    // token that is not input bytes is built.
    template <bool Spans, bool Hashes, class F>
    bool scan(std::string_view text, std::string& tok, F&& f) const;

    normalizer normalizer_;
    std::size_t k_;
    std::uint64_t seed_;
    std::uint64_t power_;
    H hash_;
    detail::token_hasher token_hash_;
    const detail::copied_letters* copied_ = &detail::copied_letters_for(normalizer_);
};

template <hasher H>
template <bool Spans, bool Hashes, class F>
bool normalizing_word_shingler<H>::scan(std::string_view text, std::string& tok, F&& given) const {
    // With Hashes, given is a small value (the shingle roller): the pass works on a copy, which
    // stays in registers, and gives it back at the end.
    std::conditional_t<Hashes, std::remove_cvref_t<F>, F&&> f = static_cast<F&&>(given);
    using detail::token_class;
    const normalize_options& options = normalizer_.options();
    if (options.on_invalid == invalid_utf8::error) {
        const std::size_t bad = find_invalid_utf8(text);
        if (bad != std::string_view::npos) detail::throw_parse_error("invalid UTF-8", bad);
    }
    const std::size_t n = text.size();
    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    const bool fold_ascii = options.case_fold != case_folding::none;
    const detail::ascii_tables& ascii = fold_ascii ? detail::ascii_folding : detail::ascii_identity;
    const bool collapse = options.collapse_whitespace;
    const bool fold_punctuation = options.fold_punctuation;
    const bool canonical = options.canonical_equivalence;
    const bool nfk = canonical && options.fold_compatibility;
    constexpr std::uint8_t mapped_bits = unicode::detail::mapped_bit | unicode::detail::strippable_mark_bit;

    enum class state { outside, word, standalone };
    state in_token = state::outside;
    std::size_t pos = 0;
    std::size_t split = 0;  // the last split point: every token before it was emitted
    // The current token is tok followed by the normalized form of input [run_begin, pos): input
    // bytes that normalize to themselves but for ASCII capitals, which run_upper tracks.
    std::size_t run_begin = 0;
    bool run_upper = false;
    bool run_expand = false;  // the run holds expanded two-byte letters (see copied_letters)
    tok.clear();
    std::string scratch;  // the normalizer's output for a stretch it handles
    // With Spans: where the current token's first code point starts in the input, and whether
    // the pass gave up (see for_each_mapped_token).
    std::size_t token_start = 0;
    bool gave_up = false;
    // Tokens given so far, and their count when a code point was last deleted after one (0: none
    // was): see the deleted code points below.
    std::size_t tokens_given = 0, deleted_after = 0;
    // A token is the input bytes [begin, end): each of its code points copied, case-folded in
    // place or replaced. The reference maps a token's last byte to the end of the code point that
    // made it (a replaced one: to where the next output starts, the same place, since the pass
    // gives up at code points that produce nothing).
    const auto emit = [&](std::string_view token, std::size_t begin, std::size_t end) {
        if constexpr (Hashes) {
            static_assert(!Spans);
            (void)begin;
            (void)end;
            f(token_hash_(token));
        } else if constexpr (Spans) {
            ++tokens_given;
            f(token, begin, end);
        } else {
            (void)begin;
            (void)end;
            f(token);
        }
    };

    // Appends the input bytes [from, end) of a run to tok, ASCII folded, other bytes as they are.
    const auto append_folded = [&](std::size_t from, std::size_t end) {
        for (std::size_t i = from; i < end; ++i) tok.push_back(static_cast<char>(in[i] < 0x80 ? ascii.folded[in[i]] : in[i]));
    };
    // Appends the normalized form of the input bytes [from, end) of a run that holds expanded
    // letters to tok.
    const auto append_run = [&](std::size_t from, std::size_t end) {
        for (std::size_t i = from; i < end; ++i) {
            const unsigned c = in[i];
            if (c >= 0xC2 && c < 0xE0 && i + 1 < end) {
                const auto cp = static_cast<char32_t>(((c & 0x1F) << 6) | (in[i + 1] & 0x3F));
                if (copied_->expanded(cp)) {
                    copied_->append_expansion(cp, tok);
                    ++i;
                    continue;
                }
            }
            tok.push_back(c < 0x80 ? static_cast<char>(ascii.folded[c]) : static_cast<char>(c));
        }
    };
    const auto flush_run = [&](std::size_t end) {
        if (run_expand) {
            append_run(run_begin, end);
        } else {
            append_folded(run_begin, end);
        }
        run_begin = end;
        run_upper = false;
        run_expand = false;
    };
    // Emits the token at input [at, at + length) (ASCII, and two-byte letters copied as they are)
    // with its ASCII capitals lower-cased, 8 bytes at a time where the input has them.
    const auto emit_lowered = [&](std::size_t at, std::size_t length) {
        char lowered[80];
        if (length > 64 || at + 72 > n) {
            append_folded(at, at + length);
            emit(std::string_view(tok), at, at + length);
            tok.clear();
            return;
        }
        for (std::size_t i = 0; i < length; i += 8) {
            const std::uint64_t w8 = detail::load8(in + at + i);
            const std::uint64_t w = fold_ascii ? detail::ascii_lower(w8) : w8;  // two-byte letters unchanged
            for (std::size_t k = 0; k < 8; ++k) lowered[i + k] = static_cast<char>(w >> (8 * k));
        }
        emit(std::string_view(lowered, length), at, at + length);
    };
    // ASCII capitals lower-cased in a word of which only the bytes of a token matter: ASCII
    // letters and digits (which have 0x20 set but for the capitals) and non-ASCII bytes (left
    // alone), so setting 0x20 in every ASCII byte is enough.
    const auto lower_word_bytes = [](std::uint64_t w) { return w | ((~w & detail::highs) >> 2); };
    const auto store8 = [](char* p, std::uint64_t w) {
        for (unsigned k = 0; k < 8; ++k) p[k] = static_cast<char>(w >> (8 * k));
    };
    // The hash of the token at input [at, at + length) (1 <= length <= 16, n >= 8) from the 8 bytes
    // starting at it and the 8 ending with it; near an end of the text, the 8 bytes there, shifted
    // so the token's bytes sit where those words would have them.
    const auto hash_input = [&](std::size_t at, std::size_t length) {
        std::uint64_t first = at + 8 <= n ? detail::load8(in + at) : detail::load8(in + n - 8) >> (8 * (at + 8 - n));
        std::uint64_t last = at + length >= 8 ? detail::load8(in + at + length - 8)
                                              : detail::load8(in) << (8 * (8 - (at + length)));
        if (fold_ascii) {
            first = lower_word_bytes(first);
            last = lower_word_bytes(last);
        }
        return token_hash_.from_words(first, last, length);
    };
    // With Hashes: hashes the token at input [at, at + length), made of ASCII and two-byte letters
    // copied as they are, with its ASCII capitals lower-cased. A token of at most 16 bytes in a text
    // of at least 8 is hashed from two words of the input (hash_input), whatever its length.
    const auto emit_input = [&](std::size_t at, std::size_t length) {
        if constexpr (Hashes) {
            if (length <= detail::token_hasher::short_limit && n >= 8) {
                f(hash_input(at, length));
                return;
            }
        }
        emit_lowered(at, length);
    };
    // Emits the token at input [at, at + length) (at most 64 bytes) holding expanded letters, whose
    // lead bytes are the bits of leads (bit i: byte at + i). Where each expansion is two bytes, as
    // the letter is (a capital's lower case, ß's "ss"), the token is the input lower-cased word by
    // word with the expansions written over their letters.
    const auto emit_expanded = [&](std::size_t at, std::size_t length, std::uint64_t leads) {
        if (at + 72 <= n) {
            char bytes[8 + 64];
            std::memset(bytes, 0, 8);  // read, not used, by the hash of a short token
            for (std::size_t i = 0; i < length; i += 8) {
                const std::uint64_t w = detail::load8(in + at + i);
                store8(bytes + 8 + i, fold_ascii ? lower_word_bytes(w) : w);
            }
            bool same_length = true;
            for (std::uint64_t todo = leads; todo != 0 && same_length; todo &= todo - 1) {
                const auto i = static_cast<unsigned>(std::countr_zero(todo));
                const std::uint64_t x = copied_->expansions[(((in[at + i] & 0x1Fu) << 6) | (in[at + i + 1] & 0x3Fu)) - 0x80];
                same_length = (x >> 56) == 2;
                bytes[8 + i] = static_cast<char>(x);
                bytes[8 + i + 1] = static_cast<char>(x >> 8);
            }
            if (same_length) {
                if constexpr (Hashes) {
                    if (length <= detail::token_hasher::short_limit) {
                        f(token_hash_.from_words(detail::load8(bytes + 8), detail::load8(bytes + length), length));
                        return;
                    }
                }
                emit(std::string_view(bytes + 8, length), at, at + length);
                return;
            }
        }
        append_run(at, at + length);
        emit(std::string_view(tok), at, at + length);
        tok.clear();
    };
    // Emits the current token, whose run ends at end.
    const auto finish = [&](std::size_t end) {
        if constexpr (Hashes) {
            if (tok.empty() && !run_expand) {
                emit_input(run_begin, end - run_begin);
                in_token = state::outside;
                return;
            }
        }
        if (tok.empty() && !run_upper && !run_expand) {
            emit(text.substr(run_begin, end - run_begin), run_begin, end);  // the input bytes are the token's
        } else {
            flush_run(end);
            emit(std::string_view(tok), token_start, end);
            tok.clear();
        }
        in_token = state::outside;
    };
    // Starts a token with the code point at pos: its input bytes when verbatim, else bytes.
    const auto start = [&](token_class cls, const char* bytes, std::size_t length, bool verbatim) {
        in_token = cls == token_class::standalone ? state::standalone : state::word;
        if constexpr (Spans) token_start = pos;
        run_begin = pos;
        run_upper = false;
        run_expand = false;
        if (!verbatim) tok.assign(bytes, length);
    };
    // One normalized code point (bytes, class) produced by the input code point at pos; verbatim:
    // it is that input code point unchanged. first: it is the first one that code point produced,
    // so pos may be a split point; otherwise a token cannot end here and false asks for the
    // normalizer. Before a non-verbatim code point the run is flushed.
    const auto feed = [&](token_class cls, const char* bytes, std::size_t length, bool first, bool verbatim) {
        switch (in_token) {
            case state::outside:
                if (first) split = pos;
                if (cls != token_class::separator) start(cls, bytes, length, verbatim);
                return true;
            case state::word:
                if (cls == token_class::word || cls == token_class::mark) {
                    if (!verbatim) tok.append(bytes, length);
                    return true;
                }
                break;
            case state::standalone:
                if (cls == token_class::mark) {
                    if (!verbatim) tok.append(bytes, length);
                    return true;
                }
                break;
        }
        if (!first) return false;
        finish(pos);
        split = pos;
        if (cls != token_class::separator) start(cls, bytes, length, verbatim);
        return true;
    };
    // A normalization-sensitive code point that the normalizer would find already in normal form,
    // known without running it: a mark (non-zero combining class) without a decomposition, after
    // a starter without a decomposition (not hangul) that it does not compose with, and followed
    // by a code point that ends the normal-form segment (ASCII, insensitive, or the end). The
    // segment [previous, cp] is then its own normal form, whichever starter the normalizer
    // remembered (it can only be previous, or none, or one before it all of whose text since is
    // in normal form).
    const auto has_decomposition = [&](char32_t c) {
        return !unicode::canonical_decomposition(c).empty() ||
               (nfk && !unicode::compatibility_decomposition(c).empty());
    };
    const auto already_normal = [&](char32_t cp, std::size_t at, std::size_t next) {
        if (at == 0 || unicode::combining_class(cp) == 0 || has_decomposition(cp)) return false;
        // The code point that ends at `at`: back over at most 3 continuation bytes.
        std::size_t from = at - 1;
        while (from > 0 && at - from < 4 && (in[from] & 0xC0) == 0x80) --from;
        const auto p = decode_utf8(text, from);
        if (!p.valid || from + p.length != at) return false;
        const char32_t previous = p.code_point;
        if ((previous >= 0x1100 && previous < 0x1200) || (previous >= 0xAC00 && previous < 0xD7A4)) return false;
        if (unicode::combining_class(previous) != 0 || has_decomposition(previous) ||
            unicode::compose(previous, cp) != 0)
            return false;
        if (next < n && in[next] >= 0x80) {
            const auto d = decode_utf8(text, next);
            if (d.valid && unicode::is_normalization_sensitive(d.code_point, nfk)) return false;
        }
        return true;
    };

    // The normalizer's output for [split, e), where e is the first hard boundary after the code
    // point at `at` (an ASCII separator, or an unmapped code point outside punctuation folding
    // that is a separator or standalone: each ends any token, and no normal-form segment
    // reaches past it), or the end of the text. When `sensitive` (the code point at `at`) is
    // already in normal form, it is taken here instead where it can be.
    const auto fall_back = [&](std::size_t at, std::size_t length, char32_t sensitive = 0) {
        const auto give_up = [&] {
            gave_up = true;
            in_token = state::outside;
            pos = n;
        };
        if (sensitive != 0 && already_normal(sensitive, at, at + length)) {
            // The normalizer finds the segment in normal form and maps the code point like any
            // other. Kept here when the mapping leaves it unchanged and it continues the token
            // (`at` is no split point, the code point being sensitive, so no token may end here).
            detail::code_point_buffer seq;
            if (!normalizer_.map_code_point(sensitive, seq) &&
                feed(detail::token_class_of(sensitive), text.data() + at, length, false, true)) {
                pos = at + length;
                return;
            }
        }
        if constexpr (Spans) {
            give_up();
            return;
        }
        std::size_t e = at + length;
        while (e < n) {
            const unsigned c = in[e];
            if (c < 0x80) {
                if (!detail::ascii_word.word[c]) break;
                ++e;
                continue;
            }
            const auto d = decode_utf8(text, e);
            if (d.valid && (unicode::property_byte(d.code_point) & mapped_bits) == 0 &&
                !(fold_punctuation && detail::maybe_punctuation(d.code_point))) {
                const token_class cls = detail::token_class_of(d.code_point);
                if (cls == token_class::separator || cls == token_class::standalone) break;
            }
            e += d.length;
        }
        normalizer_.normalize(text.substr(split, e - split), scratch);
        for_each_token(scratch, [&](const token& t) { emit(t.text, 0, 0); });  // without Spans only
        tok.clear();
        in_token = state::outside;
        split = e;
        pos = e;
    };
    // What the normalizer makes of a mapped or punctuation code point, remembered in a small
    // direct-mapped cache: the same few (quotes, capitals, accented letters) recur, and the
    // mapping tables are binary searches.
    using mapping = detail::code_point_mapping;
    constexpr std::size_t cache_slots = 64;
    char32_t cache_keys[cache_slots];
    std::fill(cache_keys, cache_keys + cache_slots, char32_t{0});  // 0 is ASCII, never looked up
    mapping cache[cache_slots];
    const auto lookup = [&](char32_t cp, bool mapped, bool punctuation) -> const mapping& {
        const std::size_t slot = (cp ^ (cp >> 6)) % cache_slots;
        mapping& m = cache[slot];
        if (cache_keys[slot] == cp) return m;
        cache_keys[slot] = cp;
        detail::map_for_pass(normalizer_, cp, mapped, punctuation, m);
        return m;
    };
    // ASCII from pos on, until a non-ASCII byte or the end, from bit masks of up to 64 bytes
    // (bit i for byte base + i). Each 8-byte word is classified on its low 7 bits, so no carry
    // crosses from a non-ASCII byte into its neighbours and the masks stay exact for every ASCII
    // byte: they are kept across the non-ASCII characters of the block. A block is computed at
    // the first ASCII byte outside the last one; its first word alone when that word holds a
    // non-ASCII byte, so a short ASCII stretch between non-ASCII characters (a space between
    // Cyrillic words) costs one word.
    struct masks {
        std::uint64_t word = 0, upper = 0, non_ascii = 0, expand = 0;  // expand: lead bytes of expanded letters
    };
    const auto gather = [](std::uint64_t marks) { return ((marks >> 7) * 0x0102040810204080ULL) >> 56; };
    // With Hashes: the block's bytes, ASCII capitals lower-cased when folding, with 8 bytes of
    // room either side, so a short token inside the block is hashed from two words read here
    // wherever it lies in the text (from_words ignores the bytes around the token).
    unsigned char block_bytes[Hashes ? 8 + 64 + 8 : 1] = {};
    const auto classify8 = [&](std::uint64_t w, unsigned shift, masks& m) {
        if constexpr (Hashes) store8(reinterpret_cast<char*>(block_bytes) + 8 + shift, fold_ascii ? lower_word_bytes(w) : w);
        const std::uint64_t high = w & detail::highs;
        const std::uint64_t low = w & ~detail::highs;
        m.word |= gather(detail::ascii_word_bytes(low) & ~high) << shift;
        if (!Hashes && fold_ascii) m.upper |= gather(detail::ascii_upper_bytes(low) & ~high) << shift;
        m.non_ascii |= gather(high) << shift;
    };
    // Two-byte code points the pass copies into words (copied_word) join the word mask: the
    // stride then goes on through "für", "naïve" or "привет". Bytes [0, length) of the block at
    // base; a lead byte in the last place stays non-ASCII for the per-code-point path.
    // Separators among them (a no-break space, typographic quotes and dashes) leave the
    // non-ASCII mask for neither: they end a token like an ASCII space. Each is a split point: it
    // is no normalization-sensitive code point, and a token boundary falls at it.
    const auto take_copied_letters = [&](masks& m, std::size_t at, unsigned length) {
        std::uint64_t todo = m.non_ascii;
        while (todo != 0) {
            const auto i = static_cast<unsigned>(std::countr_zero(todo));
            todo &= todo - 1;
            if (i + 1 >= length) break;
            const unsigned lead = in[at + i], next = in[at + i + 1];
            if ((next & 0xC0) != 0x80) continue;
            if (lead == 0xE2) {  // U+2000..U+2FFF
                if (i + 2 >= length || (in[at + i + 2] & 0xC0) != 0x80) continue;
                todo &= todo - 1;
                todo &= todo - 1;  // the continuation bytes
                const auto cp = static_cast<char32_t>(0x2000 | ((next & 0x3F) << 6) | (in[at + i + 2] & 0x3F));
                if (copied_->punctuation_separator(cp)) m.non_ascii &= ~(std::uint64_t{7} << i);
                continue;
            }
            if (lead < 0xC2 || lead >= 0xE0) continue;
            todo &= todo - 1;  // the continuation byte
            // Branch-free from the code point's role byte: letters of each kind alternate at random.
            const unsigned role = copied_->two_byte_roles[(((lead & 0x1F) << 6) | (next & 0x3F)) - 0x80];
            const std::uint64_t both = std::uint64_t{3} << i;
            m.word |= both & (0 - static_cast<std::uint64_t>((role >> 1) & 1));
            m.non_ascii &= ~(both & (0 - static_cast<std::uint64_t>(role & 1)));
            m.expand |= static_cast<std::uint64_t>((role >> 2) & 1) << i;
        }
    };
    masks block;
    std::size_t base = 0, block_end = 0;  // block holds the masks of [base, block_end)
    const auto ascii_stretch = [&]() DITTO_LAMBDA_ALWAYS_INLINE {
        if (in_token == state::standalone) {  // ASCII has no marks: the token ends here
            finish(pos);
            split = pos;
        }
        while (pos < n) {
            if (pos >= block_end || pos < base) {
                block = masks{};
                base = pos;
                if (pos + 64 <= n) {
                    classify8(detail::load8(in + pos), 0, block);
                    block_end = pos + 8;
                    if (block.non_ascii != 0) take_copied_letters(block, pos, 8);
                    // All ASCII or copied letters but perhaps a lead byte in the last place, whose
                    // continuation the whole block holds.
                    if ((block.non_ascii & 0x7F) == 0) {
                        for (unsigned k = 1; k < 8; ++k) classify8(detail::load8(in + pos + 8 * k), 8 * k, block);
                        if (block.non_ascii != 0) take_copied_letters(block, pos, 64);
                        block_end = pos + 64;
                    }
                } else {
                    const auto length = static_cast<unsigned>(n - pos);
                    unsigned char tail[64] = {};
                    std::memcpy(tail, in + pos, length);
                    for (unsigned k = 0; k < 8; ++k) classify8(detail::load8(tail + 8 * k), 8 * k, block);
                    if (block.non_ascii != 0) take_copied_letters(block, pos, length);
                    block_end = n;
                }
            }
            const auto offset = static_cast<unsigned>(pos - base);
            const auto size = static_cast<unsigned>(block_end - pos);
            const std::uint64_t non_ascii = block.non_ascii >> offset;
            const unsigned limit =
                non_ascii != 0 ? static_cast<unsigned>(std::countr_zero(non_ascii)) : size;  // <= size <= 64
            const std::uint64_t valid = limit == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << limit) - 1;
            const std::uint64_t word = (block.word >> offset) & valid;
            const std::uint64_t upper = block.upper >> offset;
            const std::uint64_t expand = block.expand >> offset;
            const std::uint64_t carry = in_token == state::word ? 1 : 0;
            std::uint64_t starts = word & ~((word << 1) | carry);
            std::uint64_t ends = ~word & ((word << 1) | carry) & valid;
            if (in_token == state::word) {
                if (ends == 0) {  // the token goes on past this stretch
                    run_upper |= (upper & valid) != 0;
                    run_expand |= (expand & valid) != 0;
                    pos += limit;
                    if (limit < size) return;
                    continue;
                }
                const unsigned e = static_cast<unsigned>(std::countr_zero(ends));
                ends &= ends - 1;
                run_upper |= (upper & ((std::uint64_t{1} << e) - 1)) != 0;
                run_expand |= (expand & ((std::uint64_t{1} << e) - 1)) != 0;
                finish(pos + e);
                split = pos + e;
            }
            while (starts != 0) {
                const unsigned b = static_cast<unsigned>(std::countr_zero(starts));
                starts &= starts - 1;
                if (ends == 0) {  // the last token goes on past this stretch
                    in_token = state::word;
                    if constexpr (Spans) token_start = pos + b;
                    run_begin = pos + b;
                    run_upper = (upper & valid & ~((std::uint64_t{1} << b) - 1)) != 0;
                    run_expand = (expand & valid & ~((std::uint64_t{1} << b) - 1)) != 0;
                    split = pos + b;
                    break;
                }
                const unsigned e = static_cast<unsigned>(std::countr_zero(ends));
                ends &= ends - 1;
                const std::uint64_t expanded = expand == 0 ? 0 : expand & (((std::uint64_t{1} << (e - b)) - 1) << b);
                if (expanded != 0) {
                    emit_expanded(pos + b, e - b, expanded >> b);
                } else if constexpr (Hashes) {
                    const std::size_t at = pos + b, length = e - b;
                    if (length <= detail::token_hasher::short_limit) {
                        const unsigned char* p = block_bytes + 8 + (at - base);
                        f(token_hash_.from_words(detail::load8(p), detail::load8(p + length - 8), length));
                    } else {
                        emit_lowered(at, length);
                    }
                } else {
                    const std::uint64_t span = ((std::uint64_t{1} << (e - b)) - 1) << b;
                    if ((upper & span) == 0) {
                        emit(std::string_view(text.data() + pos + b, e - b), pos + b, pos + e);
                    } else {
                        emit_lowered(pos + b, e - b);
                    }
                }
                split = pos + e;
            }
            pos += limit;
            if (limit < size) return;
        }
    };

    while (pos < n) {
        if (in[pos] < 0x80) {
            ascii_stretch();
            continue;
        }
        // The well-formed 2- and 3-byte forms inline (what decode_utf8 also takes first).
        const unsigned lead = in[pos];
        decoded_code_point d;
        if (lead >= 0xC2 && lead < 0xE0 && pos + 1 < n && (in[pos + 1] & 0xC0) == 0x80) {
            d = {static_cast<char32_t>(((lead & 0x1F) << 6) | (in[pos + 1] & 0x3Fu)), 2, true};
        } else if (lead > 0xE0 && lead < 0xF0 && lead != 0xED && pos + 2 < n && (in[pos + 1] & 0xC0) == 0x80 &&
                   (in[pos + 2] & 0xC0) == 0x80) {
            d = {static_cast<char32_t>(((lead & 0x0F) << 12) | ((in[pos + 1] & 0x3Fu) << 6) | (in[pos + 2] & 0x3Fu)), 3,
                 true};
        } else {
            d = decode_utf8(text, pos);
            if (!d.valid) {
                fall_back(pos, d.length);
                continue;
            }
        }
        const char32_t cp = d.code_point;
        const std::size_t next = pos + d.length;
        // The input code point before this one, when known: an ASCII byte or the last decoded one.
        const std::uint8_t property = unicode::property_byte(cp);
        const char* here = text.data() + pos;
        if (collapse && unicode::is_white_space(cp, property)) {
            // The normalizer turns it into (part of) a space run before anything else.
            feed(token_class::separator, " ", 1, true, false);
        } else {
            const bool punctuation = fold_punctuation && detail::maybe_punctuation(cp);
            const bool mapped = (property & mapped_bits) != 0;
            if (!punctuation && !mapped) {  // the normalizer copies it
                feed(detail::token_class_of(cp), here, d.length, true, true);
                pos = next;
                continue;
            }
            const mapping& m = lookup(cp, mapped, punctuation);
            if (m.kind == mapping::sensitive) {
                fall_back(pos, d.length, cp);
                continue;
            }
            if (m.kind == mapping::unchanged) {
                feed(detail::token_class_of(cp), here, d.length, true, true);
                pos = next;
                continue;
            }
            if constexpr (Spans) {
                // The offset map gives deleted bytes to the output before them. Inside a token
                // that may be the token's last code point: given up. Outside one they follow a
                // separator, which no span includes — unless it is trailing white space, dropped
                // by collapse_whitespace, when they go to the last token: so the pass gives up at
                // the end if no token followed (tokens_given is checked there).
                if (m.size == 0) {
                    if (in_token != state::outside) {
                        fall_back(pos, d.length);  // gives up
                        continue;
                    }
                    if (tokens_given > 0) deleted_after = tokens_given;
                }
            }
            if (in_token != state::outside) flush_run(pos);
            bool handled = true;
            for (std::size_t k = 0; k < m.size && handled; ++k) {
                char bytes[4];
                const std::size_t length = encode_utf8(m.out[k], bytes);
                handled = feed(detail::token_class_of(m.out[k]), bytes, length, k == 0, false);
            }
            if (!handled) {
                fall_back(pos, d.length);
                continue;
            }
        }
        pos = next;
        run_begin = next;
        run_upper = false;
        run_expand = false;
    }
    if (in_token != state::outside) finish(n);
    if constexpr (Hashes) given = f;
    if constexpr (Spans) {
        if (deleted_after != 0 && deleted_after == tokens_given) return false;
    }
    return !gave_up;
}

}  // namespace ditto
