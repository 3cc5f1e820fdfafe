#pragma once
// hash64 under one fixed seed, for the many short strings a shingler hashes (word tokens).
//
// hash64 starts by folding the seed with the length; for a fixed seed that first fold depends on
// the length alone, so the values for lengths up to 16 are computed once here and a token of at
// most 16 bytes costs two folds instead of three. The values are hash64's, bit for bit (they are
// part of the stored index format; tests/text/token_hash.cpp compares them); longer inputs call
// hash64.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <ditto/detail/inline.hpp>
#include <ditto/detail/load.hpp>
#include <ditto/hash.hpp>

namespace ditto::inline v0_1::detail {

class token_hasher {
public:
    explicit token_hasher(std::uint64_t seed = default_seed) noexcept : seed_(seed) {
        for (std::size_t n = 0; n <= short_limit; ++n) {
            length_entry& e = lengths_[n];
            e.state = fold_multiply(seed ^ hash_k0 ^ (static_cast<std::uint64_t>(n) * hash_k4), hash_k1);
            const bool long8 = n >= 8, long4 = n >= 4;
            e.first_mask = long8 ? ~std::uint64_t{0} : long4 ? 0xFFFFFFFFu : 0;
            e.three_mask = long4 ? 0 : ~std::uint64_t{0};
            e.last_mask = long4 ? ~std::uint64_t{0} : 0;
            e.last_shift = long4 && !long8 ? 32 : 0;
            e.middle = n > 0 && !long4 ? static_cast<unsigned char>(8 * (n / 2)) : 0;
            e.end = n > 0 && !long4 ? static_cast<unsigned char>(8 * (n - 1)) : 0;
        }
    }

    [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

    [[nodiscard]] std::uint64_t operator()(std::string_view bytes) const noexcept {
        const std::size_t n = bytes.size();
        if (n > short_limit) return hash64(bytes, seed_);
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        std::uint64_t a = 0, b = 0;
        if (n >= 8) {
            a = load8(p);
            b = load8(p + n - 8);
        } else if (n >= 4) {
            a = load4(p);
            b = load4(p + n - 4);
        } else if (n > 0) {
            a = (std::uint64_t{p[0]} << 16) | (std::uint64_t{p[n / 2]} << 8) | p[n - 1];
        }
        const std::uint64_t state = lengths_[n].state;
        const std::uint64_t x = fold_multiply(a ^ hash_k2, b ^ state);
        return fold_multiply(x ^ hash_k3, a ^ b ^ state ^ hash_k4);
    }

    /// The hash of a token of n bytes, 1 <= n <= 16, from two words of the text around it: first
    /// the 8 bytes starting at the token, last the 8 bytes ending where it ends (bytes outside
    /// the token may be anything). Equal to (*this)(token), without a branch on the length: a
    /// scanner that can read 8 bytes either side of its tokens calls this.
    [[nodiscard]] DITTO_ALWAYS_INLINE std::uint64_t from_words(std::uint64_t first, std::uint64_t last,
                                                               std::size_t n) const noexcept {
        // Which bytes make a and b comes from a table by length: selecting them with ?: (or with
        // masks computed from n) costs GCC branches the varying length mispredicts, or twice the
        // instructions.
        const length_entry& e = lengths_[n];
        const std::uint64_t three = ((first & 0xFF) << 16) | (((first >> e.middle) & 0xFF) << 8) | ((first >> e.end) & 0xFF);
        const std::uint64_t a = (first & e.first_mask) | (three & e.three_mask);
        const std::uint64_t b = (last >> e.last_shift) & e.last_mask;
        const std::uint64_t x = fold_multiply(a ^ hash_k2, b ^ e.state);
        return fold_multiply(x ^ hash_k3, a ^ b ^ e.state ^ hash_k4);
    }

    static constexpr std::size_t short_limit = 16;

private:
    // What hashing n bytes needs: the seed folded with n, and for from_words which bytes of
    // the two words make a (the first 8 or 4 bytes, or three single bytes) and b (the last 8 or
    // 4 bytes, or none).
    struct length_entry {
        std::uint64_t state, first_mask, three_mask, last_mask;
        unsigned char last_shift, middle, end;  // shifts in bits, all below 64
    };

    std::uint64_t seed_;
    length_entry lengths_[short_limit + 1];
};

}  // namespace ditto::detail
