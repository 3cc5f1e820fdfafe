#pragma once
// Brute-force references for span-level cleaning, written from the definitions alone: every
// window as a std::string in a std::map, every line normalized into a std::map; no hashing, no
// sorting of records, no span building. The tests compare the library's spans with these as byte
// sets.

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/clean/spans.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>

namespace clean_test {

struct tok {
    std::size_t begin, end;
};

inline std::vector<tok> tokens_of(std::string_view text) {
    std::vector<tok> out;
    for (const ditto::token& t : ditto::word_tokenizer{}(text)) out.push_back({t.offset, t.offset + t.text.size()});
    return out;
}

/// For each document, which bytes the definition removes as repeated passages. excluded[d][b]
/// marks bytes of removed lines: a token starting there is in no window.
inline std::vector<std::vector<bool>> reference_passages(const std::vector<std::string>& texts, std::size_t k,
                                                         bool remove_all,
                                                         const std::vector<std::vector<bool>>* excluded = nullptr) {
    const std::size_t n = texts.size();
    std::vector<std::vector<tok>> toks(n);
    std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> windows;  // in (doc, pos) order
    for (std::size_t d = 0; d < n; ++d) {
        toks[d] = tokens_of(texts[d]);
        const auto& t = toks[d];
        for (std::size_t p = 0; p + k <= t.size(); ++p) {
            bool ok = true;
            for (std::size_t q = p; q < p + k && excluded; ++q)
                if ((*excluded)[d][t[q].begin]) ok = false;
            if (!ok) continue;
            windows[texts[d].substr(t[p].begin, t[p + k - 1].end - t[p].begin)].emplace_back(d, p);
        }
    }
    // Per token: held by a later occurrence of a window (outside that window's first occurrence
    // when the two overlap); per gap: held by one such window with both its tokens.
    std::vector<std::vector<int>> removing(n), gap(n);
    for (std::size_t d = 0; d < n; ++d) {
        removing[d].assign(toks[d].size(), 0);
        gap[d].assign(toks[d].size(), 0);
    }
    for (const auto& [bytes, list] : windows) {
        if (list.size() < 2) continue;
        const auto [first_doc, first_pos] = list[0];
        for (std::size_t i = remove_all ? 0 : 1; i < list.size(); ++i) {
            const auto [d, p] = list[i];
            std::size_t from = p;
            if (!remove_all && d == first_doc && first_pos + k > p) from = first_pos + k;
            for (std::size_t q = from; q < p + k; ++q) {
                removing[d][q] = 1;
                if (q + 1 < p + k) gap[d][q] = 1;
            }
        }
    }
    std::vector<std::vector<bool>> out(n);
    for (std::size_t d = 0; d < n; ++d) {
        out[d].assign(texts[d].size(), false);
        const auto& t = toks[d];
        auto removed = [&](std::size_t q) { return removing[d][q] != 0; };
        for (std::size_t q = 0; q < t.size(); ++q) {
            if (!removed(q)) continue;
            for (std::size_t b = t[q].begin; b < t[q].end; ++b) out[d][b] = true;
            if (q + 1 < t.size() && removed(q + 1) && gap[d][q])
                for (std::size_t b = t[q].end; b < t[q + 1].begin; ++b) out[d][b] = true;
        }
    }
    return out;
}

/// Boilerplate lines by the definition: (doc, line begin, line end) of each removed line.
inline std::set<std::tuple<std::size_t, std::size_t, std::size_t>> reference_lines(const std::vector<std::string>& texts,
                                                                                  std::size_t min_docs, bool fold_digits,
                                                                                  bool remove_all) {
    const ditto::normalizer norm;
    std::map<std::string, std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>> lines;
    for (std::size_t d = 0; d < texts.size(); ++d) {
        const std::string& text = texts[d];
        std::size_t pos = 0;
        while (true) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string::npos) end = text.size();
            std::string key = norm(std::string_view(text).substr(pos, end - pos));
            if (fold_digits)
                for (char& c : key)
                    if (c >= '0' && c <= '9') c = '0';
            if (!tokens_of(key).empty()) lines[key].emplace_back(d, pos, end);
            if (end == text.size()) break;
            pos = end + 1;
        }
    }
    std::set<std::tuple<std::size_t, std::size_t, std::size_t>> out;
    for (const auto& [key, list] : lines) {
        std::set<std::size_t> docs;
        for (const auto& [d, b, e] : list) docs.insert(d);
        if (docs.size() < min_docs) continue;
        for (std::size_t i = remove_all ? 0 : 1; i < list.size(); ++i) out.insert(list[i]);
    }
    return out;
}

/// The union of spans as a byte set per document.
inline std::vector<std::vector<bool>> span_bytes(const std::vector<std::string>& texts,
                                                 const std::vector<ditto::removed_span>& spans) {
    std::vector<std::vector<bool>> out(texts.size());
    for (std::size_t d = 0; d < texts.size(); ++d) out[d].assign(texts[d].size(), false);
    for (const auto& s : spans)
        for (std::size_t b = s.begin; b < s.end; ++b) out[s.doc][b] = true;
    return out;
}

}  // namespace clean_test
