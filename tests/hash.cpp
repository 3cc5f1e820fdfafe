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
    // format version, not an edit of this table.
    CHECK(ditto::hash64("") == 0x8d6fb4e5a778f374ULL);
    CHECK(ditto::hash64("a") == 0xa434cd7a1f23778cULL);
    CHECK(ditto::hash64("abc") == 0x60647603d8103ce5ULL);
    CHECK(ditto::hash64("ditto") == 0x7b394785fda39229ULL);
    CHECK(ditto::hash64("republished") == 0x64e69428c01b9c42ULL);
    CHECK(ditto::hash64("The quick brown fox jumps over the lazy dog") == 0x20ab2ac3bc022d74ULL);
    CHECK(ditto::hash64("Straße", 42) == 0xcf1f0a3e09209fa9ULL);
    CHECK(ditto::mix64(0) == 0x49ed00bb596e73f7ULL);
    CHECK(ditto::mix64(1, 2) == 0xbf1bcf2e6e09299bULL);
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

TEST_CASE("hash: avalanche - every input bit flips every output bit with probability near 1/2", "[hash]") {
    // For each (input bit, output bit) pair the flip frequency over `samples` random keys has a
    // standard deviation of sqrt(0.25 / samples); the band is over 6 of those wide.
    std::mt19937_64 rng(7);
    const std::size_t lengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 24, 31, 32, 33, 48, 64, 65, 100};
    double worst = 0;
    for (const std::size_t length : lengths) {
        const std::size_t samples = length <= 16 ? 4000 : 1500;
        const double band = 6.5 * std::sqrt(0.25 / static_cast<double>(samples));
        std::vector<std::uint32_t> flips(length * 8 * 64, 0);
        std::string key(length, '\0');
        for (std::size_t s = 0; s < samples; ++s) {
            for (auto& c : key) c = static_cast<char>(rng());
            const std::uint64_t seed = rng();
            const std::uint64_t base = ditto::hash64(key, seed);
            for (std::size_t bit = 0; bit < length * 8; ++bit) {
                key[bit / 8] = static_cast<char>(key[bit / 8] ^ (1 << (bit % 8)));
                std::uint64_t diff = base ^ ditto::hash64(key, seed);
                key[bit / 8] = static_cast<char>(key[bit / 8] ^ (1 << (bit % 8)));
                for (std::size_t out = 0; out < 64; ++out, diff >>= 1) flips[bit * 64 + out] += static_cast<std::uint32_t>(diff & 1);
            }
        }
        std::size_t outside = 0;
        for (const auto f : flips) {
            const double p = static_cast<double>(f) / static_cast<double>(samples);
            worst = std::max(worst, std::abs(p - 0.5));
            if (std::abs(p - 0.5) > band) ++outside;
        }
        INFO("length " << length << ": " << outside << " of " << flips.size() << " pairs outside 0.5 +- " << band);
        CHECK(outside == 0);
    }
    INFO("largest deviation from 1/2: " << worst);
    CHECK(worst < 0.085);
}

TEST_CASE("hash: the seed avalanches too", "[hash]") {
    std::mt19937_64 rng(11);
    const std::size_t samples = 4000;
    std::vector<std::uint32_t> flips(64 * 64, 0);
    for (std::size_t s = 0; s < samples; ++s) {
        const std::string key = std::to_string(rng());
        const std::uint64_t seed = rng();
        const std::uint64_t base = ditto::hash64(key, seed);
        for (std::size_t bit = 0; bit < 64; ++bit) {
            std::uint64_t diff = base ^ ditto::hash64(key, seed ^ (std::uint64_t{1} << bit));
            for (std::size_t out = 0; out < 64; ++out, diff >>= 1) flips[bit * 64 + out] += static_cast<std::uint32_t>(diff & 1);
        }
    }
    const double band = 6.5 * std::sqrt(0.25 / static_cast<double>(samples));
    std::size_t outside = 0;
    for (const auto f : flips)
        if (std::abs(static_cast<double>(f) / static_cast<double>(samples) - 0.5) > band) ++outside;
    CHECK(outside == 0);
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
