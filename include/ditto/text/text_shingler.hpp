#pragma once
// The shingles of a document as ditto::dedup and a stored index make them: the text normalized,
// then word k-shingles or character k-grams, the kind chosen at run time.
//
// Character k-grams are taken over the normalized text (normalizer, then char_shingler), so the
// normalizer decides what a character is: case folded, punctuation folded and, with
// collapse_whitespace (the default), every whitespace run one space and the ends trimmed. The
// space between two words is a character of the grams that span it, so word boundaries count
// but the amount of whitespace does not. Ill-formed UTF-8 has been replaced (U+FFFD), removed or
// refused by the normalizer before any gram is made. As with word shingles, a normalized text
// shorter than k code points gives one gram of the whole text, and an empty one gives none.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/normalizing_shingler.hpp>

namespace ditto::inline v0_1 {

/// The character k-gram hashes of normalize(text): for every text,
/// normalizing_char_shingler(options, k, seed)(text, sink) calls sink with exactly the hashes that
/// char_shingler<>(k, seed)(normalizer(options)(text), sink) does.
template <hasher H = default_hasher>
class normalizing_char_shingler {
public:
    /// Throws std::invalid_argument unless 1 <= k <= max_shingle_size.
    explicit normalizing_char_shingler(const normalize_options& options = {}, std::size_t k = 5,
                                       std::uint64_t seed = default_seed, H hash = {})
        : normalizer_(options), shingle_(k, seed, std::move(hash)) {}

    [[nodiscard]] const normalize_options& options() const noexcept { return normalizer_.options(); }
    [[nodiscard]] std::size_t k() const noexcept { return shingle_.k(); }
    [[nodiscard]] std::uint64_t seed() const noexcept { return shingle_.seed(); }

    /// Calls sink(hash) for each k-gram of the normalized text, in text order.
    template <shingle_sink F>
    void operator()(std::string_view text, F&& sink) const {
        std::string normalized;
        normalizer_.normalize(text, normalized);
        shingle_(std::string_view(normalized), sink);
    }

    /// The k-gram hashes of the normalized text, in text order (repeats included).
    [[nodiscard]] std::vector<std::uint64_t> operator()(std::string_view text) const {
        return detail::collect_shingles(*this, text);
    }

private:
    normalizer normalizer_;
    char_shingler<H> shingle_;
};

/// Word shingles (normalizing_word_shingler) or character k-grams (normalizing_char_shingler) of
/// normalized text, by a kind given at run time.
class text_shingler {
public:
    /// Throws std::invalid_argument unless 1 <= k <= max_shingle_size.
    text_shingler(shingle_kind kind, const normalize_options& options, std::size_t k, std::uint64_t seed = default_seed)
        : kind_(kind), words_(options, k, seed), chars_(options, k, seed) {}

    [[nodiscard]] shingle_kind kind() const noexcept { return kind_; }
    [[nodiscard]] std::size_t k() const noexcept { return words_.k(); }

    /// Calls sink(hash) for each shingle of the normalized text, in text order.
    template <shingle_sink F>
    void operator()(std::string_view text, F&& sink) const {
        if (kind_ == shingle_kind::words) words_(text, sink);
        else chars_(text, sink);
    }

    /// Appends the shingle hashes of the normalized text to out, in text order (as operator()
    /// with a sink that pushes them back). On an exception out is as it was.
    void append_to(std::string_view text, std::vector<std::uint64_t>& out) const {
        if (kind_ == shingle_kind::words) {
            words_.append_to(text, out);
            return;
        }
        const std::size_t size = out.size();
        try {
            chars_(text, [&](std::uint64_t h) { out.push_back(h); });
        } catch (...) {
            out.resize(size);
            throw;
        }
    }

    /// The shingle hashes of the normalized text, in text order (repeats included).
    [[nodiscard]] std::vector<std::uint64_t> operator()(std::string_view text) const {
        return detail::collect_shingles(*this, text);
    }

private:
    shingle_kind kind_;
    normalizing_word_shingler<> words_;
    normalizing_char_shingler<> chars_;
};

}  // namespace ditto
