// `ditto dedup --against X.didx NEW.jsonl...`: each new document against a stored index, judged
// exactly from the indexed texts where their sources are still as indexed, else estimated from
// the signatures; with --also-within, the new documents against each other too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <ditto/dedup.hpp>
#include <ditto/hash.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/index.hpp>

#include "cli.hpp"

namespace ditto_cli {

namespace {

constexpr const char* against_help = "ditto dedup --help";

enum class against_mode { lines, pairs, clusters, report };

struct against_arguments {
    std::string index_path;
    std::vector<std::string> inputs;
    std::string output_path, output_option = "-o";
    against_mode mode = against_mode::lines;
    ditto::jsonl_options jsonl;
    ditto::dedup_options dedup;
    std::vector<std::string> given;  // similarity options written
    std::size_t threads = 0;
    bool also_within = false, quiet = false;
};

against_arguments parse(const std::vector<std::string_view>& args) {
    against_arguments a;
    auto set_mode = [&](against_mode m, std::string_view flag) {
        if (a.mode != against_mode::lines && a.mode != m)
            throw usage_error("--pairs, --clusters and --report exclude each other (" + std::string(flag) + ")", against_help);
        a.mode = m;
    };
    argument_reader r(args, against_help);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            a.inputs.emplace_back(r.argument());
        } else if (name == "--against") {
            const std::string_view v = r.value();
            if (v.empty()) throw usage_error("--against needs an index file", against_help);
            if (v == "-") throw usage_error("an index cannot be read from standard input: name a file", against_help);
            if (!a.index_path.empty()) throw usage_error("--against is given more than once", against_help);
            a.index_path = std::string(v);
        } else if (const std::string option(name); parse_similarity_option(r, a.dedup)) {
            a.given.push_back(option);
        } else if (name == "--also-within") {
            r.flag();
            a.also_within = true;
        } else if (name == "--pairs" || name == "--clusters" || name == "--report") {
            r.flag();
            set_mode(name == "--pairs" ? against_mode::pairs : name == "--clusters" ? against_mode::clusters
                                                                                    : against_mode::report,
                     name);
        } else if (name == "--explain" || name == "--keep" || name == "--cluster" || name == "--exact-pairs" ||
                   name == "--skip-invalid" || name == "--set-memory") {
            throw usage_error(std::string(name) + " does not go with --against", against_help);
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, r.help_command());
        } else if (name == "--text-field") {
            a.jsonl.text_field = r.name_value();
        } else if (name == "--id-field") {
            a.jsonl.id_field = r.name_value();
        } else if (name == "--invalid-utf8") {
            const std::string_view v = r.value();
            if (v == "replace") a.jsonl.on_invalid = ditto::invalid_utf8::replace;
            else if (v == "error") a.jsonl.on_invalid = ditto::invalid_utf8::error;
            else throw usage_error("--invalid-utf8 must be 'replace' or 'error', got '" + std::string(v) + "'", against_help);
        } else if (name == "-o" || name == "--output") {
            const std::string_view v = r.value();
            if (v.empty()) throw usage_error(std::string(name) + " needs a file name", against_help);
            a.output_path = std::string(v);
            a.output_option = std::string(name);
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            a.quiet = true;
        } else if (name == "-v" || name == "--verbose") {
            r.flag();
        } else {
            r.unknown();
        }
    }
    if (a.inputs.empty()) throw usage_error("no new documents: give NEW.jsonl after --against X.didx", against_help);
    if (std::count(a.inputs.begin(), a.inputs.end(), "-") > 1)
        throw usage_error("standard input ('-') is given more than once", against_help);
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", against_help);
    return a;
}

std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// A new document.
struct new_record {
    std::string_view text, id;
    ditto::json_id_kind id_kind;
    std::size_t file, line, begin, end;
    std::uint64_t original;
};
struct new_document {
    std::string_view text;
};

// An input file with its parse.
struct parsed_input {
    std::unique_ptr<input_file> file;
    ditto::jsonl_lines lines;
    std::vector<std::string> line_ids;  // ids of records without one: their line numbers
};

std::string json_id(const new_record& r) {
    return r.id_kind == ditto::json_id_kind::string ? json_string(r.id) : std::string(r.id);
}

// The indexed sources: those still as indexed (size and content hash) read whole, the others
// with the reason they cannot be used.
struct indexed_sources {
    std::vector<std::unique_ptr<input_file>> files;  // null: not usable
    std::vector<std::string> reasons;
};

indexed_sources check_sources(const ditto::stored_index& index, ditto::thread_pool& pool) {
    indexed_sources s;
    for (const auto& source : index.sources) {
        std::unique_ptr<input_file> f;
        std::string reason;
        try {
            f = std::make_unique<input_file>(source.path, std::function<void(std::size_t)>{}, &pool);
            if (f->size() != source.size) reason = "its size changed";
            else if (ditto::hash128(std::string_view(f->data(), f->size())) != source.hash) reason = "its content changed";
        } catch (const data_error&) {
            reason = "cannot be read";
        }
        if (!reason.empty()) f.reset();
        s.files.push_back(std::move(f));
        s.reasons.push_back(std::move(reason));
    }
    return s;
}

}  // namespace

int run_dedup_against(const std::vector<std::string_view>& args) {
    against_arguments a = parse(args);
    output out(a.output_path, a.output_option);
    const ditto::stored_index index = load_index(a.index_path);
    index_options(a.index_path, index.parameters, a.given, a.dedup, against_help);
    ditto::thread_pool pool(a.threads);

    // The new documents, from every input in order; ids unique over all of them.
    spill_file originals;
    std::mutex originals_mutex;
    std::vector<parsed_input> inputs(a.inputs.size());
    std::vector<new_record> records;
    std::size_t invalid_utf8 = 0;
    for (std::size_t f = 0; f < a.inputs.size(); ++f) {
        auto& in = inputs[f];
        in.file = std::make_unique<input_file>(a.inputs[f], std::function<void(std::size_t)>{}, &pool);
        ditto::jsonl_chunk_options chunking;
        chunking.keep_originals = a.mode == against_mode::lines;
        chunking.keep = [&](std::string_view bytes) {
            std::lock_guard lock(originals_mutex);
            return originals.add(bytes);
        };
        in.lines = ditto::parse_jsonl(in.file->data(), in.file->text_start(), in.file->size(), a.jsonl, pool, chunking);
        if (!in.lines.bad.empty()) throw data_error(in.file->located(in.lines.bad.front().error));
        invalid_utf8 += in.lines.invalid_utf8;
        in.line_ids.reserve(in.lines.records.size());
        for (const auto& r : in.lines.records) {
            std::string_view id = r.record.id;
            if (r.record.id_kind == ditto::json_id_kind::none) id = in.line_ids.emplace_back(std::to_string(r.line));
            records.push_back({r.record.text, id, r.record.id_kind, f, r.line, r.begin, r.end, r.original});
        }
    }
    {
        std::unordered_map<std::string_view, std::size_t> seen;
        for (std::size_t i = 0; i < records.size(); ++i) {
            const auto [it, inserted] = seen.emplace(records[i].id, i);
            if (inserted) continue;
            const new_record& first = records[it->second];
            throw data_error(inputs[records[i].file].file->display_name() + ":" + std::to_string(records[i].line) +
                             ": id \"" + escape_text(records[i].id) + "\" is also the id of " +
                             inputs[first.file].file->display_name() + ":" + std::to_string(first.line));
        }
    }

    // The indexed texts, re-read from the sources still as indexed.
    const indexed_sources sources = check_sources(index, pool);
    std::vector<new_document> docs(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) docs[i].text = records[i].text;
    const ditto::jsonl_options index_jsonl{a.jsonl.text_field, "", a.jsonl.on_invalid};
    const ditto::against_result found =
        ditto::dedup_against(index, docs, pool, [&](std::uint32_t d, std::string& text) {
            const ditto::index_document& doc = index.documents[d];
            const input_file* f = sources.files[doc.source].get();
            if (f == nullptr) return false;
            // The document's bytes are its whole JSONL line: parsed (in a copy) for its text field.
            std::string line(const_cast<input_file*>(f)->data() + doc.offset, doc.length);
            try {
                ditto::jsonl_parser parser(index_jsonl);
                text = std::string(parser.parse(line.data(), line.size(), 1).text);
            } catch (const ditto::parse_error&) {
                return false;
            }
            return true;
        });

    // Per new document: its matches in the index (found.matches is sorted by document).
    const std::size_t n = records.size();
    std::vector<std::size_t> match_start(n + 1, 0);
    for (const auto& m : found.matches) ++match_start[m.document + 1];
    for (std::size_t i = 0; i < n; ++i) match_start[i + 1] += match_start[i];
    std::vector<bool> keep(n);
    std::vector<std::size_t> earlier(n, n);  // with --also-within: the kept new document it copies
    std::vector<ditto::similar_pair> within;
    if (a.also_within) {
        // The rule: in input order, a new document is removed when it matches the index or a new
        // document before it that is kept.
        ditto::dedup_options o = a.dedup;
        o.collect_pairs = true;
        const ditto::dedup_result r = ditto::dedup(docs, o, pool);
        within = ditto::expand_pairs(r);
        std::vector<std::vector<std::size_t>> before(n);
        for (const auto& p : within) before[p.second].push_back(p.first);
        for (std::size_t i = 0; i < n; ++i) {
            keep[i] = match_start[i] == match_start[i + 1];
            for (const std::size_t j : before[i])
                if (keep[i] && keep[j]) {
                    keep[i] = false;
                    earlier[i] = j;
                }
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) keep[i] = match_start[i] == match_start[i + 1];
    }
    auto indexed_id = [&](std::uint32_t d) { return json_string(index.documents[d].id); };
    // The best match of a new document: highest similarity, exact before estimated, then lowest number.
    auto best = [&](std::size_t i) {
        const ditto::against_match* b = nullptr;
        for (std::size_t x = match_start[i]; x < match_start[i + 1]; ++x) {
            const auto& m = found.matches[x];
            if (b == nullptr || m.similarity > b->similarity) b = &m;
        }
        return b;
    };

    char number[32];
    if (a.mode == against_mode::lines) {
        for (std::size_t i = 0; i < n; ++i) {
            if (!keep[i]) continue;
            const auto& r = records[i];
            if (r.original == ditto::jsonl_not_kept)
                out.write(std::string_view(inputs[r.file].file->data() + r.begin, r.end - r.begin));
            else
                out.write(originals.get(r.original, r.end - r.begin));
            out.write("\n");
        }
    } else if (a.mode == against_mode::pairs) {
        // new id, indexed id, similarity, and how it was judged: "exact" or "estimated" against the
        // index, "within" for a pair of new documents (--also-within; the earlier one first).
        for (const auto& m : found.matches) {
            std::snprintf(number, sizeof number, "\t%.4f\t", m.similarity);
            out.write(escape_text(records[m.document].id));
            out.write("\t");
            out.write(escape_text(index.documents[m.indexed].id));
            out.write(number);
            out.write(m.estimated ? "estimated\n" : "exact\n");
        }
        for (const auto& p : within) {
            std::snprintf(number, sizeof number, "\t%.4f\t", p.similarity);
            out.write(escape_text(records[p.first].id));
            out.write("\t");
            out.write(escape_text(records[p.second].id));
            out.write(number);
            out.write("within\n");
        }
    } else if (a.mode == against_mode::clusters) {
        for (std::size_t i = 0; i < n; ++i) {
            out.write("{\"id\": " + json_id(records[i]) + ", ");
            if (const auto* b = best(i)) {
                std::snprintf(number, sizeof number, "%.4f", b->similarity);
                out.write("\"cluster\": " + indexed_id(b->indexed) + ", \"in_index\": true, \"similarity\": " + number +
                          ", \"estimated\": " + (b->estimated ? "true" : "false") + ", \"keep\": false}\n");
            } else if (earlier[i] != n) {
                out.write("\"cluster\": " + json_id(records[earlier[i]]) + ", \"in_index\": false, \"keep\": false}\n");
            } else {
                out.write("\"cluster\": " + json_id(records[i]) + ", \"in_index\": false, \"keep\": true}\n");
            }
        }
    } else {
        std::string o;
        std::size_t removed = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (keep[i]) continue;
            ++removed;
            o += escape_text(records[i].id) + "\n";
            for (std::size_t x = match_start[i]; x < match_start[i + 1]; ++x) {
                const auto& m = found.matches[x];
                std::snprintf(number, sizeof number, "%.4f", m.similarity);
                o += "  in the index: " + escape_text(index.documents[m.indexed].id) + " (" + number +
                     (m.estimated ? ", estimated)\n" : ")\n");
            }
            if (earlier[i] != n) o += "  copies new document " + escape_text(records[earlier[i]].id) + "\n";
        }
        o += count(n, "new document", "new documents") + ", " + count(removed, "removed", "removed") + ", " +
             count(n - removed, "kept", "kept") + "\n";
        out.write(o);
    }
    out.commit();

    std::size_t usable = 0;
    for (const auto& f : sources.files) usable += static_cast<std::size_t>(f != nullptr);
    if (!a.quiet) {
        std::size_t removed = 0;
        for (std::size_t i = 0; i < n; ++i) removed += static_cast<std::size_t>(!keep[i]);
        std::fprintf(stderr, "ditto: %s against an index of %s: %s in the index, %s removed, %s replaced\n",
                     count(n, "new document", "new documents").c_str(),
                     count(index.documents.size(), "document", "documents").c_str(),
                     count(found.matches.size(), "match", "matches").c_str(),
                     count(removed, "document", "documents").c_str(),
                     count(invalid_utf8, "invalid UTF-8 sequence", "invalid UTF-8 sequences").c_str());
    }
    // Said even with --quiet when some similarities are estimates: the output is not exact.
    if (!a.quiet || usable != index.sources.size()) {
        std::string why;
        for (std::size_t s = 0; s < index.sources.size(); ++s)
            if (!sources.reasons[s].empty())
                why += std::string(why.empty() ? "" : "; ") + "'" + escape_text(index.sources[s].path) + "': " + sources.reasons[s];
        std::fprintf(stderr, "ditto: %s verified, %s estimated%s%s; %zu candidates verified exactly, %zu estimated\n",
                     count(usable, "indexed source", "indexed sources").c_str(),
                     count(index.sources.size() - usable, "source", "sources").c_str(), why.empty() ? "" : ": ",
                     why.c_str(), found.exact, found.estimated);
    }
    return 0;
}

}  // namespace ditto_cli
