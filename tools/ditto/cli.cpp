// Option values, input files, output files and signal cleanup for the ditto program.
#include "cli.hpp"
#include "input_files.hpp"

#include <ditto/io/jsonl.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <new>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
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

std::uint64_t parse_bytes(std::string_view option, std::string_view text, const std::string& help_command) {
    const auto fail = [&]() -> std::uint64_t {
        throw usage_error(std::string(option) + " must be a positive number of bytes, optionally with K, M, G or T "
                              "(1024-based), at most 2^63, got '" + std::string(text) + "'",
                          help_command);
    };
    std::string_view digits = text;
    unsigned shift = 0;
    if (!digits.empty()) {
        switch (digits.back()) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        default: break;
        }
        if (shift != 0) digits.remove_suffix(1);
    }
    if (digits.empty() || digits.size() > 19) return fail();
    std::uint64_t v = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return fail();
        v = v * 10 + static_cast<std::uint64_t>(c - '0');  // 19 digits cannot overflow
    }
    constexpr std::uint64_t most = std::uint64_t{1} << 63;
    if (v == 0 || v > (most >> shift)) return fail();
    return v << shift;
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

std::string argument_reader::name_value() {
    const std::string_view v = value();
    if (v.empty()) throw usage_error(std::string(name_) + " must be a non-empty name", help_);
    return std::string(v);
}

bool parse_input_option(argument_reader& r, ditto::jsonl_options& o) {
    const std::string_view name = r.name();
    if (name == "--text-field") {
        o.text_field = r.name_value();
    } else if (name == "--id-field") {
        o.id_field = r.name_value();
    } else if (name == "--invalid-utf8") {
        const std::string_view v = r.value();
        if (v == "replace") o.on_invalid = ditto::invalid_utf8::replace;
        else if (v == "error") o.on_invalid = ditto::invalid_utf8::error;
        else throw usage_error("--invalid-utf8 must be 'replace' or 'error', got '" + std::string(v) + "'", r.help_command());
    } else {
        return false;
    }
    return true;
}

bool parse_output_option(argument_reader& r, std::string& path, std::string& option) {
    const std::string_view name = r.name();
    if (name != "-o" && name != "--output") return false;
    const std::string_view v = r.value();
    if (v.empty()) throw usage_error(std::string(name) + " needs a file name", r.help_command());
    path = std::string(v);
    option = std::string(name);
    return true;
}

bool parse_index_of(std::string_view text, std::uint32_t most, std::uint32_t& index, std::uint32_t& count) {
    const std::size_t slash = text.find('/');
    const auto number = [](std::string_view digits, std::uint32_t& out) {
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return !digits.empty() && ec == std::errc{} && end == digits.data() + digits.size();
    };
    return slash != std::string_view::npos && number(text.substr(0, slash), index) && number(text.substr(slash + 1), count) &&
           count > 0 && count <= most && index < count;
}

bool parse_input_argument(argument_reader& r, input_argument& input) {
    const bool operand = r.is_operand();
    if (!operand && r.name() != "--manifest") return false;
    const std::string value(operand ? r.argument() : r.value());
    if (input.given && input.manifest && !operand) throw usage_error("--manifest given twice", r.help_command());
    if (input.given)
        throw usage_error(input.manifest || !operand ? "give one input: an input file or --manifest LIST, not both"
                                                     : "more than one input file ('" + escape_text(input.path) + "', '" +
                                                           escape_text(value) + "'); name several in a --manifest LIST",
                          r.help_command());
    if (!operand && value.empty()) throw usage_error("--manifest needs a file name", r.help_command());
    input.path = value;
    input.manifest = !operand;
    input.given = true;
    return true;
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

std::string escape_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto hex = [&](unsigned char c) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
        out += buffer;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\') out += "\\\\";
        else if (c == '\t') out += "\\t";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c < 0x20 || c == 0x7f) hex(c);
        else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                 static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
            // A C1 control (U+0080..U+009F): some terminals take U+009B as the start of a command.
            hex(c);
            hex(static_cast<unsigned char>(s[++i]));
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// ---- Input ----

input_file::input_file(const std::string& path, const std::function<void(std::size_t)>& on_read,
                       ditto::thread_pool* pool) {
    display_name_ = path == "-" ? "<stdin>" : path;
    const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw data_error("cannot open " + display_name_ + ": " + errno_text());
    struct closer {
        int fd;
        ~closer() {
            if (fd != 0) ::close(fd);
        }
    } close_at_end{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0) throw data_error("cannot read " + display_name_ + ": " + errno_text());
    // A regular file is read with one allocation of its size (plus one byte, so the read that
    // finds its end needs no growth); a pipe or terminal grows the buffer by doubling (realloc
    // moves large blocks by remapping pages, not by copying).
    // Standard input may stand anywhere in a regular file (a shell read a line first): the input
    // is the rest, from where it stands.
    off_t start = 0;
    if (S_ISREG(info.st_mode)) start = std::max<off_t>(::lseek(fd, 0, SEEK_CUR), 0);
    std::size_t capacity = S_ISREG(info.st_mode)
                               ? static_cast<std::size_t>(std::max<off_t>(info.st_size - start, 0)) + 1
                               : std::size_t{1} << 20;
    bytes_.reset(static_cast<char*>(std::malloc(capacity)));
    if (!bytes_) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    // A large buffer in huge pages where the system gives them on request: reading a gigabyte
    // otherwise takes a page fault every 4 KB, a third of the read's time. Advice only.
    if (capacity >= (std::size_t{64} << 20)) {
        constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
        const auto at = reinterpret_cast<std::uintptr_t>(bytes_.get());
        const std::uintptr_t from = (at + huge - 1) & ~(huge - 1), to = (at + capacity) & ~(huge - 1);
        if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
    }
#endif
    // A regular file: its size in pieces, on the pool. A piece read short means the file shrank
    // meanwhile: what was read up to there is the input (as a reader going to its end would find).
    constexpr std::size_t piece = std::size_t{8} << 20;
    if (pool && S_ISREG(info.st_mode) && capacity - 1 > piece) {
        const std::size_t expected = capacity - 1;
        const std::size_t pieces = (expected + piece - 1) / piece;
        std::vector<std::size_t> got(pieces, 0);
        std::vector<int> errors(pieces, 0);
        std::atomic<std::size_t> total{0};
        pool->bulk(pieces, [&](std::size_t i) {
            const std::size_t begin = i * piece, want = std::min(piece, expected - begin);
            while (got[i] < want) {
                const ssize_t r = ::pread(fd, bytes_.get() + begin + got[i], want - got[i],
                                          start + static_cast<off_t>(begin + got[i]));
                if (r < 0 && errno == EINTR) continue;
                if (r < 0) errors[i] = errno;
                if (r <= 0) break;
                got[i] += static_cast<std::size_t>(r);
            }
            const std::size_t so_far = total.fetch_add(got[i], std::memory_order_relaxed) + got[i];
            if (on_read) on_read(so_far);
        });
        for (std::size_t i = 0; i < pieces; ++i) {
            if (errors[i] != 0) {
                errno = errors[i];
                throw data_error("error reading " + display_name_ + ": " + errno_text());
            }
            size_ += got[i];
            if (got[i] < std::min(piece, expected - i * piece)) break;  // shrank: stop here
        }
        if (size_ < expected) return;
        if (::lseek(fd, start + static_cast<off_t>(size_), SEEK_SET) < 0)
            throw data_error("error reading " + display_name_ + ": " + errno_text());
    }
    for (;;) {
        if (size_ == capacity) {
            capacity *= 2;
            char* grown = static_cast<char*>(std::realloc(bytes_.get(), capacity));
            if (!grown) throw std::bad_alloc();
            static_cast<void>(bytes_.release());
            bytes_.reset(grown);
        }
        const ssize_t got = ::read(fd, bytes_.get() + size_, std::min<std::size_t>(capacity - size_, std::size_t{1} << 30));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw data_error("error reading " + display_name_ + ": " + errno_text());
        if (got == 0) break;
        size_ += static_cast<std::size_t>(got);
        if (on_read) on_read(size_);
    }
}

input_file::input_file(const input_files& files, const std::function<void(std::size_t)>& on_read, ditto::thread_pool* pool)
    : display_name_(files.display_name()), files_(&files) {
    if (files.size() >= std::numeric_limits<std::size_t>::max()) throw std::bad_alloc();
    size_ = static_cast<std::size_t>(files.size());
    bytes_.reset(static_cast<char*>(std::malloc(size_ + 1)));
    if (!bytes_) throw std::bad_alloc();
    constexpr std::size_t piece = std::size_t{8} << 20;
    const std::size_t pieces = (size_ + piece - 1) / piece;
    std::atomic<std::size_t> total{0};
    const auto read_piece = [&](std::size_t i) {
        const std::size_t begin = i * piece, n = std::min(piece, size_ - begin);
        files.read(begin, bytes_.get() + begin, n);
        const std::size_t so_far = total.fetch_add(n, std::memory_order_relaxed) + n;
        if (on_read) on_read(so_far);
    };
    if (pool) {
        pool->bulk(pieces, read_piece);
    } else {
        for (std::size_t i = 0; i < pieces; ++i) read_piece(i);
    }
    files.note_bytes(0, bytes_.get(), size_);  // a manifest's lines, for messages: before any parsing
}

std::string input_file::located(const ditto::parse_error& e) const {
    if (!files_ || !files_->is_manifest()) return located_in_one_file(e);
    return files_->line_place(e.line(), e.column()) + ": " + e.what();
}

std::size_t input_file::text_start() const {
    return utf8_text_start(bytes_.get(), size_, display_name_);
}

std::size_t utf8_text_start(const char* bytes, std::size_t size, const std::string& display_name) {
    const auto* b = reinterpret_cast<const unsigned char*>(bytes);
    const std::size_t n = size;
    auto starts = [&](std::initializer_list<unsigned char> prefix) {
        return n >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b);
    };
    const char* encoding = nullptr;
    const char* sign = nullptr;
    // UTF-32 first: its little-endian byte order mark begins like UTF-16's.
    if (starts({0x00, 0x00, 0xfe, 0xff})) encoding = "UTF-32BE", sign = "byte order mark 00 00 FE FF";
    else if (starts({0xff, 0xfe, 0x00, 0x00})) encoding = "UTF-32LE", sign = "byte order mark FF FE 00 00";
    else if (starts({0xfe, 0xff})) encoding = "UTF-16BE", sign = "byte order mark FE FF";
    else if (starts({0xff, 0xfe})) encoding = "UTF-16LE", sign = "byte order mark FF FE";
    else if (n >= 4) {
        // Without a byte order mark: JSON starts with ASCII, so NUL bytes in the first four
        // bytes give the code unit size and order (RFC 4627, section 3).
        const bool z0 = b[0] == 0, z1 = b[1] == 0, z2 = b[2] == 0, z3 = b[3] == 0;
        if (z0 && z1 && z2 && !z3) encoding = "UTF-32BE";
        else if (!z0 && z1 && z2 && z3) encoding = "UTF-32LE";
        else if (z0 && !z1 && z2 && !z3) encoding = "UTF-16BE";
        else if (!z0 && z1 && !z2 && z3) encoding = "UTF-16LE";
        sign = "NUL bytes between ASCII characters";
    }
    if (encoding)
        throw data_error(display_name + ": the input looks like " + encoding + " (" + sign +
                         "); ditto reads UTF-8 only: convert it first, for example with iconv -f " + encoding +
                         " -t UTF-8");
    return starts({0xef, 0xbb, 0xbf}) ? 3 : 0;
}

// ---- Lines sorted past memory ----

// The budget: three quarters for the lines' bytes, a quarter for their places, reserved at once
// so that growth never doubles past it.
void sorted_lines::add(std::string_view line) {
    if (line.size() > 0xffffffffu) throw data_error("a line of over 4 GB cannot be sorted");
    if (lines_.capacity() == 0) {
        held_.reserve(static_cast<std::size_t>(std::max<std::uint64_t>(1, memory_ / 4 * 3)));
        lines_.reserve(static_cast<std::size_t>(std::max<std::uint64_t>(1, memory_ / 4 / sizeof(lines_[0]))));
    }
    if (!lines_.empty() && (held_.size() + line.size() > held_.capacity() || lines_.size() == lines_.capacity())) {
        spill();
        return add(line);
    }
    lines_.emplace_back(held_.size(), static_cast<std::uint32_t>(line.size()));
    held_.append(line);
}

void sorted_lines::sort_held() {
    const auto view = [&](const std::pair<std::uint64_t, std::uint32_t>& l) {
        return std::string_view(held_).substr(static_cast<std::size_t>(l.first), l.second);
    };
    std::sort(lines_.begin(), lines_.end(), [&](const auto& a, const auto& b) { return view(a) < view(b); });
}

void sorted_lines::run_writer::add(std::string_view line) {
    block.append(line);
    if (block.size() < (std::size_t{1} << 20)) return;
    made.file->add(block);
    made.bytes += block.size();
    block.clear();
}

sorted_lines::run sorted_lines::run_writer::finish() {
    made.file->add(block);
    made.bytes += block.size();
    std::string().swap(block);
    made.file->release();  // on disk until it is merged
    return std::move(made);
}

// A run per budget's worth of lines; 16 runs of one level are merged into one of the next at
// once, so at most 15 runs per level are open and merging reads each line once per level.
void sorted_lines::spill() {
    if (lines_.empty()) return;
    sort_held();
    run_writer writer;
    for (const auto& [offset, length] : lines_) writer.add(std::string_view(held_).substr(static_cast<std::size_t>(offset), length));
    runs_.push_back(writer.finish());
    std::vector<std::pair<std::uint64_t, std::uint32_t>>().swap(lines_);
    std::string().swap(held_);
    while (runs_.size() >= fan_in && runs_[runs_.size() - fan_in].level == runs_.back().level) merge_last();
}

void sorted_lines::merge_last() {
    const std::size_t first = runs_.size() - fan_in;
    run_writer writer;
    writer.made.level = runs_.back().level + 1;
    merge(first, runs_.size(), [&](std::string_view line) { writer.add(line); });
    runs_.resize(first);
    runs_.push_back(writer.finish());
}

void sorted_lines::merge(std::size_t first, std::size_t last, const std::function<void(std::string_view)>& sink) {
    struct cursor {
        spill_file* file;
        std::uint64_t offset, end;
        std::string line;
    };
    std::vector<cursor> cursors;
    for (std::size_t r = first; r < last; ++r) cursors.push_back({runs_[r].file.get(), 0, runs_[r].bytes, {}});
    // The next line of a run, or false at its end. A line longer than the chunk read is read again
    // with a chunk twice as long.
    auto next = [](cursor& c) {
        if (c.offset == c.end) return false;
        for (std::size_t chunk = std::size_t{1} << 16;; chunk *= 2) {
            const std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, c.end - c.offset));
            const std::string_view bytes = c.file->get(c.offset, size);
            const std::size_t newline = bytes.find('\n');
            if (newline == std::string_view::npos && size < c.end - c.offset) continue;
            const std::size_t length = newline == std::string_view::npos ? size : newline + 1;
            c.line.assign(bytes.substr(0, length));
            c.offset += length;
            return true;
        }
    };
    // A min-heap of cursors by (line, run): equal lines come out in run order.
    std::vector<std::size_t> heap;
    auto later = [&](std::size_t a, std::size_t b) {
        return cursors[a].line != cursors[b].line ? cursors[a].line > cursors[b].line : a > b;
    };
    for (std::size_t c = 0; c < cursors.size(); ++c)
        if (next(cursors[c])) heap.push_back(c);
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const std::size_t c = heap.back();
        sink(cursors[c].line);
        if (next(cursors[c])) std::push_heap(heap.begin(), heap.end(), later);
        else heap.pop_back();
    }
}

void sorted_lines::drain(const std::function<void(std::string_view)>& sink) {
    if (runs_.empty()) {  // everything fits in memory
        sort_held();
        for (const auto& [offset, length] : lines_) sink(std::string_view(held_).substr(static_cast<std::size_t>(offset), length));
        return;
    }
    spill();
    while (runs_.size() > fan_in) merge_last();
    merge(0, runs_.size(), sink);
}

// ---- Removing the temporary file on signals ----

namespace {

// The handler may run on any thread at any time: the path lives in a static buffer, set while
// the signals are blocked, and the handler only calls async-signal-safe functions.
char signal_cleanup_path[4096];
volatile std::sig_atomic_t signal_cleanup_armed = 0;
// SIGXFSZ: a write past the file size limit; SIGPIPE: a closed pipe, or sent by another process.
constexpr int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGXFSZ, SIGPIPE};

extern "C" void remove_and_reraise(int signal_number) {
    if (signal_cleanup_armed) ::unlink(signal_cleanup_path);
    // Die by the same signal, so the caller sees how the process ended: the default action
    // takes effect when the handler returns and the signal is unblocked.
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

// Blocks the cleanup signals for the life of the object (around changes to the path).
class signals_blocked {
public:
    signals_blocked() {
        sigset_t set;
        sigemptyset(&set);
        for (const int s : cleanup_signals) sigaddset(&set, s);
        pthread_sigmask(SIG_BLOCK, &set, &previous_);
    }
    ~signals_blocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    signals_blocked(const signals_blocked&) = delete;
    signals_blocked& operator=(const signals_blocked&) = delete;

private:
    sigset_t previous_;
};

}  // namespace

void install_signal_cleanup() {
    for (const int s : cleanup_signals) {
        struct sigaction current {};
        if (::sigaction(s, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;  // e.g. nohup
        struct sigaction action {};
        action.sa_handler = remove_and_reraise;
        sigemptyset(&action.sa_mask);
        for (const int t : cleanup_signals) sigaddset(&action.sa_mask, t);
        ::sigaction(s, &action, nullptr);
    }
}

void with_cleanup_signals_blocked(const std::function<void()>& f) {
    signals_blocked blocked;
    f();
}

void remove_on_signal(const std::string& path) {
    signals_blocked blocked;
    signal_cleanup_armed = 0;
    if (path.empty() || path.size() >= sizeof signal_cleanup_path) return;
    std::memcpy(signal_cleanup_path, path.c_str(), path.size() + 1);
    signal_cleanup_armed = 1;
}

int open_unnamed_temporary(const std::string& folder) {
    int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        std::string pattern = folder + "/ditto-XXXXXX";
        signals_blocked blocked;
        fd = ::mkostemp(pattern.data(), O_CLOEXEC);
        if (fd >= 0) {
            const int e = errno;
            ::unlink(pattern.c_str());
            errno = e;
        }
    }
    return fd;
}

std::ptrdiff_t read_at(int fd, std::uint64_t offset, char* p, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(fd, p + got, n - got, static_cast<off_t>(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;  // the end of the file
        got += static_cast<std::size_t>(r);
    }
    return static_cast<std::ptrdiff_t>(got);
}

// ---- Spill file ----

spill_file::~spill_file() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t spill_file::add(std::string_view bytes) {
    if (fd_ < 0 && !in_memory_) {
        const char* dir = std::getenv("TMPDIR");
        const std::string folder = dir && *dir ? dir : "/tmp";
        fd_ = open_unnamed_temporary(folder);
        if (fd_ < 0 && !memory_fallback_)
            throw data_error("cannot create a temporary file in " + folder + ": " + errno_text());
        in_memory_ = fd_ < 0;  // no temporary file can be made there: hold the bytes after all
    }
    const std::uint64_t at = size_;
    pending_.append(bytes);
    size_ += bytes.size();
    if (pending_.size() >= (std::size_t{4} << 20)) flush();
    return at;
}

void spill_file::release() {
    flush();
    if (in_memory_) return;
    std::string().swap(pending_);
    std::string().swap(window_);
    window_offset_ = 0;
}

void spill_file::flush() {
    if (in_memory_) return;
    for (std::size_t done = 0; done < pending_.size();) {
        const ssize_t w = ::write(fd_, pending_.data() + done, pending_.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw data_error("cannot write a temporary file: " + errno_text());
        done += static_cast<std::size_t>(w);
    }
    written_ += pending_.size();
    pending_.clear();
}

std::string_view spill_file::get(std::uint64_t offset, std::size_t size) {
    if (in_memory_) return std::string_view(pending_).substr(static_cast<std::size_t>(offset), size);
    flush();
    if (offset < window_offset_ || offset + size > window_offset_ + window_.size()) {
        // Up to 4 MB ahead, but not past the end: a small file gets a small window.
        const std::uint64_t left = written_ > offset ? written_ - offset : 0;
        window_.resize(std::max<std::size_t>(size, static_cast<std::size_t>(std::min<std::uint64_t>(left, std::uint64_t{4} << 20))));
        window_offset_ = offset;
        std::size_t got = 0;
        while (got < window_.size() && offset + got < written_) {
            const ssize_t r = ::pread(fd_, window_.data() + got, window_.size() - got, static_cast<off_t>(offset + got));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) throw data_error("cannot read a temporary file back: " + (r < 0 ? errno_text() : "it is shorter"));
            got += static_cast<std::size_t>(r);
        }
        window_.resize(got);
        if (got < size) throw data_error("cannot read a temporary file back: it is shorter");
    }
    return std::string_view(window_.data() + (offset - window_offset_), size);
}

// ---- Output ----

namespace {

std::string folder_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Follows the symbolic links at path by their text, to the name they finally point to (which
// does not exist: this is for dangling links, which the kernel cannot resolve for us).
std::string follow_links(std::string path) {
    for (int hops = 0; hops < 40; ++hops) {
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return path;
        std::string target(4096, '\0');
        const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
        if (n < 0) return path;
        target.resize(static_cast<std::size_t>(n));
        path = target.starts_with('/') ? target : folder_of(path) + "/" + target;
    }
    return path;
}

}  // namespace

std::string output_target(const std::string& path) {
    if (char* real = ::realpath(path.c_str(), nullptr)) {
        std::string target = real;
        std::free(real);
        return target;
    }
    return follow_links(path);
}

output::output(const std::string& path, std::string_view option) : path_(path) {
    if (path.empty()) return;
    const std::string named = std::string(option) + " " + path;
    auto refuse = [&](const std::string& why) { throw usage_error(named + ": " + why, ""); };
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        if (S_ISDIR(info.st_mode)) refuse("is a folder; name a file");
        struct stat out {};
        if (::fstat(1, &out) == 0 && out.st_dev == info.st_dev && out.st_ino == info.st_ino) {
            // Standard output itself (/dev/stdout, or the file it is redirected to): write to
            // it as it was opened (appending stays appending).
            kind_ = kind::standard_output;
            return;
        }
        if (::access(path.c_str(), W_OK) != 0) refuse("cannot write: " + errno_text());
        if (!S_ISREG(info.st_mode)) {
            kind_ = kind::direct;  // a device, FIFO or terminal: written in place, never replaced
            target_ = path;
            return;
        }
        char* real = ::realpath(path.c_str(), nullptr);
        if (!real) refuse("cannot resolve: " + errno_text());
        target_ = real;
        std::free(real);
        replacing_ = true;
        mode_ = info.st_mode & 07777;
        owner_ = info.st_uid;
        group_ = info.st_gid;
    } else if (errno == ENOENT) {
        target_ = follow_links(path);  // a new file, or the missing target of a symbolic link
    } else {
        refuse(errno_text());
    }
    kind_ = kind::replace;
    const std::string folder = folder_of(target_);
    struct stat folder_info {};
    if (::stat(folder.c_str(), &folder_info) != 0) refuse("cannot use the folder " + folder + ": " + errno_text());
    if (!S_ISDIR(folder_info.st_mode)) refuse(folder + " is not a folder");
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        refuse("cannot create files in the folder " + folder + ": " + errno_text());
}

output::~output() {
    if (fd_ >= 0) ::close(fd_);
    if (!temporary_.empty() && !committed_) {
        ::unlink(temporary_.c_str());
        remove_on_signal("");
    }
}

void output::fail(const std::string& what) const {
    const std::string why = errno_text();
    const std::string name = kind_ == kind::standard_output ? std::string("standard output") : path_;
    throw data_error("cannot " + what + " " + name + ": " + why);
}

void output::open() {
    if (kind_ == kind::direct) {
        fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd_ < 0) fail("open");
        return;
    }
    temporary_ = target_ + ".tmp-XXXXXX";
    {
        // The path is registered before a signal can find the file on disk without it.
        signals_blocked blocked;
        fd_ = ::mkostemp(temporary_.data(), O_CLOEXEC);
        if (fd_ < 0) {
            const std::string why = errno_text();
            temporary_.clear();
            throw data_error("cannot create a temporary file next to " + path_ + ": " + why);
        }
        remove_on_signal(temporary_);
    }
    // Locked while it is written (the kernel lets go when the process ends, however it ends), so
    // a cleaner of leftover temporaries can tell this one from a killed writer's.
    static_cast<void>(::flock(fd_, LOCK_EX | LOCK_NB));
    if (replacing_) {
        // The owner first (changing it clears set-user-ID bits), then the mode. Only a
        // privileged process may give a file away; otherwise it keeps ours, like a new file.
        if (::fchown(fd_, owner_, group_) != 0) static_cast<void>(::fchown(fd_, static_cast<uid_t>(-1), group_));
        ::fchmod(fd_, static_cast<mode_t>(mode_));
    } else {
        // mkstemp makes the file private; give it the permissions a plain new file would have.
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd_, 0666 & ~mask);
    }
}

void output::put(const char* bytes, std::size_t size) {
    if (kind_ == kind::standard_output) {
        if (std::fwrite(bytes, 1, size, stdout) != size) fail("write");
        return;
    }
    if (fd_ < 0) open();
    while (size > 0) {
        const ssize_t w = ::write(fd_, bytes, std::min<std::size_t>(size, std::size_t{1} << 30));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) fail("write");
        bytes += w;
        size -= static_cast<std::size_t>(w);
    }
}

void output::write(std::string_view bytes) {
    if (bytes.size() >= (1 << 20)) {  // large pieces (runs of kept lines) go out without a copy
        flush();
        put(bytes.data(), bytes.size());
        return;
    }
    buffer_.append(bytes);
    if (buffer_.size() >= (1 << 20)) flush();
}

void output::flush() {
    if (buffer_.empty()) return;
    put(buffer_.data(), buffer_.size());
    buffer_.clear();
}

void output::commit() {
    flush();
    if (kind_ == kind::standard_output) {
        if (std::fflush(stdout) != 0) fail("write");
        return;
    }
    if (fd_ < 0) open();  // nothing written: the file is still created (or emptied)
    if (kind_ == kind::replace && ::fsync(fd_) != 0) fail("write");
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0) fail("write");
    if (kind_ == kind::direct) return;
    if (std::rename(temporary_.c_str(), target_.c_str()) != 0) {
        const std::string why = errno_text();
        ::unlink(temporary_.c_str());
        remove_on_signal("");
        throw data_error("cannot rename " + temporary_ + " to " + target_ + ": " + why);
    }
    committed_ = true;
    remove_on_signal("");
}

}  // namespace ditto_cli
