// libFuzzer target: arbitrary bytes as a JSONL buffer. The first byte chooses the options (UTF-8
// policy, id field, skipping bad lines, keeping originals) and the chunk size, the rest is the
// buffer. The oracle is the definition of parse_jsonl: its result must equal parsing the lines
// one after another with one jsonl_parser (the same records, line numbers and byte ranges, the
// same errors), whatever the chunk size. Also: decoded texts and ids are valid UTF-8 unless the
// policy is error (then nothing was replaced), kept originals are the lines' bytes as read, and a
// line jsonl_restorable accepts (or that parse_jsonl marks jsonl_restored) is written back by
// restore_jsonl_line exactly as read.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/parallel.hpp>
#include <ditto/text/utf8.hpp>

namespace {

// A broken invariant: says which (the line of the check), then aborts, which libFuzzer reports.
[[noreturn]] void fail(int line) {
    std::fprintf(stderr, "%s: invariant checked at line %d does not hold\n", __FILE__, line);
    std::abort();
}

struct serial_line {
    bool ok = false;
    std::size_t line = 0, begin = 0, end = 0;
    std::string text, id;
    ditto::json_id_kind id_kind = ditto::json_id_kind::none;
    std::size_t invalid_utf8 = 0;
    std::string message;
    std::size_t error_offset = 0, error_line = 0, error_column = 0;
};

// Line [begin, end) of input written back from its parse, which must give its bytes as read.
void check_restored(std::string_view parsed, const ditto::jsonl_record& r, const std::string& input, std::size_t begin,
                    std::size_t end, int line) {
    std::string back;
    ditto::restore_jsonl_line(parsed, r, back);
    if (input.compare(begin, end - begin, back) != 0) fail(line);
}

// Every line of buffer[0, size) parsed in order by one parser; stops after the first bad line
// unless skip_invalid.
std::vector<serial_line> parse_serially(std::string buffer, const ditto::jsonl_options& options, bool skip_invalid) {
    const std::string input = buffer;
    ditto::jsonl_parser parser(options);
    std::vector<serial_line> lines;
    std::size_t number = 0;
    for (std::size_t pos = 0; pos < buffer.size();) {
        std::size_t stop = buffer.find('\n', pos);
        if (stop == std::string::npos) stop = buffer.size();
        serial_line l;
        l.line = ++number;
        l.begin = pos;
        l.end = stop;
        try {
            const ditto::jsonl_record r = parser.parse(buffer.data() + pos, stop - pos, number);
            l.ok = true;
            l.text = r.text;
            l.id = r.id;
            l.id_kind = r.id_kind;
            l.invalid_utf8 = r.invalid_utf8;
            const std::string_view parsed(buffer.data() + pos, stop - pos);
            if (ditto::jsonl_restorable(parsed, r)) check_restored(parsed, r, input, pos, stop, __LINE__);
        } catch (const ditto::parse_error& e) {
            l.message = e.what();
            l.error_offset = e.byte_offset();
            l.error_line = e.line();
            l.error_column = e.column();
        }
        lines.push_back(l);
        if (!l.ok && !skip_invalid) break;
        pos = stop + 1;
    }
    return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t bits = data[0];
    const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
    ditto::jsonl_options options;
    options.on_invalid = bits % 3 == 0 ? ditto::invalid_utf8::replace
                                       : (bits % 3 == 1 ? ditto::invalid_utf8::skip : ditto::invalid_utf8::error);
    if ((bits & 0x04) != 0) options.id_field = "";
    ditto::jsonl_chunk_options chunking;
    chunking.skip_invalid = (bits & 0x08) != 0;
    chunking.keep_originals = (bits & 0x10) != 0;
    chunking.restore = chunking.keep_originals && (bits & 0x20) != 0;
    chunking.chunk_bytes = std::size_t{1} << ((bits >> 5) * 2);  // 1, 4, ..., 16384 bytes
    std::string kept;
    chunking.keep = [&](std::string_view bytes) {
        const std::uint64_t at = kept.size();
        kept.append(bytes);
        return at;
    };

    const std::vector<serial_line> want = parse_serially(input, options, chunking.skip_invalid);

    std::string buffer = input;
    ditto::inline_executor ex;
    const ditto::jsonl_lines got = ditto::parse_jsonl(buffer.data(), 0, buffer.size(), options, ex, chunking);

    std::size_t r = 0, b = 0, invalid = 0;
    for (const serial_line& w : want) {
        if (w.ok) {
            if (r >= got.records.size()) fail(__LINE__);
            const ditto::jsonl_line& g = got.records[r++];
            if (g.line != w.line || g.begin != w.begin || g.end != w.end || g.record.text != w.text ||
                g.record.id != w.id || g.record.id_kind != w.id_kind || g.record.invalid_utf8 != w.invalid_utf8)
                fail(__LINE__);
            invalid += w.invalid_utf8;
            if (options.on_invalid == ditto::invalid_utf8::error && w.invalid_utf8 != 0) fail(__LINE__);
            if (!ditto::is_valid_utf8(g.record.text) ||
                (g.record.id_kind == ditto::json_id_kind::string && !ditto::is_valid_utf8(g.record.id)))
                fail(__LINE__);
            if (g.original != ditto::jsonl_not_kept && g.original != ditto::jsonl_restored &&
                (g.original > kept.size() || kept.compare(g.original, w.end - w.begin, input, w.begin, w.end - w.begin) != 0))
                fail(__LINE__);
            if (!chunking.keep_originals && g.original != ditto::jsonl_not_kept) fail(__LINE__);
            if (g.original == ditto::jsonl_restored) {
                if (!chunking.restore) fail(__LINE__);
                check_restored(std::string_view(buffer.data() + g.begin, g.end - g.begin), g.record, input, g.begin, g.end,
                               __LINE__);
            }
        } else {
            if (b >= got.bad.size()) fail(__LINE__);
            const ditto::jsonl_bad_line& g = got.bad[b++];
            if (g.line != w.line || g.begin != w.begin || g.end != w.end || w.message != g.error.what() ||
                g.error.byte_offset() != w.error_offset || g.error.line() != w.error_line ||
                g.error.column() != w.error_column)
                fail(__LINE__);
        }
    }
    if (r != got.records.size() || b != got.bad.size() || got.invalid_utf8 != invalid) fail(__LINE__);
    // A line whose bytes were not kept is still as read in the buffer.
    if (chunking.keep_originals)
        for (const ditto::jsonl_line& g : got.records)
            if (g.original == ditto::jsonl_not_kept && buffer.compare(g.begin, g.end - g.begin, input, g.begin, g.end - g.begin) != 0)
                fail(__LINE__);
    return 0;
}
