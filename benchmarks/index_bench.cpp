// index_bench: `ditto index build` under a memory budget against the build that never spills and
// against `ditto dedup` on the same corpus. Each command runs as a child process; its wall time
// and peak resident memory (wait4's ru_maxrss) are measured, the two indexes compared byte for
// byte.
//
// Usage: index_bench DITTO CORPUS.jsonl BUDGET [--threads N] [--repeat N] [--work DIR]
//   BUDGET as ditto's --memory (e.g. 64M). The corpus should be at least 4x the budget.
//   Prints one line per run and a summary: docs/s, MB/s, peak resident against the budget
//   (the target: budget + 100 MB), index bytes per document, throughput against dedup.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct measured {
    double seconds = 0;
    double peak_mb = 0;
};

// Runs argv (stdout and stderr to /dev/null); exits when it fails.
measured run(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::fflush(stdout);  // or the child would print what is buffered again
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("fork");
        std::exit(1);
    }
    if (pid == 0) {
        if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
        ::execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    struct rusage usage {};
    if (::wait4(pid, &status, 0, &usage) != pid) {
        std::perror("wait4");
        std::exit(1);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string line;
        for (const auto& a : args) line += a + " ";
        std::fprintf(stderr, "index_bench: failed: %s\n", line.c_str());
        std::exit(1);
    }
    return {seconds, static_cast<double>(usage.ru_maxrss) / 1024.0};  // ru_maxrss is in KiB on Linux
}

std::uint64_t file_size(const std::string& path) {
    struct stat s {};
    return ::stat(path.c_str(), &s) == 0 ? static_cast<std::uint64_t>(s.st_size) : 0;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t count_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> block(1 << 20);
    std::uint64_t lines = 0;
    while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0)
        lines += static_cast<std::uint64_t>(std::count(block.data(), block.data() + in.gcount(), '\n'));
    return lines;
}

// "64M" as bytes (the forms ditto accepts).
double budget_mb(const std::string& text) {
    const char last = text.empty() ? '0' : text.back();
    double v = std::strtod(text.c_str(), nullptr);
    if (last == 'K' || last == 'k') v /= 1024;
    else if (last == 'G' || last == 'g') v *= 1024;
    else if (last == 'T' || last == 't') v *= 1024 * 1024;
    else if (last >= '0' && last <= '9') v /= 1024 * 1024;
    return v;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: index_bench DITTO CORPUS.jsonl BUDGET [--threads N] [--repeat N] [--work DIR]\n");
        return 2;
    }
    const std::string ditto = argv[1], corpus = argv[2], budget = argv[3];
    std::string threads = "2", work = ".";
    int repeat = 3;
    for (int i = 4; i + 1 < argc; i += 2) {
        const std::string o = argv[i];
        if (o == "--threads") threads = argv[i + 1];
        else if (o == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
        else if (o == "--work") work = argv[i + 1];
    }
    const std::uint64_t bytes = file_size(corpus), docs = count_lines(corpus);
    const double mb = static_cast<double>(bytes) / 1e6;
    std::printf("corpus %s: %llu documents, %.1f MB (%.1fx the budget %s), %s threads\n", corpus.c_str(),
                static_cast<unsigned long long>(docs), mb, static_cast<double>(bytes) / (budget_mb(budget) * 1048576.0),
                budget.c_str(), threads.c_str());

    const std::string whole = work + "/index_bench_whole.didx", spilled = work + "/index_bench_budget.didx";
    const std::vector<std::vector<std::string>> commands = {
        {ditto, "dedup", corpus, "--threads", threads, "-q", "-o", "/dev/null"},
        {ditto, "index", "build", corpus, "--threads", threads, "-q", "--memory", "1T", "-o", whole},
        {ditto, "index", "build", corpus, "--threads", threads, "-q", "--memory", budget, "--tmp-dir", work, "-o", spilled},
    };
    const std::string names[] = {"dedup", "index build (in memory)", "index build --memory " + budget};
    std::vector<double> seconds[3], peaks[3];
    for (int r = 0; r < repeat; ++r) {
        for (std::size_t c = 0; c < commands.size(); ++c) {
            const measured m = run(commands[c]);
            seconds[c].push_back(m.seconds);
            peaks[c].push_back(m.peak_mb);
            std::printf("run %d  %-28s %7.2f s  %8.0f docs/s  %6.1f MB/s  peak %7.1f MB\n", r + 1,
                        names[c].c_str(), m.seconds,
                        static_cast<double>(docs) / m.seconds, mb / m.seconds, m.peak_mb);
            std::fflush(stdout);
        }
    }
    const bool identical = slurp(whole) == slurp(spilled);
    const double index_bytes = static_cast<double>(file_size(spilled));
    const double t_dedup = median(seconds[0]), t_whole = median(seconds[1]), t_budget = median(seconds[2]);
    const double peak_budget = *std::max_element(peaks[2].begin(), peaks[2].end());
    std::printf("\nmedians: dedup %.2f s; index build in memory %.2f s (peak %.1f MB); --memory %s %.2f s (peak %.1f MB)\n",
                t_dedup, t_whole, median(peaks[1]), budget.c_str(), t_budget, peak_budget);
    std::printf("index: %.0f bytes, %.1f bytes per document; identical to the in-memory build: %s\n", index_bytes,
                index_bytes / static_cast<double>(docs), identical ? "yes" : "NO");
    std::printf("peak under the budget: %.1f MB for a budget of %.1f MB (target: at most budget + 100 MB): %s\n",
                peak_budget, budget_mb(budget), peak_budget <= budget_mb(budget) + 100 ? "met" : "NOT met");
    std::printf("throughput under the budget: %.0f %% of dedup's, %.0f %% of the in-memory build's\n",
                100 * t_dedup / t_budget, 100 * t_whole / t_budget);
    std::remove(whole.c_str());
    std::remove(spilled.c_str());
    return identical ? 0 : 1;
}
