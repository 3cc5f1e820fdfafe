// Writes a deterministic JSONL corpus with planted near-duplicates, and the ground truth: every
// pair within a family of copies with its exact Jaccard similarity (5-word shingles).
//
// Usage: corpus_gen [options] OUTPUT.jsonl TRUTH.tsv
//        corpus_gen --shape web|templates|storm OUTPUT.jsonl
//        corpus_gen --shape against INDEX.jsonl NEW.jsonl
//   --shape web        the web-shaped corpus of web_corpus.hpp (no truth file: dedup_bench
//                      computes the truth for a sample by brute force)
//   --shape templates  template families only, each page with 4 lightly edited copies
//   --shape storm      200,000 copies of one short text and 200,000 distinct documents
//   --shape against    a corpus to index (100,000 copies of one short text and 20,000 distinct
//                      documents) and a new crawl (100,000 copies of the same short text and
//                      100,000 distinct documents, 20,000 of them the indexed ones), each shuffled
//   --megabytes N      stop after about N MB of JSONL (default 1000)
//   --min-words N      shortest original, in words (default 100)
//   --max-words N      longest original, in words (default 450); lengths are skewed towards short
//   --duplicates P     percent of originals that get copies (default 30)
//   --max-copies N     copies per such original, 1..N (default 4)
//   --edit-rate P      per copy, a word edit rate drawn from [0, P] percent (default 4)
//   --promo P          percent of copies that get a promo or "read more" line (default 50)
//   --seed N           (default 1)
// Each line is {"id": "dNNNNNNN", "text": "..."}; paragraphs are separated by "\n\n" (escaped).
// TRUTH.tsv lines: id_a <TAB> id_b <TAB> jaccard (id_a < id_b).

#include <ditto/ditto.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "support/planted_corpus.hpp"
#include "web_corpus.hpp"

namespace {

void json_string(std::string& out, const std::string& s) {
    out += '"';
    for (const char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += escaped;
        } else out += c;
    }
    out += '"';
}

}  // namespace

namespace {

int write_documents(const std::vector<std::string>& docs, const std::string& path, const std::string& what) {
    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (!out) {
        std::fprintf(stderr, "corpus_gen: cannot write %s\n", path.c_str());
        return 1;
    }
    std::string line;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        char id[32];
        std::snprintf(id, sizeof id, "d%08zu", i + 1);
        line = "{\"id\": \"";
        line += id;
        line += "\", \"text\": ";
        json_string(line, docs[i]);
        line += "}\n";
        bytes += line.size();
        std::fwrite(line.data(), 1, line.size(), out);
    }
    if (std::fclose(out) != 0) {
        std::fprintf(stderr, "corpus_gen: error writing %s\n", path.c_str());
        return 1;
    }
    std::fprintf(stderr, "corpus_gen: %s: %zu documents, %.1f MB\n", what.c_str(), docs.size(), static_cast<double>(bytes) / 1e6);
    return 0;
}

// The storm benchmark of `dedup --against`: see the top of this file.
int write_against(const std::string& index_path, const std::string& new_path) {
    const std::string storm = "Sorry, this page is not available in your country.";
    ditto_test::corpus_options o;
    o.originals = 100000;
    o.max_copies = 0;
    o.min_words = 50;
    o.max_words = 200;
    o.vocabulary = 50000;
    o.odd_texts = false;
    o.seed = 5;
    const std::vector<std::string> distinct = ditto_test::make_corpus(o);
    std::vector<std::string> indexed(100000, storm), fresh(100000, storm);
    indexed.insert(indexed.end(), distinct.begin(), distinct.begin() + 20000);
    fresh.insert(fresh.end(), distinct.begin(), distinct.end());
    ditto_test::rng g{17};
    for (auto* docs : {&indexed, &fresh})
        for (std::size_t i = docs->size(); i > 1; --i) std::swap((*docs)[i - 1], (*docs)[g.below(i)]);
    const int failed = write_documents(indexed, index_path, "against (index)");
    return failed != 0 ? failed : write_documents(fresh, new_path, "against (new)");
}

int write_shape(const std::string& shape, const std::string& path) {
    std::vector<std::string> docs;
    if (shape == "storm") {
        for (std::size_t i = 0; i < 200000; ++i) docs.push_back("Sorry, this page is not available in your country.");
        ditto_test::corpus_options o;
        o.originals = 200000;
        o.max_copies = 0;
        o.min_words = 50;
        o.max_words = 400;
        o.vocabulary = 50000;
        o.odd_texts = false;
        const std::vector<std::string> distinct = ditto_test::make_corpus(o);
        docs.insert(docs.end(), distinct.begin(), distinct.end());
        ditto_test::rng g{99};
        for (std::size_t i = docs.size(); i > 1; --i) std::swap(docs[i - 1], docs[g.below(i)]);
    } else {
        docs = bench::make_web_corpus(shape == "templates" ? bench::templates_options() : bench::web_options{});
    }
    return write_documents(docs, path, shape);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 5 && std::string(argv[1]) == "--shape" && std::string(argv[2]) == "against") return write_against(argv[3], argv[4]);
    if (argc == 4 && std::string(argv[1]) == "--shape") {
        const std::string shape = argv[2];
        if (shape != "web" && shape != "templates" && shape != "storm") {
            std::fprintf(stderr, "corpus_gen: --shape must be web, templates or storm\n");
            return 2;
        }
        return write_shape(shape, argv[3]);
    }
    std::size_t megabytes = 1000, min_words = 100, max_words = 450, duplicates = 30, max_copies = 4, edit_rate = 4,
                promo = 50, seed = 1;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        std::size_t* target = arg == "--megabytes" ? &megabytes : arg == "--min-words" ? &min_words
                            : arg == "--max-words" ? &max_words : arg == "--duplicates" ? &duplicates
                            : arg == "--max-copies" ? &max_copies : arg == "--edit-rate" ? &edit_rate
                            : arg == "--promo" ? &promo : arg == "--seed" ? &seed : nullptr;
        if (target && i + 1 < argc) {
            *target = std::strtoull(argv[++i], nullptr, 10);
        } else if (!arg.empty() && arg[0] != '-') {
            files.push_back(arg);
        } else {
            std::fprintf(stderr, "usage: corpus_gen [--megabytes N] [--min-words N] [--max-words N] [--duplicates P]\n"
                                 "                  [--max-copies N] [--edit-rate P] [--promo P] [--seed N] OUT.jsonl TRUTH.tsv\n");
            return 2;
        }
    }
    if (files.size() != 2 || min_words < 1 || max_words < min_words || max_copies < 1 || duplicates > 100 ||
        promo > 100 || edit_rate > 100) {
        std::fprintf(stderr, "corpus_gen: need OUT.jsonl and TRUTH.tsv, min-words <= max-words, percentages <= 100\n");
        return 2;
    }
    std::FILE* out = std::fopen(files[0].c_str(), "wb");
    std::FILE* truth = std::fopen(files[1].c_str(), "wb");
    if (!out || !truth) {
        std::fprintf(stderr, "corpus_gen: cannot write the output files\n");
        return 1;
    }
    ditto_test::rng g{seed};
    std::vector<std::string> vocabulary(50000);
    for (std::size_t i = 0; i < vocabulary.size(); ++i) vocabulary[i] = ditto_test::make_word(i);
    auto word = [&]() -> const std::string& {
        const double u = g.unit();
        return vocabulary[static_cast<std::size_t>(static_cast<double>(vocabulary.size()) * u * u * u) % vocabulary.size()];
    };
    const char* promos[] = {"Join our channel for breaking news and exclusive stories every day.",
                            "Read more: full coverage on our website. Updated 12:45",
                            "Subscribe to the newsletter and never miss a story from the city desk."};
    std::size_t written = 0, documents = 0, families = 0, truth_pairs = 0;
    std::string line;
    char id[32];
    auto emit = [&](const std::string& text) {
        std::snprintf(id, sizeof id, "d%08zu", ++documents);
        line = "{\"id\": \"";
        line += id;
        line += "\", \"text\": ";
        json_string(line, text);
        line += "}\n";
        std::fwrite(line.data(), 1, line.size(), out);
        written += line.size();
        return std::string(id);
    };
    auto join = [](const std::vector<std::string>& ws) {
        std::string text;
        for (std::size_t i = 0; i < ws.size(); ++i) {
            if (i > 0) text += (i % 70 == 0) ? ".\n\n" : (i % 14 == 0 ? ". " : " ");
            text += ws[i];
        }
        return text + ".";
    };
    const ditto::normalizer normalize;
    const ditto::word_shingler<> shingle(5);
    while (written < megabytes * 1000000) {
        const double u = g.unit();
        std::vector<std::string> base(min_words + static_cast<std::size_t>(u * u * static_cast<double>(max_words - min_words)));
        for (auto& w : base) w = word();
        const std::string original = join(base);
        std::vector<std::string> ids{emit(original)};
        std::vector<std::string> texts{original};
        if (g.below(100) < duplicates) {
            ++families;
            const std::size_t copies = 1 + g.below(max_copies);
            for (std::size_t c = 0; c < copies; ++c) {
                const double rate = g.unit() * static_cast<double>(edit_rate) / 100.0;
                std::vector<std::string> copy;
                for (const auto& w : base) {
                    const double r = g.unit();
                    if (r < rate / 3) continue;
                    if (r < 2 * rate / 3) { copy.push_back(word()); continue; }
                    copy.push_back(w);
                    if (r < rate) copy.push_back(word());
                }
                std::string text = join(copy);
                if (g.below(100) < promo) text += std::string("\n\n") + promos[g.below(3)];
                ids.push_back(emit(text));
                texts.push_back(std::move(text));
            }
            // Every pair of the family, with its exact similarity.
            std::vector<std::vector<std::uint64_t>> sets;
            for (const auto& t : texts) sets.push_back(ditto::shingle_set(t, normalize, shingle));
            for (std::size_t a = 0; a < texts.size(); ++a)
                for (std::size_t b = a + 1; b < texts.size(); ++b) {
                    std::fprintf(truth, "%s\t%s\t%.6f\n", ids[a].c_str(), ids[b].c_str(), ditto::jaccard(sets[a], sets[b]));
                    ++truth_pairs;
                }
        }
    }
    const bool failed = std::fclose(out) != 0 || std::fclose(truth) != 0;
    std::fprintf(stderr, "corpus_gen: %zu documents, %.1f MB, %zu families of copies, %zu truth pairs\n", documents,
                 static_cast<double>(written) / 1e6, families, truth_pairs);
    return failed ? 1 : 0;
}
