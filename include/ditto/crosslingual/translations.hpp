#pragma once
// Linking translated copies to their originals: for each document, the reference document it is
// most likely a translation of, from their anchors (crosslingual/anchors.hpp).
//
// The reference's anchors go into a tf-idf index (crosslingual/anchor_index.hpp). For a
// document with at least min_anchors anchors (fewer: it abstains, since a handful of numbers
// matches too much by chance), the `candidates` references with the highest cosine are scored:
//   score = mean of (a) the cosine, (b) 2 · LCS / (|a| + |b|) of the two anchor sequences
//           (crosslingual/lcs.hpp), and, with `chars`, (c) the similarity of the character
//           4-grams of the transliterated texts (crosslingual/char_grams.hpp);
// the best (ties: the lowest reference number) is the link when its score is at least
// `threshold`. Only the best is taken, by default: sibling originals (two reports of one event)
// score high against each other, and every pair above a threshold would link them too.
//
// Everything runs on an executor and the result does not depend on its thread count.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/crosslingual/anchor_index.hpp>
#include <ditto/crosslingual/anchors.hpp>
#include <ditto/crosslingual/char_grams.hpp>
#include <ditto/crosslingual/lcs.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

struct translation_options {
    /// The least score of a link, in [0, 1]. 0.25 balances precision and recall; 0.40 favours
    /// precision.
    double threshold = 0.25;
    /// Documents with fewer anchors abstain (are not linked), in [0, 2^32).
    std::size_t min_anchors = 10;
    /// References scored per document (the best by cosine), in [1, 10000].
    std::size_t candidates = 20;
    /// Add the character 4-gram term to the score.
    bool chars = false;
    /// Every candidate at or above the threshold, not only the best.
    bool all = false;

    /// Throws std::invalid_argument naming the first parameter out of range.
    void validate() const {
        if (!(threshold >= 0.0 && threshold <= 1.0))
            detail::throw_invalid_argument("translation_options", "threshold", "in [0, 1]", detail::format_double(threshold));
        if (min_anchors > 0xffffffffu)
            detail::throw_invalid_argument("translation_options", "min_anchors", "below 2^32", std::to_string(min_anchors));
        if (candidates < 1 || candidates > 10000)
            detail::throw_invalid_argument("translation_options", "candidates", "in [1, 10000]", std::to_string(candidates));
    }
};

/// A reference document scored against a document.
struct translation_match {
    std::size_t reference = 0;
    double score = 0, cosine = 0, lcs = 0, chars = 0;
};

enum class translation_status : std::uint8_t {
    linked,     ///< matches holds the link (with `all`, every candidate at the threshold or above)
    unmatched,  ///< no candidate reached the threshold (best says how close one came)
    abstained,  ///< fewer than min_anchors anchors, or none at all
};

/// What was found for one document.
struct translation {
    translation_status status = translation_status::unmatched;
    std::size_t anchors = 0;
    std::optional<translation_match> best;     ///< the best candidate, linked or not
    std::vector<translation_match> matches;    ///< the links, best first
};

/// The reference side, built once; find() links any number of documents to it.
class translation_finder {
public:
    /// Extracts and indexes the anchors (and with options.chars the character 4-grams) of
    /// every reference document, on ex. Throws std::invalid_argument for invalid options.
    template <std::ranges::random_access_range R, executor E>
        requires document<std::ranges::range_value_t<R>>
    translation_finder(const R& reference, const translation_options& options, E& ex) : options_(options) {
        options_.validate();
        const std::size_t n = std::ranges::size(reference);
        std::vector<std::vector<std::uint64_t>> sequences(n);
        std::vector<std::vector<std::uint32_t>> grams(options_.chars ? n : 0);
        const std::size_t blocks = (n + block - 1) / block;
        ex.bulk(blocks, [&](std::size_t b) {
            anchor_list anchors;
            const anchor_extractor extract;
            for (std::size_t d = b * block; d < std::min(n, (b + 1) * block); ++d) {
                const std::string_view text = ditto::text_of(std::ranges::begin(reference)[static_cast<std::ptrdiff_t>(d)]);
                extract.extract(text, anchors);
                anchor_terms(anchors, sequences[d]);
                if (options_.chars) char_gram_set(text, grams[d]);
            }
        });
        index_ = anchor_index(sequences);
        if (options_.chars) {
            gram_start_.assign(n + 1, 0);
            for (std::size_t d = 0; d < n; ++d) gram_start_[d + 1] = gram_start_[d] + grams[d].size();
            grams_.reserve(gram_start_.back());
            for (auto& g : grams) {
                grams_.insert(grams_.end(), g.begin(), g.end());
                std::vector<std::uint32_t>().swap(g);
            }
        }
    }

    [[nodiscard]] const translation_options& options() const noexcept { return options_; }
    [[nodiscard]] const anchor_index& index() const noexcept { return index_; }
    /// Bytes held: the index and the character 4-gram sets.
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return index_.memory_bytes() + gram_start_.capacity() * sizeof(std::size_t) + grams_.capacity() * sizeof(std::uint32_t);
    }

    /// Buffers kept between find() calls (one per thread).
    struct scratch {
        anchor_list anchors;
        std::vector<std::uint64_t> terms;
        std::vector<std::uint32_t> numbers;
        std::vector<std::uint32_t> grams;
        std::vector<anchor_candidate> candidates;
        anchor_index::scratch index;
        lcs_pattern pattern;
        std::vector<std::uint64_t> lcs;
    };

    /// Links one document's text.
    [[nodiscard]] translation find(std::string_view text, scratch& s) const {
        translation t;
        anchor_extractor{}.extract(text, s.anchors);
        t.anchors = s.anchors.size();
        if (t.anchors < options_.min_anchors || t.anchors == 0) {
            t.status = translation_status::abstained;
            return t;
        }
        anchor_terms(s.anchors, s.terms);
        index_.top_k(s.terms, options_.candidates, s.candidates, s.index);
        s.numbers.clear();
        for (const std::uint64_t h : s.terms) s.numbers.push_back(index_.term_of(h));
        s.pattern.assign(s.numbers);
        if (options_.chars) char_gram_set(text, s.grams);
        for (const anchor_candidate& c : s.candidates) {
            translation_match m;
            m.reference = c.doc;
            m.cosine = c.cosine;
            const auto other = index_.sequence(c.doc);
            m.lcs = lcs_similarity(s.pattern.length(other, s.lcs), s.numbers.size(), other.size());
            if (options_.chars) {
                m.chars = char_gram_similarity(s.grams, std::span<const std::uint32_t>(grams_).subspan(
                                                            gram_start_[c.doc], gram_start_[c.doc + 1] - gram_start_[c.doc]));
                m.score = (m.cosine + m.lcs + m.chars) / 3.0;
            } else {
                m.score = (m.cosine + m.lcs) / 2.0;
            }
            if (!t.best || m.score > t.best->score || (m.score == t.best->score && m.reference < t.best->reference)) t.best = m;
            if (options_.all && m.score >= options_.threshold) t.matches.push_back(m);
        }
        if (!options_.all && t.best && t.best->score >= options_.threshold) t.matches.push_back(*t.best);
        std::sort(t.matches.begin(), t.matches.end(), [](const translation_match& a, const translation_match& b) {
            return a.score != b.score ? a.score > b.score : a.reference < b.reference;
        });
        t.status = t.matches.empty() ? translation_status::unmatched : translation_status::linked;
        return t;
    }

    /// Links every document of others, on ex; result i is others' document i. progress, when
    /// given, is called with the number of documents each task just finished (from ex's threads).
    template <std::ranges::random_access_range R, executor E, class Progress = void (*)(std::size_t)>
        requires document<std::ranges::range_value_t<R>>
    [[nodiscard]] std::vector<translation> find_all(const R& others, E& ex, Progress progress = nullptr) const {
        const std::size_t n = std::ranges::size(others);
        std::vector<translation> out(n);
        const std::size_t blocks = (n + block - 1) / block;
        ex.bulk(blocks, [&](std::size_t b) {
            scratch s;
            const std::size_t end = std::min(n, (b + 1) * block);
            for (std::size_t d = b * block; d < end; ++d)
                out[d] = find(ditto::text_of(std::ranges::begin(others)[static_cast<std::ptrdiff_t>(d)]), s);
            if constexpr (!std::is_same_v<Progress, void (*)(std::size_t)>) progress(end - b * block);
            else if (progress) progress(end - b * block);
        });
        return out;
    }

private:
    static constexpr std::size_t block = 64;  // documents per task
    translation_options options_;
    anchor_index index_;
    std::vector<std::size_t> gram_start_;
    std::vector<std::uint32_t> grams_;
};

/// Links each document of others to the reference document it is a translation of (see the top
/// of this header), on ex.
template <std::ranges::random_access_range R, std::ranges::random_access_range O, executor E>
    requires document<std::ranges::range_value_t<R>> && document<std::ranges::range_value_t<O>>
[[nodiscard]] std::vector<translation> find_translations(const R& reference, const O& others, const translation_options& options,
                                                         E& ex) {
    const translation_finder finder(reference, options, ex);
    return finder.find_all(others, ex);
}

}  // namespace ditto
