#pragma once
// The files between the stages of a run split over tasks, after the sketch files
// (sketch_file.hpp):
//
//   ditto group --tasks K    reads every part's sketch file and writes the groups file: which of
//                            K tasks each document goes to. Documents that share a band key or a
//                            normalized text (the transitive closure: the components of the LSH
//                            buckets) go to one task, so no similar pair, cluster or kept copy
//                            crosses tasks; and the rarity sample the whole run would take.
//   ditto dedup --task k/K   runs the pipeline over task k's documents alone, read by offset,
//                            and writes a task result: each document's cluster, exact
//                            representative and, with --pairs, its similar pairs.
//   ditto dedup --merge      reads the input and every task result, and writes what
//                            'ditto dedup' writes.
//
// Both formats are little-endian, checked by a CRC-32C footer, and carry the stored index's
// parameter block (docs/format.md) and the input's size.
//
// Groups file, version 1.0 (a task reads the directory and its own list only):
//   0    "DITTOGRP"                      8 bytes
//   8    major u16, minor u16, header bytes u32 (128)
//   16   the parameter block (56 bytes)
//   72   input size u64
//   80   parts u32, tasks u32
//   88   records u64, sample documents u64
//   104  split_buckets u64, the sketch files' digest u32 (sketch_files::digest), 0 u32, 0 u64
//   128  per task, 32 bytes: documents u64, text bytes u64, where its list starts u64, the
//        list's CRC-32C u32, 0 u32
//   then the rarity sample: documents u64 each, ascending
//   then the directory's CRC-32C (of every byte before it) u32, 0 u32
//   then per task, in task order, its list: its documents u32 each, ascending, with zeros up to
//        a multiple of 8
//   "GROUPEND" 8 bytes
//
// Task result, version 1.0:
//   0    "DITTOTSK"                      8 bytes
//   8    major u16, minor u16, header bytes u32 (112)
//   16   the parameter block (56 bytes)
//   72   input size u64
//   80   task u32, tasks u32
//   88   documents u64
//   96   flags u32 (1: pairs collected, 2: connected clusters, 4: keep longest), the groups
//        file's directory CRC-32C u32
//   104  the sketch files' digest u32, 0 u32
//   112  per document of the task, in input order: document, cluster (its kept copy), exact
//        representative, 3 x u64 (input record numbers)
//   then the similar pairs: first u64, second u64, similarity (IEEE double bits) u64
//   footer: pairs u64, CRC-32C of the header, rows and pairs u32, 0 u32, "TASKDONE" 8 bytes

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <ditto/store/parameters.hpp>
#include <ditto/version.hpp>

// Declared ahead in the library's versioned inline namespace (see version.hpp).
namespace ditto::inline DITTO_ABI_NAMESPACE {
struct dedup_options;
}  // namespace ditto

namespace ditto_cli {

struct groups_file {
    ditto::index_parameters parameters;
    std::uint64_t input_size = 0;
    std::uint32_t parts = 0, tasks = 0;
    std::uint64_t records = 0;
    std::uint64_t split_buckets = 0;
    std::uint32_t sketch_digest = 0;      ///< sketch_files::digest() of the files grouped
    std::vector<std::uint64_t> task_documents, task_bytes;  ///< per task
    std::vector<std::vector<std::uint32_t>> documents;      ///< per task, ascending (those read)
    std::vector<std::uint64_t> sample;    ///< the rarity sample's documents, ascending
    std::uint32_t crc = 0;                ///< of the directory, as read or written

    /// The file's bytes, from documents (sets crc).
    [[nodiscard]] std::string encode();
    /// Reads and checks path: the directory and every task's list, or only task `only`'s
    /// (only < tasks). Throws data_error naming the file and what is wrong.
    [[nodiscard]] static groups_file read(const std::string& path, std::uint32_t only = ~std::uint32_t{0});
};

/// An open file descriptor, closed when it goes (also when a constructor throws after opening).
struct file_descriptor {
    int fd = -1;
    file_descriptor() = default;
    explicit file_descriptor(int f) : fd(f) {}
    file_descriptor(const file_descriptor&) = delete;
    file_descriptor& operator=(const file_descriptor&) = delete;
    ~file_descriptor();
};

struct task_row {
    std::uint64_t document = 0, cluster = 0, exact_of = 0;
};

struct task_result_header {
    ditto::index_parameters parameters;
    std::uint64_t input_size = 0;
    std::uint32_t task = 0, tasks = 0;
    std::uint64_t documents = 0;
    std::uint32_t flags = 0, groups_crc = 0, sketch_digest = 0;
};

inline constexpr std::uint32_t task_flag_pairs = 1, task_flag_connected = 2, task_flag_longest = 4;

/// The bytes of a task result's header.
[[nodiscard]] std::string encode_task_header(const task_result_header& h);

/// A task result, checked (checksum, sizes) when opened; rows and pairs read in blocks.
class task_result {
public:
    /// Throws data_error naming the file and what is wrong.
    explicit task_result(const std::string& path);
    task_result(const task_result&) = delete;
    task_result& operator=(const task_result&) = delete;

    [[nodiscard]] const task_result_header& header() const { return header_; }
    [[nodiscard]] std::uint64_t pairs() const { return pairs_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    /// Every row, in order.
    [[nodiscard]] std::vector<task_row> rows() const;
    /// Row i (i < header().documents).
    [[nodiscard]] task_row row(std::uint64_t i) const;
    /// Calls f(first, second, similarity) for every pair, in order.
    template <class F>
    void for_each_pair(F&& f) const {
        constexpr std::size_t per_read = 4096;
        std::vector<unsigned char> block(per_read * 24);
        for (std::uint64_t done = 0; done < pairs_;) {
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(per_read, pairs_ - done));
            read(pairs_at_ + done * 24, block.data(), take * 24);
            for (std::size_t i = 0; i < take; ++i) {
                std::uint64_t first = 0, second = 0, bits = 0;
                decode_pair(block.data() + i * 24, first, second, bits);
                double similarity = 0;
                static_assert(sizeof similarity == sizeof bits);
                std::memcpy(&similarity, &bits, sizeof bits);
                f(first, second, similarity);
            }
            done += take;
        }
    }

private:
    void read(std::uint64_t offset, unsigned char* p, std::size_t n) const;
    static void decode_pair(const unsigned char* p, std::uint64_t& first, std::uint64_t& second, std::uint64_t& bits);
    std::string path_;
    file_descriptor fd_;
    task_result_header header_;
    std::uint64_t pairs_ = 0, pairs_at_ = 0;
};

class sketch_files;

/// A task result's flags for a run's options (pairs: --pairs).
[[nodiscard]] std::uint32_t task_flags(bool pairs, const ditto::dedup_options& options);
/// What a task's flags mean, for messages ("--pairs, --cluster greedy, --keep first"), but the
/// ignored ones.
[[nodiscard]] std::string task_options_text(std::uint32_t flags, std::uint32_t ignored = 0);

/// FOLDER/groups (every task's list, or only task `only`'s), checked against the folder's sketch
/// files and the run's similarity options. Throws data_error naming what differs.
[[nodiscard]] groups_file read_groups(const std::string& folder, const sketch_files& sketches,
                                      const ditto::dedup_options& options, std::uint32_t only = ~std::uint32_t{0});

/// Calls f(result) for the result of every task of `groups` in folder (task-*.result, in name
/// order), each checked against the groups file (its task's document count) and the run's
/// options: similarity parameters, input size and flags (but those in `ignored_flags`). Results
/// of another grouping or other sketch files are skipped, and named in a warning when warn is
/// set. Throws data_error for a task found twice or missing, and for a result that does not
/// match; `who` names the run in messages ("this merge").
void for_each_task_result(const std::string& folder, const groups_file& groups, const ditto::dedup_options& options,
                          std::uint32_t flags, std::uint32_t ignored_flags, const std::string& who, bool warn,
                          const std::function<void(const task_result&)>& f);

}  // namespace ditto_cli
