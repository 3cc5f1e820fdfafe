#pragma once
// A corpus whose texts are fetched when needed instead of held: for corpora larger than memory,
// whose texts are read again from disk by offset. ditto::dedup takes one in place of a range of
// documents (dedup.hpp); only per-document state (hashes, band keys, sketch slots) and the
// shingle sets within dedup_options::shingle_memory are then held.
//
// A source's texts must not change while the pipeline runs: a text is fetched several times
// (hashing, sketching, making its shingle set), and each fetch must give the same bytes.

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

namespace ditto::inline v0_1 {

/// s.size(): the number of documents. s.text(i, buffer): document i's text as a std::string_view
/// (exactly: a std::string returned by value would die before the view is used), either viewing
/// memory the source owns or placed in buffer (the view then valid until buffer changes). Called
/// concurrently from the executor's threads, each with its own buffer. May throw (a read
/// error): the pipeline stops and the exception propagates.
template <class S>
concept text_source = requires(const S& s, std::size_t i, std::string& buffer) {
    { s.size() } -> std::convertible_to<std::size_t>;
    { s.text(i, buffer) } -> std::same_as<std::string_view>;
};

/// A text_source that also tells a text's length without fetching it (used by keep_rule::longest).
template <class S>
concept sized_text_source = text_source<S> && requires(const S& s, std::size_t i) {
    { s.length(i) } -> std::convertible_to<std::size_t>;
};

namespace detail {
// A source as the pipelines take their texts: text(i, buffer), a callable.
template <text_source S>
[[nodiscard]] auto source_texts(const S& source) {
    return [&source](std::size_t i, std::string& buffer) -> std::string_view { return source.text(i, buffer); };
}
}  // namespace detail

}  // namespace ditto
