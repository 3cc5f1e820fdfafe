#pragma once
// Sketch files: `ditto sketch --part P/N` writes one for a part of a JSONL file (the pipeline's
// per-text work: hashes, band keys, prefilter slots), and `ditto dedup --sketches FOLDER` reads
// the N parts instead of sketching; `ditto group` and `ditto dedup --task` read them too.
// Format (little-endian), version 2.1:
//
//   0    "DITTOSKT"                      8 bytes
//   8    major u16, minor u16, header bytes u32 (where the rows start)
//   16   the parameter block of a stored index (56 bytes, docs/format.md)
//   72   input size u64, input modification time u64 (ns since the epoch)
//   88   part u32, parts u32, records u64
//   104  the part's lines: first byte u64, end u64 (input offsets)
//   120  flags u32 (1: --skip-invalid, 2: --invalid-utf8 error), text field length u32
//   128  bands u32, slots u32, row bytes u64
//   144  id field length u32, the input's layout u32 (input_files::layout: a CRC-32C of its
//        files' lengths in order; 0 in files of version 2.0, not checked)
//   152  the text field's bytes, then the id field's, each with zeros up to a multiple of 8
//   rows, one per record in input order: text length u64, bytes hash (high, low) 2 x u64,
//        sequence hash (high, low) 2 x u64, shingles u32, 0 u32, the record's line: first byte
//        and end (its newline or the end of the input) 2 x u64 (input offsets), band keys
//        bands x u64 (zero for a text without shingles). The prefilter slots (2 x slots bytes a text, more than the
//        rest) are not stored: the last task makes them again with the shingle sets of the texts
//        that share a bucket, the only ones it judges.
//   footer: CRC-32C of everything before it u32, 0 u32, "SKETCHED" 8 bytes

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <ditto/io/jsonl.hpp>
#include <ditto/store/parameters.hpp>
#include <ditto/text_sketch.hpp>

namespace ditto_cli {

struct sketch_header {
    ditto::index_parameters parameters;
    std::uint64_t input_size = 0, input_mtime = 0;
    std::uint32_t input_layout = 0;  ///< input_files::layout()
    std::uint32_t part = 0, parts = 1;
    std::uint64_t records = 0;
    std::uint64_t begin = 0, end = 0;  ///< the part's lines, as input offsets
    bool skip_invalid = false;
    bool invalid_utf8_error = false;
    std::string text_field, id_field;
    std::uint32_t bands = 0, slots = 0;

    [[nodiscard]] std::uint64_t row_bytes() const { return 64 + 8 * std::uint64_t{bands}; }
    [[nodiscard]] std::uint64_t header_bytes() const {
        return 152 + (text_field.size() + 7) / 8 * 8 + (id_field.size() + 7) / 8 * 8;
    }
};

/// Where part `part` of `parts` nominally starts in a file of `size` bytes whose text starts at
/// text_start (after a byte order mark): the part holds the lines that start in [start(part),
/// start(part + 1)).
[[nodiscard]] inline std::uint64_t part_start(std::uint64_t text_start, std::uint64_t size, std::uint32_t part,
                                              std::uint32_t parts) {
    const std::uint64_t span = size - text_start;
    // span * part / parts without overflow for any file size.
    return text_start + span / parts * part + span % parts * part / parts;
}

/// The sketch files of every part of one input, checked against each other and the input, read
/// by record. Each file is opened once; rows are read with pread, from any thread.
class sketch_files {
public:
    /// Opens every "*.sketch" file in folder. Throws data_error when a file is unreadable, not a
    /// regular file, corrupt (checksum, sizes) or of another format version; when parts are
    /// missing, repeated or of different splits; when their parameters differ from expected
    /// (naming the fields); when they were made from an input of another size or layout (a
    /// manifest's files in another order, or other files), or with other input options (fields,
    /// --skip-invalid, --invalid-utf8); and when a part's record count is not the number of records whose line starts in its range
    /// (record_begin: each record's line offset, in input order; null: not checked, for a task
    /// that does not parse the whole input). The texts are checked against the rows' byte
    /// hashes by the pipeline (dedup_sketched).
    /// check_contents false: only each file's header is read, and its checksum taken from its
    /// footer, not checked against its bytes (`ditto filter`, which checks every row it uses
    /// against the input it parses).
    sketch_files(const std::string& folder, const ditto::index_parameters& expected, std::uint64_t input_size,
                 std::uint32_t input_layout, std::uint64_t input_mtime, const ditto::jsonl_options& input, bool skip_invalid,
                 const std::vector<std::uint64_t>* record_begin, bool check_contents = true);
    ~sketch_files();
    sketch_files(const sketch_files&) = delete;
    sketch_files& operator=(const sketch_files&) = delete;

    /// Reads every row into memory (rows_bytes() of it), so that sketch() reads no file.
    void load();
    [[nodiscard]] std::uint64_t rows_bytes() const;

    [[nodiscard]] std::size_t size() const { return records_; }
    /// Record i's sketch. Throws data_error when the file cannot be read.
    void sketch(std::size_t i, ditto::text_sketch& out) const;
    /// Record i's sketch and its line's first byte and end (input offsets).
    void sketch(std::size_t i, ditto::text_sketch& out, std::uint64_t& line_begin, std::uint64_t& line_end) const;
    /// Calls f(i, sketch) for every record in order, reading the files a block at a time
    /// (without load(): a pass holds one block).
    void for_each(const std::function<void(std::size_t, const ditto::text_sketch&)>& f) const;
    /// A CRC-32C of every part's number and checksum, in part order: files that differ in any
    /// byte (another sketch of the input, or of another input) have another digest.
    [[nodiscard]] std::uint32_t digest() const;
    /// Part p's header, and the number of its first record.
    [[nodiscard]] const sketch_header& part_header(std::size_t p) const { return files_[p].header; }
    [[nodiscard]] std::size_t first_record(std::size_t p) const { return static_cast<std::size_t>(files_[p].first_record); }
    /// The first part's header (every part has the same parameters and input).
    [[nodiscard]] const sketch_header& header() const { return files_.front().header; }
    /// Whether some part was sketched from the input at another modification time (allowed: a
    /// copy; said when a text turns out not to be the one sketched).
    [[nodiscard]] bool input_time_differs() const { return time_differs_; }
    /// Removes the temporary files that interrupted tasks left in the folder
    /// ("NAME.sketch.tmp-XXXXXX", "NAME.result.tmp-XXXXXX", "groups.tmp-XXXXXX", regular files)
    /// but those a running task holds locked (a retried or repeated task still writing).
    /// Returns how many were removed; one that cannot be, or a folder that cannot be read, is
    /// named in a warning.
    std::size_t remove_leftovers();
    /// The number of parts and the bytes of the files.
    [[nodiscard]] std::size_t parts() const { return files_.size(); }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

private:
    struct file {
        std::string path;
        int fd = -1;
        std::uint32_t crc = 0;  // of its bytes before the footer
        sketch_header header;
        std::uint64_t first_record = 0;
        std::vector<unsigned char> rows;  // after load()
    };
    std::vector<file> files_;
    std::string folder_;
    std::size_t records_ = 0;
    std::uint64_t bytes_ = 0;
    bool time_differs_ = false;
};

}  // namespace ditto_cli
