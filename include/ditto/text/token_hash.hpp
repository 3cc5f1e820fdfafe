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
        for (std::size_t n = 0; n <= short_limit; ++n)
            state_[n] = fold_multiply(seed ^ hash_k0 ^ (static_cast<std::uint64_t>(n) * hash_k4), hash_k1);
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
        const std::uint64_t state = state_[n];
        const std::uint64_t x = fold_multiply(a ^ hash_k2, b ^ state);
        return fold_multiply(x ^ hash_k3, a ^ b ^ state ^ hash_k4);
    }

    /// The hash of a token of n bytes, 1 <= n <= 16, from two words of the text around it: first
    /// the 8 bytes starting at the token, last the 8 bytes ending where it ends (bytes outside
    /// the token may be anything). Equal to (*this)(token), without a branch on the length: a
    /// scanner that can read 8 bytes either side of its tokens calls this.
    [[nodiscard]] DITTO_ALWAYS_INLINE std::uint64_t from_words(std::uint64_t first, std::uint64_t last,
                                                               std::size_t n) const noexcept {
        // (Both shifts kept below 64: for n >= 8 the three bytes are not used.)
        const auto middle = static_cast<unsigned>(8 * (n / 2)) & 63, end = static_cast<unsigned>(8 * (n - 1)) & 63;
        const std::uint64_t three = ((first & 0xFF) << 16) | (((first >> middle) & 0xFF) << 8) | ((first >> end) & 0xFF);
        // Selected by masks: GCC compiles the same choice with ?: to branches, which the varying
        // length of tokens mispredicts.
        const std::uint64_t long8 = 0 - static_cast<std::uint64_t>(n >= 8), long4 = 0 - static_cast<std::uint64_t>(n >= 4);
        const std::uint64_t a = (first & long8) | (~long8 & (((first & 0xFFFFFFFFu) & long4) | (three & ~long4)));
        const std::uint64_t b = (last & long8) | (~long8 & ((last >> 32) & long4));
        const std::uint64_t state = state_[n];
        const std::uint64_t x = fold_multiply(a ^ hash_k2, b ^ state);
        return fold_multiply(x ^ hash_k3, a ^ b ^ state ^ hash_k4);
    }

    static constexpr std::size_t short_limit = 16;

private:
    std::uint64_t seed_;
    std::uint64_t state_[short_limit + 1];
};

}  // namespace ditto::detail
