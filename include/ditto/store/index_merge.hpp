#pragma once
// Merges two stored indexes file to file without loading either: the result is the index
// merge(read_index(a), read_index(b)) writes (b appended to a, docs/format.md), byte for byte,
// but memory holds only the two indexes' sources, a bit and a band number per document, and
// fixed buffers. Each input is checked as read_index checks it (every section's checksum before
// it is parsed, every record), so a damaged input is an index_format_error and nothing is
// written.
//
// The writer emits each section twice (to measure it, then to write it): the inputs are read
// three times in all, sequentially.

#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/index_reader.hpp>
#include <ditto/store/index_writer.hpp>

namespace ditto::inline v0_1 {

namespace detail {

// The length of a seekable stream (std::invalid_argument when it cannot seek: a merge reads
// each input several times).
inline std::uint64_t stream_length(std::istream& in, const char* which) {
    const std::streamoff end = seekable_length(in);
    if (end < 0) throw_invalid_argument("merge_indexes", which, "a seekable stream", "a stream that cannot seek");
    return static_cast<std::uint64_t>(end);
}

}  // namespace detail

/// A damaged input of merge_indexes: the index_format_error read_index would throw for it, and
/// which input it was (0: a, 1: b).
class merge_input_error : public index_format_error {
public:
    merge_input_error(const index_format_error& e, int input) : index_format_error(e), input_(input) {}
    [[nodiscard]] int input() const noexcept { return input_; }

private:
    int input_;
};

namespace detail {

// f(), with an index_format_error it throws marked as input k's.
template <class F>
decltype(auto) from_input(int k, F&& f) {
    try {
        return f();
    } catch (const merge_input_error&) {
        throw;
    } catch (const index_format_error& e) {
        throw merge_input_error(e, k);
    }
}

}  // namespace detail

/// Writes to out the merge of the indexes in a and b (b's documents numbered after a's, its
/// sources after a's); returns the bytes written. The same bytes as
/// write_index(out, merge(read_index(a), read_index(b))), in memory independent of the indexes'
/// sizes except for a few bytes per document. Throws merge_input_error (an
/// index_format_error) for a damaged input (out untouched), std::invalid_argument when the parameters differ (naming every differing
/// one), when the documents would not fit 32-bit numbers or a stream cannot seek, and
/// std::runtime_error when an input changes between the passes (out then holds part of an index)
/// or out fails.
inline std::uint64_t merge_indexes(std::istream& a, std::istream& b, std::ostream& out) {
    detail::index_reader ra = detail::from_input(0, [&] { return detail::index_reader(a, detail::stream_length(a, "a")); });
    detail::index_reader rb = detail::from_input(1, [&] { return detail::index_reader(b, detail::stream_length(b, "b")); });
    if (const std::string names = differing_parameter_names(ra.parameters(), rb.parameters()); !names.empty())
        detail::throw_invalid_argument("merge", "parameters", "equal", "differing " + names);
    // The document counts, checked as the reader checks them (the section's checksum first)
    // before they are believed.
    const auto documents_of = [](detail::index_reader& r) {
        const detail::section_entry& e = r.section(2);
        detail::check_section_bytes(r.stream(), e);
        return detail::document_cursor(r.stream(), e, r.sources()).count();
    };
    const std::uint64_t na = detail::from_input(0, [&] { return documents_of(ra); });
    const std::uint64_t nb = detail::from_input(1, [&] { return documents_of(rb); });
    if (na + nb > std::numeric_limits<std::uint32_t>::max())
        detail::throw_invalid_argument("merge", "document count", "below 2^32", std::to_string(na + nb));
    const auto shift = static_cast<std::uint32_t>(na);
    const std::uint64_t source_shift = ra.sources().size();

    // Filled in while measuring (the first emission of each section, which also checks it).
    std::array<std::vector<bool>, 2> filled;
    std::uint64_t pool_a = 0;  // a's id bytes
    std::array<bool, 4> checked{};
    std::vector<index_source> sources = ra.sources();
    sources.insert(sources.end(), rb.sources().begin(), rb.sources().end());

    const auto emit_section = [&](std::size_t s, detail::section_sink& sink, bool first) {
        detail::index_reader* readers[2] = {&ra, &rb};
        switch (s) {
        case 0: detail::emit_sources(sources, sink); break;
        case 1: {
            unsigned char r[store::document_record_bytes];
            std::uint64_t pools[2] = {0, 0};
            for (int k = 0; k < 2; ++k) detail::from_input(k, [&] {
                const detail::section_entry& e = readers[k]->section(2);
                detail::document_cursor cursor(readers[k]->stream(), e, readers[k]->sources());
                pools[k] = cursor.id_bytes();
                index_document d;
                std::uint64_t id_end = 0;
                for (std::size_t i = 0; i < cursor.count(); ++i) {
                    cursor.next(d, id_end);
                    if (k == 1) d.source += source_shift, id_end += pool_a;
                    detail::encode_document(r, d, id_end);
                    sink.write(r, sizeof r);
                }
                if (k == 0) pool_a = pools[0];
            });
            for (int k = 0; k < 2; ++k) detail::from_input(k, [&] {
                const detail::section_entry& e = readers[k]->section(2);
                detail::section_bytes ids(readers[k]->stream(), e, e.length - pools[k], e.length);
                ids.copy(pools[k], [&](const unsigned char* p, std::size_t n) { sink.write(p, n); });
            });
            break;
        }
        case 2: {
            std::vector<std::uint64_t> values;
            for (int k = 0; k < 2; ++k) detail::from_input(k, [&] {
                const detail::section_entry& e = readers[k]->section(3);
                if (first) detail::check_section_bytes(readers[k]->stream(), e);
                const std::uint64_t n = k == 0 ? na : nb;
                detail::signature_cursor cursor(readers[k]->stream(), e, readers[k]->parameters(),
                                                static_cast<std::size_t>(n));
                if (first) filled[static_cast<std::size_t>(k)].assign(static_cast<std::size_t>(n), false);
                for (std::uint64_t d = 0; d < n; ++d) {
                    const bool has = cursor.next(values);
                    if (first) filled[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)] = has;
                    sink.write(cursor.raw().data(), cursor.raw().size());
                }
            });
            break;
        }
        default: {
            if (first) {
                detail::from_input(0, [&] { detail::check_section_bytes(a, ra.section(4)); });
                detail::from_input(1, [&] { detail::check_section_bytes(b, rb.section(4)); });
            }
            auto ca = detail::from_input(0, [&] { return detail::band_record_cursor(a, ra.section(4), ra.parameters(), filled[0]); });
            auto cb = detail::from_input(1, [&] { return detail::band_record_cursor(b, rb.section(4), rb.parameters(), filled[1]); });
            band_record x{}, y{};
            const auto next_x = [&] { return detail::from_input(0, [&] { return ca.next(x); }); };
            const auto next_y = [&] { return detail::from_input(1, [&] { return cb.next(y); }); };
            bool has_x = next_x(), has_y = next_y();
            if (has_y) y.document += shift;
            unsigned char r[store::band_record_bytes];
            while (has_x || has_y) {
                const bool take_x = has_x && (!has_y || !(y < x));
                const band_record& t = take_x ? x : y;
                detail::put_u64(r, t.key);
                detail::put_u32(r + 8, t.band);
                detail::put_u32(r + 12, t.document);
                sink.write(r, sizeof r);
                if (take_x) {
                    has_x = next_x();
                } else if ((has_y = next_y())) {
                    y.document += shift;
                }
            }
            break;
        }
        }
    };
    // Each section is checked when it is first emitted (measured), before anything is written.
    // A record that fails the checks when it is written again means the input changed meanwhile.
    const auto emit = [&](std::size_t s, detail::section_sink& sink) {
        const bool first = !checked[s];
        checked[s] = true;
        if (first) return emit_section(s, sink, true);
        try {
            emit_section(s, sink, false);
        } catch (const merge_input_error& e) {
            throw std::runtime_error(std::string("merge_indexes: input ") + (e.input() == 0 ? "a" : "b") +
                                     " changed while it was read: " + e.what());
        }
    };
    const std::uint64_t records =
        ra.section(4).count + rb.section(4).count;  // checked against the signatures when emitted
    return detail::write_index_sections(out, ra.parameters(), {sources.size(), na + nb, na + nb, records}, emit);
}

}  // namespace ditto
