#pragma once
// Shared by the benchmark programs: deterministic text generators, timing, peak memory, the
// figure printer and option parsing.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

namespace bench {

struct generator {
    std::uint64_t state;
    std::uint64_t next() {  // xorshift64*: deterministic on every platform
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DULL;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

inline const char* const latin_words[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
    "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
    "council", "approved", "budget", "million", "dollars", "railway", "station", "university", "officials",
    "said", "spring", "government", "report", "published", "according", "minister", "percent", "inflation",
    "die", "der", "und", "Straße", "für", "Bürgermeisterin", "über", "Größe", "München", "sagte", "Prozent"};
inline const char* const cyrillic_words[] = {
    "и", "в", "не", "на", "что", "он", "с", "как", "это", "по", "городской", "совет", "одобрил",
    "строительство", "новых", "велодорожек", "вокзал", "университетом", "весной", "сообщили", "чиновники",
    "правительство", "процентов", "инфляция", "министр", "Москва", "России", "года"};
inline const char* const cjk_words[] = {"中国", "政府", "经济", "发展", "新闻", "报道", "城市", "大学", "东京", "日本",
                                 "ニュース", "政府は", "発表した", "한국", "정부", "발표했다"};

// Mostly Latin: English and some German, capitals at sentence starts, punctuation, typographic
// quotes now and then, numbers like 7,1 and 30.000.
inline std::string make_latin(std::size_t bytes) {
    generator g{0x1234567};
    std::string out;
    out.reserve(bytes + 256);
    bool sentence_start = true;
    while (out.size() < bytes) {
        const std::size_t r = g.below(100);
        std::string word;
        if (r < 3) {  // one draw per statement: the operands of + are evaluated in no fixed order
            word = std::to_string(g.below(100));
            word += "," + std::to_string(g.below(10));
        } else {
            word = latin_words[g.below(std::size(latin_words))];
        }
        if (sentence_start && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 32);
        sentence_start = false;
        if (r == 4) word = "„" + word + "“";
        out += word;
        const std::size_t p = g.below(100);
        if (p < 8) {
            out += ". ";
            sentence_start = true;
        } else if (p < 12) {
            out += ", ";
        } else if (p < 13) {
            out += ".\n";
            sentence_start = true;
        } else {
            out += ' ';
        }
    }
    return out;
}

// Cyrillic/CJK heavy: Russian sentences interleaved with Chinese, Japanese and Korean runs.
inline std::string make_cyrillic_cjk(std::size_t bytes) {
    generator g{0x7654321};
    std::string out;
    out.reserve(bytes + 256);
    while (out.size() < bytes) {
        const std::size_t r = g.below(100);
        if (r < 60) {
            out += cyrillic_words[g.below(std::size(cyrillic_words))];
            out += g.below(10) == 0 ? ", " : " ";
        } else {
            out += cjk_words[g.below(std::size(cjk_words))];
            if (g.below(8) == 0) out += "。";
        }
    }
    return out;
}

struct figure {
    std::string name;
    double value;
    const char* unit;
};

// The fastest of `repeat` runs of f, in seconds.
template <class F>
double best_seconds(int repeat, F&& f) {
    double best = 1e300;
    for (int i = 0; i < repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::min(best, s);
    }
    return best;
}

inline volatile std::uint64_t sink;  // keeps results alive

/// Peak resident memory of this process so far, in bytes.
inline std::size_t peak_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

inline void print_figures(const std::vector<figure>& figures, bool json) {
    for (const auto& f : figures) {
        if (json) {
            std::printf("{\"name\": \"%s\", \"value\": %.3f, \"unit\": \"%s\"}\n", f.name.c_str(), f.value, f.unit);
        } else {
            std::printf("%-56s %12.2f %s\n", f.name.c_str(), f.value, f.unit);
        }
    }
    std::fflush(stdout);
}

/// Parses "--name value" options (unsigned integers) and the --json flag; prints usage and
/// exits with status 2 on anything else.
struct options {
    std::vector<std::pair<std::string, std::size_t*>> numbers;
    bool json = false;

    void parse(int argc, char** argv, const char* usage) {
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg == "--json") {
                json = true;
                continue;
            }
            bool known = false;
            for (auto& [name, target] : numbers) {
                if (arg == name && i + 1 < argc) {
                    char* end = nullptr;
                    const unsigned long long v = std::strtoull(argv[++i], &end, 10);
                    if (*end != '\0' || v == 0) {
                        std::fprintf(stderr, "%s must be a positive integer\nusage: %s\n", name.c_str(), usage);
                        std::exit(2);
                    }
                    *target = static_cast<std::size_t>(v);
                    known = true;
                }
            }
            if (!known) {
                std::fprintf(stderr, "usage: %s\n", usage);
                std::exit(2);
            }
        }
    }
};

}  // namespace bench
