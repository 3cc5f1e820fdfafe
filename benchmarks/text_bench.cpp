// Throughput of the text layer on deterministic generated text, one core, in MB/s of *input*
// bytes (the text as given, before normalization) unless a figure says otherwise.
//
// Figures per sample:
//   byte_scan                     summing the bytes: the memory-speed baseline
//   validate                      UTF-8 validation
//   normalize                     the normalizer (canonical equivalence on, the default)
//   normalize_without_canonical   the same with canonical_equivalence off: what NFC costs
//   tokenize_blocks               for_each_token, the block scanner the shingler and the pipeline
//                                 use, over the normalized text (MB/s of input bytes whose
//                                 normalized text it scans)
//   tokenize_range                the range tokenizer (token_range), same accounting, for reference
//   normalize_tokenize_shingle5   what ditto::dedup does per text: normalize into a reused string,
//                                 then word 5-shingle hashes through the block scanner
//   fused_normalize_tokenize_shingle5
//                                 the same hashes from normalizing_word_shingler: one pass over
//                                 the raw text, no normalized string
//
// Samples: "latin" and "cyrillic_cjk" (small fixed vocabularies, kept for comparison with earlier
// figures) and "mixed" (generated: paragraphs in nine scripts with a vocabulary of about 20,000
// words per script drawn with a Zipf-like law; capitals, numbers, punctuation, typographic quotes,
// and a few words in decomposed form).
//
// Usage: text_bench [--size MB] [--repeat N] [--json]
//   --size    size of each sample in MB (default 128)
//   --repeat  runs per figure; the fastest is reported (default 3)
//   --json    one JSON object per figure: {"name": ..., "value": ..., "unit": ...}

#include <ditto/ditto.hpp>
#include <ditto/text/normalizing_shingler.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using bench::best_seconds;
using bench::figure;
using bench::sink;

std::string utf8(char32_t c) {
    char buffer[4];
    return std::string(buffer, ditto::encode_utf8(c, buffer));
}

// One script of the mixed sample: syllables from which words are built, and how words join.
struct script {
    std::vector<std::string> syllables;
    bool spaces = true;         // words separated by spaces (Thai and CJK: no)
    bool capitals = false;      // sentence-initial capital (ASCII or Cyrillic/Greek upper case)
    std::string full_stop = ". ";
};

std::vector<std::string> from_ranges(std::initializer_list<std::pair<char32_t, char32_t>> ranges) {
    std::vector<std::string> out;
    for (const auto& [lo, hi] : ranges)
        for (char32_t c = lo; c <= hi; ++c) out.push_back(utf8(c));
    return out;
}

std::vector<std::string> combine(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out;
    for (const auto& x : a)
        for (const auto& y : b) out.push_back(x + y);
    return out;
}

std::vector<script> mixed_scripts() {
    std::vector<script> s;
    // English-like and German/French-like Latin, with accented letters.
    s.push_back({combine({"b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "ch"},
                         {"a", "e", "i", "o", "u", "ea", "ou", "er", "an", "in", "on", "al"}),
                 true, true});
    s.push_back({combine({"b", "d", "f", "g", "h", "k", "l", "m", "n", "r", "s", "t", "z", "sch", "qu"},
                         {"a", "e", "i", "o", "u", "ä", "ö", "ü", "é", "è", "ê", "ß", "ei", "au"}),
                 true, true});
    // Russian-like Cyrillic, Greek.
    s.push_back({combine(from_ranges({{0x0431, 0x0434}, {0x043A, 0x043D}, {0x043F, 0x0442}}),
                         from_ranges({{0x0430, 0x0430}, {0x0435, 0x0435}, {0x0438, 0x0438}, {0x043E, 0x043E},
                                      {0x0443, 0x0443}, {0x044B, 0x044B}, {0x044F, 0x044F}})),
                 true, true});
    s.push_back({combine(from_ranges({{0x03B2, 0x03B4}, {0x03BA, 0x03BD}, {0x03C0, 0x03C4}}),
                         from_ranges({{0x03B1, 0x03B1}, {0x03B5, 0x03B5}, {0x03B9, 0x03B9}, {0x03BF, 0x03BF},
                                      {0x03AC, 0x03AC}, {0x03AD, 0x03AD}, {0x03CC, 0x03CC}})),
                 true, true});
    // Arabic, Devanagari (consonant + vowel sign), Thai (no spaces), Chinese and Japanese (no
    // spaces), Korean hangul syllables.
    s.push_back({from_ranges({{0x0628, 0x063A}, {0x0641, 0x064A}}), true, false, ". "});
    s.push_back({combine(from_ranges({{0x0915, 0x0939}}),
                         {"", utf8(0x093E), utf8(0x093F), utf8(0x0940), utf8(0x0947), utf8(0x094B), utf8(0x094D)}),
                 true, false, "। "});
    s.push_back({combine(from_ranges({{0x0E01, 0x0E2E}}), {"", utf8(0x0E32), utf8(0x0E34), utf8(0x0E48), utf8(0x0E31)}),
                 false, false, " "});
    s.push_back({from_ranges({{0x4E00, 0x4FFF}, {0x3042, 0x3093}}), false, false, "。"});
    s.push_back({from_ranges({{0xAC00, 0xAFFF}}), true, false, ". "});
    return s;
}

// Words per script: 20,000 made of 1–4 syllables, drawn by a Zipf-like law (rank r with
// probability about 1/r), so common words repeat and rare ones are many.
std::string make_mixed(std::size_t bytes) {
    bench::generator g{0x5eed1234};
    const auto scripts = mixed_scripts();
    constexpr std::size_t vocabulary = 20000;
    std::vector<std::vector<std::string>> words(scripts.size());
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        for (std::size_t w = 0; w < vocabulary; ++w) {
            std::string word;
            const std::size_t syllables = 1 + g.below(w < 100 ? 2 : 4);
            for (std::size_t k = 0; k < syllables; ++k) word += scripts[i].syllables[g.below(scripts[i].syllables.size())];
            words[i].push_back(word);
        }
    }
    // Zipf by inverse transform of a log-uniform rank.
    const auto zipf = [&] {
        const double u = static_cast<double>(g.below(1u << 30)) / static_cast<double>(1u << 30);
        return std::min(vocabulary - 1, static_cast<std::size_t>(std::exp(u * std::log(double(vocabulary)))) - 1);
    };
    std::string out;
    out.reserve(bytes + 1024);
    while (out.size() < bytes) {
        const std::size_t s = g.below(scripts.size());
        const auto& sc = scripts[s];
        const std::size_t sentences = 1 + g.below(6);
        for (std::size_t k = 0; k < sentences; ++k) {
            const std::size_t length = 5 + g.below(20);
            for (std::size_t w = 0; w < length; ++w) {
                std::string word = words[s][zipf()];
                const std::size_t r = g.below(100);
                if (r < 2) word = std::to_string(g.below(10000));
                if (w == 0 && sc.capitals) {
                    // Upper-case the first letter: ASCII, or Cyrillic/Greek by their offsets.
                    const auto d = ditto::decode_utf8(word, 0);
                    char32_t c = d.code_point;
                    if (c >= 'a' && c <= 'z') c -= 32;
                    else if (c >= 0x0430 && c <= 0x044F) c -= 32;
                    else if (c >= 0x03B1 && c <= 0x03C9 && c != 0x03C2) c -= 32;
                    word = utf8(c) + word.substr(d.length);
                }
                if (r == 3 && s == 1) {  // a decomposed accent now and then
                    const auto at = word.find("é");
                    if (at != std::string::npos) word.replace(at, 2, "e\xCC\x81");
                }
                if (r == 4) word = "„" + word + "“";
                out += word;
                if (w + 1 < length) out += sc.spaces ? (g.below(12) == 0 ? ", " : " ") : "";
            }
            out += sc.full_stop;
        }
        out += g.below(3) == 0 ? "\n\n" : "\n";
    }
    return out;
}

void measure(const std::string& label, const std::string& text, int repeat, std::vector<figure>& figures) {
    const double mb = static_cast<double>(text.size()) / 1e6;
    const ditto::normalizer normalizer;
    ditto::normalize_options no_nfc;
    no_nfc.canonical_equivalence = false;
    const ditto::normalizer without_canonical(no_nfc);
    const ditto::word_shingler<> shingler(5);
    std::string normalized;
    normalizer.normalize(text, normalized);

    const double scan = best_seconds(repeat, [&] {
        std::uint64_t sum = 0;
        for (const char c : text) sum += static_cast<unsigned char>(c);
        sink = sum;
    });
    const double validate = best_seconds(repeat, [&] { sink = ditto::is_valid_utf8(text) ? 1 : 0; });
    std::string scratch;
    const double normalize = best_seconds(repeat, [&] {
        normalizer.normalize(text, scratch);
        sink = scratch.size();
    });
    const double normalize_plain = best_seconds(repeat, [&] {
        without_canonical.normalize(text, scratch);
        sink = scratch.size();
    });
    const double tokenize_blocks = best_seconds(repeat, [&] {
        std::uint64_t count = 0;
        ditto::for_each_token(normalized, [&](const ditto::token& t) { count += t.text.size(); });
        sink = count;
    });
    const double tokenize_range = best_seconds(repeat, [&] {
        std::uint64_t count = 0;
        for (const auto& t : ditto::word_tokenizer{}(normalized)) count += t.text.size();
        sink = count;
    });
    const double pipeline = best_seconds(repeat, [&] {
        std::uint64_t x = 0;
        normalizer.normalize(text, scratch);
        shingler(scratch, [&](std::uint64_t h) { x ^= h; });
        sink = x;
    });
    const ditto::normalizing_word_shingler<> fused(ditto::normalize_options{}, 5);
    const double fused_pipeline = best_seconds(repeat, [&] {
        std::uint64_t x = 0;
        fused(text, [&](std::uint64_t h) { x ^= h; });
        sink = x;
    });
    {  // the fused pass must give the same hashes, or its figure means nothing
        std::vector<std::uint64_t> a, b;
        normalizer.normalize(text, scratch);
        shingler(scratch, [&](std::uint64_t h) { a.push_back(h); });
        fused(text, [&](std::uint64_t h) { b.push_back(h); });
        if (a != b) {
            std::fprintf(stderr, "text_bench: fused shingles differ from the reference on %s\n", label.c_str());
            std::exit(1);
        }
    }
    const auto add = [&](const std::string& what, double seconds) {
        figures.push_back({label + "/" + what, mb / seconds, "MB/s"});
        figures.push_back({label + "/" + what + "/ratio_to_byte_scan", scan / seconds, "x"});
    };
    figures.push_back({label + "/byte_scan", mb / scan, "MB/s"});
    add("validate", validate);
    add("normalize", normalize);
    add("normalize_without_canonical", normalize_plain);
    add("tokenize_blocks", tokenize_blocks);
    add("tokenize_range", tokenize_range);
    add("normalize_tokenize_shingle5", pipeline);
    add("fused_normalize_tokenize_shingle5", fused_pipeline);
    figures.push_back({label + "/normalized_bytes_per_input_byte",
                       static_cast<double>(normalized.size()) / static_cast<double>(text.size()), "x"});
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t size_mb = 128, repeat = 3;
    bench::options opts;
    opts.numbers = {{"--size", &size_mb}, {"--repeat", &repeat}};
    opts.parse(argc, argv, "text_bench [--size MB] [--repeat N] [--json]");
    std::vector<figure> figures;
    measure("latin", bench::make_latin(size_mb * 1000000), static_cast<int>(repeat), figures);
    measure("cyrillic_cjk", bench::make_cyrillic_cjk(size_mb * 1000000), static_cast<int>(repeat), figures);
    measure("mixed", make_mixed(size_mb * 1000000), static_cast<int>(repeat), figures);
    bench::print_figures(figures, opts.json);
    return 0;
}
