// clean: lines, then passages outside them, against the references; cut_spans by hand.
#include <ditto/clean/clean.hpp>

#include <random>
#include <string>
#include <vector>

#include "clean/reference.hpp"
#include "support/catch.hpp"

namespace {

struct doc {
    std::string_view text;
};

std::vector<doc> docs_of(const std::vector<std::string>& texts) {
    std::vector<doc> out;
    for (const auto& t : texts) out.push_back({t});
    return out;
}

ditto::removed_span passage(std::size_t b, std::size_t e) { return {0, b, e, ditto::span_kind::passage, std::nullopt}; }

}  // namespace

TEST_CASE("cut_spans removes the spans and the spacing they leave", "[clean]") {
    const std::string t = "Keep this. Repeated words here. Keep that.";
    // "Repeated words here" is bytes 11..30.
    std::vector<ditto::removed_span> s = {passage(11, 30)};
    CHECK(ditto::cut_spans(t, s) == "Keep this. . Keep that.");
    s = {passage(11, 31)};
    CHECK(ditto::cut_spans(t, s) == "Keep this. Keep that.");
    // A passage that was a whole line goes with its line break.
    const std::string lines = "first line\nrepeated passage\nlast line";
    s = {passage(11, 27)};
    CHECK(ditto::cut_spans(lines, s) == "first line\nlast line");
    // At the end of the text, and the spaces before it.
    const std::string tail = "Body text.  tail words";
    s = {passage(12, 22)};
    CHECK(ditto::cut_spans(tail, s) == "Body text.");
    // Line spans hold their line break already.
    const std::string l = "a\nPromo\nb";
    s = {{0, 2, 8, ditto::span_kind::line, std::nullopt}};
    CHECK(ditto::cut_spans(l, s) == "a\nb");
    CHECK(ditto::cut_spans(l, {}) == l);
    CHECK(ditto::word_count("один два 三四 five") == 5);
}

TEST_CASE("clean: passages are found outside boilerplate lines", "[clean]") {
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 40; ++trial) {
        std::vector<std::string> texts;
        const std::vector<std::string> promo = {"Join our channel for news", "Читайте также: новости города",
                                                "更多新闻请关注我们"};
        const std::string passage = "the council approved the plan to build forty kilometres of lanes";
        for (int d = 0; d < 12; ++d) {
            const std::string n(1, static_cast<char>('a' + d));  // letters: digits fold in line keys
            std::string t = "Story" + n + " opens" + n + " with" + n + " words" + n + " " + std::to_string(rng() % 1000);
            if (rng() % 2) t += "\n" + promo[rng() % 3];
            if (rng() % 3 == 0) t += "\n" + passage + " and more " + std::to_string(d);
            if (rng() % 2) t += "\n" + promo[rng() % 3];
            texts.push_back(t);
        }
        ditto::clean_options o;
        o.boilerplate.min_docs = 3;
        o.repeats.min_tokens = 4;
        const auto result = ditto::clean(docs_of(texts), o);
        std::vector<ditto::removed_span> lines, passages;
        for (const auto& s : result.spans) (s.kind == ditto::span_kind::line ? lines : passages).push_back(s);
        REQUIRE(lines.size() == result.line_spans);
        REQUIRE(passages.size() == result.passage_spans);
        // Lines as alone; passages as the reference finds them with those lines' bytes excluded.
        REQUIRE(lines == ditto::find_boilerplate_lines(docs_of(texts), o.boilerplate));
        const auto excluded = clean_test::span_bytes(texts, lines);
        const auto want = clean_test::reference_passages(texts, 4, false, &excluded);
        REQUIRE(clean_test::span_bytes(texts, passages) == want);
        // Disjoint and sorted.
        for (std::size_t i = 1; i < result.spans.size(); ++i)
            if (result.spans[i].doc == result.spans[i - 1].doc) REQUIRE(result.spans[i - 1].end <= result.spans[i].begin);
        // Nothing of the story lines goes: they are unique.
        for (std::size_t d = 0; d < texts.size(); ++d) {
            const auto cleaned = ditto::cut_spans(texts[d], ditto::spans_of(result.spans, d));
            const std::string n(1, static_cast<char>('a' + d));
            INFO(texts[d] << "\n=>\n" << cleaned);
            REQUIRE(cleaned.starts_with("Story" + n + " opens" + n + " with" + n + " words" + n));
        }
    }
}

TEST_CASE("clean: options", "[clean]") {
    const std::vector<std::string> texts = {"a b c", "a b c"};
    ditto::clean_options o;
    o.repeats.min_tokens = 3;
    o.lines = false;
    auto r = ditto::clean(docs_of(texts), o);
    CHECK(r.passage_spans == 1);
    o.passages = false;
    r = ditto::clean(docs_of(texts), o);
    CHECK(r.spans.empty());
    o.boilerplate.min_docs = 0;
    CHECK_THROWS_AS(ditto::clean(docs_of(texts), o), std::invalid_argument);
}
