#pragma once
// The length of the longest common subsequence of two symbol sequences, bit-parallel: the DP
// column over the pattern is kept as a bit vector of its vertical differences and advanced by
// one addition per text symbol (Allison and Dix 1986; Hyyrö 2004: V' = (V + (V & M)) | (V & ~M),
// where M marks the pattern positions holding the symbol; the LCS is the number of zero bits).
// O(|text| · ⌈|pattern| / 64⌉) word operations, and only the symbols the pattern has cost more
// than a lookup.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace ditto::inline v0_1 {

/// A pattern prepared once for LCS lengths against many texts.
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
        masks_.assign(symbols_.size() * words_, 0);
        for (std::size_t i = 0; i < length_; ++i) {
            const std::size_t row = find(pattern[i]);
            masks_[row * words_ + i / 64] |= std::uint64_t{1} << (i % 64);
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return length_; }

    /// The LCS length of the pattern and text. scratch is reused between calls.
    [[nodiscard]] std::size_t length(std::span<const std::uint32_t> text, std::vector<std::uint64_t>& scratch) const {
        if (length_ == 0 || text.empty()) return 0;
        scratch.assign(words_, ~std::uint64_t{0});
        std::uint64_t* v = scratch.data();
        for (const std::uint32_t symbol : text) {
            const std::size_t row = find(symbol);
            if (row == npos) continue;  // V & M = 0: V stays as it is
            const std::uint64_t* m = masks_.data() + row * words_;
            std::uint64_t carry = 0;
            for (std::size_t w = 0; w < words_; ++w) {
                const std::uint64_t u = v[w] & m[w];
                const std::uint64_t sum = v[w] + u;
                const std::uint64_t with_carry = sum + carry;
                carry = (sum < v[w] || with_carry < sum) ? 1 : 0;
                v[w] = with_carry | (v[w] & ~m[w]);
            }
        }
        std::size_t ones = 0;
        for (std::size_t w = 0; w + 1 < words_; ++w) ones += static_cast<std::size_t>(std::popcount(v[w]));
        const std::size_t tail = length_ - (words_ - 1) * 64;  // 1..64 bits in the last word
        const std::uint64_t last = tail == 64 ? v[words_ - 1] : v[words_ - 1] & ((std::uint64_t{1} << tail) - 1);
        ones += static_cast<std::size_t>(std::popcount(last));
        return length_ - ones;
    }

    [[nodiscard]] std::size_t length(std::span<const std::uint32_t> text) const {
        std::vector<std::uint64_t> scratch;
        return length(text, scratch);
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    [[nodiscard]] std::size_t find(std::uint32_t symbol) const noexcept {
        const auto it = std::lower_bound(symbols_.begin(), symbols_.end(), symbol,
                                         [](const auto& e, std::uint32_t s) { return e.first < s; });
        return it != symbols_.end() && it->first == symbol ? it->second : npos;
    }
    std::size_t length_ = 0, words_ = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> symbols_;  // (symbol, mask row), by symbol
    std::vector<std::uint64_t> masks_;                               // rows of words_ words
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
