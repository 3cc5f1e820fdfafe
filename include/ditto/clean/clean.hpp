#pragma once
// Span-level cleaning of a corpus: boilerplate lines first, then repeated passages in what the
// lines left (a passage never contains a token of a removed line, so the two kinds of spans are
// disjoint), and the texts with those spans cut out.

#include <algorithm>
#include <cstddef>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/clean/lines.hpp>
#include <ditto/clean/repeats.hpp>
#include <ditto/clean/spans.hpp>
#include <ditto/concepts.hpp>
#include <ditto/document.hpp>
#include <ditto/parallel.hpp>
#include <ditto/text/tokenize.hpp>

namespace ditto::inline v0_1 {

/// Options of clean: which kinds of repeats to remove, and how each is found.
struct clean_options {
    bool lines = true;     ///< remove boilerplate lines (find_boilerplate_lines)
    bool passages = true;  ///< remove repeated passages (find_repeats)
    boilerplate_options boilerplate{};
    repeat_options repeats{};

    /// Throws std::invalid_argument naming the parameter when an option is out of range.
    void validate() const {
        boilerplate.validate();
        repeats.validate();
    }
};

/// What clean found: the removed spans of every document, sorted by document then offset, and
/// disjoint.
struct clean_result {
    std::vector<removed_span> spans;
    std::size_t line_spans = 0;
    std::size_t passage_spans = 0;
    repeat_stats repeats{};
};

/// The spans of one document within result spans sorted by document: a subrange.
[[nodiscard]] inline std::span<const removed_span> spans_of(std::span<const removed_span> spans, std::size_t doc) {
    const auto first = std::lower_bound(spans.begin(), spans.end(), doc,
                                        [](const removed_span& s, std::size_t d) { return s.doc < d; });
    const auto last = std::upper_bound(first, spans.end(), doc,
                                       [](std::size_t d, const removed_span& s) { return d < s.doc; });
    return {first, last};
}

/// text less its spans (disjoint, sorted, all of one document). Around a cut passage, the spaces
/// and tabs it would leave doubled, at a line's start or at its end go too, and a line the cut
/// leaves empty goes with its line break; a line span already holds its line break.
[[nodiscard]] inline std::string cut_spans(std::string_view text, std::span<const removed_span> spans) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const removed_span& s = spans[i];
        if (s.begin > pos) out.append(text.substr(pos, s.begin - pos));
        pos = std::max(pos, s.end);
        if (s.kind != span_kind::passage) continue;
        const std::size_t limit = i + 1 < spans.size() ? std::max(pos, spans[i + 1].begin) : text.size();
        const bool line_start = out.empty() || out.back() == '\n';
        if (line_start || blank(out.back()))
            while (pos < limit && blank(text[pos])) ++pos;
        const bool line_end = pos == text.size() || text[pos] == '\n' || text[pos] == '\r';
        if (line_end)
            while (!out.empty() && blank(out.back())) out.pop_back();
        if (line_start && line_end && pos < limit) {  // the cut emptied its line
            if (text[pos] == '\r' && pos + 1 < limit && text[pos + 1] == '\n') pos += 2;
            else if (text[pos] == '\n') ++pos;
        }
    }
    if (pos < text.size()) out.append(text.substr(pos));
    return out;
}

/// The number of tokens (words) of a text.
[[nodiscard]] inline std::size_t word_count(std::string_view text) {
    std::size_t n = 0;
    for_each_token(text, [&](const token&) { ++n; });
    return n;
}

/// Finds the spans to remove: boilerplate lines, then repeated passages outside them. Throws
/// std::invalid_argument when options are out of range.
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] clean_result clean(const R& documents, const clean_options& options, E& exec) {
    options.validate();
    const std::vector<std::string_view> texts = detail::texts_of(documents);
    const std::span<const std::string_view> all(texts);
    clean_result result;
    std::vector<removed_span> lines;
    if (options.lines) lines = detail::boilerplate_lines(all, options.boilerplate, exec);
    std::vector<removed_span> passages;
    if (options.passages) passages = detail::repeats(all, lines, options.repeats, exec, &result.repeats);
    result.line_spans = lines.size();
    result.passage_spans = passages.size();
    result.spans.resize(lines.size() + passages.size());
    std::merge(lines.begin(), lines.end(), passages.begin(), passages.end(), result.spans.begin(),
               [](const removed_span& a, const removed_span& b) { return a.doc != b.doc ? a.doc < b.doc : a.begin < b.begin; });
    return result;
}

/// As above, on the calling thread.
template <std::ranges::random_access_range R>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] clean_result clean(const R& documents, const clean_options& options = {}) {
    inline_executor exec;
    return clean(documents, options, exec);
}

}  // namespace ditto
