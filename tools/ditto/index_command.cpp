// `ditto index`: stored indexes (docs/format.md) of JSONL corpora. build sketches documents with
// the text pipeline and parameters of `ditto dedup`; add continues an index; merge joins two;
// info prints what an index holds after checking all of it.
#include <algorithm>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <ostream>
#include <streambuf>
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
#include <ditto/store/index_merge.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>
#include <ditto/store/content_hasher.hpp>
#include <ditto/store/parameters.hpp>
#include <ditto/store/spilling_builder.hpp>
#include <ditto/text/normalize.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    const std::string names = ditto::differing_parameter_names(have, want);
    if (!names.empty()) throw data_error(what + ": the parameters differ (" + names + ")");
}

// "1 document", "2 documents".
std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// A file read in blocks, or (when it is not a regular file: its size unknown in advance) whole.
class block_reader {
public:
    explicit block_reader(const std::string& path) : path_(path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw data_error("cannot open " + path + ": " + std::strerror(errno));
        struct stat info {};
        if (::fstat(fd_, &info) != 0) throw data_error("cannot read " + path + ": " + std::strerror(errno));
        regular_ = S_ISREG(info.st_mode);
        size_ = static_cast<std::uint64_t>(info.st_size);
    }
    ~block_reader() {
        if (fd_ >= 0) ::close(fd_);
    }
    block_reader(const block_reader&) = delete;
    block_reader& operator=(const block_reader&) = delete;

    [[nodiscard]] bool regular() const { return regular_; }
    [[nodiscard]] std::uint64_t size() const { return size_; }
    // Up to n bytes into p; 0 at the end.
    std::size_t read(char* p, std::size_t n) {
        for (;;) {
            const ssize_t got = ::read(fd_, p, n);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) throw data_error("error reading " + path_ + ": " + std::strerror(errno));
            return static_cast<std::size_t>(got);
        }
    }
    // The bytes of one line again, by offset.
    std::string line_at(std::uint64_t offset, std::size_t length) {
        std::string bytes(length, '\0');
        const std::ptrdiff_t got = read_at(fd_, offset, bytes.data(), length);
        if (got < 0 || static_cast<std::size_t>(got) < length)
            throw data_error("error reading " + path_ + " again: " + (got < 0 ? std::strerror(errno) : "it shrank"));
        return bytes;
    }

private:
    std::string path_;
    int fd_ = -1;
    bool regular_ = false;
    std::uint64_t size_ = 0;
};

// The first line holding each id of a file: by a 64-bit hash of the id, confirmed by reading
// that line again when the hashes meet (so only the hashes and line places are held). A file
// that cannot be read again (a pipe) keeps the ids themselves.
class id_register {
public:
    struct place {
        std::uint64_t line, offset, length;
    };
    explicit id_register(bool keep_ids) : keep_ids_(keep_ids) {}
    // The line that already holds id, or nullptr (then id is registered at p).
    const place* add(std::string_view id, const place& p, block_reader& file, const ditto::jsonl_options& jsonl) {
        if (keep_ids_) {
            const auto [it, inserted] = kept_.emplace(std::string(id), p);
            return inserted ? nullptr : &it->second;
        }
        const auto [first, last] = seen_.equal_range(ditto::hash64(id));
        for (auto it = first; it != last; ++it) {
            std::string line = file.line_at(it->second.offset, it->second.length);
            ditto::jsonl_parser parser(jsonl);
            const ditto::jsonl_record r = parser.parse(line.data(), line.size(), it->second.line);
            const std::string earlier =
                r.id_kind == ditto::json_id_kind::none ? std::to_string(it->second.line) : std::string(r.id);
            if (earlier == id) return &it->second;
        }
        seen_.emplace(ditto::hash64(id), p);
        return nullptr;
    }

private:
    bool keep_ids_;
    std::unordered_multimap<std::uint64_t, place> seen_;
    std::unordered_map<std::string, place> kept_;
};

// Sketches each document of the JSONL file at path and adds it (and the file as a source) to
// the builder. The index's documents are the file's records in order: offset and length are
// those of the record's line (without its "\n"), the text hash is hash128 of the decoded text,
// the id is the id field's text or, for a record without it, the line number (as dedup names
// documents). The file is read in blocks of about block_bytes (a longer line makes a longer
// block): per block, its lines are parsed and sketched on the pool, and only the index's records
// are kept. The file's content hash is taken as it is read; a file whose size changes meanwhile
// is an error.
std::size_t add_file_streamed(ditto::spilling_index_builder& builder, const std::string& path,
                              const sketch_arguments& a, ditto::thread_pool& pool, std::size_t block_bytes) {
    block_reader file(path);
    std::unique_ptr<input_file> whole;  // a pipe or other non-regular file, read whole
    if (!file.regular()) whole = std::make_unique<input_file>(path, std::function<void(std::size_t)>{}, &pool);
    const std::uint64_t total = whole ? whole->size() : file.size();
    ditto::content_hasher hasher(total);
    const std::uint64_t source = builder.add_source(ditto::index_source{path, total, {}});

    const ditto::index_sketcher sketcher(builder.parameters());
    const std::size_t k = a.dedup.sketch_size;
    ditto::jsonl_chunk_options chunking;
    chunking.chunk_bytes = std::max<std::size_t>(block_bytes / (pool.concurrency() * 4), std::size_t{64} << 10);
    id_register ids(whole != nullptr);
    std::vector<char> buffer(whole ? 0 : block_bytes);
    std::vector<std::uint64_t> signatures;
    std::vector<ditto::content_hash> text_hashes;
    std::uint64_t base = 0;     // the file offset of the block's first byte
    std::size_t lines = 0;      // lines before the block
    std::size_t documents = 0;
    bool bom = false;

    // Parses, sketches and adds the lines of data[start, end) (whole lines), at file offset base.
    const auto add_block = [&](char* data, std::size_t start, std::size_t end) {
        const std::size_t block_lines = count_lines(data, start, end);
        ditto::jsonl_lines parsed = ditto::parse_jsonl(data, start, end, a.jsonl, pool, chunking);
        if (!parsed.bad.empty()) {
            const ditto::parse_error& e = parsed.bad.front().error;
            const std::size_t line = lines + e.line();
            const std::size_t column = e.column() + (line == 1 && bom ? 3 : 0);
            throw data_error(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + e.what());
        }
        const auto& records = parsed.records;
        // Signatures (8 bytes a slot) of at most a block's bytes at a time: short texts would
        // otherwise need many times the block.
        const std::size_t batch = std::max<std::size_t>(block_bytes / (k * 8), 64);
        for (std::size_t from = 0; from < records.size(); from += batch) {
            const std::size_t n = std::min(batch, records.size() - from);
            signatures.resize(n * k);
            text_hashes.resize(n);
            const std::size_t tasks = std::min(n, pool.concurrency() * 8);
            pool.bulk(tasks, [&](std::size_t task) {
                std::string scratch;
                std::vector<std::uint64_t> hashes;
                for (std::size_t i = task * n / tasks; i < (task + 1) * n / tasks; ++i) {
                    const std::string_view text = records[from + i].record.text;
                    sketcher.shingles(text, scratch, hashes);
                    sketcher.sign(hashes, std::span<std::uint64_t>(signatures.data() + i * k, k));
                    text_hashes[i] = ditto::hash128(text);
                }
            });
            for (std::size_t i = 0; i < n; ++i) {
                const auto& r = records[from + i];
                const std::size_t line = lines + r.line;
                std::string id =
                    r.record.id_kind == ditto::json_id_kind::none ? std::to_string(line) : std::string(r.record.id);
                if (const auto* earlier = ids.add(id, {line, base + r.begin, r.end - r.begin}, file, a.jsonl))
                    throw data_error(path + ":" + std::to_string(line) + ": id \"" + escape_text(id) +
                                     "\" is also the id of line " + std::to_string(earlier->line));
                ditto::index_document d{source, base + r.begin, r.end - r.begin, text_hashes[i], std::move(id)};
                builder.add_document(d, std::span<const std::uint64_t>(signatures.data() + i * k, k));
            }
        }
        documents += records.size();
        lines += block_lines;
    };

    if (whole) {
        hasher.update(std::string_view(whole->data(), whole->size()));
        const std::size_t start = whole->text_start();
        bom = start == 3;
        add_block(whole->data(), start, whole->size());
    } else {
        std::size_t have = 0;  // bytes in the buffer
        bool end_of_file = false;
        for (;;) {
            while (have < buffer.size() && !end_of_file) {
                const std::size_t got = file.read(buffer.data() + have, buffer.size() - have);
                hasher.update(std::string_view(buffer.data() + have, got));
                have += got;
                end_of_file = got == 0;
            }
            // Before the first block: a byte order mark, or another encoding.
            const std::size_t start = base == 0 ? utf8_text_start(buffer.data(), have, path) : 0;
            bom = bom || start == 3;
            const std::optional<std::size_t> lines_end = whole_lines_end(buffer.data(), start, have, end_of_file);
            if (!lines_end) {  // a line longer than the buffer: make room for it
                buffer.resize(buffer.size() * 2);
                continue;
            }
            const std::size_t end = *lines_end;
            add_block(buffer.data(), start, end);
            std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(end), buffer.begin() + static_cast<std::ptrdiff_t>(have),
                      buffer.begin());
            base += end;
            have -= end;
            if (end_of_file && have == 0) break;
        }
        if (hasher.received() != total)
            throw data_error(path + " changed while it was read (" + std::to_string(total) + " bytes, then " +
                             std::to_string(hasher.received()) + ")");
    }
    builder.set_source_hash(source, hasher.value());
    return documents;
}

// A stream whose bytes go to an output (a temporary file renamed at commit). std::ostream turns
// an exception of its buffer into badbit; the exception is kept here to be thrown again.
class output_buffer : public std::streambuf {
public:
    explicit output_buffer(output& out) : out_(out) { setp(buffer_, buffer_ + sizeof buffer_); }
    void rethrow_if_failed() const {
        if (failure_) std::rethrow_exception(failure_);
    }

protected:
    int sync() override { return pass(std::string_view(pbase(), static_cast<std::size_t>(pptr() - pbase()))) ? 0 : -1; }
    int_type overflow(int_type c) override {
        if (sync() != 0) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        if (n > epptr() - pptr()) return sync() == 0 && pass(std::string_view(s, static_cast<std::size_t>(n))) ? n : 0;
        std::memcpy(pptr(), s, static_cast<std::size_t>(n));
        pbump(static_cast<int>(n));
        return n;
    }

private:
    // Hands bytes to the output; after a failure nothing more is written.
    bool pass(std::string_view bytes) {
        if (failure_) return false;
        try {
            out_.write(bytes);
        } catch (...) {
            failure_ = std::current_exception();
            return false;
        }
        setp(buffer_, buffer_ + sizeof buffer_);
        return true;
    }

    output& out_;
    char buffer_[1 << 16];
    std::exception_ptr failure_;
};

// Writes an index through out with write(std::ostream&) and commits it; returns its bytes. A
// failure of the output is thrown as the output reported it.
template <class Write>
std::uint64_t write_through(output& out, Write&& write) {
    output_buffer buffer(out);
    std::ostream stream(&buffer);
    std::uint64_t bytes = 0;
    try {
        bytes = write(stream);
        stream.flush();
    } catch (...) {
        buffer.rethrow_if_failed();
        throw;
    }
    buffer.rethrow_if_failed();
    if (!stream) throw data_error("writing the index failed");
    out.commit();
    return bytes;
}

const char* sketch_options_help =
    "Similarity (as 'ditto dedup'; an index records them and refuses others):\n"
    "  --threshold T       Jaccard similarity threshold, 0 < T <= 1 (default 0.8)\n"
    "  --ngram K           words per shingle, 1..1024 (default 5); the same as --shingle words:K\n"
    "  --shingle words:K|chars:K\n"
    "                      K words, or K characters (code points, 1..64) of the normalized text\n"
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
        "The files are read in blocks; what the index holds goes to temporary files once it\n"
        "passes the memory budget (band records as sorted runs, merged at the end). The index is\n"
        "the same, byte for byte, whatever the budget.\n"
        "\n"
        "  -o, --output FILE   the index to write (required): replaced at the end through a\n"
        "                      temporary file in its folder\n"
        "  --memory BYTES      memory budget, with an optional K, M, G or T (1024-based), e.g.\n"
        "                      512M, 2G (default: half the physical memory). Input is read in\n"
        "                      blocks of an eighth of it (1 MiB at least, 64 MiB at most); a\n"
        "                      longer line is held whole; the ids' hashes (about 64 bytes a\n"
        "                      document) are not counted\n"
        "  --tmp-dir DIR       where temporary files go (default: the index's folder); each is\n"
        "                      removed as soon as it is open, so none is left behind\n"
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
        "is the index one build over all the files would give. The new documents are indexed as\n"
        "'index build' does, under the memory budget, then merged with the index, which is read\n"
        "as a stream, never whole.\n"
        "\n"
        "  --memory BYTES      memory budget for the new documents, as for 'index build'\n"
        "                      (default: half the physical memory)\n"
        "  --tmp-dir DIR       where temporary files go (default: the index's folder); each is\n"
        "                      removed as soon as it is open, so none is left behind\n"
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
        "the index one build over A's files and then B's would give. Both are read as streams,\n"
        "never whole: memory holds their sources and about 5 bytes a document.\n"
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

// Half the physical memory: the default budget of index build.
std::uint64_t default_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return std::uint64_t{4} << 30;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

struct streamed_build_report {
    std::size_t documents = 0;
    std::uint64_t bytes = 0;  // of the index written
    std::uint64_t spilled = 0;
    std::uint64_t runs = 0;
    std::string tmp_dir;
};

void print_spilled(const streamed_build_report& report) {
    if (report.spilled > 0)
        std::fprintf(stderr, "ditto: %llu bytes spilled to %s (%s)\n", static_cast<unsigned long long>(report.spilled),
                     escape_text(report.tmp_dir).c_str(),
                     count(static_cast<std::size_t>(report.runs), "sorted run", "sorted runs").c_str());
}

// A file is created and its name removed at once: a signal between the two would leave it.
std::function<std::unique_ptr<std::iostream>()> temporary_streams(const std::string& tmp_dir) {
    return [files = ditto::temporary_files_in(tmp_dir)] {
        std::unique_ptr<std::iostream> stream;
        with_cleanup_signals_blocked([&] { stream = files(); });
        return stream;
    };
}

// The folder for temporary files: tmp_dir when given (checked), else the folder of the index
// written to output_path (where its bytes must fit anyway), unless it is not written to a folder
// (a device): then the system's temporary folder.
std::string temporary_folder(std::string tmp_dir, const std::string& output_path, const std::string& help) {
    std::error_code ec;
    if (!tmp_dir.empty()) {
        if (!std::filesystem::is_directory(tmp_dir, ec))
            throw usage_error("--tmp-dir " + ditto_cli::quoted(std::string_view(tmp_dir)) + " is not a folder", help);
        return tmp_dir;
    }
    const std::filesystem::path target(output_path);
    const bool device = std::filesystem::exists(target, ec) && !std::filesystem::is_regular_file(target, ec);
    std::filesystem::path folder = device ? std::filesystem::temp_directory_path(ec) : target.parent_path();
    if (folder.empty()) folder = std::filesystem::current_path();
    return folder.native();
}

// Sketches the JSONL files into a spilling builder with parameters p under the memory budget
// (0: the default), then hands the builder to write, which returns the bytes it wrote.
template <class Write>
streamed_build_report build_streamed(const std::vector<std::string>& inputs, const sketch_arguments& a,
                                     const ditto::index_parameters& p, std::uint64_t memory, const std::string& tmp_dir,
                                     Write&& write) {
    if (memory == 0) memory = default_memory();
    // The budget: an eighth for the block being read (its parsed lines and signatures take about
    // as much again), the rest for the builder's buffers (band records, spools, merge buffers).
    const std::uint64_t block = std::clamp<std::uint64_t>(memory / 8, std::uint64_t{1} << 20, std::uint64_t{64} << 20);
    const std::uint64_t builder_memory = memory > 3 * block ? memory - 3 * block : std::max<std::uint64_t>(memory / 4, 1);
    ditto::thread_pool pool(a.threads);
    ditto::spill_options spilling;
    spilling.memory_bytes = builder_memory;
    spilling.temporary = temporary_streams(tmp_dir);
    ditto::spilling_index_builder builder(p, std::move(spilling));
    streamed_build_report report;
    for (const auto& path : inputs) report.documents += add_file_streamed(builder, path, a, pool, static_cast<std::size_t>(block));
    report.bytes = write(builder);
    report.spilled = builder.bytes_spilled();
    report.runs = builder.runs_written();
    report.tmp_dir = tmp_dir;
    return report;
}

int run_build(const std::vector<std::string_view>& args) {
    sketch_arguments a;
    std::vector<std::string> inputs;
    std::string output_path, output_option = "-o", tmp_dir;
    std::uint64_t memory = 0;
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
        } else if (name == "--memory") {
            memory = parse_bytes(name, r.value(), build_help);
        } else if (name == "--tmp-dir") {
            tmp_dir = std::string(r.value());
            if (tmp_dir.empty()) throw usage_error("--tmp-dir needs a folder", build_help);
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
    tmp_dir = temporary_folder(tmp_dir, output_path, build_help);
    output out(output_path, output_option);
    const streamed_build_report report =
        build_streamed(inputs, a, ditto::index_parameters_for(a.dedup), memory, tmp_dir, [&](ditto::spilling_index_builder& builder) {
            return write_through(out, [&](std::ostream& stream) { return builder.write(stream); });
        });
    if (!a.quiet) {
        std::fprintf(stderr, "ditto: indexed %s from %s: %llu bytes\n", count(report.documents, "document", "documents").c_str(),
                     count(inputs.size(), "file", "files").c_str(), static_cast<unsigned long long>(report.bytes));
        print_spilled(report);
    }
    return 0;
}

// An index's parameters and document count, read from its header.
struct indexed_counts {
    ditto::index_parameters parameters;
    std::uint64_t documents = 0;
};

// Opens an index file for reading as a seekable stream (the merge reads it several times): the
// file itself, or, for a pipe or another file that cannot seek, a copy of it in an unnamed
// temporary file in tmp_dir. A data_error naming it when it cannot be opened or read.
std::unique_ptr<std::istream> open_index(const std::string& path, const std::string& tmp_dir) {
    auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*in) throw data_error("cannot open " + ditto_cli::quoted(path) + ": " + std::strerror(errno));
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return in;
    std::unique_ptr<std::iostream> copy = temporary_streams(tmp_dir)();
    *copy << in->rdbuf();
    if (in->bad()) throw data_error("cannot read " + ditto_cli::quoted(path));
    copy->flush();
    if (!*copy) throw data_error("cannot copy " + ditto_cli::quoted(path) + " to a temporary file in " + ditto_cli::quoted(tmp_dir));
    copy->clear();
    copy->seekg(0);
    return copy;
}

std::uint64_t stream_size(std::istream& in, const std::string& path) {
    const std::streamoff end = ditto::detail::seekable_length(in);
    if (end < 0) throw data_error("cannot find the size of " + ditto_cli::quoted(path));
    return static_cast<std::uint64_t>(end);
}

std::string without_prefix(std::string_view what) {
    if (what.starts_with("ditto index: ")) what.remove_prefix(13);
    return std::string(what);
}

// read(), its format errors and read failures made data_errors naming the index at path.
template <class Read>
auto guarded_index_read(const std::string& path, Read&& read) {
    try {
        return read();
    } catch (const ditto::format_error& e) {
        throw data_error(escape_text(path) + ": not a valid index: " + without_prefix(e.what()));
    } catch (const std::ios_base::failure& e) {
        throw data_error("cannot read " + ditto_cli::quoted(path) + ": " + e.what());
    }
}

// Writes the merge of the indexes in a (at path_a) and b (named name_b, already escaped) to
// out; a damaged input is a data_error naming it.
std::uint64_t merge_index_files(std::istream& a, const std::string& path_a, std::istream& b, const std::string& name_b,
                                std::ostream& out) {
    try {
        return ditto::merge_indexes(a, b, out);
    } catch (const ditto::merge_input_error& e) {
        throw data_error((e.input() == 0 ? escape_text(path_a) : name_b) + ": not a valid index: " + without_prefix(e.what()));
    } catch (const std::invalid_argument& e) {  // the parameters were compared before: the count
        throw data_error(std::string("cannot merge: ") + e.what());
    }
}

int run_add(const std::vector<std::string_view>& args) {
    sketch_arguments a;
    std::vector<std::string> operands;
    std::string tmp_dir;
    std::uint64_t memory = 0;
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
        } else if (name == "--memory") {
            memory = parse_bytes(name, r.value(), add_help);
        } else if (name == "--tmp-dir") {
            tmp_dir = std::string(r.value());
            if (tmp_dir.empty()) throw usage_error("--tmp-dir needs a folder", add_help);
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
    if (operands.size() < 2) throw usage_error("no input files to add to " + ditto_cli::quoted(operands[0]), add_help);
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", add_help);
    const std::string& index_path = operands[0];
    tmp_dir = temporary_folder(tmp_dir, index_path, add_help);
    output out(index_path, "index");

    // Sketched with the index's parameters: the similarity options not given are the index's;
    // those given must equal them.
    // Checked whole first (a sequential read, about 5 bytes a document held), so that a damaged
    // index is found before the new files are sketched.
    const std::unique_ptr<std::istream> existing = open_index(index_path, tmp_dir);
    const indexed_counts before = guarded_index_read(index_path, [&] {
        ditto::detail::index_reader reader(*existing, stream_size(*existing, index_path));
        reader.verify();
        return indexed_counts{reader.parameters(), reader.section(2).count};
    });
    index_options(index_path, before.parameters, given, a.dedup, add_help);

    // The new documents are built into an unnamed temporary index (under the budget), which is
    // then merged after the existing one, both read as streams: the existing index is never
    // held in memory.
    std::unique_ptr<std::iostream> more;
    const std::vector<std::string> inputs(operands.begin() + 1, operands.end());
    const streamed_build_report report =
        build_streamed(inputs, a, before.parameters, memory, tmp_dir, [&](ditto::spilling_index_builder& builder) {
            more = temporary_streams(tmp_dir)();
            const std::uint64_t bytes = builder.write(*more);
            more->flush();
            if (!*more) throw data_error("cannot write a temporary file in " + ditto_cli::quoted(tmp_dir));
            return bytes;
        });
    const std::uint64_t bytes = write_through(out, [&](std::ostream& stream) {
        return merge_index_files(*existing, index_path, *more, "the new documents' index", stream);
    });
    if (!a.quiet) {
        std::fprintf(stderr, "ditto: added %s to an index of %s: %llu bytes\n",
                     count(report.documents, "document", "documents").c_str(),
                     count(static_cast<std::size_t>(before.documents), "document", "documents").c_str(),
                     static_cast<unsigned long long>(bytes));
        print_spilled(report);
    }
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
    const std::string tmp_dir = temporary_folder("", output_path, merge_help);
    output out(output_path, output_option);
    const std::unique_ptr<std::istream> a = open_index(operands[0], tmp_dir), b = open_index(operands[1], tmp_dir);
    // The parameters first (a mismatch names each differing field), then the merge, streamed.
    const indexed_counts first = guarded_index_read(operands[0], [&] {
        const ditto::detail::index_reader reader(*a, stream_size(*a, operands[0]));
        return indexed_counts{reader.parameters(), reader.section(2).count};
    });
    const indexed_counts second = guarded_index_read(operands[1], [&] {
        const ditto::detail::index_reader reader(*b, stream_size(*b, operands[1]));
        return indexed_counts{reader.parameters(), reader.section(2).count};
    });
    check_same_parameters(first.parameters, second.parameters,
                          "cannot merge " + escape_text(operands[0]) + " and " + escape_text(operands[1]));
    const std::uint64_t bytes = write_through(
        out, [&](std::ostream& stream) { return merge_index_files(*a, operands[0], *b, escape_text(operands[1]), stream); });
    if (!quiet)
        std::fprintf(stderr, "ditto: merged %s: %llu bytes\n",
                     count(static_cast<std::size_t>(first.documents + second.documents), "document", "documents").c_str(),
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
        throw data_error("cannot read " + ditto_cli::quoted(path));
    const std::uint32_t sections = ditto::detail::get_u32(header.data() + ditto::store::offset_section_count);
    std::vector<unsigned char> table(std::size_t{sections} * ditto::store::section_entry_bytes);
    if (!in.read(reinterpret_cast<char*>(table.data()), static_cast<std::streamsize>(table.size())))
        throw data_error("cannot read " + ditto_cli::quoted(path));
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
    if (!in) throw data_error("cannot open " + ditto_cli::quoted(path) + ": " + std::strerror(errno));
    try {
        return ditto::read_index(in);
    } catch (const ditto::format_error& e) {
        std::string_view what = e.what();
        if (what.starts_with("ditto index: ")) what.remove_prefix(13);
        throw data_error(escape_text(path) + ": not a valid index: " + std::string(what));
    } catch (const std::ios_base::failure& e) {
        throw data_error("cannot read " + ditto_cli::quoted(path) + ": " + e.what());
    }
}

void index_options(const std::string& index_path, const ditto::index_parameters& p, const std::vector<std::string>& given,
                   ditto::dedup_options& o, const std::string& help) {
    if ((p.shingles == ditto::shingle_kind::characters && p.shingle_size > ditto::max_char_shingle_size) ||
        p.sketch != ditto::sketch_kind::fast || p.slot_bits != 32 || p.slots > 4096)
        throw data_error(escape_text(index_path) + ": its documents were sketched in a way this tool does not sketch "
                         "(shingle kind and size, sketch kind, slot bits or slots)");
    const auto is_given = [&](std::string_view option) {
        return std::find(given.begin(), given.end(), option) != given.end();
    };
    if (!is_given("--threshold")) o.threshold = p.threshold;
    if (!is_given("--recall")) o.recall = p.recall;
    // --ngram K is --shingle words:K: either names the kind.
    if (!is_given("--ngram") && !is_given("--shingle")) {
        o.shingles = p.shingles;
        o.ngram = p.shingle_size;
    }
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
