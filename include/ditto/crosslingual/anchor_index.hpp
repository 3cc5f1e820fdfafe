#pragma once
// A tf-idf inverted index over the anchors of reference documents, and its top-k cosine query.
//
// Each document is the vector of its anchors (terms: 64-bit hashes of the anchors' texts) with
// weight (1 + ln tf) · idf, idf = ln((N + 1) / (df + 1)) + 1 (N documents, df of them with the
// term), divided by the vector's length. A query is weighted the same way with the reference's
// document frequencies (a term the reference lacks has df 0: it lengthens the query's vector and
// matches nothing). The cosine of a query and a document is the dot product of the two unit
// vectors, summed over the query's terms through their posting lists.
//
// Memory: the vocabulary (8 bytes a term), the postings (8 bytes a distinct term of a document:
// document number and weight as a float), and the documents' anchor sequences as term numbers
// (4 bytes an anchor) for the LCS score.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <ditto/crosslingual/anchors.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>

namespace ditto::inline v0_1 {

/// The term of each anchor, in order: the 64-bit hash of its normalized text.
inline void anchor_terms(const anchor_list& anchors, std::vector<std::uint64_t>& out) {
    out.clear();
    out.reserve(anchors.size());
    for (std::size_t i = 0; i < anchors.size(); ++i) out.push_back(hash64(anchors.text(i)));
}

/// A reference document found by a query.
struct anchor_candidate {
    std::size_t doc;
    double cosine;
    friend bool operator==(const anchor_candidate&, const anchor_candidate&) = default;
};

class anchor_index {
public:
    /// Term numbers of terms the reference does not have (in query sequences).
    static constexpr std::uint32_t unknown_term = std::numeric_limits<std::uint32_t>::max();

    anchor_index() = default;

    /// Indexes documents given as their term sequences (anchor_terms), in order: document i is
    /// sequences[i]. Throws std::invalid_argument past 2^32 - 1 distinct terms or documents.
    explicit anchor_index(const std::vector<std::vector<std::uint64_t>>& sequences) {
        const std::size_t n = sequences.size();
        if (n >= unknown_term) detail::throw_invalid_argument("anchor_index", "documents", "below 2^32 - 1", std::to_string(n));
        n_ = n;
        // The vocabulary with document frequencies: every document's distinct terms, sorted.
        std::vector<std::uint64_t> all;
        std::vector<std::uint64_t> distinct;
        for (const auto& s : sequences) {
            distinct.assign(s.begin(), s.end());
            std::sort(distinct.begin(), distinct.end());
            distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
            all.insert(all.end(), distinct.begin(), distinct.end());
        }
        std::sort(all.begin(), all.end());
        std::vector<std::uint32_t> df;
        for (std::size_t i = 0; i < all.size();) {
            std::size_t j = i;
            while (j < all.size() && all[j] == all[i]) ++j;
            terms_.push_back(all[i]);
            df.push_back(static_cast<std::uint32_t>(j - i));
            i = j;
        }
        std::vector<std::uint64_t>().swap(all);
        if (terms_.size() >= unknown_term)
            detail::throw_invalid_argument("anchor_index", "distinct anchors", "below 2^32 - 1", std::to_string(terms_.size()));
        idf_.resize(terms_.size());
        for (std::size_t t = 0; t < terms_.size(); ++t) idf_[t] = idf(df[t]);

        // Sequences as term numbers, and each document's weights (term, weight) in term order.
        sequence_start_.assign(n + 1, 0);
        std::size_t total = 0;
        for (std::size_t d = 0; d < n; ++d) total += sequences[d].size();
        sequence_terms_.reserve(total);
        posting_start_.assign(terms_.size() + 1, 0);
        std::vector<std::uint32_t> ids;
        for (std::size_t d = 0; d < n; ++d) {
            for (const std::uint64_t h : sequences[d]) sequence_terms_.push_back(term_of(h));
            sequence_start_[d + 1] = sequence_terms_.size();
            ids.assign(sequence_terms_.begin() + static_cast<std::ptrdiff_t>(sequence_start_[d]), sequence_terms_.end());
            std::sort(ids.begin(), ids.end());
            for (std::size_t i = 0; i < ids.size();) {
                std::size_t j = i;
                while (j < ids.size() && ids[j] == ids[i]) ++j;
                ++posting_start_[ids[i] + 1];
                i = j;
            }
        }
        for (std::size_t t = 0; t < terms_.size(); ++t) posting_start_[t + 1] += posting_start_[t];
        postings_.resize(posting_start_.back());
        std::vector<std::size_t> fill(posting_start_.begin(), posting_start_.end() - 1);
        std::vector<std::pair<std::uint32_t, double>> weights;
        for (std::size_t d = 0; d < n; ++d) {
            ids.assign(sequence(d).begin(), sequence(d).end());
            std::sort(ids.begin(), ids.end());
            weights.clear();
            double length = 0;
            for (std::size_t i = 0; i < ids.size();) {
                std::size_t j = i;
                while (j < ids.size() && ids[j] == ids[i]) ++j;
                const double w = (1.0 + std::log(static_cast<double>(j - i))) * idf_[ids[i]];
                weights.push_back({ids[i], w});
                length += w * w;
                i = j;
            }
            const double inverse = weights.empty() ? 0.0 : 1.0 / std::sqrt(length);
            for (const auto& [t, w] : weights)
                postings_[fill[t]++] = {static_cast<std::uint32_t>(d), static_cast<float>(w * inverse)};
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return n_; }
    [[nodiscard]] std::size_t terms() const noexcept { return terms_.size(); }
    /// Document d's anchors as term numbers, in order.
    [[nodiscard]] std::span<const std::uint32_t> sequence(std::size_t d) const noexcept {
        return std::span<const std::uint32_t>(sequence_terms_).subspan(sequence_start_[d], sequence_start_[d + 1] - sequence_start_[d]);
    }
    /// The term number of a term hash, or unknown_term.
    [[nodiscard]] std::uint32_t term_of(std::uint64_t hash) const noexcept {
        const auto it = std::lower_bound(terms_.begin(), terms_.end(), hash);
        return it != terms_.end() && *it == hash ? static_cast<std::uint32_t>(it - terms_.begin()) : unknown_term;
    }
    /// idf for a document frequency: ln((N + 1) / (df + 1)) + 1.
    [[nodiscard]] double idf(std::size_t df) const noexcept {
        return std::log(static_cast<double>(n_ + 1) / static_cast<double>(df + 1)) + 1.0;
    }
    /// Bytes held (capacity of every array).
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return terms_.capacity() * sizeof(std::uint64_t) + idf_.capacity() * sizeof(double) +
               sequence_start_.capacity() * sizeof(std::size_t) + sequence_terms_.capacity() * sizeof(std::uint32_t) +
               posting_start_.capacity() * sizeof(std::size_t) + postings_.capacity() * sizeof(posting);
    }

    /// Query state kept between queries (one per thread).
    struct scratch {
        std::vector<double> score;
        std::vector<std::uint32_t> touched;
        std::vector<std::pair<std::uint32_t, double>> weights;
        std::vector<std::uint64_t> sorted;
    };

    /// The k documents with the highest cosine to the query (its anchors' terms, anchor_terms),
    /// cosine above 0, highest first and, at equal cosine, lowest document first; into out.
    void top_k(std::span<const std::uint64_t> query, std::size_t k, std::vector<anchor_candidate>& out, scratch& s) const {
        out.clear();
        if (k == 0 || query.empty() || n_ == 0) return;
        if (s.score.size() != n_) s.score.assign(n_, 0.0);
        weigh_query(query, s);
        for (const auto& [t, w] : s.weights) {
            for (std::size_t p = posting_start_[t]; p < posting_start_[t + 1]; ++p) {
                const posting& e = postings_[p];
                if (s.score[e.doc] == 0.0) s.touched.push_back(e.doc);
                s.score[e.doc] += w * static_cast<double>(e.weight);
            }
        }
        for (const std::uint32_t d : s.touched) {
            if (s.score[d] > 0.0) out.push_back({d, s.score[d]});
            s.score[d] = 0.0;
        }
        s.touched.clear();
        const auto better = [](const anchor_candidate& a, const anchor_candidate& b) {
            return a.cosine != b.cosine ? a.cosine > b.cosine : a.doc < b.doc;
        };
        if (out.size() > k) {
            std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), better);
            out.resize(k);
        }
        std::sort(out.begin(), out.end(), better);
    }

    /// The query's unit tf-idf vector restricted to the reference's terms, into s.weights as
    /// (term, weight) in term order; terms the reference lacks count in its length only.
    void weigh_query(std::span<const std::uint64_t> query, scratch& s) const {
        s.weights.clear();
        s.sorted.assign(query.begin(), query.end());
        std::sort(s.sorted.begin(), s.sorted.end());
        double length = 0;
        for (std::size_t i = 0; i < s.sorted.size();) {
            std::size_t j = i;
            while (j < s.sorted.size() && s.sorted[j] == s.sorted[i]) ++j;
            const std::uint32_t t = term_of(s.sorted[i]);
            const double w = (1.0 + std::log(static_cast<double>(j - i))) * (t == unknown_term ? idf(0) : idf_[t]);
            length += w * w;
            if (t != unknown_term) s.weights.push_back({t, w});
            i = j;
        }
        // Hash order is not term order only when terms are missing; keep term order for a fixed
        // summation order.
        std::sort(s.weights.begin(), s.weights.end());
        const double inverse = 1.0 / std::sqrt(length);
        for (auto& e : s.weights) e.second *= inverse;
    }

private:
    struct posting {
        std::uint32_t doc;
        float weight;
    };
    std::size_t n_ = 0;
    std::vector<std::uint64_t> terms_;  // sorted term hashes; a term's number is its position
    std::vector<double> idf_;
    std::vector<std::size_t> sequence_start_;
    std::vector<std::uint32_t> sequence_terms_;
    std::vector<std::size_t> posting_start_;
    std::vector<posting> postings_;
};

}  // namespace ditto
