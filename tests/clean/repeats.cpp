// Repeated passages against the brute-force reference, on generated corpora in Latin, Cyrillic and
// CJK script with planted passages; thread counts; a passage repeated 10^5 times.
#include <ditto/clean/repeats.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "clean/reference.hpp"
#include "support/catch.hpp"

namespace {

// A word of a script, unique by its number when unique is set (so filler never repeats).
std::string make_word(std::mt19937_64& rng, int script, std::size_t number, bool unique) {
    static const char* latin[] = {"river", "council", "bridge", "harbour", "vote", "plan", "station", "night"};
    static const char* cyrillic[] = {"город", "мост", "совет", "река", "план", "вокзал", "ночь", "год"};
    static const char* cjk[] = {"市", "桥", "河", "会", "议", "站", "夜", "年", "学", "中"};
    std::string w;
    switch (script) {
        case 0: w = latin[rng() % 8]; break;
        case 1: w = cyrillic[rng() % 8]; break;
        default:
            // Numbers on both sides, so a window reaching into unique filler always holds one.
            return unique ? std::to_string(number) + cjk[rng() % 10] + std::to_string(number) : std::string(cjk[rng() % 10]);
    }
    if (unique) w += std::to_string(number);
    return w;
}

std::string separator(std::mt19937_64& rng, int script) {
    if (script == 2) return rng() % 4 == 0 ? "，" : "";  // ideographs need no separator
    switch (rng() % 8) {
        case 0: return ", ";
        case 1: return ". ";
        case 2: return "\n";
        case 3: return " - ";
        default: return " ";
    }
}

struct planted_corpus {
    std::vector<std::string> texts;
    // Each planted copy: doc, begin, end; copies[p][0] is the first occurrence.
    std::vector<std::vector<ditto::text_location>> copies;
};

// Documents of unique filler words with planted passages (each K..3K tokens) copied into random
// places, some twice into one document.
// unique_passages: every token of a passage is unique to it (so no window repeats by chance).
planted_corpus make_corpus(std::uint64_t seed, std::size_t docs, std::size_t k, bool unique_passages = false) {
    std::mt19937_64 rng(seed);
    std::size_t number = 0;
    const std::size_t passages = 1 + rng() % 6;
    std::vector<std::string> passage_text(passages);
    for (auto& p : passage_text) {
        const int script = static_cast<int>(rng() % 3);
        const std::size_t length = k + rng() % (2 * k + 1);
        for (std::size_t i = 0; i < length; ++i) {
            p += make_word(rng, script, unique_passages ? 1000000 + ++number : 0, unique_passages);
            if (i + 1 < length) p += separator(rng, script);
        }
    }
    planted_corpus c;
    c.copies.resize(passages);
    // Plan: which passages go where, in document order.
    for (std::size_t d = 0; d < docs; ++d) {
        const int script = static_cast<int>(rng() % 3);
        std::string text;
        const std::size_t pieces = 1 + rng() % 6;
        for (std::size_t piece = 0; piece < pieces; ++piece) {
            if (!text.empty()) text += script == 2 ? "" : " ";
            if (rng() % 3 == 0) {
                const std::size_t p = rng() % passages;
                if (!text.empty() && script == 2) text += " ";
                c.copies[p].push_back({d, text.size(), text.size() + passage_text[p].size()});
                text += passage_text[p];
                text += " ";
                // With unique passages, unique filler after each copy: a window across two
                // adjacent copies would be a first occurrence of its own, kept whole.
                if (unique_passages) text += make_word(rng, script, ++number, true) + " ";
            } else {
                const std::size_t words = rng() % (2 * k);
                for (std::size_t i = 0; i < words; ++i) {
                    text += make_word(rng, script, ++number, true);
                    text += separator(rng, script);
                }
            }
        }
        c.texts.push_back(text);
    }
    return c;
}

struct doc {
    std::string_view text;
};

std::vector<doc> docs_of(const std::vector<std::string>& texts) {
    std::vector<doc> out;
    for (const auto& t : texts) out.push_back({t});
    return out;
}

// Checks spans against the reference and the promises every span keeps.
void check(const std::vector<std::string>& texts, const std::vector<ditto::removed_span>& spans, std::size_t k,
           bool remove_all) {
    const auto want = clean_test::reference_passages(texts, k, remove_all);
    const auto got = clean_test::span_bytes(texts, spans);
    for (std::size_t d = 0; d < texts.size(); ++d) {
        INFO("document " << d << ": " << texts[d]);
        REQUIRE(got[d] == want[d]);
    }
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const auto& s = spans[i];
        REQUIRE(s.kind == ditto::span_kind::passage);
        REQUIRE(s.begin < s.end);
        if (i > 0 && spans[i - 1].doc == s.doc) REQUIRE(spans[i - 1].end <= s.begin);
        if (i > 0) REQUIRE(spans[i - 1].doc <= s.doc);
        // Token boundaries: the span ends at a token's end and starts at a token's start or end.
        const auto toks = clean_test::tokens_of(texts[s.doc]);
        REQUIRE(std::any_of(toks.begin(), toks.end(), [&](const auto& t) { return t.end == s.end; }));
        REQUIRE(std::any_of(toks.begin(), toks.end(), [&](const auto& t) { return t.begin == s.begin || t.end == s.begin; }));
        if (remove_all) {
            REQUIRE(!s.kept);
            continue;
        }
        REQUIRE(s.kept);
        const auto& kept = *s.kept;
        // The kept bytes equal the removed ones, come earlier, and are not removed.
        REQUIRE(std::string_view(texts[kept.doc]).substr(kept.begin, kept.end - kept.begin) ==
                std::string_view(texts[s.doc]).substr(s.begin, s.end - s.begin));
        REQUIRE((kept.doc < s.doc || (kept.doc == s.doc && kept.begin < s.begin)));
    }
}

}  // namespace

TEST_CASE("find_repeats matches the brute-force reference on planted corpora", "[clean][repeats]") {
    for (std::uint64_t seed = 1; seed <= 120; ++seed) {
        const std::size_t k = 1 + seed % 9;
        const planted_corpus c = make_corpus(seed, 2 + seed % 12, k);
        const auto docs = docs_of(c.texts);
        for (const bool all : {false, true}) {
            ditto::repeat_options o;
            o.min_tokens = k;
            o.remove = all ? ditto::remove_rule::all : ditto::remove_rule::copies;
            INFO("seed " << seed << " k " << k << (all ? " all" : " copies"));
            const auto spans = ditto::find_repeats(docs, o);
            check(c.texts, spans, k, all);
        }
    }
}

TEST_CASE("every planted copy is removed, its first occurrence kept, no filler touched", "[clean][repeats]") {
    for (std::uint64_t seed = 200; seed < 260; ++seed) {
        const std::size_t k = 4 + seed % 5;  // planted passages are longer than any chance repeat of words
        const planted_corpus c = make_corpus(seed, 6, k, true);
        ditto::repeat_options o;
        o.min_tokens = k;
        const auto spans = ditto::find_repeats(docs_of(c.texts), o);
        const auto removed = clean_test::span_bytes(c.texts, spans);
        std::vector<std::vector<bool>> planted(c.texts.size());
        for (std::size_t d = 0; d < c.texts.size(); ++d) planted[d].assign(c.texts[d].size(), false);
        for (const auto& copies : c.copies) {
            for (std::size_t i = 0; i < copies.size(); ++i) {
                const auto& at = copies[i];
                for (std::size_t b = at.begin; b < at.end; ++b) planted[at.doc][b] = true;
                // Tokens of the copy: all removed except in the first copy, where none is.
                for (const auto& t : clean_test::tokens_of(std::string_view(c.texts[at.doc]).substr(at.begin, at.end - at.begin)))
                    for (std::size_t b = at.begin + t.begin; b < at.begin + t.end; ++b)
                        REQUIRE(removed[at.doc][b] == (i > 0));
            }
        }
        // Every kept occurrence stays.
        for (const auto& s : spans)
            for (std::size_t b = s.kept->begin; b < s.kept->end; ++b) REQUIRE(!removed[s.kept->doc][b]);
        // Nothing outside planted copies goes (filler words are unique), separators aside.
        for (std::size_t d = 0; d < c.texts.size(); ++d)
            for (const auto& t : clean_test::tokens_of(c.texts[d]))
                if (!planted[d][t.begin]) REQUIRE(!removed[d][t.begin]);
    }
}

TEST_CASE("find_repeats: hand-checked spans", "[clean][repeats]") {
    const std::vector<std::string> texts = {
        "alpha beta gamma delta epsilon. one two",
        "zeta alpha beta gamma delta epsilon, three",
        "Москва река alpha beta gamma",
        "字字字学字字字学",
    };
    ditto::repeat_options o;
    o.min_tokens = 3;
    const auto spans = ditto::find_repeats(docs_of(texts), o);
    // "alpha beta gamma delta epsilon" again in document 1 (bytes 5..35), "alpha beta gamma" in
    // document 2, and "字字字" ... in document 3: its second half repeats its first.
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].doc == 1);
    CHECK(texts[1].substr(spans[0].begin, spans[0].end - spans[0].begin) == "alpha beta gamma delta epsilon");
    CHECK(spans[0].kept == ditto::text_location{0, 0, 30});
    CHECK(spans[1].doc == 2);
    CHECK(texts[2].substr(spans[1].begin, spans[1].end - spans[1].begin) == "alpha beta gamma");
    CHECK(spans[2].doc == 3);
    CHECK(texts[3].substr(spans[2].begin, spans[2].end - spans[2].begin) == "字字字学");
    CHECK(spans[2].kept == ditto::text_location{3, 0, 12});
    o.min_tokens = 6;
    CHECK(ditto::find_repeats(docs_of(texts), o).empty());
}

TEST_CASE("find_repeats does not depend on the thread count", "[clean][repeats]") {
    const planted_corpus c = make_corpus(77, 400, 5);
    const auto docs = docs_of(c.texts);
    ditto::repeat_options o;
    o.min_tokens = 5;
    const auto one = ditto::find_repeats(docs, o);
    for (const std::size_t threads : {std::size_t{2}, std::size_t{3}, std::size_t{8}}) {
        ditto::thread_pool pool(threads);
        REQUIRE(ditto::find_repeats(docs, o, pool) == one);
    }
}

TEST_CASE("find_repeats on a corpus large enough for the radix pass", "[clean][repeats]") {
    // About 60,000 windows: the sort goes through the bucket pass.
    const planted_corpus c = make_corpus(9, 3000, 3);
    const auto docs = docs_of(c.texts);
    ditto::repeat_options o;
    o.min_tokens = 3;
    ditto::thread_pool pool(2);
    ditto::repeat_stats st;
    const auto spans = ditto::find_repeats(docs, o, pool, &st);
    REQUIRE(st.windows > (std::size_t{1} << 15));
    REQUIRE(st.record_bytes == st.windows * 16);
    check(c.texts, spans, 3, false);
}

TEST_CASE("a passage repeated 10^5 times stays linear", "[clean][repeats]") {
    // One document holding the same sentence 100,000 times, and 1,000 documents each holding it.
    std::string storm;
    for (int i = 0; i < 100000; ++i) storm += "the same short line again. ";
    std::vector<std::string> texts = {storm};
    for (int i = 0; i < 1000; ++i) texts.push_back("unique" + std::to_string(i) + " the same short line again. end");
    ditto::repeat_options o;
    o.min_tokens = 5;
    ditto::thread_pool pool(2);
    const auto spans = ditto::find_repeats(docs_of(texts), o, pool);
    const auto removed = clean_test::span_bytes(texts, spans);
    // Every other document loses the sentence.
    // Every window's first occurrence overlaps the first sentence, so the first five tokens stay
    // ("the same short line again. "), and the final ". " after the last token.
    std::size_t kept = 0;
    for (std::size_t b = 0; b < storm.size(); ++b) if (!removed[0][b]) ++kept;
    CHECK(kept == std::string("the same short line again. ").size() + 2);
    for (std::size_t d = 1; d < texts.size(); ++d) {
        const auto at = texts[d].find("the same");
        for (std::size_t b = at; b < at + 25; ++b) REQUIRE(removed[d][b]);
        REQUIRE(!removed[d][0]);
    }
}

TEST_CASE("find_repeats: empty corpus, short texts, invalid UTF-8, options", "[clean][repeats]") {
    const std::vector<std::string> none;
    CHECK(ditto::find_repeats(docs_of(none)).empty());
    const std::vector<std::string> texts = {"", "a", "\xff\xfe a b c \xc3", "a b c \xe2\x82", "\x01\x02 a b c"};
    ditto::repeat_options o;
    o.min_tokens = 3;
    const auto spans = ditto::find_repeats(docs_of(texts), o);
    check(texts, spans, 3, false);
    o.min_tokens = 0;
    CHECK_THROWS_AS(ditto::find_repeats(docs_of(texts), o), std::invalid_argument);
    o.min_tokens = 65537;
    CHECK_THROWS_AS(ditto::find_repeats(docs_of(texts), o), std::invalid_argument);
}

TEST_CASE("find_repeats: confirmation through hash collisions and runs that match only in part", "[clean][repeats]") {
    // Keeping few bits of each window hash puts unrelated windows in one group: runs of
    // consecutive windows then meet firsts that differ in part, and the byte comparison must
    // still give the reference's answer.
    for (std::uint64_t seed = 300; seed < 340; ++seed) {
        const std::size_t k = 1 + seed % 6;
        const planted_corpus c = make_corpus(seed, 2 + seed % 9, k);
        std::vector<std::string_view> texts(c.texts.begin(), c.texts.end());
        for (const std::uint64_t mask : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0xf}, std::uint64_t{0xff}}) {
            for (const bool all : {false, true}) {
                ditto::repeat_options o;
                o.min_tokens = k;
                o.remove = all ? ditto::remove_rule::all : ditto::remove_rule::copies;
                INFO("seed " << seed << " k " << k << " mask " << mask << (all ? " all" : " copies"));
                ditto::inline_executor one;
                const auto spans = ditto::detail::repeats(std::span<const std::string_view>(texts), {}, o, one, nullptr, mask);
                check(c.texts, spans, k, all);
                ditto::thread_pool pool(3);
                REQUIRE(ditto::detail::repeats(std::span<const std::string_view>(texts), {}, o, pool, nullptr, mask) == spans);
            }
        }
    }
    // A copy that differs from its first in one token, every window in one group: the run of
    // consecutive windows is compared whole, fails, and each window is judged on its own.
    const std::vector<std::string> texts = {"one two three four five six seven", "one two three FOUR five six seven",
                                            "zero one two three four five six seven"};
    std::vector<std::string_view> views(texts.begin(), texts.end());
    ditto::repeat_options o;
    o.min_tokens = 3;
    ditto::inline_executor one;
    const auto masked = ditto::detail::repeats(std::span<const std::string_view>(views), {}, o, one, nullptr, 0);
    check(texts, masked, 3, false);
    REQUIRE(masked == ditto::find_repeats(docs_of(texts), o));
}

TEST_CASE("find_repeats: 10^5 identical texts are confirmed in linear time", "[clean][repeats]") {
    std::string text;
    for (int i = 0; i < 60; ++i) text += "word" + std::to_string(i) + (i % 7 == 6 ? ". " : " ");
    text.pop_back();
    std::vector<std::string> texts(100000, text);
    texts.push_back("before " + text + " after");
    ditto::repeat_options o;  // 40 tokens
    ditto::thread_pool pool(2);
    ditto::repeat_stats st;
    const auto spans = ditto::find_repeats(docs_of(texts), o, pool, &st);
    REQUIRE(st.confirmed_windows + 2 == st.windows);  // all but the two holding "before" or "after"
    REQUIRE(spans.size() == texts.size() - 1);
    for (std::size_t d = 1; d < texts.size(); ++d) {
        const auto& s = spans[d - 1];
        REQUIRE(s.doc == d);
        REQUIRE(texts[d].substr(s.begin, s.end - s.begin) == text);
        REQUIRE(s.kept == ditto::text_location{0, 0, text.size()});
    }
}

TEST_CASE("find_repeats under a memory budget spills sorted runs and gives the same spans", "[clean][repeats][spill]") {
    // In-memory streams count the runs; a budget of a few records makes hundreds of them.
    std::size_t streams = 0;
    const ditto::temporary_streams in_memory = [&streams]() -> std::unique_ptr<std::iostream> {
        ++streams;
        return std::make_unique<std::stringstream>(std::ios::in | std::ios::out | std::ios::binary);
    };
    for (std::uint64_t seed = 400; seed < 420; ++seed) {
        const std::size_t k = 1 + seed % 7;
        const planted_corpus c = make_corpus(seed, 3 + seed % 20, k);
        const auto docs = docs_of(c.texts);
        for (const bool all : {false, true}) {
            ditto::repeat_options o;
            o.min_tokens = k;
            o.remove = all ? ditto::remove_rule::all : ditto::remove_rule::copies;
            const auto want = ditto::find_repeats(docs, o);
            for (const std::size_t budget : {std::size_t{16}, std::size_t{100}, std::size_t{4096}, std::size_t{1} << 30}) {
                INFO("seed " << seed << " budget " << budget);
                o.memory_bytes = budget;
                o.temporary = in_memory;
                streams = 0;
                ditto::repeat_stats st;
                ditto::inline_executor one;
                REQUIRE(ditto::find_repeats(docs, o, one, &st) == want);
                REQUIRE(st.runs == streams);
                if (budget == 16) REQUIRE(st.runs + 1 >= st.windows);  // a run per record
                ditto::thread_pool pool(3);
                REQUIRE(ditto::find_repeats(docs, o, pool) == want);
            }
        }
    }
    // Hash collisions and a storm through the runs.
    std::vector<std::string> texts(2000, "the same short line again and again, the same");
    texts.push_back("one two three four five six seven eight");
    std::vector<std::string_view> views(texts.begin(), texts.end());
    ditto::repeat_options o;
    o.min_tokens = 3;
    ditto::inline_executor one;
    const auto want = ditto::detail::repeats(std::span<const std::string_view>(views), {}, o, one, nullptr, 0xff);
    o.memory_bytes = 1000;  // 62 records a run: runs of 64 runs are merged, twice over
    o.temporary = in_memory;
    ditto::repeat_stats st;
    REQUIRE(ditto::detail::repeats(std::span<const std::string_view>(views), {}, o, one, &st, 0xff) == want);
    REQUIRE(st.windows > 62 * 64 * 2);
    REQUIRE(st.runs > st.windows / 62);
    check(texts, want, 3, false);
    // Files in a folder: none is left.
    const auto folder = std::filesystem::temp_directory_path() / ("ditto-repeats-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(folder);
    o.temporary = ditto::temporary_files_in(folder);
    REQUIRE(ditto::detail::repeats(std::span<const std::string_view>(views), {}, o, one, nullptr, 0xff) == want);
    CHECK(std::filesystem::is_empty(folder));
    std::filesystem::remove_all(folder);
    o.temporary = nullptr;
    CHECK_THROWS_AS(ditto::find_repeats(docs_of(texts), o), std::invalid_argument);
}
