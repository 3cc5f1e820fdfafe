#pragma once
// New documents against a stored index: for each new document, the indexed documents whose
// shingle sets are similar to its own at or above the index's threshold.
//
// A new document is sketched exactly as ditto::dedup sketches documents, with the index's
// parameters (index_sketcher): normalized, word shingles, the default MinHash sketcher with
// 32-bit slots, the index's bands x rows. Its band keys are looked up in the index's band
// records (sorted by (band, key, document): one binary search per band); the indexed documents
// found are sorted and made unique, so each candidate is examined once per new document. A
// candidate is judged
//   - exactly, when the caller's accessor gives the indexed document's text and that text has
//     the hash the index recorded: the Jaccard similarity of the two shingle sets;
//   - else estimated from the signatures (equal slots / slots), and marked as estimated.
// Work is linear in the candidate pairs: a new document sharing band keys with 10^5 indexed
// copies costs 10^5 judgements, never their square.
//
// A document without shingles (no words enough for one shingle) matches nothing, as in
// ditto::dedup except for its exact duplicates (which the index does not look up).
//
// New documents are processed in chunks on an executor; each chunk keeps its matches and the
// chunks are joined in order, so the result is the same whatever the thread count.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/dedup.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/parameters.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/verify.hpp>

namespace ditto {

/// The parameters of a stored index whose documents are sketched as ditto::dedup sketches them
/// with options o: word shingles, the default sketcher with 32-bit slots, o's LSH shape.
[[nodiscard]] inline index_parameters index_parameters_for(const dedup_options& o) {
    index_parameters p;
    p.shingles = shingle_kind::words;
    p.shingle_size = static_cast<std::uint32_t>(o.ngram);
    p.normalization = o.normalization;
    p.text_pipeline = text_pipeline_id;
    p.seed = o.seed;
    p.sketch = sketch_kind::fast;
    p.slots = static_cast<std::uint32_t>(o.sketch_size);
    p.slot_bits = 32;
    p.lsh = o.lsh();
    p.threshold = o.threshold;
    p.recall = o.recall;
    return p;
}

/// Sketches texts as ditto::dedup does, with the parameters of a stored index (word shingles,
/// the default sketcher, 32-bit slots). Stateless after construction: share it between threads.
class index_sketcher {
public:
    /// Throws std::invalid_argument when the parameters are not those of documents sketched the
    /// way ditto::dedup sketches them (word shingles, sketch kind fast, 32-bit slots).
    explicit index_sketcher(const index_parameters& p)
        : parameters_(p), normalize_(p.normalization), shingle_(checked_size(p), p.seed),
          sketcher_(mix64(p.seed, 0x5ce7c4e5)) {}

    [[nodiscard]] const index_parameters& parameters() const noexcept { return parameters_; }

    /// The text's shingle hashes in text order (repeats kept) into hashes, scratch holding the
    /// normalized text.
    void shingles(std::string_view text, std::string& scratch, std::vector<std::uint64_t>& hashes) const {
        shingle_text(text, normalize_, shingle_, scratch, hashes);
    }
    /// The text's sorted, repeat-free shingle set into set.
    void shingle_set(std::string_view text, std::string& scratch, std::vector<std::uint64_t>& set) const {
        shingles(text, scratch, set);
        make_set(set);
    }
    /// The signature of shingle hashes (as shingles() gives them, in any order) into out
    /// (parameters().slots values): every slot 2^32 - 1 when there are none (the empty signature
    /// of a stored index). Returns false for the empty signature.
    bool sign(std::span<const std::uint64_t> hashes, std::span<std::uint64_t> out) const {
        if (hashes.empty()) {
            std::fill(out.begin(), out.end(), std::uint64_t{std::numeric_limits<std::uint32_t>::max()});
            return false;
        }
        std::vector<std::uint32_t> slots(out.size());
        sketcher_.fill(hashes, std::span<std::uint32_t>(slots));
        std::copy(slots.begin(), slots.end(), out.begin());
        return true;
    }

private:
    static std::size_t checked_size(const index_parameters& p) {
        if (p.shingles != shingle_kind::words || p.sketch != sketch_kind::fast || p.slot_bits != 32)
            detail::throw_invalid_argument("index_sketcher", "parameters",
                                           "word shingles, sketch kind fast, 32-bit slots", "others");
        return p.shingle_size;
    }
    index_parameters parameters_;
    normalizer normalize_;
    word_shingler<> shingle_;
    minhash_sketcher sketcher_;
};

/// A new document and an indexed document at or above the threshold.
struct against_match {
    std::size_t document = 0;   ///< the new document's position
    std::uint32_t indexed = 0;  ///< the indexed document's number
    double similarity = 0;      ///< exact Jaccard, or the signature estimate when estimated
    bool estimated = false;     ///< the indexed text was not available (or not the indexed one)
    friend bool operator==(const against_match&, const against_match&) = default;
};

/// What dedup_against found.
struct against_result {
    /// Sorted by (document, indexed).
    std::vector<against_match> matches;
    std::size_t documents = 0;     ///< new documents
    std::size_t empty_documents = 0;  ///< of those, without shingles
    std::size_t candidates = 0;    ///< (new, indexed) pairs sharing a band key, each counted once
    std::size_t exact = 0;         ///< candidates judged from both texts
    std::size_t estimated = 0;     ///< candidates judged from the signatures
};

namespace detail {

// The indexed documents sharing a band key with keys (one per band), sorted and unique.
inline void against_candidates(const stored_index& index, std::span<const std::uint64_t> keys,
                               std::vector<std::uint32_t>& out) {
    out.clear();
    const auto& records = index.band_records;
    for (std::size_t b = 0; b < keys.size(); ++b) {
        const band_record probe{keys[b], static_cast<std::uint32_t>(b), 0};
        auto it = std::lower_bound(records.begin(), records.end(), probe);
        for (; it != records.end() && it->band == probe.band && it->key == probe.key; ++it) out.push_back(it->document);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace detail

/// The matches of each new document among the indexed ones (see the top of this file).
/// indexed_text(d, text) puts indexed document d's text into text (a std::string&) and returns
/// true, or returns false when it is not available; it is called from the executor's threads at
/// once and must be safe for that. A text whose hash128 is not the one the index recorded is
/// taken as not available. Throws std::invalid_argument when the index was not sketched as
/// ditto::dedup sketches (index_sketcher), and whatever normalization throws.
template <std::ranges::random_access_range R, executor E, class IndexedText>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] against_result dedup_against(const stored_index& index, const R& documents, E& exec,
                                           IndexedText indexed_text) {
    const index_sketcher sketcher(index.parameters);
    const index_parameters& p = index.parameters;
    const std::size_t n = static_cast<std::size_t>(std::ranges::size(documents));
    const std::size_t k = p.slots, bands = p.lsh.bands;
    const double threshold = p.threshold;
    const auto begin = std::ranges::begin(documents);
    constexpr std::size_t per_task = 64;
    const std::size_t tasks = (n + per_task - 1) / per_task;
    struct task_result {
        std::vector<against_match> matches;
        std::size_t empty = 0, candidates = 0, exact = 0, estimated = 0;
    };
    std::vector<task_result> results(tasks);
    exec.bulk(tasks, [&](std::size_t task) {
        task_result& r = results[task];
        std::string scratch, other_text;
        std::vector<std::uint64_t> hashes, other_set, signature(k), keys(bands);
        std::vector<std::uint32_t> values(k), candidates;
        for (std::size_t i = task * per_task; i < std::min(n, (task + 1) * per_task); ++i) {
            const std::string_view text = ditto::text_of(begin[static_cast<std::ptrdiff_t>(i)]);
            sketcher.shingles(text, scratch, hashes);
            if (!sketcher.sign(hashes, signature)) {
                ++r.empty;
                continue;
            }
            make_set(hashes);
            for (std::size_t s = 0; s < k; ++s) values[s] = static_cast<std::uint32_t>(signature[s]);
            band_keys(std::span<const std::uint32_t>(values), p.lsh, std::span<std::uint64_t>(keys));
            detail::against_candidates(index, keys, candidates);
            r.candidates += candidates.size();
            for (const std::uint32_t d : candidates) {
                double s = -1.0;
                bool estimated = true;
                if (indexed_text(d, other_text) && hash128(other_text) == index.documents[d].text_hash) {
                    estimated = false;
                    ++r.exact;
                    sketcher.shingle_set(other_text, scratch, other_set);
                    s = jaccard_at_least(std::span<const std::uint64_t>(hashes), std::span<const std::uint64_t>(other_set),
                                         threshold);
                } else {
                    ++r.estimated;
                    const auto theirs = index.signature(d);
                    std::size_t equal = 0;
                    for (std::size_t x = 0; x < k; ++x) equal += static_cast<std::size_t>(theirs[x] == signature[x]);
                    s = static_cast<double>(equal) / static_cast<double>(k);
                }
                if (s >= threshold) r.matches.push_back({i, d, s, estimated});
            }
        }
    });
    against_result out;
    out.documents = n;
    for (auto& r : results) {
        out.matches.insert(out.matches.end(), r.matches.begin(), r.matches.end());
        out.empty_documents += r.empty;
        out.candidates += r.candidates;
        out.exact += r.exact;
        out.estimated += r.estimated;
    }
    return out;
}

/// Every candidate estimated from the signatures (no indexed text at hand).
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] against_result dedup_against(const stored_index& index, const R& documents, E& exec) {
    return dedup_against(index, documents, exec, [](std::uint32_t, std::string&) { return false; });
}

}  // namespace ditto
