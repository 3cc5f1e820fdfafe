// The reusable differ against the alignment as computed before it (fresh buffers, measures from
// sorted k-gram lists, tests/support/align_reference.hpp) and against brute-force measures, on
// random edited pairs of many sizes with one differ reused across all of them.
#include <ditto/align.hpp>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/align_reference.hpp"
#include "support/catch.hpp"

namespace {

// Words from a vocabulary (small ones repeat k-grams past max_repeats), numbers in several
// formats, punctuation, non-Latin words.
std::string random_text(std::mt19937_64& rng, std::size_t words, std::size_t vocabulary) {
    static const char* const extra[] = {"7,1", "30.000", "12 345", "4.2", "99%", "Größe", "жизнь", "中国", "—", "café"};
    std::string out;
    for (std::size_t i = 0; i < words; ++i) {
        if (i > 0) out += rng() % 17 == 0 ? ". " : " ";
        if (rng() % 9 == 0) out += extra[rng() % std::size(extra)];
        else {
            out += 'w';
            out += std::to_string(rng() % vocabulary);
        }
    }
    return out;
}

// A copy with words replaced, deleted and inserted, numbers changed, and a block moved.
std::string edit(std::mt19937_64& rng, const std::string& text, unsigned rate) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t j = text.find(' ', i);
        if (j == std::string::npos) j = text.size();
        words.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    std::vector<std::string> out;
    for (const auto& w : words) {
        const auto r = rng() % 100;
        if (r < rate) continue;                                 // deleted
        if (r < 2 * rate) {  // replaced
            out.emplace_back(1, 'x');
            out.back().append(std::to_string(rng() % 1000));
        } else {
            out.push_back(w);
        }
        if (r >= 99 - rate / 2) {  // an inserted number
            out.push_back(std::to_string(rng() % 100));
            out.back().append(",5");
        }
    }
    if (out.size() > 20 && rng() % 2 == 0) {  // move a block to the end
        const std::size_t from = rng() % (out.size() / 2), length = 1 + rng() % (out.size() / 4);
        std::vector<std::string> block(out.begin() + static_cast<std::ptrdiff_t>(from),
                                       out.begin() + static_cast<std::ptrdiff_t>(from + length));
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(from), out.begin() + static_cast<std::ptrdiff_t>(from + length));
        out.insert(out.end(), block.begin(), block.end());
    }
    std::string s;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i > 0) s += ' ';
        s += out[i];
    }
    return s;
}

void check_same(const ditto::text_diff& got, const ditto::text_diff& want) {
    REQUIRE(got.shared.size() == want.shared.size());
    for (std::size_t i = 0; i < got.shared.size(); ++i) {
        CHECK(got.shared[i].a_tokens == want.shared[i].a_tokens);
        CHECK(got.shared[i].b_tokens == want.shared[i].b_tokens);
        CHECK(got.shared[i].a == want.shared[i].a);
        CHECK(got.shared[i].b == want.shared[i].b);
    }
    CHECK(got.deleted == want.deleted);
    CHECK(got.inserted == want.inserted);
    REQUIRE(got.changed_figures.size() == want.changed_figures.size());
    for (std::size_t i = 0; i < got.changed_figures.size(); ++i) {
        CHECK(got.changed_figures[i].a == want.changed_figures[i].a);
        CHECK(got.changed_figures[i].b == want.changed_figures[i].b);
        CHECK(got.changed_figures[i].old_text == want.changed_figures[i].old_text);
        CHECK(got.changed_figures[i].new_text == want.changed_figures[i].new_text);
    }
    CHECK(got.measures.jaccard == want.measures.jaccard);
    CHECK(got.measures.containment_a_in_b == want.measures.containment_a_in_b);
    CHECK(got.measures.containment_b_in_a == want.measures.containment_b_in_a);
    CHECK(got.measures.coverage_a == want.measures.coverage_a);
    CHECK(got.measures.coverage_b == want.measures.coverage_b);
    CHECK(got.a_tokens == want.a_tokens);
    CHECK(got.b_tokens == want.b_tokens);
}

// Jaccard and containments of the k-token shingle sets, from the token strings (a text shorter
// than k is one shingle).
struct set_measures {
    double jaccard, a_in_b, b_in_a;
};
set_measures brute_force_measures(std::string_view a, std::string_view b, std::size_t k) {
    auto shingles = [&](std::string_view text) {
        std::vector<std::string> tokens;
        const std::string normalized = ditto::normalize(text);
        for (const auto& t : ditto::word_tokenizer{}(normalized)) tokens.emplace_back(t.text);
        std::set<std::vector<std::string>> out;
        if (tokens.empty()) return out;
        if (tokens.size() < k) out.insert(tokens);
        for (std::size_t i = 0; i + k <= tokens.size(); ++i)
            out.insert(std::vector<std::string>(tokens.begin() + static_cast<std::ptrdiff_t>(i),
                                                tokens.begin() + static_cast<std::ptrdiff_t>(i + k)));
        return out;
    };
    const auto sa = shingles(a), sb = shingles(b);
    std::size_t common = 0;
    for (const auto& s : sa) common += sb.count(s);
    const std::size_t united = sa.size() + sb.size() - common;
    return {united == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(united),
            sa.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(sa.size()),
            sb.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(sb.size())};
}

}  // namespace

TEST_CASE("differ: one differ reused over pairs of many sizes gives the earlier results", "[align]") {
    std::mt19937_64 rng(2024);
    for (const std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{5}}) {
        ditto::align_options o;
        o.k = k;
        o.window = 1 + rng() % 6;
        o.max_repeats = k == 1 ? 3 : 8;
        ditto::differ d(o);
        ditto::text_diff reused;
        for (int pair = 0; pair < 120; ++pair) {
            // Sizes jump up and down, so buffers shrink in use and grow again.
            static const std::size_t sizes[] = {0, 1, 2, 4, 7, 30, 200, 1500, 60, 3};
            const std::size_t words = sizes[static_cast<std::size_t>(pair) % std::size(sizes)] + rng() % 5;
            const std::size_t vocabulary = rng() % 3 == 0 ? 4 : 500;  // small: repeated k-grams
            const std::string a = random_text(rng, words, vocabulary);
            const std::string b = rng() % 10 == 0 ? random_text(rng, words, vocabulary)
                                                  : edit(rng, a, static_cast<unsigned>(rng() % 20));
            INFO("k " << k << " pair " << pair << " words " << words << " vocabulary " << vocabulary);
            const ditto::text_diff want = ditto_test::reference_diff(a, b, o);
            check_same(d.diff(a, b), want);
            d.diff(a, b, reused);
            check_same(reused, want);
            check_same(ditto::diff(a, b, o), want);
            if (words <= 200) {
                const set_measures m = brute_force_measures(a, b, k);
                CHECK(reused.measures.jaccard == Approx(m.jaccard));
                CHECK(reused.measures.containment_a_in_b == Approx(m.a_in_b));
                CHECK(reused.measures.containment_b_in_a == Approx(m.b_in_a));
            }
        }
    }
}

TEST_CASE("differ: hand-computed measures and repeat counting", "[align]") {
    ditto::align_options o;
    o.k = 2;
    ditto::differ d(o);
    // A: {a b, b c, c d}, B: {a b, b c, c e}: 2 common of 4 distinct.
    auto r = d.diff("a b c d", "a b c e");
    CHECK(r.measures.jaccard == Approx(0.5));
    CHECK(r.measures.containment_a_in_b == Approx(2.0 / 3.0));
    // Repeats count once in the sets: A {la la}, B {la la, la lo}.
    r = d.diff("la la la la", "la la la lo");
    CHECK(r.measures.jaccard == Approx(0.5));
    CHECK(r.measures.containment_a_in_b == Approx(1.0));
    // Short texts are one shingle of all their tokens.
    r = d.diff("one", "one");
    CHECK(r.measures.jaccard == 1.0);
    r = d.diff("one", "one two three");
    CHECK(r.measures.jaccard == 0.0);
    r = d.diff("", "");
    CHECK(r.measures.jaccard == 0.0);
    CHECK(r.shared.empty());
    CHECK_THROWS_AS(ditto::differ(ditto::align_options{0}), std::invalid_argument);
}

TEST_CASE("plain winnowing selects each window's rightmost least, for small and large windows", "[align]") {
    // The definition, window by window, against detail::winnow_into without robustness (the
    // seeding the alignment uses): small windows take the incremental path, large the queue.
    std::mt19937_64 rng(77);
    std::vector<std::size_t> queue;
    for (int round = 0; round < 400; ++round) {
        const std::size_t n = rng() % 60, w = 1 + rng() % 20, values = 1 + rng() % (round % 2 ? 4 : 1000);
        std::vector<std::uint64_t> h(n);
        for (auto& v : h) v = rng() % values;
        std::vector<ditto::fingerprint> want;
        const std::size_t width = std::min(w, n);
        for (std::size_t start = 0; n > 0 && start + width <= n; ++start) {
            std::size_t best = start;
            for (std::size_t j = start; j < start + width; ++j)
                if (h[j] <= h[best]) best = j;
            if (want.empty() || want.back().position != best) want.push_back({h[best], best});
        }
        std::vector<ditto::fingerprint> got;
        std::size_t steps = 0;
        ditto::detail::winnow_into(h, w, false, got, steps, queue);
        INFO("n " << n << " w " << w << " values " << values);
        CHECK(got == want);
    }
}
