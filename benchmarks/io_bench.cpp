// Speed of JSONL input, in MB/s of input bytes: ditto::parse_jsonl on one core (an inline
// executor) and on a pool, plain and with originals kept (what `ditto dedup`'s kept-lines output
// does: lines with an escape are copied before being decoded in place).
//
// The corpus is generated in memory like corpus_gen's: {"id": "dNNNNNNN", "text": "..."} lines
// of 100-450 words of mixed Latin text (numbers, typographic quotes, German), paragraphs
// separated by "\n\n" escapes, so every line has an escape; a quarter of the lines carry a
// Cyrillic/CJK passage. Or, with --file, the lines of a JSONL file.
//
// Usage: io_bench [--megabytes N] [--repeat N] [--threads N] [--file PATH] [--json]
//   --megabytes  corpus size (default 256)
//   --repeat     runs per figure; the fastest is reported (default 5)
//   --threads    pool size for the parallel figure (default 2)

#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/parallel.hpp>

#include <cstdio>
#include <ctime>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else out += c;
    }
    out += '"';
}

std::string make_corpus(std::size_t bytes) {
    const std::string latin = bench::make_latin(std::size_t{4} << 20);
    const std::string other = bench::make_cyrillic_cjk(std::size_t{1} << 20);
    bench::generator g{42};
    std::string out;
    out.reserve(bytes + 8192);
    for (std::size_t n = 0; out.size() < bytes; ++n) {
        const std::size_t words = 100 + g.below(351);
        std::size_t at = g.below(latin.size() - 4000), end = at;
        for (std::size_t w = 0; w < words && end < latin.size(); ++end)
            if (latin[end] == ' ') ++w;
        std::string text;
        std::size_t since = 0;
        for (std::size_t i = at; i < end; ++i) {
            text += latin[i];
            if (latin[i] == ' ' && ++since > 60 && g.below(8) == 0) {
                text += "\n\n";
                since = 0;
            }
        }
        if (g.below(4) == 0) {
            const std::size_t o = g.below(other.size() - 700);
            std::size_t e = o + 600;
            while (e < other.size() && (static_cast<unsigned char>(other[e]) & 0xC0) == 0x80) ++e;
            std::size_t b = o;
            while (b < e && (static_cast<unsigned char>(other[b]) & 0xC0) == 0x80) ++b;
            text += "\n\n";
            text.append(other, b, e - b);
        }
        char id[32];
        std::snprintf(id, sizeof id, "d%07zu", n);
        out += "{\"id\": \"";
        out += id;
        out += "\", \"text\": ";
        append_json_string(out, text);
        out += "}\n";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t megabytes = 256, repeat = 5, threads = 2;
    std::string file;
    bench::options o;
    o.numbers = {{"--megabytes", &megabytes}, {"--repeat", &repeat}, {"--threads", &threads}};
    // --file PATH is a string option: take it out before the numeric ones are parsed.
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--file") == 0 && i + 1 < argc) file = argv[++i];
        else rest.push_back(argv[i]);
    }
    o.parse(static_cast<int>(rest.size()), rest.data(),
            "io_bench [--megabytes N] [--repeat N] [--threads N] [--file PATH] [--json]");

    std::string corpus;
    if (!file.empty()) {
        std::ifstream in(file, std::ios::binary);
        corpus.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
        corpus = make_corpus(megabytes << 20);
    }
    const double mb = static_cast<double>(corpus.size()) / 1e6;
    std::string work(corpus.size(), '\0');
    std::string kept;
    kept.reserve(corpus.size());
    std::mutex kept_mutex;

    // One run: a fresh copy (parsing decodes in place; not timed), then parse_jsonl. The best
    // wall time, and for one core also the best CPU time of the thread (the machine may be
    // shared: CPU time is what the parse costs a core when it has it to itself).
    double best_cpu = 0;
    auto measure = [&](auto& ex, bool keep) {
        double best = 1e300;
        best_cpu = 1e300;
        for (std::size_t r = 0; r < repeat; ++r) {
            std::memcpy(work.data(), corpus.data(), corpus.size());
            kept.clear();
            ditto::jsonl_chunk_options c;
            c.chunk_bytes = std::size_t{4} << 20;
            c.keep_originals = keep;
            c.keep = [&](std::string_view bytes) {
                std::lock_guard lock(kept_mutex);
                const std::uint64_t at = kept.size();
                kept.append(bytes);
                return at;
            };
            const double cpu_start = thread_cpu_seconds();
            const double s = bench::best_seconds(1, [&] {
                const ditto::jsonl_lines lines = ditto::parse_jsonl(work.data(), 0, work.size(), {}, ex, c);
                bench::sink = bench::sink + lines.records.size() + lines.bad.size();
            });
            best_cpu = std::min(best_cpu, thread_cpu_seconds() - cpu_start);
            best = std::min(best, s);
        }
        return mb / best;
    };

    ditto::inline_executor one;
    ditto::thread_pool pool(threads);
    std::vector<bench::figure> figures;
    figures.push_back({"input MB", mb, "MB"});
    figures.push_back({"parse_jsonl, 1 core", measure(one, false), "MB/s"});
    figures.push_back({"parse_jsonl, 1 core, by CPU time", mb / best_cpu, "MB/s"});
    figures.push_back({"parse_jsonl keeping originals, 1 core", measure(one, true), "MB/s"});
    figures.push_back({"parse_jsonl keeping originals, 1 core, by CPU time", mb / best_cpu, "MB/s"});
    figures.push_back({"parse_jsonl, " + std::to_string(threads) + " threads", measure(pool, false), "MB/s"});
    // The line scan alone (memchr for each line end): the floor under any parser.
    const double scan = bench::best_seconds(static_cast<int>(repeat), [&] {
        std::size_t lines = 0;
        for (const char* p = corpus.data(); (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(
                                                 corpus.data() + corpus.size() - p)))) != nullptr;
             ++p)
            ++lines;
        bench::sink = bench::sink + lines;
    });
    figures.push_back({"line scan (memchr), 1 core", mb / scan, "MB/s"});
    bench::print_figures(figures, o.json);
}
