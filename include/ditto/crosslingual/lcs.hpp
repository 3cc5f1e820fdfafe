#pragma once
// The length of the longest common subsequence of two symbol sequences, bit-parallel: the DP
// column over the pattern is kept as a bit vector of its vertical differences and advanced by
// one addition per text symbol (Allison and Dix 1986; Hyyrö 2004: V' = (V + (V & M)) | (V & ~M),
// where M marks the pattern positions holding the symbol; the LCS is the number of zero bits).
// At most O(|text| · ⌈|pattern| / 64⌉) word operations, in O(|pattern|) memory; a text symbol
// costs the words of the pattern where it occurs and the carries they start, and a symbol the
// pattern lacks costs a lookup.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace ditto::inline v0_1 {

/// A pattern prepared once for LCS lengths against many texts.
///
/// Each symbol's match mask M is kept sparse: the words where it has bits, as (word, bits) pairs,
/// so the pattern takes O(|pattern|) memory however many distinct symbols it holds. A text
/// symbol then touches only those words and the words its carries run into: where M is 0 and no
/// carry comes in, V' = (V + 0) | V = V.
class lcs_pattern {
public:
    lcs_pattern() = default;
    explicit lcs_pattern(std::span<const std::uint32_t> pattern) { assign(pattern); }

    /// Prepares pattern (its buffers are reused).
    void assign(std::span<const std::uint32_t> pattern) {
        length_ = pattern.size();
        words_ = (length_ + 63) / 64;
        symbols_.clear();
        for (std::size_t i = 0; i < length_; ++i) symbols_.push_back({pattern[i], 0});
        std::sort(symbols_.begin(), symbols_.end());
        symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                                   [](const auto& a, const auto& b) { return a.first == b.first; }),
                       symbols_.end());
        for (std::size_t r = 0; r < symbols_.size(); ++r) symbols_[r].second = static_cast<std::uint32_t>(r);
        // Positions grouped by row (a counting sort, positions ascending within a row), then
        // each row's positions folded into (word, bits) entries.
        rows_.assign(symbols_.size() + 1, 0);
        position_row_.resize(length_);
        for (std::size_t i = 0; i < length_; ++i) {
            position_row_[i] = static_cast<std::uint32_t>(find(pattern[i]));
            ++rows_[position_row_[i] + 1];
        }
        for (std::size_t r = 0; r < symbols_.size(); ++r) rows_[r + 1] += rows_[r];
        positions_.resize(length_);
        {
            std::vector<std::size_t> fill(rows_.begin(), rows_.end() - 1);
            for (std::size_t i = 0; i < length_; ++i) positions_[fill[position_row_[i]]++] = i;
        }
        entries_.clear();
        for (std::size_t r = 0; r < symbols_.size(); ++r) {
            const std::size_t begin = entries_.size();
            for (std::size_t k = rows_[r]; k < rows_[r + 1]; ++k) {
                const std::size_t i = positions_[k];
                const auto word = static_cast<std::uint32_t>(i / 64);
                if (entries_.size() == begin || entries_.back().word != word) entries_.push_back({word, 0});
                entries_.back().bits |= std::uint64_t{1} << (i % 64);
            }
            rows_[r] = begin;  // rows_ now holds entry offsets; the last is set below
        }
        rows_[symbols_.size()] = entries_.size();
    }

    [[nodiscard]] std::size_t size() const noexcept { return length_; }
    /// Words of the column vector V: ⌈size() / 64⌉.
    [[nodiscard]] std::size_t words() const noexcept { return words_; }

    /// Advances the column vector v (words() words, all ones before the first symbol) by one text
    /// symbol: V' = (V + (V & M)) | (V & ~M), M the symbol's match mask.
    void advance(std::uint32_t symbol, std::uint64_t* v) const noexcept {
        const std::size_t row = find(symbol);
        if (row == npos) return;  // V & M = 0: V stays as it is
        std::uint64_t carry = 0;
        std::size_t w = 0;
        // Carries into words without bits of M: V + 1, set bits kept; stops when one does not overflow.
        const auto carry_until = [&](std::size_t end) {
            for (; carry != 0 && w < end; ++w) {
                const std::uint64_t with_carry = v[w] + 1;
                carry = with_carry == 0 ? 1 : 0;
                v[w] |= with_carry;
            }
        };
        for (std::size_t e = rows_[row]; e < rows_[row + 1]; ++e) {
            carry_until(entries_[e].word);
            w = entries_[e].word;
            const std::uint64_t m = entries_[e].bits;
            const std::uint64_t u = v[w] & m;
            const std::uint64_t sum = v[w] + u;
            const std::uint64_t with_carry = sum + carry;
            carry = (sum < v[w] || with_carry < sum) ? 1 : 0;
            v[w] = with_carry | (v[w] & ~m);
            ++w;
        }
        carry_until(words_);
    }

    /// The LCS length of the pattern and text. scratch is reused between calls.
    [[nodiscard]] std::size_t length(std::span<const std::uint32_t> text, std::vector<std::uint64_t>& scratch) const {
        if (length_ == 0 || text.empty()) return 0;
        scratch.assign(words_, ~std::uint64_t{0});
        for (const std::uint32_t symbol : text) advance(symbol, scratch.data());
        return length_ - ones(scratch.data());
    }

    [[nodiscard]] std::size_t length(std::span<const std::uint32_t> text) const {
        std::vector<std::uint64_t> scratch;
        return length(text, scratch);
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    struct entry {
        std::uint32_t word;
        std::uint64_t bits;
    };
    [[nodiscard]] std::size_t find(std::uint32_t symbol) const noexcept {
        const auto it = std::lower_bound(symbols_.begin(), symbols_.end(), symbol,
                                         [](const auto& e, std::uint32_t s) { return e.first < s; });
        return it != symbols_.end() && it->first == symbol ? it->second : npos;
    }
    // The set bits among the pattern's length_ bits of v.
    [[nodiscard]] std::size_t ones(const std::uint64_t* v) const noexcept {
        std::size_t n = 0;
        for (std::size_t w = 0; w + 1 < words_; ++w) n += static_cast<std::size_t>(std::popcount(v[w]));
        const std::size_t tail = length_ - (words_ - 1) * 64;  // 1..64 bits in the last word
        const std::uint64_t last = tail == 64 ? v[words_ - 1] : v[words_ - 1] & ((std::uint64_t{1} << tail) - 1);
        return n + static_cast<std::size_t>(std::popcount(last));
    }

    std::size_t length_ = 0, words_ = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> symbols_;  // (symbol, row), by symbol
    std::vector<std::size_t> rows_;                                 // row r's entries: [rows_[r], rows_[r + 1])
    std::vector<entry> entries_;                                    // (word, bits), by row then word
    std::vector<std::uint32_t> position_row_;                       // scratch of assign
    std::vector<std::size_t> positions_;                            // scratch of assign
};

/// The LCS length of a and b (bit-parallel over the shorter one).
[[nodiscard]] inline std::size_t lcs_length(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
    if (a.size() < b.size()) std::swap(a, b);
    return lcs_pattern(b).length(a);
}

/// 2 · LCS / (|a| + |b|): 1 for equal sequences, 0 when nothing is shared (or both are empty).
[[nodiscard]] inline double lcs_similarity(std::size_t lcs, std::size_t a_size, std::size_t b_size) noexcept {
    return a_size + b_size == 0 ? 0.0 : 2.0 * static_cast<double>(lcs) / static_cast<double>(a_size + b_size);
}

}  // namespace ditto
