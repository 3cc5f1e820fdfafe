#pragma once
// The vocabulary concepts: what a caller's own hash, tokenizer and token types must provide to
// take the place of ditto's defaults. tests/concepts.cpp checks types that satisfy each concept
// and types that must not.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ranges>
#include <string_view>
#include <type_traits>

namespace ditto {

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

}  // namespace ditto
