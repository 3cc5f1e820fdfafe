// `ditto sketch`: the pipeline's per-text work (hashes, band keys, prefilter slots) for one part
// of a JSONL file, written to a sketch file, so that the parts can be sketched on many machines
// and `ditto dedup --sketches` finish the run; and the reading of those files.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <ditto/dedup.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/parallel.hpp>
#include <ditto/store/crc32c.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/parameters.hpp>

#include "cli.hpp"
#include "input_files.hpp"
#include "sketch_file.hpp"

namespace ditto_cli {

namespace {

constexpr std::string_view sketch_magic{"DITTOSKT", 8};
constexpr std::string_view sketch_footer_magic{"SKETCHED", 8};
constexpr std::uint16_t sketch_major = 2;
constexpr std::uint16_t sketch_minor = 1;  // 2.1: the input's layout at 148
constexpr std::size_t sketch_footer_bytes = 16;
constexpr const char* help_command = "ditto sketch --help";

using ditto::detail::get_u16;
using ditto::detail::get_u32;
using ditto::detail::get_u64;
using ditto::detail::put_u16;
using ditto::detail::put_u32;
using ditto::detail::put_u64;

std::string encode_header(const sketch_header& h) {
    std::string out(static_cast<std::size_t>(h.header_bytes()), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    std::memcpy(p, sketch_magic.data(), 8);
    put_u16(p + 8, sketch_major);
    put_u16(p + 10, sketch_minor);
    put_u32(p + 12, static_cast<std::uint32_t>(h.header_bytes()));
    ditto::detail::encode_parameters(h.parameters, p + 16);
    put_u64(p + 72, h.input_size);
    put_u64(p + 80, h.input_mtime);
    put_u32(p + 88, h.part);
    put_u32(p + 92, h.parts);
    put_u64(p + 96, h.records);
    put_u64(p + 104, h.begin);
    put_u64(p + 112, h.end);
    put_u32(p + 120, (h.skip_invalid ? 1u : 0u) | (h.invalid_utf8_error ? 2u : 0u));
    put_u32(p + 124, static_cast<std::uint32_t>(h.text_field.size()));
    put_u32(p + 128, h.bands);
    put_u32(p + 132, h.slots);
    put_u64(p + 136, h.row_bytes());
    put_u32(p + 144, static_cast<std::uint32_t>(h.id_field.size()));
    put_u32(p + 148, h.input_layout);
    std::memcpy(p + 152, h.text_field.data(), h.text_field.size());
    std::memcpy(p + 152 + (h.text_field.size() + 7) / 8 * 8, h.id_field.data(), h.id_field.size());
    return out;
}

void encode_row(const ditto::text_sketch& s, std::uint64_t line_begin, std::uint64_t line_end, const sketch_header& h,
                unsigned char* p) {
    std::memset(p, 0, static_cast<std::size_t>(h.row_bytes()));
    put_u64(p, s.length);
    put_u64(p + 8, s.bytes.high);
    put_u64(p + 16, s.bytes.low);
    put_u64(p + 24, s.sequence.high);
    put_u64(p + 32, s.sequence.low);
    put_u32(p + 40, s.shingles);
    put_u64(p + 48, line_begin);
    put_u64(p + 56, line_end);
    if (s.shingles == 0) return;
    for (std::size_t b = 0; b < s.keys.size(); ++b) put_u64(p + 64 + 8 * b, s.keys[b]);
}

void decode_row(const unsigned char* p, const sketch_header& h, ditto::text_sketch& s) {
    s.length = get_u64(p);
    s.bytes = {get_u64(p + 8), get_u64(p + 16)};
    s.sequence = {get_u64(p + 24), get_u64(p + 32)};
    s.shingles = get_u32(p + 40);
    if (s.shingles == 0) {
        s.keys.clear();
        s.slots.clear();
        return;
    }
    s.keys.resize(h.bands);
    for (std::size_t b = 0; b < h.bands; ++b) s.keys[b] = get_u64(p + 64 + 8 * b);
    s.slots.clear();  // made again by the pipeline where needed
}

// "P/N" with 0 <= P < N <= 2^20.
void parse_part(std::string_view text, std::uint32_t& part, std::uint32_t& parts) {
    if (!parse_index_of(text, 1u << 20, part, parts))
        throw usage_error("--part must be P/N with 0 <= P < N <= 1048576 (part P of N, counted from 0), got '" +
                              escape_text(text) + "'",
                          help_command);
}

struct sketch_arguments {
    input_argument input;
    std::string output_path;
    std::string output_option = "-o";
    ditto::jsonl_options jsonl;
    ditto::dedup_options dedup;
    std::uint32_t part = 0, parts = 0;
    bool skip_invalid = false;
    bool quiet = false;
    std::size_t threads = 0;
};

void print_sketch_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto sketch --part P/N -o FILE [OPTIONS] INPUT|--manifest LIST\n"
        "Do the per-document work of 'ditto dedup' (read, parse, normalize, shingle, MinHash\n"
        "sketch, band keys) for part P of N of a JSONL file, and write it to a sketch file. The\n"
        "parts can run at the same time on other machines that see the same file; then\n"
        "'ditto dedup --sketches FOLDER INPUT', given the folder holding every part's file\n"
        "(named *.sketch), finishes the run with the same options: its output is the same,\n"
        "byte for byte, as 'ditto dedup INPUT' alone. A part holds the lines that start in the\n"
        "P-th of N equal byte ranges of the file; the task holds its part in memory.\n"
        "\n"
        "  --manifest LIST     instead of INPUT: the files LIST names, as one input (see 'ditto\n"
        "                      dedup --help'); the parts are byte ranges of their sequence, not\n"
        "                      the files, and every stage is given the same LIST\n"
        "  --part P/N          which part, 0 <= P < N (required)\n"
        "  -o, --output FILE   the sketch file (required), written under a temporary name and\n"
        "                      renamed when complete: a task that fails or is stopped never\n"
        "                      leaves a partial file under that name (SIGKILL can leave the\n"
        "                      temporary FILE.tmp-XXXXXX, which --sketches ignores)\n"
        "  --threshold T, --ngram K, --shingle words:K|chars:K, --sketch-size N, --recall R\n"
        "                      as for 'ditto dedup' (MinHash and Jaccard only); 'ditto dedup\n"
        "                      --sketches' must be given the same ones\n"
        "  --text-field NAME, --id-field NAME, --invalid-utf8 replace|error, --skip-invalid\n"
        "                      as for 'ditto dedup'\n"
        "  --threads N         worker threads (default: one per core)\n"
        "  -q, --quiet         no summary on standard error\n"
        "  -h, --help          show this help\n",
        out);
}

sketch_arguments parse_sketch_arguments(const std::vector<std::string_view>& args, bool& help) {
    sketch_arguments a;
    bool have_part = false;
    argument_reader r(args, help_command);
    while (r.next()) {
        if (parse_input_argument(r, a.input)) continue;
        const std::string_view name = r.name();
        if (name == "-h" || name == "--help") {
            r.flag();
            help = true;
            return a;
        }
        if (parse_similarity_option(r, a.dedup) || parse_input_option(r, a.jsonl) ||
            parse_output_option(r, a.output_path, a.output_option))
            continue;
        if (name == "--part") {
            parse_part(r.value(), a.part, a.parts);
            have_part = true;
        } else if (name == "--skip-invalid") {
            r.flag();
            a.skip_invalid = true;
        } else if (name == "--threads") {
            a.threads = parse_size(name, r.value(), 1, 4096, help_command);
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            a.quiet = true;
        } else {
            r.unknown();
        }
    }
    if (!a.input.given) throw usage_error("no input file (or --manifest LIST)", help_command);
    if (a.input.path == "-") throw usage_error("the input must be a file every part can read (not standard input)", help_command);
    if (!have_part) throw usage_error("--part P/N is required", help_command);
    if (a.output_path.empty()) throw usage_error("-o FILE is required", help_command);
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + escape_text(a.jsonl.text_field) + "'",
                          help_command);
    return a;
}

}  // namespace

int run_sketch(const std::vector<std::string_view>& args) {
    bool help = false;
    const sketch_arguments a = parse_sketch_arguments(args, help);
    if (help) {
        print_sketch_help(stdout);
        return 0;
    }
    check_similarity_options(a.dedup, help_command);
    const input_files input(a.input.path, a.input.manifest);
    input.refuse_as_output(a.output_path, a.output_option, help_command);
    output out(a.output_path, a.output_option);
    const std::string& name = input.display_name();
    const std::uint64_t size = input.size();
    const std::uint64_t text_start = input.text_start();
    // The part's lines: those starting in [lo, hi); the first after lo unless a line starts at lo.
    const std::uint64_t lo = part_start(text_start, size, a.part, a.parts);
    const std::uint64_t hi = part_start(text_start, size, a.part + 1, a.parts);
    const auto line_start_at_or_after = [&](std::uint64_t at) -> std::uint64_t {
        if (at <= text_start) return text_start;
        std::vector<char> block(1 << 16);
        for (std::uint64_t pos = at - 1; pos < size;) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - pos));
            input.read(pos, block.data(), n);
            const void* nl = std::memchr(block.data(), '\n', n);
            if (nl) return pos + static_cast<std::uint64_t>(static_cast<const char*>(nl) - block.data()) + 1;
            pos += n;
        }
        return size;
    };
    const std::uint64_t begin = line_start_at_or_after(lo);
    const std::uint64_t end = std::max(begin, a.part + 1 == a.parts ? size : line_start_at_or_after(hi));
    const std::size_t bytes = static_cast<std::size_t>(end - begin);
    std::unique_ptr<char[]> buffer(new char[bytes + 1]);
    input.read(begin, buffer.get(), bytes);

    ditto::thread_pool pool(a.threads);
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::clamp<std::size_t>(bytes / (pool.concurrency() * 16), std::size_t{256} << 10, std::size_t{8} << 20);
    chunking.skip_invalid = a.skip_invalid;
    ditto::jsonl_lines parsed = ditto::parse_jsonl(buffer.get(), 0, bytes, a.jsonl, pool, chunking);
    if (!a.skip_invalid && !parsed.bad.empty()) {
        const ditto::parse_error& e = parsed.bad.front().error;
        const std::uint64_t at = begin + parsed.bad.front().begin + e.column();
        throw data_error(name + ": byte " + std::to_string(at) + (input.is_manifest() && at > 0 ? " = " + input.place(at - 1) : std::string()) +
                         " (line " + std::to_string(e.line()) + " of part " + std::to_string(a.part) + "/" +
                         std::to_string(a.parts) + "): " + e.what());
    }

    sketch_header h;
    h.parameters = ditto::index_parameters_for(a.dedup);
    h.input_size = size;
    h.input_mtime = input.modification_time();
    h.input_layout = input.layout();
    h.part = a.part;
    h.parts = a.parts;
    h.records = parsed.records.size();
    h.begin = begin;
    h.end = end;
    h.skip_invalid = a.skip_invalid;
    h.invalid_utf8_error = a.jsonl.on_invalid == ditto::invalid_utf8::error;
    h.text_field = a.jsonl.text_field;
    h.id_field = a.jsonl.id_field;
    const ditto::text_sketcher<> sketcher(a.dedup);
    h.bands = static_cast<std::uint32_t>(sketcher.key_count());
    h.slots = static_cast<std::uint32_t>(sketcher.slot_count());
    const std::size_t row = static_cast<std::size_t>(h.row_bytes());

    // Rows a window at a time, sketched on the pool, written in order with their checksum.
    ditto::crc32c crc;
    const auto put = [&](std::string_view piece) {
        crc.update(piece);
        out.write(piece);
    };
    put(encode_header(h));
    constexpr std::size_t window = 1 << 14;
    std::vector<unsigned char> rows(std::min<std::size_t>(window, parsed.records.size()) * row);
    for (std::size_t from = 0; from < parsed.records.size(); from += window) {
        const std::size_t to = std::min(parsed.records.size(), from + window);
        const std::size_t tasks = (to - from + 255) / 256;
        pool.bulk(tasks, [&](std::size_t t) {
            ditto::text_sketch s;
            for (std::size_t i = from + t * 256; i < std::min(to, from + (t + 1) * 256); ++i) {
                sketcher(parsed.records[i].record.text, s);
                encode_row(s, begin + parsed.records[i].begin, begin + parsed.records[i].end, h, rows.data() + (i - from) * row);
            }
        });
        put(std::string_view(reinterpret_cast<const char*>(rows.data()), (to - from) * row));
    }
    unsigned char footer[sketch_footer_bytes] = {};
    put_u32(footer, crc.value());
    std::memcpy(footer + 8, sketch_footer_magic.data(), 8);
    out.write(std::string_view(reinterpret_cast<const char*>(footer), sizeof footer));
    // The input as sketched: a file changed meanwhile would give sketches of neither version.
    input.check_unchanged("sketched");
    out.commit();
    if (!a.quiet)
        std::fprintf(stderr, "ditto: part %u/%u of %s: %zu records (bytes %llu to %llu), %zu skipped lines, %llu bytes of sketches\n",
                     a.part, a.parts, name.c_str(), parsed.records.size(), static_cast<unsigned long long>(begin),
                     static_cast<unsigned long long>(end), parsed.bad.size(),
                     static_cast<unsigned long long>(h.header_bytes() + parsed.records.size() * row + sketch_footer_bytes));
    return 0;
}

sketch_files::sketch_files(const std::string& folder, const ditto::index_parameters& expected, std::uint64_t input_size,
                           std::uint32_t input_layout, std::uint64_t input_mtime, const ditto::jsonl_options& input, bool skip_invalid,
                           const std::vector<std::uint64_t>* record_begin, bool check_contents) {
    const std::string where = "--sketches " + escape_text(folder);
    std::error_code ec;
    std::vector<std::string> paths;
    for (std::filesystem::directory_iterator it(folder, ec), last; !ec && it != last; it.increment(ec))
        if (it->path().extension() == ".sketch") paths.push_back(it->path().string());
    if (ec) throw data_error("cannot read the folder " + where + ": " + ec.message());
    if (paths.empty()) throw data_error(where + " holds no sketch file (*.sketch)");
    std::sort(paths.begin(), paths.end());
    // Every part stays open: as many files as the hard limit allows.
    struct rlimit files {};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY && files.rlim_cur < paths.size() + 64) {
        files.rlim_cur = files.rlim_max == RLIM_INFINITY ? paths.size() + 64 : std::min<rlim_t>(files.rlim_max, paths.size() + 64);
        ::setrlimit(RLIMIT_NOFILE, &files);
        if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY && files.rlim_cur < paths.size() + 16)
            throw data_error(where + " holds " + std::to_string(paths.size()) + " sketch files, which must all be open; "
                             "the limit of open files is " + std::to_string(files.rlim_cur) +
                             " (ulimit -n): use fewer, larger parts");
    }
    for (const std::string& path : paths) {
        file f;
        f.path = path;
        const std::string name = escape_text(path);
        // Non-blocking, so a FIFO named *.sketch is refused below instead of waited on.
        f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (f.fd < 0) throw data_error("cannot open " + name + ": " + std::strerror(errno));
        files_.push_back(f);
        struct stat st {};
        if (::fstat(f.fd, &st) != 0) throw data_error("cannot read " + name + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) throw data_error(name + " is not a regular file");
        const auto size = static_cast<std::uint64_t>(st.st_size);
        bytes_ += size;
        const auto corrupt = [&](const std::string& what) { return data_error(name + " is not a complete sketch file: " + what); };
        if (size < 152 + sketch_footer_bytes) throw corrupt("too short");
        // The whole file, checked against its checksum in blocks; or only its header.
        std::vector<char> block(1 << 20);
        ditto::crc32c crc;
        std::string head;
        const std::uint64_t body = size - sketch_footer_bytes;
        if (!check_contents) {
            char start[16];
            if (read_at(f.fd, 0, start, sizeof start) != static_cast<std::ptrdiff_t>(sizeof start)) throw data_error("cannot read " + name);
            const std::uint64_t header = std::max<std::uint64_t>(152, get_u32(reinterpret_cast<const unsigned char*>(start) + 12));
            head.resize(static_cast<std::size_t>(std::min(body, header)));
            if (read_at(f.fd, 0, head.data(), head.size()) != static_cast<std::ptrdiff_t>(head.size())) throw data_error("cannot read " + name);
        }
        for (std::uint64_t pos = 0; check_contents && pos < body;) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), body - pos));
            const std::ptrdiff_t got = read_at(f.fd, pos, block.data(), n);
            if (got != static_cast<std::ptrdiff_t>(n)) throw data_error("cannot read " + name + ": " + (got < 0 ? std::strerror(errno) : "it became shorter"));
            crc.update(std::string_view(block.data(), n));
            if (pos == 0) head.assign(block.data(), n);
            pos += n;
        }
        unsigned char footer[sketch_footer_bytes];
        if (read_at(f.fd, body, reinterpret_cast<char*>(footer), sizeof footer) != static_cast<std::ptrdiff_t>(sizeof footer))
            throw data_error("cannot read " + name);
        const auto* p = reinterpret_cast<const unsigned char*>(head.data());
        if (std::string_view(head.data(), 8) != sketch_magic) throw corrupt("it does not start with DITTOSKT");
        if (std::memcmp(footer + 8, sketch_footer_magic.data(), 8) != 0) throw corrupt("it does not end with SKETCHED (cut short?)");
        if (get_u16(p + 8) != sketch_major)
            throw data_error(name + " is a sketch file of version " + std::to_string(get_u16(p + 8)) + "." +
                             std::to_string(get_u16(p + 10)) + "; this ditto reads version " + std::to_string(sketch_major));
        if (check_contents && get_u32(footer) != crc.value()) throw corrupt("its checksum does not match (damaged)");
        files_.back().crc = get_u32(footer);
        sketch_header& h = files_.back().header;
        std::size_t at = 0;
        const std::string problem = ditto::detail::decode_parameters(p + 16, h.parameters, at);
        if (!problem.empty()) throw corrupt(problem);
        h.input_size = get_u64(p + 72);
        h.input_mtime = get_u64(p + 80);
        h.input_layout = get_u32(p + 148);
        h.part = get_u32(p + 88);
        h.parts = get_u32(p + 92);
        h.records = get_u64(p + 96);
        h.begin = get_u64(p + 104);
        h.end = get_u64(p + 112);
        const std::uint32_t flags = get_u32(p + 120);
        if (flags > 3) throw corrupt("unknown flags");
        h.skip_invalid = (flags & 1u) != 0;
        h.invalid_utf8_error = (flags & 2u) != 0;
        const std::uint64_t text_bytes = get_u32(p + 124), id_bytes = get_u32(p + 144);
        h.bands = get_u32(p + 128);
        h.slots = get_u32(p + 132);
        const std::uint64_t id_at = 152 + (text_bytes + 7) / 8 * 8;
        if (id_at > head.size() || id_bytes > head.size() - id_at) throw corrupt("its field names are too long");
        h.text_field.assign(head.data() + 152, static_cast<std::size_t>(text_bytes));
        h.id_field.assign(head.data() + id_at, static_cast<std::size_t>(id_bytes));
        if (get_u32(p + 12) != h.header_bytes() || get_u64(p + 136) != h.row_bytes() || h.part >= h.parts ||
            h.records > (body - h.header_bytes()) / std::max<std::uint64_t>(1, h.row_bytes()) ||
            h.header_bytes() + h.records * h.row_bytes() != body)
            throw corrupt("its sizes do not add up");
        const std::string differ = ditto::differing_parameter_names(h.parameters, expected);
        if (!differ.empty())
            throw data_error(name + " was sketched with other similarity options (" + differ +
                             "): give 'ditto dedup --sketches' the options 'ditto sketch' was given");
        if (h.bands != expected.lsh.bands || h.slots != expected.slots) throw corrupt("its rows do not fit its parameters");
        // The size must match; the time need not (a copy of the input on other storage): every
        // text is checked against its sketch's hash anyway.
        if (h.input_size != input_size)
            throw data_error(name + " was sketched from another version of the input (of " + std::to_string(h.input_size) +
                             " bytes, not " + std::to_string(input_size) + ")");
        if (h.input_layout != 0 && h.input_layout != input_layout)
            throw data_error(name + " was sketched from another list of files (their number, order or lengths differ, "
                                    "at the same total size)");
        if (h.input_mtime != input_mtime) time_differs_ = true;
        if (h.text_field != input.text_field)
            throw data_error(name + " was sketched from the field \"" + escape_text(h.text_field) + "\", not \"" +
                             escape_text(input.text_field) + "\" (--text-field)");
        if (h.id_field != input.id_field)
            throw data_error(name + " was sketched with the id field \"" + escape_text(h.id_field) + "\", not \"" +
                             escape_text(input.id_field) + "\" (--id-field)");
        if (h.invalid_utf8_error != (input.on_invalid == ditto::invalid_utf8::error))
            throw data_error(name + " was sketched with --invalid-utf8 " + (h.invalid_utf8_error ? "error" : "replace") +
                             "; give 'ditto dedup' the same");
        if (h.skip_invalid != skip_invalid)
            throw data_error(name + std::string(" was sketched ") + (h.skip_invalid ? "with" : "without") +
                             " --skip-invalid; give 'ditto dedup' the same");
    }
    std::sort(files_.begin(), files_.end(), [](const file& x, const file& y) { return x.header.part < y.header.part; });
    const std::uint32_t parts = files_.front().header.parts;
    for (std::size_t i = 0; i < files_.size(); ++i) {
        const sketch_header& h = files_[i].header;
        if (h.parts != parts)
            throw data_error(escape_text(files_[i].path) + " is part " + std::to_string(h.part) + " of " + std::to_string(h.parts) +
                             ", " + escape_text(files_.front().path) + " one of " + std::to_string(parts) + ": one split per folder");
        if (h.part != i)
            throw data_error(where + (h.part < i ? " holds part " + std::to_string(h.part) + " twice (" +
                                                       escape_text(files_[i - 1].path) + ", " + escape_text(files_[i].path) + ")"
                                                 : " lacks part " + std::to_string(i) + " of " + std::to_string(parts)));
    }
    if (files_.size() != parts) throw data_error(where + " lacks part " + std::to_string(files_.size()) + " of " + std::to_string(parts));
    // The parts tile the input, and each holds the records whose lines start in it.
    std::size_t r = 0;
    for (std::size_t i = 0; i < files_.size(); ++i) {
        file& f = files_[i];
        f.first_record = r;
        const sketch_header& h = f.header;
        if ((i > 0 && h.begin != files_[i - 1].header.end) || (i + 1 == files_.size() && h.end != input_size))
            throw data_error(escape_text(f.path) + ": its lines (bytes " + std::to_string(h.begin) + " to " + std::to_string(h.end) +
                             ") do not continue the previous part's");
        if (!record_begin) {
            r += h.records;
            continue;
        }
        std::size_t count = 0;
        while (r < record_begin->size() && (*record_begin)[r] < h.end) {
            if ((*record_begin)[r] < h.begin) break;
            ++r;
            ++count;
        }
        if (count != h.records)
            throw data_error(escape_text(f.path) + " holds " + std::to_string(h.records) + " records; the input has " +
                             std::to_string(count) + " in its lines (was it sketched with other input options?)");
    }
    if (record_begin && r != record_begin->size()) throw data_error(where + ": the parts do not cover every record of the input");
    records_ = r;
    folder_ = folder;
}

// Whether name is what a stage's output ("NAME.sketch", "NAME.result" or "groups") leaves when
// its writer is killed: the name, ".tmp-" and mkstemp's six characters.
static bool sketch_leftover(const std::string& name) {
    if (name.size() < 11 || name.compare(name.size() - 11, 5, ".tmp-") != 0) return false;
    const std::string target = name.substr(0, name.size() - 11);
    const bool stage_output = target == "groups" || (target.size() > 7 && target.ends_with(".sketch")) ||
                              (target.size() > 7 && target.ends_with(".result"));
    return stage_output && std::all_of(name.end() - 6, name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

std::size_t sketch_files::remove_leftovers() {
    std::error_code ec;
    std::vector<std::filesystem::path> leftovers;
    for (std::filesystem::directory_iterator it(folder_, ec), last; !ec && it != last; it.increment(ec))
        if (sketch_leftover(it->path().filename().string()) && it->symlink_status().type() == std::filesystem::file_type::regular)
            leftovers.push_back(it->path());
    if (ec) {  // the parts were read from it: not worth failing the run for
        std::fprintf(stderr, "ditto: warning: cannot read the folder --sketches %s to remove what interrupted tasks left: %s\n",
                     escape_text(folder_).c_str(), ec.message().c_str());
        return 0;
    }
    std::size_t removed = 0;
    for (const std::filesystem::path& path : leftovers) {
        // A task still writing one (a retry, or the same task run twice) holds a lock on it: it
        // stays. A killed writer's lock went with it.
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) continue;  // gone already, or no longer a plain file
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (::unlink(path.c_str()) == 0) {
                ++removed;
            } else if (errno != ENOENT) {  // gone already: another run removed it
                // Not worth failing a run whose parts are all there (a read-only folder, say).
                std::fprintf(stderr, "ditto: warning: cannot remove %s, left by an interrupted task: %s\n",
                             escape_text(path.string()).c_str(), std::strerror(errno));
            }
        }
        ::close(fd);
    }
    return removed;
}

sketch_files::~sketch_files() {
    for (const file& f : files_)
        if (f.fd >= 0) ::close(f.fd);
}

std::uint64_t sketch_files::rows_bytes() const {
    std::uint64_t total = 0;
    for (const file& f : files_) total += f.header.records * f.header.row_bytes();
    return total;
}

void sketch_files::load() {
    for (file& f : files_) {
        const std::size_t bytes = static_cast<std::size_t>(f.header.records * f.header.row_bytes());
        f.rows.resize(bytes);
        const std::ptrdiff_t got = read_at(f.fd, f.header.header_bytes(), reinterpret_cast<char*>(f.rows.data()), bytes);
        if (got < 0) throw data_error("cannot read " + escape_text(f.path) + ": " + std::strerror(errno));
        if (got != static_cast<std::ptrdiff_t>(bytes)) throw data_error(escape_text(f.path) + " became shorter while it was read");
    }
}

std::uint32_t sketch_files::digest() const {
    ditto::crc32c c;
    for (const file& f : files_) {
        unsigned char b[8];
        put_u32(b, f.header.part);
        put_u32(b + 4, f.crc);
        c.update(std::string_view(reinterpret_cast<const char*>(b), 8));
    }
    return c.value();
}

void sketch_files::for_each(const std::function<void(std::size_t, const ditto::text_sketch&)>& f) const {
    ditto::text_sketch s;
    std::vector<char> block;
    for (const file& x : files_) {
        const std::size_t row = static_cast<std::size_t>(x.header.row_bytes());
        constexpr std::size_t per_read = 4096;
        for (std::uint64_t done = 0; done < x.header.records;) {
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(per_read, x.header.records - done));
            const unsigned char* rows = nullptr;
            if (!x.rows.empty()) {
                rows = x.rows.data() + done * row;
            } else {
                block.resize(take * row);
                const std::ptrdiff_t got = read_at(x.fd, x.header.header_bytes() + done * row, block.data(), block.size());
                if (got < 0) throw data_error("cannot read " + escape_text(x.path) + ": " + std::strerror(errno));
                if (static_cast<std::size_t>(got) != block.size())
                    throw data_error(escape_text(x.path) + " became shorter while it was read");
                rows = reinterpret_cast<const unsigned char*>(block.data());
            }
            for (std::size_t r = 0; r < take; ++r) {
                decode_row(rows + r * row, x.header, s);
                f(static_cast<std::size_t>(x.first_record + done + r), s);
            }
            done += take;
        }
    }
}

void sketch_files::sketch(std::size_t i, ditto::text_sketch& out) const {
    std::uint64_t begin = 0, end = 0;
    sketch(i, out, begin, end);
}

void sketch_files::sketch(std::size_t i, ditto::text_sketch& out, std::uint64_t& line_begin, std::uint64_t& line_end) const {
    const auto it = std::upper_bound(files_.begin(), files_.end(), i,
                                     [](std::size_t x, const file& f) { return x < f.first_record; });
    const file& f = *(it - 1);
    const std::size_t row = static_cast<std::size_t>(f.header.row_bytes());
    const auto decode = [&](const unsigned char* p) {
        decode_row(p, f.header, out);
        line_begin = get_u64(p + 48);
        line_end = get_u64(p + 56);
        // A line outside the part's range: a damaged row that the checksum did not catch.
        if (line_begin < f.header.begin || line_end < line_begin || line_end > f.header.end)
            throw data_error(escape_text(f.path) + ": record " + std::to_string(i - f.first_record) +
                             " has a line outside its part's bytes");
    };
    if (!f.rows.empty()) {
        decode(f.rows.data() + (i - f.first_record) * row);
        return;
    }
    thread_local std::vector<char> bytes;
    bytes.resize(row);
    const std::uint64_t offset = f.header.header_bytes() + (i - f.first_record) * row;
    const std::ptrdiff_t got = read_at(f.fd, offset, bytes.data(), row);
    if (got < 0) throw data_error("cannot read " + escape_text(f.path) + ": " + std::strerror(errno));
    if (got != static_cast<std::ptrdiff_t>(row)) throw data_error(escape_text(f.path) + " became shorter while it was read");
    decode(reinterpret_cast<const unsigned char*>(bytes.data()));
}

}  // namespace ditto_cli
