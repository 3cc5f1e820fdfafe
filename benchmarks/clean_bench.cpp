// Span-level cleaning: repeated-passage detection (find_repeats) in MB/s per core and bytes per
// token, and the whole clean (boilerplate lines, then passages), on a web-shaped corpus (copied
// articles, storms, template families, logs) and on Latin and Cyrillic/CJK text cut into pages.
//
//   clean_bench [--articles N] [--mb N] [--threads N] [--min-tokens N] [--json]

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/clean/clean.hpp>
#include <ditto/parallel.hpp>

#include "bench_support.hpp"
#include "web_corpus.hpp"

namespace {

struct doc {
    std::string_view text;
};

// Pages of about 4 KB cut at spaces, each with a page header, a navigation line and a footer of
// its site (one of 50), and one page in 20 quoting a 60-word passage of an earlier page.
std::vector<std::string> pages_of(const std::string& text) {
    std::vector<std::string> pages;
    bench::generator g{99};
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(text.size(), pos + 4000);
        while (end < text.size() && text[end] != ' ') ++end;
        const std::size_t site = g.below(50);
        std::string page = "Site " + std::to_string(site) + " | Home | News | Sport | Contact\n";
        page.append(text, pos, end - pos);
        if (!pages.empty() && g.below(20) == 0) {
            const std::string& earlier = pages[g.below(pages.size())];
            const std::size_t from = earlier.find(' ', earlier.size() / 3);
            std::size_t to = from;
            for (int w = 0; w < 60 && to != std::string::npos; ++w) to = earlier.find(' ', to + 1);
            if (from != std::string::npos && to != std::string::npos) page += earlier.substr(from, to - from);
        }
        page += "\nCopyright site " + std::to_string(site) + ". All rights reserved.";
        pages.push_back(std::move(page));
        pos = end;
    }
    return pages;
}

// The least CPU time of the calling thread over `repeat` runs of f, in seconds: on a shared machine
// the wall time of a one-thread run also counts the time other processes held the core.
template <class F>
double best_cpu_seconds(int repeat, F&& f) {
    double best = 1e300;
    for (int i = 0; i < repeat; ++i) {
        timespec a{}, b{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        f();
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        best = std::min(best, static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t articles = 20000, mb = 32, threads = 2, min_tokens = 40;
    bench::options opts;
    opts.numbers = {{"--articles", &articles}, {"--mb", &mb}, {"--threads", &threads}, {"--min-tokens", &min_tokens}};
    opts.parse(argc, argv, "clean_bench [--articles N] [--mb N] [--threads N] [--min-tokens N] [--json]");

    struct corpus {
        std::string name;
        std::vector<std::string> texts;
    };
    std::vector<corpus> corpora;
    {
        bench::web_options web;
        web.articles = articles;
        web.storm_copies = articles;  // storms scale with the corpus
        corpora.push_back({"web", bench::make_web_corpus(web)});
    }
    corpora.push_back({"latin", pages_of(bench::make_latin(mb << 20))});
    corpora.push_back({"cyrillic+cjk", pages_of(bench::make_cyrillic_cjk(mb << 20))});

    std::vector<bench::figure> figures;
    ditto::thread_pool pool(threads);
    for (const auto& c : corpora) {
        std::vector<doc> docs;
        std::size_t bytes = 0;
        for (const auto& t : c.texts) {
            docs.push_back({t});
            bytes += t.size();
        }
        const double size_mb = static_cast<double>(bytes) / 1e6;
        ditto::repeat_options o;
        o.min_tokens = min_tokens;
        ditto::repeat_stats st;
        std::size_t spans = 0;
        ditto::inline_executor one;
        const double t1 = bench::best_seconds(3, [&] { spans = ditto::find_repeats(docs, o, one, &st).size(); });
        const double c1 = best_cpu_seconds(3, [&] { bench::sink = ditto::find_repeats(docs, o, one).size(); });
        const double tn = bench::best_seconds(3, [&] { bench::sink = ditto::find_repeats(docs, o, pool).size(); });
        // Under a budget of an eighth of the records: sorted runs in the system's temporary folder.
        ditto::repeat_options spilled = o;
        spilled.memory_bytes = std::max<std::size_t>(st.record_bytes / 8, 1);
        spilled.temporary = ditto::temporary_files_in(std::filesystem::temp_directory_path());
        ditto::repeat_stats spill_stats;
        const double cs = best_cpu_seconds(3, [&] {
            if (ditto::find_repeats(docs, spilled, one, &spill_stats).size() != spans) std::abort();
        });
        ditto::clean_options co;
        co.repeats = o;
        std::size_t removed = 0;
        const double tc = best_cpu_seconds(2, [&] {
            const auto r = ditto::clean(docs, co, one);
            removed = 0;
            for (const auto& s : r.spans) removed += s.end - s.begin;
        });
        const std::string p = c.name + ": ";
        figures.push_back({p + "corpus size", size_mb, "MB"});
        figures.push_back({p + "tokens", static_cast<double>(st.tokens) / 1e6, "M"});
        figures.push_back({p + "find_repeats, 1 thread, per CPU second", size_mb / c1, "MB/s"});
        figures.push_back({p + "find_repeats, 1 thread, wall", size_mb / t1, "MB/s"});
        figures.push_back({p + "find_repeats, " + std::to_string(threads) + " threads, wall", size_mb / tn, "MB/s"});
        figures.push_back({p + "find_repeats, budget 1/8 of the records, 1 thread, per CPU second", size_mb / cs, "MB/s"});
        figures.push_back({p + "sorted runs spilled under that budget", static_cast<double>(spill_stats.runs), ""});
        figures.push_back({p + "window record bytes per token", static_cast<double>(st.record_bytes) / static_cast<double>(st.tokens), "B"});
        figures.push_back({p + "peak bytes per token (records, bit tables, candidates)",
                           static_cast<double>(st.peak_bytes) / static_cast<double>(st.tokens), "B"});
        figures.push_back({p + "repeated windows (kept past the sort)", 100.0 * static_cast<double>(st.repeated_windows) / static_cast<double>(st.windows), "%"});
        figures.push_back({p + "passage spans", static_cast<double>(spans), ""});
        figures.push_back({p + "clean (lines + passages), 1 thread, per CPU second", size_mb / tc, "MB/s"});
        figures.push_back({p + "bytes removed by clean", 100.0 * static_cast<double>(removed) / static_cast<double>(bytes), "%"});
    }
    figures.push_back({"peak resident memory", static_cast<double>(bench::peak_rss_bytes()) / 1e6, "MB"});
    bench::print_figures(figures, opts.json);
}
