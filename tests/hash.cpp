#include <ditto/hash.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "support/catch.hpp"

TEST_CASE("hash: known answers are pinned (stored signatures depend on them)", "[hash]") {
    // Changing any of these values changes every stored signature and index: it needs a new
    // format version, not an edit of this table. (Stored index format 2.0 pins these; 1.0 had
    // the first design, whose seed handling had degenerate seeds.)
    CHECK(ditto::hash64("") == 0x8d6fb4e5a778f374ULL);
    CHECK(ditto::hash64("a") == 0x405f8726d82b2c44ULL);
    CHECK(ditto::hash64("abc") == 0xb863e097d42014f7ULL);
    CHECK(ditto::hash64("ditto") == 0x096076a52ad508cdULL);
    CHECK(ditto::hash64("republished") == 0xd860c81525b1cdcdULL);
    CHECK(ditto::hash64("The quick brown fox jumps over the lazy dog") == 0xc8239552aff2e54aULL);
    CHECK(ditto::hash64("Straße", 42) == 0xdd41e8082f36152aULL);
    CHECK(ditto::mix64(0) == 0x37492b88d0858e74ULL);
    CHECK(ditto::mix64(1, 2) == 0x252370c3717ec6d4ULL);
}

TEST_CASE("hash: every length reads every byte, and the seed matters", "[hash]") {
    std::string text(200, 'x');
    for (std::size_t n = 0; n <= text.size(); ++n) {
        const std::string_view s(text.data(), n);
        const auto h = ditto::hash64(s);
        CHECK(h != ditto::hash64(s, 1));
        for (std::size_t i = 0; i < n; ++i) {
            text[i] = 'y';
            CHECK(ditto::hash64(s) != h);
            text[i] = 'x';
        }
        if (n < text.size()) CHECK(ditto::hash64(std::string_view(text.data(), n + 1)) != h);
    }
}

namespace {

// Avalanche statistics. For one (input bit, output bit) pair the number of flips F over n
// independent random keys is Binomial(n, p); the hash is good when p is 1/2. Under p = 1/2,
// F / n - 1/2 has standard deviation sigma = sqrt(0.25 / n), and Hoeffding's inequality bounds
// P(|F / n - 1/2| > t) by 2 exp(-2 n t^2). The bar is a bias of 1 % (t = 0.01) at n = 100,000,
// where sigma = 0.00158 and the bar is 6.3 sigma: a perfect hash exceeds it with probability
// below 2 exp(-20) = 4.1e-9 per pair, so below 1e-3 summed over every pair of a test here (at
// most 150,000; the union bound), whatever the generator's seed. A pair biased by 1.5 % fails
// with probability above 0.999 (its mean lies 3.2 sigma beyond the bar). The earlier bar, 6.5
// sigma at 1,500 keys, let a bias of 8.4 % through. Samples must be independent: consecutive
// counters would not do (flipping the low bit of v gives v ^ 1, another sample).
constexpr std::size_t avalanche_samples = 100'000;
constexpr double avalanche_bar = 0.01;
static_assert(avalanche_samples * 2 * avalanche_bar * avalanche_bar >= 20, "the bar must stay 4e-9 per pair");

// For every (input bit i, output bit o) the number of changes of o when i is flipped. Counted
// bit-sliced: plane j of input bit i holds bit j of the 64 counts, so adding one 64-bit
// difference is a ripple-carry over the planes (two steps on average) instead of 64 additions.
class avalanche_counts {
public:
    avalanche_counts(std::size_t input_bits, std::size_t samples)
        : samples_(samples), planes_(input_bits * plane_count, 0) {}
    void add(std::size_t input_bit, std::uint64_t diff) {
        std::uint64_t* plane = planes_.data() + input_bit * plane_count;
        for (std::size_t j = 0; diff != 0; ++j) {
            const std::uint64_t carry = plane[j] & diff;
            plane[j] ^= diff;
            diff = carry;
        }
    }
    // The largest |F / n - 1/2| over all pairs.
    [[nodiscard]] double worst_bias() const {
        double worst = 0;
        for (std::size_t i = 0; i < planes_.size(); i += plane_count) {
            for (std::size_t out = 0; out < 64; ++out) {
                std::uint64_t f = 0;
                for (std::size_t j = 0; j < plane_count; ++j) f |= ((planes_[i + j] >> out) & 1) << j;
                worst = std::max(worst, std::abs(static_cast<double>(f) / static_cast<double>(samples_) - 0.5));
            }
        }
        return worst;
    }

private:
    static constexpr std::size_t plane_count = 20;  // counts below 2^20 > 100,000
    std::size_t samples_;
    std::vector<std::uint64_t> planes_;
};

// Flips every bit of a random key of `length` bytes, hashed under a seed from `next_seed`.
template <class NextSeed>
double hash64_key_avalanche(std::mt19937_64& rng, std::size_t length, std::size_t samples, NextSeed next_seed) {
    avalanche_counts counts(length * 8, samples);
    std::string key(length, '\0');
    for (std::size_t s = 0; s < samples; ++s) {
        for (auto& c : key) c = static_cast<char>(rng());
        const std::uint64_t seed = next_seed();
        const std::uint64_t base = ditto::hash64(key, seed);
        for (std::size_t bit = 0; bit < length * 8; ++bit) {
            key[bit / 8] = static_cast<char>(key[bit / 8] ^ (1 << (bit % 8)));
            counts.add(bit, base ^ ditto::hash64(key, seed));
            key[bit / 8] = static_cast<char>(key[bit / 8] ^ (1 << (bit % 8)));
        }
    }
    return counts.worst_bias();
}

// Seeds that the arithmetic could single out: zero, all ones, and the internal constants (and
// their neighbours); the first design's seed handling cancelled hash_k0 in hash64 and hash_k1
// in mix64.
std::vector<std::uint64_t> special_seeds() {
    using namespace ditto::detail;
    std::vector<std::uint64_t> seeds{0, ~std::uint64_t{0}, 1, ditto::default_seed};
    for (const std::uint64_t k : {hash_k0, hash_k1, hash_k2, hash_k3, hash_k4}) {
        seeds.push_back(k);
        seeds.push_back(k ^ 1);
        seeds.push_back(k ^ (std::uint64_t{1} << 63));
        seeds.push_back(~k);
    }
    return seeds;
}

}  // namespace

TEST_CASE("hash: avalanche - every input bit flips every output bit with probability 1/2 +- 1 %", "[hash]") {
    std::mt19937_64 rng(7);
    // One length per code path and its edges: 1-3 bytes, 4-7, 8-16, 17-32 (one 16-byte step
    // and the tail), 33 and more (32-byte blocks in two lanes): 2,296 input bits in all.
    for (const std::size_t length : {1u, 3u, 4u, 7u, 8u, 12u, 16u, 17u, 24u, 32u, 33u, 64u, 65u}) {
        const double worst = hash64_key_avalanche(rng, length, avalanche_samples, [&] { return rng(); });
        INFO("length " << length << ": largest bias " << worst);
        CHECK(worst <= avalanche_bar);
    }
}

TEST_CASE("hash: the seed avalanches too, within 1 %", "[hash]") {
    std::mt19937_64 rng(11);
    for (const std::size_t length : {2u, 11u, 40u}) {
        avalanche_counts counts(64, avalanche_samples);
        std::string key(length, '\0');
        for (std::size_t s = 0; s < avalanche_samples; ++s) {
            for (auto& c : key) c = static_cast<char>(rng());
            const std::uint64_t seed = rng();
            const std::uint64_t base = ditto::hash64(key, seed);
            for (std::size_t bit = 0; bit < 64; ++bit) counts.add(bit, base ^ ditto::hash64(key, seed ^ (std::uint64_t{1} << bit)));
        }
        INFO("length " << length << ": largest bias " << counts.worst_bias());
        CHECK(counts.worst_bias() <= avalanche_bar);
    }
}

TEST_CASE("hash: no seed is degenerate - every special seed tells lengths and bytes apart", "[hash]") {
    for (const std::uint64_t seed : special_seeds()) {
        INFO("seed " << seed);
        // Every string of 1 to 80 equal bytes, and every single-byte change of each, and the
        // empty string: 1 + 3 * (80 + 80 * 81 / 2) = 9,961 distinct inputs, among which a 64-bit
        // collision has probability 3e-12.
        std::vector<std::uint64_t> seen{ditto::hash64("", seed)};
        for (const char fill : {'a', '\0', '\xFF'}) {
            std::string text(80, fill);
            for (std::size_t n = 1; n <= text.size(); ++n) {
                const std::string_view s(text.data(), n);
                seen.push_back(ditto::hash64(s, seed));
                for (std::size_t i = 0; i < n; ++i) {
                    text[i] = static_cast<char>(fill ^ 0x5A);
                    seen.push_back(ditto::hash64(s, seed));
                    text[i] = fill;
                }
            }
        }
        std::sort(seen.begin(), seen.end());
        CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    }
}

TEST_CASE("hash: each special seed avalanches within 2 %", "[hash]") {
    // 25,000 keys per seed and length: sigma = 0.00316, so 2 % is 6.3 sigma again (4.1e-9 per
    // pair, 1.5e-3 over the 365,000 pairs of this test).
    std::mt19937_64 rng(13);
    for (const std::uint64_t seed : special_seeds()) {
        for (const std::size_t length : {3u, 8u, 20u}) {
            const double worst = hash64_key_avalanche(rng, length, 25'000, [&] { return seed; });
            INFO("seed " << seed << ", length " << length << ": largest bias " << worst);
            CHECK(worst <= 0.02);
        }
    }
}

TEST_CASE("mix64: avalanche in the value and in the seed, within 1 %", "[hash]") {
    std::mt19937_64 rng(17);
    avalanche_counts value_bits(64, avalanche_samples), seed_bits(64, avalanche_samples);
    for (std::size_t s = 0; s < avalanche_samples; ++s) {
        const std::uint64_t value = rng(), seed = rng();
        const std::uint64_t base = ditto::mix64(value, seed);
        for (std::size_t bit = 0; bit < 64; ++bit) {
            value_bits.add(bit, base ^ ditto::mix64(value ^ (std::uint64_t{1} << bit), seed));
            seed_bits.add(bit, base ^ ditto::mix64(value, seed ^ (std::uint64_t{1} << bit)));
        }
    }
    INFO("largest bias: value " << value_bits.worst_bias() << ", seed " << seed_bits.worst_bias());
    CHECK(value_bits.worst_bias() <= avalanche_bar);
    CHECK(seed_bits.worst_bias() <= avalanche_bar);
}

TEST_CASE("mix64: each special seed avalanches within 1 %", "[hash]") {
    std::mt19937_64 rng(19);
    for (const std::uint64_t seed : special_seeds()) {
        avalanche_counts counts(64, avalanche_samples);
        for (std::size_t s = 0; s < avalanche_samples; ++s) {
            const std::uint64_t value = rng();
            const std::uint64_t base = ditto::mix64(value, seed);
            for (std::size_t bit = 0; bit < 64; ++bit) counts.add(bit, base ^ ditto::mix64(value ^ (std::uint64_t{1} << bit), seed));
        }
        INFO("seed " << seed << ": largest bias " << counts.worst_bias());
        CHECK(counts.worst_bias() <= avalanche_bar);
    }
}

TEST_CASE("hash: collisions on 10 million short keys match the birthday bound", "[hash]") {
    // 10^7 distinct keys of 2 to 8 bytes: "k" followed by the decimal index for even indexes,
    // 0xFF followed by the index's little-endian bytes for odd ones. 64-bit collisions: expected n^2 / 2^65 = 3e-6, so none. Each 32-bit
    // half: expected n^2 / 2^33 = 11,642 with a standard deviation of about 108.
    const std::size_t n = 10'000'000;
    std::vector<std::uint64_t> full(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 2 == 0) {
            std::string key = "k";  // built in two steps: GCC 12 warns falsely on "k" + string at -O3
            key += std::to_string(i);
            full[i] = ditto::hash64(key);
        } else {
            char bytes[9] = {'\xFF'};  // 0xFF first: never equal to a "k..." key
            std::size_t length = 1;
            for (std::uint64_t v = i; v != 0; v >>= 8) bytes[length++] = static_cast<char>(v & 0xFF);
            full[i] = ditto::hash64(std::string_view(bytes, length));
        }
    }
    const auto collisions = [](std::vector<std::uint64_t> values) {
        std::sort(values.begin(), values.end());
        std::size_t count = 0;
        for (std::size_t i = 1; i < values.size(); ++i)
            if (values[i] == values[i - 1]) ++count;
        return count;
    };
    CHECK(collisions(full) == 0);
    const double expected = static_cast<double>(n) * static_cast<double>(n) / std::pow(2.0, 33);
    for (const int shift : {0, 32}) {
        std::vector<std::uint64_t> half(n);
        for (std::size_t i = 0; i < n; ++i) half[i] = (full[i] >> shift) & 0xFFFFFFFFu;
        const auto c = static_cast<double>(collisions(std::move(half)));
        INFO("32-bit half at shift " << shift << ": " << c << " collisions, expected " << expected);
        CHECK(std::abs(c - expected) < 6 * std::sqrt(expected));
    }
}

TEST_CASE("hash: mix64 is sensitive to value and seed", "[hash]") {
    CHECK(ditto::mix64(1) != ditto::mix64(2));
    CHECK(ditto::mix64(1, 1) != ditto::mix64(1, 2));
    const ditto::default_hasher h;
    CHECK(h("abc", 5) == ditto::hash64("abc", 5));
}
