// `ditto dedup`: read a JSONL corpus, find the near-duplicate documents, and print the kept lines,
// the similar pairs, the clusters, or a report for people.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ditto/align.hpp>
#include <ditto/containment_dedup.hpp>
#include <ditto/dedup.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/simhash_dedup.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/text_source.hpp>
#include <ditto/text/utf8.hpp>
#include <ditto/verify.hpp>

#include "clean_cli.hpp"
#include "cli.hpp"
#include "input_files.hpp"
#include "sketch_file.hpp"
#include "stage_files.hpp"

namespace ditto_cli {

namespace {

enum class output_mode { lines, pairs, clusters, report, explain };

struct dedup_arguments {
    input_argument input{"-", false, false};
    std::string output_path;
    std::string output_option = "-o";  // as written, for messages
    output_mode mode = output_mode::lines;
    ditto::jsonl_options jsonl;
    ditto::dedup_options dedup;
    bool simhash = false;        // --method simhash
    bool containment = false;    // --measure containment
    unsigned hamming = 3;        // --hamming, with simhash
    std::string hamming_option;  // --hamming as given, for the message when simhash is not
    std::string minhash_option;  // a MinHash-only option given (--recall, --sketch-size)
    std::size_t threads = 0;
    bool full_pairs = false;  // --exact-pairs full
    std::uint64_t pairs_memory = std::uint64_t{256} << 20;  // --pairs-memory
    bool pairs_memory_given = false;
    bool exact_pairs_given = false;
    bool id_field_given = false;
    bool skip_invalid = false;
    bool quiet = false;
    bool verbose = false;
    bool clean = false;          // --clean
    clean_settings cleaning;
    std::string clean_option;    // a cleaning option given, for the message when --clean is not
    std::uint64_t memory = 0;    // --memory: 0, the input held; else its texts read again by offset
    bool set_memory_given = false;
    std::string tmp_dir;         // --tmp-dir
    std::string sketches;        // --sketches: the folder of the parts' sketch files
    std::uint32_t task = 0, tasks = 0;  // --task k/K: tasks > 0
    bool merge = false;          // --merge
};

constexpr const char* help_command = "ditto dedup --help";
// The largest --hamming: beyond it the index's tables or their runs grow too large to be useful.
constexpr std::size_t max_cli_hamming = 16;

dedup_arguments parse_arguments(const std::vector<std::string_view>& args, bool& help) {
    dedup_arguments a;
    auto set_mode = [&](output_mode m, std::string_view flag) {
        if (a.mode != output_mode::lines && a.mode != m)
            throw usage_error("--pairs, --clusters, --report and --explain exclude each other (" + std::string(flag) + ")",
                              help_command);
        a.mode = m;
    };
    argument_reader r(args, help_command);
    while (r.next()) {
        const std::string_view name = r.name();
        if (parse_input_argument(r, a.input)) {
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (parse_similarity_option(r, a.dedup)) {
            if (name == "--recall" || name == "--sketch-size") a.minhash_option = std::string(name);
        } else if (name == "--method") {
            const std::string_view v = r.value();
            if (v == "minhash") a.simhash = false;
            else if (v == "simhash") a.simhash = true;
            else throw usage_error("--method must be 'minhash' or 'simhash', got '" + std::string(v) + "'", help_command);
        } else if (name == "--measure") {
            const std::string_view v = r.value();
            if (v == "jaccard") a.containment = false;
            else if (v == "containment") a.containment = true;
            else throw usage_error("--measure must be 'jaccard' or 'containment', got '" + std::string(v) + "'", help_command);
        } else if (name == "--hamming") {
            a.hamming = static_cast<unsigned>(parse_size(name, r.value(), 0, max_cli_hamming, r.help_command()));
            a.hamming_option = std::string(name);
        } else if (name == "--clean") {
            r.flag();
            a.clean = true;
        } else if (parse_clean_option(r, a.cleaning)) {
            a.clean_option = std::string(name);
        } else if (parse_rule_option(r, a.dedup)) {
        } else if (name == "--exact-pairs") {
            const std::string_view v = r.value();
            a.exact_pairs_given = true;
            if (v == "compact") a.full_pairs = false;
            else if (v == "full") a.full_pairs = true;
            else throw usage_error("--exact-pairs must be 'compact' or 'full', got '" + std::string(v) + "'", help_command);
        } else if (name == "--pairs-memory") {
            const std::string_view v = r.value();
            a.pairs_memory = parse_bytes(name, v, r.help_command());
            if (a.pairs_memory < 4096) throw usage_error("--pairs-memory must be at least 4K, got '" + std::string(v) + "'", help_command);
            a.pairs_memory_given = true;
        } else if (name == "--set-memory") {
            a.dedup.shingle_memory = parse_size(name, r.value(), 0, 1u << 20, r.help_command()) << 20;
            a.set_memory_given = true;
        } else if (name == "--memory") {
            const std::string_view v = r.value();
            a.memory = parse_bytes(name, v, r.help_command());
            if (a.memory < (std::uint64_t{16} << 20))
                throw usage_error("--memory must be at least 16M, got '" + std::string(v) + "'", help_command);
        } else if (name == "--sketches") {
            a.sketches = std::string(r.value());
            if (a.sketches.empty()) throw usage_error("--sketches needs a folder", help_command);
        } else if (name == "--task") {
            const std::string_view v = r.value();
            if (!parse_index_of(v, 65536, a.task, a.tasks))
                throw usage_error("--task must be k/K with 0 <= k < K <= 65536, got '" + std::string(v) + "'", help_command);
        } else if (name == "--merge") {
            r.flag();
            a.merge = true;
        } else if (name == "--tmp-dir") {
            a.tmp_dir = std::string(r.value());
            if (a.tmp_dir.empty()) throw usage_error("--tmp-dir needs a folder", help_command);
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, r.help_command());
        } else if (parse_input_option(r, a.jsonl)) {
            if (name == "--id-field") a.id_field_given = true;
        } else if (name == "--skip-invalid") {
            r.flag();
            a.skip_invalid = true;
        } else if (name == "--pairs" || name == "--clusters" || name == "--report" || name == "--explain") {
            r.flag();
            set_mode(name == "--pairs" ? output_mode::pairs : name == "--clusters" ? output_mode::clusters
                     : name == "--report" ? output_mode::report : output_mode::explain, name);
        } else if (parse_output_option(r, a.output_path, a.output_option)) {
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
    if (!a.clean_option.empty() && !a.clean) throw usage_error(a.clean_option + " goes with --clean", help_command);
    if (!a.hamming_option.empty() && !a.simhash) throw usage_error("--hamming goes with --method simhash", help_command);
    if (a.simhash && a.dedup.shingles != ditto::shingle_kind::words)
        throw usage_error("--shingle chars:K goes with --method minhash only", help_command);
    if (a.containment && a.simhash) throw usage_error("--measure containment goes with --method minhash only", help_command);
    if (a.containment && !a.minhash_option.empty())
        throw usage_error(a.minhash_option + " does not apply to --measure containment (its candidates are exact: "
                          "prefix filtering, not LSH)", help_command);
    if (!a.minhash_option.empty() && a.simhash)
        throw usage_error(a.minhash_option + " applies to --method minhash only (SimHash fingerprints have 64 bits "
                          "and no recall target; use --hamming)", help_command);
    if (a.cleaning.drop_below > 0) throw usage_error("--drop-below goes with 'ditto clean', not dedup --clean", help_command);
    if (a.clean) check_clean_settings(a.cleaning, help_command);
    if (a.exact_pairs_given && a.mode != output_mode::pairs)
        throw usage_error("--exact-pairs goes with --pairs", help_command);
    if (a.pairs_memory_given && a.mode != output_mode::pairs)
        throw usage_error("--pairs-memory goes with --pairs", help_command);
    if (a.memory > 0) {
        if (a.containment) throw usage_error("--memory goes with --measure jaccard only", help_command);
        if (a.clean)
            throw usage_error("--memory does not go with --clean (cleaning counts lines across the whole corpus in "
                              "memory); run 'ditto clean' first", help_command);
        if (!a.pairs_memory_given) a.pairs_memory = std::min(a.pairs_memory, a.memory / 4);
    }
    if ((a.tasks > 0 || a.merge) && a.sketches.empty())
        throw usage_error(std::string(a.merge ? "--merge" : "--task") + " goes with --sketches FOLDER", help_command);
    if (a.tasks > 0 && a.merge) throw usage_error("--task and --merge are separate stages", help_command);
    if (a.tasks > 0 && !a.output_path.empty())
        throw usage_error("--task writes FOLDER/task-k-of-K.result, where --merge finds it: " + a.output_option +
                              " does not apply", help_command);
    if (!a.sketches.empty()) {
        if (a.simhash || a.containment)
            throw usage_error("--sketches goes with --method minhash and --measure jaccard only", help_command);
        if (a.clean)
            throw usage_error("--sketches does not go with --clean (the parts were sketched from the texts as they "
                              "are); run 'ditto clean' first", help_command);
        if (a.input.path == "-")
            throw usage_error(std::string("--sketches needs the input ") + (a.input.manifest ? "manifest" : "file") +
                                  " the parts were sketched from (not standard input)", help_command);
        if (!a.output_path.empty()) {
            // An output named *.sketch in the folder would be read as a part by the next run.
            const std::filesystem::path written = output_target(std::filesystem::absolute(a.output_path).string());
            std::error_code ec;
            const bool in_folder = std::filesystem::equivalent(written.parent_path(), a.sketches, ec);
            if (in_folder && written.extension() == ".sketch")
                throw usage_error(a.output_option + " " + escape_text(a.output_path) + " would be taken for a part in --sketches " +
                                      escape_text(a.sketches) + ": name the output otherwise, or write it elsewhere",
                                  help_command);
            if (in_folder && a.tasks == 0 && (written.extension() == ".result" || written.filename() == "groups"))
                throw usage_error(a.output_option + " " + escape_text(a.output_path) + " would be taken for a task's result or the "
                                      "groups file in --sketches " + escape_text(a.sketches) +
                                      ": name the output otherwise, or write it elsewhere",
                                  help_command);
        }
    }
    if (!a.tmp_dir.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(a.tmp_dir, ec))
            throw usage_error("--tmp-dir '" + escape_text(a.tmp_dir) + "' is not a folder", help_command);
    }
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", help_command);
    return a;
}

// The SimHash pipeline's options from the command line's.
ditto::simhash_dedup_options simhash_options(const dedup_arguments& a) {
    ditto::simhash_dedup_options o;
    o.threshold = a.dedup.threshold;
    o.ngram = a.dedup.ngram;
    o.hamming = a.hamming;
    o.keep = a.dedup.keep;
    o.clustering = a.dedup.clustering;
    o.collect_pairs = a.dedup.collect_pairs;
    o.shingle_memory = a.dedup.shingle_memory;
    o.normalization = a.dedup.normalization;
    o.seed = a.dedup.seed;
    o.progress = a.dedup.progress;
    return o;
}

std::string format_number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

// The similarity options together, checked before any input is read: each was checked for its
// range while parsing, but some combinations cannot work (a recall that no LSH shape within
// the sketch size reaches).
void check_similarity_options_for(const ditto::dedup_options& o, const std::string& help) {
    try {
        o.validate();
        static_cast<void>(o.lsh());
    } catch (const std::invalid_argument& e) {
        const std::size_t slots = o.sketch_size;
        double reach = 0.0;  // the best any shape reaches: for each row count, as many bands as fit
        for (std::size_t rows = 1; rows <= slots; ++rows)
            reach = std::max(reach, ditto::lsh_probability(o.threshold, {slots / rows, rows}));
        if (reach < o.recall)
            throw usage_error("--recall " + format_number(o.recall) + " cannot be reached with --sketch-size " +
                                  std::to_string(slots) + " at --threshold " + format_number(o.threshold) +
                                  " (at most " + format_number(reach) +
                                  "); use a larger --sketch-size, a lower --recall or a higher --threshold",
                              help);
        std::string why = e.what();
        if (const auto colon = why.find(": "); colon != std::string::npos) why = why.substr(colon + 2);
        throw usage_error("invalid similarity options (--threshold, --ngram, --sketch-size, --recall): " + why,
                          help);
    }
}

// "1 document", "2 documents".
std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// One document of the corpus.
struct record {
    std::string_view text;
    std::string_view id;         // the id's text: decoded string, number as written, or line number
    ditto::json_id_kind id_kind;  // none: the id is the line number
    std::size_t line;
    std::size_t begin, end;      // the line's bytes in the input, without its "\n"
    std::uint64_t original;      // where its bytes as read were spilled, or not_spilled, or ditto::jsonl_restored
};
constexpr std::uint64_t not_spilled = ditto::jsonl_not_kept;

// A line --skip-invalid skipped.
struct skipped_line {
    std::size_t line;
    std::size_t begin, end;
    std::uint64_t original;
    std::string reason;  // "file:line:column: message", for the first few only
};
constexpr std::size_t skipped_reasons = 10;

// Document view for ditto::dedup.
struct document {
    std::string_view text;
};

// Storage for short strings that must stay put (line-number ids): blocks that never move.
class string_arena {
public:
    std::string_view store(std::string_view s) {
        if (s.empty()) return {};
        if (s.size() > left_) {
            const std::size_t size = std::max(s.size(), block_size);
            blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
            next_ = blocks_.back().get();
            left_ = size;
        }
        std::memcpy(next_, s.data(), s.size());
        const std::string_view stored(next_, s.size());
        next_ += s.size();
        left_ -= s.size();
        return stored;
    }

private:
    static constexpr std::size_t block_size = std::size_t{1} << 20;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* next_ = nullptr;
    std::size_t left_ = 0;
};

// An id as JSON: a string id as a string, a number id or line number as a number.
std::string json_id(const record& r) {
    return r.id_kind == ditto::json_id_kind::string ? json_string(r.id) : std::string(r.id);
}

// An id quoted for a message: as JSON, with DEL and C1 controls escaped too (JSON leaves them
// raw, and some terminals act on U+009B).
std::string quoted_id(std::string_view id) {
    std::string out;
    for (const char c : json_string(id)) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0x7f) out += "\\u007f";
        else if (u >= 0x80 && u <= 0x9f && !out.empty() && static_cast<unsigned char>(out.back()) == 0xc2) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", u);
            out.back() = buffer[0];
            out.append(buffer + 1);
        } else {
            out += c;
        }
    }
    return out;
}

// What kind of id a record has, for messages.
std::string id_kind_text(const record& r, const std::string& id_field) {
    switch (r.id_kind) {
        case ditto::json_id_kind::string: return "a string";
        case ditto::json_id_kind::number: return "a number";
        default: return "line number: this record has no \"" + escape_text(id_field) + "\" field";
    }
}

// The first `width` characters of a text on one line (whitespace runs as one space, control
// characters escaped), for the report; "..." when cut.
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
        out += escape_text(text.substr(i, length));
        ++chars;
        i += length;
    }
    return out;
}

// Progress on standard error when it is a terminal: the stage, its count when it has one, and
// the time it has been running, redrawn at least twice a second by a thread of its own, so a
// stage that reports rarely (reading a slow pipe, finding candidates) still shows it is alive.
class progress_display {
public:
    explicit progress_display(bool enabled) : enabled_(enabled) {
        if (enabled_) ticker_ = std::thread([this] { tick(); });
    }
    ~progress_display() { finish(); }
    progress_display(const progress_display&) = delete;
    progress_display& operator=(const progress_display&) = delete;

    // total 0: a count of bytes read so far.
    void update(std::string_view stage, std::size_t done, std::size_t total) {
        if (!enabled_) return;
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        const bool new_stage = stage != stage_;
        if (new_stage) {
            stage_ = stage;
            stage_start_ = now;
        }
        done_ = done;
        total_ = total;
        if (new_stage || done == total || now - drawn_ >= std::chrono::milliseconds(200)) draw(now);
    }
    // A line of its own on standard error (a warning), not appended to the progress line.
    void message(const std::string& text) {
        std::lock_guard lock(mutex_);
        std::fprintf(stderr, "%s%s\n", enabled_ ? "\r\033[K" : "", text.c_str());
        if (enabled_ && !stage_.empty()) draw(std::chrono::steady_clock::now());
    }
    // Stops the redrawing and clears the line.
    void finish() {
        if (!enabled_) return;
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        if (ticker_.joinable()) ticker_.join();
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        enabled_ = false;
    }

private:
    void tick() {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; }))
            if (!stage_.empty()) draw(std::chrono::steady_clock::now());
    }
    void draw(std::chrono::steady_clock::time_point now) {
        drawn_ = now;
        const double seconds = std::chrono::duration<double>(now - stage_start_).count();
        if (total_ == 0)
            std::fprintf(stderr, "\r\033[Kditto: %s, %.1f MB, %.1f s", stage_.c_str(), static_cast<double>(done_) / 1e6, seconds);
        else
            std::fprintf(stderr, "\r\033[Kditto: %s %zu/%zu, %.1f s", stage_.c_str(), done_, total_, seconds);
        std::fflush(stderr);
    }

    bool enabled_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::string stage_;
    std::size_t done_ = 0, total_ = 0;
    std::chrono::steady_clock::time_point stage_start_{}, drawn_{};
    std::thread ticker_;
};

// The report for people: clusters with more than one member, largest first, then by kept
// position; for each copy its similarity to the kept copy and what changed.
// text_at(i, buffer) gives document i's text (held, or read into buffer). Written a cluster at
// a time.
void write_report(output& report, const std::vector<record>& records,
                  const std::function<std::string_view(std::size_t, std::string&)>& text_at,
                  const ditto::dedup_result& result, const ditto::dedup_options& options, bool containment) {
    const auto& clusters = result.clusters;
    std::vector<std::vector<std::size_t>> members(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) members[clusters.cluster[i]].push_back(i);
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < records.size(); ++i)
        if (members[i].size() > 1) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return members[x].size() != members[y].size() ? members[x].size() > members[y].size() : x < y;
    });
    ditto::align_options align;
    // The diff works on words: with character shingles it keeps its default k.
    const bool chars = options.shingles != ditto::shingle_kind::words;
    if (!chars) align.k = options.ngram;
    align.normalization = options.normalization;
    // With character shingles or containment, the similarity shown is the one the pairs were
    // found with: Jaccard of the character grams, or containment of the smaller set in the larger.
    const bool own_measure = chars || containment;
    const ditto::text_shingler shingler(options.shingles, options.normalization, options.ngram, options.seed);
    auto measured = [&](std::string_view x, std::string_view y) {
        std::vector<std::uint64_t> sx = shingler(x), sy = shingler(y);
        ditto::make_set(sx);
        ditto::make_set(sy);
        if (!containment) return ditto::jaccard(sx, sy);
        return sx.size() <= sy.size() ? ditto::containment(sx, sy) : ditto::containment(sy, sx);
    };
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
                figures += (f ? ", " : "") + escape_text(d.changed_figures[f].old_text) + " \xe2\x86\x92 " +
                           escape_text(d.changed_figures[f].new_text);
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
        std::snprintf(head, sizeof head, "%.2f  ", own_measure ? measured(kept_text, copy_text) : d.measures.jaccard);
        return std::string(head) + what;
    };
    std::string out, kept_buffer, copy_buffer;
    std::size_t number = 0;
    for (const std::size_t kept : order) {
        out.clear();
        out += "Cluster " + std::to_string(++number) + ": " + count(members[kept].size(), "copy", "copies") + "\n";
        const std::string_view kept_text = text_at(kept, kept_buffer);
        for (const std::size_t m : members[kept]) {
            out += m == kept ? "  keep  " : "  copy  ";
            out += escape_text(records[m].id);
            if (m == kept) {
                out += "  " + preview(kept_text, 60);
            } else {
                const std::string_view copy_text = text_at(m, copy_buffer);
                if (result.exact_of[m] == result.exact_of[kept])  // the same normalized text
                    out += copy_text == kept_text ? "  1.00  identical"
                                                  : "  1.00  same text once normalized (case, spacing, punctuation)";
                else
                    out += "  " + describe(kept_text, copy_text);
            }
            out += "\n";
        }
        out += "\n";
        report.write(out);
    }
    report.write(count(records.size(), "document", "documents") + ", " +
                 count(result.stats.clusters, "cluster", "clusters") + ", " +
                 count(result.stats.duplicates, "duplicate", "duplicates") + "\n");
}

// The pairs the pipeline passed to its sink, 24 bytes each in (first, second) order, kept in a
// spill file as they came.
struct streamed_pairs {
    spill_file file;
    std::uint64_t count = 0;
    void add(std::span<const ditto::similar_pair> chunk) {
        file.add(std::string_view(reinterpret_cast<const char*>(chunk.data()), chunk.size_bytes()));
        count += chunk.size();
    }
    template <class F>
    void for_each(F&& f) {
        constexpr std::size_t per_read = 4096;
        std::vector<ditto::similar_pair> block(per_read);
        for (std::uint64_t done = 0; done < count;) {
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(per_read, count - done));
            const std::string_view bytes = file.get(done * sizeof(ditto::similar_pair), take * sizeof(ditto::similar_pair));
            std::memcpy(block.data(), bytes.data(), bytes.size());
            for (std::size_t i = 0; i < take; ++i) f(block[i]);
            done += take;
        }
    }
};
static_assert(std::is_trivially_copyable_v<ditto::similar_pair>);

// --pairs: one TSV line per pair, the two ids in byte order, lines sorted. A line compares as its
// (id_a, id_b): escaped ids hold no byte below the tab that ends them. Lines go through
// sorted_lines (past `memory`, sorted runs in temporary files), so no number of pairs is held.
// --exact-pairs full: every pair of documents, where each exact duplicate also stands in for its
// representative. The pairs within exact groups are made in id order as the output reaches
// them (memory grows with the largest group, not its square) and merged with the sorted lines of
// the other pairs.
void write_pairs(output& out, const std::vector<record>& records, const ditto::dedup_result& result,
                 streamed_pairs& pairs, bool full, std::uint64_t memory) {
    const std::size_t n = records.size();
    std::vector<std::string> ids(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = escape_text(records[i].id);
    std::string line;
    auto make_line = [&](std::size_t x, std::size_t y, double similarity) -> const std::string& {
        if (ids[y] < ids[x]) std::swap(x, y);
        char number[32];
        std::snprintf(number, sizeof number, "%.4f\n", similarity);
        line.assign(ids[x]).append("\t").append(ids[y]).append("\t").append(number);
        return line;
    };
    sorted_lines sorted(memory);
    if (!full) {
        pairs.for_each([&](const ditto::similar_pair& p) { sorted.add(make_line(p.first, p.second, p.similarity)); });
        sorted.drain([&](std::string_view l) { out.write(l); });
        return;
    }
    std::vector<std::size_t> member_start(n + 1, 0), members(n);  // documents by exact group, in input order
    for (std::size_t i = 0; i < n; ++i) ++member_start[result.exact_of[i] + 1];
    for (std::size_t g = 0; g < n; ++g) member_start[g + 1] += member_start[g];
    {
        std::vector<std::size_t> fill(member_start.begin(), member_start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) members[fill[result.exact_of[i]]++] = i;
    }
    pairs.for_each([&](const ditto::similar_pair& p) {
        if (result.exact_of[p.second] != p.second) return;  // an exact-duplicate pair: made below
        for (std::size_t a = member_start[p.first]; a < member_start[p.first + 1]; ++a)
            for (std::size_t b = member_start[p.second]; b < member_start[p.second + 1]; ++b)
                sorted.add(make_line(members[a], members[b], p.similarity));
    });
    // The exact-duplicate lines in id order: document by document, its group's later ids.
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return ids[x] < ids[y]; });
    std::size_t next_doc = 0, next_partner = 0, current = 0;
    std::vector<std::size_t> partners;
    std::string exact_line;
    auto next_exact = [&]() -> bool {
        while (next_partner == partners.size()) {
            if (next_doc == n) return false;
            current = order[next_doc++];
            partners.clear();
            next_partner = 0;
            const std::size_t g = result.exact_of[current];
            for (std::size_t m = member_start[g]; m < member_start[g + 1]; ++m)
                if (ids[current] < ids[members[m]]) partners.push_back(members[m]);
            std::sort(partners.begin(), partners.end(), [&](std::size_t x, std::size_t y) { return ids[x] < ids[y]; });
        }
        exact_line = make_line(current, partners[next_partner++], 1.0);
        return true;
    };
    bool have_exact = next_exact();
    sorted.drain([&](std::string_view l) {
        for (; have_exact && std::string_view(exact_line) < l; have_exact = next_exact()) out.write(exact_line);
        out.write(l);
    });
    for (; have_exact; have_exact = next_exact()) out.write(exact_line);
}


// ---- --memory: the input read in blocks, not held, and read again by offset ----

// A regular file read again by offset; standard input or another file that is not regular is
// first copied to an unnamed temporary file in `folder`. Its size and modification time are
// taken at the start: a file changed meanwhile is an error, not a wrong answer.
class reread_input {
public:
    reread_input(const std::string& path, const std::string& folder) {
        display_name_ = path == "-" ? "<stdin>" : path;
        const int source = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (source < 0) throw data_error("cannot open " + display_name_ + ": " + std::strerror(errno));
        bool source_open = true;
        try {
            struct stat info {};
            if (::fstat(source, &info) != 0) throw data_error("cannot read " + display_name_ + ": " + std::strerror(errno));
            // Standard input read from its current place on (a redirected file may have been
            // read in part): only from its start is it used in place.
            if (S_ISREG(info.st_mode) && (source != 0 || ::lseek(0, 0, SEEK_CUR) == 0)) {
                fd_ = source == 0 ? ::dup(0) : source;
                if (fd_ < 0) throw data_error("cannot read " + display_name_ + ": " + std::strerror(errno));
            } else {
                copy_to_temporary(source, folder);
                if (source != 0) ::close(source);
                source_open = false;
                if (::fstat(fd_, &info) != 0)
                    throw data_error("cannot read the copy of " + display_name_ + ": " + std::strerror(errno));
            }
            size_ = static_cast<std::uint64_t>(info.st_size);
            modified_ = info.st_mtim;
            status_changed_ = info.st_ctim;
            device_ = info.st_dev;
            inode_ = info.st_ino;
        } catch (...) {
            if (source_open && source != 0 && source != fd_) ::close(source);
            if (fd_ >= 0) ::close(fd_);
            throw;
        }
    }
    // A manifest's files, read again by offset where they are.
    explicit reread_input(std::unique_ptr<input_files> files) : files_(std::move(files)) {
        display_name_ = files_->display_name();
        size_ = files_->size();
    }
    ~reread_input() {
        if (fd_ >= 0) ::close(fd_);
    }
    reread_input(const reread_input&) = delete;
    reread_input& operator=(const reread_input&) = delete;

    [[nodiscard]] const std::string& display_name() const { return display_name_; }
    [[nodiscard]] std::uint64_t size() const { return size_; }
    [[nodiscard]] bool is_manifest() const { return files_ != nullptr; }
    // "NAME:LINE", or for a manifest the file and its own line.
    [[nodiscard]] std::string line_place(std::size_t line) const {
        return files_ ? files_->line_place(line) : display_name_ + ":" + std::to_string(line);
    }
    [[nodiscard]] std::string line_place(std::size_t line, std::size_t column) const {
        return files_ ? files_->line_place(line, column)
                      : display_name_ + ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    // A manifest's bytes as read in order, for line_place.
    void note_bytes(std::uint64_t offset, const char* bytes, std::size_t n) const {
        if (files_) files_->note_bytes(offset, bytes, n);
    }

    // Bytes [from, from + n) into p.
    void read(std::uint64_t from, std::size_t n, char* p) const {
        if (files_) return files_->read(from, p, n);
        const std::ptrdiff_t got = read_at(fd_, from, p, n);
        if (got < 0) throw data_error("error reading " + display_name_ + ": " + std::strerror(errno));
        if (static_cast<std::size_t>(got) < n) throw data_error(display_name_ + " shrank while it was deduplicated");
    }
    // Bytes [from, to) to out, a megabyte at a time.
    void copy(output& out, std::uint64_t from, std::uint64_t to) const {
        std::string buffer;
        while (from < to) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(to - from, std::uint64_t{1} << 20));
            buffer.resize(n);
            read(from, n, buffer.data());
            out.write(buffer);
            from += n;
        }
    }
    // Whether file descriptor fd is this file (e.g. standard output appending to it).
    [[nodiscard]] bool is(int fd) const {
        if (files_) return files_->is(fd);
        struct stat info {};
        return ::fstat(fd, &info) == 0 && info.st_dev == device_ && info.st_ino == inode_;
    }
    // A data_error when the file's size or modification time is not as at the start.
    void check_unchanged() const {
        if (files_) return files_->check_unchanged("deduplicated (--memory reads it again)");
        struct stat info {};
        if (::fstat(fd_, &info) != 0) throw data_error("cannot read " + display_name_ + ": " + std::strerror(errno));
        // The status change time too: a write that keeps the size and sets the modification
        // time back still changes it.
        if (static_cast<std::uint64_t>(info.st_size) != size_ || info.st_mtim.tv_sec != modified_.tv_sec ||
            info.st_mtim.tv_nsec != modified_.tv_nsec || info.st_ctim.tv_sec != status_changed_.tv_sec ||
            info.st_ctim.tv_nsec != status_changed_.tv_nsec)
            throw data_error(display_name_ + " changed while it was deduplicated (--memory reads it again)");
    }

private:
    void copy_to_temporary(int source, const std::string& folder) {
        fd_ = open_unnamed_temporary(folder);
        if (fd_ < 0)
            throw data_error("cannot create a temporary file in " + folder + " for the copy of " + display_name_ + ": " +
                             std::strerror(errno));
        std::vector<char> buffer(std::size_t{1} << 20);
        for (;;) {
            const ssize_t got = ::read(source, buffer.data(), buffer.size());
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) throw data_error("error reading " + display_name_ + ": " + std::strerror(errno));
            if (got == 0) break;
            for (std::size_t put = 0; put < static_cast<std::size_t>(got);) {
                const ssize_t w = ::write(fd_, buffer.data() + put, static_cast<std::size_t>(got) - put);
                if (w < 0 && errno == EINTR) continue;
                if (w < 0)
                    throw data_error("cannot write the copy of " + display_name_ + " in " + folder + ": " +
                                     std::strerror(errno));
                put += static_cast<std::size_t>(w);
            }
        }
    }

    std::unique_ptr<input_files> files_;
    std::string display_name_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    struct timespec modified_ {}, status_changed_ {};
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

// The bytes of the records' ids.
std::uint64_t arena_bytes(const std::vector<record>& records) {
    std::uint64_t bytes = 0;
    for (const auto& r : records) bytes += r.id.size();
    return bytes;
}

// The records of a file parsed a block at a time (about block_bytes; a longer line makes a
// longer block), on the pool: their places, line numbers and ids, not their texts.
struct streamed_input {
    std::vector<record> records;
    std::vector<skipped_line> skipped;
    std::size_t invalid_utf8 = 0;
    bool bom = false;
};

streamed_input parse_streamed(const reread_input& file, const dedup_arguments& a, ditto::thread_pool& pool,
                              string_arena& ids, std::size_t block_bytes,
                              const std::function<void(std::uint64_t)>& on_progress) {
    streamed_input in;
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::max<std::size_t>(block_bytes / (pool.concurrency() * 4), std::size_t{64} << 10);
    chunking.skip_invalid = a.skip_invalid;
    std::vector<char> buffer(block_bytes);
    std::uint64_t base = 0;  // the file offset of the buffer's first byte
    std::size_t lines = 0;   // lines before the buffer
    std::size_t have = 0;    // bytes in the buffer
    for (;;) {
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size() - have, file.size() - base - have));
        file.read(base + have, take, buffer.data() + have);
        have += take;
        const bool end_of_file = base + have == file.size();
        const std::size_t start = base == 0 ? utf8_text_start(buffer.data(), have, file.display_name()) : 0;
        if (base == 0) in.bom = start == 3;
        const std::optional<std::size_t> whole = whole_lines_end(buffer.data(), start, have, end_of_file);
        if (!whole) {  // a line longer than the buffer: make room for it
            buffer.resize(buffer.size() * 2);
            continue;
        }
        const std::size_t end = *whole;
        const std::size_t block_lines = count_lines(buffer.data(), start, end);
        file.note_bytes(base, buffer.data(), end);  // before the parser decodes escapes in place
        ditto::jsonl_lines parsed = ditto::parse_jsonl(buffer.data(), start, end, a.jsonl, pool, chunking);
        const auto located = [&](const ditto::parse_error& e) {
            const std::size_t line = lines + e.line();
            const std::size_t column = e.column() + (line == 1 && in.bom ? 3 : 0);
            if (file.is_manifest()) return file.line_place(line, e.column()) + ": " + e.what();
            return file.display_name() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + e.what();
        };
        if (!a.skip_invalid && !parsed.bad.empty()) throw data_error(located(parsed.bad.front().error));
        for (const auto& r : parsed.records) {
            const std::size_t line = lines + r.line;
            const std::string_view id = r.record.id_kind == ditto::json_id_kind::none
                                            ? ids.store(std::to_string(line))
                                            : ids.store(r.record.id);
            in.records.push_back(record{{}, id, r.record.id_kind, line, static_cast<std::size_t>(base + r.begin),
                                        static_cast<std::size_t>(base + r.end), not_spilled});
        }
        for (const auto& b : parsed.bad)
            in.skipped.push_back({lines + b.line, static_cast<std::size_t>(base + b.begin),
                                  static_cast<std::size_t>(base + b.end), not_spilled,
                                  in.skipped.size() < skipped_reasons ? located(b.error) : std::string()});
        in.invalid_utf8 += parsed.invalid_utf8;
        lines += block_lines;
        if (end_of_file) break;
        std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(end), buffer.begin() + static_cast<std::ptrdiff_t>(have),
                  buffer.begin());
        base += end;
        have -= end;
        if (on_progress) on_progress(base);
    }
    return in;
}

// The texts of a reread_input's records, each read again and parsed as the pipeline needs it.
struct reread_texts {
    const reread_input* file;
    const std::vector<record>* records;
    const ditto::jsonl_options* jsonl;

    [[nodiscard]] std::size_t size() const { return records->size(); }
    std::string_view text(std::size_t i, std::string& buffer) const {
        const record& r = (*records)[i];
        std::string line(r.end - r.begin, '\0');
        file->read(r.begin, line.size(), line.data());
        ditto::jsonl_parser parser(*jsonl);
        try {
            buffer.assign(parser.parse(line.data(), line.size(), r.line).text);
        } catch (const ditto::parse_error&) {
            throw data_error(file->display_name() + " changed while it was deduplicated (line " +
                             file->line_place(r.line) + " no longer parses)");
        }
        return buffer;
    }
};
static_assert(ditto::text_source<reread_texts>);

// The texts of records held in memory, as a text_source.
struct held_texts {
    const std::vector<record>* records;
    [[nodiscard]] std::size_t size() const { return records->size(); }
    std::string_view text(std::size_t i, std::string&) const { return (*records)[i].text; }
};

// The task-result flags of the run's options.
std::uint32_t run_task_flags(const dedup_arguments& a) { return task_flags(a.mode == output_mode::pairs, a.dedup); }

// Where temporary files go: --tmp-dir, else TMPDIR, else /tmp.
std::string temporary_folder(const dedup_arguments& a) {
    if (!a.tmp_dir.empty()) return a.tmp_dir;
    std::error_code ec;
    const std::string folder = std::filesystem::temp_directory_path(ec).string();
    return folder.empty() ? "/tmp" : folder;
}

// --memory: what the pipeline may hold for n documents, given the bytes of the caller's own
// (fixed). What the documents need whatever the budget (measured: about 620 bytes a document at
// 128 slots and 18 bands): the pipeline's prefilter slots, band keys and per-text numbers, the
// records and their ids. When that is above the budget, the band keys and slots go to
// temporary files in spill_folder (sorted runs), and what stays is the records, the pipeline's
// per-text numbers and results (about 150 bytes), the spill buffers and the slots of the texts
// in an LSH bucket, not known yet: counted for a fifth of them. The shingle sets get what is
// left. warn is given a message when even that is above the budget.
void budget_memory(dedup_arguments& a, std::size_t n, std::uint64_t fixed, std::size_t concurrency,
                   const std::string& spill_folder, const std::function<void(const std::string&)>& warn) {
    // SimHash: a fingerprint and the Hamming tables' entries instead of slots and keys.
    std::uint64_t state = n * (a.simhash ? 200 : 2 * a.dedup.sketch_size + 12 * a.dedup.lsh().bands + 200) + fixed;
    if (state > a.memory && !a.simhash) {
        a.dedup.spill = ditto::temporary_files_in(spill_folder);
        a.dedup.spill_buffer = static_cast<std::size_t>(std::clamp<std::uint64_t>(
            a.memory / (8 * (concurrency + 1)), std::uint64_t{1} << 20, std::uint64_t{256} << 20));
        state = n * (2 * a.dedup.sketch_size / 5 + 150) + fixed + (concurrency + 1) * a.dedup.spill_buffer;
    }
    if (!a.set_memory_given) a.dedup.shingle_memory = static_cast<std::size_t>(a.memory > state ? a.memory - state : 0);
    if (state > a.memory)
        warn("ditto: warning: " + count(n, "document", "documents") + " need about " + std::to_string(state >> 20) +
             " MiB of state (their places, ids and results), above --memory (" + std::to_string(a.memory >> 20) +
             " MiB); the run goes on above it, its shingle sets all recomputed when needed");
}

// A task's texts under --memory: each record's line read again by offset and parsed when the
// pipeline needs it (it checks every text against its sketch's hash).
struct task_texts {
    const input_files* input;
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>* lines;
    const ditto::jsonl_options* jsonl;

    [[nodiscard]] std::size_t size() const { return lines->size(); }
    std::string_view text(std::size_t i, std::string& buffer) const {
        const auto [begin, end] = (*lines)[i];
        std::string line(static_cast<std::size_t>(end - begin), '\0');
        input->read(begin, line.data(), line.size());
        ditto::jsonl_parser parser(*jsonl);
        try {
            buffer.assign(parser.parse(line.data(), line.size(), 1).text);
        } catch (const ditto::parse_error&) {
            throw data_error(input->display_name() + " changed since it was sketched: the line at " + input->place(begin) +
                             " no longer parses");
        }
        return buffer;
    }
};
static_assert(ditto::text_source<task_texts>);

// The records (lines) of some documents, read from the input by offset and parsed as the whole
// input would be. buffer holds their bytes; the texts point into it.
// Some documents' lines (first byte, end) as their sketch rows give them, checked: records in
// input order have lines in input order, apart, inside the input; else the rows are damaged.
// hashes, when given, gets each text's byte hash.
std::vector<std::pair<std::uint64_t, std::uint64_t>> document_lines(const input_files& input, const sketch_files& sketches,
                                                                    const std::vector<std::uint32_t>& documents,
                                                                    const dedup_arguments& a,
                                                                    std::vector<ditto::content_hash>* hashes) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lines(documents.size());
    if (hashes) hashes->resize(documents.size());
    ditto::text_sketch s;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        sketches.sketch(documents[i], s, lines[i].first, lines[i].second);
        if (hashes) (*hashes)[i] = s.bytes;
        if (lines[i].second < lines[i].first || lines[i].second > input.size() || (i > 0 && lines[i].first <= lines[i - 1].second))
            throw data_error("--sketches " + escape_text(a.sketches) + ": the rows of records " +
                             std::to_string(documents[i > 0 ? i - 1 : i]) + " and " + std::to_string(documents[i]) +
                             " give lines out of order (damaged?)");
    }
    return lines;
}

std::vector<record> read_documents(const input_files& input, const sketch_files& sketches,
                                   const std::vector<std::uint32_t>& documents, const dedup_arguments& a,
                                   ditto::thread_pool& pool, std::unique_ptr<char[]>& buffer, ditto::jsonl_lines& parsed) {
    std::vector<ditto::content_hash> hashes;
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> lines = document_lines(input, sketches, documents, a, &hashes);
    std::uint64_t total = 0;
    for (const auto& [begin, end] : lines) total += end - begin + 1;
    const std::string& input_name = input.display_name();
    buffer.reset(new char[static_cast<std::size_t>(total) + 1]);
    std::size_t at = 0;
    for (const auto& [begin, end] : lines) {
        const std::size_t n = static_cast<std::size_t>(end - begin);
        input.read(begin, buffer.get() + at, n);
        at += n;
        buffer[at++] = '\n';
    }
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::clamp<std::size_t>(at / (pool.concurrency() * 16), std::size_t{256} << 10, std::size_t{8} << 20);
    parsed = ditto::parse_jsonl(buffer.get(), 0, at, a.jsonl, pool, chunking);
    if (!parsed.bad.empty() || parsed.records.size() != documents.size())
        throw data_error(input_name + " changed since it was sketched: a record's line no longer parses as one record");
    std::vector<record> records;
    records.reserve(documents.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const auto& r = parsed.records[i];
        if (ditto::hash128(r.record.text) != hashes[i])
            throw data_error("--sketches " + escape_text(a.sketches) + ": the record at byte " + std::to_string(lines[i].first) +
                             " of " + input_name + (input.is_manifest() ? " = " + input.place(lines[i].first) : std::string()) +
                             " is not the one sketched; was it changed since?");
        records.push_back(record{r.record.text, r.record.id, r.record.id_kind, r.line, static_cast<std::size_t>(lines[i].first),
                                 static_cast<std::size_t>(lines[i].second), r.original});
    }
    return records;
}

// The sketches of some of the folder's records.
struct chosen_sketches {
    const sketch_files* files;
    const std::vector<std::uint32_t>* documents;
    [[nodiscard]] std::size_t size() const { return documents->size(); }
    void sketch(std::size_t i, ditto::text_sketch& out) const { files->sketch((*documents)[i], out); }
};

// --task k/K: the pipeline over the task's documents alone; a task result.
int run_dedup_task(dedup_arguments& a) {
    const auto start = std::chrono::steady_clock::now();
    const std::string folder = a.sketches;
    const std::size_t digits = std::to_string(a.tasks - 1).size();
    std::string number = std::to_string(a.task);
    number.insert(0, digits - number.size(), '0');
    output out(folder + "/task-" + number + "-of-" + std::to_string(a.tasks) + ".result", "--sketches");
    const input_files input(a.input.path, a.input.manifest);
    const std::string& input_name = input.display_name();
    // Checked whole: a damaged band key would move a document to other buckets silently. (Each
    // task reads every sketch file; checksums per block would let it read only its rows.)
    sketch_files sketches(folder, ditto::index_parameters_for(a.dedup), input.size(), input.layout(), input.modification_time(), a.jsonl,
                          a.skip_invalid, nullptr);
    groups_file groups = read_groups(folder, sketches, a.dedup, a.task);
    if (groups.tasks != a.tasks)
        throw data_error(escape_text(folder + "/groups") + " assigns the documents to " + std::to_string(groups.tasks) +
                         " tasks, not " + std::to_string(a.tasks) + " (--task " + std::to_string(a.task) + "/" +
                         std::to_string(a.tasks) + ")");
    const std::vector<std::uint32_t> documents = std::move(groups.documents[a.task]);
    ditto::thread_pool pool(a.threads);
    std::unique_ptr<char[]> buffer, sample_buffer;
    ditto::jsonl_lines parsed, sample_parsed;
    // Without --memory the task holds its documents' lines (its share of the input); with it,
    // their places only, and the texts are read again as the pipeline needs them.
    const bool bounded = a.memory > 0;
    std::vector<record> records;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lines;
    if (bounded) {
        lines = document_lines(input, sketches, documents, a, nullptr);
        // A warning shows under -q too, as dedup's do.
        budget_memory(a, documents.size(), documents.size() * sizeof lines[0], pool.concurrency(), temporary_folder(a),
                      [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
    } else {
        records = read_documents(input, sketches, documents, a, pool, buffer, parsed);
    }
    {
        std::vector<std::uint32_t> sample(groups.sample.begin(), groups.sample.end());
        const std::vector<record> sampled = read_documents(input, sketches, sample, a, pool, sample_buffer, sample_parsed);
        a.dedup.rarity_texts.clear();
        for (const record& r : sampled) a.dedup.rarity_texts.emplace_back(r.text);
    }
    a.dedup.collect_pairs = a.mode == output_mode::pairs;
    streamed_pairs pairs;
    if (a.dedup.collect_pairs) a.dedup.pair_sink = [&](std::span<const ditto::similar_pair> chunk) { pairs.add(chunk); };
    const chosen_sketches chosen{&sketches, &documents};
    ditto::dedup_result result;
    try {
        if (bounded) result = ditto::dedup_sketched(task_texts{&input, &lines, &a.jsonl}, chosen, a.dedup, pool);
        else result = ditto::dedup_sketched(held_texts{&records}, chosen, a.dedup, pool);
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        if (what.find("a sketch of other bytes") != std::string::npos)
            throw data_error("--sketches " + escape_text(folder) + ": a record's text is not the one sketched (" + what +
                             "); was " + input_name + " changed since?");
        throw data_error("--sketches " + escape_text(folder) + ": " + what);
    }
    input.check_unchanged("read by the task");

    task_result_header h;
    h.parameters = ditto::index_parameters_for(a.dedup);
    h.input_size = input.size();
    h.task = a.task;
    h.tasks = a.tasks;
    h.documents = documents.size();
    h.flags = run_task_flags(a);
    h.groups_crc = groups.crc;
    h.sketch_digest = groups.sketch_digest;
    ditto::crc32c crc;
    const auto put = [&](std::string_view bytes) {
        crc.update(bytes);
        out.write(bytes);
    };
    put(encode_task_header(h));
    std::string block;
    const auto flush_block = [&](bool always) {
        if (always || block.size() >= (std::size_t{1} << 20)) {
            put(block);
            block.clear();
        }
    };
    const auto add_u64 = [&](std::uint64_t v) {
        unsigned char b[8];
        ditto::detail::put_u64(b, v);
        block.append(reinterpret_cast<const char*>(b), 8);
    };
    for (std::size_t i = 0; i < documents.size(); ++i) {
        add_u64(documents[i]);
        add_u64(documents[result.clusters.cluster[i]]);
        add_u64(documents[result.exact_of[i]]);
        flush_block(false);
    }
    pairs.for_each([&](const ditto::similar_pair& p) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &p.similarity, sizeof bits);
        add_u64(documents[p.first]);
        add_u64(documents[p.second]);
        add_u64(bits);
        flush_block(false);
    });
    flush_block(true);
    unsigned char footer[24] = {};
    ditto::detail::put_u64(footer, pairs.count);
    ditto::detail::put_u32(footer + 8, crc.value());
    std::memcpy(footer + 16, "TASKDONE", 8);
    out.write(std::string_view(reinterpret_cast<const char*>(footer), sizeof footer));
    out.commit();
    if (!a.quiet)
        std::fprintf(stderr, "ditto: task %u/%u: %s, %s, %s removed, %.2f s\n", a.task, a.tasks,
                     count(documents.size(), "document", "documents").c_str(),
                     count(result.stats.clusters, "cluster", "clusters").c_str(),
                     count(result.stats.duplicates, "duplicate", "duplicates").c_str(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
}

// --merge: the task results of the folder, checked against its groups file and the run, as one
// result over every record.
void merge_task_results(const std::string& folder, const sketch_files& sketches, const dedup_arguments& a,
                        ditto::dedup_result& result, streamed_pairs& pairs) {
    const groups_file groups = read_groups(folder, sketches, a.dedup);
    const std::size_t n = static_cast<std::size_t>(groups.records);
    std::vector<std::uint32_t> task_of(n);
    for (std::uint32_t t = 0; t < groups.tasks; ++t)
        for (const std::uint32_t d : groups.documents[t]) task_of[d] = t;
    result.clusters.cluster.assign(n, n);
    result.clusters.keep.assign(n, false);
    result.exact_of.assign(n, n);
    std::vector<ditto::similar_pair> chunk;
    for_each_task_result(folder, groups, a.dedup, run_task_flags(a), 0, "this merge", true, [&](const task_result& t) {
        const std::uint32_t task = t.header().task;
        const std::string name = escape_text(t.path());
        const std::vector<std::uint32_t>& mine = groups.documents[task];
        const std::vector<task_row> rows = t.rows();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const task_row& r = rows[i];
            if (r.document != mine[i] || r.cluster >= n || r.exact_of >= n || task_of[r.cluster] != task ||
                task_of[r.exact_of] != task)
                throw data_error(name + " does not hold its task's documents as grouped");
            result.clusters.cluster[mine[i]] = static_cast<std::size_t>(r.cluster);
            result.exact_of[mine[i]] = static_cast<std::size_t>(r.exact_of);
        }
        t.for_each_pair([&](std::uint64_t first, std::uint64_t second, double similarity) {
            if (first >= n || second >= n || task_of[first] != task || task_of[second] != task)
                throw data_error(name + " lists a pair outside its task");
            chunk.push_back({static_cast<std::size_t>(first), static_cast<std::size_t>(second), similarity});
            if (chunk.size() == 4096) {
                pairs.add(chunk);
                chunk.clear();
            }
        });
        if (!chunk.empty()) pairs.add(chunk);
        chunk.clear();
    });
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = result.clusters.cluster[i];
        if (c == n || result.clusters.cluster[c] != c)
            throw data_error("the task results in --sketches " + escape_text(folder) + " do not agree on a cluster's kept copy");
        result.clusters.keep[i] = c == i;
        kept += c == i;
    }
    result.clusters.cluster_count = kept;
    result.stats.documents = n;
    result.stats.clusters = kept;
    result.stats.duplicates = n - kept;
}

}  // namespace

bool parse_rule_option(argument_reader& r, ditto::dedup_options& o) {
    const std::string_view name = r.name();
    if (name == "--keep") {
        const std::string_view v = r.value();
        if (v == "first") o.keep = ditto::keep_rule::first;
        else if (v == "longest") o.keep = ditto::keep_rule::longest;
        else throw usage_error("--keep must be 'first' or 'longest', got '" + escape_text(v) + "'", r.help_command());
        return true;
    }
    if (name == "--cluster") {
        const std::string_view v = r.value();
        if (v == "greedy") o.clustering = ditto::cluster_rule::greedy;
        else if (v == "connected") o.clustering = ditto::cluster_rule::connected;
        else throw usage_error("--cluster must be 'greedy' or 'connected', got '" + escape_text(v) + "'", r.help_command());
        return true;
    }
    return false;
}

bool parse_similarity_option(argument_reader& r, ditto::dedup_options& o) {
    const std::string_view name = r.name();
    if (name == "--threshold") {
        o.threshold = parse_double(name, r.value(), 0.0, true, 1.0, false, r.help_command());
    } else if (name == "--ngram") {
        o.ngram = parse_size(name, r.value(), 1, 1024, r.help_command());
        o.shingles = ditto::shingle_kind::words;  // --ngram K is --shingle words:K
    } else if (name == "--shingle") {
        const std::string_view v = r.value();
        const std::size_t colon = v.find(':');
        const std::string_view kind = v.substr(0, colon);
        if (colon == std::string_view::npos || (kind != "words" && kind != "chars"))
            throw usage_error("--shingle must be words:K or chars:K, got '" + escape_text(v) + "'", r.help_command());
        const bool chars = kind == "chars";
        o.shingles = chars ? ditto::shingle_kind::characters : ditto::shingle_kind::words;
        o.ngram = parse_size(chars ? "--shingle chars:K" : "--shingle words:K", v.substr(colon + 1), 1,
                             chars ? ditto::max_char_shingle_size : ditto::max_shingle_size, r.help_command());
    } else if (name == "--sketch-size") {
        o.sketch_size = parse_size(name, r.value(), 1, 4096, r.help_command());
    } else if (name == "--recall") {
        o.recall = parse_double(name, r.value(), 0.0, true, 1.0, true, r.help_command());
    } else {
        return false;
    }
    return true;
}

void check_similarity_options(const ditto::dedup_options& o, const std::string& help) {
    check_similarity_options_for(o, help);
}

void print_dedup_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto dedup [OPTIONS] [FILE|-|--manifest LIST]\n"
        "Find the documents of a JSONL corpus (one JSON object per line; FILE or '-' for standard\n"
        "input, the default) whose word-shingle Jaccard similarity is at least a threshold, group\n"
        "them into clusters and keep one copy of each.\n"
        "\n"
        "Output (standard output, or FILE with -o):\n"
        "  (default)           the kept input lines, byte for byte, in input order\n"
        "  --pairs             TSV: id_a <TAB> id_b <TAB> similarity, one line per similar pair,\n"
        "                      id_a < id_b bytewise, sorted. Documents whose normalized texts are\n"
        "                      equal are exact duplicates (similarity 1); see --exact-pairs\n"
        "  --exact-pairs compact|full\n"
        "                      with --pairs: compact (default) lists an exact duplicate in one line\n"
        "                      only, with the first document (in input order) of the same text,\n"
        "                      which stands for it in every other pair; full lists every pair, as\n"
        "                      many as n(n-1)/2 for n copies of one text\n"
        "  --pairs-memory SIZE with --pairs: memory for sorting the lines by id (default 256M; K, M,\n"
        "                      G, T: 1024-based); past it, sorted runs go to unnamed temporary\n"
        "                      files in TMPDIR and are merged, so no number of pairs is held\n"
        "  --clusters          JSONL: {\"id\": ..., \"cluster\": ..., \"keep\": true|false} per document;\n"
        "                      cluster is the id of the kept copy\n"
        "  --report            for people: each cluster, its kept copy's first words, and for each\n"
        "                      other copy its similarity and what changed (figures, added and\n"
        "                      dropped text)\n"
        "  --explain           JSONL: for every copy, its diff against the kept copy of its cluster\n"
        "                      (as 'ditto diff --json', plus \"cluster\"; byte offsets into the\n"
        "                      decoded texts)\n"
        "  -o, --output FILE   write FILE instead: a regular file (or the target of a symbolic link)\n"
        "                      is replaced at the end through a temporary file in its folder,\n"
        "                      keeping its mode; a device or FIFO is written directly\n"
        "\n"
        "Input:\n"
        "  --manifest LIST     the files LIST names, one per line (a relative name from LIST's\n"
        "                      folder; blank lines ignored), as one input: each file's lines\n"
        "                      in turn, its UTF-8 byte order mark left out and a newline added\n"
        "                      after a last line without one. Outputs count lines through the\n"
        "                      files (ids of records without one); messages name a file and its\n"
        "                      own line. The kept lines are written as one output\n"
        "  --text-field NAME   the field holding the text (default: text)\n"
        "  --id-field NAME     the field holding the id (default: id): a string or a number. Every\n"
        "                      id is text: a string's decoded text, a number as written, or, for a\n"
        "                      record without the field, its 1-based line number; no two records\n"
        "                      may have the same id text\n"
        "  --invalid-utf8 replace|error\n"
        "                      ill-formed UTF-8 in the text or id: replace with U+FFFD and count\n"
        "                      (default), or stop with an error\n"
        "  --skip-invalid      do not stop at lines that are blank, not valid JSON objects, or lack\n"
        "                      a string text field: they are not compared; the kept-lines output\n"
        "                      copies them unchanged, the other outputs leave them out and list\n"
        "                      them on standard error\n"
        "\n"
        "Similarity:\n"
        "  --threshold T       report pairs with similarity (--measure) >= T, 0 < T <= 1 (default 0.8)\n"
        "  --ngram K           words per shingle, 1..1024 (default 5); the same as --shingle words:K\n"
        "  --shingle words:K|chars:K\n"
        "                      what a shingle is: K words (1..1024), or K characters (code points,\n"
        "                      1..64) of the normalized text, whitespace runs one space, for short\n"
        "                      titles, code, OCR or scripts written without spaces (default words:5)\n"
        "  --sketch-size N     MinHash slots, 1..4096 (default 128)\n"
        "  --recall R          chance that a pair at the threshold is examined, 0 < R < 1\n"
        "                      (default 0.995); every examined pair is verified exactly\n"
        "  --method minhash|simhash\n"
        "                      minhash (default): MinHash sketches and LSH at the --recall target;\n"
        "                      simhash: one 64-bit SimHash fingerprint per text, and the pairs\n"
        "                      whose fingerprints differ in at most --hamming bits are verified\n"
        "                      exactly: faster and smaller, for near-identical copies; it misses\n"
        "                      many pairs near a threshold of 0.8 (--recall and --sketch-size do\n"
        "                      not apply)\n"
        "  --measure jaccard|containment\n"
        "                      jaccard (default): |A n B| / |A u B| of the shingle sets;\n"
        "                      containment: |A n B| / |A|, A the smaller set, so an excerpt or a\n"
        "                      truncated copy is similar to its source; pairs are found exactly\n"
        "                      (prefix filtering: every pair at the threshold, all sets in memory),\n"
        "                      the similarity column is that containment, and greedy clusters keep\n"
        "                      the larger text (the source), each removed copy contained in it to\n"
        "                      at least the threshold (--recall, --sketch-size and --set-memory do\n"
        "                      not apply)\n"
        "  --hamming K         with --method simhash: fingerprint bits that may differ, 0..16\n"
        "                      (default 3); a larger K finds more pairs and examines more\n"
        "  --keep first|longest  the copy to keep in each cluster (default first)\n"
        "  --cluster greedy|connected\n"
        "                      greedy (default): copies are taken in --keep order; each joins a\n"
        "                      kept copy it is similar to (at least the threshold; the likeliest\n"
        "                      one, sharing most LSH buckets with it) or is kept, so every removed\n"
        "                      copy is that similar to the copy kept in its place;\n"
        "                      connected: the connected components of the similar pairs, so a\n"
        "                      chain of light edits is one cluster even where its ends are not\n"
        "                      similar\n"
        "\n"
        "Cleaning (see 'ditto clean --help'):\n"
        "  --clean             remove boilerplate lines before comparing documents, so injected\n"
        "                      promo, 'read more' and date-stamp lines no longer keep copies apart,\n"
        "                      and, in the kept-lines output, repeated passages among the kept\n"
        "                      documents (after dedup: copies share their passages); records whose\n"
        "                      text changed are written with the cleaned text, the rest as read\n"
        "  --min-docs N, --no-fold-digits, --remove-lines all|copies, --min-tokens N,\n"
        "  --remove copies|all, --no-lines, --no-passages\n"
        "                      as in 'ditto clean', with --clean\n"
        "\n"
        "Running:\n"
        "  --threads N         worker threads, 1..4096 (default: all cores)\n"
        "  --set-memory MIB    memory for the shingle sets kept for exact verification, 0..1048576\n"
        "                      (default 1024; with --memory, what it leaves); sets beyond it are\n"
        "                      recomputed when needed\n"
        "  --memory SIZE       a corpus larger than memory: the input is read in blocks and not\n"
        "                      held, its texts are read again by offset as the pipeline needs them\n"
        "                      (FILE must stay unchanged meanwhile; standard input is first copied\n"
        "                      to an unnamed temporary file). The documents need about 2 x\n"
        "                      sketch-size + 12 x bands + 200 bytes each (plus the id); above SIZE,\n"
        "                      their band keys and sketch slots go to temporary files, leaving\n"
        "                      about 150 bytes each and the slots of texts that share a bucket.\n"
        "                      The shingle sets get what is left of SIZE, and the pairs' sort a\n"
        "                      quarter of it; a warning says when the documents' part alone is\n"
        "                      above SIZE (the run goes on). K, M, G, T: 1024-based; at least 16M.\n"
        "                      The output is the same as without it. Not with --clean or\n"
        "                      --measure containment\n"
        "  --sketches FOLDER   take each document's sketch (hashes, band keys, prefilter slots)\n"
        "                      from the sketch files in FOLDER ('ditto sketch --part P/N', one\n"
        "                      *.sketch file for each part of FILE) instead of computing it; they\n"
        "                      must have been made from FILE as it is (a copy will do: every text\n"
        "                      is checked against its sketch), with the same similarity and\n"
        "                      input options. The output is the same. MinHash and Jaccard only;\n"
        "                      not with --clean\n"
        "  --task k/K          with --sketches: run task k of K as 'ditto group' assigned them\n"
        "                      (FOLDER/groups): read its documents from FILE by offset and write\n"
        "                      their clusters (and with --pairs their pairs) to -o, by default\n"
        "                      FOLDER/task-k-of-K.result. Give every task and the merge the same\n"
        "                      options. The task holds its documents' lines, or with --memory\n"
        "                      reads them again by offset as the pipeline needs them\n"
        "  --merge             with --sketches: read FILE and every task's result in FOLDER and\n"
        "                      write what 'ditto dedup FILE' writes, byte for byte\n"
        "  --tmp-dir DIR       where temporary files go: the sorted runs of --pairs, and with\n"
        "                      --memory the copy of standard input and the spilled band keys\n"
        "                      (default TMPDIR, else /tmp)\n"
        "  -q, --quiet         no progress and no summary on standard error (warnings still show)\n"
        "  -v, --verbose       also print the time of each stage and the LSH shape\n"
        "  -h, --help          show this help\n"
        "\n"
        "Against a stored index ('ditto index build'):\n"
        "  ditto dedup --against X.didx [OPTIONS] NEW.jsonl...\n"
        "                      each new document against the indexed ones, sketched with the index's\n"
        "                      parameters (similarity options given must equal them). Similarities\n"
        "                      are exact where an indexed source is still as indexed (size and\n"
        "                      content hash), else estimated from the signatures; a summary on\n"
        "                      standard error says which (even with -q when any is estimated).\n"
        "                      Output: the new lines matching nothing (default); --pairs: new_id\n"
        "                      <TAB> indexed_id <TAB> similarity <TAB> exact|estimated|within, in\n"
        "                      compact form (--exact-pairs compact, the default): a copy of an\n"
        "                      earlier new text is one row 'first <TAB> copy <TAB> 1.0000 <TAB> same'\n"
        "                      and an indexed copy 'lowest <TAB> copy <TAB> 1.0000 <TAB> indexed-same',\n"
        "                      the first standing for it in every other row; --exact-pairs full\n"
        "                      lists every pair; --clusters: each new document with its best match\n"
        "                      in the index, or itself; --report. --explain, --keep, --cluster,\n"
        "                      --skip-invalid and --set-memory do not apply.\n"
        "  --also-within       also compare the new documents with each other: in input order, a new\n"
        "                      document is removed when it matches the index or an earlier kept new\n"
        "                      document (pairs among them are listed as 'within')\n"
        "\n"
        "In --pairs and --report, ids and texts escape backslash, tab, newline and carriage return as\n"
        "\\\\ \\t \\n \\r, and other control characters as \\xHH per byte.\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run_dedup(const std::vector<std::string_view>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--") break;
        if (arg == "--against" || arg.starts_with("--against=")) {
            // A stored index holds MinHash signatures.
            for (std::size_t j = 0; j < args.size() && args[j] != "--"; ++j)
                if (args[j] == "--method=simhash" || (args[j] == "--method" && j + 1 < args.size() && args[j + 1] == "simhash") ||
                    args[j] == "--hamming" || args[j].starts_with("--hamming="))
                    throw usage_error("--against works with --method minhash only (a stored index holds MinHash signatures)",
                                      help_command);
            for (std::size_t j = 0; j < args.size() && args[j] != "--"; ++j)
                if (args[j] == "--measure=containment" ||
                    (args[j] == "--measure" && j + 1 < args.size() && args[j + 1] == "containment"))
                    throw usage_error("--against works with --measure jaccard only (an index's LSH bands are set for "
                                      "Jaccard similarity)", help_command);
            if (std::find(args.begin(), args.end(), std::string_view("-h")) == args.end() &&
                std::find(args.begin(), args.end(), std::string_view("--help")) == args.end()) {
                // --method minhash and --measure jaccard name the defaults: the stored-index path need
                // not know them.
                std::vector<std::string_view> rest;
                for (std::size_t j = 0; j < args.size(); ++j) {
                    if (args[j] == "--") {
                        rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(j), args.end());
                        break;
                    }
                    if (args[j] == "--method=minhash" || args[j] == "--measure=jaccard") continue;
                    if ((args[j] == "--method" && j + 1 < args.size() && args[j + 1] == "minhash") ||
                        (args[j] == "--measure" && j + 1 < args.size() && args[j + 1] == "jaccard")) {
                        ++j;
                        continue;
                    }
                    rest.push_back(args[j]);
                }
                return run_dedup_against(rest);
            }
        }
    }
    bool help = false;
    dedup_arguments a = parse_arguments(args, help);
    if (help) {
        print_dedup_help(stdout);
        return 0;
    }
    // Every option is checked before any input is read. Containment has no LSH shape to reach.
    if (!a.containment) check_similarity_options(a.dedup, help_command);
    if (!a.tmp_dir.empty()) ::setenv("TMPDIR", a.tmp_dir.c_str(), 1);  // every temporary file goes there
    if (a.tasks > 0) return run_dedup_task(a);
    if (a.simhash) {
        try {
            simhash_options(a).validate();
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("invalid similarity options: ") + e.what(), help_command);
        }
    }
    output out(a.output_path, a.output_option);

    const auto start = std::chrono::steady_clock::now();
    auto lap = [last = start]() mutable {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - last).count();
        last = now;
        return s;
    };
    progress_display progress(!a.quiet && ::isatty(2) == 1);
    ditto::thread_pool pool(a.threads);
    const std::string reading = "reading " + escape_text(a.input.path == "-" ? "<stdin>" : a.input.path);
    // Someone typing the input at a terminal gets no progress line drawn over it.
    const bool typed = a.input.path == "-" && !a.input.manifest && ::isatty(0) == 1;
    // A manifest's files, opened (and checked) before anything is read.
    std::unique_ptr<input_files> manifest_files;
    if (a.input.manifest) manifest_files = std::make_unique<input_files>(a.input.path, true);
    const input_files* const manifest = manifest_files.get();  // stays where it is when moved
    if (manifest) manifest->refuse_as_output(a.output_path, a.output_option, help_command);
    const std::uint64_t manifest_time = manifest_files ? manifest_files->modification_time() : 0;
    const std::size_t manifest_boms = manifest_files ? manifest_files->files_with_bom() : 0;
    // Without --memory the input is held and parsed in place; with it, read in blocks, and the
    // texts read again by offset when the pipeline needs them.
    const bool bounded = a.memory > 0;
    if (!a.tmp_dir.empty()) ::setenv("TMPDIR", a.tmp_dir.c_str(), 1);  // every temporary file goes there
    std::unique_ptr<input_file> held;
    std::unique_ptr<reread_input> reread;
    std::vector<record> records;
    std::vector<skipped_line> skipped;
    std::size_t invalid_utf8 = 0;
    string_arena arena;
    ditto::jsonl_lines parsed;  // without --memory the texts point into it and the input
    // Without --memory, the parser decodes strings in place, but the kept-lines output copies
    // lines exactly as read: for it, a line that parsing would change (one with an escape, or
    // ill-formed UTF-8 to replace) is first copied to a spill file, read back when writing.
    spill_file originals;
    // Kept-lines output without --memory: for each record, how its text and id were written.
    std::vector<std::array<ditto::json_string_form, 2>> string_forms;
    double seconds_read = 0, seconds_parse = 0;
    bool bom = false;
    std::size_t block_bytes = 0;  // --memory: the block the input is parsed in
    std::string spill_folder;     // --memory: where the temporary files go
    if (bounded) {
        if (!typed) progress.update(reading, 0, 0);
        spill_folder = temporary_folder(a);
        reread = manifest_files ? std::make_unique<reread_input>(std::move(manifest_files))
                                : std::make_unique<reread_input>(a.input.path, spill_folder);
        // -o naming standard output (/dev/stdout, /dev/fd/1) writes to it as it is, too.
        struct stat named {}, standard {};
        const bool to_standard_output = a.output_path.empty() ||
                                        (::stat(a.output_path.c_str(), &named) == 0 && ::fstat(1, &standard) == 0 &&
                                         named.st_dev == standard.st_dev && named.st_ino == standard.st_ino);
        if (to_standard_output && reread->is(1))
            throw usage_error("standard output is " +
                                  (reread->is_manifest() ? std::string("one of the manifest's files")
                                                         : escape_text(reread->display_name())) +
                                  ", which --memory reads again while the output is written; write elsewhere (-o)",
                              help_command);
        seconds_read = lap();
        block_bytes = static_cast<std::size_t>(
            std::clamp<std::uint64_t>(a.memory / 16, std::uint64_t{1} << 20, std::uint64_t{64} << 20));
        streamed_input in = parse_streamed(*reread, a, pool, arena, block_bytes,
                                           [&](std::uint64_t bytes) { progress.update("parsing", bytes, 0); });
        records = std::move(in.records);
        skipped = std::move(in.skipped);
        invalid_utf8 = in.invalid_utf8;
        bom = in.bom;
    } else {
        const auto on_read = [&](std::size_t bytes) {
            if (!typed) progress.update(reading, bytes, 0);
        };
        held = manifest_files ? std::make_unique<input_file>(*manifest_files, on_read, &pool)
                              : std::make_unique<input_file>(a.input.path, on_read, &pool);
        input_file& input = *held;
        seconds_read = lap();
        bom = input.has_utf8_bom();
        // Parse every line, in pieces on the pool (the result is that of parsing in order).
        std::mutex originals_mutex;
        ditto::jsonl_chunk_options chunking;
        chunking.chunk_bytes = std::clamp<std::size_t>(input.size() / (pool.concurrency() * 16), std::size_t{256} << 10,
                                                       std::size_t{8} << 20);
        chunking.skip_invalid = a.skip_invalid;
        chunking.keep_originals = a.mode == output_mode::lines;
        chunking.restore = true;
        chunking.keep = [&](std::string_view bytes) {
            std::lock_guard lock(originals_mutex);
            return originals.add(bytes);
        };
        chunking.progress = [&](std::size_t bytes) { progress.update("parsing", bytes, 0); };
        progress.update("parsing", 0, 0);
        parsed = ditto::parse_jsonl(input.data(), input.text_start(), input.size(), a.jsonl, pool, chunking);
        if (!a.skip_invalid && !parsed.bad.empty()) throw data_error(input.located(parsed.bad.front().error));
        records.reserve(parsed.records.size());
        for (const auto& r : parsed.records)
            records.push_back(record{r.record.text, r.record.id, r.record.id_kind, r.line, r.begin, r.end, r.original});
        if (chunking.keep_originals) {  // how the lines written back had their text and id written
            string_forms.reserve(parsed.records.size());
            for (const auto& r : parsed.records) string_forms.push_back({r.record.text_form, r.record.id_form});
        }
        std::vector<ditto::jsonl_line>().swap(parsed.records);  // the texts stay (in the buffer and parsed.parsers)
        skipped.reserve(parsed.bad.size());
        for (const auto& b : parsed.bad)
            skipped.push_back({b.line, b.begin, b.end, b.original,
                               skipped.size() < skipped_reasons ? input.located(b.error) : std::string()});
        invalid_utf8 = parsed.invalid_utf8;
    }
    const std::string& input_name = held ? held->display_name() : reread->display_name();
    // Line `line` of the input, for messages ("FILE:LINE"; a manifest's file and its own line).
    const auto line_at = [&](std::size_t line) {
        return manifest ? manifest->line_place(line) : input_name + ":" + std::to_string(line);
    };
    const std::uint64_t input_size = held ? held->size() : reread->size();
    if (bom)
        progress.message("ditto: warning: " + escape_text(input_name) +
                         " starts with a UTF-8 byte order mark; it is ignored (and not copied)");
    if (manifest_boms > 0)
        progress.message("ditto: warning: " + count(manifest_boms, "file", "files") + " of the manifest " + input_name +
                         (manifest_boms == 1 ? " starts with a UTF-8 byte order mark; it is"
                                             : " start with a UTF-8 byte order mark; they are") +
                         " ignored (and not copied)");
    // Ids are text, in one namespace: a record without the id field has its line number.
    bool any_id = false;
    for (auto& r : records) {
        if (r.id_kind != ditto::json_id_kind::none) any_id = true;
        else if (!bounded) r.id = arena.store(std::to_string(r.line));
    }
    if (a.id_field_given && !any_id && !records.empty())
        progress.message("ditto: warning: no record has the field \"" + escape_text(a.jsonl.id_field) +
                         "\" (--id-field); each record's id is its line number");
    {
        std::unordered_map<std::string_view, std::size_t> seen;
        seen.reserve(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            const auto [it, inserted] = seen.emplace(records[i].id, i);
            if (inserted) continue;
            const record& first = records[it->second];
            throw data_error(line_at(records[i].line) + ": id " + quoted_id(records[i].id) + " (" +
                             id_kind_text(records[i], a.jsonl.id_field) + ") is also the id of " +
                             (manifest ? line_at(first.line) : "line " + std::to_string(first.line)) + " (" +
                             id_kind_text(first, a.jsonl.id_field) + ")");
        }
    }
    seconds_parse = lap();
    if (bounded && !a.merge) {  // the merge runs no pipeline
        budget_memory(a, records.size(), arena_bytes(records) + 2 * block_bytes, pool.concurrency(), spill_folder,
                      [&](const std::string& m) { progress.message(m); });
    }

    // --clean: boilerplate lines go before dedup (so injected lines no longer keep copies apart),
    // repeated passages among the kept documents after it.
    dedup_cleaning cleaning;
    std::vector<std::string_view> texts(a.clean ? records.size() : 0);
    for (std::size_t i = 0; i < texts.size(); ++i) texts[i] = records[i].text;
    std::vector<std::string_view> parsed_texts;  // --clean: the texts as parsed, for lines written back
    if (a.clean) {
        parsed_texts = texts;
        progress.update("cleaning", 0, 0);
        clean_lines_for_dedup(texts, a.cleaning, pool, cleaning);
        for (std::size_t i = 0; i < records.size(); ++i) records[i].text = texts[i];
    }

    // Deduplicate.
    a.dedup.progress = [&](const ditto::dedup_progress& p) { progress.update(p.stage, p.done, p.total); };
    std::vector<document> docs(bounded ? 0 : records.size());
    for (std::size_t i = 0; i < docs.size(); ++i) docs[i].text = records[i].text;
    const reread_texts source{reread.get(), &records, &a.jsonl};
    // Document i's text: held, or read again (--memory).
    const auto text_at = [&](std::size_t i, std::string& buffer) -> std::string_view {
        return bounded ? source.text(i, buffer) : records[i].text;
    };
    a.dedup.collect_pairs = a.mode == output_mode::pairs;
    streamed_pairs pairs;  // --pairs: kept aside as the pipeline makes them, not in memory
    if (a.mode == output_mode::pairs) a.dedup.pair_sink = [&](std::span<const ditto::similar_pair> chunk) { pairs.add(chunk); };
    ditto::dedup_result result;
    ditto::hamming_plan plan;
    if (a.simhash) {
        ditto::simhash_dedup_result r = bounded ? ditto::simhash_dedup(source, simhash_options(a), pool)
                                                : ditto::simhash_dedup(docs, simhash_options(a), pool);
        if (bounded) reread->check_unchanged();  // before any output
        plan = r.hamming;
        if (plan.warning) progress.message("ditto: warning: " + plan.warning_text());
        result = std::move(r);
        // SimHash's pipeline lists its pairs in the result: they go the same way from here.
        if (!result.pairs.empty()) pairs.add(result.pairs);
        std::vector<ditto::similar_pair>().swap(result.pairs);
    } else if (a.containment) {
        result = ditto::containment_dedup(docs, a.dedup, pool);
    } else if (!a.sketches.empty()) {
        std::uint64_t mtime = manifest_time;
        if (!a.input.manifest) {
            struct stat st {};
            if (::stat(a.input.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
                throw data_error("--sketches: " + escape_text(a.input.path) + " is not a regular file");
            mtime = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
        }
        std::vector<std::uint64_t> begins(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) begins[i] = records[i].begin;
        progress.update("reading sketches", 0, 0);
        const std::uint32_t layout = manifest ? manifest->layout() : input_files::layout_of({input_size});
        sketch_files sketches(a.sketches, ditto::index_parameters_for(a.dedup), input_size, layout, mtime, a.jsonl,
                                    a.skip_invalid, &begins);
        std::vector<std::uint64_t>().swap(begins);
        // Held in memory, as the input is, unless --memory: then read by offset as needed.
        if (!bounded) sketches.load();
        if (a.merge) {
            // Every record as sketched (the tasks checked theirs; this is the input the output
            // copies lines from), then the tasks' results.
            std::atomic<std::size_t> differs{records.size()};
            ditto::detail::for_chunks(pool, records.size(), 4096, [&](std::size_t from, std::size_t to) {
                ditto::text_sketch s;
                std::string buffer;
                for (std::size_t i = from; i < to; ++i) {
                    std::uint64_t begin = 0, end = 0;
                    sketches.sketch(i, s, begin, end);
                    if (begin != records[i].begin || end != records[i].end || ditto::hash128(text_at(i, buffer)) != s.bytes) {
                        std::size_t seen = differs.load();
                        while (i < seen && !differs.compare_exchange_weak(seen, i)) {}
                    }
                }
            });
            if (differs.load() < records.size())
                throw data_error("--sketches " + escape_text(a.sketches) + ": the record of line " +
                                 line_at(records[differs.load()].line) + " is not the one sketched; was it changed since?");
            merge_task_results(a.sketches, sketches, a, result, pairs);
            if (bounded) reread->check_unchanged();
        } else try {
            if (bounded) {
                result = ditto::dedup_sketched(source, sketches, a.dedup, pool);
                reread->check_unchanged();
            } else {
                const held_texts held_source{&records};
                result = ditto::dedup_sketched(held_source, sketches, a.dedup, pool);
            }
        } catch (const std::invalid_argument& e) {
            // The parameters were checked: most likely a sketch of other bytes than the record's text.
            const std::string what = e.what();
            if (what.find("a sketch of other bytes") != std::string::npos)
                throw data_error("--sketches " + escape_text(a.sketches) + ": a record's text is not the one sketched (" +
                                 what + "); was " + escape_text(input_name) + " changed since?" +
                                 (sketches.input_time_differs() ? " Its modification time differs from when it was sketched." : ""));
            throw data_error("--sketches " + escape_text(a.sketches) + ": " + what);
        }
        // Every part is there and matches its texts: what killed sketch tasks left goes (a
        // running task's, locked, stays). A failed run leaves them, to look at.
        if (const std::size_t removed = sketches.remove_leftovers(); removed > 0 && !a.quiet)
            std::fprintf(stderr, "ditto: removed %zu temporary file%s left in --sketches %s by interrupted tasks\n",
                         removed, removed == 1 ? "" : "s", escape_text(a.sketches).c_str());
    } else if (bounded) {
        result = ditto::dedup(source, a.dedup, pool);
        reread->check_unchanged();  // before any output: the answer is that of the file as it is
    } else {
        result = ditto::dedup(docs, a.dedup, pool);
    }
    const auto& clusters = result.clusters;
    if (a.clean && a.mode == output_mode::lines) {
        progress.update("cleaning", 0, 0);
        clean_passages_for_dedup(texts, clusters.keep, a.cleaning, pool, cleaning);
    }
    const double seconds_dedup = lap();

    // Write. Everything is computed before the output file is created, so an interrupted or
    // failed computation leaves nothing behind.
    if (a.mode == output_mode::lines) {
        // The kept lines and the skipped ones, in input order, as read: from the input buffer
        // (adjacent lines as one piece) or, for lines parsing changed, from the spill file.
        std::size_t run_begin = 0, run_end = 0;
        const auto write_input = [&](std::uint64_t from, std::uint64_t to) {
            if (held) out.write(std::string_view(held->data() + from, static_cast<std::size_t>(to - from)));
            else reread->copy(out, from, to);
        };
        // A line parsing changed, as read: its escapes written back, or from the spill file.
        std::string restored;
        // i: the record's index, or not_a_record (a skipped line, never written back from its parse).
        constexpr std::size_t not_a_record = ~std::size_t{0};
        const auto as_read = [&](std::size_t begin, std::size_t end, std::uint64_t spilled,
                                 std::size_t i) -> std::string_view {
            if (spilled != ditto::jsonl_restored) return originals.get(spilled, end - begin);
            if (i == not_a_record) throw std::logic_error("a skipped line to write back from its parse");
            const record* r = &records[i];
            ditto::jsonl_record as_parsed;
            as_parsed.text = a.clean ? parsed_texts[i] : r->text;
            as_parsed.id = r->id;
            as_parsed.id_kind = r->id_kind;
            as_parsed.text_form = string_forms[i][0];
            as_parsed.id_form = string_forms[i][1];
            restored.clear();
            ditto::restore_jsonl_line(std::string_view(held->data() + begin, end - begin), as_parsed, restored);
            return restored;
        };
        auto emit = [&](std::size_t begin, std::size_t end, std::uint64_t spilled, std::size_t i) {
            const std::size_t with_newline = static_cast<std::size_t>(std::min<std::uint64_t>(end + 1, input_size));
            if (spilled == not_spilled && begin == run_end) {
                run_end = with_newline;
                return;
            }
            write_input(run_begin, run_end);
            if (spilled == not_spilled) {
                run_begin = begin;
                run_end = with_newline;
                return;
            }
            out.write(as_read(begin, end, spilled, i));
            run_begin = end;  // its "\n", if any, is as read: it goes out with what follows
            run_end = with_newline;
        };
        std::size_t s = 0;
        for (std::size_t i = 0; i < records.size(); ++i) {
            for (; s < skipped.size() && skipped[s].line < records[i].line; ++s)
                emit(skipped[s].begin, skipped[s].end, skipped[s].original, not_a_record);
            if (!clusters.keep[i]) continue;
            if (a.clean && cleaning.changed[i]) {  // the record with its cleaned text, else as read
                write_input(run_begin, run_end);
                const std::size_t length = records[i].end - records[i].begin;
                const std::string_view raw =
                    records[i].original == not_spilled
                        ? std::string_view(held->data() + records[i].begin, length)
                        : as_read(records[i].begin, records[i].end, records[i].original, i);
                out.write(replace_json_member(raw, a.jsonl.text_field, texts[i]));
                out.write("\n");
                run_begin = run_end = static_cast<std::size_t>(std::min<std::uint64_t>(records[i].end + 1, input_size));
                continue;
            }
            emit(records[i].begin, records[i].end, records[i].original, i);
        }
        for (; s < skipped.size(); ++s) emit(skipped[s].begin, skipped[s].end, skipped[s].original, not_a_record);
        write_input(run_begin, run_end);
    } else if (a.mode == output_mode::pairs) {
        write_pairs(out, records, result, pairs, a.full_pairs, a.pairs_memory);
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
        std::vector<std::string> lines(std::min<std::size_t>(copies.size(), 4096));
        ditto::align_options align;
        if (a.dedup.shingles == ditto::shingle_kind::words) align.k = a.dedup.ngram;  // the diff works on words
        align.normalization = a.dedup.normalization;
        // In batches, each with one differ (its buffers reused from pair to pair).
        // A window of copies at a time, so the lines held stay few however many copies there are.
        constexpr std::size_t window = 4096;
        for (std::size_t from = 0; from < copies.size(); from += window) {
            const std::size_t to = std::min(copies.size(), from + window);
            const std::size_t batches = std::min(to - from, pool.concurrency() * 8);
            pool.bulk(batches, [&](std::size_t batch) {
                ditto::differ differ(align);
                ditto::text_diff d;
                std::string kept_buffer, copy_buffer;
                for (std::size_t c = from + batch * (to - from) / batches; c < from + (batch + 1) * (to - from) / batches; ++c) {
                    const record& copy = records[copies[c]];
                    const record& kept = records[clusters.cluster[copies[c]]];
                    const std::string_view kept_text = text_at(clusters.cluster[copies[c]], kept_buffer);
                    const std::string_view copy_text = text_at(copies[c], copy_buffer);
                    differ.diff(kept_text, copy_text, d);
                    std::string json = diff_json(json_id(kept), kept_text.size(), json_id(copy), copy_text.size(), d);
                    lines[c - from] = "{\"cluster\": " + json_id(kept) + ", " + json.substr(1) + "\n";
                }
            });
            for (std::size_t c = 0; c < to - from; ++c) out.write(lines[c]);
        }
    } else {
        write_report(out, records, text_at, result, a.dedup, a.containment);
    }
    if (reread) reread->check_unchanged();  // before the output is committed: a changed input leaves none
    progress.finish();
    out.commit();
    const double seconds_write = lap();

    // Lines the output leaves out are never dropped silently: listed even with --quiet.
    if (!skipped.empty() && a.mode != output_mode::lines) {
        std::fprintf(stderr, "ditto: warning: %s could not be read and %s not in the output (--skip-invalid):\n",
                     count(skipped.size(), "line", "lines").c_str(), skipped.size() == 1 ? "is" : "are");
        for (std::size_t i = 0; i < skipped.size() && i < skipped_reasons; ++i)
            std::fprintf(stderr, "ditto:   %s\n", skipped[i].reason.c_str());
        if (skipped.size() > skipped_reasons)
            std::fprintf(stderr, "ditto:   and %zu more\n", skipped.size() - skipped_reasons);
    }
    if (!a.quiet) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::string skip_text = count(skipped.size(), "line", "lines") + " skipped" +
                                      (skipped.empty() ? "" : a.mode == output_mode::lines ? " (copied unchanged)" : " (left out)");
        std::fprintf(stderr, "ditto: %s, %s, %s removed, %s, %s replaced, %.2f s\n",
                     count(records.size(), "document", "documents").c_str(),
                     count(result.stats.clusters, "cluster", "clusters").c_str(),
                     count(result.stats.duplicates, "duplicate", "duplicates").c_str(), skip_text.c_str(),
                     count(invalid_utf8, "invalid UTF-8 sequence", "invalid UTF-8 sequences").c_str(), seconds);
        if (!skipped.empty() && a.mode == output_mode::lines)
            std::fprintf(stderr, "ditto: first skipped line %zu: %s\n", skipped[0].line, skipped[0].reason.c_str());
        if (a.clean)
            std::fprintf(stderr, "ditto: --clean removed %s before dedup%s\n",
                         count(cleaning.lines, "boilerplate line", "boilerplate lines").c_str(),
                         a.mode == output_mode::lines
                             ? (" and " + count(cleaning.passages, "repeated passage", "repeated passages") + " from the kept documents").c_str()
                             : "");
        if (a.verbose && a.merge) {
            std::fprintf(stderr, "ditto: read %.2f s, parse %.2f s, texts checked against their sketches and the task results "
                                 "read %.2f s, write %.2f s\n",
                         seconds_read, seconds_parse, seconds_dedup, seconds_write);
        } else if (a.verbose) {
            const auto& st = result.stats;
            char shape_text[160];
            if (a.simhash)
                std::snprintf(shape_text, sizeof shape_text, "SimHash k = %u, %u blocks, %zu tables, %u-bit prefixes",
                              plan.k, plan.blocks, plan.tables, plan.prefix_bits);
            else if (a.containment)
                std::snprintf(shape_text, sizeof shape_text, "containment by prefix filtering, %.0f MB of inverted lists",
                              static_cast<double>(st.index_bytes) / 1e6);
            else
                std::snprintf(shape_text, sizeof shape_text,
                              "LSH %zu bands x %zu rows, %zu buckets (largest %zu, %zu split by prefix filtering)",
                              st.lsh.bands, st.lsh.rows, st.buckets, st.largest_bucket, st.split_buckets);
            const std::string shape = shape_text;
            std::fprintf(stderr,
                         "ditto: read %.2f s, parse %.2f s, exact %.2f s, sketch %.2f s, candidates %.2f s, sets %.2f s, "
                         "search and cluster %.2f s (verification %.2f s of CPU: prefilters, then exact %.2f s), write %.2f s (pipeline %.2f s on %zu threads)\n"
                         "ditto: %zu exact duplicates, %zu distinct texts, %zu documents without words; %s\n"
                         "ditto: %zu candidate pairs examined, %zu dropped by the signature prefilter, %zu verified, "
                         "%zu similar pairs listed; %.0f MB of shingle sets, %zu recomputed; %.0f MB of band keys and slots spilled\n",
                         seconds_read, seconds_parse, st.seconds_exact, st.seconds_sketch, st.seconds_candidates,
                         st.seconds_sets, st.seconds_verify, st.seconds_verification, st.seconds_exact_verification, seconds_write, seconds_dedup, st.threads, st.exact_duplicates,
                         st.units, st.empty_documents, shape.c_str(), st.candidates, st.prefiltered, st.verified, st.similar_pairs,
                         static_cast<double>(st.set_bytes) / 1e6, st.recomputed_sets, static_cast<double>(st.spilled_bytes) / 1e6);
        }
    }
    return 0;
}

}  // namespace ditto_cli

namespace ditto_cli {

namespace {

constexpr const char* plan_help_command = "ditto plan --help";

void print_plan_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto plan --parts N [--tasks K [--split-output]] --sketches FOLDER [DEDUP OPTIONS]\n"
        "                  FILE|--manifest LIST\n"
        "Print the tasks of a run of 'ditto dedup [DEDUP OPTIONS] FILE' split into N parts, as\n"
        "JSONL, one task per line:\n"
        "  {\"stage\": ..., \"task\": i, \"tasks\": n, \"argv\": [...], \"outputs\": [...]}\n"
        "argv is the task's command line without the program name. Run the stages in order,\n"
        "every task of a stage finished before the next stage starts; the tasks of a stage in\n"
        "any order, on any machines that see FILE (or LIST and its files) and FOLDER at the same\n"
        "paths (they are made absolute here; a LIST's relative names are taken from its\n"
        "folder). A task can be run again after a failure: it writes each of its outputs under\n"
        "a temporary name, OUTPUT.tmp-XXXXXX, and renames it when complete. A task that is\n"
        "killed leaves that temporary: a driver may remove them once the stage is done, and\n"
        "the last stage's tasks remove those the earlier stages left in FOLDER. The stages:\n"
        "  sketch  N tasks: 'ditto sketch --part P/N', each writing FOLDER/part-P-of-N.sketch\n"
        "  dedup   1 task: 'ditto dedup --sketches FOLDER', which writes what 'ditto dedup'\n"
        "          would (to -o FILE when given, which should then be an absolute path too)\n"
        "With --tasks K, the comparing is split too, and the stages after sketch are:\n"
        "  group   1 task: 'ditto group', writing FOLDER/groups: which task each document goes to\n"
        "  task    K tasks: 'ditto dedup --task k/K', each writing FOLDER/task-k-of-K.result\n"
        "  merge   1 task: 'ditto dedup --merge', which writes what 'ditto dedup' would\n"
        "          (or with --split-output, filter: N tasks 'ditto filter --part P/N')\n"
        "The DEDUP OPTIONS are checked here as 'ditto dedup --sketches' checks them; the sketch\n"
        "tasks get the similarity and input options and --threads.\n"
        "\n"
        "  --parts N           parts, 1..1048576 (about 100 MB or more of input each)\n"
        "  --tasks K           tasks that compare, 1..65536; each gets whole groups of documents\n"
        "                      that share LSH buckets, dealt out by text bytes\n"
        "  --split-output      with --tasks, the kept lines and -o OUTPUT: instead of the merge,\n"
        "                      N 'filter' tasks write each part's kept lines to OUTPUT-P-of-N\n"
        "                      (P as in the sketch files' names); in part order they are what\n"
        "                      'ditto dedup' writes, and no task reads the whole input\n"
        "  --sketches FOLDER   where the parts' sketch files go (it must exist when they run)\n"
        "  -h, --help          show this help\n",
        out);
}

// path made absolute, with its ".." kept: after a symbolic link they lead elsewhere than the
// text says.
std::string absolute_path(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::absolute(path, ec);
    return ec ? path : p.string();
}

// A task as a JSON line: its stage, number, the stage's task count, its arguments and the files
// it writes (each under a temporary name "FILE.tmp-XXXXXX" first, which a killed task leaves).
void print_task(std::string_view stage, std::size_t task, std::size_t tasks, const std::vector<std::string>& argv,
                const std::vector<std::string>& outputs) {
    const auto list = [](const std::vector<std::string>& items) {
        std::string out = "[";
        for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_string(items[i]);
        return out + "]";
    };
    std::string line = "{\"stage\": " + json_string(stage) + ", \"task\": " + std::to_string(task) +
                       ", \"tasks\": " + std::to_string(tasks) + ", \"argv\": " + list(argv) +
                       ", \"outputs\": " + list(outputs) + "}\n";
    std::fputs(line.c_str(), stdout);
}

// dedup's options that take no value: every other option takes one, inline (--name=value) or as
// the next argument.
bool dedup_flag(std::string_view name) {
    static constexpr std::string_view flags[] = {"--pairs", "--clusters", "--report", "--explain", "--skip-invalid", "-q",
                                                 "--quiet", "-v", "--verbose", "--clean", "--no-lines", "--no-passages",
                                                 "--no-fold-digits", "--also-within", "--merge", "-h", "--help"};
    return std::find(std::begin(flags), std::end(flags), name) != std::end(flags);
}

// Whether args[i] is an option whose value is the next argument.
bool value_follows(std::string_view arg) {
    return arg.starts_with("-") && arg != "-" && !dedup_flag(arg) && !(arg.starts_with("--") && arg.find('=') != std::string_view::npos);
}

}  // namespace

int run_plan(const std::vector<std::string_view>& args) {
    // --parts is the plan's own; everything else is dedup's, checked by dedup's parser. An
    // option's value (a field named "-h", say) is never read as an option.
    std::size_t parts = 0, tasks = 0;
    bool split_output = false;
    std::vector<std::string_view> dedup_args;
    bool help = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--") {
            dedup_args.insert(dedup_args.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        if (arg == "-h" || arg == "--help") help = true;
        if (arg == "--split-output") {
            split_output = true;
            continue;
        }
        std::string_view value;
        const bool is_tasks = arg == "--tasks" || arg.starts_with("--tasks=");
        if (arg == "--parts" || arg == "--tasks") {
            if (i + 1 == args.size()) throw usage_error(std::string(arg) + " needs a value", plan_help_command);
            value = args[++i];
        } else if (arg.starts_with("--parts=") || arg.starts_with("--tasks=")) {
            value = arg.substr(8);
        } else {
            dedup_args.push_back(arg);
            if (value_follows(arg) && i + 1 < args.size()) dedup_args.push_back(args[++i]);
            continue;
        }
        if (is_tasks) tasks = parse_size("--tasks", value, 1, 65536, plan_help_command);
        else parts = parse_size("--parts", value, 1, std::size_t{1} << 20, plan_help_command);
    }
    if (help) {
        print_plan_help(stdout);
        return 0;
    }
    if (parts == 0) throw usage_error("--parts N is required", plan_help_command);
    bool dedup_help = false;
    dedup_arguments a;
    try {
        a = parse_arguments(dedup_args, dedup_help);
    } catch (const usage_error& e) {
        throw usage_error(e.what(), plan_help_command);
    }
    if (a.sketches.empty()) throw usage_error("--sketches FOLDER is required", plan_help_command);
    if (a.tasks > 0 || a.merge) throw usage_error("--task and --merge are the plan's to give", plan_help_command);
    if (split_output && (tasks == 0 || a.mode != output_mode::lines || a.output_path.empty()))
        throw usage_error("--split-output goes with --tasks, the kept lines (no --pairs, --clusters, --report or --explain) "
                          "and -o FILE", plan_help_command);
    if (split_output) {
        struct stat st {};
        if (a.output_path.ends_with('/') || (::stat(a.output_path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)))
            throw usage_error("--split-output writes the files OUTPUT-P-of-N: -o must name a file, not a folder or a device",
                              plan_help_command);
    }
    if (a.input.path == "-") throw usage_error("the input must be a file every task can read (not standard input)", plan_help_command);
    check_similarity_options(a.dedup, plan_help_command);
    const std::string folder = absolute_path(a.sketches);
    if (a.input.manifest) {
        // Every task reads the manifest again: a pipe would be empty for them.
        struct stat list {};
        if (::stat(a.input.path.c_str(), &list) != 0 || !S_ISREG(list.st_mode))
            throw usage_error("--manifest " + escape_text(a.input.path) +
                                  " must be a regular file, which every task reads again", plan_help_command);
        // The manifest's files are opened (every task will) and -o must not replace one of them.
        const input_files files(a.input.path, true);
        files.refuse_as_output(a.output_path, a.output_option, plan_help_command);
    }
    // Every task's last arguments: the input file, or the manifest (whose relative names are
    // taken from its own folder, wherever the task runs).
    const std::vector<std::string> input =
        a.input.manifest ? std::vector<std::string>{"--manifest=" + absolute_path(a.input.path)}
                         : std::vector<std::string>{"--", absolute_path(a.input.path)};

    // The sketch stage takes the similarity and input options; the dedup stage all of them, with
    // the paths made absolute.
    std::vector<std::string> sketch_options, dedup_argv{"dedup"};
    const auto takes = [](std::string_view name) {
        for (const char* o : {"--threshold", "--ngram", "--shingle", "--sketch-size", "--recall", "--text-field", "--id-field",
                              "--invalid-utf8"})
            if (name == o) return true;
        return false;
    };
    const auto path_option = [](std::string_view name) { return name == "-o" || name == "--output" || name == "--sketches" || name == "--tmp-dir"; };
    for (std::size_t i = 0; i < dedup_args.size(); ++i) {
        const std::string_view arg = dedup_args[i];
        if (arg == "--") break;
        const std::size_t eq = arg.starts_with("--") ? arg.find('=') : std::string_view::npos;
        const std::string_view name = arg.substr(0, eq);
        const bool inline_value = eq != std::string_view::npos;
        if (!arg.starts_with("-") || arg == "-") continue;  // the input, added at the end
        if (name == "--manifest") {  // the input too
            if (!inline_value) ++i;
            continue;
        }
        std::string value;
        bool has_value = inline_value;
        if (inline_value) value = std::string(arg.substr(eq + 1));
        if (value_follows(arg) && i + 1 < dedup_args.size()) {
            value = std::string(dedup_args[++i]);
            has_value = true;
        }
        if (path_option(name)) value = absolute_path(value);
        // Long options as --name=value (a value starting with '-' stays the option's); short ones
        // (-o) as two arguments.
        const bool long_option = name.starts_with("--");
        const std::string written = has_value && long_option ? std::string(name) + "=" + value : std::string(name);
        if (takes(name) || name == "--skip-invalid" || name == "--threads") sketch_options.push_back(written);
        dedup_argv.push_back(written);
        if (has_value && !long_option) dedup_argv.push_back(value);
    }
    dedup_argv.insert(dedup_argv.end(), input.begin(), input.end());
    const std::size_t digits = std::to_string(parts - 1).size();
    const auto part_name = [&](std::size_t p) {
        std::string number = std::to_string(p);
        number.insert(0, digits - number.size(), '0');
        return "part-" + number + "-of-" + std::to_string(parts) + ".sketch";
    };
    {
        // The dedup task takes every *.sketch in the folder: others (an earlier run's, with
        // another N) would make it refuse the mix.
        std::error_code ec;
        std::size_t others = 0;
        std::string example;
        for (std::filesystem::directory_iterator it(folder, ec), last; !ec && it != last; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (it->path().extension() != ".sketch") continue;
            const std::string number = name.size() == part_name(0).size() ? name.substr(5, digits) : std::string();
            const bool planned = !number.empty() && std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                                 std::stoull(number) < parts && name == part_name(std::stoull(number));
            if (!planned && others++ == 0) example = name;
        }
        if (others > 0)
            std::fprintf(stderr, "ditto plan: warning: %s holds %zu sketch file%s not of this plan (%s): the dedup task "
                                 "takes every *.sketch in it and would refuse the mix; clear it first\n",
                         escape_text(folder).c_str(), others, others == 1 ? "" : "s", escape_text(example).c_str());
    }
    for (std::size_t p = 0; p < parts; ++p) {
        std::vector<std::string> argv{"sketch", "--part", std::to_string(p) + "/" + std::to_string(parts), "-o",
                                      folder + "/" + part_name(p)};
        argv.insert(argv.end(), sketch_options.begin(), sketch_options.end());
        argv.insert(argv.end(), input.begin(), input.end());
        print_task("sketch", p, parts, argv, {argv[4]});
    }
    // The file -o writes, where its temporary goes: through any symbolic link. None when -o names
    // something other than a regular file (a device, standard output), written in place.
    std::vector<std::string> dedup_outputs;
    if (!a.output_path.empty()) {
        struct stat st {};
        const std::string output = absolute_path(a.output_path);
        if (::stat(output.c_str(), &st) != 0 || S_ISREG(st.st_mode)) dedup_outputs.push_back(output_target(output));
    }
    if (tasks == 0) {
        print_task("dedup", 0, 1, dedup_argv, dedup_outputs);
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw data_error("cannot write the plan to standard output");
        return 0;
    }
    const std::string groups = folder + "/groups";
    {
        std::vector<std::string> argv{"group", "--sketches", folder, "--tasks", std::to_string(tasks)};
        argv.insert(argv.end(), sketch_options.begin(), sketch_options.end());
        argv.insert(argv.end(), input.begin(), input.end());
        print_task("group", 0, 1, argv, {groups});
    }
    // The task stage: dedup's options but the merge's own output (--memory bounds each task too),
    // plus the task's.
    std::vector<std::string> task_options;
    for (std::size_t i = 1; i < dedup_argv.size() && dedup_argv[i] != "--" && !dedup_argv[i].starts_with("--manifest="); ++i) {
        if (dedup_argv[i] == "-o") {
            ++i;
            continue;
        }
        if (dedup_argv[i].starts_with("--output=")) continue;
        task_options.push_back(dedup_argv[i]);
    }
    const std::size_t task_digits = std::to_string(tasks - 1).size();
    for (std::size_t k = 0; k < tasks; ++k) {
        std::string number = std::to_string(k);
        number.insert(0, task_digits - number.size(), '0');
        const std::string result = folder + "/task-" + number + "-of-" + std::to_string(tasks) + ".result";
        std::vector<std::string> argv{"dedup", "--task", std::to_string(k) + "/" + std::to_string(tasks)};
        argv.insert(argv.end(), task_options.begin(), task_options.end());
        argv.insert(argv.end(), input.begin(), input.end());
        print_task("task", k, tasks, argv, {result});
    }
    if (split_output) {
        // The kept lines per part, OUTPUT-P-of-N: the sketch tasks' options, the rules the tasks
        // were given.
        std::vector<std::string> filter_options = sketch_options;
        for (const std::string& o : task_options)
            if (o.starts_with("--keep=") || o.starts_with("--cluster=")) filter_options.push_back(o);
        const std::string output = absolute_path(a.output_path);
        for (std::size_t p = 0; p < parts; ++p) {
            std::string number = std::to_string(p);
            number.insert(0, digits - number.size(), '0');
            const std::string file = output + "-" + number + "-of-" + std::to_string(parts);
            std::vector<std::string> argv{"filter", "--sketches", folder, "--part", std::to_string(p) + "/" + std::to_string(parts),
                                          "-o", file};
            argv.insert(argv.end(), filter_options.begin(), filter_options.end());
            argv.insert(argv.end(), input.begin(), input.end());
            print_task("filter", p, parts, argv, {output_target(file)});
        }
    } else {
        dedup_argv.insert(dedup_argv.begin() + 1, "--merge");
        print_task("merge", 0, 1, dedup_argv, dedup_outputs);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw data_error("cannot write the plan to standard output");
    return 0;
}

}  // namespace ditto_cli
