// `ditto dedup --against X.didx NEW.jsonl...`: each new document against a stored index, judged
// exactly from the indexed texts where their sources are still as indexed, else estimated from
// the signatures; with --also-within, the new documents against each other too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <utility>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ditto/dedup.hpp>
#include <ditto/hash.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/content_hasher.hpp>
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
    bool full_pairs = false, exact_pairs_given = false;  // --exact-pairs full | compact
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
        } else if (name == "--exact-pairs") {
            const std::string_view v = r.value();
            a.exact_pairs_given = true;
            if (v == "compact") a.full_pairs = false;
            else if (v == "full") a.full_pairs = true;
            else throw usage_error("--exact-pairs must be 'compact' or 'full', got '" + std::string(v) + "'", against_help);
        } else if (name == "--explain" || name == "--keep" || name == "--cluster" || name == "--skip-invalid" ||
                   name == "--set-memory") {
            throw usage_error(std::string(name) + " does not go with --against", against_help);
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, r.help_command());
        } else if (parse_input_option(r, a.jsonl) || parse_output_option(r, a.output_path, a.output_option)) {
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
    if (a.exact_pairs_given && a.mode != against_mode::pairs)
        throw usage_error("--exact-pairs goes with --pairs", against_help);
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
    std::uint64_t original;  // where its bytes as read were spilled, jsonl_not_kept or jsonl_restored
    ditto::json_string_form text_form, id_form;  // jsonl_restored: how text and id were written
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

// A source still as indexed. A regular file is hashed as it is read in blocks and then read
// again by offset, so nothing of it is held; anything else (a named pipe: it cannot be read
// twice) is held whole. Either way every text taken from it is checked against the hash the
// index recorded, so a file changed later only makes its documents' similarities estimated.
class indexed_source_file {
public:
    // The file at path when it has the indexed size and content hash, else null and why.
    static std::unique_ptr<indexed_source_file> open(const std::string& path, const ditto::index_source& source,
                                                     ditto::thread_pool& pool, std::string& why) {
        auto f = std::unique_ptr<indexed_source_file>(new indexed_source_file);
        f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat info {};
        if (f->fd_ < 0 || ::fstat(f->fd_, &info) != 0) {
            why = "cannot be read";
            return nullptr;
        }
        if (!S_ISREG(info.st_mode)) {
            try {
                f->held_ = std::make_unique<input_file>(path, std::function<void(std::size_t)>{}, &pool);
            } catch (const data_error&) {
                why = "cannot be read";
                return nullptr;
            }
            if (f->held_->size() != source.size) why = "its size changed";
            else if (ditto::hash128(std::string_view(f->held_->data(), f->held_->size())) != source.hash) why = "its content changed";
            return why.empty() ? std::move(f) : nullptr;
        }
        if (static_cast<std::uint64_t>(info.st_size) != source.size) {
            why = "its size changed";
            return nullptr;
        }
        ditto::content_hasher hasher(source.size);
        std::vector<char> block(std::size_t{4} << 20);
        for (std::uint64_t at = 0; at < source.size;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), source.size - at));
            const std::ptrdiff_t got = read_at(f->fd_, at, block.data(), n);
            if (got < 0 || static_cast<std::size_t>(got) < n) {
                why = got < 0 ? "cannot be read" : "its size changed";
                return nullptr;
            }
            hasher.update(std::string_view(block.data(), n));
            at += n;
        }
        if (hasher.value() != source.hash) {
            why = "its content changed";
            return nullptr;
        }
        return f;
    }
    ~indexed_source_file() {
        if (fd_ >= 0) ::close(fd_);
    }
    indexed_source_file(const indexed_source_file&) = delete;
    indexed_source_file& operator=(const indexed_source_file&) = delete;

    // The bytes [offset, offset + length) into line; false when they cannot be read (the file
    // shrank or failed since).
    bool read(std::uint64_t offset, std::size_t length, std::string& line) const {
        line.resize(length);
        if (held_) {
            if (offset > held_->size() || length > held_->size() - offset) return false;
            std::memcpy(line.data(), held_->data() + offset, length);
            return true;
        }
        return read_at(fd_, offset, line.data(), length) == static_cast<std::ptrdiff_t>(length);
    }

private:
    indexed_source_file() = default;
    int fd_ = -1;
    std::unique_ptr<input_file> held_;
};

// The indexed sources: those still as indexed (size and content hash), the others
// with the reason they cannot be used. A source's path is stored as it was typed when the index
// was built, relative to the folder of that run; it is looked for as stored (relative to the
// current folder) and, when that is not the indexed file, relative to the index's own folder, so
// an index kept beside its corpus works from anywhere. Only a file with the indexed size and
// content hash is used, so looking in a second place can never take another file for it.
struct indexed_sources {
    std::vector<std::unique_ptr<indexed_source_file>> files;  // null: not usable
    std::vector<std::string> reasons;
};

indexed_sources check_sources(const ditto::stored_index& index, const std::string& index_path, ditto::thread_pool& pool) {
    namespace fs = std::filesystem;
    indexed_sources s;
    const fs::path index_folder = fs::path(index_path).parent_path();
    for (const auto& source : index.sources) {
        std::vector<std::string> places{source.path};
        const fs::path stored(source.path);
        if (stored.is_relative() && !index_folder.empty()) {
            std::error_code ec;
            const fs::path beside = index_folder / stored;
            if (fs::weakly_canonical(beside, ec) != fs::weakly_canonical(stored, ec) || ec) places.push_back(beside.string());
        }
        std::unique_ptr<indexed_source_file> f;
        std::string reason;
        for (std::size_t at = 0; at < places.size() && f == nullptr; ++at) {
            std::string why;
            f = indexed_source_file::open(places[at], source, pool, why);
            if (at == 0) reason = why;
            else if (!why.empty()) reason += " (nor as '" + escape_text(places[at]) + "' beside the index: " + why + ")";
        }
        if (f != nullptr) reason.clear();
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
        chunking.restore = true;
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
            records.push_back({r.record.text, id, r.record.id_kind, f, r.line, r.begin, r.end, r.original,
                               r.record.text_form, r.record.id_form});
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
    const indexed_sources sources = check_sources(index, a.index_path, pool);
    std::vector<new_document> docs(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) docs[i].text = records[i].text;
    const ditto::jsonl_options index_jsonl{a.jsonl.text_field, "", a.jsonl.on_invalid};
    const ditto::against_result found =
        ditto::dedup_against(index, docs, pool, [&](std::uint32_t d, std::string& text) {
            const ditto::index_document& doc = index.documents[d];
            const indexed_source_file* f = sources.files[doc.source].get();
            // The document's bytes are its whole JSONL line: parsed (in a copy) for its text field.
            std::string line;
            if (f == nullptr || !f->read(doc.offset, static_cast<std::size_t>(doc.length), line)) return false;
            try {
                ditto::jsonl_parser parser(index_jsonl);
                text = std::string(parser.parse(line.data(), line.size(), 1).text);
            } catch (const ditto::parse_error&) {
                return false;
            }
            return true;
        });

    // New documents are grouped by normalized text (found.exact_of: units, each named by its
    // first document) and indexed documents by text (found.indexed_of: parts); every decision
    // below is made once per unit, so nothing grows with the product of two groups' sizes
    // except the full pairs asked for with --exact-pairs full, which are written as they are made.
    const std::size_t n = records.size();
    const ditto::against_groups groups(found);
    const auto& exact_of = found.exact_of;
    std::vector<std::uint8_t> matched(n, 0);  // per unit: it matches the index
    for (const auto& m : found.matches) matched[m.document] = 1;
    std::vector<bool> keep(n);
    std::vector<std::size_t> earlier(n, n);  // with --also-within: the kept new document it copies
    ditto::dedup_result within;
    std::vector<std::vector<std::pair<std::size_t, double>>> similar_units;  // --also-within: per unit
    if (a.also_within) {
        // The rule: in input order, a new document is removed when it matches the index or a new
        // document before it that is kept. Within a unit only the first can be kept (the others
        // copy it, or what it copies), so the rule runs over units: a unit is kept when it
        // matches nothing in the index and no earlier kept unit is similar to it; a removed
        // document copies the lowest kept document similar to it (its unit's first when that is
        // kept, else the lowest kept unit similar to its unit).
        ditto::dedup_options o = a.dedup;
        o.collect_pairs = true;
        within = ditto::dedup(docs, o, pool);
        if (within.exact_of != exact_of)
            throw std::logic_error("dedup and dedup_against group the new documents differently");
        similar_units.resize(n);
        for (const auto& p : within.pairs) {
            if (exact_of[p.second] != p.second) continue;  // an exact duplicate: its unit
            similar_units[p.first].emplace_back(p.second, p.similarity);
            similar_units[p.second].emplace_back(p.first, p.similarity);
        }
        std::vector<bool> kept_unit(n, false);
        std::vector<std::size_t> copies_unit(n, n);
        for (std::size_t f = 0; f < n; ++f) {
            if (exact_of[f] != f || matched[f]) continue;
            std::size_t lowest = n;
            for (const auto& [g, s] : similar_units[f])
                if (g < f && kept_unit[g]) lowest = std::min(lowest, g);
            kept_unit[f] = lowest == n;
            copies_unit[f] = lowest;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t f = exact_of[i];
            keep[i] = i == f && kept_unit[f];
            if (!keep[i] && !matched[f]) earlier[i] = kept_unit[f] ? f : copies_unit[f];
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) keep[i] = !matched[exact_of[i]];
    }
    auto indexed_id = [&](std::uint32_t d) { return json_string(index.documents[d].id); };
    // The best match of a new document: highest similarity, then lowest indexed number (a part
    // is named by its lowest document, so this is the lowest of every tied indexed document).
    // Once per unit: a unit's documents share it.
    std::vector<const ditto::against_match*> best_of_unit(a.mode == against_mode::clusters ? n : 0, nullptr);
    if (a.mode == against_mode::clusters)
        for (const auto& m : found.matches) {
            const ditto::against_match*& b = best_of_unit[m.document];
            if (b == nullptr || m.similarity > b->similarity) b = &m;
        }
    auto best = [&](std::size_t i) { return best_of_unit[exact_of[i]]; };

    char number[32];
    auto row = [&](std::string_view first, std::string_view second, double similarity, std::string_view how) {
        std::snprintf(number, sizeof number, "\t%.4f\t", similarity);
        out.write(first);
        out.write("\t");
        out.write(second);
        out.write(number);
        out.write(how);
        out.write("\n");
    };
    auto new_id = [&](std::size_t i) { return escape_text(records[i].id); };
    auto stored_id = [&](std::uint32_t d) { return escape_text(index.documents[d].id); };
    if (a.mode == against_mode::lines) {
        std::string restored;
        for (std::size_t i = 0; i < n; ++i) {
            if (!keep[i]) continue;
            const auto& r = records[i];
            const std::string_view parsed(inputs[r.file].file->data() + r.begin, r.end - r.begin);
            if (r.original == ditto::jsonl_not_kept) {
                out.write(parsed);
            } else if (r.original == ditto::jsonl_restored) {  // written back from its decoded text
                ditto::jsonl_record as_parsed;
                as_parsed.text = r.text;
                as_parsed.id = r.id;
                as_parsed.id_kind = r.id_kind;
                as_parsed.text_form = r.text_form;
                as_parsed.id_form = r.id_form;
                restored.clear();
                ditto::restore_jsonl_line(parsed, as_parsed, restored);
                out.write(restored);
            } else {
                out.write(originals.get(r.original, r.end - r.begin));
            }
            out.write("\n");
        }
    } else if (a.mode == against_mode::pairs && a.full_pairs) {
        // Every pair: new id, indexed id, similarity, "exact" or "estimated", in new-document
        // order then indexed number; then (--also-within) every pair of new documents, "within",
        // the earlier first, in (earlier, later) order. Written as made.
        groups.for_each_match([&](const ditto::against_match& m) {
            row(new_id(m.document), stored_id(m.indexed), m.similarity, m.estimated ? "estimated" : "exact");
        });
        if (a.also_within) {
            std::vector<std::pair<std::size_t, double>> partners;
            for (std::size_t i = 0; i < n; ++i) {
                partners.clear();
                const std::size_t f = exact_of[i];
                const auto later = [&](std::span<const std::size_t> members, double s) {
                    for (auto it = std::upper_bound(members.begin(), members.end(), i); it != members.end(); ++it)
                        partners.emplace_back(*it, s);
                };
                later(groups.new_members(f), 1.0);
                for (const auto& [g, s] : similar_units[f]) later(groups.new_members(g), s);
                std::sort(partners.begin(), partners.end());
                const std::string mine = new_id(i);
                for (const auto& [j, s] : partners) row(mine, new_id(j), s, "within");
            }
        }
    } else if (a.mode == against_mode::pairs) {
        // Compact: a new document whose normalized text an earlier one has is listed once, as
        // "first <TAB> it <TAB> 1.0000 <TAB> same" (when the first has rows), and the first
        // stands for it in every other row; likewise an indexed document standing in for a lower
        // one, as "lowest <TAB> it <TAB> 1.0000 <TAB> indexed-same", after the other rows.
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t f = exact_of[i];
            if (i == f) {
                const std::string mine = new_id(i);
                for (const auto& m : groups.matches_of(i))
                    row(mine, stored_id(m.indexed), m.similarity, m.estimated ? "estimated" : "exact");
            } else if (matched[f] || a.also_within) {
                row(new_id(f), new_id(i), 1.0, "same");
            }
        }
        if (a.also_within)
            for (const auto& p : within.pairs)
                if (exact_of[p.second] == p.second) row(new_id(p.first), new_id(p.second), p.similarity, "within");
        std::vector<std::uint32_t> parts;
        for (const auto& m : found.matches) parts.push_back(m.indexed);
        std::sort(parts.begin(), parts.end());
        parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
        for (const std::uint32_t d : parts) {
            const std::string lowest = stored_id(d);
            for (const std::uint32_t c : groups.indexed_members(d))
                if (c != d) row(lowest, stored_id(c), 1.0, "indexed-same");
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
        // Each removed document: its matches in the index, a part of indexed copies on one line;
        // a document whose text an earlier new document has points at it instead of repeating
        // its matches.
        std::size_t removed = 0;
        std::string o;
        for (std::size_t i = 0; i < n; ++i) {
            if (keep[i]) continue;
            ++removed;
            o.clear();
            o += new_id(i) + "\n";
            const std::size_t f = exact_of[i];
            if (f != i && matched[f]) {
                o += "  same text as new document " + new_id(f) + "\n";
            } else {
                for (const auto& m : groups.matches_of(i)) {
                    std::snprintf(number, sizeof number, "%.4f", m.similarity);
                    o += "  in the index: " + stored_id(m.indexed) + " (" + number + (m.estimated ? ", estimated)" : ")");
                    const std::size_t copies = groups.indexed_members(m.indexed).size() - 1;
                    if (copies > 0) o += " and " + count(copies, "copy", "copies") + " of it";
                    o += "\n";
                }
            }
            if (earlier[i] != n) o += "  copies new document " + new_id(earlier[i]) + "\n";
            out.write(o);
        }
        out.write(count(n, "new document", "new documents") + ", " + count(removed, "removed", "removed") + ", " +
                  count(n - removed, "kept", "kept") + "\n");
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
                     count(static_cast<std::size_t>(groups.pair_count()), "match", "matches").c_str(),
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
