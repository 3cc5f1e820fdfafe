#pragma once
// The input of a run that several tasks read by offset: one JSONL file as it is, or the files a
// manifest names, as one sequence of bytes. A crawl comes as many shards; a manifest lets every
// stage (and `ditto dedup` alone) treat them as one input, split into parts by byte ranges that
// need not follow the files.
//
// A manifest is a text file naming one input file per line (UTF-8, "\n" or "\r\n" line ends;
// a relative name is taken from the manifest's folder, so every task finds the same files from
// any working directory; blank lines are ignored). Its input is the files' bytes one after the
// other, each without its UTF-8 byte order mark and ending with a newline: one is added after a
// file whose last line lacks it, so a line never spans two files. Offsets and line numbers are
// those of that sequence. `ditto dedup --manifest M` gives, byte for byte, the output of `ditto
// dedup` over the file made by writing that sequence out.

#include <cstdint>
#include <memory>

#include <sys/stat.h>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ditto_cli {

struct file_descriptor;

class input_files {
public:
    /// Opens path, a JSONL file (manifest false) or a manifest, and every file a manifest names.
    /// Throws data_error when a file cannot be opened, is not a regular file, is UTF-16 or
    /// UTF-32, or is named twice, and when a manifest names no file.
    input_files(const std::string& path, bool manifest);
    ~input_files();
    input_files(const input_files&) = delete;
    input_files& operator=(const input_files&) = delete;

    /// The file, or the manifest, for messages.
    [[nodiscard]] const std::string& display_name() const { return display_name_; }
    [[nodiscard]] bool is_manifest() const { return manifest_; }
    /// The bytes of the sequence.
    [[nodiscard]] std::uint64_t size() const { return size_; }
    /// Where the first line starts: after a UTF-8 byte order mark at the start (of the file, or
    /// of a manifest's sequence, whose files' own marks are not in it).
    [[nodiscard]] std::uint64_t text_start() const { return text_start_; }
    /// The latest modification time of the files (ns since the epoch).
    [[nodiscard]] std::uint64_t modification_time() const { return modified_; }
    /// A CRC-32C of the files' lengths in the sequence, in order (layout_of for one file): sketch
    /// files keep it, so a manifest that lists other files, or the same in another order, is
    /// told apart from the one sketched even at the same total size.
    [[nodiscard]] std::uint32_t layout() const;
    [[nodiscard]] static std::uint32_t layout_of(const std::vector<std::uint64_t>& lengths);
    /// How many files; how many of them start with a byte order mark (a manifest's: left out).
    [[nodiscard]] std::size_t files() const { return files_.size(); }
    [[nodiscard]] std::size_t files_with_bom() const;

    /// Bytes [offset, offset + n) of the sequence into p, from any thread. Throws data_error
    /// when a file cannot be read, is shorter than it was, or was changed (size or time).
    void read(std::uint64_t offset, char* p, std::size_t n) const;
    /// A data_error naming the file when any file's size, modification or status change time
    /// is not as when it was opened.
    void check_unchanged(const std::string& while_doing) const;
    /// Whether path names one of the files, or the manifest (an output that would overwrite it).
    [[nodiscard]] bool contains(const std::string& path) const;
    /// A usage_error (pointing at help) when path, given to option (-o), names one of the files
    /// or the manifest; nothing for an empty path (standard output).
    void refuse_as_output(const std::string& path, const std::string& option, const std::string& help) const;
    /// Whether file descriptor fd is one of the files.
    [[nodiscard]] bool is(int fd) const;
    /// Where offset lies, for messages: "FILE" for one file, "FILE (byte B of it)" for a
    /// manifest (B counted from 1).
    [[nodiscard]] std::string place(std::uint64_t offset) const;
    /// Where the sequence's line `line` (counted from 1) lies, for messages: "FILE:line" for one
    /// file, "FILE:L" in the file of a manifest that holds it; with a column (bytes from 1 in the
    /// line as read), "FILE:L:C" with C counted in the file. A manifest's lines are counted from
    /// the bytes note_bytes was given, and the files read on from there when the line lies
    /// beyond (a message's cost).
    [[nodiscard]] std::string line_place(std::uint64_t line) const;
    [[nodiscard]] std::string line_place(std::uint64_t line, std::uint64_t column) const;
    /// The sequence's bytes [offset, offset + n) as read, for line_place: counted when they
    /// continue where the last call ended (the input read in order from 0), else ignored.
    void note_bytes(std::uint64_t offset, const char* bytes, std::size_t n) const;

private:
    struct file {
        std::string path;
        std::uint64_t size = 0;     ///< bytes on disk
        std::uint64_t skip = 0;     ///< a byte order mark's (manifest only)
        std::uint64_t begin = 0;    ///< where its bytes start in the sequence
        bool add_newline = false;   ///< a "\n" follows them in the sequence
        std::uint64_t modified = 0, changed = 0, device = 0, inode = 0;
        [[nodiscard]] std::uint64_t end() const { return begin + (size - skip) + (add_newline ? 1 : 0); }
    };
    std::shared_ptr<file_descriptor> open_file(std::size_t i) const;
    // Whether st is f as it was opened: its size, modification time (and status change time)
    // and identity.
    static bool as_opened(const file& f, const struct stat& st, bool with_change_time);
    // Whether st is one of the files.
    [[nodiscard]] bool holds(const struct stat& st) const;
    [[nodiscard]] std::size_t file_at(std::uint64_t offset) const;

    std::string display_name_;
    bool manifest_ = false;
    std::vector<file> files_;
    std::uint64_t size_ = 0, text_start_ = 0, modified_ = 0;
    std::pair<std::uint64_t, std::uint64_t> list_identity_{~std::uint64_t{0}, ~std::uint64_t{0}};  // the manifest's
    // Open files, a few at a time (a manifest may name more than a process may hold open).
    mutable std::mutex mutex_;
    mutable std::vector<std::shared_ptr<file_descriptor>> open_;
    mutable std::vector<std::size_t> recent_;
    void note_locked(std::uint64_t offset, const char* bytes, std::size_t n) const;
    bool locate(std::uint64_t line, std::size_t& index, std::uint64_t& own_line) const;
    // Each file's lines counted so far, and where counting stopped, for line_place.
    mutable std::mutex lines_mutex_;
    mutable std::vector<std::uint64_t> lines_in_;
    mutable std::uint64_t counted_to_ = 0;
};

}  // namespace ditto_cli
