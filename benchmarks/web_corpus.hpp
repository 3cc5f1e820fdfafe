#pragma once
// A web-shaped corpus for benchmarks: what a crawl looks like after text extraction.
//
//  - articles (30% in Cyrillic, Greek or CJK) with Zipf-distributed copy counts: most have none,
//    a few are republished thousands of times; a copy is byte-identical, a case or spacing
//    variant, or a near copy (word edits, a promo or "read more" line, a cut end);
//  - storms: a few short texts (an error page, a cookie notice, an empty text, emoji only)
//    repeated 10^4 to 10^5 times;
//  - template families: pages of one site sharing a header and footer, whose own content is a
//    small part of the page, so members sit at Jaccard 0.5-0.9 of each other; family sizes are
//    Zipf-distributed, up to thousands;
//  - short texts (titles, comments) of one to eight words from a small vocabulary;
//  - log-like pages: hundreds of lines of one format with counters and timestamps.
//
// reference_units() is the independent brute force for a sample: exact Jaccard over shingles
// kept as strings (k tokens joined; ditto's normalizer and tokenizer define the tokens, but no
// hashing, sketching, LSH or verification of ditto's is used), with texts whose normalized forms
// are equal treated as one unit.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>

#include "support/planted_corpus.hpp"

namespace bench {

struct web_options {
    std::size_t articles = 60000;       ///< originals of the article kind
    std::size_t storm_copies = 100000;  ///< copies of the largest storm text (others get fewer)
    std::size_t families = 40;          ///< template families (sites)
    std::size_t largest_family = 4000;  ///< members of the largest family
    std::size_t short_texts = 20000;
    std::size_t log_pages = 1500;
    std::size_t template_copies = 0;    ///< lightly edited copies of each template page
    std::uint64_t seed = 7;
};

/// The template-family corpus: only template families (60, the largest 5,000 pages), each page
/// with 4 lightly edited copies. dedup_bench and corpus_gen must make the same one.
inline web_options templates_options() {
    web_options o;
    o.articles = o.storm_copies = o.short_texts = o.log_pages = 0;
    o.families = 60;
    o.largest_family = 5000;
    o.template_copies = 4;
    return o;
}

namespace detail_web {

// Words of a script from syllables, so vocabularies are large and texts of different stories
// share few shingles.
inline std::vector<std::string> vocabulary(const std::vector<std::string>& syllables, std::size_t size) {
    std::vector<std::string> words(size);
    for (std::size_t i = 0; i < size; ++i) {
        std::size_t x = i + 1;
        std::string w;
        while (x > 0) {
            w += syllables[x % syllables.size()];
            x /= syllables.size();
        }
        words[i] = std::move(w);
    }
    return words;
}

inline std::vector<std::string> split_utf8(const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace detail_web

/// The corpus, in a shuffled order (copies are not next to their originals).
inline std::vector<std::string> make_web_corpus(const web_options& o) {
    using detail_web::split_utf8;
    ditto_test::rng g{o.seed};
    const std::vector<std::vector<std::string>> vocab = {
        detail_web::vocabulary({"ka", "lo", "mi", "ne", "ru", "sta", "ver", "qui", "dor", "pel", "tam", "zu", "bre",
                                "gio", "han", "wex", "fy", "ost", "lum", "cra"},
                               60000),
        detail_web::vocabulary(split_utf8("бвгдклмнпрстаеиоуя"), 30000),
        detail_web::vocabulary(split_utf8("αβγδεζηθικλμνξοπρστυφχψω"), 20000),
        detail_web::vocabulary(split_utf8("的一是不了人我在有他这为之大来以个中上们到说时地也子就道而要于下"), 30000),
    };
    auto zipf_word = [&](const std::vector<std::string>& v) -> const std::string& {
        const double u = g.unit();
        return v[static_cast<std::size_t>(static_cast<double>(v.size()) * u * u * u) % v.size()];
    };
    auto sentence_text = [&](const std::vector<std::string>& words, bool cjk) {
        std::string t;
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (i > 0) t += cjk ? (i % 20 == 0 ? "。" : "") : (i % 60 == 0 ? ".\n\n" : i % 13 == 0 ? ". " : " ");
            t += words[i];
        }
        return t;
    };
    std::vector<std::string> docs;

    // Articles and their copies.
    const char* promos[] = {"\n\nJoin our channel for breaking news every day.",
                            "\nRead more: full coverage on our website. Updated 12:45",
                            "\n\nПодписывайтесь на наш канал, чтобы не пропустить новости.",
                            "\n\n关注我们的频道获取更多新闻"};
    for (std::size_t a = 0; a < o.articles; ++a) {
        const std::size_t script = g.below(10) < 7 ? 0 : 1 + g.below(3);
        const bool cjk = script == 3;
        const double u = g.unit();
        const std::size_t length = (cjk ? 150 : 60) + static_cast<std::size_t>(u * u * u * (cjk ? 2400.0 : 900.0));
        std::vector<std::string> words(length);
        for (auto& w : words) w = zipf_word(vocab[script]);
        const std::string original = sentence_text(words, cjk);
        docs.push_back(original);
        // Zipf copy counts: P(c) ~ c^-2.2 for c >= 1, 70% of articles none; capped at 3,000.
        std::size_t copies = 0;
        if (g.below(10) >= 7) copies = std::min<std::size_t>(3000, static_cast<std::size_t>(std::pow(1.0 - g.unit(), -1.0 / 1.2)));
        for (std::size_t c = 0; c < copies; ++c) {
            const std::size_t kind = g.below(10);
            if (kind < 5) {
                docs.push_back(original);  // byte-identical
            } else if (kind < 6) {
                std::string v = original;  // case and spacing variant: the same normalized text
                for (auto& ch : v)
                    if (ch >= 'a' && ch <= 'z' && g.below(4) == 0) ch = static_cast<char>(ch - 32);
                docs.push_back(std::string("  ").append(v).append("\n"));
            } else {
                const double rate = g.unit() * 0.06;
                std::vector<std::string> copy;
                for (const auto& w : words) {
                    const double r = g.unit();
                    if (r < rate / 3) continue;
                    if (r < 2 * rate / 3) {
                        copy.push_back(zipf_word(vocab[script]));
                        continue;
                    }
                    copy.push_back(w);
                    if (r < rate) copy.push_back(zipf_word(vocab[script]));
                }
                std::string t = sentence_text(copy, cjk);
                if (g.below(2) == 0) t += promos[g.below(4)];
                if (g.below(5) == 0) t.resize(t.size() * 9 / 10);
                docs.push_back(std::move(t));
            }
        }
    }

    // Storms of one short text.
    const std::vector<std::pair<std::string, std::size_t>> storms = {
        {"404 Not Found. The page you requested could not be found.", o.storm_copies},
        {"We use cookies to improve your experience. Accept all cookies", o.storm_copies / 3},
        {"", o.storm_copies / 5},
        {"\xf0\x9f\x91\x8d\xf0\x9f\x94\xa5", o.storm_copies / 10},
        {"Loading...", o.storm_copies / 10},
    };
    for (const auto& [text, count] : storms)
        for (std::size_t c = 0; c < count; ++c) docs.push_back(text);

    // Template families.
    for (std::size_t f = 0; f < o.families; ++f) {
        const std::size_t members = std::max<std::size_t>(20, static_cast<std::size_t>(
                                                                   static_cast<double>(o.largest_family) / std::pow(static_cast<double>(f) + 1.0, 1.1)));
        std::vector<std::string> header(80 + g.below(120)), footer(60 + g.below(100));
        for (auto& w : header) w = zipf_word(vocab[0]);
        for (auto& w : footer) w = zipf_word(vocab[0]);
        const std::string head = sentence_text(header, false), foot = sentence_text(footer, false);
        // The content share decides two members' similarity: about T / (T + C_a + C_b) for a
        // template of T words and contents of C words. A site's typical share, and each page's
        // content from half to four times the typical, spread its pairs over J 0.4 to 0.95.
        const double share = 0.04 + 0.16 * g.unit();
        const double typical = share * static_cast<double>(header.size() + footer.size());
        for (std::size_t m = 0; m < members; ++m) {
            const double scale = 0.5 * std::pow(8.0, g.unit());
            std::vector<std::string> own(2 + static_cast<std::size_t>(typical * scale));
            for (auto& w : own) w = zipf_word(vocab[0]);
            std::string page = head;
            page.append("\n\n").append(sentence_text(own, false)).append("\n\n").append(foot);
            for (std::size_t c = 0; c < o.template_copies; ++c) {  // one word inserted
                std::string copy = page;
                const std::size_t at = copy.rfind(' ', g.below(copy.size()));
                copy.insert(at == std::string::npos ? 0 : at, std::string(" ").append(zipf_word(vocab[0])));
                docs.push_back(std::move(copy));
            }
            docs.push_back(std::move(page));
        }
    }

    // Short texts.
    for (std::size_t s = 0; s < o.short_texts; ++s) {
        std::vector<std::string> words(1 + g.below(8));
        for (auto& w : words) w = vocab[0][g.below(300)];
        docs.push_back(sentence_text(words, false));
    }

    // Log-like pages.
    const char* levels[] = {"INFO", "WARN", "DEBUG", "ERROR"};
    const char* parts[] = {"request served", "cache miss for key", "retrying connection to", "user logged in",
                           "job finished in"};
    for (std::size_t p = 0; p < o.log_pages; ++p) {
        std::string t;
        const std::size_t lines = 100 + g.below(400);
        std::size_t clock = g.below(86400);
        for (std::size_t l = 0; l < lines; ++l) {
            clock += 1 + g.below(5);
            t.append("2024-05-").append(std::to_string(1 + p % 28)).append(" ").append(std::to_string(clock / 3600 % 24));
            t.append(":").append(std::to_string(clock / 60 % 60)).append(":").append(std::to_string(clock % 60));
            t.append(" ").append(levels[g.below(4)]).append(" ").append(parts[g.below(5)]).append(" ");
            t.append(std::to_string(g.below(1000))).append("\n");
        }
        docs.push_back(std::move(t));
    }
    for (std::size_t i = docs.size(); i > 1; --i) std::swap(docs[i - 1], docs[g.below(i)]);
    return docs;
}

/// The similar pairs of a sample, by brute force over units (distinct normalized texts).
struct unit_truth {
    std::vector<std::size_t> unit_of;                       ///< per document: its unit (first document's index)
    std::vector<std::size_t> sample;                        ///< sampled units (by first document)
    std::vector<std::vector<std::pair<std::size_t, double>>> similar;  ///< per sampled unit: (unit, J >= t)
};

inline unit_truth reference_units(const std::vector<std::string>& docs, std::size_t k, double threshold,
                                  std::size_t sample_size) {
    const ditto::normalizer normalize;
    unit_truth t;
    const std::size_t n = docs.size();
    t.unit_of.resize(n);
    std::vector<std::string> normalized(n);
    std::unordered_map<std::string_view, std::size_t> first;
    std::vector<std::size_t> units;
    for (std::size_t i = 0; i < n; ++i) normalized[i] = normalize(docs[i]);
    for (std::size_t i = 0; i < n; ++i) {
        const auto [it, inserted] = first.emplace(std::string_view(normalized[i]), i);
        t.unit_of[i] = it->second;
        if (inserted) units.push_back(i);
    }
    auto shingles = [&](std::size_t d) {
        std::vector<std::string> tokens, out;
        for (const auto& tok : ditto::word_tokenizer{}(normalized[d])) tokens.emplace_back(tok.text);
        auto add = [&](std::size_t from, std::size_t count) {
            std::string s;
            for (std::size_t i = from; i < from + count; ++i) (s += tokens[i]) += ' ';
            out.push_back(std::move(s));
        };
        if (!tokens.empty() && tokens.size() < k) add(0, tokens.size());
        for (std::size_t i = 0; i + k <= tokens.size(); ++i) add(i, k);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    };
    const std::size_t step = std::max<std::size_t>(1, units.size() / sample_size);
    std::unordered_map<std::string, std::vector<std::uint32_t>> owners;
    std::vector<std::size_t> sample_size_of;
    for (std::size_t u = 0; u < units.size() && t.sample.size() < sample_size; u += step) {
        const auto set = shingles(units[u]);
        if (set.empty()) continue;  // no tokens: similar only to its exact duplicates
        for (const auto& s : set) owners[s].push_back(static_cast<std::uint32_t>(t.sample.size()));
        t.sample.push_back(units[u]);
        sample_size_of.push_back(set.size());
    }
    t.similar.resize(t.sample.size());
    std::vector<std::size_t> shared(t.sample.size(), 0);
    std::vector<std::uint32_t> touched;
    for (const std::size_t d : units) {
        const auto set = shingles(d);
        touched.clear();
        for (const auto& s : set) {
            const auto it = owners.find(s);
            if (it == owners.end()) continue;
            for (const auto x : it->second)
                if (shared[x]++ == 0) touched.push_back(x);
        }
        for (const auto x : touched) {
            const double j = static_cast<double>(shared[x]) / static_cast<double>(set.size() + sample_size_of[x] - shared[x]);
            if (t.sample[x] != d && j >= threshold) t.similar[x].emplace_back(d, j);
            shared[x] = 0;
        }
    }
    return t;
}

}  // namespace bench
