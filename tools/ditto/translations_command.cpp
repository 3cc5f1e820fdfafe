// `ditto translations REFERENCE OTHER`: link each document of OTHER to the document of REFERENCE
// it is a translation (or a copy) of, by the anchors the two share: numbers, links, codes,
// acronyms (see include/ditto/crosslingual/).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <unistd.h>

#include <ditto/crosslingual/translations.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>

#include "cli.hpp"

namespace ditto_cli {

namespace {

constexpr const char* help_command = "ditto translations --help";

struct translations_arguments {
    std::vector<std::string> inputs;  // REFERENCE, OTHER
    std::string output_path, output_option = "-o";
    ditto::jsonl_options jsonl;
    ditto::translation_options options;
    std::size_t threads = 0;
    bool quiet = false;
};

translations_arguments parse_arguments(const std::vector<std::string_view>& args, bool& help) {
    translations_arguments a;
    argument_reader r(args, help_command);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            a.inputs.emplace_back(r.argument());
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (name == "--threshold") {
            a.options.threshold = parse_double(name, r.value(), 0.0, false, 1.0, false, help_command);
        } else if (name == "--min-anchors") {
            a.options.min_anchors = parse_size(name, r.value(), 0, std::size_t{0xffffffff}, help_command);
        } else if (name == "--candidates") {
            a.options.candidates = parse_size(name, r.value(), 1, 10000, help_command);
        } else if (name == "--chars") {
            r.flag();
            a.options.chars = true;
        } else if (name == "--all") {
            r.flag();
            a.options.all = true;
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, help_command);
        } else if (parse_input_option(r, a.jsonl) || parse_output_option(r, a.output_path, a.output_option)) {
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            a.quiet = true;
        } else {
            r.unknown();
        }
    }
    if (help) return a;
    if (a.inputs.size() != 2)
        throw usage_error("need two JSONL files, REFERENCE and OTHER, got " + std::to_string(a.inputs.size()), help_command);
    if (a.inputs[0] == "-" && a.inputs[1] == "-")
        throw usage_error("at most one of REFERENCE and OTHER may be standard input ('-')", help_command);
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", help_command);
    return a;
}

// Progress on standard error when it is a terminal: the stage and, while linking, the count.
class progress_line {
public:
    explicit progress_line(bool enabled) : enabled_(enabled) {}
    ~progress_line() { clear(); }
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;
    void stage(const std::string& text) {
        if (!enabled_) return;
        std::lock_guard lock(mutex_);
        std::fprintf(stderr, "\r\033[Kditto: %s", text.c_str());
        std::fflush(stderr);
    }
    // Adds done documents of total; redraws at most five times a second.
    void advance(std::size_t done, std::size_t total) {
        if (!enabled_) return;
        const std::size_t now_done = done_ += done;
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (now_done != total && now - drawn_ < std::chrono::milliseconds(200)) return;
        drawn_ = now;
        std::fprintf(stderr, "\r\033[Kditto: linking %zu/%zu documents", now_done, total);
        std::fflush(stderr);
    }
    void clear() {
        if (!enabled_) return;
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        enabled_ = false;
    }

private:
    bool enabled_;
    std::mutex mutex_;
    std::atomic<std::size_t> done_{0};
    std::chrono::steady_clock::time_point drawn_{};
};

// One JSONL file, parsed: its ids (as text: a record without the id field has its line number)
// and texts, which point into `file`.
struct corpus {
    std::unique_ptr<input_file> file;
    ditto::jsonl_lines parsed;
    std::vector<std::string> line_ids;  // for records without an id
    std::vector<std::string_view> ids, texts;
};

void load(corpus& c, const std::string& path, const ditto::jsonl_options& jsonl, ditto::thread_pool& pool) {
    c.file = std::make_unique<input_file>(path, std::function<void(std::size_t)>{}, &pool);
    input_file& in = *c.file;
    if (in.has_utf8_bom())
        std::fprintf(stderr, "ditto: warning: %s starts with a UTF-8 byte order mark; it is ignored\n",
                     escape_text(in.display_name()).c_str());
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::clamp<std::size_t>(in.size() / (pool.concurrency() * 16), std::size_t{256} << 10, std::size_t{8} << 20);
    c.parsed = ditto::parse_jsonl(in.data(), in.text_start(), in.size(), jsonl, pool, chunking);
    if (!c.parsed.bad.empty()) throw data_error(escape_text(in.located(c.parsed.bad.front().error)));
    const std::size_t n = c.parsed.records.size();
    c.line_ids.resize(n);
    c.ids.resize(n);
    c.texts.resize(n);
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = c.parsed.records[i];
        if (r.record.id_kind == ditto::json_id_kind::none) c.line_ids[i] = std::to_string(r.line);
        c.ids[i] = r.record.id_kind == ditto::json_id_kind::none ? std::string_view(c.line_ids[i]) : r.record.id;
        c.texts[i] = r.record.text;
        const auto [it, inserted] = seen.emplace(c.ids[i], i);
        if (!inserted)
            throw data_error(escape_text(in.display_name()) + ":" + std::to_string(r.line) + ": id " +
                             escape_text(json_string(c.ids[i])) + " is also the id of line " +
                             std::to_string(c.parsed.records[it->second].line) + " (ids must be unique: the output names documents by id)");
    }
}

std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

void print_translations_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto translations [OPTIONS] REFERENCE OTHER\n"
        "Link each document of OTHER to the document of REFERENCE it is a translation (or a copy)\n"
        "of. Both are JSONL files, one JSON object per line ('-' is standard input, for at most one\n"
        "of them). Prints, for each linked document of OTHER, in input order:\n"
        "  id_other <TAB> id_reference <TAB> score\n"
        "Ids are written with \\\\, \\t, \\n, \\r and other control characters escaped.\n"
        "\n"
        "How: the anchors of every text are the tokens that survive translation: numbers (7,1 and\n"
        "7.1 are one, so are 9,000, 9.000 and 9 000), URLs, e-mail addresses, paths, variables,\n"
        "options, tokens with digits, code, acronyms and words with an inner capital, Cyrillic and\n"
        "Greek written in Latin letters. Capitalized words are not anchors. The candidates of a\n"
        "document are the references with the highest tf-idf cosine of the anchors; its score\n"
        "against each is the mean of that cosine and 2 LCS / (|a| + |b|) of the two anchor\n"
        "sequences (and, with --chars, of the character 4-gram similarity of the texts written\n"
        "in Latin letters). The best candidate is the link when its score reaches the threshold.\n"
        "\n"
        "Options:\n"
        "  --threshold X       the least score of a link, 0..1 (default 0.25; 0.4 for fewer\n"
        "                      false links and more missed ones)\n"
        "  --min-anchors N     documents of OTHER with fewer anchors are not linked (they\n"
        "                      abstain: a few figures match too much by chance), 0..4294967295\n"
        "                      (default 10); a document without anchors always abstains\n"
        "  --candidates N      references scored per document, the best by cosine, 1..10000\n"
        "                      (default 20)\n"
        "  --chars             add the character 4-gram similarity as a third equal term (helps\n"
        "                      short texts)\n"
        "  --all               print every candidate reaching the threshold, best first, not\n"
        "                      only the best (sibling originals then link too)\n"
        "  -o, --output FILE   write the links there (default: standard output)\n"
        "\n"
        "Input:\n"
        "  --text-field NAME   the field holding the text (default \"text\")\n"
        "  --id-field NAME     the field holding the id (default \"id\"; a record without it has its\n"
        "                      line number); ids must be unique within each file\n"
        "  --invalid-utf8 replace|error\n"
        "                      ill-formed UTF-8 in the text: replaced by U+FFFD (default) or an error\n"
        "\n"
        "Running:\n"
        "  --threads N         worker threads, 1..4096 (default: all cores)\n"
        "  -q, --quiet         no progress and no summary on standard error\n"
        "  -h, --help          show this help\n"
        "\n"
        "The output does not depend on --threads.\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run_translations(const std::vector<std::string_view>& args) {
    bool help = false;
    const translations_arguments a = parse_arguments(args, help);
    if (help) {
        print_translations_help(stdout);
        return 0;
    }
    try {
        a.options.validate();
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("invalid options: ") + e.what(), help_command);
    }
    output out(a.output_path, a.output_option);
    const auto start = std::chrono::steady_clock::now();
    progress_line progress(!a.quiet && ::isatty(2) == 1);
    ditto::thread_pool pool(a.threads);

    corpus reference, other;
    progress.stage("reading " + escape_text(a.inputs[0]));
    load(reference, a.inputs[0], a.jsonl, pool);
    progress.stage("reading " + escape_text(a.inputs[1]));
    load(other, a.inputs[1], a.jsonl, pool);

    progress.stage("indexing " + count(reference.texts.size(), "reference document", "reference documents"));
    const ditto::translation_finder finder(reference.texts, a.options, pool);
    const std::size_t total = other.texts.size();
    const auto found = finder.find_all(other.texts, pool, [&](std::size_t done) { progress.advance(done, total); });
    progress.clear();

    std::size_t linked = 0, abstained = 0, lines = 0;
    std::string line;
    char score[32];
    for (std::size_t i = 0; i < found.size(); ++i) {
        const ditto::translation& t = found[i];
        if (t.status == ditto::translation_status::abstained) ++abstained;
        if (t.status != ditto::translation_status::linked) continue;
        ++linked;
        for (const ditto::translation_match& m : t.matches) {
            std::snprintf(score, sizeof score, "%.4f", m.score);
            line = escape_text(other.ids[i]) + "\t" + escape_text(reference.ids[m.reference]) + "\t" + score + "\n";
            out.write(line);
            ++lines;
        }
    }
    out.commit();
    if (!a.quiet) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr,
                     "ditto: %s against %s (%s): %zu linked, %zu abstained (fewer than %s), %zu not linked "
                     "(best score below %.2f)%s, %.2f s\n",
                     count(total, "document", "documents").c_str(),
                     count(reference.texts.size(), "reference document", "reference documents").c_str(),
                     count(finder.index().terms(), "distinct anchor", "distinct anchors").c_str(), linked, abstained,
                     count(std::max<std::size_t>(a.options.min_anchors, 1), "anchor", "anchors").c_str(),
                     total - linked - abstained, a.options.threshold,
                     a.options.all ? (", " + count(lines, "line", "lines")).c_str() : "", seconds);
    }
    return 0;
}

}  // namespace ditto_cli
