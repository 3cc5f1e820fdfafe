#pragma once
// Sorted runs of band records on disk, for building an index larger than memory: records that
// pass a memory budget are sorted and written to a run (docs/format.md, "Sorted runs"), and the
// runs are merged in (band, key, document) order while the index is written.
//
// A run is written whole once (its count known before), then read from its start any number of
// times. Runs live in temporary streams made by a temporary_streams factory: by default files in
// a folder, each removed right after it is opened (POSIX keeps an open file's bytes), so nothing
// is left behind however the process ends; where an open file cannot be removed the name is
// removed when the stream is closed. Every read checks the run's header, count, order and
// checksum: a run cut short (a full disk) or damaged is a std::runtime_error, never records that
// silently differ.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <ditto/store/crc32c.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>

namespace ditto::inline v0_1 {

namespace store {
inline constexpr std::string_view run_magic{"DITTORUN", 8};
inline constexpr std::uint16_t run_version_major = 1;
inline constexpr std::uint16_t run_version_minor = 0;
inline constexpr std::size_t run_header_bytes = 24;   // magic, versions, record size, count
inline constexpr std::size_t run_trailer_bytes = 8;   // CRC-32C of all bytes before it, zero
}  // namespace store

/// Makes empty streams, open for writing and then reading, for temporary data.
using temporary_streams = std::function<std::unique_ptr<std::iostream>()>;

namespace detail {

// A temporary file that removes its name when it is closed (if it still has one).
class temporary_file_stream : public std::fstream {
public:
    explicit temporary_file_stream(std::filesystem::path path)
        : std::fstream(path, std::ios::in | std::ios::out | std::ios::trunc | std::ios::binary), path_(std::move(path)) {
        std::error_code ec;
        if (is_open() && std::filesystem::remove(path_, ec)) path_.clear();  // unnamed from now on
    }
    temporary_file_stream(const temporary_file_stream&) = delete;
    temporary_file_stream& operator=(const temporary_file_stream&) = delete;
    ~temporary_file_stream() override {
        close();
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove(path_, ec);
    }

private:
    std::filesystem::path path_;
};

}  // namespace detail

/// Temporary files in folder (which must exist): "ditto-run-…" names, each removed as soon as
/// it is open. Throws std::runtime_error naming the folder when a file cannot be created.
[[nodiscard]] inline temporary_streams temporary_files_in(std::filesystem::path folder) {
    return [folder = std::move(folder)]() -> std::unique_ptr<std::iostream> {
        static std::atomic<std::uint64_t> counter{0};
        static const std::uint64_t salt = std::random_device{}() ^
                                          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        for (int attempt = 0; attempt < 16; ++attempt) {
            const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
            const std::filesystem::path path =
                folder / ("ditto-run-" + std::to_string(salt % 1000000007u) + "-" + std::to_string(n));
            // Created exclusively first ("x": fails on any existing name, a symbolic link
            // planted there included), so the stream never opens someone else's file.
            std::FILE* created = std::fopen(path.string().c_str(), "wbx");
            if (!created) {
                std::error_code ec;
                if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) continue;  // taken: the next name
                break;
            }
            std::fclose(created);
            auto stream = std::make_unique<detail::temporary_file_stream>(path);
            if (stream->is_open()) return stream;
            break;
        }
        throw std::runtime_error("cannot create a temporary file in " + folder.string());
    };
}

namespace detail {

inline void encode_band_record(unsigned char* r, const band_record& b) noexcept {
    put_u64(r, b.key);
    put_u32(r + 8, b.band);
    put_u32(r + 12, b.document);
}
[[nodiscard]] inline band_record decode_band_record(const unsigned char* r) noexcept {
    return {get_u64(r), get_u32(r + 8), get_u32(r + 12)};
}

[[noreturn]] inline void run_failure(const std::string& what) {
    throw std::runtime_error("sorted run: " + what);
}

}  // namespace detail

/// Writes a run of count records (given by add(), in strictly increasing order) to a stream.
class run_writer {
public:
    run_writer(std::ostream& out, std::uint64_t count) : out_(out), count_(count) {
        unsigned char h[store::run_header_bytes] = {};
        std::copy(store::run_magic.begin(), store::run_magic.end(), h);
        detail::put_u16(h + 8, store::run_version_major);
        detail::put_u16(h + 10, store::run_version_minor);
        detail::put_u32(h + 12, static_cast<std::uint32_t>(store::band_record_bytes));
        detail::put_u64(h + 16, count);
        put(h, sizeof h);
    }
    void add(const band_record& r) {
        if (written_ == count_) detail::run_failure("more records than announced");
        if (written_ > 0 && !(last_ < r)) detail::run_failure("records out of order");
        if (used_ + store::band_record_bytes > buffer_.size()) drain();
        detail::encode_band_record(buffer_.data() + used_, r);
        used_ += store::band_record_bytes;
        last_ = r;
        ++written_;
    }
    /// Ends the run; throws std::runtime_error when the stream failed (a full disk).
    void finish() {
        if (written_ != count_) detail::run_failure("fewer records than announced");
        drain();
        unsigned char t[store::run_trailer_bytes] = {};
        detail::put_u32(t, crc_.value());
        out_.write(reinterpret_cast<const char*>(t), sizeof t);
        out_.flush();
        if (!out_) detail::run_failure("writing failed (is the disk full?)");
    }

private:
    void put(const unsigned char* p, std::size_t n) {
        crc_.update(p, n);
        out_.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
        if (!out_) detail::run_failure("writing failed (is the disk full?)");
    }
    void drain() {
        put(buffer_.data(), used_);
        used_ = 0;
    }

    std::ostream& out_;
    std::uint64_t count_, written_ = 0;
    band_record last_{};
    crc32c crc_;
    std::array<unsigned char, std::size_t{1} << 16> buffer_{};
    std::size_t used_ = 0;
};

/// Writes sorted, repeat-free records as a run.
inline void write_run(std::ostream& out, std::span<const band_record> records) {
    run_writer w(out, records.size());
    for (const band_record& r : records) w.add(r);
    w.finish();
}

/// Reads a run from the start of a stream, checking everything: the header, the length, the
/// order of the records and, when the last record has been read, the checksum.
class run_reader {
public:
    /// buffer_records: records read at a time (at least 1).
    explicit run_reader(std::istream& in, std::size_t buffer_records = 4096)
        : in_(in), buffer_(std::max<std::size_t>(buffer_records, 1) * store::band_record_bytes) {
        in_.clear();
        in_.seekg(0, std::ios::end);
        const std::streamoff length = in_.tellg();
        in_.seekg(0);
        unsigned char h[store::run_header_bytes];
        if (length < 0 || !in_ || !in_.read(reinterpret_cast<char*>(h), sizeof h))
            detail::run_failure("cut short in its header");
        if (!std::equal(store::run_magic.begin(), store::run_magic.end(), h)) detail::run_failure("bad magic");
        if (detail::get_u16(h + 8) != store::run_version_major)
            detail::run_failure("unknown major version " + std::to_string(detail::get_u16(h + 8)));
        if (detail::get_u32(h + 12) != store::band_record_bytes) detail::run_failure("bad record size");
        count_ = detail::get_u64(h + 16);
        const auto bytes = static_cast<std::uint64_t>(length);
        if (count_ > (bytes - store::run_header_bytes) / store::band_record_bytes ||
            bytes != store::run_header_bytes + count_ * store::band_record_bytes + store::run_trailer_bytes)
            detail::run_failure("its length is " + std::to_string(bytes) + " bytes, not that of " +
                                std::to_string(count_) + " records (cut short?)");
        crc_.update(h, sizeof h);
    }

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

    /// The next record into r; false after the last one (whose checksum is then verified).
    bool next(band_record& r) {
        if (at_ == end_) {
            if (read_ == count_) {
                if (!verified_) verify();
                return false;
            }
            fill();
        }
        r = detail::decode_band_record(buffer_.data() + at_);
        at_ += store::band_record_bytes;
        if (seen_ > 0 && !(last_ < r)) detail::run_failure("records out of order");
        last_ = r;
        ++seen_;
        return true;
    }

private:
    void fill() {
        const std::uint64_t records = std::min<std::uint64_t>(count_ - read_, buffer_.size() / store::band_record_bytes);
        const std::size_t bytes = static_cast<std::size_t>(records) * store::band_record_bytes;
        if (!in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(bytes)))
            detail::run_failure("cut short after " + std::to_string(read_) + " of " + std::to_string(count_) + " records");
        crc_.update(buffer_.data(), bytes);
        read_ += records;
        at_ = 0;
        end_ = bytes;
    }
    void verify() {
        unsigned char t[store::run_trailer_bytes];
        if (!in_.read(reinterpret_cast<char*>(t), sizeof t)) detail::run_failure("cut short in its checksum");
        if (detail::get_u32(t) != crc_.value() || detail::get_u32(t + 4) != 0)
            detail::run_failure("checksum mismatch (the run was damaged)");
        verified_ = true;
    }

    std::istream& in_;
    std::vector<unsigned char> buffer_;
    std::size_t at_ = 0, end_ = 0;
    std::uint64_t count_ = 0, read_ = 0, seen_ = 0;
    band_record last_{};
    crc32c crc_;
    bool verified_ = false;
};

/// Merges sorted sources of band records (runs, and sorted spans in memory) into one sorted
/// stream; records equal across sources are an error (band records are unique).
class run_merger {
public:
    void add_run(std::istream& run, std::size_t buffer_records) {
        readers_.push_back(std::make_unique<run_reader>(run, buffer_records));
    }
    void add_sorted(std::span<const band_record> records) { spans_.push_back(records); }

    /// Calls f(record) for every record in order; returns the count.
    template <class F>
    std::uint64_t for_each(F&& f) {
        const std::size_t sources = readers_.size() + spans_.size();
        std::vector<std::size_t> positions(spans_.size(), 0);
        const auto pull = [&](std::size_t s, band_record& r) {
            if (s < readers_.size()) return readers_[s]->next(r);
            const std::size_t i = s - readers_.size();
            if (positions[i] == spans_[i].size()) return false;
            r = spans_[i][positions[i]++];
            return true;
        };
        // A binary min-heap of each source's next record; the top is replaced by its source's
        // following record and sifted down once, not popped and pushed (half the compares).
        struct entry {
            band_record r;
            std::size_t source;
        };
        std::vector<entry> heap;
        heap.reserve(sources);
        for (std::size_t s = 0; s < sources; ++s)
            if (band_record r; pull(s, r)) heap.push_back({r, s});
        const auto sift_down = [&heap](std::size_t at) {
            const std::size_t size = heap.size();
            const entry moving = heap[at];
            for (;;) {
                std::size_t child = 2 * at + 1;
                if (child >= size) break;
                if (child + 1 < size && heap[child + 1].r < heap[child].r) ++child;
                if (!(heap[child].r < moving.r)) break;
                heap[at] = heap[child];
                at = child;
            }
            heap[at] = moving;
        };
        for (std::size_t i = heap.size() / 2; i-- > 0;) sift_down(i);
        std::uint64_t n = 0;
        band_record last{};
        while (!heap.empty()) {
            const band_record r = heap.front().r;
            if (n > 0 && !(last < r)) detail::run_failure("a band record in two runs");
            f(r);
            last = r;
            ++n;
            if (band_record next; pull(heap.front().source, next)) {
                heap.front().r = next;
            } else {
                heap.front() = heap.back();
                heap.pop_back();
                if (heap.empty()) break;
            }
            sift_down(0);
        }
        return n;
    }

private:
    std::vector<std::unique_ptr<run_reader>> readers_;
    std::vector<std::span<const band_record>> spans_;
};

/// Sorted runs in temporary streams, kept few: when fan_in runs of one size exist they are
/// merged into one run of the next size, so at most fan_in - 1 runs of each size are open and
/// R buffers' worth of records need about (fan_in - 1) x log_fan_in(R) streams, however large R.
///
/// Not thread-safe, except write() and merge(), which touch no run of the set: several threads
/// may write runs (and do a merge taken with due_merge()) while one at a time adds to the set.
/// The factory is then called from several threads at once.
class run_set {
public:
    /// make: the streams; fan_in: at least 2; merge_buffer_records: records read at a time from
    /// each run merged (at least 1).
    run_set(temporary_streams make, std::size_t fan_in, std::size_t merge_buffer_records)
        : make_(std::move(make)), fan_in_(fan_in), merge_buffer_records_(std::max<std::size_t>(merge_buffer_records, 1)) {
        if (fan_in_ < 2) detail::throw_invalid_argument("run_set", "fan_in", "at least 2", std::to_string(fan_in_));
        if (!make_) detail::throw_invalid_argument("run_set", "make", "a stream factory", "none");
    }

    /// A run written, not yet one of the set.
    struct written_run {
        std::unique_ptr<std::iostream> stream;
        std::uint64_t count = 0;
        std::size_t level = 0;  // merged from fan_in^level buffers' worth
    };
    /// Runs of one level taken out of the set to be merged into one of the next.
    struct merge_job {
        std::vector<written_run> runs;
        std::size_t level = 0;
    };

    /// Writes sorted, repeat-free records as a run and adds it, merging as long as a merge is
    /// due. Throws std::runtime_error when a stream fails (the records are then in no run).
    void add(std::span<const band_record> sorted) { add_written(write(sorted)); }

    /// Writes sorted records as a run (from any thread).
    [[nodiscard]] written_run write(std::span<const band_record> sorted) const {
        const std::span<const band_record> one[] = {sorted};
        return write(one);
    }
    /// The same for records in consecutive parts (each sorted, each part's records before the
    /// next part's).
    [[nodiscard]] written_run write(std::span<const std::span<const band_record>> parts) const {
        std::uint64_t count = 0;
        for (const auto& part : parts) count += part.size();
        written_run w{open(), count, 0};
        run_writer writer(*w.stream, count);
        for (const auto& part : parts)
            for (const band_record& r : part) writer.add(r);
        writer.finish();
        bytes_ += bytes_of(count);
        return w;
    }
    /// Adds a written run and does the merges that become due.
    void add_written(written_run run) {
        put(std::move(run));
        while (std::optional<merge_job> job = due_merge()) put(merge(*job));
    }
    /// Adds a written run without merging (see due_merge).
    void put(written_run run) {
        if (run.level >= per_level_.size()) per_level_.resize(run.level + 1, 0);
        ++per_level_[run.level];
        runs_.push_back(std::move(run));
        ++runs_written_;
    }
    /// Takes fan_in runs of the lowest level that has that many out of the set, if any: merge()
    /// them (on any thread) and put() the result.
    [[nodiscard]] std::optional<merge_job> due_merge() {
        for (std::size_t level = 0; level < per_level_.size(); ++level) {
            if (per_level_[level] < fan_in_) continue;
            merge_job job{{}, level};
            for (std::size_t i = runs_.size(); i-- > 0 && job.runs.size() < fan_in_;) {
                if (runs_[i].level != level) continue;
                job.runs.push_back(std::move(runs_[i]));
                runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(i));
            }
            per_level_[level] -= job.runs.size();
            return job;
        }
        return std::nullopt;
    }
    /// Merges a job's runs into one run of the next level (from any thread).
    [[nodiscard]] written_run merge(merge_job& job) const {
        written_run merged{open(), 0, job.level + 1};
        for (const written_run& r : job.runs) merged.count += r.count;
        run_merger merger;
        for (written_run& r : job.runs) merger.add_run(*r.stream, merge_buffer_records_);
        run_writer writer(*merged.stream, merged.count);
        merger.for_each([&](const band_record& b) { writer.add(b); });
        writer.finish();
        bytes_ += bytes_of(merged.count);
        job.runs.clear();
        return merged;
    }

    /// Adds every run to a merger, reading buffer_records at a time from each.
    void add_to(run_merger& merger, std::size_t buffer_records) {
        for (written_run& r : runs_) merger.add_run(*r.stream, std::max<std::size_t>(buffer_records, 1));
    }
    [[nodiscard]] std::size_t size() const noexcept { return runs_.size(); }
    [[nodiscard]] bool empty() const noexcept { return runs_.empty(); }
    /// Records in all the runs.
    [[nodiscard]] std::uint64_t records() const noexcept {
        std::uint64_t n = 0;
        for (const written_run& r : runs_) n += r.count;
        return n;
    }
    /// Runs added so far, merged ones included; bytes written so far.
    [[nodiscard]] std::uint64_t runs_written() const noexcept { return runs_written_; }
    [[nodiscard]] std::uint64_t bytes_written() const noexcept { return bytes_.load(); }
    /// Closes every run.
    void clear() noexcept {
        runs_.clear();
        per_level_.clear();
    }

private:
    static std::uint64_t bytes_of(std::uint64_t records) noexcept {
        return store::run_header_bytes + records * store::band_record_bytes + store::run_trailer_bytes;
    }
    std::unique_ptr<std::iostream> open() const {
        std::unique_ptr<std::iostream> s = make_();
        if (!s || !*s) detail::run_failure("cannot open a temporary stream");
        return s;
    }

    temporary_streams make_;
    std::size_t fan_in_, merge_buffer_records_;
    std::vector<written_run> runs_;
    std::vector<std::size_t> per_level_;  // runs_ of each level
    std::uint64_t runs_written_ = 0;
    mutable std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace ditto
