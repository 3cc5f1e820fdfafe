#pragma once
// What span-level cleaning finds: byte ranges of a corpus's texts to remove, each with where the
// occurrence that stays is, and which rule removes copies (all but the first, or all).

#include <cstddef>
#include <optional>
#include <string_view>

namespace ditto::inline v0_1 {

/// Which occurrences of a repeated line or passage are removed.
enum class remove_rule : unsigned char {
    copies,  ///< every occurrence but the earliest (in document order, then byte order); the default
    all,     ///< every occurrence, the earliest too
};

/// What kind of repeat a removed span is.
enum class span_kind : unsigned char {
    line,     ///< a boilerplate line (find_boilerplate_lines)
    passage,  ///< a repeated passage of at least min_tokens tokens (find_repeats)
};

[[nodiscard]] constexpr std::string_view to_string(span_kind k) noexcept {
    return k == span_kind::line ? "line" : "passage";
}

/// A byte range [begin, end) of document `doc` (its index in the corpus).
struct text_location {
    std::size_t doc = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
    friend constexpr bool operator==(const text_location&, const text_location&) = default;
};

/// A removed span: a byte range of one document's original text that starts and ends on token or
/// line boundaries (never inside a UTF-8 character or a token). `kept` is the occurrence that
/// stays under remove_rule::copies (empty under remove_rule::all): for a passage, the bytes
/// there equal the removed bytes exactly; for a line, it is the kept line (equal once normalized).
struct removed_span {
    std::size_t doc = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
    span_kind kind = span_kind::passage;
    std::optional<text_location> kept;
    friend constexpr bool operator==(const removed_span&, const removed_span&) = default;
};

}  // namespace ditto
