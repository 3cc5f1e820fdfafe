// `ditto index`: stored indexes (docs/format.md) of JSONL corpora. build sketches documents with
// the text pipeline and parameters of `ditto dedup`; add continues an index; merge joins two;
// info prints what an index holds after checking all of it.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <ditto/dedup.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>
#include <ditto/store/parameters.hpp>
#include <ditto/text/normalize.hpp>

#include "cli.hpp"

namespace ditto_cli {

namespace {

constexpr const char* index_help = "ditto index --help";
constexpr const char* build_help = "ditto index build --help";
constexpr const char* add_help = "ditto index add --help";
constexpr const char* merge_help = "ditto index merge --help";
constexpr const char* info_help = "ditto index info --help";

// The options of build and add: what dedup's sketching takes, and how to read the input.
struct sketch_arguments {
    ditto::dedup_options dedup;
    ditto::jsonl_options jsonl;
    std::size_t threads = 0;
    bool quiet = false;
};

// Handles an input or running option shared by build and add; false when r is at another one.
bool parse_sketch_option(argument_reader& r, sketch_arguments& a) {
    const std::string_view name = r.name();
    if (parse_input_option(r, a.jsonl)) {
    } else if (name == "--threads") {
        a.threads = parse_size(name, r.value(), 1, 4096, r.help_command());
    } else if (name == "-q" || name == "--quiet") {
        r.flag();
        a.quiet = true;
    } else {
        return false;
    }
    return true;
}

void check_sketch_arguments(const sketch_arguments& a, const std::string& help) {
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", help);
    check_similarity_options(a.dedup, help);
}

// An input operand: a file (standard input cannot be indexed: its texts could not be read again).
// An index operand likewise: an index is read whole and, for add, replaced.
void check_input_operand(std::string_view path, const std::string& help, bool index = false) {
    if (path == "-")
        throw usage_error(index ? "an index cannot be read from standard input: name a file"
                                : "standard input cannot be indexed: name a file",
                          help);
}

std::string quoted(std::string_view path) { return "'" + escape_text(path) + "'"; }

// Refuses to combine an index with other parameters, naming every field that differs.
void check_same_parameters(const ditto::index_parameters& have, const ditto::index_parameters& want,
                           const std::string& what) {
    const auto differ = ditto::differing_parameters(have, want);
    if (differ.empty()) return;
    std::string names;
    for (const auto name : differ) names.append(names.empty() ? "" : ", ").append(name);
    throw data_error(what + ": the parameters differ (" + names + ")");
}

// "1 document", "2 documents".
std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// Sketches each document of the JSONL file at path and adds it (and the file as a source) to
// the builder. The index's documents are the file's records in order: offset and length are
// those of the record's line (without its "\n"), the text hash is hash128 of the decoded text,
// the id is the id field's text or, for a record without it, the line number (as dedup names
// documents).
std::size_t add_file(ditto::index_builder& builder, const std::string& path, const sketch_arguments& a,
                     ditto::thread_pool& pool) {
    input_file input(path, {}, &pool);
    // Hashed before parsing, which decodes strings in place.
    const ditto::content_hash file_hash = ditto::hash128(std::string_view(input.data(), input.size()));
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::clamp<std::size_t>(input.size() / (pool.concurrency() * 16), std::size_t{256} << 10,
                                                   std::size_t{8} << 20);
    ditto::jsonl_lines parsed = ditto::parse_jsonl(input.data(), input.text_start(), input.size(), a.jsonl, pool, chunking);
    if (!parsed.bad.empty()) throw data_error(input.located(parsed.bad.front().error));
    const auto& records = parsed.records;
    const std::size_t n = records.size();

    std::vector<std::string> ids(n);
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = records[i];
        ids[i] = r.record.id_kind == ditto::json_id_kind::none ? std::to_string(r.line) : std::string(r.record.id);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto [it, inserted] = seen.emplace(ids[i], i);
        if (!inserted)
            throw data_error(input.display_name() + ":" + std::to_string(records[i].line) + ": id \"" +
                             escape_text(ids[i]) + "\" is also the id of line " + std::to_string(records[it->second].line));
    }

    // Sketched as dedup sketches (ditto/store/dedup_against.hpp: index_sketcher).
    const ditto::index_sketcher sketcher(builder.parameters());
    const std::size_t k = a.dedup.sketch_size;
    std::vector<std::uint64_t> signatures(n * k);
    const std::size_t tasks = std::min(n, pool.concurrency() * 8);
    pool.bulk(tasks, [&](std::size_t task) {
        std::string scratch;
        std::vector<std::uint64_t> hashes;
        for (std::size_t i = task * n / tasks; i < (task + 1) * n / tasks; ++i) {
            sketcher.shingles(records[i].record.text, scratch, hashes);
            sketcher.sign(hashes, std::span<std::uint64_t>(signatures.data() + i * k, k));
        }
    });

    const std::uint64_t source = builder.add_source(ditto::index_source{path, input.size(), file_hash});
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = records[i];
        ditto::index_document d{source, r.begin, r.end - r.begin, ditto::hash128(r.record.text), std::move(ids[i])};
        builder.add_document(std::move(d), std::span<const std::uint64_t>(signatures.data() + i * k, k));
    }
    return n;
}

// The index written through out (a temporary file renamed at commit); returns its bytes.
std::uint64_t write_through(output& out, const ditto::stored_index& index) {
    std::ostringstream bytes;
    const std::uint64_t size = ditto::write_index(bytes, index);
    out.write(bytes.view());
    out.commit();
    return size;
}

const char* sketch_options_help =
    "Similarity (as 'ditto dedup'; an index records them and refuses others):\n"
    "  --threshold T       Jaccard similarity threshold, 0 < T <= 1 (default 0.8)\n"
    "  --ngram K           words per shingle, 1..1024 (default 5)\n"
    "  --sketch-size N     MinHash slots, 1..4096 (default 128)\n"
    "  --recall R          chance that a pair at the threshold shares a band, 0 < R < 1\n"
    "                      (default 0.995)\n"
    "\n"
    "Input:\n"
    "  --text-field NAME   the field holding the text (default: text)\n"
    "  --id-field NAME     the field holding the id (default: id): a string or a number; a record\n"
    "                      without it has its 1-based line number; ids are unique within a file\n"
    "  --invalid-utf8 replace|error\n"
    "                      ill-formed UTF-8: replace with U+FFFD (default) or stop with an error\n"
    "\n"
    "Running:\n"
    "  --threads N         worker threads, 1..4096 (default: all cores)\n"
    "  -q, --quiet         no summary on standard error\n"
    "  -h, --help          show this help\n";

void print_build_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto index build [OPTIONS] CORPUS.jsonl... -o INDEX.didx\n"
        "Sketch every document of the JSONL files, as 'ditto dedup' would, and store the sources\n"
        "(path as given, size, content hash), the documents (line offset and length, text hash,\n"
        "id), their signatures and band keys in an index file (docs/format.md).\n"
        "\n"
        "  -o, --output FILE   the index to write (required): replaced at the end through a\n"
        "                      temporary file in its folder\n"
        "\n",
        out);
    std::fputs(sketch_options_help, out);
    std::fputs("Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n", out);
}

void print_add_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto index add [OPTIONS] INDEX.didx MORE.jsonl...\n"
        "Add the documents of the JSONL files to an index, sketched with its parameters: the\n"
        "similarity options not given are the index's, those given must equal them (a mismatch\n"
        "names each differing field). The index is replaced through a temporary file; the result\n"
        "is the index one build over all the files would give.\n"
        "\n",
        out);
    std::fputs(sketch_options_help, out);
    std::fputs("Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n", out);
}

void print_merge_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto index merge [OPTIONS] A.didx B.didx -o C.didx\n"
        "Join two indexes made with the same parameters (a mismatch names each differing field):\n"
        "A's sources and documents, then B's, ids kept; nothing is sketched again. The result is\n"
        "the index one build over A's files and then B's would give.\n"
        "\n"
        "  -o, --output FILE   the index to write (required); may be A or B\n"
        "  -q, --quiet         no summary on standard error\n"
        "  -h, --help          show this help\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

void print_info_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto index info [OPTIONS] INDEX.didx\n"
        "Read and check all of an index (header, every section's checksum and structure, footer)\n"
        "and print its version, parameters, counts and section sizes. A damaged or truncated file\n"
        "is an error (exit status 1) saying what is wrong and where.\n"
        "\n"
        "  -h, --help          show this help\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run_build(const std::vector<std::string_view>& args) {
    sketch_arguments a;
    std::vector<std::string> inputs;
    std::string output_path, output_option = "-o";
    bool help = false;
    argument_reader r(args, build_help);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            check_input_operand(r.argument(), build_help);
            inputs.emplace_back(r.argument());
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (parse_output_option(r, output_path, output_option)) {
        } else if (parse_similarity_option(r, a.dedup) || parse_sketch_option(r, a)) {
        } else {
            r.unknown();
        }
    }
    if (help) {
        print_build_help(stdout);
        return 0;
    }
    if (inputs.empty()) throw usage_error("no input files", build_help);
    if (output_path.empty()) throw usage_error("no index to write: give -o INDEX.didx", build_help);
    check_sketch_arguments(a, build_help);
    output out(output_path, output_option);

    ditto::thread_pool pool(a.threads);
    ditto::index_builder builder(ditto::index_parameters_for(a.dedup));
    std::size_t documents = 0;
    for (const auto& path : inputs) documents += add_file(builder, path, a, pool);
    const ditto::stored_index index = std::move(builder).finish();
    const std::uint64_t bytes = write_through(out, index);
    if (!a.quiet)
        std::fprintf(stderr, "ditto: indexed %s from %s: %llu bytes\n", count(documents, "document", "documents").c_str(),
                     count(inputs.size(), "file", "files").c_str(), static_cast<unsigned long long>(bytes));
    return 0;
}

int run_add(const std::vector<std::string_view>& args) {
    sketch_arguments a;
    std::vector<std::string> operands;
    bool help = false;
    std::vector<std::string> given;  // the similarity options given
    argument_reader r(args, add_help);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            check_input_operand(r.argument(), add_help, operands.empty());
            operands.emplace_back(r.argument());
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (const std::string option(name); parse_similarity_option(r, a.dedup)) {
            given.push_back(option);
        } else if (parse_sketch_option(r, a)) {
        } else {
            r.unknown();
        }
    }
    if (help) {
        print_add_help(stdout);
        return 0;
    }
    if (operands.empty()) throw usage_error("no index given", add_help);
    if (operands.size() < 2) throw usage_error("no input files to add to " + quoted(operands[0]), add_help);
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", add_help);
    const std::string& index_path = operands[0];
    output out(index_path, "index");

    ditto::stored_index existing = load_index(index_path);
    // Sketched with the index's parameters: the similarity options not given are the index's;
    // those given must equal them.
    index_options(index_path, existing.parameters, given, a.dedup, add_help);

    ditto::thread_pool pool(a.threads);
    const std::size_t before = existing.documents.size();
    ditto::index_builder builder(std::move(existing));
    std::size_t documents = 0;
    for (std::size_t i = 1; i < operands.size(); ++i) documents += add_file(builder, operands[i], a, pool);
    const ditto::stored_index index = std::move(builder).finish();
    const std::uint64_t bytes = write_through(out, index);
    if (!a.quiet)
        std::fprintf(stderr, "ditto: added %s to an index of %s: %llu bytes\n",
                     count(documents, "document", "documents").c_str(), count(before, "document", "documents").c_str(),
                     static_cast<unsigned long long>(bytes));
    return 0;
}

int run_merge(const std::vector<std::string_view>& args) {
    std::vector<std::string> operands;
    std::string output_path, output_option = "-o";
    bool help = false, quiet = false;
    argument_reader r(args, merge_help);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            check_input_operand(r.argument(), merge_help, true);
            operands.emplace_back(r.argument());
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else if (parse_output_option(r, output_path, output_option)) {
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            quiet = true;
        } else {
            r.unknown();
        }
    }
    if (help) {
        print_merge_help(stdout);
        return 0;
    }
    if (operands.size() != 2)
        throw usage_error("merge takes two indexes, got " + std::to_string(operands.size()), merge_help);
    if (output_path.empty()) throw usage_error("no index to write: give -o C.didx", merge_help);
    output out(output_path, output_option);
    const ditto::stored_index a = load_index(operands[0]);
    const ditto::stored_index b = load_index(operands[1]);
    check_same_parameters(a.parameters, b.parameters,
                          "cannot merge " + escape_text(operands[0]) + " and " + escape_text(operands[1]));
    if (a.documents.size() + b.documents.size() >= std::numeric_limits<std::uint32_t>::max())
        throw data_error("cannot merge: more than 2^32 - 2 documents");
    const ditto::stored_index merged = ditto::merge(a, b);
    const std::uint64_t bytes = write_through(out, merged);
    if (!quiet)
        std::fprintf(stderr, "ditto: merged %s: %llu bytes\n",
                     count(merged.documents.size(), "document", "documents").c_str(),
                     static_cast<unsigned long long>(bytes));
    return 0;
}

const char* case_folding_name(ditto::case_folding c) {
    switch (c) {
        case ditto::case_folding::none: return "none";
        case ditto::case_folding::simple: return "simple";
        default: return "full";
    }
}
const char* invalid_name(ditto::invalid_utf8 v) {
    switch (v) {
        case ditto::invalid_utf8::replace: return "replace";
        case ditto::invalid_utf8::error: return "error";
        default: return "skip";
    }
}
const char* sketch_name(ditto::sketch_kind s) {
    switch (s) {
        case ditto::sketch_kind::fast: return "fast";
        case ditto::sketch_kind::oph: return "oph";
        case ditto::sketch_kind::superminhash: return "superminhash";
        default: return "classic";
    }
}

// The shortest decimal form that reads back as v.
std::string shortest(double v) {
    char buffer[32];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
        if (std::strtod(buffer, nullptr) == v) break;
    }
    return buffer;
}

int run_info(const std::vector<std::string_view>& args) {
    std::vector<std::string> operands;
    bool help = false;
    argument_reader r(args, info_help);
    while (r.next()) {
        const std::string_view name = r.name();
        if (r.is_operand()) {
            check_input_operand(r.argument(), info_help, true);
            operands.emplace_back(r.argument());
        } else if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
        } else {
            r.unknown();
        }
    }
    if (help) {
        print_info_help(stdout);
        return 0;
    }
    if (operands.size() != 1)
        throw usage_error("info takes one index, got " + std::to_string(operands.size()), info_help);
    const std::string& path = operands[0];
    const ditto::stored_index index = load_index(path);
    // Checked whole by load_index: the header and its section table can be taken as they are.
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> header(ditto::store::offset_section_table);
    if (!in.read(reinterpret_cast<char*>(header.data()), static_cast<std::streamsize>(header.size())))
        throw data_error("cannot read " + quoted(path));
    const std::uint32_t sections = ditto::detail::get_u32(header.data() + ditto::store::offset_section_count);
    std::vector<unsigned char> table(std::size_t{sections} * ditto::store::section_entry_bytes);
    if (!in.read(reinterpret_cast<char*>(table.data()), static_cast<std::streamsize>(table.size())))
        throw data_error("cannot read " + quoted(path));
    in.seekg(0, std::ios::end);
    const auto file_bytes = static_cast<unsigned long long>(in.tellg());

    const ditto::index_parameters& p = index.parameters;
    std::string o;
    char line[256];
    auto add = [&](const char* format, auto... values) {
        std::snprintf(line, sizeof line, format, values...);
        o += line;
    };
    o += "index " + escape_text(path) + "\n";
    add("  version             %u.%u\n", unsigned{ditto::detail::get_u16(header.data() + ditto::store::offset_major)},
        unsigned{ditto::detail::get_u16(header.data() + ditto::store::offset_minor)});
    add("  file size           %llu bytes\n", file_bytes);
    o += "  checksums           verified (header and every section)\n";
    o += "parameters\n";
    add("  shingles            %s, %u\n", p.shingles == ditto::shingle_kind::words ? "words" : "characters",
        unsigned{p.shingle_size});
    add("  case folding        %s\n", case_folding_name(p.normalization.case_fold));
    add("  fold punctuation    %s\n", p.normalization.fold_punctuation ? "yes" : "no");
    add("  collapse whitespace %s\n", p.normalization.collapse_whitespace ? "yes" : "no");
    add("  strip diacritics    %s\n", p.normalization.strip_diacritics ? "yes" : "no");
    add("  fold compatibility  %s\n", p.normalization.fold_compatibility ? "yes" : "no");
    add("  invalid UTF-8       %s\n", invalid_name(p.normalization.on_invalid));
    add("  text pipeline       %llu (revision %llu, Unicode %llu.%llu.%llu)%s\n",
        static_cast<unsigned long long>(p.text_pipeline), static_cast<unsigned long long>(p.text_pipeline >> 32),
        static_cast<unsigned long long>((p.text_pipeline >> 16) & 0xffff),
        static_cast<unsigned long long>((p.text_pipeline >> 8) & 0xff),
        static_cast<unsigned long long>(p.text_pipeline & 0xff),
        p.text_pipeline == ditto::text_pipeline_id ? "" : " (not this program's)");
    add("  seed                %llu\n", static_cast<unsigned long long>(p.seed));
    add("  sketch              %s, %u slots of %u bits\n", sketch_name(p.sketch), unsigned{p.slots}, unsigned{p.slot_bits});
    add("  bands x rows        %zu x %zu\n", p.lsh.bands, p.lsh.rows);
    o += "  threshold           " + shortest(p.threshold) + "\n";
    o += "  recall              " + shortest(p.recall) + "\n";
    o += "counts\n";
    add("  sources             %zu\n", index.sources.size());
    add("  documents           %zu\n", index.documents.size());
    add("  band records        %zu\n", index.band_records.size());
    o += "sections\n";
    for (std::uint32_t s = 0; s < sections; ++s) {
        const unsigned char* e = table.data() + std::size_t{s} * ditto::store::section_entry_bytes;
        const std::uint32_t kind = ditto::detail::get_u32(e);
        const std::string_view name = ditto::store::section_name(kind);
        const std::string label = name.empty() ? "kind " + std::to_string(kind) + " (skipped)" : std::string(name);
        add("  %-19s %llu bytes at %llu, %llu items, CRC-32C %08x\n", label.c_str(),
            static_cast<unsigned long long>(ditto::detail::get_u64(e + 16)),
            static_cast<unsigned long long>(ditto::detail::get_u64(e + 8)),
            static_cast<unsigned long long>(ditto::detail::get_u64(e + 24)), unsigned{ditto::detail::get_u32(e + 4)});
    }
    std::fputs(o.c_str(), stdout);
    return 0;
}

}  // namespace

// Opens an index file for reading and reads it, every failure a data_error naming the file.
ditto::stored_index load_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw data_error("cannot open " + quoted(path) + ": " + std::strerror(errno));
    try {
        return ditto::read_index(in);
    } catch (const ditto::format_error& e) {
        std::string_view what = e.what();
        if (what.starts_with("ditto index: ")) what.remove_prefix(13);
        throw data_error(escape_text(path) + ": not a valid index: " + std::string(what));
    } catch (const std::ios_base::failure& e) {
        throw data_error("cannot read " + quoted(path) + ": " + e.what());
    }
}

void index_options(const std::string& index_path, const ditto::index_parameters& p, const std::vector<std::string>& given,
                   ditto::dedup_options& o, const std::string& help) {
    if (p.shingles != ditto::shingle_kind::words || p.sketch != ditto::sketch_kind::fast || p.slot_bits != 32 ||
        p.slots > 4096)
        throw data_error(escape_text(index_path) + ": its documents were sketched in a way this tool does not sketch "
                         "(shingle kind, sketch kind, slot bits or slots)");
    const auto is_given = [&](std::string_view option) {
        return std::find(given.begin(), given.end(), option) != given.end();
    };
    if (!is_given("--threshold")) o.threshold = p.threshold;
    if (!is_given("--recall")) o.recall = p.recall;
    if (!is_given("--ngram")) o.ngram = p.shingle_size;
    if (!is_given("--sketch-size")) o.sketch_size = p.slots;
    o.normalization = p.normalization;
    o.seed = p.seed;
    check_similarity_options(o, help);
    // Options given that the index was not built with are a usage error (exit 2); a difference
    // no option can make (the text pipeline of another version) is one of the index (exit 1).
    // Either way the message names every differing field.
    const auto differ = ditto::differing_parameters(p, ditto::index_parameters_for(o));
    if (differ.empty()) return;
    std::string names;
    bool from_options = false;
    for (const auto name : differ) {
        names.append(names.empty() ? "" : ", ").append(name);
        from_options = from_options || name != "text pipeline";
    }
    if (given.empty()) throw data_error(escape_text(index_path) + ": the parameters differ (" + names + ")");
    const std::string message = escape_text(index_path) + " was built with other options: the parameters differ (" + names + ")";
    if (from_options) throw usage_error(message, help);
    throw data_error(message);
}

void print_index_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto index COMMAND [OPTIONS] [ARGS]\n"
        "Stored indexes of JSONL corpora: signatures and band keys kept on disk (docs/format.md).\n"
        "\n"
        "Commands:\n"
        "  build CORPUS.jsonl... -o X.didx   sketch the documents (as 'ditto dedup') into an index\n"
        "  add X.didx MORE.jsonl...          add documents to an index, with its parameters\n"
        "  merge A.didx B.didx -o C.didx     join two indexes with the same parameters\n"
        "  info X.didx                       check an index and print its parameters and sizes\n"
        "\n"
        "Run 'ditto index COMMAND --help' for a command's options.\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run_index(const std::vector<std::string_view>& args) {
    if (args.empty()) throw usage_error("index needs a command: build, add, merge or info", index_help);
    const std::string_view command = args[0];
    const std::vector<std::string_view> rest(args.begin() + 1, args.end());
    if (command == "-h" || command == "--help") {
        print_index_help(stdout);
        return 0;
    }
    if (command == "build") return run_build(rest);
    if (command == "add") return run_add(rest);
    if (command == "merge") return run_merge(rest);
    if (command == "info") return run_info(rest);
    throw usage_error("unknown index command '" + escape_text(command) + "'", index_help);
}

}  // namespace ditto_cli
