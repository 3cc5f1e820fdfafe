#pragma once
// Boilerplate lines: lines (a paragraph written on one line is a line) that many documents share,
// such as a site's header and footer, a promo paragraph injected into republished articles, a
// "read more" line, a date stamp.
//
// Each line is normalized (ditto's normalizer: case, spacing, typographic punctuation), and with
// fold_digits every decimal digit becomes '0', as cc_net does, so "Published 12.03.2024 09:15" and
// "Published 07.11.2023 18:40" are the same line. Lines without a word token (blank lines, rules
// such as "* * *") are never boilerplate. A line is counted once per document however often that
// document repeats it; a normalized line in at least min_docs documents is boilerplate, and its
// occurrences are removed: all of them (the default), or every one but the first
// (remove_rule::copies).
//
// Work: each line is normalized and hashed (128 bits) once, on the executor; the records (40
// bytes per line) are sorted; a group of equal hashes reaching min_docs is confirmed by comparing
// the normalized lines, so a hash collision never removes a line. Every step is linear in a group's
// size (a line repeated 10^5 times costs 10^5 steps), and the result does not depend on the
// executor's thread count.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/clean/spans.hpp>
#include <ditto/concepts.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/parallel.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

/// Options of find_boilerplate_lines.
struct boilerplate_options {
    /// A normalized line in at least this many documents is boilerplate (at least 2). Near-copies
    /// of one article share every paragraph, so the count must stay above the number of times a
    /// story is republished in the corpus (5 in the sample corpus) while a site's chrome or an
    /// injected promo sits on far more pages; see docs/design.md for the choice of 6.
    std::size_t min_docs = 6;
    /// Every decimal digit (Unicode Nd) compared as '0', so date stamps and counters match.
    bool fold_digits = true;
    /// all by default: the first occurrence of a promo line is as much a promo as the others.
    remove_rule remove = remove_rule::all;
    normalize_options normalization{};

    /// Throws std::invalid_argument naming the parameter when an option is out of range.
    void validate() const {
        if (min_docs < 2)
            detail::throw_invalid_argument("boilerplate_options", "min_docs", "at least 2", std::to_string(min_docs));
    }
};

namespace detail {

// One non-blank line of one document.
struct line_record {
    content_hash hash;
    std::uint32_t doc = 0;
    std::uint32_t index = 0;  // the line's number within its document
    std::size_t begin = 0, end = 0;  // its bytes, without the "\n"
};

// Normalizes a line for comparison: the normalizer, then decimal digits as '0'.
inline void normalize_line(const normalizer& n, bool fold_digits, std::string_view line, std::string& out) {
    n.normalize(line, out);
    if (!fold_digits) return;
    std::string folded;
    for (std::size_t i = 0; i < out.size();) {
        const auto c = static_cast<unsigned char>(out[i]);
        if (c < 0x80) {
            if (c >= '0' && c <= '9') out[i] = '0';
            ++i;
            continue;
        }
        const auto d = decode_utf8(out, i);
        if (d.valid && unicode::category(d.code_point) == unicode::general_category::Nd) {
            // Rare (non-ASCII digits): rebuild the string with '0' in place of the digit.
            folded.assign(out, 0, i);
            folded += '0';
            folded.append(out, i + d.length);
            out.swap(folded);
            ++i;
            continue;
        }
        i += d.length;
    }
}

[[nodiscard]] inline bool has_token(std::string_view text) noexcept {
    return !detail::next_token(text, 0).text.empty();
}

// The bytes of a removed line: the line, its line break and the blank lines after it; for a
// last line without a line break, the line breaks before it. Cutting the span then leaves no
// empty line behind.
[[nodiscard]] inline std::pair<std::size_t, std::size_t> line_span(std::string_view text, std::size_t begin,
                                                                   std::size_t end) noexcept {
    if (end < text.size()) {
        ++end;
        while (end < text.size() && (text[end] == '\n' || (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n')))
            end += text[end] == '\r' ? std::size_t{2} : std::size_t{1};
        return {begin, end};
    }
    // Line breaks before it: each "\n", and a "\r" only when it is a blank line of its own (the
    // "\r" of "text\r\n" belongs to that line).
    while (begin > 0 && text[begin - 1] == '\n') {
        --begin;
        if (begin > 0 && text[begin - 1] == '\r' && (begin == 1 || text[begin - 2] == '\n')) --begin;
    }
    return {begin, end};
}

// Splits docs [first, last) of texts into chunk tasks of about `target` bytes each.
[[nodiscard]] inline std::vector<std::size_t> document_chunks(std::span<const std::string_view> texts,
                                                              std::size_t target) {
    std::vector<std::size_t> ends;
    std::size_t bytes = 0;
    for (std::size_t d = 0; d < texts.size(); ++d) {
        bytes += texts[d].size() + 16;
        if (bytes >= target) {
            ends.push_back(d + 1);
            bytes = 0;
        }
    }
    if (ends.empty() || ends.back() != texts.size()) ends.push_back(texts.size());
    return ends;
}

template <executor E>
[[nodiscard]] std::vector<removed_span> boilerplate_lines(std::span<const std::string_view> texts,
                                                          const boilerplate_options& options, E& exec) {
    options.validate();
    if (texts.size() > std::numeric_limits<std::uint32_t>::max())
        detail::throw_invalid_argument("find_boilerplate_lines", "documents", "at most 2^32 - 1",
                                       std::to_string(texts.size()));
    const normalizer norm(options.normalization);
    const std::vector<std::size_t> chunk_ends = document_chunks(texts, std::size_t{1} << 20);
    std::vector<std::vector<line_record>> chunk_records(chunk_ends.size());
    exec.bulk(chunk_ends.size(), [&](std::size_t c) {
        std::string normalized;
        auto& out = chunk_records[c];
        for (std::size_t d = c == 0 ? 0 : chunk_ends[c - 1]; d < chunk_ends[c]; ++d) {
            const std::string_view text = texts[d];
            std::size_t index = 0;
            for (std::size_t pos = 0; pos <= text.size(); ++index) {
                std::size_t end = text.find('\n', pos);
                if (end == std::string_view::npos) end = text.size();
                if (index > std::numeric_limits<std::uint32_t>::max())
                    detail::throw_invalid_argument("find_boilerplate_lines", "lines per document", "at most 2^32",
                                                   std::to_string(index));
                normalize_line(norm, options.fold_digits, text.substr(pos, end - pos), normalized);
                if (has_token(normalized))
                    out.push_back(line_record{hash128(normalized), static_cast<std::uint32_t>(d),
                                              static_cast<std::uint32_t>(index), pos, end});
                pos = end + 1;
            }
        }
    });
    std::vector<line_record> records;
    {
        std::size_t total = 0;
        for (const auto& r : chunk_records) total += r.size();
        records.reserve(total);
        for (auto& r : chunk_records) {
            records.insert(records.end(), r.begin(), r.end());
            std::vector<line_record>().swap(r);
        }
    }
    const auto by_hash = [](const line_record& a, const line_record& b) {
        if (a.hash != b.hash) return a.hash < b.hash;
        return a.doc != b.doc ? a.doc < b.doc : a.index < b.index;
    };
    std::sort(records.begin(), records.end(), by_hash);

    // Groups of equal hashes in at least min_docs documents (counted before confirmation, which
    // can only split a group).
    std::vector<std::pair<std::size_t, std::size_t>> groups;
    for (std::size_t i = 0; i < records.size();) {
        std::size_t j = i + 1, docs = 1;
        for (; j < records.size() && records[j].hash == records[i].hash; ++j)
            if (records[j].doc != records[j - 1].doc) ++docs;
        if (docs >= options.min_docs) groups.emplace_back(i, j);
        i = j;
    }

    // Confirm each group by its normalized lines, on the executor; each task's spans in order.
    const std::size_t tasks = std::min(groups.size(), exec.concurrency() * 8);
    std::vector<std::vector<removed_span>> found(tasks);
    exec.bulk(tasks, [&](std::size_t t) {
        std::string first_text, other;
        std::vector<std::string> texts_of;
        std::vector<std::size_t> order;
        auto emit_class = [&](std::span<const std::size_t> members) {
            // members: record indices of one confirmed line, in (doc, line) order.
            std::size_t docs = 1;
            for (std::size_t m = 1; m < members.size(); ++m)
                if (records[members[m]].doc != records[members[m - 1]].doc) ++docs;
            if (docs < options.min_docs) return;
            const line_record& first = records[members[0]];
            for (std::size_t m = 0; m < members.size(); ++m) {
                const line_record& r = records[members[m]];
                if (m == 0 && options.remove == remove_rule::copies) continue;
                const auto [b, e] = line_span(texts[r.doc], r.begin, r.end);
                removed_span s{r.doc, b, e, span_kind::line, std::nullopt};
                if (options.remove == remove_rule::copies) s.kept = text_location{first.doc, first.begin, first.end};
                found[t].push_back(s);
            }
        };
        std::vector<std::size_t> members;
        for (std::size_t g = t * groups.size() / tasks; g < (t + 1) * groups.size() / tasks; ++g) {
            const auto [begin, end] = groups[g];
            const line_record& head = records[begin];
            normalize_line(norm, options.fold_digits, texts[head.doc].substr(head.begin, head.end - head.begin), first_text);
            bool all_equal = true;
            for (std::size_t i = begin + 1; i < end && all_equal; ++i) {
                const line_record& r = records[i];
                normalize_line(norm, options.fold_digits, texts[r.doc].substr(r.begin, r.end - r.begin), other);
                all_equal = other == first_text;
            }
            members.clear();
            if (all_equal) {
                for (std::size_t i = begin; i < end; ++i) members.push_back(i);
                emit_class(members);
                continue;
            }
            // A 128-bit collision: split the group by its normalized lines (sorted, then equal runs).
            texts_of.assign(end - begin, std::string());
            order.resize(end - begin);
            for (std::size_t i = begin; i < end; ++i) {
                const line_record& r = records[i];
                normalize_line(norm, options.fold_digits, texts[r.doc].substr(r.begin, r.end - r.begin),
                               texts_of[i - begin]);
                order[i - begin] = i - begin;
            }
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return texts_of[a] != texts_of[b] ? texts_of[a] < texts_of[b] : a < b;
            });
            for (std::size_t i = 0; i < order.size();) {
                std::size_t j = i + 1;
                while (j < order.size() && texts_of[order[j]] == texts_of[order[i]]) ++j;
                members.clear();
                for (std::size_t k = i; k < j; ++k) members.push_back(begin + order[k]);
                emit_class(members);
                i = j;
            }
        }
    });
    std::vector<removed_span> spans;
    for (auto& f : found) spans.insert(spans.end(), f.begin(), f.end());
    std::sort(spans.begin(), spans.end(),
              [](const removed_span& a, const removed_span& b) { return a.doc != b.doc ? a.doc < b.doc : a.begin < b.begin; });
    // A last line without "\n" takes the "\n" before it, which the line before may have taken too.
    for (std::size_t i = 1; i < spans.size(); ++i)
        if (spans[i].doc == spans[i - 1].doc && spans[i].begin < spans[i - 1].end) spans[i].begin = spans[i - 1].end;
    return spans;
}

template <std::ranges::random_access_range R>
[[nodiscard]] std::vector<std::string_view> texts_of(const R& documents) {
    std::vector<std::string_view> texts;
    texts.reserve(static_cast<std::size_t>(std::ranges::size(documents)));
    for (const auto& d : documents) texts.push_back(ditto::text_of(d));
    return texts;
}

}  // namespace detail

/// The boilerplate lines of a corpus as removed spans, sorted by document then offset. Each span
/// is a line with its line break and the blank lines after it (a last line without a line break:
/// with the line breaks before it); under
/// remove_rule::copies its `kept` is the first occurrence of the line (its bytes without "\n").
/// Throws std::invalid_argument when options are out of range.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] std::vector<removed_span> find_boilerplate_lines(const R& documents, const boilerplate_options& options,
                                                               E& exec) {
    const std::vector<std::string_view> texts = detail::texts_of(documents);
    return detail::boilerplate_lines(std::span<const std::string_view>(texts), options, exec);
}

/// As above, on the calling thread.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] std::vector<removed_span> find_boilerplate_lines(const R& documents, const boilerplate_options& options = {}) {
    inline_executor exec;
    return find_boilerplate_lines(documents, options, exec);
}

}  // namespace ditto
