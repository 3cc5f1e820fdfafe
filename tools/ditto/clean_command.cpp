// `ditto clean`: remove boilerplate lines and repeated passages from the text field of a JSONL
// corpus; write the same records with those spans cut out, and optionally the spans.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <unistd.h>

#include <ditto/clean/clean.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>

#include "clean_cli.hpp"
#include "cli.hpp"

namespace ditto_cli {

namespace {

constexpr const char* help_command = "ditto clean --help";

struct clean_arguments {
    std::string input = "-";
    std::string output_path, output_option = "-o";
    std::string spans_path;
    ditto::jsonl_options jsonl;
    clean_settings clean;
    std::size_t threads = 0;
    std::uint64_t memory = 0;  // 0: no budget
    std::string tmp_dir;
    bool quiet = false;
    bool verbose = false;
    bool skip_invalid = false;
};

clean_arguments parse_arguments(const std::vector<std::string_view>& args, bool& help) {
    clean_arguments a;
    bool have_input = false;
    argument_reader r(args, help_command);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            if (have_input) throw usage_error("more than one input file ('" + std::string(r.argument()) + "')", help_command);
            a.input = std::string(r.argument());
            have_input = true;
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (parse_clean_option(r, a.clean)) {
        } else if (name == "--spans") {
            const std::string_view v = r.value();
            if (v.empty()) throw usage_error("--spans needs a file name", help_command);
            a.spans_path = std::string(v);
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, r.help_command());
        } else if (name == "--memory") {
            a.memory = parse_bytes(name, r.value(), help_command);
        } else if (name == "--tmp-dir") {
            a.tmp_dir = std::string(r.value());
            if (a.tmp_dir.empty()) throw usage_error("--tmp-dir needs a folder", help_command);
        } else if (parse_input_option(r, a.jsonl) || parse_output_option(r, a.output_path, a.output_option)) {
        } else if (name == "--skip-invalid") {
            r.flag();
            a.skip_invalid = true;
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            a.quiet = true;
        } else if (name == "-v" || name == "--verbose") {
            r.flag();
            a.verbose = true;
        } else {
            r.unknown();
        }
    }
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", help_command);
    check_clean_settings(a.clean, help_command);
    if (!a.spans_path.empty() && !a.output_path.empty() && a.spans_path == a.output_path)
        throw usage_error("--spans and " + a.output_option + " name the same file '" + a.spans_path + "'", help_command);
    std::error_code ec;
    if (!a.tmp_dir.empty() && !std::filesystem::is_directory(a.tmp_dir, ec))
        throw usage_error("--tmp-dir '" + escape_text(a.tmp_dir) + "' is not a folder", help_command);
    return a;
}

std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// Decodes a JSON string's contents (without quotes; already validated) for comparing keys.
std::string decode_json_string(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        const char e = s[++i];
        switch (e) {
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                auto hex4 = [&](std::size_t at) { return static_cast<char32_t>(std::stoul(std::string(s.substr(at, 4)), nullptr, 16)); };
                char32_t cp = hex4(i + 1);
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(i + 3) - 0xDC00);
                    i += 6;
                }
                char buffer[4];
                out.append(buffer, ditto::encode_utf8(cp, buffer));
                break;
            }
            default: out += e; break;  // " \ /
        }
    }
    return out;
}

}  // namespace

std::pair<std::size_t, std::size_t> json_member_value(std::string_view line, std::string_view field) {
    std::size_t p = 0;
    const auto space = [&] {
        while (p < line.size() && (line[p] == ' ' || line[p] == '\t' || line[p] == '\r' || line[p] == '\n')) ++p;
    };
    const auto skip_string = [&] {  // at the opening quote; ends after the closing one
        for (++p; p < line.size() && line[p] != '"'; ++p)
            if (line[p] == '\\') ++p;
        ++p;
    };
    space();
    ++p;  // '{'
    while (p < line.size()) {
        space();
        if (line[p] == '}') break;
        const std::size_t key_begin = p + 1;
        skip_string();
        const std::string_view key_raw = line.substr(key_begin, p - 1 - key_begin);
        const bool match = key_raw.find('\\') == std::string_view::npos ? key_raw == field : decode_json_string(key_raw) == field;
        space();
        ++p;  // ':'
        space();
        const std::size_t value_begin = p;
        if (line[p] == '"') {
            skip_string();
        } else {
            std::size_t depth = 0;
            for (; p < line.size(); ++p) {
                const char c = line[p];
                if (c == '"') {
                    skip_string();
                    --p;
                } else if (c == '{' || c == '[') {
                    ++depth;
                } else if (c == '}' || c == ']') {
                    if (depth == 0) break;
                    --depth;
                } else if (c == ',' && depth == 0) {
                    break;
                }
            }
        }
        if (match) return {value_begin, p};
        space();
        if (p < line.size() && line[p] == ',') ++p;
    }
    throw std::logic_error("json_member_value: no field \"" + std::string(field) + "\"");
}

std::string replace_json_member(std::string_view line, std::string_view field, std::string_view text) {
    const auto [begin, end] = json_member_value(line, field);
    std::string out;
    out.reserve(line.size());
    out.append(line.substr(0, begin));
    out += json_string(text);
    out.append(line.substr(end));
    return out;
}

bool parse_clean_option(argument_reader& r, clean_settings& s) {
    const std::string_view name = r.name();
    if (name == "--min-docs") {
        s.options.boilerplate.min_docs = parse_size(name, r.value(), 2, std::size_t{0xffffffff}, r.help_command());
    } else if (name == "--min-tokens") {
        s.options.repeats.min_tokens = parse_size(name, r.value(), 1, 65536, r.help_command());
    } else if (name == "--remove" || name == "--remove-lines") {
        const std::string_view v = r.value();
        ditto::remove_rule& rule = name == "--remove" ? s.options.repeats.remove : s.options.boilerplate.remove;
        if (v == "copies") rule = ditto::remove_rule::copies;
        else if (v == "all") rule = ditto::remove_rule::all;
        else throw usage_error(std::string(name) + " must be 'copies' or 'all', got '" + std::string(v) + "'", r.help_command());
    } else if (name == "--no-fold-digits") {
        r.flag();
        s.options.boilerplate.fold_digits = false;
    } else if (name == "--no-lines") {
        r.flag();
        s.options.lines = false;
    } else if (name == "--no-passages") {
        r.flag();
        s.options.passages = false;
    } else if (name == "--drop-below") {
        s.drop_below = parse_size(name, r.value(), 0, std::size_t{1} << 32, r.help_command());
    } else {
        return false;
    }
    return true;
}

void check_clean_settings(const clean_settings& s, const std::string& help) {
    if (!s.options.lines && !s.options.passages)
        throw usage_error("--no-lines and --no-passages together leave nothing to remove", help);
    try {
        s.options.validate();
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("invalid cleaning options: ") + e.what(), help);
    }
}

void print_clean_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto clean [OPTIONS] [FILE|-]\n"
        "Remove boilerplate lines and repeated passages from the text field of a JSONL corpus (one\n"
        "JSON object per line; FILE or '-' for standard input, the default). Writes the same\n"
        "records, in input order, with the removed spans cut out of the text field; every other\n"
        "field and every record without a removed span is written byte for byte as read.\n"
        "\n"
        "What is removed:\n"
        "  boilerplate lines   a line whose normalized form (case, spacing, punctuation; digits as 0)\n"
        "                      is in at least --min-docs documents, e.g. a promo paragraph, a\n"
        "                      'read more' line, a date stamp, a site's header or footer; it goes\n"
        "                      with its line break and the blank lines after it\n"
        "  repeated passages   then, outside those lines, every passage of at least --min-tokens\n"
        "                      words (each CJK ideograph, kana or hangul syllable is one) whose bytes\n"
        "                      occur more than once in the corpus, in two documents or in one\n"
        "\n"
        "Options:\n"
        "  --min-docs N        documents a line must be in to be boilerplate, 2..4294967295\n"
        "                      (default 6: above the times one story is republished in a typical\n"
        "                      news crawl sample, below the pages of any site or campaign)\n"
        "  --no-fold-digits    compare digits as they are (by default 12.03.2024 and 07.11.2023\n"
        "                      are the same line)\n"
        "  --min-tokens N      words a repeated passage has at least, 1..65536 (default 40, about\n"
        "                      two sentences)\n"
        "  --remove-lines all|copies\n"
        "                      all (default): remove every occurrence of a boilerplate line;\n"
        "                      copies: keep its first occurrence (in input order)\n"
        "  --remove copies|all copies (default): keep the first occurrence (in input order) of each\n"
        "                      repeated passage and remove the others; all: remove every occurrence\n"
        "  --no-lines          do not look for boilerplate lines\n"
        "  --no-passages       do not look for repeated passages (passages within copies of one\n"
        "                      article are removed too; run 'ditto dedup' first, or use\n"
        "                      'ditto dedup --clean', on corpora with many copies)\n"
        "  --drop-below N      leave out records with fewer than N words left (default 0: none)\n"
        "\n"
        "Output:\n"
        "  -o, --output FILE   the cleaned records (default: standard output)\n"
        "  --spans FILE        JSONL, one record per removed span: {\"id\": ..., \"start\": ...,\n"
        "                      \"end\": ..., \"kind\": \"line\"|\"passage\", \"kept\": {\"id\": ...,\n"
        "                      \"start\": ..., \"end\": ...}|null}; start and end are byte offsets in\n"
        "                      the decoded text (UTF-8); kept is where the line or passage stays\n"
        "                      (null when every occurrence is removed). A record left out by --drop-below gets\n"
        "                      {\"id\": ..., \"kind\": \"dropped\", \"words\": N}\n"
        "\n"
        "Input:\n"
        "  --text-field NAME   the field holding the text (default \"text\")\n"
        "  --id-field NAME     the field holding the id (default \"id\"; a record without it has its\n"
        "                      line number); ids must be unique\n"
        "  --invalid-utf8 replace|error\n"
        "                      ill-formed UTF-8 in the text: replaced by U+FFFD (default) or an error\n"
        "  --skip-invalid      do not stop at lines that are blank, not valid JSON objects, or lack\n"
        "                      a string text field: they are not cleaned but copied to the output\n"
        "                      unchanged, in their place; the summary counts them and names the first\n"
        "\n"
        "Running:\n"
        "  --threads N         worker threads, 1..4096 (default: all cores)\n"
        "  --memory BYTES      budget for the repeated-passage stage's window records (16 bytes a\n"
        "                      word), with an optional K, M, G or T (1024-based), e.g. 512M, 2G\n"
        "                      (default: no budget). Past it they go to temporary files as sorted\n"
        "                      runs, merged at the end; the output is the same, byte for byte.\n"
        "                      The input, the candidates and the lines' records are not counted\n"
        "  --tmp-dir DIR       where temporary files go (default: the system's temporary folder);\n"
        "                      each is removed as soon as it is open, so none is left behind\n"
        "  -q, --quiet         no summary on standard error\n"
        "  -v, --verbose       also print the time of each stage\n"
        "  -h, --help          show this help\n"
        "\n"
        "The output does not depend on --threads.\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run_clean(const std::vector<std::string_view>& args) {
    bool help = false;
    clean_arguments a = parse_arguments(args, help);
    if (help) {
        print_clean_help(stdout);
        return 0;
    }
    output out(a.output_path, a.output_option);
    std::unique_ptr<output> spans_out;
    if (!a.spans_path.empty()) spans_out = std::make_unique<output>(a.spans_path, "--spans");

    const auto start = std::chrono::steady_clock::now();
    auto lap = [last = start]() mutable {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - last).count();
        last = now;
        return s;
    };
    if (a.memory != 0) {
        std::error_code ec;
        const std::filesystem::path folder =
            a.tmp_dir.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(a.tmp_dir);
        a.clean.options.repeats.memory_bytes = static_cast<std::size_t>(a.memory);
        // A file is created and its name removed at once: a signal between the two would leave it.
        a.clean.options.repeats.temporary = [files = ditto::temporary_files_in(folder)] {
            std::unique_ptr<std::iostream> stream;
            with_cleanup_signals_blocked([&] { stream = files(); });
            return stream;
        };
    }
    ditto::thread_pool pool(a.threads);
    input_file input(a.input, {}, &pool);
    if (input.has_utf8_bom())
        std::fprintf(stderr, "ditto: warning: %s starts with a UTF-8 byte order mark; it is ignored (and not copied)\n",
                     escape_text(input.display_name()).c_str());
    const double seconds_read = lap();

    // Parsing decodes strings in place: parse a copy, so records are written from the bytes as read.
    const std::size_t text_start = input.text_start();
    std::unique_ptr<char[]> copy = std::make_unique_for_overwrite<char[]>(input.size() + 1);
    std::memcpy(copy.get(), input.data(), input.size());
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::clamp<std::size_t>(input.size() / (pool.concurrency() * 16), std::size_t{256} << 10,
                                                   std::size_t{8} << 20);
    chunking.skip_invalid = a.skip_invalid;
    ditto::jsonl_lines parsed = ditto::parse_jsonl(copy.get(), text_start, input.size(), a.jsonl, pool, chunking);
    if (!a.skip_invalid && !parsed.bad.empty()) throw data_error(input.located(parsed.bad.front().error));
    // With --skip-invalid, the bad lines (in file order) are copied as read, each in its place.
    const std::vector<ditto::jsonl_bad_line>& skipped = parsed.bad;
    std::size_t next_skipped = 0;
    const auto copy_skipped_before = [&](std::size_t line) {
        for (; next_skipped < skipped.size() && skipped[next_skipped].line < line; ++next_skipped) {
            const auto& b = skipped[next_skipped];
            out.write(std::string_view(input.data() + b.begin, b.end - b.begin));
            out.write("\n");
        }
    };
    const std::size_t n = parsed.records.size();
    std::vector<std::string> line_ids(n);
    std::vector<std::string> json_ids(n);
    {
        std::unordered_map<std::string_view, std::size_t> seen;
        seen.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto& r = parsed.records[i];
            if (r.record.id_kind == ditto::json_id_kind::none) {
                line_ids[i] = std::to_string(r.line);
                json_ids[i] = line_ids[i];
            } else {
                json_ids[i] = r.record.id_kind == ditto::json_id_kind::string ? json_string(r.record.id) : std::string(r.record.id);
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            const auto& r = parsed.records[i];
            const std::string_view id = r.record.id_kind == ditto::json_id_kind::none ? std::string_view(line_ids[i]) : r.record.id;
            const auto [it, inserted] = seen.emplace(id, i);
            if (!inserted)
                throw data_error(input.display_name() + ":" + std::to_string(r.line) + ": id " + json_string(id) +
                                 " is also the id of line " + std::to_string(parsed.records[it->second].line) +
                                 " (ids must be unique: spans name their documents by id)");
        }
    }
    const double seconds_parse = lap();

    struct doc {
        std::string_view text;
    };
    std::vector<doc> docs(n);
    for (std::size_t i = 0; i < n; ++i) docs[i].text = parsed.records[i].record.text;
    const ditto::clean_result result = ditto::clean(docs, a.clean.options, pool);
    const double seconds_clean = lap();

    // Write: cleaned texts are made per record, in input order, as they are written.
    std::size_t dropped = 0, touched_records = 0, removed_bytes = 0, total_bytes = 0;
    const std::span<const ditto::removed_span> all(result.spans);
    std::size_t s = 0;
    std::string span_line;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = parsed.records[i];
        copy_skipped_before(r.line);
        total_bytes += r.record.text.size();
        std::size_t next = s;
        while (next < all.size() && all[next].doc == i) ++next;
        const auto mine = all.subspan(s, next - s);
        s = next;
        const std::string_view raw(input.data() + r.begin, r.end - r.begin);
        std::string cleaned;
        const bool touched = !mine.empty();
        if (touched) ++touched_records;
        if (touched) cleaned = ditto::cut_spans(r.record.text, mine);
        const std::string_view left = touched ? std::string_view(cleaned) : r.record.text;
        for (const auto& span : mine) removed_bytes += span.end - span.begin;
        if (spans_out) {
            for (const auto& span : mine) {
                span_line = "{\"id\": " + json_ids[i] + ", \"start\": " + std::to_string(span.begin) +
                            ", \"end\": " + std::to_string(span.end) + ", \"kind\": \"" +
                            std::string(ditto::to_string(span.kind)) + "\", \"kept\": ";
                if (span.kept)
                    span_line += "{\"id\": " + json_ids[span.kept->doc] + ", \"start\": " + std::to_string(span.kept->begin) +
                                 ", \"end\": " + std::to_string(span.kept->end) + "}}\n";
                else
                    span_line += "null}\n";
                spans_out->write(span_line);
            }
        }
        if (a.clean.drop_below > 0) {
            const std::size_t words = ditto::word_count(left);
            if (words < a.clean.drop_below) {
                ++dropped;
                if (spans_out)
                    spans_out->write("{\"id\": " + json_ids[i] + ", \"kind\": \"dropped\", \"words\": " + std::to_string(words) + "}\n");
                continue;
            }
        }
        if (touched) {
            out.write(replace_json_member(raw, a.jsonl.text_field, cleaned));
        } else {
            out.write(raw);
        }
        out.write("\n");
    }
    copy_skipped_before(std::numeric_limits<std::size_t>::max());
    if (spans_out) spans_out->commit();
    out.commit();
    const double seconds_write = lap();
    if (!a.quiet) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "ditto: %s, %s and %s removed from %s (%.1f%% of the text), %s dropped, %s replaced, %.2f s\n",
                     count(n, "document", "documents").c_str(),
                     count(result.line_spans, "boilerplate line", "boilerplate lines").c_str(),
                     count(result.passage_spans, "repeated passage", "repeated passages").c_str(),
                     count(touched_records, "document", "documents").c_str(),
                     total_bytes ? 100.0 * static_cast<double>(removed_bytes) / static_cast<double>(total_bytes) : 0.0,
                     count(dropped, "document", "documents").c_str(),
                     count(parsed.invalid_utf8, "invalid UTF-8 sequence", "invalid UTF-8 sequences").c_str(), seconds);
        if (!skipped.empty())
            std::fprintf(stderr, "ditto: %s skipped (copied unchanged), the first: %s\n",
                         count(skipped.size(), "line", "lines").c_str(),
                         input.located(skipped.front().error).c_str());
        if (a.verbose)
            std::fprintf(stderr,
                         "ditto: read %.2f s, parse %.2f s, clean %.2f s, write %.2f s; %zu tokens, %zu windows, %zu with "
                         "a repeated hash, %zu repeated (%zu MB of window records, %zu sorted runs spilled)\n",
                         seconds_read, seconds_parse, seconds_clean, seconds_write, result.repeats.tokens,
                         result.repeats.windows, result.repeats.repeated_windows, result.repeats.confirmed_windows,
                         result.repeats.record_bytes >> 20, result.repeats.runs);
    }
    return 0;
}

}  // namespace ditto_cli

namespace ditto_cli {

namespace {

struct view_doc {
    std::string_view text;
};

}  // namespace

void clean_lines_for_dedup(std::vector<std::string_view>& texts, const clean_settings& s, ditto::thread_pool& pool,
                           dedup_cleaning& c) {
    c.cleaned.assign(texts.size(), std::string());
    c.changed.assign(texts.size(), 0);
    if (!s.options.lines) return;
    std::vector<view_doc> docs(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) docs[i].text = texts[i];
    const auto spans = ditto::find_boilerplate_lines(docs, s.options.boilerplate, pool);
    c.lines = spans.size();
    for (std::size_t x = 0; x < spans.size();) {
        std::size_t y = x;
        while (y < spans.size() && spans[y].doc == spans[x].doc) ++y;
        const std::size_t d = spans[x].doc;
        c.cleaned[d] = ditto::cut_spans(texts[d], std::span<const ditto::removed_span>(spans).subspan(x, y - x));
        c.changed[d] = 1;
        texts[d] = c.cleaned[d];
        x = y;
    }
}

void clean_passages_for_dedup(std::vector<std::string_view>& texts, const std::vector<bool>& keep,
                              const clean_settings& s, ditto::thread_pool& pool, dedup_cleaning& c) {
    if (!s.options.passages) return;
    std::vector<std::size_t> kept;
    std::vector<view_doc> docs;
    for (std::size_t i = 0; i < texts.size(); ++i)
        if (keep[i]) {
            kept.push_back(i);
            docs.push_back({texts[i]});
        }
    const auto spans = ditto::find_repeats(docs, s.options.repeats, pool);
    c.passages = spans.size();
    for (std::size_t x = 0; x < spans.size();) {
        std::size_t y = x;
        while (y < spans.size() && spans[y].doc == spans[x].doc) ++y;
        const std::size_t d = kept[spans[x].doc];
        std::string cut = ditto::cut_spans(texts[d], std::span<const ditto::removed_span>(spans).subspan(x, y - x));
        c.cleaned[d] = std::move(cut);
        c.changed[d] = 1;
        texts[d] = c.cleaned[d];
        x = y;
    }
}

}  // namespace ditto_cli
