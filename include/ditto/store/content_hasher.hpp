#pragma once
// hash128 (exact_duplicates.hpp) of bytes that arrive in pieces, for a source read in chunks:
// the same value as hash128 of all the bytes at once, without holding them.
//
// hash64 folds the length into its first state, so the total length is given up front (a file's
// size); then it takes 32-byte blocks while more than 32 bytes follow, and ends on the last 16
// to 48 bytes. This class replays those steps as the bytes come.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <ditto/exact_duplicates.hpp>
#include <ditto/hash.hpp>

namespace ditto::inline v0_1 {

/// hash64(bytes, seed) of bytes given in pieces, their total length known in advance.
class hash64_stream {
public:
    hash64_stream(std::uint64_t total_bytes, std::uint64_t seed) noexcept : total_(total_bytes), seed_(seed) {
        state_ = detail::fold_multiply(seed ^ detail::hash_k0 ^ (total_bytes * detail::hash_k4), detail::hash_k1);
        lane_ = state_ ^ detail::hash_k4;
    }

    /// The next bytes. Bytes beyond the total are counted (received() tells) but not hashed.
    void update(const unsigned char* p, std::size_t n) noexcept {
        received_ += n;
        while (n > 0) {
            if (pending_ == 0)
                while (n >= 32 && total_ - consumed_ > 32) {
                    block(p);
                    p += 32;
                    n -= 32;
                }
            if (n == 0) break;
            if (pending_ == 32) return;  // more than the total: nothing more to hash
            const std::size_t take = std::min(n, 32 - pending_);
            std::memcpy(buffer_ + pending_, p, take);
            pending_ += take;
            p += take;
            n -= take;
            if (pending_ == 32 && total_ - consumed_ > 32) {
                block(buffer_);
                pending_ = 0;
            }
        }
    }

    /// Bytes given so far.
    [[nodiscard]] std::uint64_t received() const noexcept { return received_; }

    /// The hash; meaningful only when received() equals the total given at construction.
    [[nodiscard]] std::uint64_t value() const noexcept {
        // Nothing was folded yet: the whole input (at most 32 bytes) is in the buffer.
        if (consumed_ == 0)
            return hash64(std::string_view(reinterpret_cast<const char*>(buffer_), pending_), seed_);
        using detail::fold_multiply;
        using detail::load8;
        // The 16 bytes before the remainder, then the remainder: the last reads may overlap.
        unsigned char tail[48];
        std::memcpy(tail, last16_, 16);
        std::memcpy(tail + 16, buffer_, pending_);
        const unsigned char* q = tail + 16;
        std::size_t left = pending_;
        std::uint64_t state = state_ ^ lane_;
        if (left > 16) {
            state = fold_multiply(load8(q) ^ detail::hash_k2, load8(q + 8) ^ state);
            q += 16;
            left -= 16;
        }
        const std::uint64_t a = load8(q + left - 16);
        const std::uint64_t b = load8(q + left - 8);
        const std::uint64_t x = fold_multiply(a ^ detail::hash_k2, b ^ state);
        return fold_multiply(x ^ detail::hash_k3, a ^ b ^ state ^ detail::hash_k4);
    }

private:
    void block(const unsigned char* p) noexcept {
        using detail::fold_multiply;
        using detail::load8;
        state_ = fold_multiply(load8(p) ^ detail::hash_k2, load8(p + 8) ^ state_);
        lane_ = fold_multiply(load8(p + 16) ^ detail::hash_k3, load8(p + 24) ^ lane_);
        std::memcpy(last16_, p + 16, 16);
        consumed_ += 32;
    }

    std::uint64_t total_, seed_;
    std::uint64_t state_ = 0, lane_ = 0;
    std::uint64_t consumed_ = 0;  // bytes folded in 32-byte blocks
    std::uint64_t received_ = 0;
    unsigned char buffer_[32] = {};  // bytes received, not yet folded
    std::size_t pending_ = 0;
    unsigned char last16_[16] = {};  // the last 16 bytes folded
};

/// hash128 of bytes given in pieces, their total length known in advance.
class content_hasher {
public:
    explicit content_hasher(std::uint64_t total_bytes) noexcept
        : high_(total_bytes, 0x6a09e667f3bcc908ULL), low_(total_bytes, 0xbb67ae8584caa73bULL) {}  // hash128's seeds
    void update(std::string_view bytes) noexcept {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        high_.update(p, bytes.size());
        low_.update(p, bytes.size());
    }
    [[nodiscard]] std::uint64_t received() const noexcept { return high_.received(); }
    /// The hash; meaningful only when received() equals the total.
    [[nodiscard]] content_hash value() const noexcept { return {high_.value(), low_.value()}; }

private:
    hash64_stream high_, low_;
};

}  // namespace ditto
