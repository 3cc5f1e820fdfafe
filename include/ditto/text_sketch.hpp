#pragma once
// What the MinHash pipeline (dedup.hpp) computes from one text on its own, before it compares
// any two: the text's hashes, its band keys and its prefilter slots. Computing them
// (normalizing, shingling, sketching) is about half the pipeline's work, and it needs nothing but
// the text, so it can run anywhere: on other machines, one shard of a corpus each, with the
// results kept in files. dedup_sketched (dedup.hpp) then takes them from a sketch_source in place of
// computing them, and its result is the same, byte for byte, as dedup's over the same texts
// with the same options and parts.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <ditto/exact_duplicates.hpp>

namespace ditto::inline v0_1 {

/// One text as the pipeline sees it before comparing texts.
struct text_sketch {
    std::uint64_t length = 0;          ///< the text's size in bytes
    content_hash bytes{};              ///< hash128 of the text's bytes
    content_hash sequence{};           ///< hash128 of its shingle hashes in order (equal normalized texts: equal)
    std::uint32_t shingles = 0;        ///< its number of shingles (repeats counted), at most 2^32 - 1
    std::vector<std::uint64_t> keys;   ///< its band keys, one per key of the candidate generator; empty without shingles
    /// Its 16-bit prefilter slots, sketch_size of them; empty without shingles. A caller may also
    /// leave them out (clear the vector) to store less (2 x sketch_size bytes a text): the
    /// pipeline then makes them again from the texts that share an LSH bucket, the only ones it
    /// judges, when it makes their shingle sets. The result is the same.
    std::vector<std::uint16_t> slots;

    friend bool operator==(const text_sketch&, const text_sketch&) = default;
};

/// s.size(): the number of documents; s.sketch(i, out): fills out with document i's sketch, as
/// text_sketcher (dedup.hpp) makes it. Called concurrently from the executor's threads, each
/// with its own out. May throw (a read error): the pipeline stops and the exception propagates.
template <class S>
concept sketch_source = requires(const S& s, std::size_t i, text_sketch& out) {
    { s.size() } -> std::convertible_to<std::size_t>;
    s.sketch(i, out);
};

}  // namespace ditto
