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
#include <ditto/crosslingual/anchor_diff.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/text/utf8.hpp>

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

void append_escape(std::string& out, const char* form, unsigned value) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, form, value);
    out += buffer;
}

// Text for people, safe on a terminal: C0 controls other than tab and newline (and CR other than
// in CRLF), DEL and C1 controls are shown as \xHH (C1 as \u00HH), as are the bytes of ill-formed
// UTF-8, so no escape sequence in the data reaches the terminal. one_line: tab and newline too.
void append_shown(std::string& out, std::string_view text, bool one_line = false) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += text[i++];
            continue;
        }
        if (c < 0x80) {
            const bool kept = !one_line && (c == '\n' || c == '\t' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n'));
            if (kept) out += text[i];
            else append_escape(out, "\\x%02x", c);
            ++i;
            continue;
        }
        const ditto::decoded_code_point cp = ditto::decode_utf8(text, i);
        if (!cp.valid) {
            for (std::size_t j = i; j < i + cp.length; ++j) append_escape(out, "\\x%02x", static_cast<unsigned char>(text[j]));
        } else if (cp.code_point < 0xa0) {
            append_escape(out, "\\u%04x", static_cast<unsigned>(cp.code_point));
        } else {
            out.append(text, i, cp.length);
        }
        i += cp.length;
    }
}

std::string shown(std::string_view text) {
    std::string out;
    append_shown(out, text, true);
    return out;
}

// A name as a JSON string, with DEL and C1 controls escaped too (json_string leaves them raw, as
// JSON allows), so --json on a terminal cannot carry an 8-bit escape sequence either.
std::string json_name(std::string_view name) {
    const std::string json = json_string(name);
    std::string out;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto c = static_cast<unsigned char>(json[i]);
        const auto next = i + 1 < json.size() ? static_cast<unsigned char>(json[i + 1]) : 0u;
        if (c == 0x7f) {
            out += "\\u007f";
        } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
            append_escape(out, "\\u%04x", next);
            ++i;
        } else {
            out += json[i];
        }
    }
    return out;
}

// A reference split into its file and, for FILE#ID, the record id. The whole reference is a file
// when it names one; otherwise it is split at the first '#' whose prefix is "-" or names a file
// that is not a folder, so an id may itself contain '#'.
struct reference {
    std::string path;
    bool has_id = false;
    std::string id;
    bool resolved = true;  // false: no '#' split names a file (reported when reading)
};

reference split_reference(const std::string& given) {
    std::error_code ec;
    const auto names_file = [&](const std::string& p) {
        return p == "-" || (std::filesystem::exists(p, ec) && !std::filesystem::is_directory(p, ec));
    };
    if (given.find('#') == std::string::npos || names_file(given)) return {given, false, {}, true};
    for (std::size_t h = given.find('#'); h != std::string::npos; h = given.find('#', h + 1))
        if (const std::string prefix = given.substr(0, h); names_file(prefix)) return {prefix, true, given.substr(h + 1), true};
    return {given, false, {}, false};
}

// Reads a side: a text file, or the record of a JSONL file whose id text is the reference's id (a
// string id's decoded text, a number id as written, or for a record without an id its line number).
side load(const std::string& given, const reference& ref, const ditto::jsonl_options& jsonl) {
    side s{given, {}};
    if (!ref.resolved)
        throw data_error("cannot open " + shown(given) + ": no such file, and no part of it before a '#' names a file");
    if (!ref.has_id) {
        input_file in(ref.path);
        s.text.assign(in.data(), in.size());
        return s;
    }
    input_file in(ref.path);
    ditto::jsonl_parser parser(jsonl);
    std::size_t found = 0;
    in.for_each_line([&](std::size_t line, char* text, std::size_t length) {
        ditto::jsonl_record r;
        try {
            r = parser.parse(text, length, line);
        } catch (const ditto::parse_error& e) {
            throw data_error(shown(in.located(e)));
        }
        const bool match = r.id_kind == ditto::json_id_kind::none ? ref.id == std::to_string(line) : r.id == ref.id;
        if (!match) return true;
        if (found != 0)
            throw data_error(shown(in.display_name()) + ":" + std::to_string(line) + ": duplicate id " + shown(json_string(ref.id)) +
                             " (first on line " + std::to_string(found) + "): " + shown(given) + " is ambiguous");
        found = line;
        s.text.assign(r.text);
        return true;
    });
    if (found != 0) return s;
    throw data_error("no record with id " + shown(json_string(ref.id)) + " in " + shown(in.display_name()));
}

// B's text with A's deleted spans and B's inserted spans marked, for people.
std::string render(const side& a, const side& b, const ditto::text_diff& d, bool color) {
    const std::string_view del_open = color ? "\033[31;9m" : "[-", del_close = color ? "\033[0m" : "-]";
    const std::string_view ins_open = color ? "\033[32m" : "{+", ins_close = color ? "\033[0m" : "+}";
    std::string out;
    out.reserve(b.text.size() + b.text.size() / 8);
    for (const ditto::marked_piece& p : ditto::mark_changes(d, b.text).pieces) {
        const std::string_view text = p.kind == ditto::mark_kind::deleted ? a.text : b.text;
        const std::string_view bytes = std::string_view(text).substr(p.bytes.begin, p.bytes.end - p.bytes.begin);
        switch (p.kind) {
        case ditto::mark_kind::same: append_shown(out, bytes); break;
        case ditto::mark_kind::separator: out += ' '; break;
        case ditto::mark_kind::deleted:
            out += del_open;
            append_shown(out, bytes);
            out += del_close;
            break;
        case ditto::mark_kind::inserted:
            out += ins_open;
            append_shown(out, bytes);
            out += ins_close;
            break;
        }
    }
    if (out.empty() || out.back() != '\n') out += '\n';
    return out;
}

// `--cross-lingual`: what the anchors of two copies in different languages say (see
// ditto/crosslingual/anchor_diff.hpp): shared anchors in order, one-sided anchors, changed figures.
std::string cross_lingual_report(const side& a, const side& b, bool json, bool color) {
    const ditto::anchor_list la = ditto::extract_anchors(a.text), lb = ditto::extract_anchors(b.text);
    const ditto::anchor_diff d = ditto::diff_anchors(la, lb);
    const auto source = [](const side& s, const ditto::anchor& x) {
        return std::string_view(s.text).substr(x.source.begin, x.source.end - x.source.begin);
    };
    std::string out;
    if (json) {
        const auto one_sided = [&](const side& s, const ditto::anchor_list& l, const std::vector<std::size_t>& which,
                                   const char* where) {
            for (std::size_t k = 0; k < which.size(); ++k) {
                const ditto::anchor& x = l[which[k]];
                out += (k ? ", " : "") + std::string("{\"anchor\": ") + json_string(l.text(which[k])) + ", \"kind\": \"" +
                       std::string(ditto::to_string(x.kind)) + "\", \"" + where + "\": " + json_span(x.source) +
                       ", \"text\": " + json_string(source(s, x)) + "}";
            }
        };
        out = "{\"a\": {\"id\": " + json_name(a.name) + ", \"anchors\": " + std::to_string(la.size()) +
              "}, \"b\": {\"id\": " + json_name(b.name) + ", \"anchors\": " + std::to_string(lb.size()) + "}, \"shared\": [";
        for (std::size_t k = 0; k < d.shared.size(); ++k) {
            const auto [i, j] = d.shared[k];
            out += (k ? ", " : "") + std::string("{\"anchor\": ") + json_string(la.text(i)) + ", \"a\": " + json_span(la[i].source) +
                   ", \"b\": " + json_span(lb[j].source) + "}";
        }
        out += "], \"only_a\": [";
        one_sided(a, la, d.only_a, "a");
        out += "], \"only_b\": [";
        one_sided(b, lb, d.only_b, "b");
        out += "], \"changed_figures\": [";
        for (std::size_t k = 0; k < d.changed_figures.size(); ++k) {
            const auto [i, j] = d.changed_figures[k];
            out += (k ? ", " : "") + std::string("{\"a\": ") + json_span(la[i].source) + ", \"b\": " + json_span(lb[j].source) +
                   ", \"old\": " + json_string(source(a, la[i])) + ", \"new\": " + json_string(source(b, lb[j])) + "}";
        }
        return out + "]}\n";
    }
    const auto percent = [](std::size_t part, std::size_t whole) {
        return whole == 0 ? std::string("0") : std::to_string((100 * part + whole / 2) / whole);
    };
    const auto anchors = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " anchor" : " anchors"); };
    out = "--- A: " + shown(a.name) + " (" + anchors(la.size()) + ")\n+++ B: " + shown(b.name) + " (" + anchors(lb.size()) +
          ")\n";
    const auto count = [](std::size_t n, const char* one, const char* many) { return std::to_string(n) + (n == 1 ? one : many); };
    out += count(d.shared.size(), " shared anchor (", " shared anchors (") + percent(d.shared.size(), la.size()) + "% of A's, " +
           percent(d.shared.size(), lb.size()) + "% of B's), " +
           count(d.changed_figures.size(), " changed figure, ", " changed figures, ") + std::to_string(d.only_a.size()) +
           " only in A, " + std::to_string(d.only_b.size()) + " only in B\n";
    out += "\nShared anchors, in order:\n";
    if (d.shared.empty()) out += "  (none)\n";
    for (const auto& [i, j] : d.shared) {
        const std::string_view in_a = source(a, la[i]), in_b = source(b, lb[j]);
        out += "  " + shown(in_a) + (in_a == in_b ? std::string() : "  =  " + shown(in_b)) + "\n";
    }
    const auto one_sided = [&](const char* title, const side& s, const ditto::anchor_list& l, const std::vector<std::size_t>& which) {
        out += std::string("\n") + title + ":\n";
        if (which.empty()) out += "  (none)\n";
        for (const std::size_t k : which) out += "  " + shown(source(s, l[k])) + "\n";
    };
    one_sided("Only in A", a, la, d.only_a);
    one_sided("Only in B", b, lb, d.only_b);
    out += "\nChanged figures:\n";
    if (d.changed_figures.empty()) out += "  (none)\n";
    char line[128];
    for (const auto& [i, j] : d.changed_figures) {
        const std::string change = shown(source(a, la[i])) + " \xe2\x86\x92 " + shown(source(b, lb[j]));
        out += "  " + (color ? "\033[33m" + change + "\033[0m" : change);
        std::snprintf(line, sizeof line, "   (A bytes %zu-%zu, B bytes %zu-%zu)\n", la[i].source.begin, la[i].source.end,
                      lb[j].source.begin, lb[j].source.end);
        out += line;
    }
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
        "\n"
        "A and B are text files ('-' is standard input, for at most one of them), or FILE#ID for\n"
        "the record of a JSONL file whose id is ID. Every id is text: a string id is its decoded\n"
        "string, a number id its literal as written (1.50 is not 1.5), and a record without the\n"
        "id field is addressed by its line number (1-based, decimal). Two records with that id\n"
        "text are an error naming both lines. A reference that names an existing file is that\n"
        "file; otherwise it is split at the first '#' whose prefix is '-' or names a file, so\n"
        "ids may contain '#' (news.jsonl#https://example.com/a#b). Standard input as JSONL\n"
        "is '-#ID', after '--' (ditto diff -- -#3 b.txt).\n"
        "\n"
        "Texts shorter than K words are one shingle: two equal ones are one shared passage,\n"
        "otherwise they share nothing. Passages are runs of at least K equal words; every run\n"
        "of K + W - 1 words is found whole unless it overlaps a longer shared run or one of its\n"
        "K-word groups occurs more than 8 times in a text (repetitive text: that is aligned in\n"
        "order, between the other passages).\n"
        "\n"
        "The marked text shows control characters as escapes, whatever the output: C0 controls\n"
        "other than tab and newline (and CR outside CRLF) and DEL as \\xHH, C1 controls as \\u00HH,\n"
        "bytes of ill-formed UTF-8 as \\xHH; so is everything else printed for people (names,\n"
        "messages). --json gives exact offsets instead, its names with all controls escaped.\n"
        "\n"
        "Options:\n"
        "  --cross-lingual     compare the anchors of two copies in different languages instead of\n"
        "                      their words: numbers (7,1 = 7.1), URLs, codes, acronyms... (as\n"
        "                      'ditto translations' reads them), shared ones in order, those only\n"
        "                      in A or only in B, and the changed figures: numbers at the same\n"
        "                      place in the alignment with another value\n"
        "  --json              print one JSON object instead of the marked text; byte offsets are\n"
        "                      into the files, or into the record's decoded text\n"
        "  --color WHEN        always, never or auto (default: when standard output is a terminal);\n"
        "                      without colour, deleted text is [-like this-], inserted {+like this+}\n"
        "  --ngram K           tokens per k-gram; passages are at least K tokens (default 5)\n"
        "  --window W          winnowing window: shared runs of K + W - 1 tokens are found, but\n"
        "                      for repetitive text as said above (default 4)\n"
        "  --text-field NAME   for FILE#ID: the text field (default text)\n"
        "  --id-field NAME     for FILE#ID: the id field (default id)\n"
        "  -h, --help          show this help\n"
        "\n"
        "Exit status: 0 success, 1 unreadable input, 2 invalid usage.\n",
        out);
}

int run_diff(const std::vector<std::string_view>& args) {
    std::vector<std::string> operands;
    bool json = false, help = false, cross_lingual = false;
    std::string word_option;  // --ngram or --window as given: they do not apply to --cross-lingual
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
        } else if (name == "--cross-lingual") {
            r.flag();
            cross_lingual = true;
        } else if (name == "--color" || name == "--colour") {
            const std::string_view v = r.value();
            if (v == "always") color = 1;
            else if (v == "never") color = 0;
            else if (v == "auto") color = -1;
            else throw usage_error("--color must be 'always', 'never' or 'auto', got '" + std::string(v) + "'", help_command);
        } else if (name == "--ngram") {
            align.k = parse_size(name, r.value(), 1, 1024, r.help_command());
            word_option = name;
        } else if (name == "--window") {
            align.window = parse_size(name, r.value(), 1, 1024, r.help_command());
            word_option = name;
        } else if (name == "--text-field" || name == "--id-field") {
            (name == "--text-field" ? jsonl.text_field : jsonl.id_field) = r.name_value();
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
    if (cross_lingual && !word_option.empty())
        throw usage_error(word_option + " does not apply to --cross-lingual (anchors are compared, not words)", help_command);
    const reference ref_a = split_reference(operands[0]), ref_b = split_reference(operands[1]);
    if (ref_a.path == "-" && ref_b.path == "-")
        throw usage_error("at most one of A and B may be standard input ('-')", help_command);
    const side a = load(operands[0], ref_a, jsonl), b = load(operands[1], ref_b, jsonl);
    if (cross_lingual) {
        output out("");
        out.write(cross_lingual_report(a, b, json, color == 1 || (color == -1 && !json && ::isatty(1) == 1)));
        out.commit();
        return 0;
    }
    const ditto::text_diff d = ditto::diff(a.text, b.text, align);
    output out("");
    if (json) {
        out.write(diff_json(json_name(a.name), a.text.size(), json_name(b.name), b.text.size(), d));
        out.write("\n");
        out.commit();
        return 0;
    }
    const bool use_color = color == 1 || (color == -1 && ::isatty(1) == 1);
    out.write("--- A: " + shown(a.name) + " (" + std::to_string(a.text.size()) + " bytes)\n+++ B: " + shown(b.name) + " (" +
              std::to_string(b.text.size()) + " bytes)\n");
    char line[256];
    std::snprintf(line, sizeof line,
                  "Jaccard %.2f; A in B %.2f, B in A %.2f; shared passages (%zu) cover %.0f%% of A and %.0f%% of B\n\n",
                  d.measures.jaccard, d.measures.containment_a_in_b, d.measures.containment_b_in_a, d.shared.size(),
                  100 * d.measures.coverage_a, 100 * d.measures.coverage_b);
    out.write(line);
    out.write(render(a, b, d, use_color));
    if (!d.changed_figures.empty()) {
        out.write("\nChanged figures:\n");
        for (const auto& f : d.changed_figures) {
            const std::string change = shown(f.old_text) + " \xe2\x86\x92 " + shown(f.new_text);
            out.write("  ");
            out.write(use_color ? "\033[33m" + change + "\033[0m" : change);
            std::snprintf(line, sizeof line, "   (A bytes %zu-%zu, B bytes %zu-%zu)\n", f.a.begin, f.a.end, f.b.begin, f.b.end);
            out.write(line);
        }
    }
    out.commit();
    return 0;
}

}  // namespace ditto_cli
