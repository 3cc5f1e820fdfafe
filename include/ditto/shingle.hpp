#pragma once
// Shingles as a stream of 64-bit hashes.
//
// Word k-shingles: each token's bytes are hashed once; the hash of k consecutive tokens is the
// polynomial h[0]*B^(k-1) + ... + h[k-1] (mod 2^64) over their token hashes, updated in O(1) per
// token as the window slides, then mixed with the seed by ditto::mix64. A text with fewer than k
// tokens yields exactly one shingle, the same polynomial over all its tokens; an empty text
// (no tokens) yields none.
//
// Character k-grams: the hash of the bytes of k consecutive code points (ill-formed UTF-8 counts
// one code point per maximal subpart). A non-empty text shorter than k code points yields one
// k-gram of the whole text.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/detail/inline.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

/// The largest shingle size accepted, in tokens or code points.
inline constexpr std::size_t max_shingle_size = 1024;

/// What a shingle is: k consecutive words (tokens), or k consecutive code points.
enum class shingle_kind : std::uint8_t { words = 0, characters = 1 };

/// The largest character k-gram the pipeline accepts (dedup_options): a gram costs O(k) to hash,
/// and grams longer than a sentence say nothing that word shingles do not.
inline constexpr std::size_t max_char_shingle_size = 64;

namespace detail {

// The multiplier of the word-shingle polynomial: odd, so multiplication by it is a bijection.
inline constexpr std::uint64_t shingle_base = 0xdc22c46963e968fdULL;

inline void check_shingle_size(const char* who, std::size_t k) {
    if (k < 1 || k > max_shingle_size)
        throw_invalid_argument(who, "k", "in [1, 1024]", std::to_string(k));
}

// A ring of k values: on the stack for the usual small k, on the heap beyond.
template <class T, class F>
decltype(auto) with_ring(std::size_t k, F&& f) {
    constexpr std::size_t small = 32;
    if (k <= small) {
        std::array<T, small> ring{};
        return std::forward<F>(f)(ring.data());
    }
    std::vector<T> ring(k);
    return std::forward<F>(f)(ring.data());
}

// A sink that appends to a vector through a cursor over a buffer of the caller's (on its stack),
// for shingle_roller to hold by value: a scanning loop then keeps the cursor in a register, where
// push_back would load and store the vector's end for every hash. A full buffer is appended to the
// vector in one piece, as is what is left at finish(): nothing is written twice or zero-filled.
class vector_appender {
public:
    static constexpr std::size_t buffer_size = 256;
    vector_appender(std::vector<std::uint64_t>& out, std::uint64_t (&buffer)[buffer_size])
        : out_(&out), begin_(buffer), next_(buffer), end_(buffer + buffer_size) {}
    DITTO_ALWAYS_INLINE void operator()(std::uint64_t h) {
        if (next_ == end_) flush();
        *next_++ = h;
    }
    /// Appends what the buffer holds to the vector.
    void finish() { flush(); }

private:
    void flush() {
        out_->insert(out_->end(), begin_, next_);
        next_ = begin_;
    }
    std::vector<std::uint64_t>* out_;
    std::uint64_t* begin_;
    std::uint64_t* next_;
    std::uint64_t* end_;
};

// The window of the last k token hashes, rolled one hash at a time: a small value, so a scanning
// loop that takes a copy keeps it in registers. window_t = (window_t-1 - h_t-k * base^(k-1)) * base
// + h_t is computed as window_t-1 * base + h_t - h_t-k * base^k, the last term made when h_t-k
// came: the chain from one window to the next is one multiplication and an addition. The ring
// (k values, zero at first, which drops nothing) is outside. A vector_appender sink is held by
// value (so it is copied with the roller), any other by pointer.
template <class Sink>
struct shingle_roller {
    static constexpr bool by_value = std::is_same_v<std::remove_cv_t<Sink>, vector_appender>;
    std::uint64_t* ring;
    std::size_t k;
    std::uint64_t drop_power;  // base^k
    std::uint64_t seed;
    std::conditional_t<by_value, vector_appender, Sink*> sink;
    std::uint64_t window = 0;
    std::size_t count = 0, slot = 0;

    DITTO_ALWAYS_INLINE void operator()(std::uint64_t h) {
        window = window * shingle_base + (h - ring[slot]);
        ring[slot] = h * drop_power;
        slot = slot + 1 == k ? 0 : slot + 1;
        if (++count >= k) give(mix64(window, seed));
    }
    // The one shingle of a text with fewer than k tokens.
    void finish() {
        if (count > 0 && count < k) give(mix64(window, seed));
    }

private:
    DITTO_ALWAYS_INLINE void give(std::uint64_t shingle) {
        if constexpr (by_value) {
            sink(shingle);
        } else {
            (*sink)(shingle);
        }
    }
};

// Word shingles from a stream of token hashes: for_each_hash(push) calls push(h) for each token
// hash in text order (push is a shingle_roller); sink gets mix64(window, seed) for each window of k
// tokens, where window is the polynomial of the last k hashes in base shingle_base (power =
// base^(k-1) removes the oldest), and one shingle of all the tokens when there are fewer than k.
template <class ForEachHash, class Sink>
void roll_shingles(std::size_t k, std::uint64_t power, std::uint64_t seed, ForEachHash&& for_each_hash, Sink&& sink) {
    using roller_type = shingle_roller<std::remove_reference_t<Sink>>;
    with_ring<std::uint64_t>(k, [&](std::uint64_t* ring) {
        if constexpr (roller_type::by_value) {
            roller_type roller{ring, k, power * shingle_base, seed, sink};
            for_each_hash(roller);
            roller.finish();
            sink = roller.sink;  // the cursor, moved on
        } else {
            roller_type roller{ring, k, power * shingle_base, seed, &sink};
            for_each_hash(roller);
            roller.finish();
        }
    });
}

// The hashes a shingler streams for text, gathered into a vector.
template <class Shingler>
std::vector<std::uint64_t> collect_shingles(const Shingler& shingler, std::string_view text) {
    std::vector<std::uint64_t> out;
    shingler(text, [&](std::uint64_t h) { out.push_back(h); });
    return out;
}

}  // namespace detail

/// Produces the word k-shingle hashes of a text (tokens from T, token bytes hashed by H).
template <tokenizer T = word_tokenizer, hasher H = default_hasher>
class word_shingler {
public:
    /// Throws std::invalid_argument unless 1 <= k <= max_shingle_size.
    explicit word_shingler(std::size_t k = 5, std::uint64_t seed = default_seed, T tokenize = {}, H hash = {})
        : k_(k), seed_(seed), tokenize_(std::move(tokenize)), hash_(std::move(hash)) {
        detail::check_shingle_size("word_shingler", k);
        power_ = 1;  // B^(k-1): removes the oldest token from the window
        for (std::size_t i = 1; i < k; ++i) power_ *= detail::shingle_base;
    }

    [[nodiscard]] std::size_t k() const noexcept { return k_; }
    [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

    /// Calls sink(hash) for each shingle of text, in text order.
    template <shingle_sink F>
    void operator()(std::string_view text, F&& sink) const {
        detail::roll_shingles(k_, power_, seed_, [&](auto&& push) {
            auto step = [&](const auto& t) { push(hash_(std::string_view(t.text), seed_)); };
            if constexpr (std::is_same_v<T, word_tokenizer>) {
                for_each_token(text, step);  // the block-scanning loop form of the same tokens
            } else {
                for (const auto& t : tokenize_(text)) step(t);
            }
        }, sink);
    }

    /// The shingle hashes of text, in text order (repeats included).
    [[nodiscard]] std::vector<std::uint64_t> operator()(std::string_view text) const {
        return detail::collect_shingles(*this, text);
    }

private:
    std::size_t k_;
    std::uint64_t seed_;
    std::uint64_t power_;
    T tokenize_;
    H hash_;
};

/// Produces the hashes of the character k-grams (k code points) of a text.
template <hasher H = default_hasher>
class char_shingler {
public:
    /// Throws std::invalid_argument unless 1 <= k <= max_shingle_size.
    explicit char_shingler(std::size_t k = 5, std::uint64_t seed = default_seed, H hash = {})
        : k_(k), seed_(seed), hash_(std::move(hash)) {
        detail::check_shingle_size("char_shingler", k);
    }

    [[nodiscard]] std::size_t k() const noexcept { return k_; }
    [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

    template <shingle_sink F>
    void operator()(std::string_view text, F&& sink) const {
        if (text.empty()) return;
        // ring holds the start offsets of the last k code points.
        detail::with_ring<std::size_t>(k_, [&](std::size_t* ring) {
            std::size_t count = 0, slot = 0;
            for (std::size_t pos = 0; pos < text.size();) {
                const auto c = static_cast<unsigned char>(text[pos]);
                const std::size_t next = pos + (c < 0x80 ? 1 : decode_utf8(text, pos).length);
                ring[slot] = pos;
                slot = slot + 1 == k_ ? 0 : slot + 1;
                if (++count >= k_) sink(hash_(text.substr(ring[slot], next - ring[slot]), seed_));
                pos = next;
            }
            if (count < k_) sink(hash_(text, seed_));
        });
    }

    /// The k-gram hashes of text, in text order (repeats included).
    [[nodiscard]] std::vector<std::uint64_t> operator()(std::string_view text) const {
        return detail::collect_shingles(*this, text);
    }

private:
    std::size_t k_;
    std::uint64_t seed_;
    H hash_;
};

}  // namespace ditto
