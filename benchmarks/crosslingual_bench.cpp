// Cross-lingual copies (include/ditto/crosslingual/): anchor extraction speed per core, the
// reference's index (build time, memory per document) and translation queries per second, with
// the accuracy of the links, on generated multilingual news.
//
// The corpus: --docs reference articles (default 50,000), each a story of 12 to 60 facts told
// in English, German, Russian or Greek prose of 1 to 8 KB (4.3 KB on average). A fact is a
// figure written the way its language writes it (4.2 / 4,2; 9,000 / 9.000 / 9 000; 12% / 12 %),
// a year or a date, a URL, an acronym (in Cyrillic or Greek letters in those languages: НАТО,
// ΝΑΤΟ), or a model or product code (A320, COVID-19, 5G). Stories share common figures, years
// and acronyms, as news does. The queries: --queries translations of reference articles into
// another of the four languages, each fact rendered anew, a tenth dropped and one figure in
// twenty changed; and as many articles that translate nothing in the reference (which should
// stay unlinked).
//
// Extraction is timed in thread CPU time (the best of three runs); the rest in wall time.
//
// Usage: crosslingual_bench [--docs N] [--queries N] [--threads N] [--json]

#include <ditto/crosslingual/anchors.hpp>
#include <ditto/crosslingual/translations.hpp>
#include <ditto/parallel.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.hpp"

namespace {

enum lang { en, de, ru, el };

const char* const words_en[] = {"the", "city", "council", "said", "on", "Tuesday", "that", "new", "project", "will", "cost",
                                "about", "according", "to", "officials", "report", "which", "was", "published", "by",
                                "government", "and", "residents", "in", "for", "with", "after", "year", "market", "company"};
const char* const words_de[] = {"der", "Stadtrat", "sagte", "am", "Dienstag", "dass", "das", "neue", "Projekt", "rund",
                                "kosten", "werde", "nach", "Angaben", "der", "Behörden", "Bericht", "veröffentlicht", "von",
                                "Regierung", "und", "Einwohner", "im", "für", "mit", "nach", "Jahr", "Markt", "Unternehmen", "über"};
const char* const words_ru[] = {"городской", "совет", "заявил", "во", "вторник", "что", "новый", "проект", "обойдётся",
                                "примерно", "по", "данным", "чиновников", "доклад", "который", "был", "опубликован",
                                "правительство", "и", "жители", "в", "для", "с", "после", "года", "рынок", "компания",
                                "Москва", "области", "сообщили"};
const char* const words_el[] = {"το", "δημοτικό", "συμβούλιο", "ανακοίνωσε", "την", "Τρίτη", "ότι", "το", "νέο", "έργο",
                                "θα", "κοστίσει", "περίπου", "σύμφωνα", "με", "τις", "αρχές", "έκθεση", "που",
                                "δημοσιεύθηκε", "κυβέρνηση", "και", "κάτοικοι", "στην", "για", "μετά", "χρόνια", "αγορά",
                                "εταιρεία", "Αθήνα"};

struct fact {
    enum kind { decimal, large, percent, year, date, url, acronym, code } k;
    unsigned a = 0, b = 0, c = 0;  // the values
};

const char acronym_letters[] = "ADEFGIKLMNOPRSTVZ";  // each has a Cyrillic and a Greek letter that transliterates back

std::string cyrillic_letter(char c) {
    switch (c) {
    case 'A': return "А"; case 'D': return "Д"; case 'E': return "Е"; case 'F': return "Ф"; case 'G': return "Г";
    case 'I': return "И"; case 'K': return "К"; case 'L': return "Л"; case 'M': return "М"; case 'N': return "Н";
    case 'O': return "О"; case 'P': return "П"; case 'R': return "Р"; case 'S': return "С"; case 'T': return "Т";
    case 'V': return "В"; default: return "З";
    }
}
std::string greek_letter(char c) {
    switch (c) {
    case 'A': return "Α"; case 'D': return "Δ"; case 'E': return "Ε"; case 'F': return "Φ"; case 'G': return "Γ";
    case 'I': return "Ι"; case 'K': return "Κ"; case 'L': return "Λ"; case 'M': return "Μ"; case 'N': return "Ν";
    case 'O': return "Ο"; case 'P': return "Π"; case 'R': return "Ρ"; case 'S': return "Σ"; case 'T': return "Τ";
    case 'V': return "Β"; default: return "Ζ";
    }
}

fact random_fact(bench::generator& g) {
    fact f{static_cast<fact::kind>(g.below(8))};
    // Common values (small figures, recent years) recur across stories; rare ones identify one.
    const bool common = g.below(3) == 0;
    switch (f.k) {
    case fact::decimal: f.a = static_cast<unsigned>(common ? 1 + g.below(20) : 1 + g.below(999)); f.b = static_cast<unsigned>(1 + g.below(9)); break;
    case fact::large: f.a = static_cast<unsigned>(1 + g.below(common ? 20 : 999)); f.b = static_cast<unsigned>(common ? 0 : g.below(1000)); break;
    case fact::percent: f.a = static_cast<unsigned>(1 + g.below(common ? 30 : 100)); break;
    case fact::year: f.a = static_cast<unsigned>(common ? 2020 + g.below(7) : 1950 + g.below(77)); break;
    case fact::date: f.a = static_cast<unsigned>(1 + g.below(28)); f.b = static_cast<unsigned>(1 + g.below(12)); f.c = static_cast<unsigned>(2020 + g.below(7)); break;
    case fact::url: f.a = static_cast<unsigned>(g.below(common ? 50 : 20000)); f.b = static_cast<unsigned>(g.below(1000000)); break;
    case fact::acronym: f.a = static_cast<unsigned>(common ? g.below(40) : g.below(1000000)); f.b = static_cast<unsigned>(2 + g.below(3)); break;
    case fact::code: f.a = static_cast<unsigned>(g.below(4)); f.b = static_cast<unsigned>(1 + g.below(common ? 30 : 999)); break;
    }
    return f;
}

std::string render(const fact& f, lang l) {
    char buffer[96];
    const bool latin_decimal = l == en;
    switch (f.k) {
    case fact::decimal:
        std::snprintf(buffer, sizeof buffer, "%u%c%u", f.a, latin_decimal ? '.' : ',', f.b);
        return buffer;
    case fact::large:
        if (f.b == 0 && f.a < 10) return std::to_string(f.a);
        if (l == en) std::snprintf(buffer, sizeof buffer, "%u,%03u", f.a, f.b);
        else if (l == ru) std::snprintf(buffer, sizeof buffer, "%u\u00a0%03u", f.a, f.b);
        else std::snprintf(buffer, sizeof buffer, "%u.%03u", f.a, f.b);
        return buffer;
    case fact::percent:
        std::snprintf(buffer, sizeof buffer, l == en ? "%u%%" : "%u %%", f.a);
        return buffer;
    case fact::year: return std::to_string(f.a);
    case fact::date:
        std::snprintf(buffer, sizeof buffer, "%02u.%02u.%u", f.a, f.b, f.c);
        return buffer;
    case fact::url:
        std::snprintf(buffer, sizeof buffer, "https://news%u.example/%u", f.a, f.b);
        return buffer;
    case fact::acronym: {
        std::string out;
        unsigned v = f.a;
        for (unsigned i = 0; i < f.b; ++i, v /= 17) {
            const char c = acronym_letters[v % 17];
            out += l == ru ? cyrillic_letter(c) : l == el ? greek_letter(c) : std::string(1, c);
        }
        return out;
    }
    case fact::code:
        switch (f.a) {
        case 0: std::snprintf(buffer, sizeof buffer, "A%u", 300 + f.b); break;
        case 1: std::snprintf(buffer, sizeof buffer, "COVID-%u", f.b % 30); break;
        case 2: std::snprintf(buffer, sizeof buffer, "%uG", 2 + f.b % 5); break;
        default: std::snprintf(buffer, sizeof buffer, "iPhone%u", f.b % 20); break;
        }
        return buffer;
    }
    return {};
}

// An article telling the facts in language l: a sentence of 4 to 20 words around each fact.
std::string article(const std::vector<fact>& facts, lang l, bench::generator& g) {
    const char* const* words = l == en ? words_en : l == de ? words_de : l == ru ? words_ru : words_el;
    std::string out;
    for (const fact& f : facts) {
        const std::size_t before = 2 + g.below(9), after = 2 + g.below(9);
        for (std::size_t i = 0; i < before; ++i) {
            std::string w = words[g.below(30)];
            if (i == 0 && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 32);
            out += w;
            out += ' ';
        }
        out += render(f, l);
        for (std::size_t i = 0; i < after; ++i) {
            out += ' ';
            out += words[g.below(30)];
        }
        out += g.below(6) == 0 ? ".\n\n" : ". ";
    }
    return out;
}

std::vector<fact> story(bench::generator& g) {
    std::vector<fact> facts(12 + g.below(49));
    for (auto& f : facts) f = random_fact(g);
    return facts;
}

// CPU time of this thread: the extraction figures are per core, and the machine may be shared.
double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// The least thread CPU time of `repeat` runs of f.
template <class F>
double best_cpu_seconds(int repeat, F&& f) {
    double best = 1e300;
    for (int i = 0; i < repeat; ++i) {
        const double start = thread_cpu_seconds();
        f();
        best = std::min(best, thread_cpu_seconds() - start);
    }
    return best;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t docs = 50000, queries = 2000, threads = 2;
    bench::options opts;
    opts.numbers = {{"--docs", &docs}, {"--queries", &queries}, {"--threads", &threads}};
    opts.parse(argc, argv, "crosslingual_bench [--docs N] [--queries N] [--threads N] [--json]");

    bench::generator g{0xC0FFEE};
    std::vector<std::vector<fact>> stories(docs);
    std::vector<std::string> reference(docs);
    std::vector<lang> language(docs);
    std::size_t bytes = 0, bytes_by_script[3] = {0, 0, 0};
    for (std::size_t d = 0; d < docs; ++d) {
        stories[d] = story(g);
        language[d] = static_cast<lang>(g.below(4));
        reference[d] = article(stories[d], language[d], g);
        bytes += reference[d].size();
        bytes_by_script[language[d] == ru ? 1 : language[d] == el ? 2 : 0] += reference[d].size();
    }
    // Queries: translations (into another language, a tenth of the facts dropped, one figure in
    // twenty changed), then as many unrelated articles.
    std::vector<std::string> others;
    std::vector<std::size_t> original;
    for (std::size_t q = 0; q < queries; ++q) {
        const std::size_t d = g.below(docs);
        std::vector<fact> kept;
        for (fact f : stories[d]) {
            if (g.below(10) == 0) continue;
            if (f.k <= fact::percent && g.below(20) == 0) ++f.a;
            kept.push_back(f);
        }
        const lang to = static_cast<lang>((static_cast<std::size_t>(language[d]) + 1 + g.below(3)) % 4);
        others.push_back(article(kept, to, g));
        original.push_back(d);
    }
    for (std::size_t q = 0; q < queries; ++q) {
        others.push_back(article(story(g), static_cast<lang>(g.below(4)), g));
        original.push_back(docs);
    }

    std::vector<bench::figure> figures;
    figures.push_back({"reference documents", static_cast<double>(docs), "docs"});
    figures.push_back({"reference text", static_cast<double>(bytes) / 1e6, "MB"});

    // Anchor extraction, one core, per script.
    {
        const ditto::anchor_extractor extract;
        ditto::anchor_list anchors;
        std::size_t count = 0;
        for (int script = 0; script < 3; ++script) {
            const double s = best_cpu_seconds(3, [&] {
                for (std::size_t d = 0; d < docs; ++d) {
                    if ((language[d] == ru ? 1 : language[d] == el ? 2 : 0) != script) continue;
                    extract.extract(reference[d], anchors);
                    count += anchors.size();
                }
            });
            const char* name = script == 0 ? "anchor extraction, Latin (en, de), 1 core" :
                               script == 1 ? "anchor extraction, Cyrillic (ru), 1 core" : "anchor extraction, Greek (el), 1 core";
            figures.push_back({name, static_cast<double>(bytes_by_script[script]) / 1e6 / s, "MB/s"});
        }
        const double s = best_cpu_seconds(3, [&] {
            for (const auto& text : reference) {
                extract.extract(text, anchors);
                count += anchors.size();
            }
        });
        figures.push_back({"anchor extraction, all, 1 core", static_cast<double>(bytes) / 1e6 / s, "MB/s"});
        bench::sink = count;
        std::size_t total = 0;
        for (const auto& text : reference) total += extract(text).size();
        figures.push_back({"anchors per reference document", static_cast<double>(total) / static_cast<double>(docs), "anchors"});
    }

    ditto::translation_options options;
    for (const std::size_t t : {std::size_t{1}, threads}) {
        ditto::thread_pool pool(t);
        auto start = std::chrono::steady_clock::now();
        const ditto::translation_finder finder(reference, options, pool);
        const double build = seconds_since(start);
        start = std::chrono::steady_clock::now();
        const auto found = finder.find_all(others, pool);
        const double query = seconds_since(start);
        const std::string suffix = ", " + std::to_string(t) + (t == 1 ? " thread" : " threads");
        figures.push_back({"index build" + suffix, build, "s"});
        figures.push_back({"queries per second" + suffix, static_cast<double>(others.size()) / query, "queries/s"});
        if (t != 1) continue;
        figures.push_back({"index memory per reference document", static_cast<double>(finder.memory_bytes()) / static_cast<double>(docs), "B"});
        figures.push_back({"distinct anchors in the reference", static_cast<double>(finder.index().terms()), "terms"});
        std::size_t right = 0, wrong = 0, missed = 0, abstained = 0, false_links = 0;
        for (std::size_t q = 0; q < others.size(); ++q) {
            const auto& t_ = found[q];
            if (original[q] == docs) {
                if (t_.status == ditto::translation_status::linked) ++false_links;
                continue;
            }
            if (t_.status == ditto::translation_status::abstained) ++abstained;
            else if (t_.status != ditto::translation_status::linked) ++missed;
            else if (t_.matches[0].reference == original[q]) ++right;
            else ++wrong;
        }
        const double n = static_cast<double>(queries);
        figures.push_back({"translations linked to their original", static_cast<double>(right) / n, "share"});
        figures.push_back({"translations linked elsewhere", static_cast<double>(wrong) / n, "share"});
        figures.push_back({"translations not linked (below 0.25)", static_cast<double>(missed) / n, "share"});
        figures.push_back({"translations abstained (under 10 anchors)", static_cast<double>(abstained) / n, "share"});
        figures.push_back({"unrelated articles linked (false links)", static_cast<double>(false_links) / n, "share"});
    }
    figures.push_back({"peak resident memory (texts included)", static_cast<double>(bench::peak_rss_bytes()) / 1e6, "MB"});
    bench::print_figures(figures, opts.json);
}
