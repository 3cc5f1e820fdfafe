#pragma once
// Word tokens: maximal runs of letters, marks and numbers (general categories L*, M*, N*).
// Every ideograph, kana and hangul syllable is a token by itself (with any marks that follow
// it), since those scripts do not separate words with spaces. Everything else separates tokens;
// ill-formed UTF-8 separates tokens too. Each token carries its byte offset in the text.
// Iterating allocates nothing.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <string_view>

#include <ditto/detail/swar.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

/// A token: its bytes (a view into the tokenized text) and their offset in that text.
struct token {
    std::string_view text;
    std::size_t offset = 0;
    friend bool operator==(const token&, const token&) = default;
};

namespace detail {

// Character classes for the tokenizer.
enum class token_class : unsigned char { separator, word, standalone, mark };

struct classified {
    token_class cls;
    std::size_t length;
};

// ASCII letters and digits are word characters; every other ASCII byte separates.
inline constexpr auto ascii_word = [] {
    struct table {
        bool word[128];
    } t{};
    for (int c = 0; c < 128; ++c) t.word[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return t;
}();

// The class of one (valid) code point: what classify gives for its UTF-8 bytes.
[[nodiscard]] inline token_class token_class_of(char32_t cp) noexcept {
    if (cp < 0x80) return ascii_word.word[cp] ? token_class::word : token_class::separator;
    const std::uint8_t p = unicode::property_byte(cp);
    const auto category = static_cast<unicode::general_category>(p & unicode::detail::category_bits);
    if (p & unicode::detail::standalone_bit) return token_class::standalone;
    if (category >= unicode::general_category::Mn && category <= unicode::general_category::Me)
        return token_class::mark;
    if (category <= unicode::general_category::No) return token_class::word;
    return token_class::separator;
}

[[nodiscard]] inline classified classify(std::string_view text, std::size_t pos) noexcept {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) return {ascii_word.word[c] ? token_class::word : token_class::separator, 1};
    const auto d = decode_utf8(text, pos);
    if (!d.valid) return {token_class::separator, d.length};
    const std::uint8_t p = unicode::property_byte(d.code_point);
    const auto category = static_cast<unicode::general_category>(p & unicode::detail::category_bits);
    if (p & unicode::detail::standalone_bit) return {token_class::standalone, d.length};
    if (category >= unicode::general_category::Mn && category <= unicode::general_category::Me)
        return {token_class::mark, d.length};
    if (category <= unicode::general_category::No) return {token_class::word, d.length};
    return {token_class::separator, d.length};
}

// Finds the token that starts at or after pos; returns it with end() == text.size() when none.
[[nodiscard]] inline token next_token(std::string_view text, std::size_t pos) noexcept {
    const std::size_t n = text.size();
    // Skip separators; ASCII separators are skipped without decoding.
    classified k{token_class::separator, 0};
    for (;;) {
        // 8 bytes at a time while they are all ASCII separators.
        while (pos + 8 <= n) {
            const std::uint64_t word = load8(text.data() + pos);
            const std::uint64_t stop = ascii_word_bytes(word) | (word & highs);
            if (stop != 0) {
                pos += first_marked_byte(stop);
                break;
            }
            pos += 8;
        }
        while (pos < n && static_cast<unsigned char>(text[pos]) < 0x80 &&
               !ascii_word.word[static_cast<unsigned char>(text[pos])])
            ++pos;
        if (pos >= n) return {text.substr(n), n};
        k = classify(text, pos);
        if (k.cls != token_class::separator) break;
        pos += k.length;
    }
    const std::size_t begin = pos;
    pos += k.length;
    if (k.cls == token_class::standalone) {
        // A standalone character takes the marks that follow it (e.g. a combining voiced sound mark).
        while (pos < n) {
            const auto m = classify(text, pos);
            if (m.cls != token_class::mark) break;
            pos += m.length;
        }
        return {text.substr(begin, pos - begin), begin};
    }
    while (pos < n) {
        // 8 bytes at a time while they are all ASCII word bytes.
        if (pos + 8 <= n) {
            const std::uint64_t word = load8(text.data() + pos);
            const std::uint64_t stop = ~ascii_word_bytes(word) & highs;
            if (stop == 0) {
                pos += 8;
                continue;
            }
            pos += first_marked_byte(stop);
        }
        const auto c = static_cast<unsigned char>(text[pos]);
        if (c < 0x80) {
            if (!ascii_word.word[c]) break;
            ++pos;
            continue;
        }
        const auto m = classify(text, pos);
        if (m.cls != token_class::word && m.cls != token_class::mark) break;
        pos += m.length;
    }
    return {text.substr(begin, pos - begin), begin};
}

}  // namespace detail

/// The tokens of one text, as a forward range. Holds a view of the text: the text must outlive it.
class token_range : public std::ranges::view_interface<token_range> {
public:
    class iterator {
    public:
        using value_type = token;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::forward_iterator_tag;
        using iterator_concept = std::forward_iterator_tag;

        iterator() = default;
        iterator(std::string_view text, std::size_t pos) noexcept
            : text_(text), current_(detail::next_token(text, pos)) {}

        [[nodiscard]] const token& operator*() const noexcept { return current_; }
        [[nodiscard]] const token* operator->() const noexcept { return &current_; }
        iterator& operator++() noexcept {
            current_ = detail::next_token(text_, current_.offset + current_.text.size());
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator copy = *this;
            ++*this;
            return copy;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.current_.offset == b.current_.offset;
        }
        friend bool operator==(const iterator& a, std::default_sentinel_t) noexcept {
            return a.current_.text.empty();
        }

    private:
        std::string_view text_;
        token current_{};
    };

    token_range() = default;
    explicit token_range(std::string_view text) noexcept : text_(text) {}

    [[nodiscard]] iterator begin() const noexcept { return iterator(text_, 0); }
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

private:
    std::string_view text_;
};

/// The default tokenizer: word_tokenizer{}(text) is the range of text's tokens.
struct word_tokenizer {
    [[nodiscard]] token_range operator()(std::string_view text) const noexcept { return token_range(text); }
};

namespace detail {

// The word bytes ([0-9A-Za-z]) and the non-ASCII bytes of 64 bytes, one bit per byte.
struct block_masks {
    std::uint64_t word = 0;
    std::uint64_t non_ascii = 0;
};

[[nodiscard]] inline block_masks classify_block(const char* p) noexcept {
    block_masks m;
    for (int i = 0; i < 8; ++i) {
        const std::uint64_t w = load8(p + 8 * i);
        // The high bit of each byte, gathered into 8 bits: (x >> 7) keeps one bit per byte,
        // and the multiply moves byte k's bit to bit 56 + k.
        const auto gather = [](std::uint64_t marks) {
            return ((marks >> 7) * 0x0102040810204080ULL) >> 56;
        };
        m.word |= gather(ascii_word_bytes(w)) << (8 * i);
        m.non_ascii |= gather(w & highs) << (8 * i);
    }
    return m;
}

}  // namespace detail

/// Calls f(token) for each token of text: the loop form, for when a range is not needed. Same
/// tokens as the range form. The text is scanned 64 bytes at a time as bit masks (word bytes,
/// non-ASCII bytes), so ASCII token boundaries come from bit arithmetic rather than from a byte
/// load per boundary; only non-ASCII characters (and the byte after one, whose mask bit a carry
/// may have spoilt) are looked at one by one.
template <class F>
void for_each_token(std::string_view text, F&& f) {
    const std::size_t n = text.size();
    std::size_t pos = 0;
    bool in_token = false;  // a token started at `start` continues at pos
    std::size_t start = 0;
    // Continues or ends the current token at pos: through the non-ASCII word characters and
    // marks from there, one by one (a run of Cyrillic or Greek goes on here, not back through
    // the masks for each letter), then one ASCII byte.
    const auto step_in_token = [&](std::size_t at) {
        for (;;) {
            const auto c = static_cast<unsigned char>(text[at]);
            if (c < 0x80) {
                if (detail::ascii_word.word[c]) return at + 1;
                break;
            }
            const auto k = detail::classify(text, at);
            if (k.cls != detail::token_class::word && k.cls != detail::token_class::mark) break;
            at += k.length;
            if (at == n) return at;
        }
        f(token{text.substr(start, at - start), start});
        in_token = false;
        return at;
    };
    // Outside a token: skips one character or starts a token with it (a standalone character
    // and the marks after it are a whole token).
    const auto step_outside = [&](std::size_t at) {
        const auto c = static_cast<unsigned char>(text[at]);
        if (c < 0x80) {
            if (detail::ascii_word.word[c]) {
                start = at;
                in_token = true;
            }
            return at + 1;
        }
        const auto k = detail::classify(text, at);
        if (k.cls == detail::token_class::separator) return at + k.length;
        if (k.cls != detail::token_class::standalone) {
            start = at;
            in_token = true;
            return at + k.length;
        }
        std::size_t end = at + k.length;
        while (end < n) {
            const auto m = detail::classify(text, end);
            if (m.cls != detail::token_class::mark) break;
            end += m.length;
        }
        f(token{text.substr(at, end - at), at});
        return end;
    };
    while (pos < n) {
        const std::size_t block = pos & ~std::size_t{63};
        if (block + 64 > n) {  // the tail, one character at a time
            pos = in_token ? step_in_token(pos) : step_outside(pos);
            continue;
        }
        const detail::block_masks m = detail::classify_block(text.data() + block);
        const std::uint64_t uncertain = m.non_ascii | (m.non_ascii << 1);
        const std::uint64_t word = m.word & ~uncertain;
        const std::size_t end = block + 64;
        while (pos < end) {
            const unsigned offset = static_cast<unsigned>(pos - block);
            // The next position that needs a decision: where a token ends (in a token) or starts
            // (outside), or a byte that must be looked at.
            const std::uint64_t interesting = ((in_token ? ~word : word) | uncertain) >> offset;
            if (interesting == 0) {
                pos = end;
                break;
            }
            const std::size_t at = pos + static_cast<std::size_t>(std::countr_zero(interesting));
            if ((uncertain >> (at - block)) & 1) {
                pos = in_token ? step_in_token(at) : step_outside(at);
            } else if (in_token) {
                f(token{text.substr(start, at - start), start});
                in_token = false;
                pos = at;
            } else {
                start = at;
                in_token = true;
                pos = at;
            }
        }
    }
    if (in_token) f(token{text.substr(start, n - start), start});
}

}  // namespace ditto
