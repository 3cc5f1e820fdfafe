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
#include <span>
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

// The length of a stream, found by seeking to its end (the state cleared first), or -1 when it
// cannot seek (a pipe).
inline std::streamoff seekable_length(std::istream& in) {
    in.clear();
    in.seekg(0, std::ios::end);
    return in.fail() ? std::streamoff(-1) : std::streamoff(in.tellg());
}

// One entry of the section table.
struct section_entry {
    std::uint32_t kind = 0;
    std::uint32_t checksum = 0;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t count = 0;
    std::uint64_t table_at = 0;  // where the entry lies in the file (for error offsets)
};

[[noreturn]] inline void index_fail(const std::string& message, std::string_view section, std::uint64_t offset) {
    throw index_format_error(message, section, offset);
}

inline void index_read_at(std::istream& in, std::uint64_t offset, unsigned char* out, std::size_t n,
                          std::string_view section) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    if (!in || static_cast<std::size_t>(in.gcount()) != n)
        index_fail("cannot read " + std::to_string(n) + " bytes", section, offset);
}

// Checks a section's checksum and the zero padding after it, reading it once in chunks.
inline void check_section_bytes(std::istream& in, const section_entry& s) {
    std::vector<unsigned char> chunk(std::size_t{1} << 16);
    crc32c crc;
    for (std::uint64_t done = 0; done < s.length;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), s.length - done));
        index_read_at(in, s.offset + done, chunk.data(), n, store::section_name(s.kind));
        crc.update(chunk.data(), n);
        done += n;
    }
    if (crc.value() != s.checksum) index_fail("checksum mismatch", store::section_name(s.kind), s.offset);
    const auto pad = static_cast<std::size_t>(store::align_up(s.offset + s.length) - s.offset - s.length);
    index_read_at(in, s.offset + s.length, chunk.data(), pad, store::section_name(s.kind));
    for (std::size_t i = 0; i < pad; ++i)
        if (chunk[i] != 0)
            index_fail("non-zero padding after the section", store::section_name(s.kind), s.offset + s.length + i);
}

// Reads bytes [from, to) of a section front to back through a buffer. Each refill seeks, so
// several readers may share one stream.
class section_bytes {
public:
    section_bytes(std::istream& in, const section_entry& s, std::uint64_t from, std::uint64_t to)
        : in_(in), kind_(s.kind), next_(s.offset + from), end_(s.offset + to) {}

    void read(unsigned char* out, std::size_t n) {
        while (n > 0) {
            if (at_ == held_) refill(n);
            const std::size_t take = std::min(n, held_ - at_);
            std::copy_n(buffer_.data() + at_, take, out);
            at_ += take, out += take, n -= take;
        }
    }
    // Passes the next n bytes to f(pointer, count), chunk by chunk.
    template <class F>
    void copy(std::uint64_t n, F&& f) {
        while (n > 0) {
            if (at_ == held_) refill(1);
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, held_ - at_));
            f(buffer_.data() + at_, take);
            at_ += take, n -= take;
        }
    }
    // The file offset of the next byte.
    [[nodiscard]] std::uint64_t offset() const noexcept { return next_ - (held_ - at_); }

private:
    void refill(std::size_t wanted) {
        if (next_ >= end_) index_fail("cannot read " + std::to_string(wanted) + " bytes", store::section_name(kind_), next_);
        if (buffer_.empty()) buffer_.resize(std::size_t{1} << 16);
        held_ = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), end_ - next_));
        index_read_at(in_, next_, buffer_.data(), held_, store::section_name(kind_));
        next_ += held_;
        at_ = 0;
    }

    std::istream& in_;
    std::uint32_t kind_;
    std::uint64_t next_, end_;
    std::vector<unsigned char> buffer_;
    std::size_t held_ = 0, at_ = 0;
};

// count records of record_bytes each, then a pool: the count must fit the section.
inline std::size_t check_record_count(const section_entry& s, std::size_t record_bytes) {
    if (s.count > s.length / record_bytes)
        index_fail(std::to_string(s.count) + " records of " + std::to_string(record_bytes) + " bytes do not fit " +
                       std::to_string(s.length) + " bytes",
                   store::section_name(s.kind), s.table_at + 24);
    return static_cast<std::size_t>(s.count);
}

// The documents section's records, one at a time, each checked against the sources (see
// docs/format.md); then its id bytes. The checksum is checked before (check_section_bytes).
class document_cursor {
public:
    document_cursor(std::istream& in, const section_entry& s, const std::vector<index_source>& sources)
        : s_(s), sources_(sources), count_(check_record_count(s, store::document_record_bytes)),
          pool_at_(count_ * store::document_record_bytes), pool_(s.length - pool_at_), bytes_(in, s, 0, s.length) {
        if (count_ > std::numeric_limits<std::uint32_t>::max())
            index_fail("more than 2^32 - 1 documents", "documents", s.table_at + 24);
        if (count_ == 0 && pool_ != 0)  // else checked after the last record
            index_fail(std::to_string(pool_) + " bytes after the last id", "documents", s.offset + pool_at_);
    }

    [[nodiscard]] std::size_t count() const noexcept { return count_; }
    [[nodiscard]] std::uint64_t id_bytes() const noexcept { return pool_; }

    // Document i's record (its id left empty) and where its id ends in the id bytes.
    void next(index_document& d, std::uint64_t& id_end) {
        unsigned char r[store::document_record_bytes];
        const std::uint64_t at = bytes_.offset();
        bytes_.read(r, sizeof r);
        const std::size_t i = done_++;
        d.source = get_u64(r);
        d.offset = get_u64(r + 8);
        d.length = get_u64(r + 16);
        d.text_hash = content_hash{get_u64(r + 24), get_u64(r + 32)};
        id_end = get_u64(r + 40);
        if (d.source >= sources_.size())
            index_fail("document " + std::to_string(i) + " refers to source " + std::to_string(d.source) +
                           ", which does not exist",
                       "documents", at);
        const std::uint64_t size = sources_[static_cast<std::size_t>(d.source)].size;
        if (d.offset > size || d.length > size - d.offset)
            index_fail("document " + std::to_string(i) + " lies beyond the end of its source", "documents", at + 8);
        if (id_end < id_begin_ || id_end > pool_)
            index_fail("document " + std::to_string(i) + "'s id ends at " + std::to_string(id_end) +
                           ", outside the id bytes",
                       "documents", at + 40);
        id_begin_ = id_end;
        if (done_ == count_ && id_begin_ != pool_)
            index_fail(std::to_string(pool_ - id_begin_) + " bytes after the last id", "documents",
                       s_.offset + pool_at_ + id_begin_);
    }
    // After the last record: the id bytes, n at a time.
    void ids(unsigned char* out, std::size_t n) { bytes_.read(out, n); }
    template <class F>
    void copy_ids(F&& f) { bytes_.copy(pool_, f); }

private:
    section_entry s_;
    const std::vector<index_source>& sources_;
    std::size_t count_, pool_at_;
    std::uint64_t pool_;
    section_bytes bytes_;
    std::size_t done_ = 0;
    std::uint64_t id_begin_ = 0;
};

// The signatures section, one document's slot bytes at a time; notes which documents have a
// signature (not the empty one) for the band records.
class signature_cursor {
public:
    signature_cursor(std::istream& in, const section_entry& s, const index_parameters& p, std::size_t documents)
        : s_(s), bits_(p.slot_bits), slots_(p.slots), width_(p.slot_bits / 8), bytes_(in, s, 0, s.length),
          row_(slots_ * width_) {
        if (s.count != documents)
            index_fail(std::to_string(s.count) + " signatures for " + std::to_string(documents) + " documents",
                       "signatures", s.table_at + 24);
        if (s.length != std::uint64_t{documents} * slots_ * width_)
            index_fail(std::to_string(s.length) + " bytes are not " + std::to_string(documents) + " signatures of " +
                           std::to_string(slots_ * width_) + " bytes",
                       "signatures", s.table_at + 16);
    }

    // The next document's slots: raw (width bytes each, little-endian) and as values. Returns
    // whether the signature is filled.
    bool next(std::vector<std::uint64_t>& values) {
        const std::size_t d = done_++;
        bytes_.read(row_.data(), row_.size());
        values.resize(slots_);
        const unsigned char* in = row_.data();
        // One load per width (a loop of a run-time length would go byte by byte).
        if (width_ == 2) for (std::size_t i = 0; i < slots_; ++i) values[i] = get_u16(in + 2 * i);
        else if (width_ == 4) for (std::size_t i = 0; i < slots_; ++i) values[i] = get_u32(in + 4 * i);
        else for (std::size_t i = 0; i < slots_; ++i) values[i] = get_u64(in + 8 * i);
        const std::uint64_t empty = slot_mask(bits_);
        const bool is_empty = values[0] == empty;
        for (std::size_t i = 1; i < slots_; ++i)
            if ((values[i] == empty) != is_empty)
                index_fail("signature " + std::to_string(d) + " mixes empty and filled slots", "signatures",
                           s_.offset + (std::uint64_t{d} * slots_ + i) * width_);
        return !is_empty;
    }
    [[nodiscard]] std::span<const unsigned char> raw() const noexcept { return row_; }

private:
    section_entry s_;
    std::uint32_t bits_;
    std::size_t slots_, width_;
    section_bytes bytes_;
    std::vector<unsigned char> row_;
    std::size_t done_ = 0;
};

// The band records, one at a time, checked: bands in range, documents with a signature, sorted
// by (band, key, document), each document once per band. filled[d]: document d has a signature.
class band_record_cursor {
public:
    band_record_cursor(std::istream& in, const section_entry& s, const index_parameters& p,
                       const std::vector<bool>& filled)
        : bands_(p.lsh.bands), filled_(filled), bytes_(in, s, 0, s.length),
          seen_(filled.size(), std::numeric_limits<std::uint32_t>::max()) {
        const auto nonempty = static_cast<std::uint64_t>(std::count(filled.begin(), filled.end(), true));
        count_ = nonempty * bands_;
        if (s.count != count_)
            index_fail(std::to_string(s.count) + " band records, not " + std::to_string(count_) + " (" +
                           std::to_string(bands_) + " bands of " + std::to_string(nonempty) + " signatures)",
                       "band records", s.table_at + 24);
        if (s.length != count_ * store::band_record_bytes)
            index_fail(std::to_string(s.length) + " bytes are not " + std::to_string(count_) + " band records",
                       "band records", s.table_at + 16);
    }

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

    // The next record; false after the last.
    bool next(band_record& b) {
        if (done_ == count_) return false;
        unsigned char r[store::band_record_bytes];
        const std::uint64_t at = bytes_.offset();
        bytes_.read(r, sizeof r);
        b = band_record{get_u64(r), get_u32(r + 8), get_u32(r + 12)};
        if (b.band >= bands_) index_fail("band record of band " + std::to_string(b.band), "band records", at + 8);
        if (b.document >= filled_.size() || !filled_[b.document])
            index_fail("band record of document " + std::to_string(b.document) + ", which has no signature",
                       "band records", at + 12);
        if (done_ > 0 && !(last_ < b)) index_fail("band records not sorted by (band, key, document)", "band records", at);
        if (seen_[b.document] == b.band)
            index_fail("document " + std::to_string(b.document) + " twice in band " + std::to_string(b.band),
                       "band records", at + 12);
        seen_[b.document] = b.band;
        last_ = b;
        ++done_;
        return true;
    }

private:
    std::size_t bands_;
    const std::vector<bool>& filled_;
    section_bytes bytes_;
    std::vector<std::uint32_t> seen_;  // per document, the band it was last seen in
    std::uint64_t count_ = 0, done_ = 0;
    band_record last_{};
};

// An index file's layout, checked before any section is believed: the magic, the major
// version, the footer, the header's checksum, the parameters and the section table (sections in
// order, each at the next multiple of 8 after the previous one, inside the file). Sections of a
// newer minor version are checked (checksum, padding) and skipped. The sources are read whole
// (they are few); the other sections are read through the cursors above.
class index_reader {
public:
    index_reader(std::istream& in, std::uint64_t length) : in_(in), length_(length) { open(); }

    [[nodiscard]] const index_parameters& parameters() const noexcept { return parameters_; }
    [[nodiscard]] const std::vector<index_source>& sources() const noexcept { return sources_; }
    // The entry of a known section kind (1 to store::last_known_section).
    [[nodiscard]] const section_entry& section(std::uint32_t kind) const noexcept { return known_[kind - 1]; }
    [[nodiscard]] std::istream& stream() noexcept { return in_; }

    // Checks the whole index as read() does, keeping nothing: about 5 bytes a document.
    void verify() {
        const section_entry& docs = section(2);
        check_section_bytes(in_, docs);
        std::size_t count = 0;
        {
            document_cursor cursor(in_, docs, sources_);
            count = cursor.count();
            index_document d;
            std::uint64_t id_end = 0;
            for (std::size_t i = 0; i < count; ++i) cursor.next(d, id_end);
        }
        const section_entry& sigs = section(3);
        check_section_bytes(in_, sigs);
        std::vector<bool> filled(count);
        {
            signature_cursor cursor(in_, sigs, parameters_, count);
            std::vector<std::uint64_t> values;
            for (std::size_t d = 0; d < count; ++d) filled[d] = cursor.next(values);
        }
        const section_entry& records = section(4);
        check_section_bytes(in_, records);
        band_record_cursor cursor(in_, records, parameters_, filled);
        band_record b{};
        while (cursor.next(b)) {
        }
    }

    // The whole index, every section's checksum checked before it is parsed.
    stored_index read() {
        stored_index index;
        index.parameters = parameters_;
        index.sources = sources_;
        const section_entry& docs = section(2);
        check_section_bytes(in_, docs);
        {
            document_cursor cursor(in_, docs, sources_);
            index.documents.resize(cursor.count());
            std::vector<std::uint64_t> ends(cursor.count());
            for (std::size_t i = 0; i < cursor.count(); ++i) cursor.next(index.documents[i], ends[i]);
            std::string ids(static_cast<std::size_t>(cursor.id_bytes()), '\0');
            cursor.ids(reinterpret_cast<unsigned char*>(ids.data()), ids.size());
            std::uint64_t begin = 0;
            for (std::size_t i = 0; i < cursor.count(); ++i) {
                index.documents[i].id.assign(ids, static_cast<std::size_t>(begin), static_cast<std::size_t>(ends[i] - begin));
                begin = ends[i];
            }
        }
        const section_entry& sigs = section(3);
        check_section_bytes(in_, sigs);
        std::vector<bool> filled(index.documents.size());
        {
            signature_cursor cursor(in_, sigs, parameters_, index.documents.size());
            index.signatures.reserve(index.documents.size() * parameters_.slots);
            std::vector<std::uint64_t> values;
            for (std::size_t d = 0; d < filled.size(); ++d) {
                filled[d] = cursor.next(values);
                index.signatures.insert(index.signatures.end(), values.begin(), values.end());
            }
        }
        const section_entry& records = section(4);
        check_section_bytes(in_, records);
        band_record_cursor cursor(in_, records, parameters_, filled);
        index.band_records.resize(static_cast<std::size_t>(cursor.count()));
        for (band_record& b : index.band_records) cursor.next(b);
        return index;
    }

private:
    void open() {
        using namespace store;
        if (length_ < header_size(0) + footer_bytes)
            index_fail("the file has " + std::to_string(length_) + " bytes, fewer than the smallest index", "header",
                       length_);
        unsigned char start[offset_parameters];
        index_read_at(in_, 0, start, sizeof start, "header");
        if (std::string_view(reinterpret_cast<const char*>(start), 8) != magic)
            index_fail("not a ditto index (bad magic)", "header", 0);
        const std::uint16_t major = get_u16(start + offset_major);
        const std::uint16_t minor = get_u16(start + offset_minor);
        if (major != version_major)
            index_fail("unknown major version " + std::to_string(major) + " (this reader knows " +
                           std::to_string(version_major) + ")",
                       "header", offset_major);
        check_footer();

        const std::uint32_t section_count = get_u32(start + offset_section_count);
        const std::uint64_t header_bytes = get_u64(start + offset_header_bytes);
        const std::uint64_t room = length_ - footer_bytes;
        if (section_count > (room - header_size(0)) / section_entry_bytes)
            index_fail("section count " + std::to_string(section_count) + " does not fit the file", "header",
                       offset_section_count);
        if (header_bytes != header_size(section_count))
            index_fail("header size " + std::to_string(header_bytes) + " is not that of " +
                           std::to_string(section_count) + " sections",
                       "header", offset_header_bytes);
        std::vector<unsigned char> header(static_cast<std::size_t>(header_bytes));
        index_read_at(in_, 0, header.data(), header.size(), "header");
        const std::size_t checksum_at = header.size() - header_checksum_bytes;
        const std::uint32_t stored = get_u32(header.data() + checksum_at);
        if (crc32c_of(std::string_view(reinterpret_cast<const char*>(header.data()), checksum_at)) != stored)
            index_fail("header checksum mismatch", "header", checksum_at);
        if (get_u32(header.data() + checksum_at + 4) != 0)
            index_fail("the bytes after the header checksum are not zero", "header", checksum_at + 4);

        std::size_t where = 0;
        const std::string problem = decode_parameters(header.data() + offset_parameters, parameters_, where);
        if (!problem.empty()) index_fail("bad parameters: " + problem, "parameters", offset_parameters + where);

        // The section table: in kind order, each at the next aligned offset, inside the file.
        std::vector<section_entry> entries(section_count);
        std::uint64_t expected = header_bytes;
        std::uint32_t previous_kind = 0;
        for (std::uint32_t i = 0; i < section_count; ++i) {
            const std::uint64_t at = offset_section_table + std::uint64_t{i} * section_entry_bytes;
            const unsigned char* e = header.data() + at;
            section_entry& s = entries[i];
            s = section_entry{get_u32(e), get_u32(e + 4), get_u64(e + 8), get_u64(e + 16), get_u64(e + 24), at};
            if (s.kind == 0 || s.kind <= previous_kind)
                index_fail("section kind " + std::to_string(s.kind) + " out of order", "section table", at);
            if (s.kind > last_known_section && minor <= version_minor)
                index_fail("unknown section kind " + std::to_string(s.kind) + " in a version " +
                               std::to_string(major) + "." + std::to_string(minor) + " file",
                           "section table", at);
            previous_kind = s.kind;
            if (s.offset != expected)
                index_fail(std::string(store::section_name(s.kind)) + " starts at " + std::to_string(s.offset) +
                               ", not at " + std::to_string(expected) + " (overlapping or out of place)",
                           "section table", at + 8);
            if (s.length > room - s.offset || align_up(s.offset + s.length) > room)
                index_fail(std::string(store::section_name(s.kind)) + " of " + std::to_string(s.length) +
                               " bytes extends past the end of the file",
                           "section table", at + 16);
            expected = align_up(s.offset + s.length);
        }
        if (expected != room)
            index_fail(std::to_string(room - expected) + " bytes between the last section and the footer", "footer",
                       expected);
        for (std::uint32_t kind = 1; kind <= last_known_section; ++kind)
            if (std::none_of(entries.begin(), entries.end(), [&](const section_entry& s) { return s.kind == kind; }))
                index_fail("no " + std::string(section_name(kind)) + " section", "section table", offset_section_table);
        for (const section_entry& s : entries) {
            if (s.kind > last_known_section) check_section_bytes(in_, s);
            else known_[s.kind - 1] = s;
        }
        read_sources();
    }

    void check_footer() {
        using namespace store;
        unsigned char footer[footer_bytes];
        const std::uint64_t at = length_ - footer_bytes;
        index_read_at(in_, at, footer, sizeof footer, "footer");
        if (std::string_view(reinterpret_cast<const char*>(footer + 8), 8) != footer_magic)
            index_fail("no footer at the end: the file is truncated or has bytes appended", "footer", at);
        const std::uint64_t recorded = get_u64(footer);
        if (recorded != length_)
            index_fail("the footer records " + std::to_string(recorded) + " bytes but the file has " +
                           std::to_string(length_) + (recorded > length_ ? " (truncated)" : " (bytes appended)"),
                       "footer", at);
    }

    void read_sources() {
        const section_entry& s = section(1);
        check_section_bytes(in_, s);
        const std::size_t n = check_record_count(s, store::source_record_bytes);
        std::vector<unsigned char> bytes(static_cast<std::size_t>(s.length));
        index_read_at(in_, s.offset, bytes.data(), bytes.size(), "sources");
        const std::size_t pool_at = n * store::source_record_bytes, pool = bytes.size() - pool_at;
        sources_.resize(n);
        std::uint64_t begin = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const unsigned char* r = bytes.data() + i * store::source_record_bytes;
            const std::uint64_t end = get_u64(r + 24);
            if (end < begin || end > pool)
                index_fail("source " + std::to_string(i) + "'s path ends at " + std::to_string(end) +
                               ", outside the path bytes",
                           "sources", s.offset + i * store::source_record_bytes + 24);
            index_source& src = sources_[i];
            src.size = get_u64(r);
            src.hash = content_hash{get_u64(r + 8), get_u64(r + 16)};
            src.path.assign(reinterpret_cast<const char*>(bytes.data() + pool_at + begin),
                            static_cast<std::size_t>(end - begin));
            begin = end;
        }
        if (begin != pool)
            index_fail(std::to_string(pool - begin) + " bytes after the last path", "sources", s.offset + pool_at + begin);
    }

    std::istream& in_;
    std::uint64_t length_;
    index_parameters parameters_;
    std::array<section_entry, store::last_known_section> known_{};
    std::vector<index_source> sources_;
};

}  // namespace detail

/// Reads a whole index from in (from its start; a seekable stream is read in place, any other is
/// read to its end first). Throws ditto::index_format_error for anything docs/format.md does not
/// allow.
[[nodiscard]] inline stored_index read_index(std::istream& in) {
    const std::streamoff end = detail::seekable_length(in);
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
