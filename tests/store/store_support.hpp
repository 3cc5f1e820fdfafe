#pragma once
// Helpers for the stored-index tests: small indexes with real signatures, writing to bytes,
// reading from bytes, and resealing edited bytes (recomputing every checksum) so that a test can
// reach the checks behind the checksums.

#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <ditto/exact_duplicates.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/store/crc32c.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>

namespace store_test {

inline std::string to_bytes(const ditto::stored_index& index) {
    std::ostringstream out;
    ditto::write_index(out, index);
    return std::move(out).str();
}

inline ditto::stored_index from_bytes(const std::string& bytes) {
    std::istringstream in(bytes);
    return ditto::read_index(in);
}

inline std::uint64_t le(const std::string& b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

inline void put(std::string& b, std::size_t at, std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) b[at + i] = static_cast<char>(static_cast<unsigned char>(v >> (8 * i)));
}

/// Recomputes every section checksum (from the table's offsets and lengths) and the header's.
inline void reseal(std::string& b) {
    const std::size_t sections = static_cast<std::size_t>(le(b, 12, 4));
    if (80 + 32 * sections + 8 > b.size()) return;  // a table that cannot fit: nothing to seal
    for (std::size_t i = 0; i < sections; ++i) {
        const std::size_t e = 80 + 32 * i;
        const std::size_t offset = static_cast<std::size_t>(le(b, e + 8, 8));
        const std::size_t length = static_cast<std::size_t>(le(b, e + 16, 8));
        if (offset + length <= b.size()) put(b, e + 4, ditto::crc32c_of(std::string_view(b).substr(offset, length)), 4);
    }
    const std::size_t checksum_at = 80 + 32 * sections;
    put(b, checksum_at, ditto::crc32c_of(std::string_view(b).substr(0, checksum_at)), 4);
}

// The bytes of an index with an extra section of kind 9 after the known ones, at version 2.minor.
inline std::string with_extra_section(const std::string& good, std::uint16_t minor, const std::string& extra) {
    const std::size_t sections = 4, old_header = 80 + 32 * sections + 8, new_header = old_header + 32;
    std::string b = good.substr(0, 80 + 32 * sections);
    b.append(32 + 8, '\0');
    put(b, 10, minor, 2);
    put(b, 12, sections + 1, 4);
    put(b, 16, new_header, 8);
    for (std::size_t i = 0; i < sections; ++i) put(b, (80 + 32 * i) + 8, le(b, (80 + 32 * i) + 8, 8) + 32, 8);
    b += good.substr(old_header, good.size() - 16 - old_header);
    const std::size_t extra_at = b.size();
    b += extra;
    b.append((8 - extra.size() % 8) % 8, '\0');
    put(b, (80 + 32 * 4), 9, 4);
    put(b, (80 + 32 * 4) + 8, extra_at, 8);
    put(b, (80 + 32 * 4) + 16, extra.size(), 8);
    put(b, (80 + 32 * 4) + 24, 1, 8);
    std::string footer(16, '\0');
    put(footer, 0, b.size() + 16, 8);
    footer.replace(8, 8, "DITTOEND");
    b += footer;
    reseal(b);
    return b;
}

/// The bytes of an index whose section i (0: sources … 3: band records) is replaced by bytes
/// holding count items, the other sections moved to their new places; resealed.
inline std::string with_section(const std::string& good, std::size_t i, const std::string& bytes, std::uint64_t count) {
    const std::size_t sections = static_cast<std::size_t>(le(good, 12, 4));
    const std::size_t header = 80 + 32 * sections + 8;
    std::string b = good.substr(0, header);
    for (std::size_t k = 0; k < sections; ++k) {
        const std::size_t e = 80 + 32 * k;
        std::string part = good.substr(static_cast<std::size_t>(le(good, e + 8, 8)), static_cast<std::size_t>(le(good, e + 16, 8)));
        if (k == i) {
            part = bytes;
            put(b, e + 24, count, 8);
        }
        put(b, e + 8, b.size(), 8);
        put(b, e + 16, part.size(), 8);
        b += part;
        b.append((8 - part.size() % 8) % 8, '\0');
    }
    std::string footer(16, '\0');
    put(footer, 0, b.size() + 16, 8);
    footer.replace(8, 8, "DITTOEND");
    b += footer;
    reseal(b);
    return b;
}

/// A corpus of n texts built from a small vocabulary, with near-copies, exact copies and one
/// empty text, deterministic for a seed.
inline std::vector<std::string> texts(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    static const char* const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                                        "iota",  "kappa", "lambda", "mu",   "nu",      "xi",   "omicron", "pi"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 3) {
            out.emplace_back();
        } else if (i >= 2 && rng() % 4 == 0) {
            std::string copy = out[rng() % i];
            copy += " omega";
            out.push_back(copy);
        } else {
            std::string t;
            const std::size_t length = 5 + rng() % 40;
            for (std::size_t w = 0; w < length; ++w) t.append(t.empty() ? "" : " ").append(words[rng() % 16]);
            out.push_back(t);
        }
    }
    return out;
}

/// An index of texts as documents of one source (their concatenation, named path), signatures
/// from word 3-shingles and the fast sketcher.
inline void add_corpus(ditto::index_builder& builder, const std::vector<std::string>& corpus, const std::string& path,
                       const std::string& id_prefix) {
    std::string all;
    for (const auto& t : corpus) all += t;
    const std::uint64_t source = builder.add_source({path, all.size(), ditto::hash128(all)});
    const ditto::index_parameters& p = builder.parameters();
    const ditto::word_shingler<> shingler(p.shingle_size, p.seed);
    const ditto::fast_sketcher sketcher(p.seed);
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        const auto shingles = shingler(corpus[i]);
        std::vector<std::uint64_t> slots(p.slots);
        switch (p.slot_bits) {
        case 16: {
            std::vector<std::uint16_t> v(p.slots);
            sketcher.fill(std::span<const std::uint64_t>(shingles), std::span<std::uint16_t>(v));
            slots.assign(v.begin(), v.end());
            break;
        }
        case 32: {
            std::vector<std::uint32_t> v(p.slots);
            sketcher.fill(std::span<const std::uint64_t>(shingles), std::span<std::uint32_t>(v));
            slots.assign(v.begin(), v.end());
            break;
        }
        default:
            sketcher.fill(std::span<const std::uint64_t>(shingles), std::span<std::uint64_t>(slots));
            break;
        }
        ditto::index_document d{source, offset, corpus[i].size(), ditto::hash128(corpus[i]),
                                id_prefix + std::to_string(i)};
        builder.add_document(std::move(d), std::span<const std::uint64_t>(slots));
        offset += corpus[i].size();
    }
}

inline ditto::index_parameters small_parameters(std::uint32_t slot_bits = 32) {
    ditto::index_parameters p;
    p.shingle_size = 3;
    p.slots = 8;
    p.slot_bits = slot_bits;
    p.lsh = {2, 3};
    p.threshold = 0.7;
    p.recall = 0.9;
    return p;
}

inline ditto::stored_index build(const ditto::index_parameters& p, const std::vector<std::string>& corpus,
                                 const std::string& path = "a.jsonl") {
    ditto::index_builder builder(p);
    add_corpus(builder, corpus, path, "d");
    return std::move(builder).finish();
}

}  // namespace store_test
