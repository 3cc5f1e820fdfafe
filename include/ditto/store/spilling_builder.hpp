#pragma once
// Builds and writes a stored index under a memory budget: the index index_builder and
// write_index would give, byte for byte, without holding it in memory.
//
// What grows with the documents goes to temporary streams once it passes its share of the
// budget: the document records, the ids and the signatures are appended to spools in the order
// they are written (already final section bytes), and the band records are sorted and written as
// sorted runs (sorted_runs.hpp) whenever their buffer is full. When runs of one size reach the
// fan-in they are merged into one, so at most fan_in − 1 runs per size are open. write() emits the
// sections from the spools and the k-way merge of the runs, twice (to measure, then to write).
//
// Only the sources stay in memory. The budget counts the buffers this class holds; the caller's
// own working memory (texts being read, signatures being made) is the caller's to count.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/index_writer.hpp>
#include <ditto/store/parameters.hpp>
#include <ditto/store/sorted_runs.hpp>

namespace ditto::inline v0_1 {

/// How spilling_index_builder uses memory and disk.
struct spill_options {
    /// Bytes of buffers before spilling; 0: no limit (nothing is spilled).
    std::uint64_t memory_bytes = 0;
    /// Makes the temporary streams; empty: temporary_files_in(the system's temporary folder).
    temporary_streams temporary;
    /// Runs of one size merged into one when there are this many (at least 2).
    std::size_t fan_in = 64;
};

namespace detail {

// Bytes appended in order, held in memory up to a limit, the rest in a temporary stream.
class byte_spool {
public:
    byte_spool(std::uint64_t limit, const temporary_streams* make) : limit_(limit), make_(make) {}

    void append(const unsigned char* p, std::size_t n) {
        if (limit_ != 0 && buffer_.size() + n > limit_) drain();
        buffer_.insert(buffer_.end(), p, p + n);
        if (limit_ != 0 && buffer_.size() > limit_) drain();  // one append larger than the limit
    }
    [[nodiscard]] std::uint64_t size() const noexcept { return stored_ + buffer_.size(); }
    [[nodiscard]] std::uint64_t spilled() const noexcept { return stored_; }

    // Passes every byte, in order, to sink.write.
    void emit(section_sink& sink) {
        if (stream_) {
            stream_->clear();
            stream_->seekg(0);
            std::vector<unsigned char> block(std::size_t{1} << 16);
            for (std::uint64_t left = stored_; left > 0;) {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, block.size()));
                if (!stream_->read(reinterpret_cast<char*>(block.data()), static_cast<std::streamsize>(n)))
                    throw std::runtime_error("temporary data: cut short (" + std::to_string(stored_ - left) + " of " +
                                             std::to_string(stored_) + " bytes)");
                sink.write(block.data(), n);
                left -= n;
            }
        }
        sink.write(buffer_.data(), buffer_.size());
    }

private:
    void drain() {
        if (buffer_.empty()) return;
        if (!stream_) stream_ = (*make_)();
        stream_->seekp(0, std::ios::end);  // after a write() has read it
        stream_->write(reinterpret_cast<const char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
        stream_->flush();
        if (!*stream_) throw std::runtime_error("temporary data: writing failed (is the disk full?)");
        stored_ += buffer_.size();
        buffer_.clear();
    }

    std::uint64_t limit_;
    const temporary_streams* make_;
    std::vector<unsigned char> buffer_;
    std::unique_ptr<std::iostream> stream_;
    std::uint64_t stored_ = 0;
};

}  // namespace detail

/// Makes an index from documents and their signatures, as index_builder does, and writes it as
/// write_index would, spilling to temporary streams past a memory budget.
class spilling_index_builder {
public:
    /// Throws std::invalid_argument when the parameters or options are invalid.
    spilling_index_builder(const index_parameters& parameters, spill_options options)
        : parameters_(parameters), options_(std::move(options)),
          documents_(share(8), &options_.temporary), ids_(share(16), &options_.temporary),
          signatures_(share(16), &options_.temporary) {
        const std::string problem = parameter_problem(parameters);
        if (!problem.empty())
            detail::throw_invalid_argument("spilling_index_builder", "parameters", "valid", problem);
        if (options_.fan_in < 2)
            detail::throw_invalid_argument("spilling_index_builder", "fan_in", "at least 2", std::to_string(options_.fan_in));
        if (!options_.temporary) options_.temporary = temporary_files_in(std::filesystem::temp_directory_path());
        runs_.emplace(options_.temporary, options_.fan_in, merge_buffer_records(options_.fan_in));
        // Half the budget for band records, at least one document's.
        capacity_ = options_.memory_bytes == 0
                        ? std::numeric_limits<std::size_t>::max()
                        : static_cast<std::size_t>(std::max<std::uint64_t>(options_.memory_bytes / 2 / sizeof(band_record),
                                                                           parameters_.lsh.bands));
    }
    spilling_index_builder(const spilling_index_builder&) = delete;
    spilling_index_builder& operator=(const spilling_index_builder&) = delete;

    [[nodiscard]] const index_parameters& parameters() const noexcept { return parameters_; }

    /// Adds a source; returns its number.
    std::uint64_t add_source(index_source source) {
        sources_.push_back(std::move(source));
        return sources_.size() - 1;
    }

    /// Sets a source's content hash (known only when its bytes have all been read).
    void set_source_hash(std::uint64_t source, const content_hash& hash) {
        if (source >= sources_.size())
            detail::throw_invalid_argument("spilling_index_builder::set_source_hash", "source", "an added source",
                                           std::to_string(source));
        sources_[source].hash = hash;
    }

    /// As index_builder::add_document (the same checks and errors).
    std::uint32_t add_document(const index_document& document, std::span<const std::uint64_t> slots) {
        detail::check_new_document(parameters_, sources_, count_, document, slots);
        const auto number = static_cast<std::uint32_t>(count_);
        unsigned char r[store::document_record_bytes];
        id_end_ += document.id.size();
        detail::encode_document(r, document, id_end_);
        documents_.append(r, sizeof r);
        ids_.append(reinterpret_cast<const unsigned char*>(document.id.data()), document.id.size());
        const std::size_t width = parameters_.slot_bits / 8;
        signature_bytes_.resize(slots.size() * width);
        for (std::size_t i = 0; i < slots.size(); ++i) detail::put_le(signature_bytes_.data() + i * width, slots[i], width);
        signatures_.append(signature_bytes_.data(), signature_bytes_.size());
        if (!detail::empty_signature(slots, parameters_.slot_bits)) {
            if (records_.size() + parameters_.lsh.bands > capacity_) spill();
            append_band_records(parameters_, slots, number, records_);
            total_records_ += parameters_.lsh.bands;
        }
        ++count_;
        return number;
    }

    [[nodiscard]] std::uint64_t documents() const noexcept { return count_; }
    /// Sorted runs written so far (merged ones included).
    [[nodiscard]] std::uint64_t runs_written() const noexcept { return runs_->runs_written(); }
    /// Bytes written to temporary streams so far.
    [[nodiscard]] std::uint64_t bytes_spilled() const noexcept {
        return runs_->bytes_written() + documents_.spilled() + ids_.spilled() + signatures_.spilled();
    }

    /// Writes the index to out; returns its bytes. Throws std::runtime_error when a temporary
    /// stream or out fails. May be called more than once.
    std::uint64_t write(std::ostream& out) {
        std::sort(records_.begin(), records_.end());
        for (std::size_t i = 1; i < records_.size(); ++i)
            if (!(records_[i - 1] < records_[i]))
                detail::throw_invalid_argument("spilling_index_builder::write", "band records", "unique", "a repeat");
        const std::size_t buffer_records = merge_buffer_records(runs_->size());
        return detail::write_index_sections(
            out, parameters_, {sources_.size(), count_, count_, total_records_},
            [&](std::size_t s, detail::section_sink& sink) {
                switch (s) {
                case 0: detail::emit_sources(sources_, sink); break;
                case 1:
                    documents_.emit(sink);
                    ids_.emit(sink);
                    break;
                case 2: signatures_.emit(sink); break;
                default: {
                    if (runs_->empty()) {
                        detail::emit_band_records(records_, sink);
                        break;
                    }
                    run_merger merger;
                    runs_->add_to(merger, buffer_records);
                    merger.add_sorted(records_);
                    unsigned char r[store::band_record_bytes];
                    const std::uint64_t n = merger.for_each([&](const band_record& b) {
                        detail::encode_band_record(r, b);
                        sink.write(r, sizeof r);
                    });
                    if (n != total_records_) detail::run_failure("the runs hold " + std::to_string(n) + " records, not " +
                                                                 std::to_string(total_records_));
                }
                }
            });
    }

private:
    // A share of the budget (1/divisor), 0 for no limit.
    [[nodiscard]] std::uint64_t share(std::uint64_t divisor) const noexcept {
        return options_.memory_bytes == 0 ? 0 : std::max<std::uint64_t>(options_.memory_bytes / divisor, 1);
    }

    // Records read at a time from each run when merging: a quarter of the budget over the runs
    // (runs: those merged at once).
    [[nodiscard]] std::size_t merge_buffer_records(std::size_t runs) const noexcept {
        const std::uint64_t quarter = options_.memory_bytes == 0 ? std::uint64_t{64} << 20 : options_.memory_bytes / 4;
        const std::uint64_t each = quarter / (std::min<std::uint64_t>(runs, quarter) + 1) / sizeof(band_record);  // no overflow
        return static_cast<std::size_t>(std::clamp<std::uint64_t>(each, 64, 65536));
    }

    void spill() {
        std::sort(records_.begin(), records_.end());
        run_set::written_run run = runs_->write(records_);
        records_.clear();  // in a run now, even if a merge below fails
        runs_->add_written(std::move(run));
    }

    index_parameters parameters_;
    spill_options options_;
    std::vector<index_source> sources_;
    detail::byte_spool documents_, ids_, signatures_;
    std::uint64_t count_ = 0, id_end_ = 0, total_records_ = 0;
    std::vector<unsigned char> signature_bytes_;
    std::vector<band_record> records_;
    std::size_t capacity_ = 0;
    std::optional<run_set> runs_;  // made once the options are checked
};

}  // namespace ditto
