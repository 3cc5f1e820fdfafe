// Linking translations: generated originals and "translations" (the same anchors in other prose,
// some dropped, a figure changed), unrelated documents, abstention, the same result on any
// number of threads, the anchor diff by hand, and odd input.
#include <ditto/crosslingual/anchor_diff.hpp>
#include <ditto/crosslingual/translations.hpp>
#include <ditto/parallel.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

const char* const english[] = {"the", "council", "said", "on", "Tuesday", "that", "new", "lines", "will", "open", "in", "spring"};
const char* const russian[] = {"совет", "заявил", "во", "вторник", "что", "новые", "линии", "откроются", "весной", "в", "городе"};
const char* const german[] = {"der", "Rat", "sagte", "am", "Dienstag", "dass", "neue", "Linien", "im", "Frühjahr", "öffnen"};

std::string anchor_token(ditto_test::rng& r) {
    switch (r.below(5)) {
    case 0: return std::to_string(r.below(100000));
    case 1: return std::to_string(r.below(100)) + "," + std::to_string(r.below(10));
    case 2: return "https://news" + std::to_string(r.below(1000)) + ".example/" + std::to_string(r.below(100000));
    case 3: {
        std::string a;
        for (int i = 0; i < 3; ++i) a += static_cast<char>('A' + r.below(26));
        return a;
    }
    default: return "X" + std::to_string(r.below(1000)) + "b";
    }
}

// Prose in one language with the given anchors, in order, a few words between them.
std::string prose(ditto_test::rng& r, const std::vector<std::string>& anchors, const char* const* words, std::size_t count) {
    std::string out;
    for (const auto& a : anchors) {
        for (std::size_t i = 0, n = 1 + r.below(6); i < n; ++i) out += std::string(words[r.below(count)]) + " ";
        out += a + " ";
    }
    return out + words[0] + ".";
}

struct doc {
    std::string id, text;
};

}  // namespace

TEST_CASE("generated translations are linked to their originals, on any number of threads", "[crosslingual][translations]") {
    ditto_test::rng r{7};
    std::vector<std::vector<std::string>> stories(200);
    for (auto& s : stories)
        for (std::size_t i = 0, n = 12 + r.below(40); i < n; ++i) s.push_back(anchor_token(r));
    std::vector<doc> reference, others;
    for (std::size_t i = 0; i < stories.size(); ++i) reference.push_back({"ref" + std::to_string(i), prose(r, stories[i], english, 12)});
    // Translations of every fourth story: a tenth of its anchors dropped, one figure changed.
    std::vector<std::size_t> original;
    for (std::size_t i = 0; i < stories.size(); i += 4) {
        std::vector<std::string> kept;
        for (const auto& a : stories[i])
            if (r.below(10) != 0) kept.push_back(a);
        kept[kept.size() / 2] = "31337";
        const bool ru = i % 8 == 0;
        others.push_back({"tr" + std::to_string(i), prose(r, kept, ru ? russian : german, 11)});
        original.push_back(i);
    }
    // Unrelated documents with as many anchors, and one with too few.
    for (int i = 0; i < 20; ++i) {
        std::vector<std::string> own;
        for (int k = 0; k < 30; ++k) own.push_back(anchor_token(r));
        others.push_back({"new" + std::to_string(i), prose(r, own, german, 11)});
        original.push_back(static_cast<std::size_t>(-1));
    }
    others.push_back({"few", prose(r, {stories[0].begin(), stories[0].begin() + 5}, russian, 11)});
    original.push_back(static_cast<std::size_t>(-2));

    ditto::translation_options options;
    ditto::inline_executor one;
    const auto result = ditto::find_translations(reference, others, options, one);
    REQUIRE(result.size() == others.size());
    for (std::size_t i = 0; i < others.size(); ++i) {
        CAPTURE(others[i].id);
        const auto& t = result[i];
        if (original[i] == static_cast<std::size_t>(-2)) {
            CHECK(t.status == ditto::translation_status::abstained);
            CHECK(t.anchors == 5);
            CHECK(t.matches.empty());
        } else if (original[i] == static_cast<std::size_t>(-1)) {
            CHECK(t.status == ditto::translation_status::unmatched);
        } else {
            REQUIRE(t.status == ditto::translation_status::linked);
            REQUIRE(t.matches.size() == 1);
            CHECK(t.matches[0].reference == original[i]);
            CHECK(t.matches[0].score == Catch::Approx((t.matches[0].cosine + t.matches[0].lcs) / 2));
            CHECK(t.matches[0].score >= 0.25);
        }
    }
    // The same, byte for byte, on three threads, and with the character term on.
    ditto::thread_pool pool(3);
    const auto threaded = ditto::find_translations(reference, others, options, pool);
    for (std::size_t i = 0; i < others.size(); ++i) {
        CHECK(threaded[i].status == result[i].status);
        CHECK(threaded[i].matches.size() == result[i].matches.size());
        for (std::size_t k = 0; k < std::min(threaded[i].matches.size(), result[i].matches.size()); ++k) {
            CHECK(threaded[i].matches[k].reference == result[i].matches[k].reference);
            CHECK(threaded[i].matches[k].score == result[i].matches[k].score);
        }
    }
    options.chars = true;
    options.all = true;
    const auto with_chars = ditto::find_translations(reference, others, options, pool);
    const auto with_chars_one = ditto::find_translations(reference, others, options, one);
    for (std::size_t i = 0; i < others.size(); ++i) {
        REQUIRE(with_chars[i].matches.size() == with_chars_one[i].matches.size());
        for (std::size_t k = 0; k < with_chars[i].matches.size(); ++k) {
            const auto& m = with_chars[i].matches[k];
            CHECK(m.score == with_chars_one[i].matches[k].score);
            CHECK(m.score == Catch::Approx((m.cosine + m.lcs + m.chars) / 3));
            CHECK(m.score >= 0.25);
            if (k > 0) CHECK(with_chars[i].matches[k - 1].score >= m.score);
        }
    }
}

TEST_CASE("abstention, thresholds and odd input", "[crosslingual][translations]") {
    ditto::inline_executor ex;
    const std::string text = "NASA 1 2 3 4 5 6 7 8 9 10 11 https://a.example/x";
    const std::vector<std::string> reference{text, "", "\xFF\xFE", "nothing to see here"};
    ditto::translation_options o;
    // An empty reference links nothing.
    const std::vector<std::string> none;
    auto r = ditto::find_translations(none, std::vector<std::string>{text}, o, ex);
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == ditto::translation_status::unmatched);
    CHECK(!r[0].best);
    // Texts without anchors abstain, even with min_anchors 0.
    o.min_anchors = 0;
    r = ditto::find_translations(reference, std::vector<std::string>{"", "plain words only", "\xC3", text}, o, ex);
    CHECK(r[0].status == ditto::translation_status::abstained);
    CHECK(r[1].status == ditto::translation_status::abstained);
    CHECK(r[2].status == ditto::translation_status::abstained);
    REQUIRE(r[3].status == ditto::translation_status::linked);
    CHECK(r[3].matches[0].reference == 0);
    CHECK(r[3].matches[0].score == Catch::Approx(1.0));
    // A high threshold still takes an identical anchor sequence (document weights are floats: its
    // cosine is 1 within 1e-6); min_anchors above its 14 abstains.
    o.threshold = 0.9999;
    CHECK(ditto::find_translations(reference, std::vector<std::string>{text}, o, ex)[0].status == ditto::translation_status::linked);
    o.min_anchors = 15;
    CHECK(ditto::find_translations(reference, std::vector<std::string>{text}, o, ex)[0].status == ditto::translation_status::abstained);
    // Invalid options name the parameter.
    o = {};
    o.threshold = 1.5;
    try {
        (void)ditto::find_translations(reference, reference, o, ex);
        FAIL("threshold 1.5 accepted");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("threshold must be in [0, 1], got 1.5") != std::string::npos);
    }
    o = {};
    o.candidates = 0;
    CHECK_THROWS_AS(ditto::find_translations(reference, reference, o, ex), std::invalid_argument);
}

TEST_CASE("the anchor diff: shared anchors, one-sided anchors, changed figures", "[crosslingual][diff]") {
    const std::string a = "The plan costs $4.2 million for 42 km, NASA says; 9,000 riders; see https://city.example/plan. Budget 2026.";
    const std::string b = "Der Plan kostet 4,6 Millionen Dollar für 42 km, sagt die NASA; 9.000 Fahrer; mehr: https://city.example/plan "
                          "und EU-Mittel, 2026, 17 Stationen.";
    const auto la = ditto::extract_anchors(a), lb = ditto::extract_anchors(b);
    const ditto::anchor_diff d = ditto::diff_anchors(la, lb);
    std::vector<std::string> shared, only_a, only_b, changed;
    for (const auto& [i, j] : d.shared) shared.emplace_back(la.text(i));
    for (const auto i : d.only_a) only_a.emplace_back(la.text(i));
    for (const auto j : d.only_b) only_b.emplace_back(lb.text(j));
    for (const auto& [i, j] : d.changed_figures) changed.push_back(std::string(la.text(i)) + ">" + std::string(lb.text(j)));
    CHECK(shared == std::vector<std::string>{"42", "nasa", "9.000", "city.example/plan", "2026"});
    CHECK(changed == std::vector<std::string>{"4.2>4.6"});
    CHECK(only_a.empty());
    CHECK(only_b == std::vector<std::string>{"eu", "17"});
    // Nothing shared: figures pair in order, the rest is one-sided.
    const auto x = ditto::extract_anchors("1 2 NASA"), y = ditto::extract_anchors("3 ESA");
    const auto e = ditto::diff_anchors(x, y);
    CHECK(e.shared.empty());
    REQUIRE(e.changed_figures.size() == 1);
    CHECK(e.changed_figures[0] == std::pair<std::size_t, std::size_t>{0, 0});
    CHECK(e.only_a == std::vector<std::size_t>{1, 2});
    CHECK(e.only_b == std::vector<std::size_t>{1});
    const auto empty = ditto::diff_anchors(ditto::anchor_list{}, ditto::anchor_list{});
    CHECK((empty.shared.empty() && empty.only_a.empty() && empty.only_b.empty() && empty.changed_figures.empty()));
}
