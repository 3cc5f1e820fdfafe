#pragma once
// Word tokens: maximal runs of letters, marks and numbers (general categories L*, M*, N*).
// Every ideograph, kana and hangul syllable is a token by itself (with any marks that follow
// it), since those scripts do not separate words with spaces. Everything else separates tokens;
// ill-formed UTF-8 separates tokens too. Each token carries its byte offset in the text.
// Iterating allocates nothing.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <string_view>

#include <ditto/detail/swar.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto {

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

/// Calls f(token) for each token of text: the loop form, for when a range is not needed.
template <class F>
void for_each_token(std::string_view text, F&& f) {
    for (std::size_t pos = 0;;) {
        const token t = detail::next_token(text, pos);
        if (t.text.empty()) return;
        f(t);
        pos = t.offset + t.text.size();
    }
}

}  // namespace ditto
