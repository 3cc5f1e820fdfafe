#pragma once
// Writes a stored index (docs/format.md) to a stream or a file.
//
// Every section is serialized twice: once to learn its length and CRC-32C (which the header,
// written first, holds) and once to the stream, so the writer needs no seekable output and no
// second copy of the index in memory.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/store/crc32c.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/parameters.hpp>

namespace ditto::inline v0_1 {

namespace detail {

// Receives a section's bytes through a staging buffer: into a CRC (and a count), or a stream.
class section_sink {
public:
    explicit section_sink(std::ostream* out) : out_(out) {}

    void write(const unsigned char* p, std::size_t n) {
        if (used_ + n > buffer_.size()) flush();
        if (n > buffer_.size()) {
            consume(p, n);
            return;
        }
        std::copy(p, p + n, buffer_.data() + used_);
        used_ += n;
    }
    void flush() {
        consume(buffer_.data(), used_);
        used_ = 0;
    }
    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }
    [[nodiscard]] std::uint32_t checksum() const noexcept { return crc_.value(); }

private:
    void consume(const unsigned char* p, std::size_t n) {
        bytes_ += n;
        // The checksum is taken when writing too: a section emitted from temporary files must
        // give the bytes it measured (see write_index_sections).
        crc_.update(p, n);
        if (out_ != nullptr) out_->write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
    }

    std::ostream* out_;
    std::array<unsigned char, 1 << 16> buffer_{};
    std::size_t used_ = 0;
    std::uint64_t bytes_ = 0;
    crc32c crc_;
};

inline void emit_sources(const std::vector<index_source>& sources, section_sink& sink) {
    unsigned char r[store::source_record_bytes];
    std::uint64_t end = 0;
    for (const index_source& s : sources) {
        end += s.path.size();
        put_u64(r, s.size);
        put_u64(r + 8, s.hash.high);
        put_u64(r + 16, s.hash.low);
        put_u64(r + 24, end);
        sink.write(r, sizeof r);
    }
    for (const index_source& s : sources)
        sink.write(reinterpret_cast<const unsigned char*>(s.path.data()), s.path.size());
}

// A document's record, its id ending at id_end in the id bytes.
inline void encode_document(unsigned char* r, const index_document& d, std::uint64_t id_end) noexcept {
    put_u64(r, d.source);
    put_u64(r + 8, d.offset);
    put_u64(r + 16, d.length);
    put_u64(r + 24, d.text_hash.high);
    put_u64(r + 32, d.text_hash.low);
    put_u64(r + 40, id_end);
}

inline void emit_documents(const stored_index& index, section_sink& sink) {
    unsigned char r[store::document_record_bytes];
    std::uint64_t end = 0;
    for (const index_document& d : index.documents) {
        end += d.id.size();
        encode_document(r, d, end);
        sink.write(r, sizeof r);
    }
    for (const index_document& d : index.documents)
        sink.write(reinterpret_cast<const unsigned char*>(d.id.data()), d.id.size());
}

inline void emit_signatures(const stored_index& index, section_sink& sink) {
    const std::size_t width = index.parameters.slot_bits / 8;
    std::array<unsigned char, 4096> chunk;
    std::size_t used = 0;
    for (const std::uint64_t v : index.signatures) {
        // One store per width (a loop of a run-time length would go byte by byte).
        if (width == 2) put_u16(chunk.data() + used, static_cast<std::uint16_t>(v));
        else if (width == 4) put_u32(chunk.data() + used, static_cast<std::uint32_t>(v));
        else put_u64(chunk.data() + used, v);
        used += width;
        if (used + 8 > chunk.size()) {
            sink.write(chunk.data(), used);
            used = 0;
        }
    }
    sink.write(chunk.data(), used);
}

inline void emit_band_records(const std::vector<band_record>& records, section_sink& sink) {
    unsigned char r[store::band_record_bytes];
    for (const band_record& b : records) {
        put_u64(r, b.key);
        put_u32(r + 8, b.band);
        put_u32(r + 12, b.document);
        sink.write(r, sizeof r);
    }
}

[[noreturn]] inline void throw_bad_index(const std::string& problem) {
    detail::throw_invalid_argument("write_index", "index", "consistent (docs/format.md)", problem);
}

// Checks what the reader checks, so that the writer never writes a file the reader rejects.
inline void check_index(const stored_index& index, const std::vector<band_record>& records) {
    const index_parameters& p = index.parameters;
    if (std::string problem = parameter_problem(p); !problem.empty()) throw_bad_index(problem);
    if (index.documents.size() > 0xFFFFFFFFu) throw_bad_index("more than 2^32 - 1 documents");
    if (index.signatures.size() != index.documents.size() * p.slots)
        throw_bad_index(std::to_string(index.signatures.size()) + " slot values for " +
                        std::to_string(index.documents.size()) + " documents of " + std::to_string(p.slots) + " slots");
    for (const std::uint64_t v : index.signatures)
        if ((v & ~slot_mask(p.slot_bits)) != 0) throw_bad_index("a slot value wider than the slot bits");
    for (const index_document& d : index.documents) {
        if (d.source >= index.sources.size()) throw_bad_index("a document of a missing source");
        const std::uint64_t size = index.sources[d.source].size;
        if (d.offset > size || d.length > size - d.offset) throw_bad_index("a document beyond its source's end");
    }
    std::size_t nonempty = 0;
    for (std::size_t d = 0; d < index.documents.size(); ++d) {
        if (!uniform_emptiness(index.signature(d), p.slot_bits)) throw_bad_index("a signature with some empty slots");
        nonempty += empty_signature(index.signature(d), p.slot_bits) ? 0u : 1u;
    }
    if (records.size() != nonempty * p.lsh.bands)
        throw_bad_index(std::to_string(records.size()) + " band records for " + std::to_string(nonempty) +
                        " documents with a signature and " + std::to_string(p.lsh.bands) + " bands");
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].band >= p.lsh.bands || records[i].document >= index.documents.size())
            throw_bad_index("a band record of a missing band or document");
        if (i > 0 && !(records[i - 1] < records[i])) throw_bad_index("a band record twice");
    }
}

}  // namespace detail

namespace detail {

/// Writes an index whose four sections (sources, documents, signatures, band records) are
/// emitted by emit(s, sink) for s = 0 … 3 and hold counts[s] items; returns the bytes written.
/// Each section is emitted twice (to measure, then to write) and must give the same bytes: a
/// difference is a std::runtime_error. Everything emit throws in the measuring pass leaves out
/// untouched.
template <class Emit>
std::uint64_t write_index_sections(std::ostream& out, const index_parameters& parameters,
                                   const std::array<std::uint64_t, store::last_known_section>& counts, Emit&& emit) {
    constexpr std::size_t sections = store::last_known_section;
    std::vector<unsigned char> header(store::header_size(sections), 0);
    std::copy(store::magic.begin(), store::magic.end(), header.begin());
    put_u16(header.data() + store::offset_major, store::version_major);
    put_u16(header.data() + store::offset_minor, store::version_minor);
    put_u32(header.data() + store::offset_section_count, static_cast<std::uint32_t>(sections));
    put_u64(header.data() + store::offset_header_bytes, header.size());
    encode_parameters(parameters, header.data() + store::offset_parameters);
    std::uint64_t offset = header.size();
    std::uint64_t lengths[sections];
    std::uint32_t checksums[sections];
    for (std::size_t s = 0; s < sections; ++s) {
        section_sink measure(nullptr);
        emit(s, measure);
        measure.flush();
        lengths[s] = measure.bytes();
        checksums[s] = measure.checksum();
        unsigned char* e = header.data() + store::offset_section_table + s * store::section_entry_bytes;
        put_u32(e, static_cast<std::uint32_t>(s + 1));
        put_u32(e + 4, measure.checksum());
        put_u64(e + 8, offset);
        put_u64(e + 16, measure.bytes());
        put_u64(e + 24, counts[s]);
        offset = store::align_up(offset + measure.bytes());
    }
    const std::size_t checksum_at = header.size() - store::header_checksum_bytes;
    put_u32(header.data() + checksum_at,
            crc32c_of(std::string_view(reinterpret_cast<const char*>(header.data()), checksum_at)));
    const std::uint64_t total = offset + store::footer_bytes;

    out.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
    const char zeros[store::alignment] = {};
    for (std::size_t s = 0; s < sections; ++s) {
        section_sink sink(&out);
        emit(s, sink);
        sink.flush();
        if (sink.bytes() != lengths[s] || sink.checksum() != checksums[s])
            throw std::runtime_error("write_index: section " + std::to_string(s + 1) +
                                     " changed between measuring and writing");
        const std::uint64_t pad = store::align_up(lengths[s]) - lengths[s];
        out.write(zeros, static_cast<std::streamsize>(pad));
    }
    unsigned char footer[store::footer_bytes];
    put_u64(footer, total);
    std::copy(store::footer_magic.begin(), store::footer_magic.end(), footer + 8);
    out.write(reinterpret_cast<const char*>(footer), sizeof footer);
    if (!out) throw std::runtime_error("write_index: writing the index failed");
    return total;
}

}  // namespace detail

/// Writes index to out; returns the bytes written (the index's size on disk). Band records need
/// not be sorted: the writer sorts a copy when they are not. Throws std::invalid_argument when the
/// index is inconsistent (wrong counts, references to missing sources, documents or bands,
/// repeated band records), std::runtime_error when the stream fails.
inline std::uint64_t write_index(std::ostream& out, const stored_index& index) {
    std::vector<band_record> sorted_copy;
    const std::vector<band_record>* records = &index.band_records;
    if (!std::is_sorted(records->begin(), records->end())) {
        sorted_copy = index.band_records;
        std::sort(sorted_copy.begin(), sorted_copy.end());
        records = &sorted_copy;
    }
    detail::check_index(index, *records);
    return detail::write_index_sections(
        out, index.parameters, {index.sources.size(), index.documents.size(), index.documents.size(), records->size()},
        [&](std::size_t s, detail::section_sink& sink) {
            switch (s) {
            case 0: detail::emit_sources(index.sources, sink); break;
            case 1: detail::emit_documents(index, sink); break;
            case 2: detail::emit_signatures(index, sink); break;
            default: detail::emit_band_records(*records, sink); break;
            }
        });
}

/// Writes index to the file at path (replacing it); returns its size in bytes.
inline std::uint64_t write_index(const std::string& path, const stored_index& index) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("write_index: cannot open " + path + " for writing");
    const std::uint64_t bytes = write_index(out, index);
    out.close();
    if (!out) throw std::runtime_error("write_index: writing " + path + " failed");
    return bytes;
}

}  // namespace ditto
