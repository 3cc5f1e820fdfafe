#pragma once
// Normalize, tokenize and word-shingle in one pass over the raw text: the same shingle hashes, in
// the same order, as normalizer::normalize followed by word_shingler over the result, without
// writing the normalized text.
//
// Most text needs nothing of the normalizer but ASCII lower-casing and per-code-point lookups, so
// the pass reproduces those steps itself: ASCII 8 bytes at a time (word bytes, capitals and
// non-ASCII bytes found with SWAR masks; an ASCII token without capitals is hashed straight from
// the input), other code points by their property byte (copied, or mapped by the normalizer's own
// per-code-point mapping and punctuation folding). Whatever may change under canonical
// equivalence (combining marks, non-NFC forms) and ill-formed UTF-8 go to the normalizer itself:
// the pass runs it on the stretch from the last "split point" to the next hard boundary and
// tokenizes that stretch's output with for_each_token.
//
// A split point is the input position of a code point that needs no normalization context (not
// normalization-sensitive, so nothing before it composes with it and a normal-form segment
// restarts there) and at which a token boundary falls in the normalized text (every token before
// it has ended). Normalizing the text in pieces cut at split points gives the tokens of
// normalizing it whole. Tokens are only emitted at split points, so falling back never takes back
// a token already emitted. tests/text/normalizing_shingler.cpp checks all this against the
// reference on random and hand-written inputs under every option combination.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/detail/swar.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/token_hash.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto {

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
        detail::with_ring<std::uint64_t>(k_, [&](std::uint64_t* ring) {
            std::uint64_t window = 0;
            std::size_t count = 0, slot = 0;
            for_each_normalized_token(text, [&](std::string_view token) {
                const std::uint64_t h = hash_token(token);
                if (count >= k_) window -= ring[slot] * power_;
                window = window * detail::shingle_base + h;
                ring[slot] = h;
                slot = slot + 1 == k_ ? 0 : slot + 1;
                if (++count >= k_) sink(mix64(window, seed_));
            });
            if (count > 0 && count < k_) sink(mix64(window, seed_));
        });
    }

    /// The shingle hashes of the normalized text, in text order (repeats included).
    [[nodiscard]] std::vector<std::uint64_t> operator()(std::string_view text) const {
        return detail::collect_shingles(*this, text);
    }

    /// Calls f(bytes) with the bytes of each token of normalize(text), in order: the tokens
    /// for_each_token finds in the normalized text. The view is valid during the call only.
    template <class F>
    void for_each_normalized_token(std::string_view text, F&& f) const;

private:
    [[nodiscard]] std::uint64_t hash_token(std::string_view token) const {
        if constexpr (std::is_same_v<H, default_hasher>) {
            return token_hash_(token);
        } else {
            return hash_(token, seed_);
        }
    }

    normalizer normalizer_;
    std::size_t k_;
    std::uint64_t seed_;
    std::uint64_t power_;
    H hash_;
    detail::token_hasher token_hash_;
};

template <hasher H>
template <class F>
void normalizing_word_shingler<H>::for_each_normalized_token(std::string_view text, F&& f) const {
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
    const char32_t first_sensitive =
        nfk ? unicode::data::nfkc_first_sensitive : unicode::data::nfc_first_sensitive;
    constexpr std::uint8_t mapped_bits = unicode::detail::mapped_bit | unicode::detail::strippable_mark_bit;

    enum class state { outside, word, standalone };
    state in_token = state::outside;
    std::size_t pos = 0;
    std::size_t split = 0;  // the last split point: every token before it was emitted
    // The current token is tok followed by the normalized form of input [run_begin, pos): input
    // bytes that normalize to themselves but for ASCII capitals, which run_upper tracks.
    std::size_t run_begin = 0;
    bool run_upper = false;
    std::string tok;
    std::string scratch;  // the normalizer's output for a stretch it handles

    const auto flush_run = [&](std::size_t end) {
        for (std::size_t i = run_begin; i < end; ++i) tok.push_back(static_cast<char>(in[i] < 0x80 ? ascii.folded[in[i]] : in[i]));
        run_begin = end;
        run_upper = false;
    };
    // Emits the current token, whose run ends at end.
    const auto finish = [&](std::size_t end) {
        if (tok.empty() && !run_upper) {
            f(text.substr(run_begin, end - run_begin));  // the input bytes are the token's
        } else {
            flush_run(end);
            f(std::string_view(tok));
            tok.clear();
        }
        in_token = state::outside;
    };
    // Starts a token with the code point at pos: its input bytes when verbatim, else bytes.
    const auto start = [&](token_class cls, const char* bytes, std::size_t length, bool verbatim) {
        in_token = cls == token_class::standalone ? state::standalone : state::word;
        run_begin = pos;
        run_upper = false;
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
    // The normalizer's output for [split, e), where e is the first hard boundary after the code
    // point at `at` (an ASCII separator, or an unmapped code point outside punctuation folding
    // that is a separator or standalone: each ends any token, and no normal-form segment
    // reaches past it), or the end of the text.
    const auto fall_back = [&](std::size_t at, std::size_t length) {
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
        for_each_token(scratch, [&](const token& t) { f(t.text); });
        tok.clear();
        in_token = state::outside;
        split = e;
        pos = e;
    };
    // ASCII from pos on, up to 64 bytes at a time as bit masks (bit i for byte pos + i), until a
    // non-ASCII byte or the end. The first 8 bytes are looked at alone, so that a short ASCII
    // stretch between non-ASCII characters (a space between Cyrillic words) costs one word.
    struct masks {
        std::uint64_t word = 0, upper = 0, non_ascii = 0;
    };
    const auto gather = [](std::uint64_t marks) { return ((marks >> 7) * 0x0102040810204080ULL) >> 56; };
    const auto classify8 = [&](std::uint64_t w, unsigned shift, masks& m) {
        m.word |= gather(detail::ascii_word_bytes(w)) << shift;
        if (fold_ascii) m.upper |= gather(detail::ascii_upper_bytes(w)) << shift;
        m.non_ascii |= gather(w & detail::highs) << shift;
    };
    const auto ascii_stretch = [&] {
        while (pos < n) {
            if (in_token == state::standalone) {  // ASCII has no marks: the token ends here
                finish(pos);
                split = pos;
            }
            masks m;
            unsigned length = 64;
            if (pos + 64 <= n) {
                classify8(detail::load8(in + pos), 0, m);
                if (m.non_ascii == 0)
                    for (unsigned k = 1; k < 8; ++k) classify8(detail::load8(in + pos + 8 * k), 8 * k, m);
            } else {
                length = static_cast<unsigned>(n - pos);
                std::uint64_t w[8] = {};
                for (unsigned i = 0; i < length; ++i) w[i / 8] |= std::uint64_t{in[pos + i]} << (8 * (i % 8));
                for (unsigned k = 0; k < 8; ++k) classify8(w[k], 8 * k, m);
            }
            const unsigned limit =
                m.non_ascii != 0 ? static_cast<unsigned>(std::countr_zero(m.non_ascii)) : length;
            const std::uint64_t valid = limit == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << limit) - 1;
            const std::uint64_t word = m.word & valid;
            const std::uint64_t carry = in_token == state::word ? 1 : 0;
            std::uint64_t starts = word & ~((word << 1) | carry);
            std::uint64_t ends = ~word & ((word << 1) | carry) & valid;
            if (in_token == state::word) {
                if (ends == 0) {  // the token goes on past this stretch
                    run_upper |= (m.upper & valid) != 0;
                    pos += limit;
                    if (limit < 64) return;
                    continue;
                }
                const unsigned e = static_cast<unsigned>(std::countr_zero(ends));
                ends &= ends - 1;
                run_upper |= (m.upper & ((std::uint64_t{1} << e) - 1)) != 0;
                finish(pos + e);
                split = pos + e;
            }
            while (starts != 0) {
                const unsigned b = static_cast<unsigned>(std::countr_zero(starts));
                starts &= starts - 1;
                if (ends == 0) {  // the last token goes on past this stretch
                    in_token = state::word;
                    run_begin = pos + b;
                    run_upper = (m.upper & valid & ~((std::uint64_t{1} << b) - 1)) != 0;
                    split = pos + b;
                    break;
                }
                const unsigned e = static_cast<unsigned>(std::countr_zero(ends));
                ends &= ends - 1;
                const std::uint64_t span = ((std::uint64_t{1} << (e - b)) - 1) << b;
                if ((m.upper & span) == 0) {
                    f(text.substr(pos + b, e - b));
                } else {
                    for (unsigned i = b; i < e; ++i) tok.push_back(ascii.folded[in[pos + i]]);
                    f(std::string_view(tok));
                    tok.clear();
                }
                split = pos + e;
            }
            pos += limit;
            if (limit < 64) return;
        }
    };

    while (pos < n) {
        if (in[pos] < 0x80) {
            ascii_stretch();
            continue;
        }
        const auto d = decode_utf8(text, pos);
        if (!d.valid) {
            fall_back(pos, d.length);
            continue;
        }
        const char32_t cp = d.code_point;
        const std::size_t next = pos + d.length;
        const std::uint8_t property = unicode::property_byte(cp);
        const char* here = text.data() + pos;
        if (collapse && unicode::is_white_space(cp, property)) {
            // The normalizer turns it into (part of) a space run before anything else.
            feed(token_class::separator, " ", 1, true, false);
        } else {
            const bool punctuation = fold_punctuation && detail::maybe_punctuation(cp);
            const bool mapped = (property & mapped_bits) != 0;
            // The normalizer checks canonical equivalence first, then maps the code point.
            if (mapped && canonical && cp >= first_sensitive && unicode::is_normalization_sensitive(cp, nfk)) {
                fall_back(pos, d.length);
                continue;
            }
            detail::code_point_buffer seq;
            const bool changed = mapped && normalizer_.map_code_point(cp, seq);
            if (!punctuation && !changed) {  // the normalizer copies it
                feed(detail::token_class_of(cp), here, d.length, true, true);
                pos = next;
                continue;
            }
            if (!changed) {
                seq.size = 0;
                seq.push(cp);
            }
            // The normalizer's per-code-point steps: mappings, then punctuation folding.
            if (in_token != state::outside) flush_run(pos);
            bool first = true, handled = true;
            for (std::size_t k = 0; k < seq.size && handled; ++k) {
                const char* folded = fold_punctuation ? detail::punctuation_folding(seq.data[k]) : nullptr;
                if (folded == nullptr) {
                    char bytes[4];
                    const std::size_t length = encode_utf8(seq.data[k], bytes);
                    handled = feed(detail::token_class_of(seq.data[k]), bytes, length, first, false);
                    first = false;
                }
                for (; folded != nullptr && *folded != '\0' && handled; ++folded, first = false)
                    handled = feed(token_class::separator, folded, 1, first, false);
            }
            if (!handled) {
                fall_back(pos, d.length);
                continue;
            }
        }
        pos = next;
        run_begin = next;
        run_upper = false;
    }
    if (in_token != state::outside) finish(n);
}

}  // namespace ditto
