// The input of a run as one sequence of bytes: one file, or a manifest's files (input_files.hpp).

#include "input_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>

#include <ditto/store/crc32c.hpp>
#include <ditto/store/format.hpp>

#include "cli.hpp"
#include "stage_files.hpp"

namespace ditto_cli {

namespace {

std::uint64_t nanoseconds(const struct timespec& t) {
    return static_cast<std::uint64_t>(t.tv_sec) * 1000000000u + static_cast<std::uint64_t>(t.tv_nsec);
}

// At most this many files stay open (a manifest may name thousands).
constexpr std::size_t open_files_kept = 32;

bool same_identity(std::uint64_t device, std::uint64_t inode, const struct stat& st) {
    return device == static_cast<std::uint64_t>(st.st_dev) && inode == static_cast<std::uint64_t>(st.st_ino);
}

}  // namespace

input_files::input_files(const std::string& path, bool manifest) : display_name_(escape_text(path)), manifest_(manifest) {
    std::vector<std::pair<std::string, std::size_t>> names;  // each file and its manifest line
    if (!manifest) {
        names.emplace_back(path, 0);
    } else {
        const auto list = [&] {
            try {
                return std::make_unique<input_file>(path);
            } catch (const data_error& e) {
                throw data_error(std::string("the manifest: ") + e.what());
            }
        }();
        const std::filesystem::path folder = std::filesystem::path(path).parent_path();
        list->for_each_line([&](std::size_t line, const char* p, std::size_t n) {
            std::string name(p, n);
            if (!name.empty() && name.back() == '\r') name.pop_back();
            if (name.find_first_not_of(" \t") == std::string::npos) return true;
            if (name.find('\0') != std::string::npos)
                throw data_error(display_name_ + ":" + std::to_string(line) + ": a file name with a NUL byte");
            const std::filesystem::path named(name);
            names.emplace_back(named.is_absolute() || folder.empty() ? name : (folder / named).string(), line);
            return true;
        });
        if (names.empty()) throw data_error("the manifest " + display_name_ + " names no file");
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0)
            list_identity_ = {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
    }
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> seen;  // (device, inode) -> manifest line
    files_.reserve(names.size());
    for (const auto& [name, line] : names) {
        const std::string where = manifest ? display_name_ + ":" + std::to_string(line) + ": " : std::string();
        file f;
        f.path = name;
        const std::string shown = escape_text(name);
        // Not blocking: a FIFO named by mistake is refused below, not waited on for a writer.
        const auto fd = std::make_shared<file_descriptor>(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        if (fd->fd < 0) throw data_error(where + "cannot open " + shown + ": " + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd->fd, &st) != 0) throw data_error(where + "cannot read " + shown + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode))
            throw data_error(where + shown + " is not a regular file (every task must be able to read it by offset)");
        f.size = static_cast<std::uint64_t>(st.st_size);
        f.modified = nanoseconds(st.st_mtim);
        f.changed = nanoseconds(st.st_ctim);
        f.device = static_cast<std::uint64_t>(st.st_dev);
        f.inode = static_cast<std::uint64_t>(st.st_ino);
        if (manifest) {
            const auto [it, inserted] = seen.emplace(std::make_pair(f.device, f.inode), line);
            if (!inserted)
                throw data_error(where + shown + " is the file of line " + std::to_string(it->second) +
                                 " too (a file named twice would be all duplicates)");
        }
        char head[4] = {};
        const std::size_t head_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(4, f.size));
        if (const std::ptrdiff_t got = read_at(fd->fd, 0, head, head_bytes); got != static_cast<std::ptrdiff_t>(head_bytes))
            throw data_error(where + "cannot read " + shown + ": " + (got < 0 ? std::strerror(errno) : "it became shorter"));
        const std::uint64_t start = utf8_text_start(head, head_bytes, shown);
        if (manifest) {
            f.skip = start;
            char last = '\n';
            if (f.size > f.skip) {
                if (const std::ptrdiff_t got = read_at(fd->fd, f.size - 1, &last, 1); got != 1)
                    throw data_error(where + "cannot read " + shown + ": " + (got < 0 ? std::strerror(errno) : "it became shorter"));
            }
            f.add_newline = last != '\n';
        } else {
            text_start_ = start;
        }
        f.begin = size_;
        size_ = f.end();
        modified_ = std::max(modified_, f.modified);
        files_.push_back(std::move(f));
        open_.push_back(files_.size() <= open_files_kept ? fd : nullptr);
        if (files_.size() <= open_files_kept) recent_.push_back(files_.size() - 1);
    }
    if (manifest) {
        // The sequence's first bytes are taken as a file's would be (a first file that starts with
        // two byte order marks starts the sequence with one): the same as the written sequence.
        char head[4] = {};
        const std::size_t head_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(4, size_));
        read(0, head, head_bytes);
        text_start_ = utf8_text_start(head, head_bytes, display_name_);
    }
}

input_files::~input_files() = default;

std::uint32_t input_files::layout_of(const std::vector<std::uint64_t>& lengths) {
    ditto::crc32c crc;
    unsigned char bytes[8];
    for (const std::uint64_t n : lengths) {
        ditto::detail::put_u64(bytes, n);
        crc.update(std::string_view(reinterpret_cast<const char*>(bytes), 8));
    }
    return crc.value();
}

std::uint32_t input_files::layout() const {
    std::vector<std::uint64_t> lengths;
    lengths.reserve(files_.size());
    for (const file& f : files_) lengths.push_back(f.end() - f.begin);
    return layout_of(lengths);
}

std::size_t input_files::files_with_bom() const {
    return static_cast<std::size_t>(std::count_if(files_.begin(), files_.end(), [](const file& f) { return f.skip > 0; }));
}

std::size_t input_files::file_at(std::uint64_t offset) const {
    // The last file starting at or before offset (an empty file starts where the next does).
    const auto after = std::upper_bound(files_.begin(), files_.end(), offset,
                                        [](std::uint64_t o, const file& f) { return o < f.begin; });
    return static_cast<std::size_t>(after - files_.begin()) - 1;
}

std::shared_ptr<file_descriptor> input_files::open_file(std::size_t i) const {
    const std::lock_guard lock(mutex_);
    if (open_[i]) return open_[i];
    const file& f = files_[i];
    const std::string shown = escape_text(f.path);
    auto fd = std::make_shared<file_descriptor>(::open(f.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd->fd < 0) throw data_error("cannot open " + shown + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd->fd, &st) != 0) throw data_error("cannot read " + shown + ": " + std::strerror(errno));
    if (!as_opened(f, st, false))
        throw data_error(shown + " (named in " + display_name_ + ") was changed or replaced while it was read");
    if (recent_.size() >= open_files_kept) {
        // The longest open goes: a reader still using it keeps it open until it is done.
        open_[recent_.front()].reset();
        recent_.erase(recent_.begin());
    }
    recent_.push_back(i);
    open_[i] = fd;
    return fd;
}

void input_files::read(std::uint64_t offset, char* p, std::size_t n) const {
    if (offset > size_ || n > size_ - offset)
        throw data_error(display_name_ + " is shorter than the offsets read from it (" + std::to_string(size_) + " bytes)");
    while (n > 0) {
        const std::size_t i = file_at(offset);
        const file& f = files_[i];
        const std::uint64_t local = offset - f.begin, content = f.size - f.skip;
        std::size_t m = 1;
        if (local < content) {
            m = static_cast<std::size_t>(std::min<std::uint64_t>(n, content - local));
            const std::shared_ptr<file_descriptor> fd = open_file(i);
            const std::ptrdiff_t got = read_at(fd->fd, f.skip + local, p, m);
            if (got < 0) throw data_error("cannot read " + escape_text(f.path) + ": " + std::strerror(errno));
            if (static_cast<std::size_t>(got) != m) throw data_error(escape_text(f.path) + " became shorter while it was read");
        } else {
            *p = '\n';  // added after a last line without one
        }
        p += m;
        offset += m;
        n -= m;
    }
}

void input_files::check_unchanged(const std::string& while_doing) const {
    for (const file& f : files_) {
        struct stat st {};
        if (::stat(f.path.c_str(), &st) != 0) throw data_error("cannot read " + escape_text(f.path) + ": " + std::strerror(errno));
        // The status change time too: a write that keeps the size and sets the modification
        // time back still changes it.
        if (!as_opened(f, st, true)) throw data_error(escape_text(f.path) + " changed while it was " + while_doing);
    }
}

bool input_files::as_opened(const file& f, const struct stat& st, bool with_change_time) {
    return static_cast<std::uint64_t>(st.st_size) == f.size && nanoseconds(st.st_mtim) == f.modified &&
           (!with_change_time || nanoseconds(st.st_ctim) == f.changed) && same_identity(f.device, f.inode, st);
}

bool input_files::holds(const struct stat& st) const {
    return std::any_of(files_.begin(), files_.end(), [&](const file& f) { return same_identity(f.device, f.inode, st); });
}

bool input_files::contains(const std::string& path) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    return (manifest_ && same_identity(list_identity_.first, list_identity_.second, st)) || holds(st);
}

void input_files::refuse_as_output(const std::string& path, const std::string& option, const std::string& help) const {
    if (!path.empty() && contains(path))
        throw usage_error(option + " " + escape_text(path) + (manifest_ ? " is the manifest or one of its files" : " is the input file"),
                          help);
}

bool input_files::is(int fd) const {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && holds(st);
}

std::string input_files::place(std::uint64_t offset) const {
    if (!manifest_) return display_name_;
    const file& f = files_[file_at(std::min(offset, size_ == 0 ? 0 : size_ - 1))];
    return escape_text(f.path) + " (byte " + std::to_string(f.skip + std::min(offset - std::min(offset, f.begin), f.size) + 1) +
           " of it)";
}

void input_files::note_bytes(std::uint64_t offset, const char* bytes, std::size_t n) const {
    if (!manifest_) return;
    const std::lock_guard lock(lines_mutex_);
    note_locked(offset, bytes, n);
}

void input_files::note_locked(std::uint64_t offset, const char* bytes, std::size_t n) const {
    if (offset != counted_to_ || n == 0) return;  // only in order: each byte counted once
    if (lines_in_.empty()) lines_in_.assign(files_.size(), 0);
    for (std::size_t i = file_at(offset); i < files_.size() && files_[i].begin < offset + n; ++i) {
        const std::uint64_t from = std::max(offset, files_[i].begin), to = std::min(offset + n, files_[i].end());
        if (from < to)
            lines_in_[i] += static_cast<std::uint64_t>(std::count(bytes + (from - offset), bytes + (to - offset), '\n'));
    }
    counted_to_ = offset + n;
}

bool input_files::locate(std::uint64_t line, std::size_t& index, std::uint64_t& own_line) const {
    const std::lock_guard lock(lines_mutex_);
    std::vector<char> block;
    for (;;) {
        // Every file's bytes in the sequence end with a newline: its lines are its newlines.
        std::uint64_t before = 0;
        for (std::size_t i = 0; i < files_.size() && !lines_in_.empty(); ++i) {
            if (line <= before + lines_in_[i]) {
                index = i;
                own_line = line - before;
                return true;
            }
            before += lines_in_[i];
        }
        if (counted_to_ >= size_) return false;
        // Not counted that far yet (the input read in blocks): count on from where it stopped.
        block.resize(std::size_t{1} << 20);
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size_ - counted_to_));
        read(counted_to_, block.data(), n);
        note_locked(counted_to_, block.data(), n);
    }
}

std::string input_files::line_place(std::uint64_t line) const {
    std::size_t index = 0;
    std::uint64_t own = 0;
    if (!manifest_ || line == 0 || !locate(line, index, own)) return display_name_ + ":" + std::to_string(line);
    return escape_text(files_[index].path) + ":" + std::to_string(own);
}

std::string input_files::line_place(std::uint64_t line, std::uint64_t column) const {
    std::size_t index = 0;
    std::uint64_t own = 0;
    if (!manifest_ || line == 0 || !locate(line, index, own))
        return display_name_ + ":" + std::to_string(line) + ":" + std::to_string(column);
    // Columns count bytes of the file: its byte order mark is before its first line's.
    return escape_text(files_[index].path) + ":" + std::to_string(own) + ":" +
           std::to_string(column + (own == 1 ? files_[index].skip : 0));
}

}  // namespace ditto_cli
