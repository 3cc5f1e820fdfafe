// Alignment: winnowing against the published example and its guarantee, shared passages against
// a brute-force search for common token runs, the diff's spans against the bytes that were
// planted, changed figures in several locales, and odd inputs.
#include <ditto/align.hpp>

#include <algorithm>
#include <random>
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

    // Shorter than k: no passage can be found, but the measures still compare the whole texts.
    const auto tiny = ditto::diff("hello world", "Hello, World!");
    CHECK(tiny.shared.empty());
    CHECK(tiny.measures.jaccard == 1.0);

    ditto::align_options bad;
    bad.window = 0;
    CHECK_THROWS_AS(ditto::diff(t, t, bad), std::invalid_argument);
}
