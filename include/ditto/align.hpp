#pragma once
// What differs between two copies: shared passages, deleted and inserted spans, changed figures.
//
// Both texts are normalized (with an offset map back to their original bytes) and tokenized; each
// token is hashed. k-grams of token hashes are winnowed (Schleimer, Wilkerson, Aiken 2003): in
// every window of w consecutive k-grams the least hash is a fingerprint (the rightmost on ties,
// recorded once while it stays the least), so any run of at least k + w - 1 equal tokens shares a
// fingerprint. Common fingerprints seed passages, extended both ways to maximal runs of equal
// tokens, in any order (a moved paragraph is a passage too). Overlapping passages are resolved
// longest first; a passage cut below k tokens by that is dropped. Then, between passages that
// follow each other in both texts, all k-grams are compared, so shorter runs of at least k tokens
// there are found as well. The tokens of each text not in a
// passage form its deleted (A) or inserted (B) spans. Between two passages that follow each other
// in both texts, the numbers on the two sides are paired in order; pairs whose values differ
// (read in either locale: "7,1" = "7.1", "30.000" = "30,000" = "30 000") are changed figures.
// All spans are byte offsets into the original texts.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/verify.hpp>

namespace ditto {

/// A fingerprint: a k-gram's hash and the token position where the k-gram starts.
struct fingerprint {
    std::uint64_t hash;
    std::size_t position;
    friend bool operator==(const fingerprint&, const fingerprint&) = default;
};

/// Robust winnowing of a sequence of k-gram hashes with window w >= 1: in every window of w
/// consecutive values the least hash is selected; when the previous window's selection is still
/// in the window and still least it stays selected, otherwise the rightmost least is taken (so
/// runs of equal hashes give few fingerprints). Each selection is returned once, in order. A
/// sequence shorter than w is one window. O(n w).
[[nodiscard]] inline std::vector<fingerprint> winnow(std::span<const std::uint64_t> hashes, std::size_t w) {
    if (w < 1) detail::throw_invalid_argument("winnow", "w", "at least 1", "0");
    std::vector<fingerprint> out;
    const std::size_t n = hashes.size();
    if (n == 0) return out;
    const std::size_t windows = n >= w ? n - w + 1 : 1;
    const std::size_t width = std::min(w, n);
    std::size_t selected = n;  // none yet
    for (std::size_t start = 0; start < windows; ++start) {
        std::size_t best = start;
        for (std::size_t i = start + 1; i < start + width; ++i)
            if (hashes[i] <= hashes[best]) best = i;  // <=: the rightmost least
        if (selected != n && selected >= start && hashes[selected] == hashes[best]) continue;
        selected = best;
        out.push_back({hashes[best], best});
    }
    return out;
}

/// How two texts are aligned.
struct align_options {
    std::size_t k = 5;       ///< tokens per k-gram; passages are at least this long
    std::size_t window = 4;  ///< winnowing window: every shared run of k + window - 1 tokens is found
    normalize_options normalization{};
    std::uint64_t seed = default_seed;

    /// Throws std::invalid_argument naming the first option out of range.
    void validate() const {
        if (k < 1 || k > max_shingle_size) detail::throw_invalid_argument("align", "k", "in [1, 1024]", std::to_string(k));
        if (window < 1 || window > 1024)
            detail::throw_invalid_argument("align", "window", "in [1, 1024]", std::to_string(window));
    }
};

/// A half-open range of token positions.
struct token_span {
    std::size_t begin = 0;
    std::size_t end = 0;
    friend bool operator==(const token_span&, const token_span&) = default;
};

/// A passage the two texts share: its tokens and original bytes in each.
struct shared_passage {
    token_span a_tokens, b_tokens;
    byte_span a, b;
};

/// A number that stands at aligned places in both texts but differs.
struct changed_figure {
    byte_span a, b;
    std::string old_text, new_text;  ///< as written in A and in B
};

/// The similarity measures of a pair.
struct pair_measures {
    double jaccard = 0;             ///< of the k-shingle sets
    double containment_a_in_b = 0;  ///< |A n B| / |A| over shingle sets
    double containment_b_in_a = 0;
    double coverage_a = 0;          ///< share of A's tokens inside shared passages
    double coverage_b = 0;
};

/// Everything about how B differs from A.
struct text_diff {
    std::vector<shared_passage> shared;  ///< in A's order
    std::vector<byte_span> deleted;      ///< spans of A not in B, in A's order
    std::vector<byte_span> inserted;     ///< spans of B not in A, in B's order
    std::vector<changed_figure> changed_figures;
    pair_measures measures;
    std::size_t a_tokens = 0, b_tokens = 0;
};

namespace detail {

// One side of an alignment: the tokens' hashes and their original byte spans.
struct aligned_side {
    std::vector<std::uint64_t> token_hashes;
    std::vector<byte_span> token_bytes;  // in the original text
    std::vector<std::uint64_t> kgrams;   // kgrams[i]: tokens [i, i + k)

    void build(std::string_view text, const normalizer& normalize, const align_options& o, std::string& scratch,
               offset_map& map) {
        normalize.normalize(text, scratch, map);
        token_hashes.clear();
        token_bytes.clear();
        for_each_token(scratch, [&](const token& t) {
            token_hashes.push_back(hash64(t.text, o.seed));
            token_bytes.push_back({t.offset, t.offset + t.text.size()});
        });
        map.to_original(token_bytes, token_bytes);  // in place: one pass, spans in text order
        kgrams.clear();
        if (token_hashes.size() < o.k) return;
        std::uint64_t power = 1;
        for (std::size_t i = 1; i < o.k; ++i) power *= shingle_base;  // removes the oldest token
        std::uint64_t h = 0;
        for (std::size_t i = 0; i < token_hashes.size(); ++i) {
            if (i >= o.k) h -= token_hashes[i - o.k] * power;
            h = h * shingle_base + token_hashes[i];
            if (i + 1 >= o.k) kgrams.push_back(mix64(h, o.seed));
        }
    }

    [[nodiscard]] byte_span bytes(token_span t) const noexcept {
        return {token_bytes[t.begin].begin, token_bytes[t.end - 1].end};
    }
};

// A number in original text: digits with '.', ',', apostrophe or (before three digits) space
// separators between digit groups, and a following percent sign (with an optional space).
struct number_span {
    byte_span bytes;
    std::string value;  // canonical: integer digits, then '.' and fraction digits if any
};

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Length of a grouping space at text[i]: ' ', U+00A0 or U+202F; 0 otherwise.
inline std::size_t space_separator(std::string_view text, std::size_t i) noexcept {
    if (i < text.size() && text[i] == ' ') return 1;
    if (i + 1 < text.size() && text.substr(i, 2) == "\xc2\xa0") return 2;
    if (i + 2 < text.size() && text.substr(i, 3) == "\xe2\x80\xaf") return 3;
    return 0;
}

// Reads the number starting at text[i] (a digit); returns its end.
inline std::size_t number_end(std::string_view text, std::size_t i) noexcept {
    while (i < text.size() && is_digit(text[i])) ++i;
    for (;;) {
        if (i + 1 < text.size() && (text[i] == '.' || text[i] == ',' || text[i] == '\'') && is_digit(text[i + 1])) {
            i += 1;
        } else if (const std::size_t s = space_separator(text, i);
                   s > 0 && i + s + 3 <= text.size() && is_digit(text[i + s]) && is_digit(text[i + s + 1]) &&
                   is_digit(text[i + s + 2]) && (i + s + 3 == text.size() || !is_digit(text[i + s + 3]))) {
            i += s;
        } else {
            break;
        }
        while (i < text.size() && is_digit(text[i])) ++i;
    }
    return i;
}

// The value of a number as written, in either locale: with both '.' and ',' the last one is the
// decimal mark; one mark used once and followed by other than exactly three digits is decimal;
// otherwise marks group thousands.
inline std::string number_value(std::string_view s) {
    std::size_t last_dot = s.rfind('.'), last_comma = s.rfind(',');
    std::size_t decimal = std::string_view::npos;
    if (last_dot != std::string_view::npos && last_comma != std::string_view::npos) {
        decimal = std::max(last_dot, last_comma);
    } else {
        const std::size_t mark = last_dot != std::string_view::npos ? last_dot : last_comma;
        if (mark != std::string_view::npos) {
            const char c = s[mark];
            const bool once = s.find(c) == mark;
            std::size_t digits_after = 0;
            while (mark + 1 + digits_after < s.size() && is_digit(s[mark + 1 + digits_after])) ++digits_after;
            if (once && digits_after != 3) decimal = mark;
        }
    }
    std::string integer, fraction;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!is_digit(s[i])) continue;
        (decimal != std::string_view::npos && i > decimal ? fraction : integer) += s[i];
    }
    const std::size_t nonzero = integer.find_first_not_of('0');
    integer = nonzero == std::string::npos ? "0" : integer.substr(nonzero);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    return fraction.empty() ? integer : integer + "." + fraction;
}

// The numbers overlapping the byte span, each read whole (a span may start or end inside one).
inline std::vector<number_span> numbers_in(std::string_view text, byte_span span) {
    std::vector<number_span> out;
    std::size_t i = span.begin;
    // Back up to the start of a number the span starts inside.
    while (i > 0 && (is_digit(text[i - 1]) ||
                     ((text[i - 1] == '.' || text[i - 1] == ',' || text[i - 1] == '\'' || text[i - 1] == ' ') && i >= 2 &&
                      is_digit(text[i - 2]) && i < text.size() && is_digit(text[i]))))
        --i;
    while (i < span.end && i < text.size()) {
        if (!is_digit(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = number_end(text, i);
        std::size_t with_percent = end;
        if (with_percent < text.size() && text[with_percent] == ' ') ++with_percent;
        if (with_percent < text.size() && text[with_percent] == '%') end = with_percent + 1;
        out.push_back({{i, end}, number_value(text.substr(i, end - i))});
        i = end;
    }
    return out;
}

}  // namespace detail

/// The diff of two texts. Throws std::invalid_argument for invalid options.
[[nodiscard]] inline text_diff diff(std::string_view a, std::string_view b, const align_options& o = {}) {
    o.validate();
    const normalizer normalize(o.normalization);
    std::string scratch;
    offset_map map;
    detail::aligned_side sa, sb;
    sa.build(a, normalize, o, scratch, map);
    sb.build(b, normalize, o, scratch, map);
    text_diff out;
    out.a_tokens = sa.token_hashes.size();
    out.b_tokens = sb.token_hashes.size();

    // Measures over shingle sets: the k-grams, or for a text of fewer than k tokens one shingle of
    // all of them (the same hashes word_shingler gives).
    {
        auto shingles = [&](const detail::aligned_side& side) {
            std::vector<std::uint64_t> set = side.kgrams;
            if (set.empty() && !side.token_hashes.empty()) {
                std::uint64_t h = 0;
                for (const std::uint64_t t : side.token_hashes) h = h * detail::shingle_base + t;
                set.push_back(mix64(h, o.seed));
            }
            make_set(set);
            return set;
        };
        const auto set_a = shingles(sa), set_b = shingles(sb);
        const std::size_t common = intersection_size(set_a, set_b);
        const std::size_t united = set_a.size() + set_b.size() - common;
        out.measures.jaccard = united == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(united);
        out.measures.containment_a_in_b = set_a.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(set_a.size());
        out.measures.containment_b_in_a = set_b.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(set_b.size());
    }

    // Seeds: A's fingerprints looked up among B's (sorted). A hash that stands more than 64 times
    // in B (repeated boilerplate) seeds nothing: its runs are found from their neighbours'
    // fingerprints or in the gap pass below.
    struct run {
        std::size_t a, b, length;
    };
    std::vector<run> runs;
    if (!sa.kgrams.empty() && !sb.kgrams.empty()) {
        const auto fa = winnow(sa.kgrams, o.window);
        auto fb = winnow(sb.kgrams, o.window);
        const auto by_hash = [](const fingerprint& x, const fingerprint& y) {
            return x.hash != y.hash ? x.hash < y.hash : x.position < y.position;
        };
        detail::bucket_sort(fb, [](const fingerprint& f) { return f.hash; }, by_hash);
        // A's fingerprints in text order; a seed inside the run last found on its diagonal
        // (a - b, offset by |B| to stay non-negative) is skipped.
        std::unordered_map<std::size_t, std::size_t> reach;
        const auto& ta = sa.token_hashes;
        const auto& tb = sb.token_hashes;
        constexpr std::size_t max_repeats = 64;
        for (const fingerprint& f : fa) {
            const auto first = std::lower_bound(fb.begin(), fb.end(), fingerprint{f.hash, 0}, by_hash);
            auto last = first;
            while (last != fb.end() && last->hash == f.hash) ++last;
            if (last - first > static_cast<std::ptrdiff_t>(max_repeats)) continue;
            for (auto it = first; it != last; ++it) {
                const std::size_t pa = f.position, pb = it->position;
                const std::size_t diagonal = pa + out.b_tokens - pb;
                const auto r = reach.find(diagonal);
                if (r != reach.end() && pa < r->second) continue;
                std::size_t begin_a = pa, begin_b = pb;
                while (begin_a > 0 && begin_b > 0 && ta[begin_a - 1] == tb[begin_b - 1]) --begin_a, --begin_b;
                std::size_t end_a = pa, end_b = pb;
                while (end_a < ta.size() && end_b < tb.size() && ta[end_a] == tb[end_b]) ++end_a, ++end_b;
                reach[diagonal] = end_a;
                if (end_a - begin_a >= o.k) runs.push_back({begin_a, begin_b, end_a - begin_a});
            }
        }
    }
    // Longest first; a later run keeps only its longest part free in both texts.
    std::sort(runs.begin(), runs.end(), [](const run& x, const run& y) {
        return x.length != y.length ? x.length > y.length : (x.a != y.a ? x.a < y.a : x.b < y.b);
    });
    std::vector<std::uint8_t> used_a(out.a_tokens, 0), used_b(out.b_tokens, 0);
    std::vector<run> kept;
    for (const run& r : runs) {
        std::size_t best_begin = 0, best_length = 0;
        for (std::size_t i = 0; i < r.length;) {
            if (used_a[r.a + i] || used_b[r.b + i]) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < r.length && !used_a[r.a + j] && !used_b[r.b + j]) ++j;
            if (j - i > best_length) best_begin = i, best_length = j - i;
            i = j;
        }
        if (best_length < o.k) continue;
        kept.push_back({r.a + best_begin, r.b + best_begin, best_length});
        std::fill_n(used_a.begin() + static_cast<std::ptrdiff_t>(r.a + best_begin), best_length, std::uint8_t{1});
        std::fill_n(used_b.begin() + static_cast<std::ptrdiff_t>(r.b + best_begin), best_length, std::uint8_t{1});
    }
    std::sort(kept.begin(), kept.end(), [](const run& x, const run& y) { return x.a < y.a; });
    // Winnowing may miss runs shorter than k + w - 1 tokens. Between passages that follow each
    // other in both texts (and where there is none, across the whole texts) every k-gram of the
    // two gaps is compared, so shorter shared runs of at least k tokens there are found too.
    {
        std::vector<run> extra;
        auto match_gap = [&](std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1) {
            if (a1 - a0 < o.k || b1 - b0 < o.k) return;
            std::vector<std::pair<std::uint64_t, std::size_t>> grams;  // (k-gram hash, position in B), sorted
            for (std::size_t j = b0; j + o.k <= b1; ++j) grams.emplace_back(sb.kgrams[j], j);
            std::sort(grams.begin(), grams.end());
            for (std::size_t i = a0; i + o.k <= a1;) {
                auto it = std::lower_bound(grams.begin(), grams.end(), std::pair<std::uint64_t, std::size_t>{sa.kgrams[i], 0});
                std::size_t advance = 1;
                for (; it != grams.end() && it->first == sa.kgrams[i]; ++it) {
                    const std::size_t j = it->second;
                    if (used_b[j]) continue;
                    std::size_t length = 0;
                    while (i + length < a1 && j + length < b1 && !used_b[j + length] &&
                           sa.token_hashes[i + length] == sb.token_hashes[j + length])
                        ++length;
                    if (length < o.k) continue;
                    extra.push_back({i, j, length});
                    std::fill_n(used_a.begin() + static_cast<std::ptrdiff_t>(i), length, std::uint8_t{1});
                    std::fill_n(used_b.begin() + static_cast<std::ptrdiff_t>(j), length, std::uint8_t{1});
                    advance = length;
                    break;
                }
                i += advance;
            }
        };
        std::size_t prev_a = 0, prev_b = 0;
        for (std::size_t p = 0; p <= kept.size(); ++p) {
            const bool last = p == kept.size();
            const std::size_t next_a = last ? out.a_tokens : kept[p].a, next_b = last ? out.b_tokens : kept[p].b;
            if (next_b >= prev_b) match_gap(prev_a, next_a, prev_b, next_b);
            if (!last) prev_a = kept[p].a + kept[p].length, prev_b = kept[p].b + kept[p].length;
        }
        kept.insert(kept.end(), extra.begin(), extra.end());
        std::sort(kept.begin(), kept.end(), [](const run& x, const run& y) { return x.a < y.a; });
    }
    std::size_t covered = 0;
    for (const run& r : kept) {
        const token_span ta{r.a, r.a + r.length}, tb{r.b, r.b + r.length};
        out.shared.push_back({ta, tb, sa.bytes(ta), sb.bytes(tb)});
        covered += r.length;
    }
    if (out.a_tokens > 0) out.measures.coverage_a = static_cast<double>(covered) / static_cast<double>(out.a_tokens);
    if (out.b_tokens > 0) out.measures.coverage_b = static_cast<double>(covered) / static_cast<double>(out.b_tokens);

    // Deleted and inserted: maximal runs of tokens outside every passage.
    auto uncovered = [](const std::vector<std::uint8_t>& used, const detail::aligned_side& side) {
        std::vector<byte_span> spans;
        for (std::size_t i = 0; i < used.size();) {
            if (used[i]) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < used.size() && !used[j]) ++j;
            spans.push_back(side.bytes({i, j}));
            i = j;
        }
        return spans;
    };
    out.deleted = uncovered(used_a, sa);
    out.inserted = uncovered(used_b, sb);

    // Changed figures: in each pair of aligned gaps (before the first passage, between passages
    // in the same order in both texts, after the last), numbers paired in order.
    auto gap_bytes = [](const detail::aligned_side& side, std::size_t from, std::size_t to, std::string_view text) {
        const std::size_t begin = from == 0 ? 0 : side.token_bytes[from - 1].end;
        const std::size_t end = to >= side.token_bytes.size() ? text.size() : side.token_bytes[to].begin;
        return byte_span{begin, std::max(begin, end)};
    };
    auto compare_gaps = [&](byte_span ga, byte_span gb) {
        const auto na = detail::numbers_in(a, ga), nb = detail::numbers_in(b, gb);
        for (std::size_t i = 0; i < std::min(na.size(), nb.size()); ++i) {
            if (na[i].value == nb[i].value) continue;
            out.changed_figures.push_back({na[i].bytes, nb[i].bytes,
                                           std::string(a.substr(na[i].bytes.begin, na[i].bytes.end - na[i].bytes.begin)),
                                           std::string(b.substr(nb[i].bytes.begin, nb[i].bytes.end - nb[i].bytes.begin))});
        }
    };
    // Gaps are taken from the token just after one passage to the token just before the next, with
    // the passage's last and next's first token's bytes included, so a number cut by a passage
    // edge ("4" shared, ".2" vs ".6" not) is read whole.
    std::size_t prev_a = 0, prev_b = 0;
    bool in_order = true;
    for (std::size_t p = 0; p <= out.shared.size(); ++p) {
        const bool last = p == out.shared.size();
        const std::size_t next_a = last ? out.a_tokens : out.shared[p].a_tokens.begin;
        const std::size_t next_b = last ? out.b_tokens : out.shared[p].b_tokens.begin;
        if (!last && next_b < prev_b) in_order = false;
        if (in_order && (next_a > prev_a || next_b > prev_b)) {
            byte_span ga = gap_bytes(sa, prev_a, next_a, a), gb = gap_bytes(sb, prev_b, next_b, b);
            // Include the neighbouring tokens' bytes so numbers straddling a passage edge are whole.
            if (prev_a > 0) ga.begin = sa.token_bytes[prev_a - 1].begin;
            if (prev_b > 0) gb.begin = sb.token_bytes[prev_b - 1].begin;
            if (next_a < out.a_tokens) ga.end = sa.token_bytes[next_a].end;
            if (next_b < out.b_tokens) gb.end = sb.token_bytes[next_b].end;
            compare_gaps(ga, gb);
        }
        if (!last) {
            if (!in_order) in_order = true;  // a moved passage: the next gap is aligned again
            prev_a = out.shared[p].a_tokens.end;
            prev_b = out.shared[p].b_tokens.end;
        }
    }
    return out;
}

}  // namespace ditto
