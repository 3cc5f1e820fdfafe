// JSONL parsed in pieces on an executor against the same lines parsed one after another with one
// parser: records, line numbers, byte ranges, kept originals, skipped lines and the first error,
// for tiny to large pieces and 1, 2 and 8 threads.
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/parallel.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

struct rng {
    std::uint64_t s;
    std::uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1DULL;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

// A JSON string body (without quotes) with plain words, escapes, raw UTF-8, surrogate pairs and,
// when bad_utf8, an ill-formed byte or a lone surrogate.
std::string string_body(rng& r, bool bad_utf8) {
    static const char* const pieces[] = {"word", " ", "caf\\u00e9", "\\n", "\\\"", "\\\\", "\\/", "\\t",
                                         "\xc3\xa9t\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87", "\\ud83d\\ude00",
                                         "\xf0\x9f\x98\x80", "\\u0041", "\\r\\n", "x"};
    std::string s;
    const std::size_t n = r.below(30);
    for (std::size_t i = 0; i < n; ++i) s += pieces[r.below(std::size(pieces))];
    if (bad_utf8) s += r.below(2) ? std::string("\xff") : std::string("\\udc00");
    return s;
}

// One line of the corpus (without "\n"): mostly records, some malformed.
std::string make_line(rng& r, std::size_t number, bool allow_bad) {
    const std::size_t kind = r.below(allow_bad ? 20 : 14);
    std::string id;
    switch (r.below(3)) {
        case 0: id = "\"id\": \"i" + std::to_string(number) + (r.below(2) ? "\\u00e9\\n" : "") + "\", "; break;
        case 1: id = "\"id\": " + std::to_string(number) + (r.below(2) ? ".50" : "") + ", "; break;
        default: break;
    }
    std::string line = "{" + id + "\"meta\": [1, {\"a\": null}, \"" + string_body(r, false) + "\"], \"text\": \"" +
                       string_body(r, r.below(8) == 0) + "\"}";
    if (kind == 0) line += "\r";       // CRLF
    if (kind == 1) line = "  " + line + " \t";
    if (kind >= 14) {
        switch (kind) {
            case 14: return "";                                   // blank
            case 15: return "{\"text\": 5}";                      // wrong type
            case 16: return line.substr(0, line.size() / 2);       // cut
            case 17: return "{\"text\": \"a\\qb\"}";              // bad escape
            case 18: return "{\"text\": \"tab\there\"}";          // raw control character
            default: return "[1, 2]";
        }
    }
    return line;
}

std::string make_corpus(std::uint64_t seed, std::size_t lines, bool allow_bad, bool final_newline) {
    rng r{seed};
    std::string s;
    for (std::size_t i = 1; i <= lines; ++i) {
        s += make_line(r, i, allow_bad);
        if (i < lines || final_newline) s += '\n';
    }
    return s;
}

struct line_result {
    std::string text, id;
    ditto::json_id_kind kind;
    std::size_t invalid;
    std::size_t line, begin, end;
    std::optional<std::string> original;  // the bytes kept as read
    bool operator==(const line_result&) const = default;
};
struct bad_result {
    std::size_t line, begin, end, column, byte_offset;
    std::string message;
    std::optional<std::string> original;
    bool operator==(const bad_result&) const = default;
};
struct results {
    std::vector<line_result> records;
    std::vector<bad_result> bad;
    std::size_t invalid = 0;
    bool operator==(const results&) const = default;
};

// The reference: the lines in order with one parser (two with keep), as the tool did before.
results serial(std::string corpus, const ditto::jsonl_options& o, bool skip, bool keep) {
    ditto::jsonl_parser parser(o);
    ditto::jsonl_options strict_options = o;
    strict_options.on_invalid = ditto::invalid_utf8::error;
    ditto::jsonl_parser strict(strict_options);
    results out;
    std::size_t line = 0;
    char* data = corpus.data();
    for (std::size_t pos = 0; pos < corpus.size();) {
        std::size_t stop = corpus.find('\n', pos);
        if (stop == std::string::npos) stop = corpus.size();
        const std::size_t length = stop - pos;
        ++line;
        std::optional<std::string> original;
        try {
            ditto::jsonl_record r;
            bool done = false;
            if (keep && std::memchr(data + pos, '\\', length) == nullptr) {
                try {
                    r = strict.parse(data + pos, length, line);
                    done = true;
                } catch (const ditto::parse_error&) {
                    if (o.on_invalid == ditto::invalid_utf8::error) throw;
                }
            }
            if (!done) {
                if (keep) original = std::string(data + pos, length);
                r = parser.parse(data + pos, length, line);
            }
            out.invalid += r.invalid_utf8;
            out.records.push_back({std::string(r.text), std::string(r.id), r.id_kind, r.invalid_utf8, line, pos, stop,
                                   original});
        } catch (const ditto::parse_error& e) {
            out.bad.push_back({e.line(), pos, stop, e.column(), e.byte_offset(), e.what(), original});
            if (!skip) break;
        }
        pos = stop + 1;
    }
    return out;
}

template <class E>
results chunked(std::string corpus, const ditto::jsonl_options& o, bool skip, bool keep, std::size_t chunk, E& ex) {
    std::string store;
    std::mutex m;
    ditto::jsonl_chunk_options c;
    c.chunk_bytes = chunk;
    c.skip_invalid = skip;
    c.keep_originals = keep;
    c.keep = [&](std::string_view bytes) {
        std::lock_guard lock(m);
        const std::uint64_t at = store.size();
        store.append(bytes);
        return at;
    };
    const ditto::jsonl_lines lines = ditto::parse_jsonl(corpus.data(), 0, corpus.size(), o, ex, c);
    auto original = [&](std::uint64_t at, std::size_t size) -> std::optional<std::string> {
        if (at == ditto::jsonl_not_kept) return std::nullopt;
        return store.substr(static_cast<std::size_t>(at), size);
    };
    results out;
    out.invalid = lines.invalid_utf8;
    for (const auto& r : lines.records)
        out.records.push_back({std::string(r.record.text), std::string(r.record.id), r.record.id_kind,
                               r.record.invalid_utf8, r.line, r.begin, r.end, original(r.original, r.end - r.begin)});
    for (const auto& b : lines.bad)
        out.bad.push_back({b.error.line(), b.begin, b.end, b.error.column(), b.error.byte_offset(), b.error.what(),
                           original(b.original, b.end - b.begin)});
    for (const auto& b : lines.bad) CHECK(b.line == b.error.line());
    return out;
}

}  // namespace

TEST_CASE("jsonl chunks: line_chunk_ends cuts after line ends", "[jsonl]") {
    const std::string s = "ab\ncd\n\nefgh\nij";
    CHECK(ditto::line_chunk_ends(s.data(), 0, s.size(), 1) == std::vector<std::size_t>{3, 6, 7, 12, 14});
    CHECK(ditto::line_chunk_ends(s.data(), 0, s.size(), 3) == std::vector<std::size_t>{3, 6, 12, 14});
    CHECK(ditto::line_chunk_ends(s.data(), 0, s.size(), 4) == std::vector<std::size_t>{6, 12, 14});
    CHECK(ditto::line_chunk_ends(s.data(), 0, s.size(), 100) == std::vector<std::size_t>{14});
    CHECK(ditto::line_chunk_ends(s.data(), 2, s.size(), 1) == std::vector<std::size_t>{3, 6, 7, 12, 14});
    CHECK(ditto::line_chunk_ends(s.data(), 14, s.size(), 1).empty());
    const std::string t = "a\n";
    CHECK(ditto::line_chunk_ends(t.data(), 0, t.size(), 1) == std::vector<std::size_t>{2});
}

TEST_CASE("jsonl chunks: the same records, lines, originals and errors as parsing in order", "[jsonl][parallel]") {
    ditto::thread_pool two(2), eight(8);
    ditto::inline_executor one;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        const bool allow_bad = seed % 2 == 0;
        const std::string corpus = make_corpus(seed, 300, allow_bad, seed % 3 != 0);
        for (const bool skip : {false, true}) {
            for (const bool keep : {false, true}) {
                for (const auto policy : {ditto::invalid_utf8::replace, ditto::invalid_utf8::error}) {
                    ditto::jsonl_options o;
                    o.on_invalid = policy;
                    const results expected = serial(corpus, o, skip, keep);
                    // The corpus holds what it should (all of it is seen when skipping).
                    if (!allow_bad && policy == ditto::invalid_utf8::replace) CHECK(expected.bad.empty());
                    if (allow_bad || policy == ditto::invalid_utf8::error) CHECK(!expected.bad.empty());
                    if (skip && policy == ditto::invalid_utf8::replace) CHECK(expected.invalid > 0);
                    if (skip && keep) CHECK(std::any_of(expected.records.begin(), expected.records.end(),
                                                [](const line_result& r) { return r.original.has_value(); }));
                    for (const std::size_t chunk : {std::size_t{1}, std::size_t{17}, std::size_t{300},
                                                    std::size_t{5000}, std::size_t{1} << 22}) {
                        INFO("seed " << seed << " skip " << skip << " keep " << keep << " policy "
                                     << static_cast<int>(policy) << " chunk " << chunk);
                        CHECK(chunked(corpus, o, skip, keep, chunk, one) == expected);
                        CHECK(chunked(corpus, o, skip, keep, chunk, two) == expected);
                        CHECK(chunked(corpus, o, skip, keep, chunk, eight) == expected);
                    }
                }
            }
        }
    }
}

TEST_CASE("jsonl chunks: the first bad line in file order is reported whatever the threads", "[jsonl][parallel]") {
    // Good lines, then bad ones late in the file: a later piece finishes first, the error is still
    // the earliest.
    std::string corpus;
    for (int i = 1; i <= 200; ++i) corpus += "{\"text\": \"line " + std::to_string(i) + "\"}\n";
    corpus += "{\"text\": \"ok\", \"x\": tru}\n";  // line 201
    for (int i = 0; i < 50; ++i) corpus += "{\"text\": 1}\n";
    ditto::thread_pool eight(8);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{64}, std::size_t{1000}}) {
        ditto::jsonl_chunk_options c;
        c.chunk_bytes = chunk;
        std::string copy = corpus;
        const auto lines = ditto::parse_jsonl(copy.data(), 0, copy.size(), {}, eight, c);
        REQUIRE(lines.bad.size() == 1);
        CHECK(lines.bad[0].line == 201);
        CHECK(lines.bad[0].error.line() == 201);
        CHECK(lines.bad[0].error.column() == 21);
        CHECK(std::string(lines.bad[0].error.what()).find("expected a JSON value") == 0);
        CHECK(lines.records.size() == 200);
        CHECK(lines.records.back().record.text == "line 200");
    }
}

TEST_CASE("jsonl chunks: a start offset skips a byte order mark; empty input", "[jsonl]") {
    std::string s = "\xEF\xBB\xBF{\"text\": \"a\"}\n{\"text\": \"b\"}";
    ditto::inline_executor one;
    ditto::jsonl_chunk_options c;
    c.chunk_bytes = 1;
    const auto lines = ditto::parse_jsonl(s.data(), 3, s.size(), {}, one, c);
    REQUIRE(lines.records.size() == 2);
    CHECK(lines.records[0].line == 1);
    CHECK(lines.records[0].begin == 3);
    CHECK(lines.records[1].record.text == "b");
    CHECK(lines.records[1].line == 2);
    std::string empty;
    CHECK(ditto::parse_jsonl(empty.data(), 0, 0, {}, one, c).records.empty());
}

TEST_CASE("jsonl chunks: a failure in keep is rethrown", "[jsonl][parallel]") {
    std::string s = "{\"text\": \"a\\nb\"}\n{\"text\": \"c\"}\n";
    ditto::thread_pool two(2);
    ditto::jsonl_chunk_options c;
    c.chunk_bytes = 1;
    c.keep_originals = true;
    c.keep = [](std::string_view) -> std::uint64_t { throw std::runtime_error("disk full"); };
    CHECK_THROWS_WITH(ditto::parse_jsonl(s.data(), 0, s.size(), {}, two, c), "disk full");
    c.keep = {};
    CHECK_THROWS_AS(ditto::parse_jsonl(s.data(), 0, s.size(), {}, two, c), std::invalid_argument);
}
