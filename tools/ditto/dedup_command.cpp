// `ditto dedup`: read a JSONL corpus, find the near-duplicate documents, and print the kept lines,
// the similar pairs, the clusters, or a report for people.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <unistd.h>

#include <ditto/align.hpp>
#include <ditto/dedup.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/text/utf8.hpp>
#include <ditto/verify.hpp>

#include "cli.hpp"

namespace ditto_cli {

namespace {

enum class output_mode { lines, pairs, clusters, report, explain };

struct dedup_arguments {
    std::string input = "-";
    std::string output_path;
    output_mode mode = output_mode::lines;
    ditto::jsonl_options jsonl;
    ditto::dedup_options dedup;
    std::size_t threads = 0;
    bool skip_invalid = false;
    bool quiet = false;
    bool verbose = false;
};

constexpr const char* help_command = "ditto dedup --help";

dedup_arguments parse_arguments(const std::vector<std::string_view>& args, bool& help) {
    dedup_arguments a;
    bool have_input = false;
    auto set_mode = [&](output_mode m, std::string_view flag) {
        if (a.mode != output_mode::lines && a.mode != m)
            throw usage_error("--pairs, --clusters, --report and --explain exclude each other (" + std::string(flag) + ")",
                              help_command);
        a.mode = m;
    };
    auto field_name = [](argument_reader& r) {
        const std::string_view v = r.value();
        if (v.empty()) throw usage_error(std::string(r.name()) + " must be a non-empty name", help_command);
        return std::string(v);
    };
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
        } else if (name == "--threshold") {
            a.dedup.threshold = parse_double(name, r.value(), 0.0, true, 1.0, false, r.help_command());
        } else if (name == "--ngram") {
            a.dedup.ngram = parse_size(name, r.value(), 1, 1024, r.help_command());
        } else if (name == "--sketch-size") {
            a.dedup.sketch_size = parse_size(name, r.value(), 1, 4096, r.help_command());
        } else if (name == "--recall") {
            a.dedup.recall = parse_double(name, r.value(), 0.0, true, 1.0, true, r.help_command());
        } else if (name == "--keep") {
            const std::string_view v = r.value();
            if (v == "first") a.dedup.keep = ditto::keep_rule::first;
            else if (v == "longest") a.dedup.keep = ditto::keep_rule::longest;
            else throw usage_error("--keep must be 'first' or 'longest', got '" + std::string(v) + "'", help_command);
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, r.help_command());
        } else if (name == "--text-field") {
            a.jsonl.text_field = field_name(r);
        } else if (name == "--id-field") {
            a.jsonl.id_field = field_name(r);
        } else if (name == "--invalid-utf8") {
            const std::string_view v = r.value();
            if (v == "replace") a.jsonl.on_invalid = ditto::invalid_utf8::replace;
            else if (v == "error") a.jsonl.on_invalid = ditto::invalid_utf8::error;
            else throw usage_error("--invalid-utf8 must be 'replace' or 'error', got '" + std::string(v) + "'", help_command);
        } else if (name == "--skip-invalid") {
            r.flag();
            a.skip_invalid = true;
        } else if (name == "--pairs" || name == "--clusters" || name == "--report" || name == "--explain") {
            r.flag();
            set_mode(name == "--pairs" ? output_mode::pairs : name == "--clusters" ? output_mode::clusters
                     : name == "--report" ? output_mode::report : output_mode::explain, name);
        } else if (name == "-o" || name == "--output") {
            const std::string_view v = r.value();
            if (v.empty()) throw usage_error(std::string(name) + " needs a file name", help_command);
            a.output_path = std::string(v);
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
    return a;
}

// One document of the corpus.
struct record {
    std::string_view text;
    std::string_view id;  // decoded string or number literal; for none, the line number text lives in line_ids
    ditto::json_id_kind id_kind;
    std::size_t line;
};

// Document view for ditto::dedup.
struct document {
    std::string_view text;
};

// An id as the pairs and report outputs print it.
std::string tsv_id(const record& r) {
    std::string out;
    for (const char c : r.id) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
    return out;
}

// An id as JSON.
std::string json_id(const record& r) {
    return r.id_kind == ditto::json_id_kind::string ? json_string(r.id) : std::string(r.id);
}

// The first `width` characters of a text on one line (whitespace runs as one space), for the
// report; "..." when cut.
std::string preview(std::string_view text, std::size_t width) {
    std::string out;
    std::size_t chars = 0;
    bool space = false;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = c < 0x80 ? 1 : ditto::decode_utf8(text, i).length;
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !out.empty();
            ++i;
            continue;
        }
        if (chars + (space ? 1 : 0) >= width) return out + "...";
        if (space) {
            out += ' ';
            ++chars;
            space = false;
        }
        out.append(text, i, length);
        ++chars;
        i += length;
    }
    return out;
}

class progress_display {
public:
    explicit progress_display(bool enabled, double megabytes) : enabled_(enabled), megabytes_(megabytes) {}

    void operator()(std::string_view stage, std::size_t done, std::size_t total) {
        if (!enabled_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(200) && done != total) return;
        last_ = now;
        const double seconds = std::chrono::duration<double>(now - start_).count();
        std::fprintf(stderr, "\r\033[Kditto: %.*s %zu/%zu, %.1f s, %.0f MB/s overall", static_cast<int>(stage.size()),
                     stage.data(), done, total, seconds, seconds > 0 ? megabytes_ / seconds : 0.0);
        std::fflush(stderr);
    }
    void finish() {
        if (enabled_) std::fputs("\r\033[K", stderr);
    }

private:
    bool enabled_;
    double megabytes_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace

void print_dedup_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto dedup [OPTIONS] [FILE|-]\n"
        "Find the documents of a JSONL corpus (one JSON object per line; FILE or '-' for standard\n"
        "input, the default) whose word-shingle Jaccard similarity is at least a threshold, group\n"
        "them into clusters and keep one copy of each.\n"
        "\n"
        "Output (standard output, or FILE with -o):\n"
        "  (default)           the kept input lines, byte for byte, in input order\n"
        "  --pairs             TSV: id_a <TAB> id_b <TAB> similarity, one line per similar pair,\n"
        "                      id_a < id_b bytewise, sorted\n"
        "  --clusters          JSONL: {\"id\": ..., \"cluster\": ..., \"keep\": true|false} per document;\n"
        "                      cluster is the id of the kept copy\n"
        "  --report            for people: each cluster, its kept copy's first words, and for each\n"
        "                      other copy its similarity and what changed (figures, added and\n"
        "                      dropped text)\n"
        "  --explain           JSONL: for every copy, its diff against the kept copy of its cluster\n"
        "                      (as 'ditto diff --json', plus \"cluster\"; byte offsets into the\n"
        "                      decoded texts)\n"
        "  -o, --output FILE   write FILE (through a temporary file renamed at the end)\n"
        "\n"
        "Input:\n"
        "  --text-field NAME   the field holding the text (default: text)\n"
        "  --id-field NAME     the field holding the id (default: id); a string or a number; when a\n"
        "                      record lacks it, its 1-based line number is its id\n"
        "  --invalid-utf8 replace|error\n"
        "                      ill-formed UTF-8 in the text or id: replace with U+FFFD and count\n"
        "                      (default), or stop with an error\n"
        "  --skip-invalid      skip (and count) lines that are blank, not valid JSON objects, or lack\n"
        "                      a string text field, instead of stopping\n"
        "\n"
        "Similarity:\n"
        "  --threshold T       report pairs with Jaccard similarity >= T, 0 < T <= 1 (default 0.8)\n"
        "  --ngram K           words per shingle, 1..1024 (default 5)\n"
        "  --sketch-size N     MinHash slots, 1..4096 (default 128)\n"
        "  --recall R          chance that a pair at the threshold is examined, 0 < R < 1\n"
        "                      (default 0.99); every examined pair is verified exactly\n"
        "  --keep first|longest  the copy to keep in each cluster (default first)\n"
        "\n"
        "Running:\n"
        "  --threads N         worker threads, 1..4096 (default: all cores)\n"
        "  -q, --quiet         no progress and no summary on standard error\n"
        "  -v, --verbose       also print the time of each stage and the LSH shape\n"
        "  -h, --help          show this help\n"
        "\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run_dedup(const std::vector<std::string_view>& args) {
    bool help = false;
    dedup_arguments a = parse_arguments(args, help);
    if (help) {
        print_dedup_help(stdout);
        return 0;
    }
    const auto start = std::chrono::steady_clock::now();
    auto lap = [last = start]() mutable {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - last).count();
        last = now;
        return s;
    };
    input_file input(a.input);
    const double seconds_read = lap();

    // Parse every line.
    ditto::jsonl_parser parser(a.jsonl);
    std::vector<record> records;
    std::vector<std::string> line_ids;  // ids of records without one: their line numbers
    std::size_t skipped = 0, invalid_utf8 = 0;
    std::size_t line = 0;
    std::size_t first_skipped_line = 0;
    std::string first_skip_reason;
    input.for_each_line([&](std::size_t number, char* text, std::size_t length) {
        line = number;
        try {
            const ditto::jsonl_record r = parser.parse(text, length, number);
            invalid_utf8 += r.invalid_utf8;
            records.push_back(record{r.text, r.id, r.id_kind, number});
        } catch (const ditto::parse_error& e) {
            const std::string where = input.located(e);
            if (!a.skip_invalid) throw data_error(where);
            if (skipped++ == 0) {
                first_skipped_line = number;
                first_skip_reason = where;
            }
        }
        return true;
    });
    // Ids: line numbers where missing; duplicates are an error naming both lines.
    line_ids.reserve(records.size());
    for (auto& r : records) {
        if (r.id_kind != ditto::json_id_kind::none) continue;
        line_ids.push_back(std::to_string(r.line));
    }
    {
        std::size_t next = 0;
        for (auto& r : records)
            if (r.id_kind == ditto::json_id_kind::none) r.id = line_ids[next++];
    }
    {
        // String ids and number ids are different ids even when spelled alike ("5" and 5).
        std::unordered_map<std::string_view, std::size_t> seen_strings, seen_others;
        seen_strings.reserve(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            auto& seen = records[i].id_kind == ditto::json_id_kind::string ? seen_strings : seen_others;
            const auto [it, inserted] = seen.emplace(records[i].id, i);
            if (inserted) continue;
            throw data_error(input.display_name() + ":" + std::to_string(records[i].line) + ": duplicate id " +
                             json_id(records[i]) + " (first on line " + std::to_string(records[it->second].line) + ")");
        }
    }

    const double seconds_parse = lap();

    // Deduplicate.
    const double megabytes = static_cast<double>(input.size()) / 1e6;
    progress_display progress(!a.quiet && ::isatty(2) == 1, megabytes);
    a.dedup.progress = [&](const ditto::dedup_progress& p) { progress(p.stage, p.done, p.total); };
    std::vector<document> docs(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) docs[i].text = records[i].text;
    ditto::thread_pool pool(a.threads);
    const ditto::dedup_result result = ditto::dedup(docs, a.dedup, pool);
    progress.finish();
    const double seconds_dedup = lap();

    // Write.
    output out(a.output_path);
    const auto& clusters = result.clusters;
    if (a.mode == output_mode::lines) {
        // The kept lines, copied from the file as it was (the parsed buffer was decoded in place).
        std::vector<bool> keep_line(line + 1, false);
        for (std::size_t i = 0; i < records.size(); ++i)
            if (clusters.keep[i]) keep_line[records[i].line] = true;
        input.for_each_original_line([&](std::size_t n, std::string_view bytes_of_line) {
            if (n < keep_line.size() && keep_line[n]) out.write(bytes_of_line);
        });
    } else if (a.mode == output_mode::pairs) {
        struct row {
            std::string a, b;
            double similarity;
        };
        std::vector<row> rows;
        rows.reserve(result.pairs.size());
        for (const auto& p : result.pairs) {
            std::string x = tsv_id(records[p.first]), y = tsv_id(records[p.second]);
            if (y < x) std::swap(x, y);
            rows.push_back({std::move(x), std::move(y), p.similarity});
        }
        std::sort(rows.begin(), rows.end(), [](const row& l, const row& r) {
            return l.a != r.a ? l.a < r.a : l.b < r.b;
        });
        char number[32];
        for (const auto& r : rows) {
            std::snprintf(number, sizeof number, "%.4f\n", r.similarity);
            out.write(r.a);
            out.write("\t");
            out.write(r.b);
            out.write("\t");
            out.write(number);
        }
    } else if (a.mode == output_mode::clusters) {
        for (std::size_t i = 0; i < records.size(); ++i) {
            out.write("{\"id\": ");
            out.write(json_id(records[i]));
            out.write(", \"cluster\": ");
            out.write(json_id(records[clusters.cluster[i]]));
            out.write(clusters.keep[i] ? ", \"keep\": true}\n" : ", \"keep\": false}\n");
        }
    } else if (a.mode == output_mode::explain) {
        // Every copy against its kept copy, diffed in parallel, written in input order.
        std::vector<std::size_t> copies;
        for (std::size_t i = 0; i < records.size(); ++i)
            if (!clusters.keep[i]) copies.push_back(i);
        std::vector<std::string> lines(copies.size());
        ditto::align_options align;
        align.k = a.dedup.ngram;
        align.normalization = a.dedup.normalization;
        pool.bulk(copies.size(), [&](std::size_t c) {
            const record& copy = records[copies[c]];
            const record& kept = records[clusters.cluster[copies[c]]];
            const ditto::text_diff d = ditto::diff(kept.text, copy.text, align);
            std::string json = diff_json(json_id(kept), kept.text.size(), json_id(copy), copy.text.size(), d);
            lines[c] = "{\"cluster\": " + json_id(kept) + ", " + json.substr(1) + "\n";
        });
        for (const auto& l : lines) out.write(l);
    } else {
        // The report: clusters with more than one member, largest first, then by kept position.
        std::vector<std::vector<std::size_t>> members(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) members[clusters.cluster[i]].push_back(i);
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < records.size(); ++i)
            if (members[i].size() > 1) order.push_back(i);
        std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
            return members[x].size() != members[y].size() ? members[x].size() > members[y].size() : x < y;
        });
        // Each copy: its similarity to the kept copy and what changed (diff against the kept one).
        ditto::align_options align;
        align.k = a.dedup.ngram;
        align.normalization = a.dedup.normalization;
        auto describe = [&](std::string_view kept_text, std::string_view copy_text) {
            const ditto::text_diff d = ditto::diff(kept_text, copy_text, align);
            std::string what;
            auto add = [&](const std::string& part) { what += (what.empty() ? "" : "; ") + part; };
            auto quote = [](std::string_view text, const std::vector<ditto::byte_span>& spans) {
                std::string q = "\"" + preview(text.substr(spans[0].begin, spans[0].end - spans[0].begin), 48) + "\"";
                if (spans.size() > 1) q += " and " + std::to_string(spans.size() - 1) + " more";
                return q;
            };
            if (!d.changed_figures.empty()) {
                std::string figures = "figures ";
                for (std::size_t f = 0; f < d.changed_figures.size() && f < 4; ++f)
                    figures += (f ? ", " : "") + d.changed_figures[f].old_text + " \xe2\x86\x92 " + d.changed_figures[f].new_text;
                if (d.changed_figures.size() > 4) figures += ", ...";
                add(figures);
            }
            // Added and dropped text, less the pieces of changed figures already named.
            auto beyond_figures = [&](const std::vector<ditto::byte_span>& spans, bool in_copy) {
                std::vector<ditto::byte_span> rest;
                for (const auto& span : spans) {
                    const bool figure = std::any_of(d.changed_figures.begin(), d.changed_figures.end(), [&](const auto& f) {
                        const ditto::byte_span at = in_copy ? f.b : f.a;
                        return span.begin >= at.begin && span.end <= at.end;
                    });
                    if (!figure) rest.push_back(span);
                }
                return rest;
            };
            if (const auto added = beyond_figures(d.inserted, true); !added.empty()) add("adds " + quote(copy_text, added));
            if (const auto dropped = beyond_figures(d.deleted, false); !dropped.empty()) add("drops " + quote(kept_text, dropped));
            if (what.empty()) what = d.shared.size() > 1 ? "passages reordered" : "same words";
            char head[32];
            std::snprintf(head, sizeof head, "%.2f  ", d.measures.jaccard);
            return std::string(head) + what;
        };
        char line_buffer[64];
        std::size_t number = 0;
        for (const std::size_t kept : order) {
            std::snprintf(line_buffer, sizeof line_buffer, "Cluster %zu: %zu copies\n", ++number, members[kept].size());
            out.write(line_buffer);
            for (const std::size_t m : members[kept]) {
                out.write(m == kept ? "  keep  " : "  copy  ");
                out.write(tsv_id(records[m]));
                out.write(m == kept ? "  " + preview(records[m].text, 60) : "  " + describe(records[kept].text, records[m].text));
                out.write("\n");
            }
            out.write("\n");
        }
        std::snprintf(line_buffer, sizeof line_buffer, "%zu documents, %zu clusters, %zu duplicates\n",
                      records.size(), result.stats.clusters, result.stats.duplicates);
        out.write(line_buffer);
    }
    out.commit();
    const double seconds_write = lap();

    if (!a.quiet) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr,
                     "ditto: %zu documents, %zu clusters, %zu duplicates removed, %zu lines skipped, "
                     "%zu invalid UTF-8 sequences replaced, %.2f s\n",
                     records.size(), result.stats.clusters, result.stats.duplicates, skipped, invalid_utf8, seconds);
        if (skipped > 0)
            std::fprintf(stderr, "ditto: first skipped line %zu: %s\n", first_skipped_line, first_skip_reason.c_str());
        if (a.verbose) {
            const auto& st = result.stats;
            std::fprintf(stderr,
                         "ditto: read %.2f s, parse %.2f s, sketch %.2f s, candidates %.2f s, verify %.2f s, "
                         "cluster %.2f s, write %.2f s (pipeline %.2f s on %zu threads)\n"
                         "ditto: LSH %zu bands x %zu rows, %zu candidate pairs, %zu similar pairs, %zu empty texts\n",
                         seconds_read, seconds_parse, st.seconds_sketch, st.seconds_candidates, st.seconds_verify,
                         st.seconds_cluster, seconds_write, seconds_dedup, st.threads, st.lsh.bands, st.lsh.rows,
                         st.candidates, st.similar_pairs, st.empty_documents);
        }
    }
    return 0;
}

}  // namespace ditto_cli
