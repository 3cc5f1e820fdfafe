// Finds the near-copies among a handful of short news articles by exact word-shingle Jaccard
// similarity over normalized text: the text layer (normalize, tokenize, shingle) end to end.
//
// Usage: near_duplicates [threshold]   (default 0.5)

#include <ditto/ditto.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

struct article {
    std::string_view id;
    std::string_view text;
};

// Republished copies carry an injected promo line, a "read more" line, a changed figure or
// typographic quotes; the unrelated articles share only the site's boilerplate.
constexpr article articles[] = {
    {"en-original",
     "The city council approved a budget of 30,000 dollars for new bicycle lanes on Tuesday. The lanes will "
     "connect the railway station with the university campus and should open next spring, officials said."},
    {"en-copy-promo",
     "JOIN OUR CHANNEL for breaking news every morning! The city council approved a budget of 30,000 dollars "
     "for new bicycle lanes on Tuesday. The lanes will connect the railway station with the university campus "
     "and should open next spring, officials said. Read more: example.com/news"},
    {"en-copy-figure",
     "The City Council approved a budget of 35,000 dollars for new bicycle lanes on Tuesday. The lanes will "
     "connect the railway station with the university campus and should open next spring, officials said."},
    {"de-original",
     "Die Stadt hat am Dienstag „neue Radwege“ beschlossen. Die Inflation lag zuletzt bei 7,1 Prozent, "
     "dennoch sollen die Wege bis zum Frühjahr fertig sein, sagte die Bürgermeisterin."},
    {"de-copy",
     "DIE STADT hat am Dienstag \"neue Radwege\" beschlossen. Die Inflation lag zuletzt bei 7,1 Prozent, "
     "dennoch sollen die Wege bis zum Frühjahr fertig sein, sagte die Bürgermeisterin. Mehr lesen – 12.03.2026"},
    {"ru-original",
     "Городской совет во вторник одобрил строительство новых велодорожек. Дорожки соединят вокзал с "
     "университетом и откроются весной, сообщили чиновники."},
    {"ru-copy",
     "Подписывайтесь на наш канал! Городской совет во вторник одобрил строительство новых велодорожек. "
     "Дорожки соединят вокзал с университетом и откроются весной, сообщили чиновники."},
    {"en-unrelated",
     "A local bakery won the regional bread contest with a rye loaf baked in a wood oven. Read more: "
     "example.com/news"},
};

std::unordered_set<std::uint64_t> shingle_set(std::string_view text) {
    static const ditto::normalizer normalize;
    static const ditto::word_shingler<> shingles(5);
    std::unordered_set<std::uint64_t> set;
    shingles(normalize(text), [&](std::uint64_t h) { set.insert(h); });
    return set;
}

double jaccard(const std::unordered_set<std::uint64_t>& a, const std::unordered_set<std::uint64_t>& b) {
    if (a.empty() && b.empty()) return 0.0;
    std::size_t common = 0;
    for (const auto h : a) common += b.count(h);
    return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace

int main(int argc, char** argv) {
    const double threshold = argc > 1 ? std::atof(argv[1]) : 0.5;
    if (!(threshold > 0.0 && threshold <= 1.0)) {
        std::fprintf(stderr, "near_duplicates: threshold must be in (0, 1], got %s\n", argv[1]);
        return 2;
    }
    std::vector<std::unordered_set<std::uint64_t>> sets;
    for (const auto& a : articles) sets.push_back(shingle_set(a.text));
    std::printf("ditto %s: word 5-shingle Jaccard similarity >= %.2f among %zu articles\n\n", DITTO_VERSION_STRING,
                threshold, std::size(articles));
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t j = i + 1; j < sets.size(); ++j) {
            const double s = jaccard(sets[i], sets[j]);
            if (s < threshold) continue;
            std::printf("  %-16.*s ~ %-16.*s  %.3f\n", static_cast<int>(articles[i].id.size()), articles[i].id.data(),
                        static_cast<int>(articles[j].id.size()), articles[j].id.data(), s);
            ++pairs;
        }
    std::printf("\n%zu similar pairs\n", pairs);
    return 0;
}
