// `ditto diff A B`: what differs between two copies, for people (marked text, changed figures)
// or as JSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <ditto/align.hpp>
#include <ditto/io/jsonl.hpp>

#include "cli.hpp"

namespace ditto_cli {

namespace {

constexpr const char* help_command = "ditto diff --help";

struct side {
    std::string name;  // as given
    std::string text;
};

std::string json_span(ditto::byte_span s) {
    return "[" + std::to_string(s.begin) + ", " + std::to_string(s.end) + "]";
}

std::string format_double(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", v);
    return buffer;
}

// Reads a side: a text file, or FILE.jsonl#ID (a record of a JSONL file, by id or line number).
side load(const std::string& reference, const ditto::jsonl_options& jsonl) {
    side s{reference, {}};
    std::error_code ec;
    const auto hash = reference.rfind('#');
    if (std::filesystem::is_regular_file(reference, ec) || hash == std::string::npos) {
        input_file in(reference);
        s.text.assign(in.data(), in.size());
        return s;
    }
    const std::string path = reference.substr(0, hash), id = reference.substr(hash + 1);
    input_file in(path);
    ditto::jsonl_parser parser(jsonl);
    bool found = false;
    in.for_each_line([&](std::size_t line, char* text, std::size_t length) {
        try {
            const ditto::jsonl_record r = parser.parse(text, length, line);
            found = r.id_kind == ditto::json_id_kind::none ? id == std::to_string(line) : r.id == id;
            if (found) s.text.assign(r.text);
        } catch (const ditto::parse_error& e) {
            throw data_error(in.located(e));
        }
        return !found;
    });
    if (found) return s;
    throw data_error("no record with id " + json_string(id) + " in " + path);
}

// B's text with A's deleted spans and B's inserted spans marked, for people.
std::string render(const side& a, const side& b, const ditto::text_diff& d, bool color) {
    const std::string del_open = color ? "\033[31;9m" : "[-", del_close = color ? "\033[0m" : "-]";
    const std::string ins_open = color ? "\033[32m" : "{+", ins_close = color ? "\033[0m" : "+}";
    // Each deleted span of A goes into the matching gap of B: after the passage that precedes it
    // in A, right before the text B has there instead (an inserted span), else right before the
    // next shared text.
    struct mark {
        std::size_t at;  // in B
        std::string text;
    };
    std::vector<mark> deletions;
    for (const auto& span : d.deleted) {
        std::size_t gap_begin = 0;
        for (const auto& p : d.shared)
            if (p.a.end <= span.begin) gap_begin = std::max(gap_begin, p.b.end);
        std::size_t at = b.text.size();
        for (const auto& p : d.shared)
            if (p.b.begin >= gap_begin) at = std::min(at, p.b.begin);
        for (const auto& ins : d.inserted)
            if (ins.begin >= gap_begin && ins.begin <= at) {
                at = ins.begin;
                break;
            }
        std::string text(a.text, span.begin, span.end - span.begin);
        if (at < b.text.size() && b.text[at] != ' ' && b.text[at] != '\n' &&
            std::none_of(d.inserted.begin(), d.inserted.end(), [&](ditto::byte_span s2) { return s2.begin == at; }))
            text += ' ';  // keep a space between the marked text and the shared text after it
        deletions.push_back({at, std::move(text)});
    }
    // Walk B, emitting its text up to each mark: deletions first where both fall at one place.
    struct event {
        std::size_t at;
        bool insertion;
        std::size_t index;
    };
    std::vector<event> events;
    for (std::size_t i = 0; i < deletions.size(); ++i) events.push_back({deletions[i].at, false, i});
    for (std::size_t i = 0; i < d.inserted.size(); ++i) events.push_back({d.inserted[i].begin, true, i});
    std::sort(events.begin(), events.end(), [](const event& x, const event& y) {
        return x.at != y.at ? x.at < y.at : (x.insertion != y.insertion ? !x.insertion : x.index < y.index);
    });
    std::string out;
    std::size_t pos = 0;
    for (const event& e : events) {
        if (e.at > pos) {
            out.append(b.text, pos, e.at - pos);
            pos = e.at;
        }
        if (e.insertion) {
            const auto& span = d.inserted[e.index];
            out += ins_open + std::string(b.text, span.begin, span.end - span.begin) + ins_close;
            pos = span.end;
        } else {
            std::string text = deletions[e.index].text;
            const bool space = !text.empty() && text.back() == ' ';
            if (space) text.pop_back();
            out += del_open + text + del_close + (space ? " " : "");
        }
    }
    out.append(b.text, pos, std::string::npos);
    if (out.empty() || out.back() != '\n') out += '\n';
    return out;
}

}  // namespace

std::string diff_json(std::string_view a_id_json, std::size_t a_bytes, std::string_view b_id_json, std::size_t b_bytes,
                      const ditto::text_diff& d) {
    std::string out = "{\"a\": {\"id\": " + std::string(a_id_json) + ", \"bytes\": " + std::to_string(a_bytes) +
                      "}, \"b\": {\"id\": " + std::string(b_id_json) + ", \"bytes\": " + std::to_string(b_bytes) + "}";
    out += ", \"similarity\": {\"jaccard\": " + format_double(d.measures.jaccard) +
           ", \"containment_a_in_b\": " + format_double(d.measures.containment_a_in_b) +
           ", \"containment_b_in_a\": " + format_double(d.measures.containment_b_in_a) +
           ", \"coverage_a\": " + format_double(d.measures.coverage_a) +
           ", \"coverage_b\": " + format_double(d.measures.coverage_b) + "}";
    out += ", \"shared\": [";
    for (std::size_t i = 0; i < d.shared.size(); ++i)
        out += (i ? ", " : "") + std::string("{\"a\": ") + json_span(d.shared[i].a) + ", \"b\": " + json_span(d.shared[i].b) + "}";
    out += "], \"deleted\": [";
    for (std::size_t i = 0; i < d.deleted.size(); ++i) out += (i ? ", " : "") + json_span(d.deleted[i]);
    out += "], \"inserted\": [";
    for (std::size_t i = 0; i < d.inserted.size(); ++i) out += (i ? ", " : "") + json_span(d.inserted[i]);
    out += "], \"changed_figures\": [";
    for (std::size_t i = 0; i < d.changed_figures.size(); ++i) {
        const auto& f = d.changed_figures[i];
        out += (i ? ", " : "") + std::string("{\"a\": ") + json_span(f.a) + ", \"b\": " + json_span(f.b) +
               ", \"old\": " + json_string(f.old_text) + ", \"new\": " + json_string(f.new_text) + "}";
    }
    return out + "]}";
}

void print_diff_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto diff [OPTIONS] A B\n"
        "Show what differs between two copies of a text: the passages they share (in any order),\n"
        "the spans only A has (deleted) and only B has (inserted), and the figures that changed.\n"
        "A and B are text files, or FILE.jsonl#ID for the record with that id (or, for records\n"
        "without an id field, that line number) in a JSONL file.\n"
        "\n"
        "Options:\n"
        "  --json              print one JSON object instead of the marked text; byte offsets are\n"
        "                      into the files, or into the record's decoded text\n"
        "  --color WHEN        always, never or auto (default: when standard output is a terminal);\n"
        "                      without colour, deleted text is [-like this-], inserted {+like this+}\n"
        "  --ngram K           tokens per k-gram; passages are at least K tokens (default 5)\n"
        "  --window W          winnowing window: shared runs of K + W - 1 tokens are always found\n"
        "                      (default 4)\n"
        "  --text-field NAME   for FILE.jsonl#ID: the text field (default text)\n"
        "  --id-field NAME     for FILE.jsonl#ID: the id field (default id)\n"
        "  -h, --help          show this help\n"
        "\n"
        "Exit status: 0 success, 1 unreadable input, 2 invalid usage.\n",
        out);
}

int run_diff(const std::vector<std::string_view>& args) {
    std::vector<std::string> operands;
    bool json = false, help = false;
    int color = -1;  // auto
    ditto::align_options align;
    ditto::jsonl_options jsonl;
    argument_reader r(args, help_command);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            operands.emplace_back(r.argument());
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (name == "--json") {
            r.flag();
            json = true;
        } else if (name == "--color" || name == "--colour") {
            const std::string_view v = r.value();
            if (v == "always") color = 1;
            else if (v == "never") color = 0;
            else if (v == "auto") color = -1;
            else throw usage_error("--color must be 'always', 'never' or 'auto', got '" + std::string(v) + "'", help_command);
        } else if (name == "--ngram") {
            align.k = parse_size(name, r.value(), 1, 1024, r.help_command());
        } else if (name == "--window") {
            align.window = parse_size(name, r.value(), 1, 1024, r.help_command());
        } else if (name == "--text-field" || name == "--id-field") {
            const std::string_view v = r.value();
            if (v.empty()) throw usage_error(std::string(name) + " must be a non-empty name", help_command);
            (name == "--text-field" ? jsonl.text_field : jsonl.id_field) = std::string(v);
        } else {
            r.unknown();
        }
    }
    if (help) {
        print_diff_help(stdout);
        return 0;
    }
    if (operands.size() != 2)
        throw usage_error("need two texts to compare, got " + std::to_string(operands.size()), help_command);
    if (jsonl.text_field == jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + jsonl.text_field + "'", help_command);
    const side a = load(operands[0], jsonl), b = load(operands[1], jsonl);
    const ditto::text_diff d = ditto::diff(a.text, b.text, align);
    output out("");
    if (json) {
        out.write(diff_json(json_string(a.name), a.text.size(), json_string(b.name), b.text.size(), d));
        out.write("\n");
        out.commit();
        return 0;
    }
    const bool use_color = color == 1 || (color == -1 && ::isatty(1) == 1);
    char line[256];
    std::snprintf(line, sizeof line, "--- A: %s (%zu bytes)\n+++ B: %s (%zu bytes)\n", a.name.c_str(), a.text.size(),
                  b.name.c_str(), b.text.size());
    out.write(line);
    std::snprintf(line, sizeof line,
                  "Jaccard %.2f; A in B %.2f, B in A %.2f; shared passages (%zu) cover %.0f%% of A and %.0f%% of B\n\n",
                  d.measures.jaccard, d.measures.containment_a_in_b, d.measures.containment_b_in_a, d.shared.size(),
                  100 * d.measures.coverage_a, 100 * d.measures.coverage_b);
    out.write(line);
    out.write(render(a, b, d, use_color));
    if (!d.changed_figures.empty()) {
        out.write("\nChanged figures:\n");
        for (const auto& f : d.changed_figures) {
            out.write("  ");
            out.write(use_color ? "\033[33m" + f.old_text + " \xe2\x86\x92 " + f.new_text + "\033[0m" : f.old_text + " \xe2\x86\x92 " + f.new_text);
            std::snprintf(line, sizeof line, "   (A bytes %zu-%zu, B bytes %zu-%zu)\n", f.a.begin, f.a.end, f.b.begin, f.b.end);
            out.write(line);
        }
    }
    out.commit();
    return 0;
}

}  // namespace ditto_cli
