// Throughput of the text layer on a deterministic generated corpus, one core:
// validate, normalize, tokenize, and normalize + tokenize + word 5-shingle hashing, for mostly-Latin
// and for Cyrillic/CJK-heavy text, each against a byte-scan baseline (summing the bytes) measured
// in the same run.
//
// Usage: text_bench [--size MB] [--repeat N] [--json]
//   --size    corpus size per script mix in MB (default 128)
//   --repeat  runs per figure; the fastest is reported (default 3)
//   --json    one JSON object per figure: {"name": ..., "value": ..., "unit": ...}

#include <ditto/ditto.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

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

const char* const latin_words[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
    "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
    "council", "approved", "budget", "million", "dollars", "railway", "station", "university", "officials",
    "said", "spring", "government", "report", "published", "according", "minister", "percent", "inflation",
    "die", "der", "und", "Straße", "für", "Bürgermeisterin", "über", "Größe", "München", "sagte", "Prozent"};
const char* const cyrillic_words[] = {
    "и", "в", "не", "на", "что", "он", "с", "как", "это", "по", "городской", "совет", "одобрил",
    "строительство", "новых", "велодорожек", "вокзал", "университетом", "весной", "сообщили", "чиновники",
    "правительство", "процентов", "инфляция", "министр", "Москва", "России", "года"};
const char* const cjk_words[] = {"中国", "政府", "经济", "发展", "新闻", "报道", "城市", "大学", "东京", "日本",
                                 "ニュース", "政府は", "発表した", "한국", "정부", "발표했다"};

// Mostly Latin: English and some German, capitals at sentence starts, punctuation, typographic
// quotes now and then, numbers like 7,1 and 30.000.
std::string make_latin(std::size_t bytes) {
    generator g{0x1234567};
    std::string out;
    out.reserve(bytes + 256);
    bool sentence_start = true;
    while (out.size() < bytes) {
        const std::size_t r = g.below(100);
        std::string word = r < 3 ? std::to_string(g.below(100)) + "," + std::to_string(g.below(10))
                                 : latin_words[g.below(std::size(latin_words))];
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
std::string make_cyrillic_cjk(std::size_t bytes) {
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

volatile std::uint64_t sink;  // keeps results alive

void measure(const std::string& label, const std::string& text, int repeat, std::vector<figure>& figures) {
    const double mb = static_cast<double>(text.size()) / 1e6;
    const ditto::normalizer normalizer;
    const ditto::word_shingler<> shingler(5);
    std::string normalized;
    normalizer.normalize(text, normalized);

    const double scan = best_seconds(repeat, [&] {
        std::uint64_t sum = 0;
        for (const char c : text) sum += static_cast<unsigned char>(c);
        sink = sum;
    });
    const double validate = best_seconds(repeat, [&] { sink = ditto::is_valid_utf8(text) ? 1 : 0; });
    const double normalize = best_seconds(repeat, [&] {
        normalizer.normalize(text, normalized);
        sink = normalized.size();
    });
    const double tokenize = best_seconds(repeat, [&] {
        std::uint64_t count = 0;
        for (const auto& t : ditto::word_tokenizer{}(normalized)) count += t.text.size();
        sink = count;
    });
    std::string scratch;
    const double pipeline = best_seconds(repeat, [&] {
        std::uint64_t x = 0;
        normalizer.normalize(text, scratch);
        shingler(scratch, [&](std::uint64_t h) { x ^= h; });
        sink = x;
    });
    const auto add = [&](const std::string& what, double seconds) {
        figures.push_back({label + "/" + what, mb / seconds, "MB/s"});
        figures.push_back({label + "/" + what + "/ratio_to_byte_scan", scan / seconds, "x"});
    };
    figures.push_back({label + "/byte_scan", mb / scan, "MB/s"});
    add("validate", validate);
    add("normalize", normalize);
    add("tokenize", tokenize);
    add("normalize_tokenize_shingle5", pipeline);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t size_mb = 128;
    int repeat = 3;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--json") {
            json = true;
        } else if (arg == "--size" && i + 1 < argc) {
            size_mb = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--repeat" && i + 1 < argc) {
            repeat = std::atoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: text_bench [--size MB] [--repeat N] [--json]\n");
            return 2;
        }
    }
    if (size_mb < 1 || repeat < 1) {
        std::fprintf(stderr, "text_bench: --size and --repeat must be at least 1\n");
        return 2;
    }
    std::vector<figure> figures;
    measure("latin", make_latin(size_mb * 1000000), repeat, figures);
    measure("cyrillic_cjk", make_cyrillic_cjk(size_mb * 1000000), repeat, figures);
    for (const auto& f : figures) {
        if (json) {
            std::printf("{\"name\": \"%s\", \"value\": %.3f, \"unit\": \"%s\"}\n", f.name.c_str(), f.value, f.unit);
        } else {
            std::printf("%-52s %10.2f %s\n", f.name.c_str(), f.value, f.unit);
        }
    }
    return 0;
}
