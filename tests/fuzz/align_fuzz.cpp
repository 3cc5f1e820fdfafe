// libFuzzer target: diff of two arbitrary texts. The first byte chooses k, the window and the
// repeat limit, the second where the rest is cut into A and B. Checked against the texts' own
// tokens (normalizer, offset map and tokenizer, taken here independently of the aligner):
//  - the token counts are the texts' token counts;
//  - every shared passage is in range in both texts, the same number of tokens in each, the
//    same tokens pairwise, at least k of them (or, when a text has fewer than k tokens, all the
//    tokens of both); its byte spans are those of its first and last tokens;
//  - passages are in A's order and do not overlap in A, nor in B;
//  - deleted (inserted) spans are in range, non-empty, ordered and apart, and cover exactly the
//    bytes of the tokens of A (B) outside every passage;
//  - changed figures are in range and their texts are the bytes there;
//  - the Jaccard measure equals the exact Jaccard of the two k-shingle sets, computed here from
//    the token texts; coverages are the shares of tokens inside passages;
//  - a differ reused for another pair first gives the same result as a fresh one.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/align.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>

namespace {

// A broken invariant: says which (the line of the check), then aborts, which libFuzzer reports.
[[noreturn]] void fail(int line) {
    std::fprintf(stderr, "%s: invariant checked at line %d does not hold\n", __FILE__, line);
    std::abort();
}

struct side {
    std::vector<std::string> tokens;
    std::vector<ditto::byte_span> bytes;  // in the original text
};

side tokens_of(std::string_view text, const ditto::normalize_options& options) {
    const ditto::normalizer n(options);
    std::string normalized;
    ditto::offset_map map;
    n.normalize(text, normalized, map);
    side s;
    for (const auto& t : ditto::word_tokenizer{}(normalized)) {
        s.tokens.emplace_back(t.text);
        s.bytes.push_back(map.to_original(t.offset, t.offset + t.text.size()));
    }
    return s;
}

std::set<std::string> shingles(const side& s, std::size_t k) {
    std::set<std::string> out;
    const std::size_t n = s.tokens.size();
    if (n == 0) return out;
    const std::size_t width = std::min(k, n);
    for (std::size_t i = 0; i + width <= n; ++i) {
        std::string shingle;
        for (std::size_t j = i; j < i + width; ++j) (shingle += s.tokens[j]) += '\x1f';
        out.insert(shingle);
    }
    return out;
}

bool same(const ditto::byte_span& x, const ditto::byte_span& y) { return x.begin == y.begin && x.end == y.end; }

// Spans in range, non-empty, ordered and apart; they cover exactly the bytes of the tokens not in
// a passage (`in_passage`).
void check_gaps(const std::vector<ditto::byte_span>& gaps, const side& s, const std::vector<bool>& in_passage,
                std::size_t text_size) {
    for (std::size_t i = 0; i < gaps.size(); ++i) {
        if (gaps[i].begin >= gaps[i].end || gaps[i].end > text_size) fail(__LINE__);
        if (i > 0 && gaps[i].begin <= gaps[i - 1].end) fail(__LINE__);
    }
    for (std::size_t t = 0; t < s.tokens.size(); ++t) {
        if (in_passage[t]) continue;
        const auto& b = s.bytes[t];
        const bool covered = std::any_of(gaps.begin(), gaps.end(), [&](const ditto::byte_span& g) {
            return g.begin <= b.begin && b.end <= g.end;
        });
        if (!covered) fail(__LINE__);
    }
    // Each gap starts at the start of a token outside passages and ends at the end of one.
    for (const auto& g : gaps) {
        bool starts = false, ends = false;
        for (std::size_t t = 0; t < s.tokens.size(); ++t) {
            if (in_passage[t]) continue;
            starts = starts || s.bytes[t].begin == g.begin;
            ends = ends || s.bytes[t].end == g.end;
        }
        if (!starts || !ends) fail(__LINE__);
    }
}

bool equal(const ditto::text_diff& x, const ditto::text_diff& y) {
    if (x.shared.size() != y.shared.size() || x.deleted.size() != y.deleted.size() ||
        x.inserted.size() != y.inserted.size() || x.changed_figures.size() != y.changed_figures.size())
        return false;
    for (std::size_t i = 0; i < x.shared.size(); ++i)
        if (!(x.shared[i].a_tokens == y.shared[i].a_tokens) || !(x.shared[i].b_tokens == y.shared[i].b_tokens)) return false;
    for (std::size_t i = 0; i < x.deleted.size(); ++i)
        if (!same(x.deleted[i], y.deleted[i])) return false;
    for (std::size_t i = 0; i < x.inserted.size(); ++i)
        if (!same(x.inserted[i], y.inserted[i])) return false;
    for (std::size_t i = 0; i < x.changed_figures.size(); ++i)
        if (!same(x.changed_figures[i].a, y.changed_figures[i].a) || !same(x.changed_figures[i].b, y.changed_figures[i].b))
            return false;
    return x.measures.jaccard == y.measures.jaccard && x.a_tokens == y.a_tokens && x.b_tokens == y.b_tokens;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    ditto::align_options o;
    o.k = 1 + (data[0] & 0x07);
    o.window = 1 + ((data[0] >> 3) & 0x03);
    o.max_repeats = 1 + ((data[0] >> 5) & 0x07);
    const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
    const std::size_t cut = rest.size() * data[1] / 255;
    const std::string_view a = rest.substr(0, cut), b = rest.substr(cut);

    ditto::differ d(o);
    static_cast<void>(d.diff(b, a));  // leaves its buffers sized for another pair
    const ditto::text_diff r = d.diff(a, b);
    if (!equal(r, ditto::diff(a, b, o))) fail(__LINE__);

    const side sa = tokens_of(a, o.normalization), sb = tokens_of(b, o.normalization);
    if (r.a_tokens != sa.tokens.size() || r.b_tokens != sb.tokens.size()) fail(__LINE__);
    const bool short_text = sa.tokens.size() < o.k || sb.tokens.size() < o.k;

    std::vector<bool> a_in(sa.tokens.size(), false), b_in(sb.tokens.size(), false);
    std::size_t a_covered = 0, b_covered = 0;
    for (std::size_t p = 0; p < r.shared.size(); ++p) {
        const auto& s = r.shared[p];
        const std::size_t length = s.a_tokens.end - s.a_tokens.begin;
        if (s.a_tokens.begin >= s.a_tokens.end || s.a_tokens.end > sa.tokens.size()) fail(__LINE__);
        if (s.b_tokens.begin >= s.b_tokens.end || s.b_tokens.end > sb.tokens.size()) fail(__LINE__);
        if (s.b_tokens.end - s.b_tokens.begin != length) fail(__LINE__);
        if (short_text ? (length != sa.tokens.size() || length != sb.tokens.size()) : length < o.k) fail(__LINE__);
        for (std::size_t i = 0; i < length; ++i) {
            if (sa.tokens[s.a_tokens.begin + i] != sb.tokens[s.b_tokens.begin + i]) fail(__LINE__);
            if (a_in[s.a_tokens.begin + i] || b_in[s.b_tokens.begin + i]) fail(__LINE__);  // overlap
            a_in[s.a_tokens.begin + i] = b_in[s.b_tokens.begin + i] = true;
        }
        if (p > 0 && s.a_tokens.begin < r.shared[p - 1].a_tokens.end) fail(__LINE__);
        if (!same(s.a, {sa.bytes[s.a_tokens.begin].begin, sa.bytes[s.a_tokens.end - 1].end})) fail(__LINE__);
        if (!same(s.b, {sb.bytes[s.b_tokens.begin].begin, sb.bytes[s.b_tokens.end - 1].end})) fail(__LINE__);
        a_covered += length;
        b_covered += length;
    }
    check_gaps(r.deleted, sa, a_in, a.size());
    check_gaps(r.inserted, sb, b_in, b.size());

    for (const auto& f : r.changed_figures) {
        if (f.a.begin > f.a.end || f.a.end > a.size() || f.b.begin > f.b.end || f.b.end > b.size()) fail(__LINE__);
        if (f.old_text != a.substr(f.a.begin, f.a.end - f.a.begin) || f.new_text != b.substr(f.b.begin, f.b.end - f.b.begin))
            fail(__LINE__);
    }

    const auto shingles_a = shingles(sa, o.k), shingles_b = shingles(sb, o.k);
    if (!shingles_a.empty() && !shingles_b.empty()) {
        std::size_t common = 0;
        for (const auto& s : shingles_a) common += shingles_b.count(s);
        const double jaccard = static_cast<double>(common) /
                               static_cast<double>(shingles_a.size() + shingles_b.size() - common);
        if (std::abs(r.measures.jaccard - jaccard) > 1e-12) fail(__LINE__);
    }
    if (!sa.tokens.empty() &&
        std::abs(r.measures.coverage_a - static_cast<double>(a_covered) / static_cast<double>(sa.tokens.size())) > 1e-12)
        fail(__LINE__);
    if (!sb.tokens.empty() &&
        std::abs(r.measures.coverage_b - static_cast<double>(b_covered) / static_cast<double>(sb.tokens.size())) > 1e-12)
        fail(__LINE__);
    return 0;
}
