#pragma once
// What differs between two copies: shared passages, deleted and inserted spans, changed figures.
//
// Both texts are normalized (with an offset map back to their original bytes) and tokenized; each
// token is hashed. k-grams of token hashes are winnowed (Schleimer, Wilkerson, Aiken 2003): in
// every window of w consecutive k-grams the rightmost least hash is a fingerprint, so any run of at
// least k + w - 1 equal tokens has a window whose fingerprint sits at the same place of the run in
// both texts. Common fingerprints seed passages, extended both ways to maximal runs of equal
// tokens, in any order (a moved paragraph is a passage too). A k-gram that occurs more than
// max_repeats times in either text (repetitive text: "la la la", a log line, boilerplate) seeds
// nothing. Overlapping passages are resolved longest first; a passage cut below k tokens by that
// is dropped. Then, in the gaps between passages that follow each other in both texts, the k-grams
// are matched in A's order with the first free occurrence in B's gap, so shorter and repetitive
// runs of at least k tokens there are found as well. The tokens of each text not in a passage form
// its deleted (A) or inserted (B) spans. In each such pair of gaps, the numbers on the two sides
// are paired in order; pairs whose values differ (read in either locale: "7,1" = "7.1",
// "30.000" = "30,000" = "30 000") are changed figures. All spans are byte offsets into the
// original texts.
//
// Guarantees (n, m: the token counts; T = max_repeats):
//  1. Every passage is a run of at least k equal tokens; passages do not overlap in A nor in B.
//  2. Every maximal common run of at least k + w - 1 tokens none of whose k-grams occurs more than
//     T times in A or in B is reported exactly (one passage, the whole run), unless it shares
//     tokens, in A or in B, with another maximal common run at least as long.
//  3. Runs of repeated k-grams (more than T times) are left to the gap pass, which aligns them
//     greedily in A's order: after it, the two gaps of every pair of passages that are neighbours
//     in both texts (the texts' start and end count as passages) share no run of k equal tokens.
//  4. A text of fewer than k tokens is one shingle of all its tokens (as in the measures): two such
//     texts with equal tokens are one shared passage; otherwise (they differ, or the other text has
//     k tokens or more) nothing is shared and each text is wholly deleted or inserted.
//  5. Work: O((n + m)(k + log(n + m))), plus the runs extended: at most (k + 2) * T runs pass
//     through any token of A (a fingerprint pairs with at most T others; of the runs whose seed
//     lies wholly before a token, the nearest seed's k-gram occurs in B once per run, and likewise
//     after), each extended once. Every stage counts its inner-loop iterations in text_diff::steps.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/detail/load.hpp>
#include <ditto/detail/swar.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/normalizing_shingler.hpp>
#include <ditto/text/token_hash.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/verify.hpp>

namespace ditto::inline v0_1 {

/// A fingerprint: a k-gram's hash and the token position where the k-gram starts.
struct fingerprint {
    std::uint64_t hash;
    std::size_t position;
    friend bool operator==(const fingerprint&, const fingerprint&) = default;
};

namespace detail {

// Winnowing in O(n): a queue of positions whose hashes increase strictly from front to back (a new
// hash drops every position behind it with a hash >= its own), so the front is the window's
// rightmost least hash. robust: the previous selection stays while it is in the window and still
// least (the paper's robust winnowing); otherwise each window selects its rightmost least, which
// depends on the window's contents alone. Each selection is recorded once.
inline void winnow_into(std::span<const std::uint64_t> hashes, std::size_t w, bool robust, std::vector<fingerprint>& out,
                        std::size_t& steps, std::vector<std::size_t>& queue) {
    out.clear();
    const std::size_t n = hashes.size();
    if (n == 0) return;
    const std::size_t width = std::min(w, n);
    if (!robust && width <= 16) {
        // Small windows: the previous window's rightmost least stays the candidate while it is in
        // the window (a new hash <= it replaces it); when it leaves, the window is scanned again.
        std::size_t best = n;
        for (std::size_t start = 0; start + width <= n; ++start) {
            const std::size_t last = start + width - 1;
            if (best == n || best < start) {
                best = start;
                for (std::size_t j = start + 1; j <= last; ++j)
                    if (hashes[j] <= hashes[best]) best = j;
                steps += width;
            } else {
                if (hashes[last] <= hashes[best]) best = last;
                ++steps;
            }
            if (out.empty() || out.back().position != best) out.push_back({hashes[best], best});
        }
        return;
    }
    if (queue.size() < n) queue.resize(n);
    std::size_t head = 0, tail = 0, selected = n;  // none yet
    for (std::size_t i = 0; i < n; ++i) {
        while (tail > head && hashes[queue[tail - 1]] >= hashes[i]) --tail, ++steps;
        queue[tail++] = i;
        ++steps;
        if (i + 1 < width) continue;
        const std::size_t start = i + 1 - width;
        while (queue[head] < start) ++head;
        const std::size_t best = queue[head];
        if (best == selected) continue;
        if (robust && selected != n && selected >= start && hashes[selected] == hashes[best]) continue;
        selected = best;
        out.push_back({hashes[best], best});
    }
}

inline void winnow_into(std::span<const std::uint64_t> hashes, std::size_t w, bool robust, std::vector<fingerprint>& out,
                        std::size_t& steps) {
    std::vector<std::size_t> queue;
    winnow_into(hashes, w, robust, out, steps, queue);
}

}  // namespace detail

/// Robust winnowing of a sequence of k-gram hashes with window w >= 1: in every window of w
/// consecutive values the least hash is selected; when the previous window's selection is still
/// in the window and still least it stays selected, otherwise the rightmost least is taken (so
/// runs of equal hashes give few fingerprints). Each selection is returned once, in order. A
/// sequence shorter than w is one window. O(n).
[[nodiscard]] inline std::vector<fingerprint> winnow(std::span<const std::uint64_t> hashes, std::size_t w) {
    if (w < 1) detail::throw_invalid_argument("winnow", "w", "at least 1", "0");
    std::vector<fingerprint> out;
    std::size_t steps = 0;
    detail::winnow_into(hashes, w, true, out, steps);
    return out;
}

/// How two texts are aligned.
struct align_options {
    std::size_t k = 5;       ///< tokens per k-gram; passages are at least this long
    std::size_t window = 4;  ///< winnowing window: every shared run of k + window - 1 tokens is found
    /// A k-gram occurring more often than this in either text seeds no passage (bounds the work on
    /// repetitive text; such runs are left to the gap pass, see the header comment).
    std::size_t max_repeats = 8;
    normalize_options normalization{};
    std::uint64_t seed = default_seed;

    /// Throws std::invalid_argument naming the first option out of range.
    void validate() const {
        if (k < 1 || k > max_shingle_size) detail::throw_invalid_argument("align", "k", "in [1, 1024]", std::to_string(k));
        if (window < 1 || window > 1024)
            detail::throw_invalid_argument("align", "window", "in [1, 1024]", std::to_string(window));
        if (max_repeats < 1 || max_repeats > 1024)
            detail::throw_invalid_argument("align", "max_repeats", "in [1, 1024]", std::to_string(max_repeats));
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
    /// Inner-loop iterations of all stages (sorts counted as n log2 n): the work done, for tests
    /// and benchmarks that check how it grows with the input.
    std::size_t steps = 0;
};

namespace detail {

// One side of an alignment: the tokens' hashes and their original byte spans.
struct aligned_side {
    std::vector<std::uint64_t> token_hashes;
    std::vector<byte_span> token_bytes;  // in the original text
    std::vector<std::uint64_t> kgrams;   // kgrams[i]: tokens [i, i + k)

    // Tokens from the normalizer's output, mapped back through its offset map (the reference
    // way, which the tests keep).
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
        make_kgrams(o);
    }

    // The same tokens from the fused pass (normalizing_word_shingler::for_each_mapped_token),
    // which gives each token's input bytes as the offset map would, and hash (hash64 under
    // o.seed); where the pass gives up (text the normalizer must handle itself), as above.
    void build(std::string_view text, const normalizing_word_shingler<>& fused, const token_hasher& hash,
               const normalizer& normalize, const align_options& o, std::string& scratch, offset_map& map) {
        token_hashes.clear();
        token_bytes.clear();
        const bool complete = fused.for_each_mapped_token(text, scratch, [&](std::string_view t, std::size_t begin, std::size_t end) {
            token_hashes.push_back(hash(t));
            token_bytes.push_back({begin, end});
        });
        if (!complete) {
            build(text, normalize, o, scratch, map);
            return;
        }
        make_kgrams(o);
    }

    void make_kgrams(const align_options& o) {
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

// Steps counted for a binary search among n values, and for sorting n values.
inline std::size_t search_steps(std::size_t n) noexcept { return static_cast<std::size_t>(std::bit_width(n)); }
inline std::size_t sort_steps(std::size_t n) noexcept { return n * search_steps(n); }

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

// Every number of a text, read left to right (digit groups, then an optional percent sign), as
// byte spans in order. Read once per text, so a gap's numbers are a binary search away and a number
// is read the same way whichever gap it falls in.
inline void numbers_of(std::string_view text, std::size_t& steps, std::vector<byte_span>& out) {
    out.clear();
    // The ASCII digits of 8 bytes (no carry crosses bytes: high bits are cleared before adding).
    const auto digits = [](std::uint64_t w) {
        const std::uint64_t low = w & ~highs;
        const std::uint64_t below_colon = ~(low + ones * (0x80 - ':')), below_zero = ~(low + ones * (0x80 - '0'));
        return below_colon & ~below_zero & ~w & highs;
    };
    for (std::size_t i = 0; i < text.size();) {
        if (!is_digit(text[i])) {
            ++i;
            while (i + 8 <= text.size()) {
                const std::uint64_t d = digits(load8(text.data() + i));
                if (d != 0) {
                    i += first_marked_byte(d);
                    break;
                }
                i += 8;
            }
            continue;
        }
        std::size_t end = number_end(text, i);
        std::size_t with_percent = end;
        if (with_percent < text.size() && text[with_percent] == ' ') ++with_percent;
        if (with_percent < text.size() && text[with_percent] == '%') end = with_percent + 1;
        out.push_back({i, end});
        i = end;
    }
    steps += text.size();
}

inline std::vector<byte_span> numbers_of(std::string_view text, std::size_t& steps) {
    std::vector<byte_span> out;
    numbers_of(text, steps, out);
    return out;
}

// The numbers overlapping span, from the sorted, disjoint list of a text's numbers.
inline std::span<const byte_span> numbers_overlapping(const std::vector<byte_span>& numbers, byte_span span) noexcept {
    const auto first = std::upper_bound(numbers.begin(), numbers.end(), span.begin,
                                        [](std::size_t at, const byte_span& n) { return at < n.end; });
    auto last = first;
    while (last != numbers.end() && last->begin < span.end) ++last;
    return {first, last};
}

// A common run: tokens [a, a + length) of A equal tokens [b, b + length) of B.
struct run {
    std::size_t a, b, length;
};

// follows[p] for p in [0, runs.size()]: whether the gap before runs[p] (runs in A's order; p ==
// size is the gap after the last) lies between runs that are neighbours in B's order too, the
// text's start and end counting as runs before and after all others. Such gaps are disjoint in
// both texts, so work done per gap adds up to the texts' lengths.
inline void neighbours_in_both(const std::vector<run>& runs, std::size_t& steps, std::vector<std::uint8_t>& follows,
                               std::vector<std::size_t>& by_b, std::vector<std::size_t>& rank) {
    const std::size_t n = runs.size();
    by_b.resize(n);
    rank.resize(n + 2);  // rank in B's order, 1-based; 0 and n + 1 the ends
    for (std::size_t i = 0; i < n; ++i) by_b[i] = i;
    std::sort(by_b.begin(), by_b.end(), [&](std::size_t x, std::size_t y) { return runs[x].b < runs[y].b; });
    steps += sort_steps(n);
    rank[0] = 0;
    rank[n + 1] = n + 1;
    for (std::size_t r = 0; r < n; ++r) rank[by_b[r] + 1] = r + 1;
    follows.resize(n + 1);
    for (std::size_t p = 0; p <= n; ++p) follows[p] = rank[p + 1] == rank[p] + 1;
}

inline std::vector<std::uint8_t> neighbours_in_both(const std::vector<run>& runs, std::size_t& steps) {
    std::vector<std::uint8_t> follows;
    std::vector<std::size_t> by_b, rank;
    neighbours_in_both(runs, steps, follows, by_b, rank);
    return follows;
}

}  // namespace detail

/// Aligns pairs of texts (see the header comment) and keeps its buffers from one call to the
/// next: once they have grown to the largest pair seen, aligning allocates nothing more, and with
/// diff(a, b, out) reusing one text_diff, its vectors are reused too (a changed figure's text may
/// still allocate when it is long). k-gram occurrences are counted in one hash table for both
/// texts, which gives the measures (distinct and common k-grams) and the repeat limit without
/// sorting the k-grams; B's fingerprints are chained by hash in the same table. One differ per
/// thread. The result is the same as diff(a, b, options).
class differ {
public:
    /// Throws std::invalid_argument for invalid options.
    explicit differ(const align_options& o = {})
        : options_((o.validate(), o)), normalize_(o.normalization), tokens_(o.normalization, 1, o.seed), hash_(o.seed) {}

    [[nodiscard]] const align_options& options() const noexcept { return options_; }

    [[nodiscard]] text_diff diff(std::string_view a, std::string_view b) {
        text_diff out;
        diff(a, b, out);
        return out;
    }

    /// Writes the diff of a and b into out, reusing its storage.
    void diff(std::string_view a, std::string_view b, text_diff& out);

private:
    // One k-gram hash: how often it occurs in A and in B (saturating), and the chain of B's
    // fingerprints with this hash (1 + index into fb_, 0: none).
    struct gram_slot {
        std::uint64_t key;
        std::uint16_t in_a, in_b;
        std::uint32_t head;
    };
    static constexpr std::uint16_t saturated = 0xFFFF;

    void reset_table(std::size_t keys) {
        std::size_t size = 16;
        while (size < 2 * keys) size <<= 1;
        table_.assign(size, gram_slot{0, 0, 0, 0});
        mask_ = size - 1;
    }
    // The slot of h: its own, or the empty one where it would go.
    gram_slot& slot(std::uint64_t h) noexcept {
        for (std::size_t i = static_cast<std::size_t>(h) & mask_;; i = (i + 1) & mask_) {
            gram_slot& g = table_[i];
            if (g.key == h || (g.in_a | g.in_b) == 0) return g;
        }
    }

    align_options options_;
    normalizer normalize_;
    normalizing_word_shingler<> tokens_;  // its tokens only (for_each_mapped_token)
    detail::token_hasher hash_;           // hash64 under the options' seed
    std::string scratch_;
    offset_map map_;
    detail::aligned_side sa_, sb_;
    std::vector<gram_slot> table_;
    std::size_t mask_ = 0;
    std::vector<fingerprint> fa_, fb_;
    std::vector<std::size_t> queue_, reach_, by_b_, rank_, cursor_;
    std::vector<std::uint32_t> next_;
    std::vector<detail::run> runs_, kept_, extra_, final_runs_;
    std::vector<std::uint8_t> used_a_, used_b_, follows_;
    std::vector<std::pair<std::uint64_t, std::size_t>> grams_;
    std::vector<byte_span> numbers_a_, numbers_b_;
};

inline void differ::diff(std::string_view a, std::string_view b, text_diff& out) {
    const align_options& o = options_;
    auto& sa = sa_;
    auto& sb = sb_;
    sa.build(a, tokens_, hash_, normalize_, o, scratch_, map_);
    sb.build(b, tokens_, hash_, normalize_, o, scratch_, map_);
    out.shared.clear();
    out.deleted.clear();
    out.inserted.clear();
    out.changed_figures.clear();
    out.measures = {};
    out.a_tokens = sa.token_hashes.size();
    out.b_tokens = sb.token_hashes.size();
    std::size_t steps = a.size() + b.size();  // normalizing, tokenizing and k-gram hashing
    const auto& ta = sa.token_hashes;
    const auto& tb = sb.token_hashes;
    const bool short_text = out.a_tokens < o.k || out.b_tokens < o.k;
    const std::size_t max_repeats = o.max_repeats;

    // Shingles: the k-grams, or for a text of fewer than k tokens one shingle of all its tokens
    // (the same hashes word_shingler gives), counted per text in one table: the distinct and
    // common ones give the measures, the counts the repeat limit.
    std::size_t distinct_a = 0, distinct_b = 0, common = 0;
    {
        auto short_shingle = [&](const detail::aligned_side& side) {
            std::uint64_t h = 0;
            for (const std::uint64_t t : side.token_hashes) h = h * detail::shingle_base + t;
            return mix64(h, o.seed);
        };
        const bool one_a = sa.kgrams.empty() && !ta.empty(), one_b = sb.kgrams.empty() && !tb.empty();
        const std::uint64_t short_a = one_a ? short_shingle(sa) : 0, short_b = one_b ? short_shingle(sb) : 0;
        const std::span<const std::uint64_t> grams_a = one_a ? std::span<const std::uint64_t>(&short_a, 1)
                                                              : std::span<const std::uint64_t>(sa.kgrams);
        const std::span<const std::uint64_t> grams_b = one_b ? std::span<const std::uint64_t>(&short_b, 1)
                                                              : std::span<const std::uint64_t>(sb.kgrams);
        reset_table(grams_a.size() + grams_b.size());
        steps += table_.size();
        for (const std::uint64_t h : grams_a) {
            gram_slot& g = slot(h);
            if (g.in_a == 0) {
                g.key = h;
                ++distinct_a;
            }
            if (g.in_a < saturated) ++g.in_a;
        }
        for (const std::uint64_t h : grams_b) {
            gram_slot& g = slot(h);
            if (g.in_b == 0) {
                if (g.in_a == 0) g.key = h;
                else ++common;
                ++distinct_b;
            }
            if (g.in_b < saturated) ++g.in_b;
        }
        steps += grams_a.size() + grams_b.size();
    }
    using detail::run;
    auto& runs = runs_;
    runs.clear();
    if (short_text) {
        // One shingle of all its tokens: shared whole when the other text has the same tokens.
        if (out.a_tokens > 0 && ta == tb) runs.push_back({0, 0, out.a_tokens});
        steps += std::min(out.a_tokens, out.b_tokens);
    } else {
        // Seeds: A's fingerprints (in text order) paired with B's of equal hash (in B's order),
        // when that k-gram occurs at most max_repeats times in each text. A seed inside the run
        // last found on its diagonal (a - b, offset by |B| to stay non-negative) is skipped, so a
        // run is extended once.
        detail::winnow_into(sa.kgrams, o.window, false, fa_, steps, queue_);
        detail::winnow_into(sb.kgrams, o.window, false, fb_, steps, queue_);
        next_.resize(fb_.size());
        for (std::size_t f = fb_.size(); f-- > 0;) {  // chained backwards: each chain in B's order
            ++steps;
            gram_slot& g = slot(fb_[f].hash);
            if (g.in_a > max_repeats || g.in_b > max_repeats) continue;
            next_[f] = g.head;
            g.head = static_cast<std::uint32_t>(f + 1);
        }
        auto& reach = reach_;  // per diagonal: end in A of its last run
        reach.assign(out.a_tokens + out.b_tokens + 1, 0);
        steps += reach.size();
        for (const fingerprint& f : fa_) {
            ++steps;
            for (std::uint32_t e = slot(f.hash).head; e != 0; e = next_[e - 1]) {
                ++steps;
                const std::size_t pa = f.position, pb = fb_[e - 1].position;
                const std::size_t diagonal = pa + out.b_tokens - pb;
                if (pa < reach[diagonal]) continue;
                std::size_t begin_a = pa, begin_b = pb;
                while (begin_a > 0 && begin_b > 0 && ta[begin_a - 1] == tb[begin_b - 1]) --begin_a, --begin_b, ++steps;
                std::size_t end_a = pa, end_b = pb;
                while (end_a < ta.size() && end_b < tb.size() && ta[end_a] == tb[end_b]) ++end_a, ++end_b, ++steps;
                reach[diagonal] = end_a;
                if (end_a - begin_a >= o.k) runs.push_back({begin_a, begin_b, end_a - begin_a});
            }
        }
    }
    {
        const std::size_t united = distinct_a + distinct_b - common;
        out.measures.jaccard = united == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(united);
        out.measures.containment_a_in_b =
            distinct_a == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(distinct_a);
        out.measures.containment_b_in_a =
            distinct_b == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(distinct_b);
    }

    // Longest first; a later run keeps only its longest part free in both texts.
    std::sort(runs.begin(), runs.end(), [](const run& x, const run& y) {
        return x.length != y.length ? x.length > y.length : (x.a != y.a ? x.a < y.a : x.b < y.b);
    });
    steps += detail::sort_steps(runs.size());
    auto& used_a = used_a_;
    auto& used_b = used_b_;
    used_a.assign(out.a_tokens, 0);
    used_b.assign(out.b_tokens, 0);
    auto& kept = kept_;
    kept.clear();
    auto claim = [&](const run& r) {
        kept.push_back(r);
        std::fill_n(used_a.begin() + static_cast<std::ptrdiff_t>(r.a), r.length, std::uint8_t{1});
        std::fill_n(used_b.begin() + static_cast<std::ptrdiff_t>(r.b), r.length, std::uint8_t{1});
        steps += r.length;
    };
    for (const run& r : runs) {
        std::size_t best_begin = 0, best_length = 0;
        for (std::size_t i = 0; i < r.length;) {
            ++steps;
            if (used_a[r.a + i] || used_b[r.b + i]) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < r.length && !used_a[r.a + j] && !used_b[r.b + j]) ++j, ++steps;
            if (j - i > best_length) best_begin = i, best_length = j - i;
            i = j;
        }
        if (best_length >= o.k || (short_text && best_length > 0)) claim({r.a + best_begin, r.b + best_begin, best_length});
    }
    const auto by_a = [](const run& x, const run& y) { return x.a < y.a; };
    std::sort(kept.begin(), kept.end(), by_a);
    steps += detail::sort_steps(kept.size());

    // The gap pass. Winnowing may miss runs shorter than k + w - 1 tokens, and repeated k-grams
    // seed nothing. In each gap between passages that are neighbours in both texts, B's gap
    // k-grams are sorted; A's are taken in order, each matched with the first occurrence in B's
    // gap whose k tokens are all free, and extended. Every hash keeps a cursor into its
    // occurrences that only moves forward (an occurrence with a used token never becomes usable),
    // so a gap costs its sort plus the tokens claimed, however repetitive it is.
    if (!short_text) {
        auto& extra = extra_;
        extra.clear();
        auto& grams = grams_;    // (k-gram hash, position in B), sorted
        auto& cursor = cursor_;  // per hash, at its first entry
        auto match_gap = [&](std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1) {
            if (a1 - a0 < o.k || b1 - b0 < o.k) return;
            grams.clear();
            for (std::size_t j = b0; j + o.k <= b1; ++j) grams.emplace_back(sb.kgrams[j], j);
            std::sort(grams.begin(), grams.end());
            steps += detail::sort_steps(grams.size());
            cursor.resize(grams.size());
            for (std::size_t g = 0; g < grams.size(); ++g) cursor[g] = g;
            // Extends from (i, j) over equal tokens free in B; claims the run when it has k tokens.
            auto extend = [&](std::size_t i, std::size_t j) {
                std::size_t length = 0;
                while (i + length < a1 && j + length < b1 && !used_b[j + length] && ta[i + length] == tb[j + length])
                    ++length, ++steps;
                ++steps;
                if (length < o.k) return length;
                extra.push_back({i, j, length});
                std::fill_n(used_a.begin() + static_cast<std::ptrdiff_t>(i), length, std::uint8_t{1});
                std::fill_n(used_b.begin() + static_cast<std::ptrdiff_t>(j), length, std::uint8_t{1});
                steps += length;
                return length;
            };
            for (std::size_t i = a0; i + o.k <= a1;) {
                steps += 1 + detail::search_steps(grams.size());
                const std::uint64_t h = sa.kgrams[i];
                const auto group = std::lower_bound(grams.begin(), grams.end(), std::pair<std::uint64_t, std::size_t>{h, 0});
                std::size_t next = i + 1;
                if (group != grams.end() && group->first == h) {
                    std::size_t& c = cursor[static_cast<std::size_t>(group - grams.begin())];
                    while (c < grams.size() && grams[c].first == h) {
                        std::size_t j = grams[c].second;
                        std::size_t length = extend(i, j);
                        if (length >= o.k) {
                            ++c;
                            // One token replaced by another: the run goes on after it on the same
                            // diagonal, rather than the repetition matching one token further on
                            // ("la la la" with one "la" changed to "lo" stays aligned). With k >= 2
                            // the replaced token is between two runs, so no run of k is lost.
                            std::size_t ei = i + length, ej = j + length;
                            while (o.k >= 2 && ei + 1 + o.k <= a1 && ej + 1 + o.k <= b1 && !used_b[ej] &&
                                   (length = extend(ei + 1, ej + 1)) >= o.k) {
                                ei += 1 + length;
                                ej += 1 + length;
                            }
                            next = ei;
                            break;
                        }
                        if (!used_b[j + length]) break;  // equal hashes, different tokens: keep j for others
                        ++c;                             // a used token within k of j: never usable
                    }
                }
                i = next;
            }
        };
        detail::neighbours_in_both(kept, steps, follows_, by_b_, rank_);
        std::size_t prev_a = 0, prev_b = 0;
        for (std::size_t p = 0; p <= kept.size(); ++p) {
            const bool last = p == kept.size();
            const std::size_t next_a = last ? out.a_tokens : kept[p].a, next_b = last ? out.b_tokens : kept[p].b;
            if (follows_[p]) match_gap(prev_a, next_a, prev_b, next_b);
            if (!last) prev_a = kept[p].a + kept[p].length, prev_b = kept[p].b + kept[p].length;
        }
        kept.insert(kept.end(), extra.begin(), extra.end());
        std::sort(kept.begin(), kept.end(), by_a);
        steps += detail::sort_steps(kept.size());
    }
    std::size_t covered = 0;
    for (const run& r : kept) {
        const token_span pa{r.a, r.a + r.length}, pb{r.b, r.b + r.length};
        out.shared.push_back({pa, pb, sa.bytes(pa), sb.bytes(pb)});
        covered += r.length;
    }
    if (out.a_tokens > 0) out.measures.coverage_a = static_cast<double>(covered) / static_cast<double>(out.a_tokens);
    if (out.b_tokens > 0) out.measures.coverage_b = static_cast<double>(covered) / static_cast<double>(out.b_tokens);

    // Deleted and inserted: maximal runs of tokens outside every passage.
    auto uncovered = [&](const std::vector<std::uint8_t>& used, const detail::aligned_side& side,
                         std::vector<byte_span>& spans) {
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
        steps += used.size();
    };
    uncovered(used_a, sa, out.deleted);
    uncovered(used_b, sb, out.inserted);

    // Changed figures: in each pair of aligned gaps (before the first passage, between passages
    // that are neighbours in both texts, after the last), numbers paired in order. Gaps are taken
    // with the neighbouring passage tokens' bytes included, so a number cut by a passage edge ("4"
    // shared, ".2" vs ".6" not) is read whole.
    detail::numbers_of(a, steps, numbers_a_);
    detail::numbers_of(b, steps, numbers_b_);
    const auto& numbers_a = numbers_a_;
    const auto& numbers_b = numbers_b_;
    auto gap_bytes = [](const detail::aligned_side& side, std::size_t from, std::size_t to, std::string_view text) {
        byte_span g{from == 0 ? 0 : side.token_bytes[from - 1].begin,
                    to >= side.token_bytes.size() ? text.size() : side.token_bytes[to].end};
        g.end = std::max(g.begin, g.end);
        return g;
    };
    auto& final_runs = final_runs_;
    final_runs.clear();
    for (const auto& p : out.shared) final_runs.push_back({p.a_tokens.begin, p.b_tokens.begin, p.a_tokens.end - p.a_tokens.begin});
    detail::neighbours_in_both(final_runs, steps, follows_, by_b_, rank_);
    const auto& follows = follows_;
    std::size_t prev_a = 0, prev_b = 0;
    for (std::size_t p = 0; p <= out.shared.size(); ++p) {
        const bool last = p == out.shared.size();
        const std::size_t next_a = last ? out.a_tokens : out.shared[p].a_tokens.begin;
        const std::size_t next_b = last ? out.b_tokens : out.shared[p].b_tokens.begin;
        if (follows[p] && (next_a > prev_a || next_b > prev_b)) {
            const auto na = detail::numbers_overlapping(numbers_a, gap_bytes(sa, prev_a, next_a, a));
            const auto nb = detail::numbers_overlapping(numbers_b, gap_bytes(sb, prev_b, next_b, b));
            for (std::size_t i = 0; i < std::min(na.size(), nb.size()); ++i) {
                ++steps;
                const std::string_view old_text = a.substr(na[i].begin, na[i].end - na[i].begin);
                const std::string_view new_text = b.substr(nb[i].begin, nb[i].end - nb[i].begin);
                if (detail::number_value(old_text) == detail::number_value(new_text)) continue;
                out.changed_figures.push_back({na[i], nb[i], std::string(old_text), std::string(new_text)});
            }
        }
        steps += 2 * detail::search_steps(std::max(numbers_a.size(), numbers_b.size()));
        if (!last) {
            prev_a = out.shared[p].a_tokens.end;
            prev_b = out.shared[p].b_tokens.end;
        }
    }
    out.steps = steps;
}

/// The diff of two texts (a differ used once). Throws std::invalid_argument for invalid options.
[[nodiscard]] inline text_diff diff(std::string_view a, std::string_view b, const align_options& o = {}) {
    differ d(o);
    return d.diff(a, b);
}

/// What a marked rendering of a diff shows: B's text in order, with A's deleted spans put where
/// they belong in B. A deleted span goes into the matching gap of B: after the passage that
/// precedes it in A, before the text B has there instead (an inserted span), else before the next
/// shared text.
enum class mark_kind : unsigned char {
    same,       ///< bytes of B outside inserted spans
    deleted,    ///< bytes of A
    inserted,   ///< bytes of B
    separator,  ///< a space that is in neither text, keeping a deletion apart from the word after it
};

/// One piece of a marked rendering.
struct marked_piece {
    mark_kind kind;
    byte_span bytes;  ///< into A for deleted pieces, into B otherwise (empty for a separator)
    friend bool operator==(const marked_piece&, const marked_piece&) = default;
};

/// A marked rendering: pieces in output order, and the inner-loop iterations it took.
struct marked_text {
    std::vector<marked_piece> pieces;
    std::size_t steps = 0;
};

/// B's text as pieces with A's deletions and B's insertions marked, from diff(a, b) (b is needed
/// for the spacing between marks and text). O(pieces * log passages).
[[nodiscard]] inline marked_text mark_changes(const text_diff& d, std::string_view b) {
    marked_text out;
    std::size_t& steps = out.steps;
    // Passages' B starts in B's order, to find the first shared text at or after a place of B.
    std::vector<std::size_t> b_starts;
    b_starts.reserve(d.shared.size());
    for (const auto& p : d.shared) b_starts.push_back(p.b.begin);
    std::sort(b_starts.begin(), b_starts.end());
    steps += detail::sort_steps(b_starts.size()) + d.shared.size();
    const auto first_insertion_at_or_after = [&](std::size_t at) {
        steps += detail::search_steps(d.inserted.size());
        return std::lower_bound(d.inserted.begin(), d.inserted.end(), at,
                                [](const byte_span& s, std::size_t x) { return s.begin < x; });
    };
    struct mark {
        std::size_t at;  // in B
        bool insertion;
        std::size_t index;
        bool space;      // a deletion followed by a separator
    };
    std::vector<mark> marks;
    marks.reserve(d.deleted.size() + d.inserted.size());
    std::size_t gap_begin = 0, passage = 0;  // passages ending in A before the deleted span, in A's order
    for (std::size_t i = 0; i < d.deleted.size(); ++i) {
        const byte_span span = d.deleted[i];
        for (; passage < d.shared.size() && d.shared[passage].a.end <= span.begin; ++passage, ++steps)
            gap_begin = std::max(gap_begin, d.shared[passage].b.end);
        steps += 1 + detail::search_steps(b_starts.size());
        const auto next_shared = std::lower_bound(b_starts.begin(), b_starts.end(), gap_begin);
        std::size_t at = next_shared == b_starts.end() ? b.size() : *next_shared;
        const auto ins = first_insertion_at_or_after(gap_begin);
        if (ins != d.inserted.end() && ins->begin <= at) at = ins->begin;
        const auto ins_at = first_insertion_at_or_after(at);
        const bool insertion_here = ins_at != d.inserted.end() && ins_at->begin == at;
        const bool space = at < b.size() && b[at] != ' ' && b[at] != '\n' && !insertion_here;
        marks.push_back({at, false, i, space});
    }
    for (std::size_t i = 0; i < d.inserted.size(); ++i) marks.push_back({d.inserted[i].begin, true, i, false});
    // Deletions first where both fall at one place.
    std::sort(marks.begin(), marks.end(), [](const mark& x, const mark& y) {
        return x.at != y.at ? x.at < y.at : (x.insertion != y.insertion ? !x.insertion : x.index < y.index);
    });
    steps += detail::sort_steps(marks.size());
    std::size_t pos = 0;
    for (const mark& m : marks) {
        ++steps;
        if (m.at > pos) {
            out.pieces.push_back({mark_kind::same, {pos, m.at}});
            pos = m.at;
        }
        if (m.insertion) {
            out.pieces.push_back({mark_kind::inserted, d.inserted[m.index]});
            pos = d.inserted[m.index].end;
        } else {
            out.pieces.push_back({mark_kind::deleted, d.deleted[m.index]});
            if (m.space) out.pieces.push_back({mark_kind::separator, {0, 0}});
        }
    }
    if (pos < b.size()) out.pieces.push_back({mark_kind::same, {pos, b.size()}});
    return out;
}

}  // namespace ditto
