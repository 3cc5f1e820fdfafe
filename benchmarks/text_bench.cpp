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

#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using bench::best_seconds;
using bench::figure;
using bench::sink;

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
    std::size_t size_mb = 128, repeat = 3;
    bench::options opts;
    opts.numbers = {{"--size", &size_mb}, {"--repeat", &repeat}};
    opts.parse(argc, argv, "text_bench [--size MB] [--repeat N] [--json]");
    std::vector<figure> figures;
    measure("latin", bench::make_latin(size_mb * 1000000), static_cast<int>(repeat), figures);
    measure("cyrillic_cjk", bench::make_cyrillic_cjk(size_mb * 1000000), static_cast<int>(repeat), figures);
    bench::print_figures(figures, opts.json);
    return 0;
}
