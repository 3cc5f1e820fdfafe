#pragma once
// A JSONL buffer parsed in chunks on an executor, with the result of parsing its lines one after
// another: the same records in the same order, the same line numbers, the same errors.
//
// The buffer is cut at line ends into pieces of about chunk_bytes (a longer line is one piece);
// each piece is a task with parsers of its own. Line numbers are counted per piece and made
// global when the pieces are joined. Without skip_invalid a piece stops at its first bad line,
// pieces after the first stopped one are not needed (and skip their work), and the error
// reported is the first bad line in file order, whatever the thread count.
//
// keep_originals serves outputs that copy lines exactly as read while parsing decodes in place:
// a line with no backslash is parsed by a parser whose UTF-8 policy is `error` (with no escape and
// valid UTF-8 it writes nothing: every write is a byte onto itself); a line with an escape, or one
// that parser rejects, is first copied as read into the piece's buffer of originals, then parsed.
// When its piece is done, that buffer goes to the caller's keep function (called from the task's
// thread, one piece at a time per thread: it must be safe to call concurrently), which returns
// where it put the bytes; each such line's `original` is that place plus the line's offset in the
// buffer. So at most one piece's originals per thread are held in memory at once.
//
// With restore as well, a line with an escape is copied to a scratch buffer instead, then parsed;
// when its escapes are ones restore_jsonl_line writes back (jsonl_restorable: the default forms
// of common encoders), the copy is dropped and its `original` is jsonl_restored, else it goes to
// the originals as before. A corpus whose texts all hold "\n" escapes then keeps nothing.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/error.hpp>
#include <ditto/io/jsonl.hpp>

namespace ditto::inline v0_1 {

/// A line's `original` when its bytes were not copied (they are still as read in the buffer).
inline constexpr std::uint64_t jsonl_not_kept = ~std::uint64_t{0};
/// A line's `original` when parsing changed it and restore_jsonl_line writes it back as read.
inline constexpr std::uint64_t jsonl_restored = ~std::uint64_t{0} - 1;

/// How parse_jsonl cuts and treats the buffer.
struct jsonl_chunk_options {
    std::size_t chunk_bytes = std::size_t{4} << 20;  ///< about this many bytes per task (at least 1)
    bool skip_invalid = false;   ///< collect bad lines and go on; otherwise the first one ends parsing
    bool keep_originals = false;  ///< copy lines that parsing would change first (see the header comment)
    bool restore = false;  ///< with keep_originals: lines restore_jsonl_line writes back are not kept
    /// With keep_originals: stores a piece's originals, returns where they start. Called concurrently.
    std::function<std::uint64_t(std::string_view)> keep;
    /// When set: called after each piece with the bytes parsed so far (concurrently).
    std::function<void(std::size_t)> progress;
};

/// One parsed line.
struct jsonl_line {
    jsonl_record record;
    std::size_t line = 0;             ///< 1-based
    std::size_t begin = 0, end = 0;   ///< the line's bytes in the buffer, without its "\n"
    std::uint64_t original = jsonl_not_kept;  ///< where its bytes as read were kept
};

/// A line that did not parse.
struct jsonl_bad_line {
    std::size_t line = 0;
    std::size_t begin = 0, end = 0;
    std::uint64_t original = jsonl_not_kept;
    parse_error error;  ///< with the global line number
};

/// The lines of a buffer. Records point into the buffer or into the parsers' side stores, which
/// this object owns: keep it alive while the records are used.
struct jsonl_lines {
    std::vector<jsonl_line> records;  ///< in file order
    /// Skipped lines in file order (skip_invalid); otherwise at most one, the first bad line in
    /// file order, and `records` holds the lines before it.
    std::vector<jsonl_bad_line> bad;
    std::size_t invalid_utf8 = 0;  ///< ill-formed sequences replaced or skipped in the records
    std::vector<std::unique_ptr<jsonl_parser>> parsers;
};

/// Where the pieces of [start, size) end: each end is just after a "\n", or size; about
/// chunk_bytes apart (a line longer than that makes a longer piece). Empty when start >= size.
[[nodiscard]] inline std::vector<std::size_t> line_chunk_ends(const char* data, std::size_t start, std::size_t size,
                                                              std::size_t chunk_bytes) {
    chunk_bytes = std::max<std::size_t>(chunk_bytes, 1);
    std::vector<std::size_t> ends;
    for (std::size_t begin = start; begin < size;) {
        std::size_t end = size;
        if (size - begin > chunk_bytes) {
            const std::size_t from = begin + chunk_bytes - 1;  // a line ending right at the target fits
            const void* nl = std::memchr(data + from, '\n', size - from);
            if (nl) end = static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1;
        }
        ends.push_back(end);
        begin = end;
    }
    return ends;
}

namespace detail {

struct jsonl_piece {
    std::vector<jsonl_line> records;       // line numbers local to the piece (1-based)
    std::vector<jsonl_bad_line> bad;       // likewise
    std::size_t lines = 0;                 // lines seen
    std::size_t invalid_utf8 = 0;
    bool stopped = false;                  // at bad.back() or at failure
    std::exception_ptr failure;            // anything but a parse error (or from keep)
    std::unique_ptr<jsonl_parser> parser, strict;
    std::string originals;
    std::string scratch;  // restore: the line being parsed, as read
};

inline void parse_jsonl_piece(jsonl_piece& piece, char* data, std::size_t begin, std::size_t end,
                              const jsonl_options& options, const jsonl_chunk_options& chunking) {
    piece.parser = std::make_unique<jsonl_parser>(options);
    if (chunking.keep_originals) {
        jsonl_options strict_options = options;
        strict_options.on_invalid = invalid_utf8::error;
        piece.strict = std::make_unique<jsonl_parser>(strict_options);
    }
    std::size_t line = 0;
    for (std::size_t pos = begin; pos < end;) {
        char* text = data + pos;
        const void* nl = std::memchr(text, '\n', end - pos);
        const std::size_t stop = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : end;
        const std::size_t length = stop - pos;
        ++line;
        std::uint64_t original = jsonl_not_kept;
        try {
            jsonl_record r;
            if (!chunking.keep_originals) {
                r = piece.parser->parse(text, length, line);
            } else {
                bool parsed = false;
                if (!std::memchr(text, '\\', length)) {
                    try {
                        r = piece.strict->parse(text, length, line);
                        parsed = true;
                    } catch (const parse_error&) {
                        if (options.on_invalid == invalid_utf8::error) throw;  // the same parser: the same error
                    }
                }
                if (!parsed && chunking.restore) {
                    piece.scratch.assign(text, length);
                    try {
                        r = piece.parser->parse(text, length, line);
                    } catch (const parse_error&) {
                        original = piece.originals.size();
                        piece.originals.append(piece.scratch);
                        throw;
                    }
                    if (jsonl_restorable(std::string_view(text, length), r)) {
                        original = jsonl_restored;
                    } else {
                        original = piece.originals.size();
                        piece.originals.append(piece.scratch);
                    }
                } else if (!parsed) {
                    original = piece.originals.size();
                    piece.originals.append(text, length);
                    r = piece.parser->parse(text, length, line);
                }
            }
            piece.invalid_utf8 += r.invalid_utf8;
            piece.records.push_back(jsonl_line{r, line, pos, stop, original});
        } catch (const parse_error& e) {
            piece.bad.push_back(jsonl_bad_line{line, pos, stop, original, e});
            if (!chunking.skip_invalid) {
                piece.stopped = true;
                break;
            }
        }
        pos = stop + 1;
    }
    piece.lines = line;
}

}  // namespace detail

/// Parses the lines of data[start, size) (a line ends at "\n"; a final line need not) on the
/// executor, in pieces of about chunking.chunk_bytes. Strings are decoded in place, as
/// jsonl_parser does. The result equals that of parsing the lines in order with one parser
/// (keep_originals: two, as described above); a failure other than a parse error (from memory
/// or keep) is rethrown, the one of the earliest piece when the earliest stop is one.
template <executor E>
jsonl_lines parse_jsonl(char* data, std::size_t start, std::size_t size, const jsonl_options& options, E& ex,
                        const jsonl_chunk_options& chunking = {}) {
    if (chunking.keep_originals && !chunking.keep)
        detail::throw_invalid_argument("parse_jsonl", "chunking.keep", "set with keep_originals", "empty");
    static_cast<void>(jsonl_parser(options));  // checks the options on the calling thread
    const std::vector<std::size_t> ends = line_chunk_ends(data, start, size, chunking.chunk_bytes);
    std::vector<detail::jsonl_piece> pieces(ends.size());
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::atomic<std::size_t> first_stop{none};  // pieces after it are not needed
    std::atomic<std::size_t> parsed{0};
    ex.bulk(ends.size(), [&](std::size_t i) {
        if (i > first_stop.load(std::memory_order_relaxed)) return;
        const std::size_t begin = i == 0 ? start : ends[i - 1];
        detail::jsonl_piece& piece = pieces[i];
        try {
            detail::parse_jsonl_piece(piece, data, begin, ends[i], options, chunking);
            std::string().swap(piece.scratch);
            if (chunking.keep_originals && !piece.originals.empty()) {
                const std::uint64_t base = chunking.keep(piece.originals);
                for (auto& r : piece.records)
                    if (r.original != jsonl_not_kept && r.original != jsonl_restored) r.original += base;
                for (auto& b : piece.bad)
                    if (b.original != jsonl_not_kept) b.original += base;
                std::string().swap(piece.originals);
            }
        } catch (...) {
            piece.failure = std::current_exception();
            piece.stopped = true;
        }
        if (piece.stopped) {
            std::size_t seen = first_stop.load(std::memory_order_relaxed);
            while (i < seen && !first_stop.compare_exchange_weak(seen, i, std::memory_order_relaxed)) {}
        }
        if (chunking.progress)
            chunking.progress(parsed.fetch_add(ends[i] - begin, std::memory_order_relaxed) + (ends[i] - begin));
    });

    jsonl_lines out;
    std::size_t total = 0;
    for (const auto& p : pieces) total += p.records.size();
    out.records.reserve(total);
    std::size_t base = 0;  // lines before the piece
    for (auto& p : pieces) {
        for (auto& r : p.records) {
            r.line += base;
            out.records.push_back(r);
        }
        for (auto& b : p.bad) {
            const parse_error& e = b.error;
            out.bad.push_back(jsonl_bad_line{b.line + base, b.begin, b.end, b.original,
                                             parse_error(e.what(), e.byte_offset(), e.line() + base, e.column())});
        }
        out.invalid_utf8 += p.invalid_utf8;
        if (p.parser) out.parsers.push_back(std::move(p.parser));
        if (p.strict) out.parsers.push_back(std::move(p.strict));
        if (p.stopped) {
            if (p.failure) std::rethrow_exception(p.failure);
            break;
        }
        base += p.lines;
        std::vector<jsonl_line>().swap(p.records);
    }
    return out;
}

}  // namespace ditto
