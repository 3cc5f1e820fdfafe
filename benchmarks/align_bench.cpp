// Speed of ditto::diff, one core: two 1 MB documents (the second a copy of the first with
// paragraphs injected, words and figures changed and one block moved), and many pairs of 5 KB
// documents changed the same way.
//
// Usage: align_bench [--repeat N] [--pairs N] [--json]
//   --repeat  runs of the 1 MB diff; the fastest is reported (default 5)
//   --pairs   5 KB pairs to diff (default 20000)

#include <ditto/align.hpp>

#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

// A copy of text as a republishing site makes it: a promo line every `every` bytes, every 50th
// word replaced, digits bumped now and then, and the second quarter moved to the end.
std::string republish(const std::string& text, std::size_t every, bench::generator& g) {
    std::string out;
    std::size_t since = 0, words = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' && ++words % 50 == 0) {
            out += " changed";
            while (i + 1 < text.size() && text[i + 1] != ' ') ++i;
            continue;
        }
        out += (c >= '0' && c <= '8' && g.below(4) == 0) ? static_cast<char>(c + 1) : c;
        if (++since >= every && c == ' ') {
            out += "Join our channel for more news every day. ";
            since = 0;
        }
    }
    const std::size_t q = out.size() / 4;
    return out.substr(0, q) + out.substr(2 * q) + out.substr(q, q);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t repeat = 5, pair_count = 20000;
    bench::options opts;
    opts.numbers = {{"--repeat", &repeat}, {"--pairs", &pair_count}};
    opts.parse(argc, argv, "align_bench [--repeat N] [--pairs N] [--json]");
    bench::generator g{99};

    const std::string big_a = bench::make_latin(1000000);
    const std::string big_b = republish(big_a, 20000, g);
    std::size_t passages = 0;
    const double big_seconds = bench::best_seconds(static_cast<int>(repeat), [&] {
        const auto d = ditto::diff(big_a, big_b);
        passages = d.shared.size();
        bench::sink = d.changed_figures.size();
    });

    const std::string source = bench::make_latin(pair_count * 5000 / 4 + 10000);
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i < pair_count; ++i) {
        std::string a = source.substr((i * 1237) % (source.size() - 5000), 5000);
        std::string b = republish(a, 1500, g);
        pairs.emplace_back(std::move(a), std::move(b));
    }
    const double small_seconds = bench::best_seconds(1, [&] {
        std::size_t total = 0;
        for (const auto& [a, b] : pairs) total += ditto::diff(a, b).shared.size();
        bench::sink = total;
    });

    std::vector<bench::figure> figures{
        {"diff_1mb/milliseconds", big_seconds * 1e3, "ms"},
        {"diff_1mb/shared_passages", static_cast<double>(passages), "passages"},
        {"diff_1mb/throughput", 2.0 / big_seconds, "MB/s"},
        {"diff_5kb/pairs_per_second", static_cast<double>(pairs.size()) / small_seconds, "pairs/s"},
        {"diff_5kb/microseconds_per_pair", small_seconds / static_cast<double>(pairs.size()) * 1e6, "us"},
    };
    bench::print_figures(figures, opts.json);
    return 0;
}
