#pragma once
// The stored index format's constants and its error: magic, versions, section kinds and the
// fixed offsets of the header (docs/format.md is the specification), plus little-endian
// encoding of integers into byte buffers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <ditto/detail/load.hpp>
#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// A stored index that is corrupt, truncated, of an unknown major version or otherwise not what
/// docs/format.md describes. Names the part of the file (a section's name, "header" or "footer")
/// and the byte offset in the file where the problem was found.
class index_format_error : public format_error {
public:
    index_format_error(std::string_view message, std::string_view section, std::uint64_t byte_offset)
        : format_error(compose(message, section, byte_offset)), section_(section), byte_offset_(byte_offset) {}

    [[nodiscard]] const std::string& section() const noexcept { return section_; }
    [[nodiscard]] std::uint64_t byte_offset() const noexcept { return byte_offset_; }

private:
    static std::string compose(std::string_view message, std::string_view section, std::uint64_t offset) {
        std::string text("ditto index: ");
        text.append(message).append(" (").append(section).append(", byte offset ");
        text.append(std::to_string(offset)).append(")");
        return text;
    }

    std::string section_;
    std::uint64_t byte_offset_;
};

namespace store {

/// The first 8 bytes of every stored index.
inline constexpr std::string_view magic{"DITTOIDX", 8};
/// The last 8 bytes of every stored index (after the file length).
inline constexpr std::string_view footer_magic{"DITTOEND", 8};

/// A reader rejects any other major version; a file of a newer minor version may hold section
/// kinds this reader does not know, which it checks (checksum, place) and skips. Major 2 came
/// with the second design of hash64 and mix64, which changed every stored hash (docs/format.md).
inline constexpr std::uint16_t version_major = 2;
inline constexpr std::uint16_t version_minor = 0;

/// Section kinds of version 2.0 (as in 1.0), in the order they must appear.
enum class section_kind : std::uint32_t {
    sources = 1,
    documents = 2,
    signatures = 3,
    band_records = 4,
};
inline constexpr std::uint32_t last_known_section = 4;

[[nodiscard]] constexpr std::string_view section_name(std::uint32_t kind) noexcept {
    switch (kind) {
    case 1: return "sources";
    case 2: return "documents";
    case 3: return "signatures";
    case 4: return "band records";
    default: return "unknown section";
    }
}

// Header layout (byte offsets).
inline constexpr std::size_t offset_major = 8;
inline constexpr std::size_t offset_minor = 10;
inline constexpr std::size_t offset_section_count = 12;
inline constexpr std::size_t offset_header_bytes = 16;
inline constexpr std::size_t offset_parameters = 24;
inline constexpr std::size_t parameter_bytes = 56;
inline constexpr std::size_t offset_section_table = offset_parameters + parameter_bytes;  // 80
inline constexpr std::size_t section_entry_bytes = 32;
/// The header's CRC-32C (4 bytes) and 4 zero bytes follow the section table.
inline constexpr std::size_t header_checksum_bytes = 8;
inline constexpr std::size_t footer_bytes = 16;
/// Sections start at multiples of this; the bytes between sections are zero.
inline constexpr std::size_t alignment = 8;

/// Record sizes of version 2.0 (as in 1.0).
inline constexpr std::size_t source_record_bytes = 32;
inline constexpr std::size_t document_record_bytes = 48;
inline constexpr std::size_t band_record_bytes = 16;

[[nodiscard]] constexpr std::size_t header_size(std::size_t sections) noexcept {
    return offset_section_table + sections * section_entry_bytes + header_checksum_bytes;
}

[[nodiscard]] constexpr std::uint64_t align_up(std::uint64_t n) noexcept {
    return (n + (alignment - 1)) & ~std::uint64_t{alignment - 1};
}

}  // namespace store

namespace detail {

inline void put_le(unsigned char* p, std::uint64_t v, std::size_t bytes) noexcept {
    for (std::size_t i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline void put_u64(unsigned char* p, std::uint64_t v) noexcept { put_le(p, v, 8); }
inline void put_u32(unsigned char* p, std::uint32_t v) noexcept { put_le(p, v, 4); }
inline void put_u16(unsigned char* p, std::uint16_t v) noexcept { put_le(p, v, 2); }

[[nodiscard]] inline std::uint64_t get_le(const unsigned char* p, std::size_t bytes) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = bytes; i-- > 0;) v = (v << 8) | p[i];
    return v;
}
[[nodiscard]] inline std::uint64_t get_u64(const unsigned char* p) noexcept { return load8(p); }
[[nodiscard]] inline std::uint32_t get_u32(const unsigned char* p) noexcept {
    return static_cast<std::uint32_t>(load4(p));
}
[[nodiscard]] inline std::uint16_t get_u16(const unsigned char* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

}  // namespace detail
}  // namespace ditto
