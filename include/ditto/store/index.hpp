#pragma once
// A stored index in memory: its parameters, sources, documents, signatures and band records,
// as index_writer.hpp writes them and index_reader.hpp reads them (docs/format.md).
//
// Documents are numbered by position. index_builder makes an index from documents and their
// signatures (computing the band records) or continues an existing one ("add"); merge(a, b)
// appends b to a: b's sources follow a's, b's documents follow a's (their numbers shifted by
// a's document count, their source numbers by a's source count, their ids kept), and the band
// records of both are merged in (band, key, document) order without re-sketching. Hence
// build(A) + add(B), merge(build(A), build(B)) and build(A then B) are the same index.

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/store/parameters.hpp>

namespace ditto::inline v0_1 {

/// A file the indexed documents were read from.
struct index_source {
    std::string path;
    std::uint64_t size = 0;   ///< bytes
    content_hash hash{};      ///< hash128 of its bytes
    friend bool operator==(const index_source&, const index_source&) = default;
};

/// An indexed document: where its text lies in a source, and its hash and id.
struct index_document {
    std::uint64_t source = 0;   ///< number of its source
    std::uint64_t offset = 0;   ///< byte offset of its text within the source
    std::uint64_t length = 0;   ///< bytes of text; offset + length <= the source's size
    content_hash text_hash{};   ///< hash128 of the text's bytes
    std::string id;             ///< the caller's id (may be empty)
    friend bool operator==(const index_document&, const index_document&) = default;
};

/// One band key of one document. Band records are kept sorted by (band, key, document).
struct band_record {
    std::uint64_t key = 0;
    std::uint32_t band = 0;
    std::uint32_t document = 0;
    friend constexpr bool operator==(const band_record&, const band_record&) = default;
    friend constexpr std::strong_ordering operator<=>(const band_record& a, const band_record& b) noexcept {
        if (a.band != b.band) return a.band <=> b.band;
        if (a.key != b.key) return a.key <=> b.key;
        return a.document <=> b.document;
    }
};

/// A whole stored index in memory.
struct stored_index {
    index_parameters parameters;
    std::vector<index_source> sources;
    std::vector<index_document> documents;
    /// documents.size() * parameters.slots slot values, row-major; each below 2^slot_bits. A
    /// document whose slots are all ones (empty_slot) has the empty signature and no band records.
    std::vector<std::uint64_t> signatures;
    /// Sorted by (band, key, document); parameters.lsh.bands records per document with a
    /// non-empty signature, none for the others.
    std::vector<band_record> band_records;

    /// Document d's slots.
    [[nodiscard]] std::span<const std::uint64_t> signature(std::size_t d) const noexcept {
        return {signatures.data() + d * parameters.slots, parameters.slots};
    }
    friend bool operator==(const stored_index& a, const stored_index& b) {
        return differing_parameters(a.parameters, b.parameters).empty() && a.sources == b.sources &&
               a.documents == b.documents && a.signatures == b.signatures && a.band_records == b.band_records;
    }
};

namespace detail {

[[nodiscard]] inline std::uint64_t slot_mask(std::uint32_t bits) noexcept {
    return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

[[nodiscard]] inline bool empty_signature(std::span<const std::uint64_t> slots, std::uint32_t bits) noexcept {
    return !slots.empty() && slots[0] == slot_mask(bits);
}

/// True when every slot is empty or none is (a stored signature is one or the other).
[[nodiscard]] inline bool uniform_emptiness(std::span<const std::uint64_t> slots, std::uint32_t bits) noexcept {
    const bool empty = empty_signature(slots, bits);
    for (const std::uint64_t v : slots)
        if ((v == slot_mask(bits)) != empty) return false;
    return true;
}

template <slot_value V>
void append_band_records(std::span<const std::uint64_t> slots, lsh_params lsh, std::uint32_t document,
                         std::vector<band_record>& out) {
    std::vector<V> values(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) values[i] = static_cast<V>(slots[i]);
    for (std::size_t b = 0; b < lsh.bands; ++b)
        out.push_back({band_key(std::span<const V>(values), lsh, b), static_cast<std::uint32_t>(b), document});
}

/// Checks a document and its signature before they are added as document number count (see
/// index_builder::add_document); throws std::invalid_argument.
inline void check_new_document(const index_parameters& p, const std::vector<index_source>& sources, std::size_t count,
                               const index_document& document, std::span<const std::uint64_t> slots) {
    if (slots.size() != p.slots)
        detail::throw_invalid_argument("index_builder::add_document", "signature", std::to_string(p.slots) + " slots",
                                       std::to_string(slots.size()));
    for (const std::uint64_t v : slots)
        if ((v & ~detail::slot_mask(p.slot_bits)) != 0)
            detail::throw_invalid_argument("index_builder::add_document", "signature",
                                           "slot values of " + std::to_string(p.slot_bits) + " bits", std::to_string(v));
    if (!detail::uniform_emptiness(slots, p.slot_bits))
        detail::throw_invalid_argument("index_builder::add_document", "signature", "all slots empty or none", "a mix");
    if (document.source >= sources.size())
        detail::throw_invalid_argument("index_builder::add_document", "source", "an added source",
                                       std::to_string(document.source));
    const std::uint64_t size = sources[document.source].size;
    if (document.offset > size || document.length > size - document.offset)
        detail::throw_invalid_argument("index_builder::add_document", "offset and length",
                                       "within the source's " + std::to_string(size) + " bytes",
                                       std::to_string(document.offset) + " + " + std::to_string(document.length));
    if (count >= std::numeric_limits<std::uint32_t>::max())
        detail::throw_invalid_argument("index_builder::add_document", "document count", "below 2^32 - 1",
                                       std::to_string(count));
}

}  // namespace detail

/// The band records of a signature stored as slot values of `parameters.slot_bits` bits: the
/// keys band_key gives for the signature in its slot type (none for the empty signature).
inline void append_band_records(const index_parameters& parameters, std::span<const std::uint64_t> slots,
                                std::uint32_t document, std::vector<band_record>& out) {
    if (detail::empty_signature(slots, parameters.slot_bits)) return;
    switch (parameters.slot_bits) {
    case 16: detail::append_band_records<std::uint16_t>(slots, parameters.lsh, document, out); break;
    case 32: detail::append_band_records<std::uint32_t>(slots, parameters.lsh, document, out); break;
    default: detail::append_band_records<std::uint64_t>(slots, parameters.lsh, document, out); break;
    }
}

/// Makes an index from documents and their signatures, or adds documents to an existing one.
class index_builder {
public:
    /// A new, empty index. Throws std::invalid_argument when the parameters are invalid.
    explicit index_builder(const index_parameters& parameters) {
        const std::string problem = parameter_problem(parameters);
        if (!problem.empty())
            detail::throw_invalid_argument("index_builder", "parameters", "valid", problem);
        index_.parameters = parameters;
    }
    /// Continues an existing index (whose band records are sorted): documents added are numbered
    /// after its documents.
    explicit index_builder(stored_index existing) : index_(std::move(existing)), sorted_(index_.band_records.size()) {}

    [[nodiscard]] const index_parameters& parameters() const noexcept { return index_.parameters; }

    /// Adds a source; returns its number.
    std::uint64_t add_source(index_source source) {
        index_.sources.push_back(std::move(source));
        return index_.sources.size() - 1;
    }

    /// Adds a document with its signature (parameters().slots values below 2^slot_bits); returns
    /// its number. Throws std::invalid_argument when the signature has the wrong size or values,
    /// or the document's source or byte range does not exist.
    std::uint32_t add_document(index_document document, std::span<const std::uint64_t> slots) {
        detail::check_new_document(index_.parameters, index_.sources, index_.documents.size(), document, slots);
        const auto number = static_cast<std::uint32_t>(index_.documents.size());
        index_.signatures.insert(index_.signatures.end(), slots.begin(), slots.end());
        append_band_records(index_.parameters, slots, number, index_.band_records);
        index_.documents.push_back(std::move(document));
        return number;
    }

    /// Adds a document with a signature whose slot type has the parameters' slot bits.
    template <std::size_t K, slot_value V>
    std::uint32_t add_document(index_document document, const minhash_signature<K, V>& signature) {
        if (sizeof(V) * 8 != index_.parameters.slot_bits)
            detail::throw_invalid_argument("index_builder::add_document", "signature",
                                           "slots of " + std::to_string(index_.parameters.slot_bits) + " bits",
                                           "slots of " + std::to_string(sizeof(V) * 8) + " bits");
        std::vector<std::uint64_t> slots(signature.values().begin(), signature.values().end());
        if (signature.empty()) std::fill(slots.begin(), slots.end(), detail::slot_mask(index_.parameters.slot_bits));
        return add_document(std::move(document), std::span<const std::uint64_t>(slots));
    }

    /// The index, band records sorted (the records added are sorted and merged with those the
    /// builder started from).
    [[nodiscard]] stored_index finish() && {
        // std::merge into a new vector: libstdc++ 12's inplace_merge does not build warning-free
        // under Clang 19 (it uses the deprecated get_temporary_buffer).
        auto& records = index_.band_records;
        const auto middle = records.begin() + static_cast<std::ptrdiff_t>(sorted_);
        std::sort(middle, records.end());
        if (sorted_ > 0 && middle != records.end()) {
            std::vector<band_record> merged(records.size());
            std::merge(records.begin(), middle, middle, records.end(), merged.begin());
            records = std::move(merged);
        }
        return std::move(index_);
    }

private:
    stored_index index_;
    std::size_t sorted_ = 0;  // band records at the front that are already sorted
};

/// b appended to a (see the top of this file); both as read_index or index_builder::finish
/// return them (band records sorted). Throws std::invalid_argument naming every
/// differing parameter when the parameters differ, or when the documents would not fit 32-bit
/// numbers.
[[nodiscard]] inline stored_index merge(const stored_index& a, const stored_index& b) {
    if (const std::string names = differing_parameter_names(a.parameters, b.parameters); !names.empty())
        detail::throw_invalid_argument("merge", "parameters", "equal", "differing " + names);
    if (a.documents.size() + b.documents.size() > std::numeric_limits<std::uint32_t>::max())
        detail::throw_invalid_argument("merge", "document count", "below 2^32",
                                       std::to_string(a.documents.size() + b.documents.size()));
    stored_index out;
    out.parameters = a.parameters;
    out.sources = a.sources;
    out.sources.insert(out.sources.end(), b.sources.begin(), b.sources.end());
    out.documents = a.documents;
    out.documents.reserve(a.documents.size() + b.documents.size());
    for (index_document d : b.documents) {
        d.source += a.sources.size();
        out.documents.push_back(std::move(d));
    }
    out.signatures = a.signatures;
    out.signatures.insert(out.signatures.end(), b.signatures.begin(), b.signatures.end());
    const auto shift = static_cast<std::uint32_t>(a.documents.size());
    std::vector<band_record> shifted(b.band_records);
    for (band_record& r : shifted) r.document += shift;
    out.band_records.resize(a.band_records.size() + shifted.size());
    std::merge(a.band_records.begin(), a.band_records.end(), shifted.begin(), shifted.end(), out.band_records.begin());
    return out;
}

}  // namespace ditto
