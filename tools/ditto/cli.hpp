#pragma once
// Shared pieces of the ditto command-line program: errors with exit codes, option values,
// input files read once, and output files replaced atomically.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/align.hpp>
#include <ditto/parallel.hpp>
#include <ditto/version.hpp>

// Declared ahead in the library's versioned inline namespace (see version.hpp).
namespace ditto::inline DITTO_ABI_NAMESPACE {
struct jsonl_options;
struct dedup_options;
struct index_parameters;
struct stored_index;
}  // namespace ditto

namespace ditto_cli {

/// Exit codes: 0 success, 1 bad data or I/O, 2 bad usage.
inline constexpr int exit_data = 1;
inline constexpr int exit_usage = 2;

/// A usage error: the message, and the help command to point at.
struct usage_error : std::runtime_error {
    /// help empty: no pointer to the help (for a path that cannot be written, say).
    explicit usage_error(const std::string& message, std::string help = "ditto --help")
        : std::runtime_error(message), help_command(std::move(help)) {}
    std::string help_command;
};

class input_files;

/// A data or I/O error (exit 1).
struct data_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Walks a command's arguments: options as "--name value", "--name=value" or "-x value", flags,
/// and operands ("-", anything not starting with '-', and everything after "--").
class argument_reader {
public:
    argument_reader(const std::vector<std::string_view>& args, std::string help_command)
        : args_(args), help_(std::move(help_command)) {}

    /// Moves to the next argument; false at the end.
    bool next();
    [[nodiscard]] bool is_operand() const { return operand_; }
    /// The operand, or the option as written.
    [[nodiscard]] std::string_view argument() const { return args_[index_]; }
    /// The option's name, without any "=value".
    [[nodiscard]] std::string_view name() const { return name_; }
    /// The option's value: after '=' or the next argument. Throws usage_error when there is none.
    std::string_view value();
    /// The option's value, which must be a non-empty name (a JSON field). Throws usage_error.
    std::string name_value();
    /// Checks that a flag was not given a value.
    void flag() const;
    [[noreturn]] void unknown() const;
    [[nodiscard]] const std::string& help_command() const { return help_; }

private:
    const std::vector<std::string_view>& args_;
    std::string help_;
    std::size_t index_ = 0;
    bool started_ = false, operand_ = false, only_operands_ = false, inline_value_ = false;
    std::string_view name_, value_;
};

/// Reads an input option every corpus command takes alike (--text-field, --id-field,
/// --invalid-utf8) into o; false when r is at another option. Throws usage_error.
bool parse_input_option(argument_reader& r, ditto::jsonl_options& o);

/// Reads -o/--output FILE: the path and the option as written (for messages); false when r is
/// at another option. Throws usage_error for an empty name.
bool parse_output_option(argument_reader& r, std::string& path, std::string& option);

/// The input: one file, the operand, or a manifest of files (--manifest LIST, input_files.hpp)
/// in its place. Reads either into path and sets manifest; false when r is at another option.
/// Throws usage_error when both, or two inputs, are given.
struct input_argument {
    std::string path;
    bool manifest = false;
    bool given = false;
};
bool parse_input_argument(argument_reader& r, input_argument& input);

/// "I/N" (a task or part I of N, counted from 0): true with 0 <= I < N <= most, both set; false
/// otherwise (the caller names the option in its message).
bool parse_index_of(std::string_view text, std::uint32_t most, std::uint32_t& index, std::uint32_t& count);

/// Parses a number for an option; throws usage_error naming the option and the range.
double parse_double(std::string_view option, std::string_view text, double low, bool low_open, double high,
                    bool high_open, const std::string& help_command);
std::size_t parse_size(std::string_view option, std::string_view text, std::size_t low, std::size_t high,
                       const std::string& help_command);

/// Parses a byte count for an option: digits with an optional binary suffix K, M, G or T
/// (1024-based; "512M", "2G"). Throws usage_error for zero, anything else, or more than 2^63 bytes.
std::uint64_t parse_bytes(std::string_view option, std::string_view text, const std::string& help_command);

/// Where the text of a file starting with these bytes begins: after a UTF-8 byte order mark.
/// Throws data_error naming the file (display_name) for UTF-16 and UTF-32 (see input_file).
std::size_t utf8_text_start(const char* bytes, std::size_t size, const std::string& display_name);

/// For input read in blocks: where the whole lines of bytes[start, have) end (just after the
/// last "\n", or at have when the input ends there), or nullopt when no line ends in them yet
/// (the caller makes room and reads more).
[[nodiscard]] inline std::optional<std::size_t> whole_lines_end(const char* bytes, std::size_t start, std::size_t have,
                                                              bool end_of_input) {
    if (end_of_input) return have;
    for (std::size_t at = have; at > start; --at)  // back from the end: only the last line is scanned
        if (bytes[at - 1] == '\n') return at;
    return std::nullopt;
}

/// The lines of bytes[start, end) (whole lines; the last may lack its "\n" at the end of the
/// input). Count them before parsing: the parser decodes strings in place, and an escaped "\n"
/// becomes a newline.
[[nodiscard]] inline std::size_t count_lines(const char* bytes, std::size_t start, std::size_t end) {
    const auto n = static_cast<std::size_t>(std::count(bytes + start, bytes + end, '\n'));
    return n + (end > start && bytes[end - 1] != '\n' ? 1 : 0);
}

/// An input file read whole into memory, once. Standard input and other non-regular files
/// (pipes, terminals, process substitution) are read to their end the same way; nothing is ever
/// read a second time.
class input_file {
public:
    /// path "-" is standard input (never a file named "-"). on_read, when set, is called with
    /// the bytes read so far as reading goes on (from pool's threads too). A regular file is read
    /// in pieces on pool when given (each piece one pread into its place in the buffer), then to
    /// its end as it is now (it may have grown). Throws data_error when it cannot be read.
    explicit input_file(const std::string& path, const std::function<void(std::size_t)>& on_read = {},
                        ditto::thread_pool* pool = nullptr);
    /// The bytes of a manifest's files as one input (input_files.hpp), read in pieces on pool
    /// when given. files must outlive this object (parse errors are placed in its files).
    explicit input_file(const input_files& files, const std::function<void(std::size_t)>& on_read = {},
                        ditto::thread_pool* pool = nullptr);
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;

    /// The name for messages ("<stdin>" for standard input).
    [[nodiscard]] const std::string& display_name() const { return display_name_; }
    /// The bytes, mutable (the JSONL parser may decode strings in place).
    [[nodiscard]] char* data() { return bytes_.get(); }
    [[nodiscard]] std::size_t size() const { return size_; }
    /// Whether the bytes start with a UTF-8 byte order mark, which for_each_line skips.
    [[nodiscard]] bool has_utf8_bom() const { return size_ >= 3 && std::memcmp(bytes_.get(), "\xEF\xBB\xBF", 3) == 0; }
    /// Calls f(line_number, line, length) for each line of the bytes in memory (without its
    /// "\n"), in order, while f returns true. A UTF-8 byte order mark at the start is not part of
    /// line 1; UTF-16 and UTF-32 input is a data_error naming the encoding.
    template <class F>
    void for_each_line(F&& f) {
        std::size_t line = 0;
        for (std::size_t pos = text_start(); pos < size_;) {
            const void* found = std::memchr(bytes_.get() + pos, '\n', size_ - pos);
            const std::size_t end = found ? static_cast<std::size_t>(static_cast<const char*>(found) - bytes_.get()) : size_;
            if (!f(++line, bytes_.get() + pos, end - pos)) return;
            pos = end + 1;
        }
    }
    /// Where the first line starts: after a UTF-8 byte order mark. Throws data_error for UTF-16
    /// and UTF-32 (by their byte order marks, or ASCII interleaved with NUL bytes).
    [[nodiscard]] std::size_t text_start() const;
    /// A parse error as "file:line:column: message" (columns count bytes of the file).
    [[nodiscard]] std::string located(const ditto::parse_error& e) const;
    [[nodiscard]] std::string located_in_one_file(const ditto::parse_error& e) const {
        const std::size_t column = e.column() + (e.line() == 1 && has_utf8_bom() ? 3 : 0);
        return display_name_ + ":" + std::to_string(e.line()) + ":" + std::to_string(column) + ": " + e.what();
    }

private:
    struct free_bytes {
        void operator()(char* p) const noexcept { std::free(p); }
    };
    std::string display_name_;
    std::unique_ptr<char, free_bytes> bytes_;  // malloc'd: standard input grows it with realloc
    std::size_t size_ = 0;
    const input_files* files_ = nullptr;  // a manifest's
};

/// The file an output to path writes: symbolic links resolved, a dangling one to the name it
/// points to (its temporary, TARGET.tmp-XXXXXX, is made next to it).
std::string output_target(const std::string& path);

/// Output to standard output, or to a file named by an option (-o). The constructor checks the
/// target and creates nothing; the file is written only from the first flush on:
///  - a regular file (existing or new, through any symbolic links) is written to a temporary file
///    in its folder, renamed over it at commit; an existing file's mode and (where permitted)
///    owner are kept;
///  - anything else that exists (a device such as /dev/null, a FIFO, a terminal) is opened and
///    written directly;
///  - the file open as standard output (/dev/stdout to a file, or the same file) is standard output.
/// The temporary file is removed on errors and, through remove_on_signal, on SIGINT, SIGTERM,
/// SIGHUP, SIGXFSZ and SIGPIPE.
class output {
public:
    /// path empty: stdout. Throws usage_error naming option and path when the path cannot be
    /// written (a missing folder, a folder, no permission).
    explicit output(const std::string& path, std::string_view option = "-o");
    ~output();  // removes the temporary file unless committed
    output(const output&) = delete;
    output& operator=(const output&) = delete;

    void write(std::string_view bytes);
    /// Flushes and, for a replaced file, renames the temporary onto it. Throws data_error on failure.
    void commit();

private:
    enum class kind { standard_output, replace, direct };
    void flush();
    void put(const char* bytes, std::size_t size);
    void open();
    [[noreturn]] void fail(const std::string& what) const;
    kind kind_ = kind::standard_output;
    std::string path_;     // as given
    std::string target_;   // the file written: symbolic links resolved
    std::string temporary_;
    bool replacing_ = false;   // target_ exists (a regular file): keep its mode and owner
    unsigned mode_ = 0, owner_ = 0, group_ = 0;
    int fd_ = -1;
    std::string buffer_;
    bool committed_ = false;
};

/// Bytes kept aside in an unnamed temporary file (in TMPDIR), read back later: spills what memory
/// need not hold. The file has no name from the start, so nothing is left behind however the
/// process ends. Created at the first add; when no file can be created there, the bytes are held
/// in memory instead, or, for a file made to keep memory within a budget (`memory_fallback`
/// false), that is a data_error.
class spill_file {
public:
    explicit spill_file(bool memory_fallback = true) : memory_fallback_(memory_fallback) {}
    ~spill_file();
    spill_file(const spill_file&) = delete;
    spill_file& operator=(const spill_file&) = delete;

    /// Appends bytes; returns where they start. Throws data_error when the file cannot be written.
    std::uint64_t add(std::string_view bytes);
    /// The bytes at [offset, offset + size), valid until the next call. Reads ahead, so reading
    /// in the order of adding is fast.
    std::string_view get(std::uint64_t offset, std::size_t size);
    /// Writes what is pending and frees the buffers: a file not read for a while holds no memory.
    void release();

private:
    void flush();
    bool memory_fallback_ = true;
    int fd_ = -1;
    bool in_memory_ = false;
    std::uint64_t size_ = 0;     // bytes added
    std::uint64_t written_ = 0;  // bytes in the file; the rest is in pending_
    std::string pending_;
    std::string window_;  // read-ahead
    std::uint64_t window_offset_ = 0;
};

/// Lines (each ending in '\n', none inside) given in any order and passed on in byte order,
/// however many: held in memory up to a budget, past it sorted into runs in temporary files
/// (spill_file; failing to create one is an error, not a fallback to memory). Runs are merged 16
/// at a time, as soon as 16 of one level exist, so few files are open; merging adds 16 read-aheads
/// of 4 MB to the budget.
class sorted_lines {
public:
    explicit sorted_lines(std::uint64_t memory) : memory_(memory) {}
    void add(std::string_view line);
    /// Passes every line added to sink, in byte order; once. Throws data_error when a temporary
    /// file cannot be written or read back.
    void drain(const std::function<void(std::string_view)>& sink);
    /// The runs spilled so far.
    [[nodiscard]] std::size_t runs() const { return runs_.size(); }

private:
    struct run {
        std::unique_ptr<spill_file> file;
        std::uint64_t bytes = 0;
        unsigned level = 0;  // 0: spilled from memory; k + 1: merged from runs of level k
    };
    // Makes a run from lines given in order, added to its file a block of about 1 MB at a time.
    struct run_writer {
        run made{std::make_unique<spill_file>(false), 0, 0};
        std::string block;
        void add(std::string_view line);
        run finish();
    };
    void sort_held();
    void spill();
    static constexpr std::size_t fan_in = 16;  // runs merged at once, each reading ahead 4 MB
    // Merges the last `fan_in` runs into one (of the next level).
    void merge_last();
    // Merges runs [first, last) into sink(line), in byte order.
    void merge(std::size_t first, std::size_t last, const std::function<void(std::string_view)>& sink);
    std::uint64_t memory_;
    std::string held_;                                     // lines back to back
    std::vector<std::pair<std::uint64_t, std::uint32_t>> lines_;  // (offset in held_, length)
    std::vector<run> runs_;
};

/// Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGXFSZ and SIGPIPE (unless ignored) that
/// remove the file named by remove_on_signal, then end the process by the same signal.
void install_signal_cleanup();
/// The file to remove if a signal ends the process (empty: none). Async-signal-safe to read.
void remove_on_signal(const std::string& path);
/// Runs f with those signals held back (delivered when f returns): for steps that
/// must not be cut in two, such as creating a temporary file and removing its name.
void with_cleanup_signals_blocked(const std::function<void()>& f);
/// A new file in folder that has no name (O_TMPFILE; where the file system lacks it, a named
/// file unlinked at once, signals held back in between), open for reading and writing: its
/// descriptor, or -1 with errno set.
int open_unnamed_temporary(const std::string& folder);
/// Bytes [offset, offset + n) of file descriptor fd into p (pread, again after EINTR and short
/// reads): the number read, fewer than n only where the file ends, or -1 with errno set.
std::ptrdiff_t read_at(int fd, std::uint64_t offset, char* p, std::size_t n);

/// s as a JSON string literal (quotes, backslashes and control characters escaped).
std::string json_string(std::string_view s);
/// s made safe for a terminal or a TSV field: backslash, tab, newline and carriage return as
/// \\ \t \n \r, every other C0 control byte, DEL and C1 control character (U+0080..U+009F) as
/// \xHH per byte; everything else as it is.
std::string escape_text(std::string_view s);


/// The similarity options of `ditto dedup` (--threshold, --ngram, --sketch-size, --recall), shared
/// by the commands that sketch documents: when r is at one of them, parses its value into o and
/// returns true.
bool parse_similarity_option(argument_reader& r, ditto::dedup_options& o);
/// Reads --keep first|longest or --cluster greedy|connected into o; false at another option.
bool parse_rule_option(argument_reader& r, ditto::dedup_options& o);
/// Checks the similarity options together (a recall no LSH shape reaches); throws usage_error.
void check_similarity_options(const ditto::dedup_options& o, const std::string& help_command);

int run_dedup(const std::vector<std::string_view>& args);
void print_dedup_help(std::FILE* out);
int run_diff(const std::vector<std::string_view>& args);
int run_clean(const std::vector<std::string_view>& args);
void print_clean_help(std::FILE* out);
int run_index(const std::vector<std::string_view>& args);
/// `ditto sketch --part P/N` (sketch_command.cpp).
int run_sketch(const std::vector<std::string_view>& args);
int run_group(const std::vector<std::string_view>& args);
int run_filter(const std::vector<std::string_view>& args);
/// `ditto plan --parts N --sketches FOLDER` (dedup_command.cpp).
int run_plan(const std::vector<std::string_view>& args);
/// Reads an index file whole; every failure (unreadable, not a valid index) a data_error naming it.
ditto::stored_index load_index(const std::string& path);
/// The similarity options of a command working with an index: those not given (given lists the
/// option names written) are the index's, those given must equal them. Throws data_error naming
/// each differing field, or when the index was sketched in a way this tool does not sketch.
void index_options(const std::string& index_path, const ditto::index_parameters& p, const std::vector<std::string>& given,
                   ditto::dedup_options& o, const std::string& help);
/// `ditto dedup --against X.didx NEW.jsonl...` (dedup_against.cpp).
int run_dedup_against(const std::vector<std::string_view>& args);
void print_index_help(std::FILE* out);
/// The JSON form of a diff (ids already JSON), as `ditto diff --json` and `ditto dedup --explain` print it.
std::string diff_json(std::string_view a_id_json, std::size_t a_bytes, std::string_view b_id_json, std::size_t b_bytes,
                      const ditto::text_diff& d);
void print_diff_help(std::FILE* out);
/// `ditto translations REFERENCE OTHER` (translations_command.cpp).
int run_translations(const std::vector<std::string_view>& args);

}  // namespace ditto_cli
