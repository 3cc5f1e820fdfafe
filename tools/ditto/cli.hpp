#pragma once
// Shared pieces of the ditto command-line program: errors with exit codes, option values,
// input files, and output written to a temporary file renamed at the end.

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/align.hpp>

namespace ditto_cli {

/// Exit codes: 0 success, 1 bad data or I/O, 2 bad usage.
inline constexpr int exit_data = 1;
inline constexpr int exit_usage = 2;

/// A usage error: the message, and the help command to point at.
struct usage_error : std::runtime_error {
    explicit usage_error(const std::string& message, std::string help = "ditto --help")
        : std::runtime_error(message), help_command(std::move(help)) {}
    std::string help_command;
};

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

/// Parses a number for an option; throws usage_error naming the option and the range.
double parse_double(std::string_view option, std::string_view text, double low, bool low_open, double high,
                    bool high_open, const std::string& help_command);
std::size_t parse_size(std::string_view option, std::string_view text, std::size_t low, std::size_t high,
                       const std::string& help_command);

/// An input file read whole. Standard input and other non-regular files (pipes, process
/// substitution) are first copied to a temporary file, so the input can be read again.
class input_file {
public:
    /// path "-" is standard input. Throws data_error when it cannot be read.
    explicit input_file(const std::string& path);
    ~input_file();
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;

    /// The name for messages ("<stdin>" for standard input).
    [[nodiscard]] const std::string& display_name() const { return display_name_; }
    /// The bytes, mutable (the JSONL parser decodes strings in place).
    [[nodiscard]] char* data() { return bytes_.get(); }
    [[nodiscard]] std::size_t size() const { return size_; }
    /// Calls f(line_number, line, length) for each line of the bytes in memory (without its
    /// "\n"), in order, while f returns true.
    template <class F>
    void for_each_line(F&& f) {
        std::size_t line = 0;
        for (std::size_t pos = 0; pos < size_;) {
            const void* found = std::memchr(bytes_.get() + pos, '\n', size_ - pos);
            const std::size_t end = found ? static_cast<std::size_t>(static_cast<const char*>(found) - bytes_.get()) : size_;
            if (!f(++line, bytes_.get() + pos, end - pos)) return;
            pos = end + 1;
        }
    }
    /// A parse error as "file:line:column: message".
    [[nodiscard]] std::string located(const ditto::parse_error& e) const {
        return display_name_ + ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.what();
    }
    /// Calls f(line_number, bytes_with_terminator) for each line of the original file, reading it
    /// again from disk, in order.
    template <class F>
    void for_each_original_line(F&& f) const;
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;          // the file read (a temporary for stdin)
    std::string display_name_;
    bool temporary_ = false;
    std::unique_ptr<char[]> bytes_;  // not value-initialized: the read fills it
    std::size_t size_ = 0;
};

/// Output to a file (through a temporary renamed at commit) or to stdout.
class output {
public:
    /// path empty: stdout.
    explicit output(const std::string& path);
    ~output();  // removes the temporary file unless committed
    output(const output&) = delete;
    output& operator=(const output&) = delete;

    void write(std::string_view bytes);
    /// Flushes and, for a file, renames the temporary onto the path. Throws data_error on failure.
    void commit();

private:
    void flush();
    std::string path_;
    std::string temporary_;
    std::FILE* file_ = nullptr;
    std::string buffer_;
    bool committed_ = false;
};

/// Reads the lines of a file again, in chunks, giving each line's bytes with its terminator.
template <class F>
void input_file::for_each_original_line(F&& f) const {
    std::FILE* in = std::fopen(path_.c_str(), "rb");
    if (!in) throw data_error("cannot reopen " + display_name_ + " to copy its lines");
    std::string pending;
    std::vector<char> chunk(1 << 20);
    std::size_t line = 0;
    for (;;) {
        const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), in);
        if (got == 0) break;
        std::size_t start = 0;
        for (std::size_t i = 0; i < got; ++i) {
            if (chunk[i] != '\n') continue;
            if (pending.empty()) {
                f(++line, std::string_view(chunk.data() + start, i + 1 - start));
            } else {
                pending.append(chunk.data() + start, i + 1 - start);
                f(++line, std::string_view(pending));
                pending.clear();
            }
            start = i + 1;
        }
        pending.append(chunk.data() + start, got - start);
    }
    const bool failed = std::ferror(in) != 0;
    std::fclose(in);
    if (failed) throw data_error("error reading " + display_name_);
    if (!pending.empty()) f(++line, std::string_view(pending));
}

/// s as a JSON string literal (quotes, backslashes and control characters escaped).
std::string json_string(std::string_view s);

int run_dedup(const std::vector<std::string_view>& args);
void print_dedup_help(std::FILE* out);
int run_diff(const std::vector<std::string_view>& args);
/// The JSON form of a diff (ids already JSON), as `ditto diff --json` and `ditto dedup --explain` print it.
std::string diff_json(std::string_view a_id_json, std::size_t a_bytes, std::string_view b_id_json, std::size_t b_bytes,
                      const ditto::text_diff& d);
void print_diff_help(std::FILE* out);

}  // namespace ditto_cli
