// libFuzzer target: arbitrary bytes given to the stored-index reader. The reader must either
// return an index that the writer writes back to the same bytes, or throw ditto::format_error;
// anything else (a crash, a sanitizer report, another exception, a different answer) is a bug.
// Random bytes rarely carry correct checksums, so each input is also read once more "resealed":
// with every checksum the section table can locate recomputed, which lets the fuzzer reach the
// structural checks behind them. Each input is also merged with itself by the streaming merge,
// which must refuse it exactly when the reader does, with the same message, and otherwise write
// the bytes of the in-memory merge.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <stdexcept>
#include <string_view>

#include <ditto/error.hpp>
#include <ditto/store/crc32c.hpp>
#include <ditto/store/index_merge.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>

namespace {

std::uint64_t get(const std::string& b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

void put(std::string& b, std::size_t at, std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) b[at + i] = static_cast<char>(static_cast<unsigned char>(v >> (8 * i)));
}

// Recomputes the section checksums and the header checksum where the table lets us find them.
std::string reseal(std::string b) {
    if (b.size() < 88) return b;
    const std::uint64_t sections = get(b, 12, 4);
    if (sections > (b.size() - 88) / 32) return b;
    const std::size_t table_end = 80 + 32 * static_cast<std::size_t>(sections);
    for (std::size_t i = 0; i < sections; ++i) {
        const std::size_t e = 80 + 32 * i;
        const std::uint64_t offset = get(b, e + 8, 8), length = get(b, e + 16, 8);
        if (offset <= b.size() && length <= b.size() - offset)
            put(b, e + 4, ditto::crc32c_of(std::string_view(b).substr(offset, length)), 4);
    }
    put(b, table_end, ditto::crc32c_of(std::string_view(b).substr(0, table_end)), 4);
    return b;
}

// The streaming merge of bytes with itself: its output, or "!" and the error's message.
std::string streamed_self_merge(const std::string& bytes) {
    std::istringstream a(bytes), b(bytes);
    std::ostringstream out;
    try {
        ditto::merge_indexes(a, b, out);
    } catch (const ditto::merge_input_error& e) {
        if (!out.str().empty()) std::abort();  // wrote before refusing
        return std::string("!") + e.what();
    } catch (const std::invalid_argument&) {
        return "!too many documents";  // a self-merge past 2^32 - 1 documents
    }
    return out.str();
}

void check(const std::string& bytes) {
    std::istringstream in(bytes);
    ditto::stored_index index;
    const std::string merged = streamed_self_merge(bytes);
    try {
        index = ditto::read_index(in);
    } catch (const ditto::format_error& e) {
        if (merged != std::string("!") + e.what()) std::abort();
        return;
    }
    {
        std::ostringstream expected;
        if (index.documents.size() * 2 > 0xFFFFFFFFu) {
            if (merged != "!too many documents") std::abort();
        } else {
            ditto::write_index(expected, ditto::merge(index, index));
            if (merged != expected.str()) std::abort();
        }
    }
    // Accepted: it must be exactly what the writer makes of it (a file of a newer minor version
    // with unknown sections would be the exception; the writer never makes one).
    std::ostringstream out;
    ditto::write_index(out, index);
    if (out.str() != bytes && bytes.size() >= 12 && static_cast<unsigned char>(bytes[10]) == 0 &&
        static_cast<unsigned char>(bytes[11]) == 0)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    check(bytes);
    const std::string resealed = reseal(bytes);
    if (resealed != bytes) check(resealed);
    return 0;
}
