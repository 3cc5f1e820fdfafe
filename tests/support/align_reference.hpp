#pragma once
// The alignment as it was computed before ditto::differ (every call with fresh buffers, the
// measures from sorted k-gram lists, B's fingerprints sorted by hash): the reference the tests
// compare the differ and the free diff() against.
#include <ditto/align.hpp>

namespace ditto_test {

using namespace ditto;

// The diff of two texts, computed the earlier way.
[[nodiscard]] inline ditto::text_diff reference_diff(std::string_view a, std::string_view b, const ditto::align_options& o = {}) {
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
    std::size_t steps = a.size() + b.size();  // normalizing, tokenizing and k-gram hashing
    const auto& ta = sa.token_hashes;
    const auto& tb = sb.token_hashes;
    const bool short_text = out.a_tokens < o.k || out.b_tokens < o.k;

    // Shingles: the k-grams, or for a text of fewer than k tokens one shingle of all of them (the
    // same hashes word_shingler gives). Sorted with repeats (to count occurrences), then as sets
    // for the measures.
    auto sorted_shingles = [&](const detail::aligned_side& side) {
        std::vector<std::uint64_t> v = side.kgrams;
        if (v.empty() && !side.token_hashes.empty()) {
            std::uint64_t h = 0;
            for (const std::uint64_t t : side.token_hashes) h = h * detail::shingle_base + t;
            v.push_back(mix64(h, o.seed));
        }
        detail::bucket_sort(v, [](std::uint64_t h) { return h; }, std::less<>{});
        steps += detail::sort_steps(v.size());
        return v;
    };
    auto grams_a = sorted_shingles(sa), grams_b = sorted_shingles(sb);
    using detail::run;
    std::vector<run> runs;
    if (short_text) {
        // One shingle of all its tokens: shared whole when the other text has the same tokens.
        if (out.a_tokens > 0 && ta == tb) runs.push_back({0, 0, out.a_tokens});
        steps += std::min(out.a_tokens, out.b_tokens);
    } else {
        // Seeds: A's fingerprints (in text order) paired with B's of equal hash, when that k-gram
        // occurs at most max_repeats times in each text. A seed inside the run last found on its
        // diagonal (a - b, offset by |B| to stay non-negative) is skipped, so a run is extended once.
        std::vector<fingerprint> fa, fb;
        detail::winnow_into(sa.kgrams, o.window, false, fa, steps);
        detail::winnow_into(sb.kgrams, o.window, false, fb, steps);
        const auto by_hash = [](const fingerprint& x, const fingerprint& y) {
            return x.hash != y.hash ? x.hash < y.hash : x.position < y.position;
        };
        detail::bucket_sort(fb, [](const fingerprint& f) { return f.hash; }, by_hash);
        steps += detail::sort_steps(fb.size());
        // Keep B's fingerprints whose k-gram occurs at most max_repeats times in each text: merged
        // against the sorted k-grams of both, one pass each.
        {
            std::size_t in_a = 0, in_b = 0, kept_fb = 0;
            for (std::size_t f = 0; f < fb.size();) {
                const std::uint64_t h = fb[f].hash;
                std::size_t g = f;
                while (g < fb.size() && fb[g].hash == h) ++g;
                while (in_a < grams_a.size() && grams_a[in_a] < h) ++in_a, ++steps;
                while (in_b < grams_b.size() && grams_b[in_b] < h) ++in_b, ++steps;
                std::size_t count_a = 0, count_b = 0;
                while (in_a < grams_a.size() && grams_a[in_a] == h) ++in_a, ++count_a, ++steps;
                while (in_b < grams_b.size() && grams_b[in_b] == h) ++in_b, ++count_b, ++steps;
                steps += g - f + 1;
                if (count_a <= o.max_repeats && count_b <= o.max_repeats)
                    for (; f < g; ++f) fb[kept_fb++] = fb[f];
                f = g;
            }
            fb.resize(kept_fb);
        }
        std::vector<std::size_t> reach(out.a_tokens + out.b_tokens + 1, 0);  // per diagonal: end in A of its last run
        steps += reach.size();
        for (const fingerprint& f : fa) {
            steps += 1 + detail::search_steps(fb.size());
            const auto first = std::lower_bound(fb.begin(), fb.end(), fingerprint{f.hash, 0}, by_hash);
            for (auto it = first; it != fb.end() && it->hash == f.hash; ++it) {
                ++steps;
                const std::size_t pa = f.position, pb = it->position;
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
    // Measures over the shingle sets.
    {
        steps += grams_a.size() + grams_b.size();
        grams_a.erase(std::unique(grams_a.begin(), grams_a.end()), grams_a.end());
        grams_b.erase(std::unique(grams_b.begin(), grams_b.end()), grams_b.end());
        const std::size_t common = intersection_size(grams_a, grams_b);
        const std::size_t united = grams_a.size() + grams_b.size() - common;
        out.measures.jaccard = united == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(united);
        out.measures.containment_a_in_b =
            grams_a.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(grams_a.size());
        out.measures.containment_b_in_a =
            grams_b.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(grams_b.size());
    }

    // Longest first; a later run keeps only its longest part free in both texts.
    std::sort(runs.begin(), runs.end(), [](const run& x, const run& y) {
        return x.length != y.length ? x.length > y.length : (x.a != y.a ? x.a < y.a : x.b < y.b);
    });
    steps += detail::sort_steps(runs.size());
    std::vector<std::uint8_t> used_a(out.a_tokens, 0), used_b(out.b_tokens, 0);
    std::vector<run> kept;
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
        std::vector<run> extra;
        std::vector<std::pair<std::uint64_t, std::size_t>> grams;  // (k-gram hash, position in B), sorted
        std::vector<std::size_t> cursor;                           // per hash, at its first entry
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
        const auto follows = detail::neighbours_in_both(kept, steps);
        std::size_t prev_a = 0, prev_b = 0;
        for (std::size_t p = 0; p <= kept.size(); ++p) {
            const bool last = p == kept.size();
            const std::size_t next_a = last ? out.a_tokens : kept[p].a, next_b = last ? out.b_tokens : kept[p].b;
            if (follows[p]) match_gap(prev_a, next_a, prev_b, next_b);
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
    auto uncovered = [&](const std::vector<std::uint8_t>& used, const detail::aligned_side& side) {
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
        steps += used.size();
        return spans;
    };
    out.deleted = uncovered(used_a, sa);
    out.inserted = uncovered(used_b, sb);

    // Changed figures: in each pair of aligned gaps (before the first passage, between passages
    // that are neighbours in both texts, after the last), numbers paired in order. Gaps are taken
    // with the neighbouring passage tokens' bytes included, so a number cut by a passage edge ("4"
    // shared, ".2" vs ".6" not) is read whole.
    const auto numbers_a = detail::numbers_of(a, steps), numbers_b = detail::numbers_of(b, steps);
    auto gap_bytes = [](const detail::aligned_side& side, std::size_t from, std::size_t to, std::string_view text) {
        byte_span g{from == 0 ? 0 : side.token_bytes[from - 1].begin,
                    to >= side.token_bytes.size() ? text.size() : side.token_bytes[to].end};
        g.end = std::max(g.begin, g.end);
        return g;
    };
    std::vector<detail::run> final_runs;
    final_runs.reserve(out.shared.size());
    for (const auto& p : out.shared) final_runs.push_back({p.a_tokens.begin, p.b_tokens.begin, p.a_tokens.end - p.a_tokens.begin});
    const auto follows = detail::neighbours_in_both(final_runs, steps);
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
    return out;
}

}  // namespace ditto_test
