// Alignment: winnowing against the published example and its guarantee, shared passages against
// a brute-force search for common token runs, the diff's spans against the bytes that were
// planted, changed figures in several locales, and odd inputs.
#include <ditto/align.hpp>

#include <algorithm>
#include <random>
#include <tuple>
#include <utility>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/catch.hpp"

namespace {

std::string_view slice(std::string_view text, ditto::byte_span s) { return text.substr(s.begin, s.end - s.begin); }

std::vector<std::string> tokens_of(std::string_view text) {
    const std::string normalized = ditto::normalize(text);
    std::vector<std::string> out;
    for (const auto& t : ditto::word_tokenizer{}(normalized)) out.emplace_back(t.text);
    return out;
}

struct common_run {
    std::size_t a, b, length;
    bool operator<(const common_run& o) const { return std::tie(a, b, length) < std::tie(o.a, o.b, o.length); }
};

// Every maximal run of equal tokens, by dynamic programming over all position pairs.
std::vector<common_run> brute_force_runs(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                         std::size_t min_length) {
    std::vector<std::vector<std::size_t>> len(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            len[i][j] = a[i] == b[j] ? len[i + 1][j + 1] + 1 : 0;
    std::vector<common_run> out;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = 0; j < b.size(); ++j)
            if (len[i][j] >= min_length && (i == 0 || j == 0 || a[i - 1] != b[j - 1])) out.push_back({i, j, len[i][j]});
    return out;
}

std::string random_words(std::mt19937_64& rng, std::size_t n, std::size_t vocabulary) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) out += ' ';
        out += 'w';
        out += std::to_string(rng() % vocabulary);
    }
    return out;
}

}  // namespace

TEST_CASE("winnowing: the published example and the window guarantee", "[align]") {
    // Schleimer, Wilkerson and Aiken (2003), figure 2: window 4 selects 17, 17, 8, 39, 17 at
    // positions 3, 6, 8, 11, 15.
    const std::vector<std::uint64_t> h{77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98};
    const auto f = ditto::winnow(h, 4);
    const std::vector<ditto::fingerprint> expected{{17, 3}, {17, 6}, {8, 8}, {39, 11}, {17, 15}};
    CHECK(f == expected);
    CHECK(ditto::winnow(std::vector<std::uint64_t>{}, 4).empty());
    CHECK(ditto::winnow(std::vector<std::uint64_t>{5, 3}, 4) == std::vector<ditto::fingerprint>{{3, 1}});
    CHECK_THROWS_AS(ditto::winnow(h, 0), std::invalid_argument);
    // Random sequences over a small alphabet (many ties): every window holds a selected position
    // with the window's least value; positions increase; equal runs are selected sparingly.
    std::mt19937_64 rng(1);
    for (int round = 0; round < 200; ++round) {
        const std::size_t n = 1 + rng() % 60, w = 1 + rng() % 8;
        std::vector<std::uint64_t> v(n);
        for (auto& x : v) x = rng() % 4;
        const auto fp = ditto::winnow(v, w);
        for (std::size_t i = 1; i < fp.size(); ++i) REQUIRE(fp[i - 1].position < fp[i].position);
        for (std::size_t s = 0; s + w <= n; ++s) {
            const std::uint64_t least = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(s),
                                                          v.begin() + static_cast<std::ptrdiff_t>(s + w));
            const bool has = std::any_of(fp.begin(), fp.end(), [&](const ditto::fingerprint& x) {
                return x.position >= s && x.position < s + w && x.hash == least;
            });
            REQUIRE(has);
        }
    }
    const std::vector<std::uint64_t> flat(100, 7);
    CHECK(ditto::winnow(flat, 4).size() == 25);  // one per window-length stretch, not one per window
}

TEST_CASE("shared passages against brute force on planted passages", "[align]") {
    std::mt19937_64 rng(42);
    const ditto::align_options o;  // k = 5, window 4: runs of 8 or more tokens are guaranteed
    for (int round = 0; round < 60; ++round) {
        // Two unrelated texts with 2-4 passages of 3-40 tokens copied from A into B at random places
        // (a later passage may land inside an earlier one and split it: two runs then).
        std::string a = random_words(rng, 150 + rng() % 150, 100000);
        std::string b = random_words(rng, 150 + rng() % 150, 100000);
        const auto ta0 = tokens_of(a);
        const std::size_t passages = 2 + rng() % 3;
        const std::size_t segment = ta0.size() / passages;  // passages come from disjoint parts of A
        for (std::size_t p = 0; p < passages; ++p) {
            const std::size_t length = 3 + rng() % std::min<std::size_t>(38, segment - 3);
            const std::size_t from = p * segment + rng() % (segment - length);
            std::string passage;
            for (std::size_t i = from; i < from + length; ++i) passage += (i > from ? " " : "") + ta0[i];
            const auto tb = tokens_of(b);
            const std::size_t at = rng() % tb.size();
            std::string rebuilt;
            for (std::size_t i = 0; i < tb.size(); ++i) {
                if (i == at) rebuilt += passage + " ";
                rebuilt += tb[i] + (i + 1 < tb.size() ? " " : "");
            }
            b = rebuilt;
        }
        const auto ta = tokens_of(a), tb = tokens_of(b);
        const auto d = ditto::diff(a, b, o);
        // Nothing shorter than k, every passage a run of equal tokens, and maximal.
        for (const auto& p : d.shared) {
            const std::size_t length = p.a_tokens.end - p.a_tokens.begin;
            REQUIRE(length >= o.k);
            REQUIRE(p.b_tokens.end - p.b_tokens.begin == length);
            for (std::size_t i = 0; i < length; ++i) REQUIRE(ta[p.a_tokens.begin + i] == tb[p.b_tokens.begin + i]);
            // Byte spans are the original bytes of those tokens (the text is plain ASCII here).
            REQUIRE(tokens_of(slice(a, p.a)) == std::vector<std::string>(ta.begin() + static_cast<std::ptrdiff_t>(p.a_tokens.begin),
                                                                          ta.begin() + static_cast<std::ptrdiff_t>(p.a_tokens.end)));
            REQUIRE(slice(a, p.a) == slice(b, p.b));
        }
        // Every maximal common run of k + w - 1 tokens or more is reported exactly.
        for (const auto& r : brute_force_runs(ta, tb, o.k + o.window - 1)) {
            const bool found = std::any_of(d.shared.begin(), d.shared.end(), [&](const ditto::shared_passage& p) {
                return p.a_tokens == ditto::token_span{r.a, r.a + r.length} &&
                       p.b_tokens == ditto::token_span{r.b, r.b + r.length};
            });
            INFO("round " << round << ": run at A " << r.a << ", B " << r.b << ", length " << r.length);
            REQUIRE(found);
        }
    }
}

TEST_CASE("moved paragraphs and injected paragraphs", "[align]") {
    const std::string p1 = "The council approved the plan for new bike lanes along the harbour on Tuesday evening.";
    const std::string p2 = "Work on the first section is due to begin in April and will take about a year.";
    const std::string p3 = "Shop owners had worried about parking, but most spaces on the street will stay.";
    // Moved: every token is shared, in another order.
    const auto moved = ditto::diff(p1 + "\n\n" + p2 + "\n\n" + p3, p3 + "\n\n" + p1 + "\n\n" + p2);
    CHECK(moved.deleted.empty());
    CHECK(moved.inserted.empty());
    CHECK(moved.measures.coverage_a == 1.0);
    CHECK(moved.measures.coverage_b == 1.0);
    CHECK(moved.shared.size() == 2);  // p1 p2 stay together; p3 moved

    const std::string promo = "Join our channel for breaking news every day!";
    const std::string a = p1 + "\n\n" + p2 + "\n\n" + p3;
    for (int where = 0; where < 3; ++where) {
        const std::string b = where == 0 ? promo + "\n\n" + a
                            : where == 1 ? p1 + "\n\n" + promo + "\n\n" + p2 + "\n\n" + p3
                                         : a + "\n\n" + promo;
        const auto d = ditto::diff(a, b);
        INFO("promo at " << where);
        CHECK(d.deleted.empty());
        REQUIRE(d.inserted.size() == 1);
        // The inserted span runs from the promo's first token to its last (the "!" is not a token).
        CHECK(slice(b, d.inserted[0]) == "Join our channel for breaking news every day");
        CHECK(d.measures.coverage_a == 1.0);
        // A promo in the middle breaks the shingles that spanned the join; at either end it does not.
        if (where != 1) CHECK(d.measures.containment_a_in_b == 1.0);
        if (where == 1) CHECK(d.measures.containment_a_in_b < 1.0);
        CHECK(d.measures.containment_b_in_a < 1.0);
    }
}

TEST_CASE("changed figures in German and English number formats", "[align]") {
    const std::string de_a = "Nach tagelangem Regen ist der Pegel des Flusses am Mittwoch auf 7,1 Meter gestiegen. "
                             "Feuerwehr und Helfer haben in der Nacht mehr als 30.000 Sandsäcke gefüllt und aufgeschichtet. "
                             "Die Quote lag zuletzt bei 22,3 % und damit höher als erwartet im ganzen Land.";
    const std::string de_b = "Nach tagelangem Regen ist der Pegel des Flusses am Mittwoch auf 7,3 Meter gestiegen. "
                             "Feuerwehr und Helfer haben in der Nacht mehr als 30,000 Sandsäcke gefüllt und aufgeschichtet. "
                             "Die Quote lag zuletzt bei 23,1 % und damit höher als erwartet im ganzen Land.";
    const auto d = ditto::diff(de_a, de_b);
    REQUIRE(d.changed_figures.size() == 2);  // 30.000 and 30,000 are the same number
    CHECK(d.changed_figures[0].old_text == "7,1");
    CHECK(d.changed_figures[0].new_text == "7,3");
    CHECK(slice(de_a, d.changed_figures[0].a) == "7,1");
    CHECK(slice(de_b, d.changed_figures[0].b) == "7,3");
    CHECK(d.changed_figures[0].a.begin == de_a.find("7,1"));
    CHECK(d.changed_figures[1].old_text == "22,3 %");
    CHECK(d.changed_figures[1].new_text == "23,1 %");

    const std::string en_a = "The project will cost $4.2 million and is paid for by a regional grant; about 1 000 "
                             "residents and 9,000 commuters ride the line every single day of the week.";
    const std::string en_b = "The project will cost $4.6 million and is paid for by a regional grant; about 1 200 "
                             "residents and 9000 commuters ride the line every single day of the week.";
    const auto e = ditto::diff(en_a, en_b);
    REQUIRE(e.changed_figures.size() == 2);  // 9,000 and 9000 are the same
    CHECK(e.changed_figures[0].old_text == "4.2");
    CHECK(e.changed_figures[0].new_text == "4.6");
    CHECK(e.changed_figures[1].old_text == "1 000");
    CHECK(e.changed_figures[1].new_text == "1 200");
    // Same value, other locale: nothing changed.
    CHECK(ditto::diff("the rate rose to 7,1 percent in the whole country this year",
                      "the rate rose to 7.1 percent in the whole country this year").changed_figures.empty());
}

TEST_CASE("Cyrillic and CJK spans point at the original bytes", "[align]") {
    const std::string a = "В среду в городе открылась новая линия метро длиной 14 километров с семью станциями.";
    const std::string extra = "Подписывайтесь на наш канал в Телеграме!";
    const std::string b = a + " " + extra;
    const auto d = ditto::diff(a, b);
    REQUIRE(d.inserted.size() == 1);
    CHECK(slice(b, d.inserted[0]) == "Подписывайтесь на наш канал в Телеграме");
    CHECK(d.inserted[0].begin == a.size() + 1);
    REQUIRE(d.shared.size() == 1);
    CHECK(slice(a, d.shared[0].a) == "В среду в городе открылась новая линия метро длиной 14 километров с семью станциями");

    // Upper case in one copy: tokens match after case folding, spans keep each text's own bytes.
    const std::string upper = "В СРЕДУ в городе открылась новая линия метро длиной 14 километров с семью станциями.";
    const auto u = ditto::diff(a, upper);
    REQUIRE(u.shared.size() == 1);
    CHECK(slice(upper, u.shared[0].b).starts_with("В СРЕДУ"));

    const std::string ja = "東京都は新しい地下鉄の路線を発表した。工事は来年始まる予定だ。";
    const std::string jb = "速報：東京都は新しい地下鉄の路線を発表した。工事は来年始まる予定だ。";
    const auto j = ditto::diff(ja, jb);
    REQUIRE(j.inserted.size() == 1);
    CHECK(slice(jb, j.inserted[0]) == "速報");
    REQUIRE(j.shared.size() == 1);
    CHECK(slice(ja, j.shared[0].a) == "東京都は新しい地下鉄の路線を発表した。工事は来年始まる予定だ");
    CHECK(slice(jb, j.shared[0].b) == slice(ja, j.shared[0].a));
}

TEST_CASE("short runs between passages are found too", "[align]") {
    // Runs of 5 tokens (k) around one inserted word: below the winnowing guarantee (k + w - 1 = 8),
    // found by comparing every k-gram of the aligned gaps.
    const std::string a = "one two three four five XX six seven eight nine ten";
    const std::string b = "one two three four five six seven eight nine ten";
    const auto d = ditto::diff(a, b);
    REQUIRE(d.shared.size() == 2);
    CHECK(slice(a, d.shared[0].a) == "one two three four five");
    CHECK(slice(a, d.shared[1].a) == "six seven eight nine ten");
    CHECK(d.deleted == std::vector<ditto::byte_span>{{24, 26}});
    CHECK(d.inserted.empty());
    // Four tokens in common are not a passage (k = 5).
    CHECK(ditto::diff("one two three four XX", "one two three four YY").shared.empty());
}

TEST_CASE("identical, unrelated and empty texts", "[align]") {
    const std::string t = "one two three four five six seven eight nine ten";
    const auto same = ditto::diff(t, t);
    REQUIRE(same.shared.size() == 1);
    CHECK(same.shared[0].a == ditto::byte_span{0, t.size()});
    CHECK(same.deleted.empty());
    CHECK(same.inserted.empty());
    CHECK(same.measures.jaccard == 1.0);
    CHECK(same.measures.coverage_a == 1.0);

    const std::string u = "alpha beta gamma delta epsilon zeta eta theta";
    const auto none = ditto::diff(t, u);
    CHECK(none.shared.empty());
    CHECK(none.deleted == std::vector<ditto::byte_span>{{0, t.size()}});
    CHECK(none.inserted == std::vector<ditto::byte_span>{{0, u.size()}});
    CHECK(none.measures.jaccard == 0.0);

    const auto empty = ditto::diff("", "");
    CHECK(empty.shared.empty());
    CHECK(empty.deleted.empty());
    CHECK(empty.inserted.empty());
    CHECK(empty.measures.jaccard == 0.0);
    const auto one_side = ditto::diff("", t);
    CHECK(one_side.inserted == std::vector<ditto::byte_span>{{0, t.size()}});
    CHECK(one_side.measures.containment_b_in_a == 0.0);

    // Shorter than k: one shingle of all the tokens, so equal short texts are one shared passage
    // (see "texts shorter than k tokens").
    const auto tiny = ditto::diff("hello world", "Hello, World!");
    CHECK(tiny.shared.size() == 1);
    CHECK(tiny.measures.jaccard == 1.0);

    ditto::align_options bad;
    bad.window = 0;
    CHECK_THROWS_AS(ditto::diff(t, t, bad), std::invalid_argument);
    ditto::align_options no_repeats;
    no_repeats.max_repeats = 0;
    CHECK_THROWS_AS(ditto::diff(t, t, no_repeats), std::invalid_argument);
}

namespace {

// Robust winnowing as the paper states it, window by window: O(n w), the reference for winnow().
std::vector<ditto::fingerprint> winnow_reference(const std::vector<std::uint64_t>& h, std::size_t w) {
    std::vector<ditto::fingerprint> out;
    const std::size_t n = h.size();
    if (n == 0) return out;
    const std::size_t windows = n >= w ? n - w + 1 : 1, width = std::min(w, n);
    std::size_t selected = n;
    for (std::size_t start = 0; start < windows; ++start) {
        std::size_t best = start;
        for (std::size_t i = start + 1; i < start + width; ++i)
            if (h[i] <= h[best]) best = i;
        if (selected != n && selected >= start && h[selected] == h[best]) continue;
        selected = best;
        out.push_back({h[best], best});
    }
    return out;
}

// Texts made of a few phrases over a small vocabulary, so k-grams repeat a lot; B is A with
// phrases dropped, added and swapped.
std::pair<std::string, std::string> repetitive_pair(std::mt19937_64& rng, std::size_t vocabulary) {
    std::vector<std::string> phrases(6);
    for (auto& p : phrases) p = random_words(rng, 3 + rng() % 10, vocabulary);
    std::vector<std::size_t> picks(20 + rng() % 20);
    for (auto& x : picks) x = rng() % phrases.size();
    std::vector<std::size_t> changed = picks;
    for (int edit = 0; edit < 4; ++edit) {
        const std::size_t at = rng() % changed.size();
        switch (rng() % 3) {
        case 0: changed.erase(changed.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1: changed.insert(changed.begin() + static_cast<std::ptrdiff_t>(at), rng() % phrases.size()); break;
        default: std::swap(changed[at], changed[rng() % changed.size()]); break;
        }
    }
    auto join = [&](const std::vector<std::size_t>& order) {
        std::string out;
        for (const std::size_t x : order) out += (out.empty() ? "" : " ") + phrases[x] + " " + random_words(rng, rng() % 2, 1000);
        return out;
    };
    return {join(picks), join(changed)};
}

std::size_t kgram_count(const std::vector<std::string>& t, std::size_t at, std::size_t k, const std::vector<std::string>& in) {
    std::size_t n = 0;
    for (std::size_t i = 0; i + k <= in.size(); ++i)
        n += std::equal(t.begin() + static_cast<std::ptrdiff_t>(at), t.begin() + static_cast<std::ptrdiff_t>(at + k),
                        in.begin() + static_cast<std::ptrdiff_t>(i));
    return n;
}

// Checks guarantees 1-3 of align.hpp against brute force.
void check_guarantees(std::string_view a, std::string_view b, const ditto::align_options& o, const ditto::text_diff& d) {
    const auto ta = tokens_of(a), tb = tokens_of(b);
    // 1. Passages are runs of >= k equal tokens, disjoint in A and in B.
    std::vector<int> in_a(ta.size(), 0), in_b(tb.size(), 0);
    for (const auto& p : d.shared) {
        const std::size_t length = p.a_tokens.end - p.a_tokens.begin;
        REQUIRE(length >= o.k);
        REQUIRE(p.b_tokens.end - p.b_tokens.begin == length);
        for (std::size_t i = 0; i < length; ++i) {
            REQUIRE(ta[p.a_tokens.begin + i] == tb[p.b_tokens.begin + i]);
            REQUIRE(++in_a[p.a_tokens.begin + i] == 1);
            REQUIRE(++in_b[p.b_tokens.begin + i] == 1);
        }
    }
    // 2. Every maximal run of >= k + w - 1 tokens whose k-grams occur at most max_repeats times in
    //    each text, and that shares no token with another maximal run at least as long, is exact.
    const auto runs = brute_force_runs(ta, tb, o.k);
    for (const auto& r : runs) {
        if (r.length < o.k + o.window - 1) continue;
        bool rare = true;
        for (std::size_t i = r.a; rare && i + o.k <= r.a + r.length; ++i)
            rare = kgram_count(ta, i, o.k, ta) <= o.max_repeats && kgram_count(ta, i, o.k, tb) <= o.max_repeats;
        const bool contested = std::any_of(runs.begin(), runs.end(), [&](const common_run& x) {
            if (x.length < r.length || (x.a == r.a && x.b == r.b)) return false;
            return (x.a < r.a + r.length && r.a < x.a + x.length) || (x.b < r.b + r.length && r.b < x.b + x.length);
        });
        if (!rare || contested) continue;
        const bool found = std::any_of(d.shared.begin(), d.shared.end(), [&](const ditto::shared_passage& p) {
            return p.a_tokens == ditto::token_span{r.a, r.a + r.length} && p.b_tokens == ditto::token_span{r.b, r.b + r.length};
        });
        INFO("run at A " << r.a << ", B " << r.b << ", length " << r.length);
        REQUIRE(found);
    }
    // 3. Gaps between passages that are neighbours in both texts share no run of k tokens.
    std::vector<ditto::shared_passage> by_b = d.shared;
    std::sort(by_b.begin(), by_b.end(), [](const auto& x, const auto& y) { return x.b_tokens.begin < y.b_tokens.begin; });
    for (std::size_t p = 0; p <= d.shared.size(); ++p) {
        // Neighbours: the passage before this gap in A is also the one before it in B.
        const std::size_t a0 = p == 0 ? 0 : d.shared[p - 1].a_tokens.end;
        const std::size_t a1 = p == d.shared.size() ? ta.size() : d.shared[p].a_tokens.begin;
        std::size_t rank_before = 0, rank_after = by_b.size() + 1;
        for (std::size_t r = 0; r < by_b.size(); ++r) {
            if (p > 0 && by_b[r].a_tokens == d.shared[p - 1].a_tokens) rank_before = r + 1;
            if (p < d.shared.size() && by_b[r].a_tokens == d.shared[p].a_tokens) rank_after = r + 1;
        }
        if (rank_after != rank_before + 1) continue;
        const std::size_t b0 = rank_before == 0 ? 0 : by_b[rank_before - 1].b_tokens.end;
        const std::size_t b1 = rank_after == by_b.size() + 1 ? tb.size() : by_b[rank_after - 1].b_tokens.begin;
        for (std::size_t i = a0; i + o.k <= a1; ++i)
            for (std::size_t j = b0; j + o.k <= b1; ++j) {
                INFO("gap A [" << a0 << ", " << a1 << "), B [" << b0 << ", " << b1 << "): k tokens at " << i << ", " << j);
                REQUIRE_FALSE(std::equal(ta.begin() + static_cast<std::ptrdiff_t>(i), ta.begin() + static_cast<std::ptrdiff_t>(i + o.k),
                                         tb.begin() + static_cast<std::ptrdiff_t>(j)));
            }
    }
}

}  // namespace

TEST_CASE("winnowing in linear time selects what the window-by-window definition selects", "[align]") {
    std::mt19937_64 rng(5);
    for (int round = 0; round < 500; ++round) {
        const std::size_t n = rng() % 80, w = 1 + rng() % 10;
        std::vector<std::uint64_t> v(n);
        for (auto& x : v) x = rng() % (1 + static_cast<std::uint64_t>(round % 7));
        REQUIRE(ditto::winnow(v, w) == winnow_reference(v, w));
    }
}

TEST_CASE("guarantees hold on repetitive texts", "[align]") {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 150; ++round) {
        const auto [a, b] = repetitive_pair(rng, round % 3 == 0 ? 3 : 30);
        ditto::align_options o;
        o.k = 2 + rng() % 5;
        o.window = 1 + rng() % 5;
        o.max_repeats = 1 + rng() % 10;
        INFO("round " << round << ", k " << o.k << ", w " << o.window << ", max_repeats " << o.max_repeats);
        check_guarantees(a, b, o, ditto::diff(a, b, o));
    }
    // The planted texts of the brute-force test above, with their rare runs.
    for (int round = 0; round < 20; ++round) {
        const std::string a = random_words(rng, 200, 50), b = a.substr(0, a.size() / 2) + " w7 w7 " + a.substr(a.size() / 3);
        check_guarantees(a, b, {}, ditto::diff(a, b));
    }
}

TEST_CASE("repetitive texts align in order", "[align]") {
    // "la la la ...": every k-gram is the same, so nothing seeds; the gap pass aligns it all.
    std::string la;
    for (int i = 0; i < 1000; ++i) la += "la ";
    const auto d = ditto::diff(la, la + "x");
    REQUIRE(d.shared.size() == 1);
    CHECK(d.shared[0].a_tokens == ditto::token_span{0, 1000});
    CHECK(d.shared[0].b_tokens == ditto::token_span{0, 1000});
    CHECK(d.deleted.empty());
    CHECK(d.inserted == std::vector<ditto::byte_span>{{la.size(), la.size() + 1}});
    // One word changed in the middle of the repetition: it and its replacement, nothing else.
    std::string changed = la;
    changed.replace(1500, 2, "lo");
    const auto c = ditto::diff(la, changed);
    CHECK(c.deleted == std::vector<ditto::byte_span>{{1500, 1502}});
    CHECK(c.inserted == std::vector<ditto::byte_span>{{1500, 1502}});
    CHECK(c.measures.coverage_a == 999.0 / 1000.0);
}

TEST_CASE("texts shorter than k tokens are one shingle", "[align]") {
    // Equal: one shared passage, nothing deleted or inserted (was: all deleted and inserted).
    const std::string a = "Hello, World!", b = "hello world";
    const auto same = ditto::diff(a, b);
    REQUIRE(same.shared.size() == 1);
    CHECK(same.shared[0].a == ditto::byte_span{0, 12});
    CHECK(same.shared[0].b == ditto::byte_span{0, 11});
    CHECK(same.shared[0].a_tokens == ditto::token_span{0, 2});
    CHECK(same.deleted.empty());
    CHECK(same.inserted.empty());
    CHECK(same.measures.jaccard == 1.0);
    CHECK(same.measures.coverage_a == 1.0);
    CHECK(same.measures.coverage_b == 1.0);
    // Different short texts share nothing, even words in common: their one shingles differ.
    const auto other = ditto::diff("hello world", "hello there");
    CHECK(other.shared.empty());
    CHECK(other.deleted == std::vector<ditto::byte_span>{{0, 11}});
    CHECK(other.inserted == std::vector<ditto::byte_span>{{0, 11}});
    CHECK(other.measures.jaccard == 0.0);
    // A short text against a longer one holding it: nothing shared either (Jaccard 0 too).
    const auto longer = ditto::diff("one two three", "one two three four five six");
    CHECK(longer.shared.empty());
    CHECK(longer.measures.jaccard == 0.0);
    CHECK(longer.deleted == std::vector<ditto::byte_span>{{0, 13}});
    // With k = 1 nothing is short but the empty text.
    ditto::align_options k1;
    k1.k = 1;
    CHECK(ditto::diff("x", "x", k1).shared.size() == 1);
}

namespace {

// The marked rendering computed the direct way, every deletion against every passage and
// insertion: quadratic, the reference for mark_changes.
std::vector<ditto::marked_piece> marks_reference(const ditto::text_diff& d, std::string_view b) {
    struct mark {
        std::size_t at;
        bool insertion;
        std::size_t index;
        bool space;
    };
    std::vector<mark> marks;
    for (std::size_t i = 0; i < d.deleted.size(); ++i) {
        const auto span = d.deleted[i];
        std::size_t gap_begin = 0;
        for (const auto& p : d.shared)
            if (p.a.end <= span.begin) gap_begin = std::max(gap_begin, p.b.end);
        std::size_t at = b.size();
        for (const auto& p : d.shared)
            if (p.b.begin >= gap_begin) at = std::min(at, p.b.begin);
        for (const auto& ins : d.inserted)
            if (ins.begin >= gap_begin && ins.begin <= at) {
                at = ins.begin;
                break;
            }
        const bool space = at < b.size() && b[at] != ' ' && b[at] != '\n' &&
                           std::none_of(d.inserted.begin(), d.inserted.end(), [&](ditto::byte_span s) { return s.begin == at; });
        marks.push_back({at, false, i, space});
    }
    for (std::size_t i = 0; i < d.inserted.size(); ++i) marks.push_back({d.inserted[i].begin, true, i, false});
    std::sort(marks.begin(), marks.end(), [](const mark& x, const mark& y) {
        return x.at != y.at ? x.at < y.at : (x.insertion != y.insertion ? !x.insertion : x.index < y.index);
    });
    std::vector<ditto::marked_piece> out;
    std::size_t pos = 0;
    for (const mark& m : marks) {
        if (m.at > pos) out.push_back({ditto::mark_kind::same, {pos, m.at}}), pos = m.at;
        if (m.insertion) {
            out.push_back({ditto::mark_kind::inserted, d.inserted[m.index]});
            pos = d.inserted[m.index].end;
        } else {
            out.push_back({ditto::mark_kind::deleted, d.deleted[m.index]});
            if (m.space) out.push_back({ditto::mark_kind::separator, {0, 0}});
        }
    }
    if (pos < b.size()) out.push_back({ditto::mark_kind::same, {pos, b.size()}});
    return out;
}

}  // namespace

TEST_CASE("marked rendering places each deletion where the direct computation does", "[align]") {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 200; ++round) {
        std::string a, b;
        if (round % 2 == 0) {
            std::tie(a, b) = repetitive_pair(rng, 5 + rng() % 40);
        } else {
            a = random_words(rng, 50 + rng() % 200, 40);
            const auto words = tokens_of(a);
            for (std::size_t i = 0; i < words.size(); ++i) {
                if (rng() % 9 == 0) continue;                        // deleted
                if (rng() % 11 == 0) b += "new" + std::to_string(i) + " ";  // inserted
                b += words[i] + (rng() % 13 == 0 ? "\n" : " ");
            }
        }
        const auto d = ditto::diff(a, b);
        INFO("round " << round);
        REQUIRE(ditto::mark_changes(d, b).pieces == marks_reference(d, b));
    }
    // The known case: a deletion before a word gets a separator; one before an insertion does not.
    const std::string a = "one two three four five XX six seven eight nine ten";
    const std::string b = "one two three four five six seven eight nine ten";
    const auto m = ditto::mark_changes(ditto::diff(a, b), b).pieces;
    const std::vector<ditto::marked_piece> expected{{ditto::mark_kind::same, {0, 24}},
                                                    {ditto::mark_kind::deleted, {24, 26}},
                                                    {ditto::mark_kind::separator, {0, 0}},
                                                    {ditto::mark_kind::same, {24, b.size()}}};
    CHECK(m == expected);
}

namespace {

// Texts of about n words in the shapes that used to take quadratic time, and ordinary ones.
std::pair<std::string, std::string> shaped_pair(int shape, std::size_t n) {
    std::mt19937_64 rng(3);
    std::string a, b;
    switch (shape) {
    case 0:  // "la la la ..." and the same with one word more
        for (std::size_t i = 0; i < n; ++i) a += "la ";
        b = a + "x";
        break;
    case 1:  // a log line repeated with a counter; every 40th line changed in B
        for (std::size_t i = 0; a.size() < n * 6; ++i) {
            const std::string line = "2026-11-28 12:00:" + std::to_string(10 + i % 50) + " INFO request handled id=" + std::to_string(i);
            a += line + " status=200\n";
            b += line + (i % 40 == 7 ? " status=500\n" : " status=200\n");
        }
        break;
    case 2: {  // one paragraph repeated; a word changed in every third copy of B
        const std::string paragraph = random_words(rng, 60, 100000);
        for (std::size_t i = 0; a.size() < n * 6; ++i) {
            a += paragraph + "\n\n";
            b += (i % 3 == 1 ? "changed " + paragraph.substr(paragraph.find(' ') + 1) : paragraph) + "\n\n";
        }
        break;
    }
    case 3: {  // one word in 12 changed
        const auto words = tokens_of(random_words(rng, n, 20000));
        for (std::size_t i = 0; i < words.size(); ++i) {
            a += words[i] + " ";
            b += (i % 12 == 5 ? std::string("changed") : words[i]) + " ";
        }
        break;
    }
    case 4:  // unrelated random texts
        a = random_words(rng, n, 5000);
        b = random_words(rng, n, 5000);
        break;
    default:  // single digits separated by spaces, one in 12 changed: numbers run through every gap
        for (std::size_t i = 0; i < n; ++i) {
            const auto digit = static_cast<char>('0' + rng() % 10);
            a += digit;
            a += ' ';
            b += i % 12 == 5 ? static_cast<char>('0' + (digit - '0' + 1) % 10) : digit;
            b += ' ';
        }
        break;
    }
    return {a, b};
}

}  // namespace

TEST_CASE("work doubles when the input doubles, counted in steps", "[align]") {
    const char* names[] = {"la la la", "repeated log line", "repeated paragraph", "one word in 12 changed", "random",
                           "digits, one in 12 changed"};
    for (int shape = 0; shape < 6; ++shape) {
        const auto [a1, b1] = shaped_pair(shape, 20000);
        const auto [a2, b2] = shaped_pair(shape, 40000);
        const auto d1 = ditto::diff(a1, b1), d2 = ditto::diff(a2, b2);
        const auto m1 = ditto::mark_changes(d1, b1), m2 = ditto::mark_changes(d2, b2);
        const double bytes = static_cast<double>(a2.size() + b2.size()) / static_cast<double>(a1.size() + b1.size());
        const double diff_growth = static_cast<double>(d2.steps) / static_cast<double>(d1.steps);
        const double mark_growth = static_cast<double>(m2.steps) / static_cast<double>(m1.steps);
        INFO(names[shape] << ": input x" << bytes << ", diff steps " << d1.steps << " -> " << d2.steps << ", marking steps "
                          << m1.steps << " -> " << m2.steps);
        REQUIRE(bytes > 1.9);
        REQUIRE(bytes < 2.1);
        // Linear work, with log factors from sorting: about 2.1 here; quadratic work would give 4.
        CHECK(diff_growth > 1.8);
        CHECK(diff_growth < 2.4);
        // Marking works per change, not per byte: twice the changes, about twice the steps; one
        // change (la la la) or none (random, all deleted and inserted), the same steps.
        CHECK(mark_growth < 2.4);
        if (shape != 0 && shape != 4) CHECK(mark_growth > 1.8);
        if (shape != 0 && shape != 4) CHECK(d2.deleted.size() > 100);
        if (shape == 5) CHECK(d2.changed_figures.size() > 100);
        // And the work per byte is small: no hidden constant of a repeat cap.
        CHECK(d2.steps < 30 * (a2.size() + b2.size()));
    }
}
