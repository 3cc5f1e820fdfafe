#pragma once
// A deterministic corpus with planted near-duplicates, for tests and benchmarks.
//
// Originals are drawn from a synthetic vocabulary (so unrelated documents share little); each
// may get copies with words deleted, inserted and substituted at given rates, a promo line
// appended, paragraphs reordered, or the end cut off. Short texts, texts shorter than the
// shingle size, and empty texts are mixed in. The generator knows which copy came from which
// original, but the ground truth for similarity is computed, not assumed: see brute_force_pairs.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/verify.hpp>

namespace ditto_test {

struct rng {
    std::uint64_t state;
    std::uint64_t next() {  // splitmix64: the same stream on every platform
        state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

struct corpus_options {
    std::size_t originals = 150;
    std::size_t max_copies = 6;        // each original gets 0..max_copies copies
    double max_edit_rate = 0.03;       // per copy, the word edit rate is uniform in [0, max]
    std::size_t min_words = 40;
    std::size_t max_words = 400;
    std::size_t vocabulary = 6000;
    bool odd_texts = true;             // add short, shorter-than-k and empty texts
    std::uint64_t seed = 1;
};

inline std::string make_word(std::size_t index) {
    static const char* const syllables[] = {"ka", "lo", "mi", "ne", "ru", "sta", "ver", "qui", "dor", "pel",
                                            "tam", "zu", "bre", "gio", "han", "wex", "fy", "ost", "lum", "cra"};
    std::string w;
    std::size_t x = index + 1;
    while (x > 0) {
        w += syllables[x % 20];
        x /= 20;
    }
    if (index % 7 == 0) w[0] = static_cast<char>(w[0] - 32);  // some capitals, folded away
    return w;
}

inline std::vector<std::string> make_corpus(const corpus_options& o) {
    rng g{o.seed};
    std::vector<std::string> words(o.vocabulary);
    for (std::size_t i = 0; i < o.vocabulary; ++i) words[i] = make_word(i);
    // Zipf-like draw: frequent words are frequent, but long texts still differ.
    auto word = [&] {
        const double u = g.unit();
        return words[static_cast<std::size_t>(static_cast<double>(o.vocabulary) * u * u * u) % o.vocabulary];
    };
    auto join = [](const std::vector<std::string>& ws) {
        std::string out;
        for (std::size_t i = 0; i < ws.size(); ++i) {
            if (i > 0) out += (i % 60 == 0) ? "\n\n" : (i % 12 == 0 ? ". " : " ");
            out += ws[i];
        }
        return out;
    };
    std::vector<std::string> docs;
    for (std::size_t d = 0; d < o.originals; ++d) {
        std::vector<std::string> base(o.min_words + g.below(o.max_words - o.min_words + 1));
        for (auto& w : base) w = word();
        docs.push_back(join(base));
        const std::size_t copies = g.below(o.max_copies + 1);
        for (std::size_t c = 0; c < copies; ++c) {
            const double rate = g.unit() * o.max_edit_rate;
            std::vector<std::string> copy;
            for (const auto& w : base) {
                const double r = g.unit();
                if (r < rate / 3) continue;                       // deleted
                if (r < 2 * rate / 3) { copy.push_back(word()); continue; }  // substituted
                copy.push_back(w);
                if (r < rate) copy.push_back(word());             // inserted after
            }
            std::string text = join(copy);
            switch (g.below(5)) {
                case 0: text += "\n\nJoin our channel for more news every day"; break;
                case 1: text += "\nRead more: example dot com. Updated 12:45"; break;
                case 2: {  // paragraphs reordered
                    const auto cut = text.find("\n\n");
                    if (cut != std::string::npos) text = text.substr(cut + 2) + "\n\n" + text.substr(0, cut);
                    break;
                }
                case 3: text.resize(text.size() * 9 / 10); break;  // truncated
                default: break;
            }
            docs.push_back(std::move(text));
        }
        if (o.odd_texts && d % 10 == 0) {
            docs.push_back(word() + " " + word());  // shorter than the shingle size
            docs.push_back(docs.back());            // and its exact copy
            docs.push_back(d % 20 == 0 ? "" : " ... ");  // empty (no tokens)
            std::vector<std::string> few(6 + g.below(6));
            for (auto& w : few) w = word();
            docs.push_back(join(few));              // short
        }
    }
    // Interleave so copies are not next to their originals.
    for (std::size_t i = docs.size(); i > 1; --i) std::swap(docs[i - 1], docs[g.below(i)]);
    return docs;
}

/// The exact similar pairs by brute force: every pair's Jaccard similarity over shingle sets
/// built as sets of token strings (k tokens joined by a space; the whole text when shorter),
/// independent of ditto's hashing, sketching and LSH. Texts whose normalized forms are equal are
/// exact duplicates, similarity 1, also when they have no tokens.
struct reference_pair {
    std::size_t first, second;
    double similarity;
};

inline std::vector<reference_pair> brute_force_pairs(const std::vector<std::string>& docs, std::size_t k,
                                                     double threshold) {
    const ditto::normalizer normalize;
    std::map<std::string, std::uint64_t> ids;
    std::vector<std::vector<std::uint64_t>> sets(docs.size());
    std::vector<std::string> normalized(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
        const std::string text = normalized[d] = normalize(docs[d]);
        std::vector<std::string> tokens;
        for (const auto& t : ditto::word_tokenizer{}(text)) tokens.emplace_back(t.text);
        auto add = [&](std::size_t from, std::size_t count) {
            std::string shingle;
            for (std::size_t i = from; i < from + count; ++i) (shingle += tokens[i]) += ' ';
            sets[d].push_back(ids.emplace(shingle, ids.size()).first->second);
        };
        if (!tokens.empty() && tokens.size() < k) add(0, tokens.size());
        for (std::size_t i = 0; i + k <= tokens.size(); ++i) add(i, k);
        ditto::make_set(sets[d]);
    }
    std::vector<reference_pair> out;
    for (std::size_t a = 0; a < docs.size(); ++a)
        for (std::size_t b = a + 1; b < docs.size(); ++b) {
            const double j = normalized[a] == normalized[b] ? 1.0 : ditto::jaccard(sets[a], sets[b]);
            if (j >= threshold) out.push_back({a, b, j});
        }
    return out;
}

}  // namespace ditto_test
