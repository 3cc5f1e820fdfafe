// MinHash sketchers: exact properties (empty set, set semantics, merge, packing, the modular
// arithmetic) and statistics over many seeds against theory.
//
// Statistics: for sets A, B with |A| = |B| = n and |A n B| = c, J = c / (2n - c). Over S seeds the
// estimate's mean has standard error sqrt(J(1-J)/(K S)) when each slot is a Bernoulli(J) draw,
// the classic MinHash variance; a mean within 4.5 standard errors is "unbiased" (the seeds are
// fixed, so this never flakes; a real bias of a few percent fails it). The variance is checked as
// the mean of (estimate - J)^2 / (J(1-J)/K) pooled over the J values of one set size: the
// bar is 1.10, allowed 3 standard errors of that mean (sqrt(2/N) for N samples) above it.
#include <ditto/sketch/minhash.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/catch.hpp"

namespace {

using ditto::make_signature;
using ditto::similarity;

constexpr std::size_t slots = 128;
__extension__ typedef unsigned __int128 uint128;

struct set_pair {
    std::vector<std::uint64_t> a, b;
    double jaccard;
};

// Consecutive integers on purpose: the sketchers must not rely on their input being random.
set_pair make_pair_with(std::size_t n, double target) {
    std::size_t common = static_cast<std::size_t>(std::lround(2.0 * static_cast<double>(n) * target / (1.0 + target)));
    common = std::min(common, n);
    set_pair p;
    for (std::size_t i = 0; i < n; ++i) p.a.push_back(i);
    for (std::size_t i = 0; i < common; ++i) p.b.push_back(i);
    for (std::size_t i = common; i < n; ++i) p.b.push_back(n + i);
    p.jaccard = static_cast<double>(common) / static_cast<double>(2 * n - common);
    return p;
}

struct sample_stats {
    double worst_bias_in_se = 0;   // max over J of |mean - J| / standard error
    double pooled_variance_ratio = 0;
    std::size_t samples = 0;
};

template <class Sketcher, class V = std::uint32_t, std::size_t K = slots>
sample_stats run_seeds(std::size_t n, std::size_t seeds) {
    sample_stats out;
    double ratio_sum = 0;
    for (const double target : {0.1, 0.3, 0.5, 0.8, 0.95}) {
        const set_pair p = make_pair_with(n, target);
        const double j = p.jaccard;
        const double theory = j * (1 - j) / static_cast<double>(K);
        if (theory == 0) continue;  // J of 0 or 1 is exact; checked elsewhere
        double sum = 0;
        for (std::size_t s = 0; s < seeds; ++s) {
            const Sketcher sketcher(ditto::mix64(s, 0xfeed));
            const double e = similarity(make_signature<K, V>(p.a, sketcher), make_signature<K, V>(p.b, sketcher));
            sum += e;
            ratio_sum += (e - j) * (e - j) / theory;
            ++out.samples;
        }
        const double mean = sum / static_cast<double>(seeds);
        const double standard_error = std::sqrt(theory / static_cast<double>(seeds));
        out.worst_bias_in_se = std::max(out.worst_bias_in_se, std::abs(mean - j) / standard_error);
    }
    out.pooled_variance_ratio = ratio_sum / static_cast<double>(out.samples);
    return out;
}

std::size_t seeds_for(std::size_t n) { return n <= 1000 ? 1000 : n <= 10000 ? 200 : 20; }

template <class Sketcher>
void check_exact_properties() {
    const Sketcher sketcher(42);
    const std::vector<std::uint64_t> none;
    const auto empty = make_signature<slots>(none, sketcher);
    CHECK(empty.empty());
    CHECK(empty == ditto::minhash_signature<slots>{});
    CHECK(similarity(empty, empty) == 0.0);

    std::vector<std::uint64_t> set{5, 17, 99, 1234567, 0, ~std::uint64_t{0}};
    const auto sig = make_signature<slots>(set, sketcher);
    CHECK_FALSE(sig.empty());
    for (std::size_t i = 0; i < slots; ++i) CHECK(sig[i] != ditto::empty_slot<std::uint32_t>);
    CHECK(similarity(sig, sig) == 1.0);
    CHECK(similarity(sig, empty) == 0.0);
    CHECK(similarity(empty, sig) == 0.0);

    // A set, not a sequence: order and repeats do not matter.
    std::vector<std::uint64_t> shuffled = set;
    shuffled.insert(shuffled.end(), set.begin(), set.end());
    std::reverse(shuffled.begin(), shuffled.end());
    CHECK(make_signature<slots>(shuffled, sketcher) == sig);

    // One element: every slot holds that element's value, so one-element sets either match fully
    // or (almost surely) not at all.
    const std::vector<std::uint64_t> one{7}, other{8};
    CHECK(similarity(make_signature<slots>(one, sketcher), make_signature<slots>(one, sketcher)) == 1.0);
    CHECK(similarity(make_signature<slots>(one, sketcher), make_signature<slots>(other, sketcher)) == 0.0);

    // Other slot counts and widths, including a count that is not a power of two.
    const auto wide = make_signature<100, std::uint64_t>(set, sketcher);
    const auto narrow = make_signature<100, std::uint16_t>(set, sketcher);
    CHECK_FALSE(wide.empty());
    CHECK_FALSE(narrow.empty());
    CHECK(similarity(wide, wide) == 1.0);
    const auto single = make_signature<1>(set, sketcher);
    CHECK_FALSE(single.empty());

    std::vector<std::uint32_t> no_slots;
    CHECK_THROWS_AS(sketcher.fill(std::span<const std::uint64_t>(set), std::span<std::uint32_t>(no_slots)),
                    std::invalid_argument);
}

template <class Sketcher>
void check_merge() {
    std::mt19937_64 rng(7);
    for (const std::size_t n : {1u, 3u, 50u, 500u}) {
        std::vector<std::uint64_t> a, b;
        for (std::size_t i = 0; i < n; ++i) a.push_back(rng() % 1000);
        for (std::size_t i = 0; i < n + 3; ++i) b.push_back(rng() % 1000);
        std::vector<std::uint64_t> both = a;
        both.insert(both.end(), b.begin(), b.end());
        const Sketcher s(99);
        const auto merged = Sketcher::merge(make_signature<slots>(a, s), make_signature<slots>(b, s));
        CHECK(merged == make_signature<slots>(both, s));
        const auto merged64 = Sketcher::merge(make_signature<64, std::uint64_t>(a, s), make_signature<64, std::uint64_t>(b, s));
        CHECK(merged64 == make_signature<64, std::uint64_t>(both, s));
    }
    const std::vector<std::uint64_t> some{1, 2, 3};
    const auto sig = make_signature<slots>(some, Sketcher(3));
    CHECK(Sketcher::merge(sig, ditto::minhash_signature<slots>{}) == sig);
}

}  // namespace

TEST_CASE("every sketcher: empty set, set semantics, widths", "[sketch]") {
    check_exact_properties<ditto::fast_sketcher>();
    check_exact_properties<ditto::oph_sketcher>();
    check_exact_properties<ditto::superminhash_sketcher>();
    check_exact_properties<ditto::classic_minhash_sketcher>();
    STATIC_REQUIRE(std::is_same_v<ditto::minhash_sketcher, ditto::fast_sketcher>);
}

TEST_CASE("mergeable sketchers: merge is the signature of the union", "[sketch]") {
    check_merge<ditto::fast_sketcher>();
    check_merge<ditto::superminhash_sketcher>();
    check_merge<ditto::classic_minhash_sketcher>();
}

TEST_CASE("slot values of different widths come from the same keys", "[sketch]") {
    // Slot values are the top bits of 64-bit keys, so a 32-bit slot is the top half of the 64-bit one.
    std::vector<std::uint64_t> set;
    for (std::uint64_t i = 0; i < 300; ++i) set.push_back(i * i);
    const ditto::fast_sketcher s(5);
    const auto s64 = make_signature<slots, std::uint64_t>(set, s);
    const auto s32 = make_signature<slots, std::uint32_t>(set, s);
    const auto s16 = make_signature<slots, std::uint16_t>(set, s);
    for (std::size_t i = 0; i < slots; ++i) {
        CHECK(s32[i] == static_cast<std::uint32_t>(s64[i] >> 32));
        // 16-bit slots are a hash of the winning key (its top bits would be mostly the round).
        CHECK(s16[i] == ditto::detail::key_slot<std::uint16_t>(ditto::detail::top_bits<std::uint64_t>(s64[i]) ));
    }
}

namespace {

// fast_sketcher as its definition reads: round 0 over every element's mixed hash, then rounds that
// offer every element's key to its bin until no bin is empty (the sketcher passes over elements
// whose bin was full when the round started, which must change nothing).
std::vector<std::uint32_t> fast_reference(const std::vector<std::uint64_t>& hashes, std::size_t k, std::uint64_t seed) {
    std::vector<std::uint64_t> key(k, ~std::uint64_t{0});
    const int round_bits = static_cast<int>(std::bit_width(2 * k - 1));
    std::vector<std::uint64_t> element;
    for (const std::uint64_t x : hashes) element.push_back(ditto::mix64(x, seed));
    const auto offer = [&](std::size_t bin, std::uint64_t candidate) { key[bin] = std::min(key[bin], candidate); };
    for (const std::uint64_t h : element) offer(ditto::detail::reduce(h, k), std::rotl(h, 32) >> round_bits);
    const auto empty = [&] { return std::count(key.begin(), key.end(), ~std::uint64_t{0}) > 0; };
    for (std::uint64_t round = 1; empty(); ++round) {
        for (const std::uint64_t e : element) {
            const std::uint64_t h = ditto::detail::fold_multiply(e ^ (round * 0x9e3779b97f4a7c15ULL), 0xd1b54a32d192ed03ULL);
            const std::size_t bin = round < k ? ditto::detail::reduce(h, k)
                                              : (ditto::detail::reduce(e, k) + static_cast<std::size_t>(round)) % k;
            offer(bin, (round << (64 - round_bits)) | (std::rotl(h, 32) >> round_bits));
        }
    }
    std::vector<std::uint32_t> out;
    for (const std::uint64_t x : key) out.push_back(ditto::detail::key_slot<std::uint32_t>(x));
    return out;
}

}  // namespace

TEST_CASE("fast_sketcher equals its definition, round by round", "[sketch]") {
    std::mt19937_64 rng(17);
    for (const std::size_t k : {1u, 2u, 3u, 64u, 100u, 128u, 256u, 1000u, 1500u}) {
        for (const std::size_t n : {1u, 2u, 5u, 50u, 127u, 128u, 340u, 1000u, 5000u}) {
            std::vector<std::uint64_t> hashes(n);
            for (auto& h : hashes) h = rng();
            const std::uint64_t seed = rng();
            std::vector<std::uint32_t> got(k);
            ditto::fast_sketcher(seed).fill(std::span<const std::uint64_t>(hashes), std::span<std::uint32_t>(got));
            INFO("k = " << k << ", n = " << n);
            CHECK(got == fast_reference(hashes, k, seed));
        }
    }
}

TEST_CASE("classic MinHash arithmetic modulo 2^61 - 1", "[sketch]") {
    using c = ditto::classic_minhash_sketcher;
    constexpr std::uint64_t p = c::prime;
    STATIC_REQUIRE(p == 2305843009213693951ULL);
    CHECK(c::apply(2, 3, 5) == 13);
    CHECK(c::apply(1, 0, p) == 0);            // x is reduced first
    CHECK(c::apply(1, 0, p + 5) == 5);
    CHECK(c::apply(p - 1, 0, p - 1) == 1);    // (-1)(-1)
    CHECK(c::apply(p - 1, 1, 1) == 0);        // -1 + 1
    CHECK(c::apply(2, 0, std::uint64_t{1} << 60) == 1);  // 2^61 = 1 (mod p)
    CHECK(c::apply(1, 0, ~std::uint64_t{0}) == 7);       // 2^64 - 1 = 8 * 2^61 - 1 = 7 (mod p)
    // Against 128-bit arithmetic on random operands.
    std::mt19937_64 rng(1);
    for (int i = 0; i < 10000; ++i) {
        const std::uint64_t a = rng() % p, b = rng() % p, x = rng();
        const auto expected = static_cast<std::uint64_t>(
            (static_cast<uint128>(a) * (x % p) + b) % p);
        REQUIRE(c::apply(a, b, x) == expected);
    }
}

TEST_CASE("default sketcher: unbiased, variance at most J(1-J)/K, set sizes 1 to 100,000", "[sketch][statistics]") {
    for (const std::size_t n : {1u, 2u, 3u, 5u, 10u, 30u, 64u, 128u, 300u, 1000u, 10000u, 100000u}) {
        const std::size_t seeds = seeds_for(n);
        const sample_stats st = run_seeds<ditto::fast_sketcher>(n, seeds);
        INFO("n = " << n << ", seeds = " << seeds << ", worst bias " << st.worst_bias_in_se
                    << " SE, variance ratio " << st.pooled_variance_ratio);
        if (n == 1) continue;  // two one-element sets have J of 0 or 1: exact, checked above
        CHECK(st.worst_bias_in_se < 4.5);
        if (seeds >= 200)
            CHECK(st.pooled_variance_ratio < 1.10 + 3 * std::sqrt(2.0 / static_cast<double>(st.samples)));
    }
}

TEST_CASE("16-bit slots stay unbiased with many slots", "[sketch][statistics]") {
    // The top 16 bits of a key are mostly its round number when K is large (11 of 16 at K = 1024),
    // so slots would agree by chance; 16-bit slots hash the whole key instead.
    for (const std::size_t n : {10u, 100u, 1000u}) {
        const sample_stats s128 = run_seeds<ditto::fast_sketcher, std::uint16_t, 128>(n, 400);
        const sample_stats s1024 = run_seeds<ditto::fast_sketcher, std::uint16_t, 1024>(n, 100);
        const sample_stats super = run_seeds<ditto::superminhash_sketcher, std::uint16_t, 1024>(n, 50);
        INFO("n = " << n << ": bias " << s128.worst_bias_in_se << ", " << s1024.worst_bias_in_se << ", "
                    << super.worst_bias_in_se << " SE");
        CHECK(s128.worst_bias_in_se < 4.5);
        CHECK(s1024.worst_bias_in_se < 4.5);
        CHECK(super.worst_bias_in_se < 4.5);
        CHECK(s128.pooled_variance_ratio < 1.10 + 3 * std::sqrt(2.0 / static_cast<double>(s128.samples)));
    }
}

TEST_CASE("reference and alternative sketchers are unbiased", "[sketch][statistics]") {
    for (const std::size_t n : {2u, 10u, 100u, 1000u}) {
        const std::size_t seeds = n <= 100 ? 1000 : 200;
        const sample_stats classic = run_seeds<ditto::classic_minhash_sketcher>(n, n <= 100 ? seeds : 100);
        INFO("n = " << n << ", classic variance ratio " << classic.pooled_variance_ratio);
        CHECK(classic.worst_bias_in_se < 4.5);
        // Classic MinHash's slots are independent Bernoulli(J): the ratio is 1 up to sampling.
        CHECK(std::abs(classic.pooled_variance_ratio - 1.0) < 4 * std::sqrt(2.0 / static_cast<double>(classic.samples)));
        const sample_stats super = run_seeds<ditto::superminhash_sketcher>(n, seeds);
        CHECK(super.worst_bias_in_se < 4.5);
        CHECK(super.pooled_variance_ratio < 1.10 + 3 * std::sqrt(2.0 / static_cast<double>(super.samples)));
        const sample_stats oph = run_seeds<ditto::oph_sketcher>(n, seeds);
        CHECK(oph.worst_bias_in_se < 4.5);
    }
}

TEST_CASE("b-bit signatures: packing and the corrected estimator", "[sketch][statistics]") {
    std::vector<std::uint64_t> set;
    for (std::uint64_t i = 0; i < 200; ++i) set.push_back(i);
    const auto full = make_signature<slots>(set, ditto::fast_sketcher(1));
    const ditto::b_bit_signature<7, slots> packed(full);  // 7 bits: values straddle words
    STATIC_REQUIRE(ditto::b_bit_signature<7, slots>::word_count == 14);
    for (std::size_t i = 0; i < slots; ++i) CHECK(packed[i] == (full[i] & 0x7F));
    CHECK(similarity(packed, packed) == 1.0);
    CHECK(ditto::b_bit_signature<7, slots>{}.empty());
    CHECK(similarity(packed, ditto::b_bit_signature<7, slots>{}) == 0.0);
    const ditto::b_bit_signature<32, slots> packed32(full);
    for (std::size_t i = 0; i < slots; ++i) CHECK(packed32[i] == full[i]);

    // Unbiased for b = 1, 2, 4: the estimate (E - C)/(1 - C) with C = 2^-b, whose standard error is
    // sqrt(P(1-P)/K)/(1-C) per signature for P = C + (1-C)J.
    auto check_bits = [&]<unsigned B>() {
        const set_pair p = make_pair_with(500, 0.6);
        const double c = 1.0 / static_cast<double>(1u << B);
        const double prob = c + (1 - c) * p.jaccard;
        const std::size_t seeds = 1000;
        double sum = 0;
        for (std::size_t s = 0; s < seeds; ++s) {
            const ditto::fast_sketcher sk(s);
            const ditto::b_bit_signature<B, slots> a(make_signature<slots>(p.a, sk)), b(make_signature<slots>(p.b, sk));
            sum += similarity(a, b);
        }
        const double se = std::sqrt(prob * (1 - prob) / static_cast<double>(slots * seeds)) / (1 - c);
        INFO("b = " << B);
        CHECK(std::abs(sum / static_cast<double>(seeds) - p.jaccard) < 4.5 * se);
    };
    check_bits.template operator()<1>();
    check_bits.template operator()<2>();
    check_bits.template operator()<4>();
}
