// Boilerplate lines against the brute-force reference on generated corpora (promo, "read more" and
// date-stamp lines in Latin, Cyrillic and CJK script among unique lines), hand cases, thread
// counts, and a line repeated 10^5 times.
#include <ditto/clean/lines.hpp>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <tuple>
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

std::string digits(std::mt19937_64& rng, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
}

std::string boilerplate(std::mt19937_64& rng, std::size_t which) {
    switch (which) {
        case 0: return "Join our Telegram channel for breaking news!";
        case 1: return "Подписывайтесь на наш канал, чтобы не пропустить новости.";
        case 2: return "Read more: city news at metro-wire.example";
        case 3: return "Published " + digits(rng, 2) + "." + digits(rng, 2) + ".2024 " + digits(rng, 2) + ":" + digits(rng, 2);
        case 4: return "更多新闻请关注我们的频道";
        case 5: return "  JOIN our   Telegram channel for breaking news!  ";  // the same line once normalized
        case 6: return "* * *";                                                // no word: never boilerplate
        default: return "Weiterlesen: Nachrichten aus der Stadt, " + digits(rng, 1) + " Minuten";
    }
}

std::vector<std::string> make_corpus(std::uint64_t seed, std::size_t docs) {
    std::mt19937_64 rng(seed);
    std::vector<std::string> texts;
    std::size_t number = 0;
    for (std::size_t d = 0; d < docs; ++d) {
        std::string text;
        const std::size_t lines = rng() % 8;
        for (std::size_t l = 0; l < lines; ++l) {
            if (l > 0) text += rng() % 5 == 0 ? "\r\n" : "\n";
            switch (rng() % 4) {
                case 0: text += boilerplate(rng, rng() % 8); break;
                case 1: text += ""; break;  // a blank line
                default: text += "Article sentence number " + std::to_string(++number) + " about the город 市."; break;
            }
        }
        if (rng() % 3 == 0) text += "\n";
        texts.push_back(text);
    }
    return texts;
}

// The removed lines as (doc, line begin, line end), from spans (a line and its "\n", or the "\n"
// before a last line); checks that every span is one whole line with one line break.
std::set<std::tuple<std::size_t, std::size_t, std::size_t>> lines_of(const std::vector<std::string>& texts,
                                                                    const std::vector<ditto::removed_span>& spans) {
    std::set<std::tuple<std::size_t, std::size_t, std::size_t>> out;
    for (const auto& s : spans) {
        REQUIRE(s.kind == ditto::span_kind::line);
        const std::string_view t = texts[s.doc];
        std::size_t b = s.begin, e = s.end;
        if (e > b && t[e - 1] == '\n') {
            // The line, its line break, then only blank lines.
            e = b + t.substr(b, e - b).find('\n');
            REQUIRE(t.substr(e, s.end - e).find_first_not_of("\r\n") == std::string_view::npos);
        } else {
            // A last line: the line breaks before it.
            while (b < e && (t[b] == '\n' || t[b] == '\r')) ++b;
            REQUIRE(e == t.size());
        }
        REQUIRE(t.substr(b, e - b).find('\n') == std::string_view::npos);
        REQUIRE((b == 0 || t[b - 1] == '\n'));
        REQUIRE((e == t.size() || t[e] == '\n'));
        out.emplace(s.doc, b, e);
    }
    return out;
}

}  // namespace

TEST_CASE("find_boilerplate_lines matches the brute-force reference", "[clean][lines]") {
    for (std::uint64_t seed = 1; seed <= 80; ++seed) {
        const auto texts = make_corpus(seed, 5 + seed % 40);
        for (const std::size_t min_docs : {std::size_t{2}, std::size_t{3}, std::size_t{6}}) {
            for (const bool fold : {true, false}) {
                for (const bool all : {false, true}) {
                    ditto::boilerplate_options o;
                    o.min_docs = min_docs;
                    o.fold_digits = fold;
                    o.remove = all ? ditto::remove_rule::all : ditto::remove_rule::copies;
                    INFO("seed " << seed << " min_docs " << min_docs << " fold " << fold << " all " << all);
                    const auto spans = ditto::find_boilerplate_lines(docs_of(texts), o);
                    REQUIRE(lines_of(texts, spans) == clean_test::reference_lines(texts, min_docs, fold, all));
                    // Kept lines: the first occurrence, never removed.
                    for (const auto& s : spans) {
                        if (all) {
                            REQUIRE(!s.kept);
                            continue;
                        }
                        REQUIRE(s.kept);
                        REQUIRE((s.kept->doc < s.doc || (s.kept->doc == s.doc && s.kept->begin < s.begin)));
                        for (const auto& r : spans) REQUIRE((r.doc != s.kept->doc || r.end <= s.kept->begin || r.begin >= s.kept->end));
                    }
                }
            }
        }
    }
}

TEST_CASE("find_boilerplate_lines: date stamps, keep-first, remove-all by hand", "[clean][lines]") {
    const std::vector<std::string> texts = {
        "Story one.\nPublished 12.03.2024 09:15",
        "Story two.\nPublished 07.11.2023 18:40\n",
        "PUBLISHED 01.01.2025 00:00\nStory three.",
        "Story four, unrelated.",
    };
    ditto::boilerplate_options o;
    o.min_docs = 3;
    o.remove = ditto::remove_rule::copies;
    auto spans = ditto::find_boilerplate_lines(docs_of(texts), o);
    REQUIRE(spans.size() == 2);
    CHECK(spans[0] == ditto::removed_span{1, 11, 38, ditto::span_kind::line, ditto::text_location{0, 11, 37}});
    CHECK(spans[1] == ditto::removed_span{2, 0, 27, ditto::span_kind::line, ditto::text_location{0, 11, 37}});
    o.remove = ditto::remove_rule::all;
    spans = ditto::find_boilerplate_lines(docs_of(texts), o);
    REQUIRE(spans.size() == 3);
    CHECK(spans[0] == ditto::removed_span{0, 10, 37, ditto::span_kind::line, std::nullopt});  // the "\n" before it
    o.fold_digits = false;
    CHECK(ditto::find_boilerplate_lines(docs_of(texts), o).empty());
    o.min_docs = 4;
    o.fold_digits = true;
    CHECK(ditto::find_boilerplate_lines(docs_of(texts), o).empty());
    // Non-ASCII decimal digits fold too (Arabic-Indic).
    const std::vector<std::string> arabic = {"a\n\xd9\xa1\xd9\xa2 news", "b\n\xd9\xa3\xd9\xa4 news", "c\n45 news"};
    o.min_docs = 3;
    CHECK(ditto::find_boilerplate_lines(docs_of(arabic), o).size() == 3);
}

TEST_CASE("find_boilerplate_lines: every line of a document removed, last lines", "[clean][lines]") {
    const std::vector<std::string> texts = {"x\nPromo line\nRead more", "Promo line\nRead more", "Promo line\nRead more"};
    ditto::boilerplate_options o;
    o.min_docs = 3;
    o.remove = ditto::remove_rule::all;
    const auto spans = ditto::find_boilerplate_lines(docs_of(texts), o);
    // Spans of one document never overlap: the last line's span starts after the line before's.
    REQUIRE(spans.size() == 6);
    CHECK(spans[0].begin == 2);
    CHECK(spans[0].end == 13);
    CHECK(spans[1].begin == 13);
    CHECK(spans[1].end == 22);
    CHECK(spans[2].begin == 0);
    CHECK(spans[3].begin == 11);
}

TEST_CASE("find_boilerplate_lines does not depend on the thread count", "[clean][lines]") {
    const auto texts = make_corpus(99, 3000);
    ditto::boilerplate_options o;
    o.min_docs = 4;
    const auto one = ditto::find_boilerplate_lines(docs_of(texts), o);
    for (const std::size_t threads : {std::size_t{2}, std::size_t{3}, std::size_t{8}}) {
        ditto::thread_pool pool(threads);
        REQUIRE(ditto::find_boilerplate_lines(docs_of(texts), o, pool) == one);
    }
}

TEST_CASE("a line repeated 10^5 times stays linear", "[clean][lines]") {
    std::vector<std::string> texts;
    std::string one;
    for (int i = 0; i < 100000; ++i) one += "Subscribe to our newsletter\n";
    texts.push_back(one);
    for (int i = 0; i < 100000; ++i) {
        std::string body = "Body ";  // unique in letters (digits would fold into one line)
        for (int x = i; x > 0; x /= 26) body += static_cast<char>('a' + x % 26);
        texts.push_back(body + "\nSubscribe to our newsletter");
    }
    ditto::thread_pool pool(2);
    ditto::boilerplate_options o;
    o.remove = ditto::remove_rule::copies;
    const auto spans = ditto::find_boilerplate_lines(docs_of(texts), o, pool);
    // Every occurrence but the first line of document 0.
    REQUIRE(spans.size() == 199999);
    CHECK(spans[0].doc == 0);
    CHECK(spans[0].begin == 28);
    CHECK(spans.back().doc == 100000);
}

TEST_CASE("find_boilerplate_lines: options and odd input", "[clean][lines]") {
    ditto::boilerplate_options o;
    o.min_docs = 1;
    const std::vector<std::string> texts = {"\xff\xfe\n\x01\x02", "", "\n\n\n", "\xc3"};
    CHECK_THROWS_AS(ditto::find_boilerplate_lines(docs_of(texts), o), std::invalid_argument);
    o.min_docs = 2;
    CHECK(ditto::find_boilerplate_lines(docs_of(texts), o).empty());
    const std::vector<std::string> bad = {"\xff line", "\xfe line", "\xfd line"};
    o.min_docs = 3;
    // Each invalid byte is replaced by U+FFFD: the three lines normalize alike (all removed).
    CHECK(ditto::find_boilerplate_lines(docs_of(bad), o).size() == 3);
}
