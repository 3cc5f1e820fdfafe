#pragma once
// Reads and validates a stored index (docs/format.md) from a stream or a file.
//
// Everything is checked before it is believed: the magic, the major version, the footer (so a
// truncated file or one with bytes appended is caught first), the header's CRC-32C, the
// parameters, the section table (sections in order, each at the next multiple of 8 after the
// previous one, inside the file, the bytes between them zero), each section's CRC-32C, and every
// count and reference in the sections. Every count is compared with the bytes that hold it before
// anything is allocated for it. Any failure throws ditto::index_format_error (a format_error)
// naming the part of the file and the byte offset.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <istream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/store/crc32c.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/parameters.hpp>

namespace ditto::inline v0_1 {

namespace detail {

class index_reader {
public:
    index_reader(std::istream& in, std::uint64_t length) : in_(in), length_(length) {}

    stored_index read() {
        using namespace store;
        if (length_ < header_size(0) + footer_bytes)
            fail("the file has " + std::to_string(length_) + " bytes, fewer than the smallest index", "header",
                 length_);
        unsigned char start[offset_parameters];
        read_at(0, start, sizeof start, "header");
        if (std::string_view(reinterpret_cast<const char*>(start), 8) != magic)
            fail("not a ditto index (bad magic)", "header", 0);
        const std::uint16_t major = get_u16(start + offset_major);
        minor_ = get_u16(start + offset_minor);
        if (major != version_major)
            fail("unknown major version " + std::to_string(major) + " (this reader knows " +
                     std::to_string(version_major) + ")",
                 "header", offset_major);
        check_footer();

        const std::uint32_t section_count = get_u32(start + offset_section_count);
        const std::uint64_t header_bytes = get_u64(start + offset_header_bytes);
        const std::uint64_t room = length_ - footer_bytes;
        if (section_count > (room - header_size(0)) / section_entry_bytes)
            fail("section count " + std::to_string(section_count) + " does not fit the file", "header",
                 offset_section_count);
        if (header_bytes != header_size(section_count))
            fail("header size " + std::to_string(header_bytes) + " is not that of " + std::to_string(section_count) +
                     " sections",
                 "header", offset_header_bytes);
        std::vector<unsigned char> header(static_cast<std::size_t>(header_bytes));
        read_at(0, header.data(), header.size(), "header");
        const std::size_t checksum_at = header.size() - header_checksum_bytes;
        const std::uint32_t stored = get_u32(header.data() + checksum_at);
        if (crc32c_of(std::string_view(reinterpret_cast<const char*>(header.data()), checksum_at)) != stored)
            fail("header checksum mismatch", "header", checksum_at);
        if (get_u32(header.data() + checksum_at + 4) != 0)
            fail("the bytes after the header checksum are not zero", "header", checksum_at + 4);

        stored_index index;
        std::size_t where = 0;
        const std::string problem = decode_parameters(header.data() + offset_parameters, index.parameters, where);
        if (!problem.empty()) fail("bad parameters: " + problem, "parameters", offset_parameters + where);

        // The section table: in kind order, each at the next aligned offset, inside the file.
        std::vector<entry> entries(section_count);
        std::uint64_t expected = header_bytes;
        std::uint32_t previous_kind = 0;
        for (std::uint32_t i = 0; i < section_count; ++i) {
            const std::uint64_t at = offset_section_table + std::uint64_t{i} * section_entry_bytes;
            const unsigned char* e = header.data() + at;
            entry& s = entries[i];
            s = entry{get_u32(e), get_u32(e + 4), get_u64(e + 8), get_u64(e + 16), get_u64(e + 24)};
            if (s.kind == 0 || s.kind <= previous_kind)
                fail("section kind " + std::to_string(s.kind) + " out of order", "section table", at);
            if (s.kind > last_known_section && minor_ <= version_minor)
                fail("unknown section kind " + std::to_string(s.kind) + " in a version " + std::to_string(major) +
                         "." + std::to_string(minor_) + " file",
                     "section table", at);
            previous_kind = s.kind;
            if (s.offset != expected)
                fail(std::string(store::section_name(s.kind)) + " starts at " + std::to_string(s.offset) + ", not at " +
                         std::to_string(expected) + " (overlapping or out of place)",
                     "section table", at + 8);
            if (s.length > room - s.offset || align_up(s.offset + s.length) > room)
                fail(std::string(store::section_name(s.kind)) + " of " + std::to_string(s.length) +
                         " bytes extends past the end of the file",
                     "section table", at + 16);
            expected = align_up(s.offset + s.length);
        }
        if (expected != room)
            fail(std::to_string(room - expected) + " bytes between the last section and the footer", "footer",
                 expected);
        for (std::uint32_t kind = 1; kind <= last_known_section; ++kind)
            if (std::none_of(entries.begin(), entries.end(), [&](const entry& s) { return s.kind == kind; }))
                fail("no " + std::string(section_name(kind)) + " section", "section table", offset_section_table);

        for (std::uint32_t i = 0; i < section_count; ++i) {
            const entry& s = entries[i];
            const std::uint64_t table_at = offset_section_table + std::uint64_t{i} * section_entry_bytes;
            if (s.kind > last_known_section) {
                skip_section(s);
                continue;
            }
            const std::vector<unsigned char> bytes = load_section(s);
            switch (s.kind) {
            case 1: parse_sources(s, table_at, bytes, index); break;
            case 2: parse_documents(s, table_at, bytes, index); break;
            case 3: parse_signatures(s, table_at, bytes, index); break;
            default: parse_band_records(s, table_at, bytes, index); break;
            }
        }
        return index;
    }

private:
    struct entry {
        std::uint32_t kind;
        std::uint32_t checksum;
        std::uint64_t offset;
        std::uint64_t length;
        std::uint64_t count;
    };

    [[noreturn]] static void fail(const std::string& message, std::string_view section, std::uint64_t offset) {
        throw index_format_error(message, section, offset);
    }

    void read_at(std::uint64_t offset, unsigned char* out, std::size_t n, std::string_view section) {
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
        if (!in_ || static_cast<std::size_t>(in_.gcount()) != n)
            fail("cannot read " + std::to_string(n) + " bytes", section, offset);
    }

    void check_footer() {
        using namespace store;
        unsigned char footer[footer_bytes];
        const std::uint64_t at = length_ - footer_bytes;
        read_at(at, footer, sizeof footer, "footer");
        if (std::string_view(reinterpret_cast<const char*>(footer + 8), 8) != footer_magic)
            fail("no footer at the end: the file is truncated or has bytes appended", "footer", at);
        const std::uint64_t recorded = get_u64(footer);
        if (recorded != length_)
            fail("the footer records " + std::to_string(recorded) + " bytes but the file has " +
                     std::to_string(length_) + (recorded > length_ ? " (truncated)" : " (bytes appended)"),
                 "footer", at);
    }

    // The bytes between the end of section s and the next multiple of 8 must be zero.
    void check_padding(const entry& s, const unsigned char* pad, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (pad[i] != 0)
                fail("non-zero padding after the section", store::section_name(s.kind), s.offset + s.length + i);
    }

    std::vector<unsigned char> load_section(const entry& s) {
        const std::uint64_t padded = store::align_up(s.offset + s.length) - s.offset;
        std::vector<unsigned char> bytes(static_cast<std::size_t>(padded));
        read_at(s.offset, bytes.data(), bytes.size(), store::section_name(s.kind));
        const auto length = static_cast<std::size_t>(s.length);
        check_padding(s, bytes.data() + length, bytes.size() - length);
        crc32c crc;
        crc.update(bytes.data(), length);
        if (crc.value() != s.checksum) fail("checksum mismatch", store::section_name(s.kind), s.offset);
        bytes.resize(length);
        return bytes;
    }

    // A section of a newer minor version: checked (checksum, padding) but not kept.
    void skip_section(const entry& s) {
        std::array<unsigned char, 1 << 16> chunk;
        crc32c crc;
        for (std::uint64_t done = 0; done < s.length;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), s.length - done));
            read_at(s.offset + done, chunk.data(), n, store::section_name(s.kind));
            crc.update(chunk.data(), n);
            done += n;
        }
        if (crc.value() != s.checksum) fail("checksum mismatch", store::section_name(s.kind), s.offset);
        const auto pad = static_cast<std::size_t>(store::align_up(s.offset + s.length) - s.offset - s.length);
        read_at(s.offset + s.length, chunk.data(), pad, store::section_name(s.kind));
        check_padding(s, chunk.data(), pad);
    }

    // count records of record_bytes each, then a pool: the count must fit the section.
    static std::size_t check_count(const entry& s, std::uint64_t table_at, std::size_t record_bytes) {
        if (s.count > s.length / record_bytes)
            fail(std::to_string(s.count) + " records of " + std::to_string(record_bytes) + " bytes do not fit " +
                     std::to_string(s.length) + " bytes",
                 store::section_name(s.kind), table_at + 24);
        return static_cast<std::size_t>(s.count);
    }

    static void parse_sources(const entry& s, std::uint64_t table_at, const std::vector<unsigned char>& bytes,
                              stored_index& index) {
        const std::size_t n = check_count(s, table_at, store::source_record_bytes);
        const std::size_t pool_at = n * store::source_record_bytes, pool = bytes.size() - pool_at;
        index.sources.resize(n);
        std::uint64_t begin = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const unsigned char* r = bytes.data() + i * store::source_record_bytes;
            const std::uint64_t end = get_u64(r + 24);
            if (end < begin || end > pool)
                fail("source " + std::to_string(i) + "'s path ends at " + std::to_string(end) +
                         ", outside the path bytes",
                     "sources", s.offset + i * store::source_record_bytes + 24);
            index_source& src = index.sources[i];
            src.size = get_u64(r);
            src.hash = content_hash{get_u64(r + 8), get_u64(r + 16)};
            src.path.assign(reinterpret_cast<const char*>(bytes.data() + pool_at + begin),
                            static_cast<std::size_t>(end - begin));
            begin = end;
        }
        if (begin != pool)
            fail(std::to_string(pool - begin) + " bytes after the last path", "sources", s.offset + pool_at + begin);
    }

    static void parse_documents(const entry& s, std::uint64_t table_at, const std::vector<unsigned char>& bytes,
                                stored_index& index) {
        const std::size_t n = check_count(s, table_at, store::document_record_bytes);
        if (n > std::numeric_limits<std::uint32_t>::max())
            fail("more than 2^32 - 1 documents", "documents", table_at + 24);
        const std::size_t pool_at = n * store::document_record_bytes, pool = bytes.size() - pool_at;
        index.documents.resize(n);
        std::uint64_t begin = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const unsigned char* r = bytes.data() + i * store::document_record_bytes;
            const std::uint64_t at = s.offset + i * store::document_record_bytes;
            index_document& d = index.documents[i];
            d.source = get_u64(r);
            d.offset = get_u64(r + 8);
            d.length = get_u64(r + 16);
            d.text_hash = content_hash{get_u64(r + 24), get_u64(r + 32)};
            const std::uint64_t end = get_u64(r + 40);
            if (d.source >= index.sources.size())
                fail("document " + std::to_string(i) + " refers to source " + std::to_string(d.source) +
                         ", which does not exist",
                     "documents", at);
            const std::uint64_t size = index.sources[static_cast<std::size_t>(d.source)].size;
            if (d.offset > size || d.length > size - d.offset)
                fail("document " + std::to_string(i) + " lies beyond the end of its source", "documents", at + 8);
            if (end < begin || end > pool)
                fail("document " + std::to_string(i) + "'s id ends at " + std::to_string(end) +
                         ", outside the id bytes",
                     "documents", at + 40);
            d.id.assign(reinterpret_cast<const char*>(bytes.data() + pool_at + begin),
                        static_cast<std::size_t>(end - begin));
            begin = end;
        }
        if (begin != pool)
            fail(std::to_string(pool - begin) + " bytes after the last id", "documents", s.offset + pool_at + begin);
    }

    static void parse_signatures(const entry& s, std::uint64_t table_at, const std::vector<unsigned char>& bytes,
                                 stored_index& index) {
        const index_parameters& p = index.parameters;
        const std::size_t width = p.slot_bits / 8, n = index.documents.size();
        if (s.count != n)
            fail(std::to_string(s.count) + " signatures for " + std::to_string(n) + " documents", "signatures",
                 table_at + 24);
        if (s.length != std::uint64_t{n} * p.slots * width)
            fail(std::to_string(s.length) + " bytes are not " + std::to_string(n) + " signatures of " +
                     std::to_string(p.slots * width) + " bytes",
                 "signatures", table_at + 16);
        index.signatures.resize(n * p.slots);
        const unsigned char* in = bytes.data();
        std::uint64_t* out = index.signatures.data();
        const std::size_t values = index.signatures.size();
        if (width == 2) for (std::size_t i = 0; i < values; ++i) out[i] = get_u16(in + 2 * i);
        else if (width == 4) for (std::size_t i = 0; i < values; ++i) out[i] = get_u32(in + 4 * i);
        else for (std::size_t i = 0; i < values; ++i) out[i] = get_u64(in + 8 * i);
        const std::uint64_t empty = slot_mask(p.slot_bits);
        for (std::size_t d = 0; d < n; ++d) {
            const auto slots = index.signature(d);
            const bool is_empty = slots[0] == empty;
            for (std::size_t i = 1; i < slots.size(); ++i)
                if ((slots[i] == empty) != is_empty)
                    fail("signature " + std::to_string(d) + " mixes empty and filled slots", "signatures",
                         s.offset + (d * p.slots + i) * width);
        }
    }

    static void parse_band_records(const entry& s, std::uint64_t table_at, const std::vector<unsigned char>& bytes,
                                   stored_index& index) {
        const index_parameters& p = index.parameters;
        const std::size_t n = index.documents.size();
        std::vector<bool> filled(n);
        std::size_t nonempty = 0;
        for (std::size_t d = 0; d < n; ++d) {
            filled[d] = !empty_signature(index.signature(d), p.slot_bits);
            nonempty += filled[d] ? 1u : 0u;
        }
        const std::uint64_t expected = std::uint64_t{nonempty} * p.lsh.bands;
        if (s.count != expected)
            fail(std::to_string(s.count) + " band records, not " + std::to_string(expected) + " (" +
                     std::to_string(p.lsh.bands) + " bands of " + std::to_string(nonempty) + " signatures)",
                 "band records", table_at + 24);
        if (s.length != expected * store::band_record_bytes)
            fail(std::to_string(s.length) + " bytes are not " + std::to_string(expected) + " band records",
                 "band records", table_at + 16);
        index.band_records.resize(static_cast<std::size_t>(expected));
        // Per band, the band a document was last seen in: each filled document once per band.
        std::vector<std::uint32_t> seen(n, std::numeric_limits<std::uint32_t>::max());
        for (std::size_t i = 0; i < index.band_records.size(); ++i) {
            const unsigned char* r = bytes.data() + i * store::band_record_bytes;
            const std::uint64_t at = s.offset + i * store::band_record_bytes;
            band_record& b = index.band_records[i];
            b = band_record{get_u64(r), get_u32(r + 8), get_u32(r + 12)};
            if (b.band >= p.lsh.bands) fail("band record of band " + std::to_string(b.band), "band records", at + 8);
            if (b.document >= n || !filled[b.document])
                fail("band record of document " + std::to_string(b.document) + ", which has no signature",
                     "band records", at + 12);
            if (i > 0 && !(index.band_records[i - 1] < b))
                fail("band records not sorted by (band, key, document)", "band records", at);
            if (seen[b.document] == b.band)
                fail("document " + std::to_string(b.document) + " twice in band " + std::to_string(b.band),
                     "band records", at + 12);
            seen[b.document] = b.band;
        }
    }

    std::istream& in_;
    std::uint64_t length_;
    std::uint16_t minor_ = 0;
};

}  // namespace detail

/// Reads a whole index from in (from its start; a seekable stream is read in place, any other is
/// read to its end first). Throws ditto::index_format_error for anything docs/format.md does not
/// allow.
[[nodiscard]] inline stored_index read_index(std::istream& in) {
    in.clear();
    in.seekg(0, std::ios::end);
    const std::streamoff end = in.fail() ? std::streamoff(-1) : std::streamoff(in.tellg());
    if (end < 0) {
        in.clear();
        std::ostringstream all;
        all << in.rdbuf();
        std::istringstream copy(std::move(all).str());
        return read_index(copy);
    }
    return detail::index_reader(in, static_cast<std::uint64_t>(end)).read();
}

/// Reads a whole index from the file at path. Throws std::runtime_error when it cannot be opened.
[[nodiscard]] inline stored_index read_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("read_index: cannot open " + path);
    return read_index(in);
}

}  // namespace ditto
