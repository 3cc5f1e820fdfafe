#pragma once
// The vocabulary concepts: what a caller's own hash, tokenizer and token types must provide to
// take the place of ditto's defaults. tests/concepts.cpp checks types that satisfy each concept
// and types that must not.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>

namespace ditto::inline v0_1 {

/// A seeded 64-bit hash of bytes. Requirements:
///  1. H is copy-constructible (each worker thread may hold a copy);
///  2. for a const H h, std::string_view b and std::uint64_t s, h(b, s) is a std::uint64_t;
///  3. h(b, s) depends only on the bytes of b and on s (equal inputs give equal outputs).
/// Requirement 3 is semantic and cannot be checked by the compiler.
template <class H>
concept hasher = std::copy_constructible<H> && requires(const H& h, std::string_view bytes, std::uint64_t seed) {
    { h(bytes, seed) } -> std::same_as<std::uint64_t>;
};

/// A token: a view of its bytes and their offset in the tokenized text. Requirements:
///  1. t.text converts to std::string_view;
///  2. t.offset converts to std::size_t.
template <class T>
concept token_like = requires(const T& t) {
    { t.text } -> std::convertible_to<std::string_view>;
    { t.offset } -> std::convertible_to<std::size_t>;
};

namespace detail {
template <class T>
using token_range_of = std::invoke_result_t<const T&, std::string_view>;
}

/// Splits text into tokens. Requirements:
///  1. T is copy-constructible;
///  2. for a const T t and std::string_view s, t(s) is a std::ranges::forward_range;
///  3. the range's elements are token_like, in increasing offset order, each a view into s.
/// Requirement 3's ordering is semantic and cannot be checked by the compiler.
template <class T>
concept tokenizer = std::copy_constructible<T> && std::invocable<const T&, std::string_view> &&
                    std::ranges::forward_range<detail::token_range_of<T>> &&
                    token_like<std::ranges::range_value_t<detail::token_range_of<T>>>;

/// Receives 64-bit shingle hashes: f(std::uint64_t) is callable.
template <class F>
concept shingle_sink = std::invocable<F&, std::uint64_t>;

/// Computes MinHash-style signatures. Requirements:
///  1. F is copy-constructible (each worker thread may hold a copy);
///  2. for a const F f, a std::span<const std::uint64_t> h of shingle hashes and a span out of
///     std::uint32_t or std::uint64_t slots, f.fill(h, out) is valid (16-bit slots are optional:
///     make_signature asks for them only when a caller does);
///  3. f.fill writes all out.size() slots, depends only on the set of values in h (not on their
///     order or repeats), and equal slots of two signatures estimate the Jaccard similarity, with
///     slots as independent as MinHash's (the signature prefilter's bound assumes it);
///  4. for a non-empty set, no slot is all ones: that value marks the empty signature
///     (minhash_signature::empty, stored indexes).
/// Requirements 3 and 4 are semantic and cannot be checked by the compiler.
template <class F>
concept sketcher = std::copy_constructible<F> &&
                   requires(const F& f, std::span<const std::uint64_t> h, std::span<std::uint32_t> out32,
                            std::span<std::uint64_t> out64) {
                       f.fill(h, out32);
                       f.fill(h, out64);
                   };

/// A fixed-size signature that estimates similarity. Requirements:
///  1. S is a regular type (copyable, default-constructible, equality-comparable);
///  2. S::size() is its slot count;
///  3. similarity(a, b), found by argument-dependent lookup, returns a double in [0, 1].
template <class S>
concept sketch = std::regular<S> && requires(const S& a, const S& b) {
    { S::size() } -> std::convertible_to<std::size_t>;
    { similarity(a, b) } -> std::same_as<double>;
};

namespace detail {
// A task as the pipeline passes one: a function object with state (not a function pointer),
// as an lvalue or a temporary.
struct executor_task_archetype {
    std::size_t* state;
    void operator()(std::size_t) const;
};
}  // namespace detail

/// Runs n independent tasks. Requirements:
///  1. for an E e, a std::size_t n and a callable f taking std::size_t, e.bulk(n, f) calls f(i)
///     once for each i in [0, n), possibly concurrently, and returns when all calls have returned;
///  2. if calls throw, bulk rethrows the exception of the lowest such i (so errors are deterministic);
///  3. e.concurrency() is the number of tasks that may run at once (at least 1).
/// Requirements 1's guarantees and 2 are semantic and cannot be checked by the compiler.
template <class E>
concept executor = requires(E& e, std::size_t n, const detail::executor_task_archetype& f) {
    e.bulk(n, f);
    e.bulk(n, detail::executor_task_archetype{});
    { e.concurrency() } -> std::convertible_to<std::size_t>;
};

}  // namespace ditto
