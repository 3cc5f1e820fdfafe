// Speed of ditto::diff, one core: two 1 MB documents (the second a copy of the first with
// paragraphs injected, words and figures changed and one block moved), and many pairs of 5 KB
// documents changed the same way. Then the shapes that used to take quadratic time, at full size
// and at half size: diff and marked rendering time, steps per input byte, and how the steps grow
// from half to full size (2 is linear, 4 quadratic):
//   la        1.8 MB of "la la la ..." against the same with one word more
//   log       3.6 MB each: one log line repeated with a counter; B changes every 40th line
//   paragraph 2 MB each: one paragraph repeated; B changes a word in every third copy
//   one_in_12 5 MB each: random words, one word in 12 changed in B
//   random    1 MB each: two unrelated random texts
//   digits    1 MB each: single digits separated by spaces, one in 12 changed (changed figures)
//
// The 1 MB and 5 KB figures use one ditto::differ and one text_diff reused across calls; the
// "free_function" figures call ditto::diff, which builds both afresh every time.
//
// Usage: align_bench [--repeat N] [--pairs N] [--json]
//   --repeat  runs of the 1 MB diff; the fastest is reported (default 5; 5 KB pairs: up to 3)
//   --pairs   5 KB pairs to diff (default 20000)

#include <ditto/align.hpp>

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "bench_support.hpp"

namespace {

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

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

// The shapes above; bytes is the size of A.
std::pair<std::string, std::string> shaped_pair(const std::string& shape, std::size_t bytes) {
    bench::generator g{7};
    auto word = [&](std::size_t vocabulary) {
        std::string w = std::to_string(g.below(vocabulary));
        w.insert(w.begin(), 'w');
        return w;
    };
    std::string a, b;
    if (shape == "la") {
        while (a.size() < bytes) a += "la ";
        b = a + "x";
    } else if (shape == "log") {
        for (std::size_t i = 0; a.size() < bytes; ++i) {
            const std::string line = "2026-11-28 12:00:" + std::to_string(10 + i % 50) + " INFO request handled id=" + std::to_string(i);
            a += line + " status=200\n";
            b += line + (i % 40 == 7 ? " status=500\n" : " status=200\n");
        }
    } else if (shape == "paragraph") {
        std::string paragraph;
        for (int i = 0; i < 60; ++i) paragraph += word(100000) + " ";
        for (std::size_t i = 0; a.size() < bytes; ++i) {
            a += paragraph + "\n\n";
            b += (i % 3 == 1 ? "changed " + paragraph.substr(paragraph.find(' ') + 1) : paragraph) + "\n\n";
        }
    } else if (shape == "one_in_12") {
        for (std::size_t i = 0; a.size() < bytes; ++i) {
            const std::string w = word(20000);
            a += w + " ";
            b += (i % 12 == 5 ? std::string("changed") : w) + " ";
        }
    } else if (shape == "digits") {
        for (std::size_t i = 0; a.size() < bytes; ++i) {
            const std::size_t digit = g.below(10);
            a += static_cast<char>('0' + digit);
            a += ' ';
            b += static_cast<char>('0' + (i % 12 == 5 ? (digit + 1) % 10 : digit));
            b += ' ';
        }
    } else {
        while (a.size() < bytes) a += word(5000) + " ";
        while (b.size() < bytes) b += word(5000) + " ";
    }
    return {a, b};
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
    // A differ and a result reused across calls (the first run grows the buffers), and the free
    // function, which makes both afresh each time.
    ditto::differ differ;
    ditto::text_diff reused;
    // Also the thread's CPU time of the fastest run: what a core does when it has it to itself
    // (the machine may be shared).
    double big_cpu = 1e300;
    const double big_seconds = bench::best_seconds(static_cast<int>(repeat), [&] {
        const double cpu = thread_cpu_seconds();
        differ.diff(big_a, big_b, reused);
        big_cpu = std::min(big_cpu, thread_cpu_seconds() - cpu);
        passages = reused.shared.size();
        bench::sink = reused.changed_figures.size();
    });
    const double big_fresh_seconds = bench::best_seconds(static_cast<int>(repeat), [&] {
        const auto d = ditto::diff(big_a, big_b);
        bench::sink = d.changed_figures.size();
    });

    const std::string source = bench::make_latin(pair_count * 5000 / 4 + 10000);
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i < pair_count; ++i) {
        std::string a = source.substr((i * 1237) % (source.size() - 5000), 5000);
        std::string b = republish(a, 1500, g);
        pairs.emplace_back(std::move(a), std::move(b));
    }
    double small_cpu = 1e300;
    const double small_seconds = bench::best_seconds(static_cast<int>(std::min<std::size_t>(repeat, 3)), [&] {
        const double cpu = thread_cpu_seconds();
        struct at_end {
            double cpu;
            double& best;
            ~at_end() { best = std::min(best, thread_cpu_seconds() - cpu); }
        } record{cpu, small_cpu};
        std::size_t total = 0;
        for (const auto& [a, b] : pairs) {
            differ.diff(a, b, reused);
            total += reused.shared.size();
        }
        bench::sink = total;
    });
    const double small_fresh_seconds = bench::best_seconds(1, [&] {
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
        {"diff_1mb/cpu_milliseconds", big_cpu * 1e3, "ms"},
        {"diff_5kb/pairs_per_cpu_second", static_cast<double>(pairs.size()) / small_cpu, "pairs/s"},
        {"diff_1mb_free_function/milliseconds", big_fresh_seconds * 1e3, "ms"},
        {"diff_5kb_free_function/pairs_per_second", static_cast<double>(pairs.size()) / small_fresh_seconds, "pairs/s"},
    };
    const std::pair<const char*, std::size_t> shapes[] = {
        {"la", 1800000}, {"log", 3600000}, {"paragraph", 2000000}, {"one_in_12", 5000000}, {"random", 1000000},
        {"digits", 1000000}};
    for (const auto& [shape, bytes] : shapes) {
        const auto [half_a, half_b] = shaped_pair(shape, bytes / 2);
        const auto [a, b] = shaped_pair(shape, bytes);
        const ditto::text_diff half = ditto::diff(half_a, half_b);
        const std::size_t half_marks = ditto::mark_changes(half, half_b).steps;
        ditto::text_diff d;
        const double diff_seconds = bench::best_seconds(static_cast<int>(std::min<std::size_t>(repeat, 3)), [&] { d = ditto::diff(a, b); });
        std::size_t mark_steps = 0;
        const double mark_seconds = bench::best_seconds(static_cast<int>(std::min<std::size_t>(repeat, 3)), [&] {
            const auto m = ditto::mark_changes(d, b);
            mark_steps = m.steps;
            bench::sink = m.pieces.size();
        });
        const std::string name = shape;
        const double input = static_cast<double>(a.size() + b.size());
        figures.push_back({name + "/diff_milliseconds", diff_seconds * 1e3, "ms"});
        figures.push_back({name + "/diff_steps_per_byte", static_cast<double>(d.steps) / input, "steps"});
        figures.push_back({name + "/diff_steps_growth_x2", static_cast<double>(d.steps) / static_cast<double>(half.steps), "x"});
        figures.push_back({name + "/mark_milliseconds", mark_seconds * 1e3, "ms"});
        figures.push_back({name + "/mark_steps_growth_x2",
                           static_cast<double>(mark_steps) / static_cast<double>(std::max<std::size_t>(half_marks, 1)), "x"});
        figures.push_back({name + "/changes", static_cast<double>(d.deleted.size() + d.inserted.size()), "spans"});
    }
    bench::print_figures(figures, opts.json);
    return 0;
}
