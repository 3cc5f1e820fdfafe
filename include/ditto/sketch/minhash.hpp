#pragma once
// MinHash signatures of sets of 64-bit shingle hashes, and four ways to compute them.
//
// A signature is K slots; two signatures agree in a slot with probability equal to the Jaccard
// similarity of their sets, so the share of equal slots estimates it.
//
//  - fast_sketcher (the default, `minhash_sketcher`): rounds of one-permutation hashing after
//    Dahlgaard, Knudsen and Thorup (2017). O(n + K log K); unbiased, with at most MinHash's
//    variance at every set size; mergeable.
//  - oph_sketcher: one-permutation hashing (Li, Owen, Zhang 2012) with the fast densification of
//    Mai et al. (UAI 2020). O(n + K log K), unbiased, but on sets of a few elements its variance
//    exceeds MinHash's by up to about 20% (elements that share a bin vanish); not mergeable.
//  - superminhash_sketcher: SuperMinHash (Ertl 2017), O(n + K log^2 K); low variance on small
//    sets, about ten times slower than the default on 2 KB texts; mergeable.
//  - classic_minhash_sketcher: K universal hash functions (a*x + b) mod (2^61 - 1), O(n K); the
//    reference the others are tested against; mergeable.
// docs/design.md records the measurements behind the default.
//
// Slot values are V-bit integers (16, 32 or 64 bits). All-ones marks the empty signature (the
// sketch of the empty set), which matches nothing, itself included; a non-empty set never
// produces that value. b-bit signatures keep the lowest b bits of each slot (Li & Koenig 2010).

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>

namespace ditto::inline v0_1 {

/// An unsigned integer type usable as a MinHash slot value: 16, 32 or 64 bits.
template <class V>
concept slot_value = std::same_as<V, std::uint16_t> || std::same_as<V, std::uint32_t> ||
                     std::same_as<V, std::uint64_t>;

/// The value marking an empty slot, and every slot of the empty signature.
template <slot_value V>
inline constexpr V empty_slot = std::numeric_limits<V>::max();

/// A MinHash signature of K slots of type V. A regular value type.
template <std::size_t K, slot_value V = std::uint32_t>
class minhash_signature {
    static_assert(K >= 1, "minhash_signature: K (the slot count) must be at least 1");

public:
    using value_type = V;

    /// The empty signature.
    constexpr minhash_signature() noexcept { slots_.fill(empty_slot<V>); }

    [[nodiscard]] static constexpr std::size_t size() noexcept { return K; }
    /// True for the signature of the empty set.
    [[nodiscard]] constexpr bool empty() const noexcept { return slots_[0] == empty_slot<V>; }

    [[nodiscard]] constexpr V operator[](std::size_t i) const noexcept { return slots_[i]; }
    [[nodiscard]] constexpr std::span<const V, K> values() const noexcept { return slots_; }
    /// The slots, for sketchers to write.
    [[nodiscard]] constexpr std::span<V, K> values() noexcept { return slots_; }

    friend constexpr bool operator==(const minhash_signature&, const minhash_signature&) = default;

private:
    std::array<V, K> slots_;
};

namespace detail {

[[nodiscard]] constexpr std::uint64_t mul_high(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
    return static_cast<std::uint64_t>((static_cast<uint128>(a) * b) >> 64);
#else
    const std::uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;
    return (hi_lo >> 32) + (cross >> 32) + hi_hi;
#endif
}

// A uniform index in [0, n) from a 64-bit hash (Lemire's multiply-shift).
[[nodiscard]] constexpr std::size_t reduce(std::uint64_t hash, std::size_t n) noexcept {
    return static_cast<std::size_t>(mul_high(hash, static_cast<std::uint64_t>(n)));
}

// The top bits of a 64-bit key as a slot value, kept off the empty marker. Taking the top bits
// keeps the order of keys, so minima of truncated keys are truncated minima (merge stays exact).
template <slot_value V>
[[nodiscard]] constexpr V top_bits(std::uint64_t key) noexcept {
    const V v = static_cast<V>(key >> (64 - std::numeric_limits<V>::digits));
    return v == empty_slot<V> ? static_cast<V>(v - 1) : v;
}

// A slot value from a sketcher's 64-bit key whose top bits hold a round or level number. 32- and
// 64-bit slots take the key's top bits (order kept, so merging stays exact). 16 bits would be
// mostly that number for large K (8 of 16 bits at K = 128), so two different winning keys would
// agree by chance far too often; a 16-bit slot is a hash of the whole key instead: uniform, at
// the price of merge (16-bit signatures of these sketchers cannot be merged).
template <slot_value V>
[[nodiscard]] constexpr V key_slot(std::uint64_t key) noexcept {
    if constexpr (sizeof(V) == 2) return top_bits<V>(mix64(key, 0x452821e638d01377ULL));
    else return top_bits<V>(key);
}

// The signature of a union for schemes whose slots are minima of per-element values.
template <std::size_t K, slot_value V>
[[nodiscard]] constexpr minhash_signature<K, V> slotwise_min(const minhash_signature<K, V>& a,
                                                             const minhash_signature<K, V>& b) noexcept {
    minhash_signature<K, V> out;
    for (std::size_t i = 0; i < K; ++i) out.values()[i] = std::min(a[i], b[i]);
    return out;
}

inline void check_slot_count(const char* who, std::size_t k) {
    if (k < 1 || k > (std::size_t{1} << 20))
        throw_invalid_argument(who, "slot count", "in [1, 1048576]", std::to_string(k));
}

// The start of every fill: checks the slot count and empties the slots; false for an empty set
// (whose signature is then complete).
template <slot_value V>
bool start_fill(const char* who, std::span<const std::uint64_t> hashes, std::span<V> out) {
    check_slot_count(who, out.size());
    std::fill(out.begin(), out.end(), empty_slot<V>);
    return !hashes.empty();
}

// What every sketcher holds: its seed.
class seeded {
public:
    constexpr seeded() noexcept = default;
    explicit constexpr seeded(std::uint64_t seed) noexcept : seed_(seed) {}
    [[nodiscard]] constexpr std::uint64_t seed() const noexcept { return seed_; }

protected:
    std::uint64_t seed_ = default_seed;
};

// Sketchers whose slots are minima of per-element keys: the union's signature is the slot-wise
// minimum.
struct mergeable {
    /// The signature of the union of the two sets.
    template <std::size_t K, slot_value V>
    [[nodiscard]] static constexpr minhash_signature<K, V> merge(const minhash_signature<K, V>& a,
                                                                 const minhash_signature<K, V>& b) noexcept {
        static_assert(sizeof(V) >= 4,
                      "merge: 16-bit slots hold a hash of each slot's winning key, whose minima say nothing about "
                      "the union; sketch with 32- or 64-bit slots to merge");
        return slotwise_min(a, b);
    }
};

// Scratch space: on the stack for the usual slot counts, on the heap beyond.
template <class T, std::size_t Small = 1024>
class scratch {
public:
    explicit scratch(std::size_t n) : heap_(n > Small ? n : 0) {}
    [[nodiscard]] T* data() noexcept { return heap_.empty() ? stack_.data() : heap_.data(); }

private:
    std::array<T, Small> stack_;
    std::vector<T> heap_;
};

}  // namespace detail

/// One-permutation hashing with fast densification (see the top of this file). Cheap to copy;
/// const member functions are thread-safe.
class oph_sketcher : public detail::seeded {
public:
    using seeded::seeded;

    /// Writes the signature of the set of hashes (repeats allowed) to out; out.size() is the slot
    /// count, in [1, 2^20]. An empty set gives all empty_slot<V>.
    template <slot_value V>
    void fill(std::span<const std::uint64_t> hashes, std::span<V> out) const {
        if (!detail::start_fill("oph_sketcher::fill", hashes, out)) return;
        const std::size_t k = out.size();
        for (const std::uint64_t x : hashes) {
            const std::uint64_t h = mix64(x, seed_);
            // The bin comes from the high bits of h, the value from the low bits: independent.
            const std::size_t bin = detail::reduce(h, k);
            const V v = detail::top_bits<V>(std::rotl(h, 32));
            if (v < out[bin]) out[bin] = v;
        }
        densify(out);
    }

private:
    template <slot_value V>
    void densify(std::span<V> out) const {
        const std::size_t k = out.size();
        detail::scratch<std::uint32_t> sources_buffer(k);
        std::uint32_t* sources = sources_buffer.data();
        std::size_t source_count = 0;
        for (std::size_t i = 0; i < k; ++i)
            if (out[i] != empty_slot<V>) sources[source_count++] = static_cast<std::uint32_t>(i);
        std::size_t missing = k - source_count;
        // Fresh bins take the first throw; a filled bin never throws, so every bin's donor is the
        // first (round, source) pair aimed at it, whatever else the set holds.
        const std::uint64_t throw_seed = seed_ ^ 0x6a09e667f3bcc909ULL;
        for (std::uint64_t round = 1; missing > 0; ++round) {
            for (std::size_t s = 0; s < source_count && missing > 0; ++s) {
                const std::uint32_t source = sources[s];
                const std::size_t target = detail::reduce(mix64((round << 32) | source, throw_seed), k);
                if (out[target] == empty_slot<V>) {
                    out[target] = out[source];
                    --missing;
                }
            }
        }
    }
};

/// Rounds of one-permutation hashing, after "Fast Similarity Sketching" (Dahlgaard, Knudsen,
/// Thorup 2017); the default sketcher. Round r sends every element to one bin with the key
/// (r, uniform); a bin keeps its least key. Rounds run until no bin is empty; from round K on an
/// element sweeps the bins in order, so at most 2K rounds run. Round 0 alone is plain OPH, and
/// for n >= 3K it nearly always fills every bin, so long texts cost one hash per shingle. Unlike
/// densification, an element that loses its bin in round 0 still competes in later rounds, so
/// short sets keep MinHash's variance. The least key of a bin over the union of two sets belongs
/// to one element; both sets hold it exactly when that element is in both, so the estimate is
/// unbiased, and slot-wise minima merge exactly. Cheap to copy; thread-safe.
class fast_sketcher : public detail::seeded, public detail::mergeable {
public:
    using seeded::seeded;

    /// As oph_sketcher::fill.
    template <slot_value V>
    void fill(std::span<const std::uint64_t> hashes, std::span<V> out) const {
        if (!detail::start_fill("fast_sketcher::fill", hashes, out)) return;
        const std::size_t k = out.size(), n = hashes.size();
        // Keys: the round in the top round_bits, then uniform bits, so integer order is round order.
        const int round_bits = static_cast<int>(std::bit_width(2 * k - 1));
        detail::scratch<std::uint64_t> key_buffer(k);
        std::uint64_t* key = key_buffer.data();
        std::fill(key, key + k, ~std::uint64_t{0});
        detail::scratch<std::uint64_t> element_buffer(n);
        std::uint64_t* element = element_buffer.data();
        std::size_t filled = 0;
        // Round 0, keeping each element's hash for the later rounds. The bin comes from the high
        // bits of a hash, the key's uniform part from its low bits, so the two are independent.
        for (std::size_t i = 0; i < n; ++i) {
            // A full mix: one multiply alone leaves minima biased on structured input.
            const std::uint64_t h = mix64(hashes[i], seed_);
            element[i] = h;
            filled += offer(key, detail::reduce(h, k), std::rotl(h, 32) >> round_bits);
        }
        // A later round's keys are above every key of the rounds before (the round is in their top
        // bits), so a round can only fill the bins still empty when it starts, those whose key is
        // at least the round's: an element whose bin is full is passed over, which changes no key.
        for (std::uint64_t round = 1; filled < k; ++round) {
            const std::uint64_t round_key = round << (64 - round_bits);
            const std::uint64_t salt = round * 0x9e3779b97f4a7c15ULL;
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint64_t h = detail::fold_multiply(element[i] ^ salt, 0xd1b54a32d192ed03ULL);
                // Up to round K - 1 the bin is random; then element i sweeps bin (start_i + round) mod K.
                const std::size_t bin = round < k ? detail::reduce(h, k)
                                                  : (detail::reduce(element[i], k) + static_cast<std::size_t>(round)) % k;
                if (key[bin] >= round_key) filled += offer(key, bin, round_key | (std::rotl(h, 32) >> round_bits));
            }
        }
        for (std::size_t i = 0; i < k; ++i) out[i] = detail::key_slot<V>(key[i]);
    }

private:
    // Lowers bin's key to candidate when smaller; returns 1 when the bin was empty before.
    // Branch-free: whether a random bin improves is unpredictable.
    static std::size_t offer(std::uint64_t* key, std::size_t bin, std::uint64_t candidate) noexcept {
        const std::uint64_t old = key[bin];
        key[bin] = candidate < old ? candidate : old;
        return static_cast<std::size_t>(old == ~std::uint64_t{0});
    }
};

/// SuperMinHash (Ertl 2017). Cheap to copy; const member functions are thread-safe.
class superminhash_sketcher : public detail::seeded, public detail::mergeable {
public:
    using seeded::seeded;

    /// As oph_sketcher::fill.
    template <slot_value V>
    void fill(std::span<const std::uint64_t> hashes, std::span<V> out) const {
        if (!detail::start_fill("superminhash_sketcher::fill", hashes, out)) return;
        const std::size_t k = out.size();
        // Keys are (j, r) with j the position in the element's random permutation and r a 64-bit
        // uniform: j in the high bits, then the high bits of r, so integer order is (j + r) order.
        const int j_bits = static_cast<int>(std::bit_width(k - 1));
        detail::scratch<std::uint64_t> key_buffer(k);
        detail::scratch<std::uint32_t> perm_buffer(k), stamp_buffer(k), level_buffer(k);
        std::uint64_t* key = key_buffer.data();
        std::uint32_t* perm = perm_buffer.data();
        std::uint32_t* stamp = stamp_buffer.data();   // which element last initialised perm[i]
        std::uint32_t* level = level_buffer.data();   // level[l]: slots whose key has j == l
        std::fill(key, key + k, ~std::uint64_t{0});
        std::fill(stamp, stamp + k, 0u);
        std::fill(level, level + k, 0u);
        level[k - 1] = static_cast<std::uint32_t>(k);
        std::size_t top = k - 1;  // the highest level holding a slot: no j above it can win
        std::uint32_t element = 0;
        for (const std::uint64_t x : hashes) {
            ++element;
            std::uint64_t state = mix64(x, seed_);
            for (std::size_t j = 0; j <= top; ++j) {
                const std::uint64_t r = next(state);
                const std::size_t pick = j + detail::reduce(next(state), k - j);
                if (stamp[j] != element) { stamp[j] = element; perm[j] = static_cast<std::uint32_t>(j); }
                if (stamp[pick] != element) { stamp[pick] = element; perm[pick] = static_cast<std::uint32_t>(pick); }
                std::swap(perm[j], perm[pick]);
                const std::size_t slot = perm[j];
                const std::uint64_t candidate =
                    (j_bits == 0 ? 0 : (static_cast<std::uint64_t>(j) << (64 - j_bits))) | (r >> j_bits);
                if (candidate < key[slot]) {
                    const std::size_t old_level = key[slot] == ~std::uint64_t{0} || j_bits == 0
                                                      ? k - 1
                                                      : static_cast<std::size_t>(key[slot] >> (64 - j_bits));
                    key[slot] = candidate;
                    if (j < old_level) {
                        --level[old_level];
                        ++level[j];
                        while (top > 0 && level[top] == 0) --top;
                    }
                }
            }
        }
        for (std::size_t i = 0; i < k; ++i) out[i] = detail::key_slot<V>(key[i]);
    }

private:
    // splitmix64: a cheap stream of uniform 64-bit values from a per-element state.
    static constexpr std::uint64_t next(std::uint64_t& state) noexcept {
        state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

/// Classic MinHash with K universal hash functions modulo the Mersenne prime 2^61 - 1. O(n K):
/// the reference, not for large corpora. Cheap to copy; thread-safe.
class classic_minhash_sketcher : public detail::seeded, public detail::mergeable {
public:
    static constexpr std::uint64_t prime = (std::uint64_t{1} << 61) - 1;

    using seeded::seeded;

    /// As oph_sketcher::fill.
    template <slot_value V>
    void fill(std::span<const std::uint64_t> hashes, std::span<V> out) const {
        if (!detail::start_fill("classic_minhash_sketcher::fill", hashes, out)) return;
        const std::size_t k = out.size();
        // Linear functions are only 2-universal: on structured inputs (consecutive integers) the
        // minima they pick are biased, so the elements are mixed first.
        detail::scratch<std::uint64_t> mixed_buffer(hashes.size());
        std::uint64_t* mixed = mixed_buffer.data();
        for (std::size_t j = 0; j < hashes.size(); ++j) mixed[j] = mix64(hashes[j], seed_ ^ 0xbb67ae8584caa73bULL);
        for (std::size_t i = 0; i < k; ++i) {
            // Slot i's function: a in [1, p), b in [0, p), drawn from the seed.
            const std::uint64_t a = 1 + mix64(2 * i, seed_) % (prime - 1);
            const std::uint64_t b = mix64(2 * i + 1, seed_) % prime;
            std::uint64_t best = prime;
            for (std::size_t j = 0; j < hashes.size(); ++j) best = std::min(best, apply(a, b, mixed[j]));
            // 61-bit values moved to the top of the word, so top_bits keeps their order.
            out[i] = detail::top_bits<V>(best << 3);
        }
    }

    /// (a * x + b) mod (2^61 - 1), for x reduced modulo the prime first.
    [[nodiscard]] static constexpr std::uint64_t apply(std::uint64_t a, std::uint64_t b, std::uint64_t x) noexcept {
        return add_mod(mul_mod(a, reduce(x)), b);
    }

private:
    static constexpr std::uint64_t reduce(std::uint64_t x) noexcept {
        const std::uint64_t r = (x & prime) + (x >> 61);
        return r >= prime ? r - prime : r;
    }
    static constexpr std::uint64_t add_mod(std::uint64_t a, std::uint64_t b) noexcept {
        const std::uint64_t r = a + b;  // both < 2^61: no overflow
        return r >= prime ? r - prime : r;
    }
    static constexpr std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b) noexcept {
        // a, b < 2^61: the product is < 2^122; fold it at bit 61.
        const std::uint64_t lo = a * b;
        const std::uint64_t hi = detail::mul_high(a, b);
        const std::uint64_t folded = (lo & prime) + ((lo >> 61) | (hi << 3));
        return folded >= prime ? folded - prime : folded;
    }
};

/// The default sketcher (chosen by measurement; see docs/design.md).
using minhash_sketcher = fast_sketcher;

/// The signature of a set of hashes (repeats allowed) under sketcher s.
template <std::size_t K, slot_value V = std::uint32_t, sketcher Sketcher = minhash_sketcher>
    requires requires(const Sketcher& s, std::span<const std::uint64_t> h, std::span<V> out) { s.fill(h, out); }
[[nodiscard]] minhash_signature<K, V> make_signature(std::span<const std::uint64_t> hashes,
                                                     const Sketcher& s = Sketcher{}) {
    minhash_signature<K, V> out;
    s.fill(hashes, std::span<V>(out.values()));
    return out;
}

/// The estimated Jaccard similarity: the share of equal slots; 0 when either is empty.
template <std::size_t K, slot_value V>
[[nodiscard]] constexpr double similarity(const minhash_signature<K, V>& a, const minhash_signature<K, V>& b) noexcept {
    if (a.empty() || b.empty()) return 0.0;
    std::size_t equal = 0;
    for (std::size_t i = 0; i < K; ++i) equal += a[i] == b[i] ? 1u : 0u;
    return static_cast<double>(equal) / static_cast<double>(K);
}

/// A signature that keeps the lowest B bits of each of K slots, packed into 64-bit words
/// (Li & Koenig 2010). Its estimator corrects for the 2^-B chance that unequal slots agree.
template <unsigned B, std::size_t K>
class b_bit_signature {
    static_assert(B >= 1 && B <= 32, "b_bit_signature: B (bits per slot) must be in [1, 32]");
    static_assert(K >= 1, "b_bit_signature: K (the slot count) must be at least 1");

public:
    static constexpr std::size_t word_count = (K * B + 63) / 64;

    /// The empty signature.
    constexpr b_bit_signature() noexcept = default;

    /// Packs the lowest B bits of each slot of a full signature.
    template <slot_value V>
    explicit constexpr b_bit_signature(const minhash_signature<K, V>& full) noexcept : empty_(full.empty()) {
        static_assert(B <= static_cast<unsigned>(std::numeric_limits<V>::digits),
                      "b_bit_signature: B must not exceed the width of the signature's slots");
        if (empty_) return;
        for (std::size_t i = 0; i < K; ++i) set(i, static_cast<std::uint64_t>(full[i]) & mask);
    }

    [[nodiscard]] static constexpr std::size_t size() noexcept { return K; }
    [[nodiscard]] constexpr bool empty() const noexcept { return empty_; }

    /// The B-bit value of slot i.
    [[nodiscard]] constexpr std::uint64_t operator[](std::size_t i) const noexcept {
        const std::size_t bit = i * B, word = bit / 64, shift = bit % 64;
        std::uint64_t v = words_[word] >> shift;
        if (shift + B > 64) v |= words_[word + 1] << (64 - shift);
        return v & mask;
    }

    [[nodiscard]] constexpr std::span<const std::uint64_t, word_count> words() const noexcept { return words_; }

    friend constexpr bool operator==(const b_bit_signature&, const b_bit_signature&) = default;

private:
    static constexpr std::uint64_t mask = (std::uint64_t{1} << B) - 1;

    constexpr void set(std::size_t i, std::uint64_t v) noexcept {
        const std::size_t bit = i * B, word = bit / 64, shift = bit % 64;
        words_[word] |= v << shift;
        if (shift + B > 64) words_[word + 1] |= v >> (64 - shift);
    }

    std::array<std::uint64_t, word_count> words_{};
    bool empty_ = true;
};

/// The b-bit estimate of Jaccard similarity, (E - 2^-B) / (1 - 2^-B) for the share E of equal
/// slots, clamped to [0, 1]; 0 when either is empty.
template <unsigned B, std::size_t K>
[[nodiscard]] constexpr double similarity(const b_bit_signature<B, K>& a, const b_bit_signature<B, K>& b) noexcept {
    if (a.empty() || b.empty()) return 0.0;
    std::size_t equal = 0;
    for (std::size_t i = 0; i < K; ++i) equal += a[i] == b[i] ? 1u : 0u;
    const double chance = 1.0 / static_cast<double>(std::uint64_t{1} << B);
    const double share = static_cast<double>(equal) / static_cast<double>(K);
    return std::clamp((share - chance) / (1.0 - chance), 0.0, 1.0);
}

}  // namespace ditto
