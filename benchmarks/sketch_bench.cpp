// Throughput of normalize + word 5-shingles + MinHash sketch, one core, on documents of about
// 2 KB cut from the deterministic mostly-Latin text. Shingles come from the path the pipeline
// uses, normalizing_word_shingler (one fused pass; "normalize_shingle5"); the older two-step path
// (normalize into a string, then word_shingler) is shown beside it as
// "normalize_then_shingle5". Then the default sketcher and the alternatives at
// 128 and 256 slots, the classic k-permutation reference on a slice (it is O(n K)), and the
// byte-scan baseline measured in the same run, with ratios; and the sketch step alone (on shingle
// hashes computed beforehand), default against classic, in documents per second.
//
// Usage: sketch_bench [--size MB] [--classic-size MB] [--repeat N] [--json]
//   --size          text per figure in MB (default 64)
//   --classic-size  text for the classic reference in MB (default 4)
//   --repeat        runs per figure; the fastest is reported (default 3)

#include <ditto/ditto.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.hpp"

namespace {

using bench::best_seconds;
using bench::figure;

// Cuts text into documents of about `size` bytes at spaces.
std::vector<std::string_view> split(std::string_view text, std::size_t size) {
    std::vector<std::string_view> docs;
    while (!text.empty()) {
        std::size_t cut = std::min(size, text.size());
        while (cut < text.size() && text[cut] != ' ') ++cut;
        docs.push_back(text.substr(0, cut));
        text.remove_prefix(cut);
    }
    return docs;
}

// The pipeline's shingles of doc into hashes (cleared first).
void pipeline_shingles(const ditto::normalizing_word_shingler<>& shingle, std::string_view doc, std::vector<std::uint64_t>& hashes) {
    hashes.clear();
    shingle.append_to(doc, hashes);
}

template <std::size_t K, class Sketcher>
double sketch_seconds(const std::vector<std::string_view>& docs, const Sketcher& sketcher, int repeat) {
    const ditto::normalizing_word_shingler<> shingle(ditto::normalize_options{}, 5);
    std::vector<std::uint64_t> hashes;
    return best_seconds(repeat, [&] {
        std::uint64_t x = 0;
        for (const auto doc : docs) {
            pipeline_shingles(shingle, doc, hashes);
            const auto sig = ditto::make_signature<K>(hashes, sketcher);
            x += sig[0];
        }
        bench::sink = x;
    });
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t size_mb = 64, classic_mb = 4, repeat = 3;
    bench::options opts;
    opts.numbers = {{"--size", &size_mb}, {"--classic-size", &classic_mb}, {"--repeat", &repeat}};
    opts.parse(argc, argv, "sketch_bench [--size MB] [--classic-size MB] [--repeat N] [--json]");
    const int runs = static_cast<int>(repeat);

    const std::string text = bench::make_latin(size_mb * 1000000);
    const std::vector<std::string_view> docs = split(text, 2000);
    const std::vector<std::string_view> classic_docs = split(std::string_view(text).substr(0, classic_mb * 1000000), 2000);
    const double mb = static_cast<double>(text.size()) / 1e6;
    const double classic_size = static_cast<double>(classic_docs.back().data() + classic_docs.back().size() - text.data()) / 1e6;

    {  // The two shingle paths must agree, or the figures compare different work.
        const ditto::normalizing_word_shingler<> fused(ditto::normalize_options{}, 5);
        const ditto::normalizer normalize;
        const ditto::word_shingler<> shingle(5);
        std::string scratch;
        std::vector<std::uint64_t> a, b;
        for (std::size_t i = 0; i < std::min<std::size_t>(docs.size(), 200); ++i) {
            pipeline_shingles(fused, docs[i], a);
            ditto::shingle_text(docs[i], normalize, shingle, scratch, b);
            if (a != b) {
                std::fprintf(stderr, "sketch_bench: the two shingle paths differ on document %zu\n", i);
                return 1;
            }
        }
    }
    const double scan = best_seconds(runs, [&] {
        std::uint64_t sum = 0;
        for (const char c : text) sum += static_cast<unsigned char>(c);
        bench::sink = sum;
    });
    const double shingle_only = best_seconds(runs, [&] {
        const ditto::normalizing_word_shingler<> shingle(ditto::normalize_options{}, 5);
        std::vector<std::uint64_t> hashes;
        std::uint64_t x = 0;
        for (const auto doc : docs) {
            pipeline_shingles(shingle, doc, hashes);
            x += hashes.size();
        }
        bench::sink = x;
    });
    const double two_step = best_seconds(runs, [&] {
        const ditto::normalizer normalize;
        const ditto::word_shingler<> shingle(5);
        std::string scratch;
        std::vector<std::uint64_t> hashes;
        std::uint64_t x = 0;
        for (const auto doc : docs) {
            ditto::shingle_text(doc, normalize, shingle, scratch, hashes);
            x += hashes.size();
        }
        bench::sink = x;
    });

    std::vector<figure> figures;
    figures.push_back({"latin_2kb/byte_scan", mb / scan, "MB/s"});
    figures.push_back({"latin_2kb/normalize_shingle5", mb / shingle_only, "MB/s"});
    figures.push_back({"latin_2kb/normalize_then_shingle5", mb / two_step, "MB/s"});
    auto add = [&](const std::string& name, double megabytes, double seconds) {
        figures.push_back({"latin_2kb/" + name, megabytes / seconds, "MB/s"});
        figures.push_back({"latin_2kb/" + name + "/ratio_to_byte_scan", (megabytes / seconds) / (mb / scan), "x"});
        return megabytes / seconds;
    };
    const double fast128 = add("fast_128", mb, sketch_seconds<128>(docs, ditto::fast_sketcher(), runs));
    const double fast256 = add("fast_256", mb, sketch_seconds<256>(docs, ditto::fast_sketcher(), runs));
    add("oph_128", mb, sketch_seconds<128>(docs, ditto::oph_sketcher(), runs));
    add("superminhash_128", mb, sketch_seconds<128>(docs, ditto::superminhash_sketcher(), runs));
    const double classic128 = add("classic_128", classic_size, sketch_seconds<128>(classic_docs, ditto::classic_minhash_sketcher(), runs));
    const double classic256 = add("classic_256", classic_size, sketch_seconds<256>(classic_docs, ditto::classic_minhash_sketcher(), runs));
    figures.push_back({"latin_2kb/fast_128/ratio_to_classic_128", fast128 / classic128, "x"});
    // The sketch step alone, on shingle hashes computed beforehand: documents per second.
    std::vector<std::vector<std::uint64_t>> shingled(classic_docs.size());
    {
        const ditto::normalizing_word_shingler<> shingle(ditto::normalize_options{}, 5);
        for (std::size_t i = 0; i < classic_docs.size(); ++i) pipeline_shingles(shingle, classic_docs[i], shingled[i]);
    }
    auto sketch_only = [&](const auto& sketcher) {
        const double seconds = best_seconds(runs, [&] {
            std::uint64_t x = 0;
            for (const auto& h : shingled) x += ditto::make_signature<128>(h, sketcher)[0];
            bench::sink = x;
        });
        return static_cast<double>(shingled.size()) / seconds;
    };
    const double fast_only = sketch_only(ditto::fast_sketcher());
    const double classic_only = sketch_only(ditto::classic_minhash_sketcher());
    figures.push_back({"sketch_only/fast_128", fast_only, "docs/s"});
    figures.push_back({"sketch_only/classic_128", classic_only, "docs/s"});
    figures.push_back({"sketch_only/fast_128/ratio_to_classic_128", fast_only / classic_only, "x"});
    figures.push_back({"latin_2kb/fast_256/ratio_to_classic_256", fast256 / classic256, "x"});
    bench::print_figures(figures, opts.json);
    return 0;
}
