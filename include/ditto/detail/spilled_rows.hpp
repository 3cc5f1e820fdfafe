#pragma once
// The pipeline's per-text rows written to temporary streams instead of held
// (dedup_options::spill): each text's band keys as band records in sorted runs, merged into the
// LSH buckets; its prefilter slots in one stream, read back only for the units in a bucket.
// Tasks hand over the rows of a range of texts in any order; what is read back does not depend
// on that order, so results are the same as with the rows held.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ditto/index/lsh.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/sorted_runs.hpp>

namespace ditto::inline v0_1::detail {

class spilled_rows {
public:
    /// make: the temporary streams (called from several threads at once); buffer_bytes: band
    /// records sorted in memory before a run is written (one buffer collecting, and one per
    /// task writing a run); fan_in: runs of one size merged into one; slots: prefilter slots per
    /// text; bands: band keys per text (at most); texts: how many; texts_per_task: the size of
    /// the ranges handed over.
    spilled_rows(temporary_streams make, std::size_t buffer_bytes, std::size_t fan_in, std::size_t slots,
                 std::size_t bands, std::size_t texts, std::size_t texts_per_task)
        : make_(std::move(make)),
          buffer_records_(std::min(std::max<std::size_t>(buffer_bytes / sizeof(band_record), 1), texts * bands + 1)),
          slots_(slots),
          bands_(bands),
          texts_(texts),
          per_task_(texts_per_task),
          slot_offset_((texts + texts_per_task - 1) / texts_per_task, unwritten),
          // A merge reads a fan_in-th of the buffer from each run.
          runs_(make_, fan_in, std::max<std::size_t>(buffer_records_ / std::max<std::size_t>(fan_in, 1), 256)) {
        slot_stream_ = open();
    }

    /// The rows of texts [first, first + slots.size() / slots_per_text): their band records (any
    /// order; document = text number) and their slots, slots_per_text each. first is a multiple
    /// of texts_per_task. From any thread.
    void add(std::size_t first, std::vector<band_record>& records, std::span<const std::uint16_t> slots) {
        try {
            add_rows(first, records, slots);
        } catch (...) {
            failed_.store(true, std::memory_order_relaxed);
            throw;
        }
    }

    /// Whether an add() failed: the tasks still to run need not make their rows.
    [[nodiscard]] bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }


    /// The LSH buckets of the units: unit_of_text[t] is the unit of text t when t is its unit's
    /// first text and has shingles, else `none`; buckets as batch_buckets makes them (bands in
    /// order, keys ascending, members ascending). band_done() after each of `bands` bands.
    template <class BandDone>
    [[nodiscard]] lsh_buckets buckets(std::span<const std::uint32_t> unit_of_text, std::size_t units, std::size_t bands,
                                      BandDone band_done) {
        run_merger merger;
        runs_.add_to(merger, std::clamp<std::size_t>(buffer_records_ / (runs_.size() + 1), 256, 65536));
        for (const std::span<const band_record> band : sorted_spans(pending_)) merger.add_sorted(band);
        lsh_buckets result;
        std::vector<std::uint32_t> group;
        std::uint32_t band = 0;
        std::uint64_t key = 0;
        std::size_t bands_done = 0;
        auto flush = [&] {
            if (group.size() >= 2) {
                result.members.insert(result.members.end(), group.begin(), group.end());
                result.start.push_back(result.start.back() + group.size());
            }
            group.clear();
        };
        merger.for_each([&](const band_record& r) {
            if (r.document >= unit_of_text.size() || r.band >= bands)
                throw std::runtime_error("spilled band records: a record out of range (damaged temporary file?)");
            const std::uint32_t unit = unit_of_text[r.document];
            if (unit == none) return;
            if (r.band != band || r.key != key) {
                flush();
                for (; bands_done < r.band; ++bands_done) band_done();
                band = r.band;
                key = r.key;
            }
            group.push_back(unit);
        });
        flush();
        for (; bands_done < bands; ++bands_done) band_done();
        pending_.clear();
        runs_.clear();
        index_bucket_members(result, units);
        return result;
    }

    /// Calls row(t) for every text t, which returns where its slots go (slots_per_text values)
    /// or null when they are not wanted.
    template <class Row>
    void read_slots(Row row) {
        if (slot_bytes_ != texts_ * slots_ * sizeof(std::uint16_t))
            throw std::logic_error("spilled_rows: not every text's slots were added");
        if (std::find(slot_offset_.begin(), slot_offset_.end(), unwritten) != slot_offset_.end())
            throw std::logic_error("spilled_rows: a task's slots were not added");
        std::vector<std::uint16_t> buffer(per_task_ * slots_);
        if (!slot_stream_->flush()) throw std::runtime_error("spill: writing prefilter slots failed (is the disk full?)");
        for (std::size_t task = 0; task < slot_offset_.size(); ++task) {
            const std::size_t first = task * per_task_, count = std::min(per_task_, texts_ - first);
            bool wanted = false;
            for (std::size_t t = first; t < first + count && !wanted; ++t) wanted = row(t) != nullptr;
            if (!wanted) continue;
            slot_stream_->clear();
            slot_stream_->seekg(static_cast<std::streamoff>(slot_offset_[task]));
            const std::size_t bytes = count * slots_ * sizeof(std::uint16_t);
            if (!slot_stream_->read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(bytes)))
                throw std::runtime_error("spilled prefilter slots: cut short (damaged temporary file?)");
            for (std::size_t t = first; t < first + count; ++t)
                if (std::uint16_t* out = row(t)) std::copy_n(buffer.data() + (t - first) * slots_, slots_, out);
        }
        slot_stream_.reset();
    }

    /// Bytes written to the temporary streams so far.
    [[nodiscard]] std::size_t bytes_written() const noexcept {
        return slot_bytes_ + static_cast<std::size_t>(runs_.bytes_written());
    }

    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

private:
    void add_rows(std::size_t first, std::vector<band_record>& records, std::span<const std::uint16_t> slots) {
        std::vector<std::vector<band_record>> full;
        {
            std::lock_guard lock(mutex_);
            slot_offset_[first / per_task_] = slot_bytes_;
            write(*slot_stream_, slots.data(), slots.size() * sizeof(std::uint16_t), "prefilter slots");
            slot_bytes_ += slots.size() * sizeof(std::uint16_t);
            if (pending_.empty()) {  // reserved whole: growing by doubling could take twice the buffer
                pending_.resize(bands_);
                for (auto& band : pending_) band.reserve(buffer_records_ / bands_ + per_task_);
            }
            for (const band_record& r : records) {
                if (r.band >= bands_) throw std::logic_error("spilled_rows: a band record's band is out of range");
                pending_[r.band].push_back(r);
            }
            pending_count_ += records.size();
            if (pending_count_ >= buffer_records_) {
                full.swap(pending_);
                pending_count_ = 0;
            }
        }
        records.clear();
        if (full.empty()) return;
        run_set::written_run run = runs_.write(sorted_spans(full));
        full.clear();
        // Merges run outside the lock, so other tasks go on handing over their rows.
        std::optional<run_set::merge_job> job;
        {
            std::lock_guard lock(mutex_);
            runs_.put(std::move(run));
            job = runs_.due_merge();
        }
        while (job) {
            run_set::written_run merged = runs_.merge(*job);
            std::lock_guard lock(mutex_);
            runs_.put(std::move(merged));
            job = runs_.due_merge();
        }
    }

    static constexpr std::size_t unwritten = std::numeric_limits<std::size_t>::max();

    // Each band's records sorted (by key, then document: the band is theirs); their spans, in
    // band order, which is the records' order.
    static std::vector<std::span<const band_record>> sorted_spans(std::vector<std::vector<band_record>>& bands) {
        std::vector<std::span<const band_record>> spans;
        for (auto& band : bands) {
            std::sort(band.begin(), band.end(), [](const band_record& a, const band_record& b) {
                return a.key != b.key ? a.key < b.key : a.document < b.document;
            });
            spans.emplace_back(band);
        }
        return spans;
    }

    std::unique_ptr<std::iostream> open() const {
        std::unique_ptr<std::iostream> s = make_();
        if (!s || !*s) throw std::runtime_error("spill: cannot open a temporary stream");
        return s;
    }
    static void write(std::ostream& out, const void* data, std::size_t bytes, const char* what) {
        out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
        if (!out) throw std::runtime_error(std::string("spill: writing ") + what + " failed (is the disk full?)");
    }

    temporary_streams make_;
    std::size_t buffer_records_, slots_, bands_, texts_, per_task_;
    std::mutex mutex_;
    std::atomic<bool> failed_{false};
    std::unique_ptr<std::iostream> slot_stream_;
    std::vector<std::size_t> slot_offset_;  // per task: where its slots start in slot_stream_
    std::size_t slot_bytes_ = 0;
    std::vector<std::vector<band_record>> pending_;  // per band
    std::size_t pending_count_ = 0;
    run_set runs_;
};

}  // namespace ditto::inline v0_1::detail
