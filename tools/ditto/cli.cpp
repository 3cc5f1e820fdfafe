// Option values, input files and atomic output for the ditto program.
#include "cli.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ditto_cli {

namespace {

std::string describe_range(double low, bool low_open, double high, bool high_open) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%c%g, %g%c", low_open ? '(' : '[', low, high, high_open ? ')' : ']');
    return buffer;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

double parse_double(std::string_view option, std::string_view text, double low, bool low_open, double high,
                    bool high_open, const std::string& help_command) {
    const std::string s(text);
    char* end = nullptr;
    errno = 0;
    const double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    const bool parsed = !s.empty() && end == s.c_str() + s.size() && errno == 0 && std::isfinite(v);
    const bool in_range = parsed && (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
    if (!in_range)
        throw usage_error(std::string(option) + " must be a number in " + describe_range(low, low_open, high, high_open) +
                              ", got '" + s + "'",
                          help_command);
    return v;
}

std::size_t parse_size(std::string_view option, std::string_view text, std::size_t low, std::size_t high,
                       const std::string& help_command) {
    const std::string s(text);
    std::size_t v = 0;
    bool parsed = !s.empty() && s.size() <= 9;
    for (const char c : s) {
        if (c < '0' || c > '9') parsed = false;
        else v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    if (!parsed || v < low || v > high)
        throw usage_error(std::string(option) + " must be an integer in [" + std::to_string(low) + ", " +
                              std::to_string(high) + "], got '" + s + "'",
                          help_command);
    return v;
}

bool argument_reader::next() {
    for (;;) {
        if (started_) ++index_;
        started_ = true;
        if (index_ >= args_.size()) return false;
        const std::string_view arg = args_[index_];
        if (!only_operands_ && arg == "--") {
            only_operands_ = true;
            continue;
        }
        operand_ = only_operands_ || arg == "-" || arg.empty() || arg[0] != '-';
        name_ = arg;
        value_ = {};
        inline_value_ = false;
        if (const auto eq = arg.find('='); !operand_ && eq != std::string_view::npos && arg.starts_with("--")) {
            name_ = arg.substr(0, eq);
            value_ = arg.substr(eq + 1);
            inline_value_ = true;
        }
        return true;
    }
}

std::string_view argument_reader::value() {
    if (inline_value_) return value_;
    if (index_ + 1 >= args_.size()) throw usage_error(std::string(name_) + " needs a value", help_);
    return args_[++index_];
}

void argument_reader::flag() const {
    if (inline_value_) throw usage_error(std::string(name_) + " takes no value", help_);
}

void argument_reader::unknown() const {
    throw usage_error("unknown option '" + std::string(args_[index_]) + "'", help_);
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (u < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", u);
            out += buffer;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

namespace {

// Copies everything readable from fd into a new temporary file; returns its path.
std::string spool(int fd, const std::string& display_name) {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/ditto-input-XXXXXX";
    const int out = mkstemp(pattern.data());
    if (out < 0) throw data_error("cannot create a temporary copy of " + display_name + ": " + errno_text());
    std::vector<char> chunk(1 << 20);
    for (;;) {
        const ssize_t got = ::read(fd, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const std::string why = errno_text();
            ::close(out);
            ::unlink(pattern.c_str());
            throw data_error("error reading " + display_name + ": " + why);
        }
        if (got == 0) break;
        for (ssize_t done = 0; done < got;) {
            const ssize_t w = ::write(out, chunk.data() + done, static_cast<std::size_t>(got - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                const std::string why = errno_text();
                ::close(out);
                ::unlink(pattern.c_str());
                throw data_error("cannot write the temporary copy of " + display_name + ": " + why);
            }
            done += w;
        }
    }
    if (::close(out) != 0) {
        ::unlink(pattern.c_str());
        throw data_error("cannot write the temporary copy of " + display_name + ": " + errno_text());
    }
    return pattern;
}

}  // namespace

input_file::input_file(const std::string& path) {
    path_ = path;
    display_name_ = path == "-" ? "<stdin>" : path;
    int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw data_error("cannot open " + display_name_ + ": " + errno_text());
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const std::string why = errno_text();
        if (fd != 0) ::close(fd);
        throw data_error("cannot read " + display_name_ + ": " + why);
    }
    if (!S_ISREG(info.st_mode)) {
        // Standard input, a pipe or a process substitution: copied to a temporary file first,
        // since the kept lines are read again at the end.
        try {
            path_ = spool(fd, display_name_);
        } catch (...) {
            if (fd != 0) ::close(fd);
            throw;
        }
        temporary_ = true;
        if (fd != 0) ::close(fd);
        fd = ::open(path_.c_str(), O_RDONLY);
        if (fd < 0 || ::fstat(fd, &info) != 0) throw data_error("cannot reopen the copy of " + display_name_);
    }
    // One read into one uninitialized buffer of the file's size: no copy, no zeroing.
    size_ = static_cast<std::size_t>(info.st_size);
    bytes_.reset(new char[size_ + 1]);
    std::size_t done = 0;
    while (done < size_) {
        const ssize_t got = ::read(fd, bytes_.get() + done, std::min<std::size_t>(size_ - done, std::size_t{1} << 30));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            const std::string why = got < 0 ? ": " + errno_text() : ": the file shrank while being read";
            if (fd != 0) ::close(fd);
            throw data_error("error reading " + display_name_ + why);
        }
        done += static_cast<std::size_t>(got);
    }
    if (fd != 0) ::close(fd);
}

input_file::~input_file() {
    if (temporary_) ::unlink(path_.c_str());
}

output::output(const std::string& path) : path_(path) {
    if (path.empty()) {
        file_ = stdout;
        return;
    }
    temporary_ = path + ".tmp-XXXXXX";
    const int fd = mkstemp(temporary_.data());
    if (fd < 0) throw data_error("cannot create a temporary file next to " + path + ": " + errno_text());
    // mkstemp makes the file private; give it the permissions a plain new file would have.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    file_ = fdopen(fd, "wb");
    if (!file_) {
        ::close(fd);
        ::unlink(temporary_.c_str());
        throw data_error("cannot open " + temporary_ + ": " + errno_text());
    }
}

output::~output() {
    if (file_ && file_ != stdout) {
        std::fclose(file_);
        if (!committed_) ::unlink(temporary_.c_str());
    }
}

void output::write(std::string_view bytes) {
    buffer_.append(bytes);
    if (buffer_.size() >= (1 << 20)) flush();
}

void output::flush() {
    if (buffer_.empty()) return;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
        throw data_error("cannot write " + (path_.empty() ? std::string("standard output") : path_) + ": " + errno_text());
    buffer_.clear();
}

void output::commit() {
    flush();
    if (std::fflush(file_) != 0)
        throw data_error("cannot write " + (path_.empty() ? std::string("standard output") : path_) + ": " + errno_text());
    if (file_ == stdout) return;
    const int closed = std::fclose(file_);
    file_ = nullptr;
    if (closed != 0) {
        ::unlink(temporary_.c_str());
        throw data_error("cannot write " + path_ + ": " + errno_text());
    }
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
        ::unlink(temporary_.c_str());
        throw data_error("cannot rename " + temporary_ + " to " + path_ + ": " + errno_text());
    }
    committed_ = true;
}

}  // namespace ditto_cli
