// LSH: the S-curve and both parameter choices against hand-computed values, the incremental
// index against a brute-force scan of band keys, and batch mode against the index.
#include <ditto/index/lsh.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/parallel.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/hash.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/catch.hpp"

using ditto::lsh_params;

TEST_CASE("the S-curve 1 - (1 - s^r)^b", "[lsh]") {
    // By hand: s = 0.5, r = 2, b = 3: 1 - (3/4)^3 = 37/64.
    CHECK(ditto::lsh_probability(0.5, {3, 2}) == Catch::Approx(37.0 / 64.0).epsilon(1e-12));
    // s = 0.8, r = 13, b = 9: 0.8^13 = 0.0549755813888; 1 - (1 - that)^9 = 0.39748...
    CHECK(ditto::lsh_probability(0.8, {9, 13}) == Catch::Approx(1 - std::pow(1 - 0.0549755813888, 9)).epsilon(1e-12));
    CHECK(ditto::lsh_probability(0.0, {9, 13}) == 0.0);
    CHECK(ditto::lsh_probability(1.0, {9, 13}) == 1.0);
    // Areas by hand for b = 1, r = 1 (P(s) = s): FP area on [0, t] is t^2/2, FN area is (1-t)^2/2.
    CHECK(ditto::false_positive_area(0.6, {1, 1}) == Catch::Approx(0.18).epsilon(1e-9));
    CHECK(ditto::false_negative_area(0.6, {1, 1}) == Catch::Approx(0.08).epsilon(1e-9));
    // b = 1, r = 2 (P = s^2): FP area on [0, 0.5] is 0.5^3 / 3.
    CHECK(ditto::false_positive_area(0.5, {1, 2}) == Catch::Approx(0.125 / 3).epsilon(1e-9));
    // b = 2, r = 1 (P = 2s - s^2): FN area on [0.5, 1] = integral of (1-s)^2 = 0.5^3 / 3.
    CHECK(ditto::false_negative_area(0.5, {2, 1}) == Catch::Approx(0.125 / 3).epsilon(1e-9));
}

TEST_CASE("optimal parameters reproduce the usual choices at 128 slots", "[lsh]") {
    CHECK(ditto::optimal_lsh_params(0.8, 128) == lsh_params{9, 13});
    CHECK(ditto::optimal_lsh_params(0.9, 128) == lsh_params{5, 25});
    // Weighting false negatives heavily moves the curve left: more bands, fewer rows.
    const lsh_params fn_heavy = ditto::optimal_lsh_params(0.8, 128, 0.1, 0.9);
    CHECK(fn_heavy.rows < 13);
    CHECK(ditto::lsh_probability(0.8, fn_heavy) > ditto::lsh_probability(0.8, {9, 13}));
}

TEST_CASE("recall-target parameters", "[lsh]") {
    // t = 0.8, recall 0.99, 128 slots, by hand: r = 6 needs (1 - 0.8^6)^b <= 0.01, i.e.
    // b >= ln 0.01 / ln(1 - 0.262144) = 15.1, so 16 x 6 = 96 slots; r = 7 needs b >= 19.6 and
    // 20 x 7 = 140 > 128. Smaller r reach the recall but with flatter curves (more false candidates).
    CHECK(ditto::recall_lsh_params(0.8, 128, 0.99) == lsh_params{16, 6});
    // t = 0.9: r = 10 needs b >= ln 0.01 / ln(1 - 0.3486784401) = 10.7, so 11 x 10 = 110;
    // r = 11 needs b >= 12.3 and 13 x 11 = 143 > 128.
    CHECK(ditto::recall_lsh_params(0.9, 128, 0.99) == lsh_params{11, 10});
    // Against a brute-force search over every (b, r).
    for (const double t : {0.3, 0.5, 0.7, 0.85, 0.95}) {
        for (const double recall : {0.9, 0.99}) {
            const lsh_params chosen = ditto::recall_lsh_params(t, 128, recall);
            CHECK(ditto::lsh_probability(t, chosen) >= recall);
            const double chosen_area = ditto::false_positive_area(t, chosen);
            for (std::size_t b = 1; b <= 128; ++b)
                for (std::size_t r = 1; b * r <= 128; ++r)
                    if (ditto::lsh_probability(t, {b, r}) >= recall)
                        REQUIRE(ditto::false_positive_area(t, {b, r}) >= chosen_area);
        }
    }
    // A threshold of 1 needs only identical signatures: one band of every slot.
    CHECK(ditto::recall_lsh_params(1.0, 128, 0.99) == lsh_params{1, 128});
}

TEST_CASE("LSH parameter validation names the parameter", "[lsh]") {
    auto message = [](auto f) {
        try {
            f();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    CHECK(message([] { (void)ditto::recall_lsh_params(0.0, 128); }) ==
          "recall_lsh_params: threshold must be in (0, 1], got 0");
    CHECK(message([] { (void)ditto::recall_lsh_params(1.5, 128); }) ==
          "recall_lsh_params: threshold must be in (0, 1], got 1.5");
    CHECK(message([] { (void)ditto::recall_lsh_params(0.8, 0); }) ==
          "recall_lsh_params: slots must be in [1, 65536], got 0");
    CHECK(message([] { (void)ditto::recall_lsh_params(0.8, 128, 1.0); }) ==
          "recall_lsh_params: recall must be in (0, 1), got 1");
    CHECK(message([] { (void)ditto::optimal_lsh_params(0.8, 128, -1, 1); }).find("fp_weight and fn_weight") !=
          std::string::npos);
    // Out of reach: 4 slots cannot find pairs at 0.1 with probability 0.99 (best: 1 - 0.9^4).
    const std::string unreachable = message([] { (void)ditto::recall_lsh_params(0.1, 4, 0.99); });
    CHECK(unreachable.find("at most 0.3439") != std::string::npos);
}

namespace {

ditto::minhash_signature<32> signature_of(std::initializer_list<std::uint32_t> values) {
    ditto::minhash_signature<32> s;
    std::size_t i = 0;
    for (auto v : values) s.values()[i++] = v;
    for (; i < 32; ++i) s.values()[i] = 1000 + static_cast<std::uint32_t>(i);
    return s;
}

}  // namespace

TEST_CASE("band keys depend on the band's rows and number only", "[lsh]") {
    const lsh_params p{4, 8};
    const auto a = signature_of({1, 2, 3, 4, 5, 6, 7, 8});
    auto b = a;
    b.values()[31] = 77;  // last band differs
    std::vector<std::uint64_t> ka(4), kb(4);
    ditto::band_keys(std::span<const std::uint32_t>(a.values()), p, std::span<std::uint64_t>(ka));
    ditto::band_keys(std::span<const std::uint32_t>(b.values()), p, std::span<std::uint64_t>(kb));
    CHECK(ka[0] == kb[0]);
    CHECK(ka[1] == kb[1]);
    CHECK(ka[2] == kb[2]);
    CHECK(ka[3] != kb[3]);
    // Equal rows in different bands give different keys.
    auto c = signature_of({});
    for (std::size_t i = 0; i < 32; ++i) c.values()[i] = 5;
    std::vector<std::uint64_t> kc(4);
    ditto::band_keys(std::span<const std::uint32_t>(c.values()), p, std::span<std::uint64_t>(kc));
    CHECK(std::set<std::uint64_t>(kc.begin(), kc.end()).size() == 4);
    CHECK_THROWS_AS(ditto::band_keys(std::span<const std::uint32_t>(c.values()), lsh_params{5, 8},
                                     std::span<std::uint64_t>(kc)),
                    std::invalid_argument);
}

TEST_CASE("incremental index: insert, query, remove against a brute-force scan", "[lsh]") {
    const lsh_params p{8, 4};
    std::mt19937_64 rng(3);
    // Signatures over a small alphabet so bands collide often.
    std::vector<ditto::minhash_signature<32>> sigs(300);
    for (auto& s : sigs)
        for (auto& v : s.values()) v = static_cast<std::uint32_t>(rng() % 3);
    ditto::lsh_index<std::string> index(p);
    auto id = [](std::size_t i) { return "doc-" + std::to_string(i); };
    for (std::size_t i = 0; i < sigs.size(); ++i) index.insert(id(i), sigs[i]);
    CHECK(index.size() == 300);
    CHECK_THROWS_AS(index.insert(id(5), sigs[5]), std::invalid_argument);
    std::vector<bool> removed(sigs.size());
    for (std::size_t i = 0; i < sigs.size(); i += 3) {
        CHECK(index.remove(id(i)));
        removed[i] = true;
    }
    CHECK_FALSE(index.remove(id(0)));
    CHECK(index.size() == 200);
    auto shares_band = [&](const auto& a, const auto& b) {
        for (std::size_t band = 0; band < p.bands; ++band)
            if (std::equal(a.values().begin() + static_cast<std::ptrdiff_t>(band * p.rows),
                           a.values().begin() + static_cast<std::ptrdiff_t>((band + 1) * p.rows),
                           b.values().begin() + static_cast<std::ptrdiff_t>(band * p.rows)))
                return true;
        return false;
    };
    for (std::size_t q = 0; q < sigs.size(); q += 7) {
        std::vector<std::string> got = index.query(sigs[q]), expected;
        for (std::size_t i = 0; i < sigs.size(); ++i)
            if (!removed[i] && shares_band(sigs[q], sigs[i])) expected.push_back(id(i));
        std::sort(got.begin(), got.end());
        std::sort(expected.begin(), expected.end());
        REQUIRE(got == expected);
    }
    // Reinsertion reuses handles and is found again.
    index.insert(id(0), sigs[0]);
    const auto again = index.query(sigs[0]);
    CHECK(std::find(again.begin(), again.end(), id(0)) != again.end());
    // The empty signature is held but matches nothing, itself included.
    index.insert("empty", ditto::minhash_signature<32>{});
    CHECK(index.contains("empty"));
    CHECK(index.query(ditto::minhash_signature<32>{}).empty());
    CHECK(index.remove("empty"));
    // A signature too small for the shape.
    ditto::lsh_index<int> small(lsh_params{8, 8});
    CHECK_THROWS_AS(small.insert(1, sigs[0]), std::invalid_argument);
    CHECK_THROWS_AS(ditto::lsh_index<int>(lsh_params{0, 4}), std::invalid_argument);
}

TEST_CASE("batch candidates equal the pairs the index finds", "[lsh]") {
    const lsh_params p{8, 4};
    std::mt19937_64 rng(11);
    const std::size_t n = 400;
    std::vector<ditto::minhash_signature<32>> sigs(n);
    for (auto& s : sigs)
        for (auto& v : s.values()) v = static_cast<std::uint32_t>(rng() % 3);
    std::vector<std::uint64_t> keys;
    std::vector<std::uint32_t> rows;
    ditto::lsh_index<std::uint32_t> index(p);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (i % 50 == 0) continue;  // documents without a row (empty signatures) never pair
        std::vector<std::uint64_t> k(p.bands);
        ditto::band_keys(std::span<const std::uint32_t>(sigs[i].values()), p, std::span<std::uint64_t>(k));
        keys.insert(keys.end(), k.begin(), k.end());
        rows.push_back(i);
        index.insert(i, sigs[i]);
    }
    std::set<std::pair<std::uint32_t, std::uint32_t>> expected;
    for (const std::uint32_t i : rows)
        for (const std::uint32_t j : index.query(sigs[i]))
            if (i < j) expected.emplace(i, j);
    ditto::inline_executor one;
    ditto::thread_pool two(2);
    const auto got1 = ditto::batch_candidates(std::span<const std::uint64_t>(keys), p.bands, std::span<const std::uint32_t>(rows), one);
    const auto got2 = ditto::batch_candidates(std::span<const std::uint64_t>(keys), p.bands, std::span<const std::uint32_t>(rows), two);
    CHECK(got1 == got2);
    CHECK(std::is_sorted(got1.begin(), got1.end()));
    std::set<std::pair<std::uint32_t, std::uint32_t>> got;
    for (const auto& c : got1) got.emplace(c.first, c.second);
    CHECK(got.size() == got1.size());  // each pair once
    CHECK(got == expected);
    CHECK_THROWS_AS(ditto::batch_candidates(std::span<const std::uint64_t>(keys), 3, std::span<const std::uint32_t>(rows), one),
                    std::invalid_argument);
}

TEST_CASE("batch buckets: every pair of a bucket is a candidate, and only those", "[lsh]") {
    const lsh_params p{8, 4};
    std::mt19937_64 rng(12);
    const std::size_t n = 300;
    std::vector<std::uint64_t> keys;
    std::vector<std::uint32_t> rows;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (i % 40 == 0) continue;
        for (std::size_t b = 0; b < p.bands; ++b) keys.push_back(rng() % 5 == 0 ? 7 : rng() % 40);
        rows.push_back(i);
    }
    ditto::thread_pool two(2);
    const auto candidates = ditto::batch_candidates(std::span<const std::uint64_t>(keys), p.bands, std::span<const std::uint32_t>(rows), two);
    std::size_t bands_done = 0;
    const auto buckets = ditto::batch_buckets(std::span<const std::uint64_t>(keys), p.bands, std::span<const std::uint32_t>(rows), n, two,
                                              [&] { ++bands_done; });
    CHECK(bands_done == p.bands);
    std::set<std::pair<std::uint32_t, std::uint32_t>> from_buckets;
    std::size_t largest = 0;
    for (std::size_t b = 0; b < buckets.bucket_count(); ++b) {
        const auto members = buckets.bucket(b);
        REQUIRE(members.size() >= 2);
        largest = std::max(largest, members.size());
        CHECK(std::is_sorted(members.begin(), members.end()));
        for (std::size_t x = 0; x < members.size(); ++x)
            for (std::size_t y = x + 1; y < members.size(); ++y) from_buckets.emplace(members[x], members[y]);
        // The per-document lists name this bucket.
        for (const std::uint32_t d : members) {
            const auto of = buckets.of(d);
            CHECK(std::count(of.begin(), of.end(), static_cast<std::uint32_t>(b)) == 1);
        }
    }
    CHECK(largest == buckets.largest());
    std::set<std::pair<std::uint32_t, std::uint32_t>> expected;
    for (const auto& c : candidates) expected.emplace(c.first, c.second);
    CHECK(from_buckets == expected);
    CHECK(buckets.of(0).empty());  // no row
}

TEST_CASE("recall where it is defined: pairs planted at J = t become candidates with P >= recall", "[lsh][statistics]") {
    // 20,000 pairs of 100-element sets at exactly J = t, sketched with the default sketcher; the
    // share sharing a band key must reach the S-curve at t (which is >= the recall target) less
    // 4 standard errors.
    constexpr std::size_t k = 128, pairs = 20000;
    const ditto::minhash_sketcher sketcher(99);
    for (const double t : {0.5, 0.8, 0.9}) {
        const lsh_params p = ditto::recall_lsh_params(t, k, 0.99);
        const double theory = ditto::lsh_probability(t, p);
        REQUIRE(theory >= 0.99);
        std::size_t found = 0;
        std::vector<std::uint64_t> a, b, ka(p.bands), kb(p.bands);
        std::vector<std::uint32_t> sa(k), sb(k);
        for (std::size_t i = 0; i < pairs; ++i) {
            const auto common = static_cast<std::size_t>(std::llround(t * 100));
            a.clear();
            b.clear();
            std::uint64_t x = ditto::mix64(i, 3);
            for (std::size_t j = 0; j < common; ++j, ++x) a.push_back(x), b.push_back(x);
            for (std::size_t j = common; j < 100; ++j, ++x) (j % 2 ? a : b).push_back(x);
            sketcher.fill(std::span<const std::uint64_t>(a), std::span<std::uint32_t>(sa));
            sketcher.fill(std::span<const std::uint64_t>(b), std::span<std::uint32_t>(sb));
            ditto::band_keys(std::span<const std::uint32_t>(sa), p, std::span<std::uint64_t>(ka));
            ditto::band_keys(std::span<const std::uint32_t>(sb), p, std::span<std::uint64_t>(kb));
            bool shared = false;
            for (std::size_t band = 0; band < p.bands; ++band) shared = shared || ka[band] == kb[band];
            found += shared ? 1 : 0;
        }
        const double measured = static_cast<double>(found) / pairs;
        const double se = std::sqrt(theory * (1 - theory) / pairs);
        INFO("t " << t << ", " << p.bands << " x " << p.rows << ": theory " << theory << ", measured " << measured);
        // The S-curve assumes independent slots; the default sketcher's are negatively correlated
        // on small sets (lower variance), which only raises the share: one-sided checks.
        CHECK(measured >= 0.99 - 4 * se);
        CHECK(measured >= theory - 4 * se);
    }
}

namespace {

// A bucket map whose buckets throw on the n-th push_back overall: for the strong guarantee.
int push_budget = 1000;
struct throwing_buckets {
    struct bucket : std::vector<std::uint32_t> {
        void push_back(std::uint32_t h) {
            if (--push_budget == 0) throw std::bad_alloc();
            std::vector<std::uint32_t>::push_back(h);
        }
    };
    std::map<std::uint64_t, bucket> map;
    bucket& operator[](std::uint64_t key) { return map[key]; }
    auto find(std::uint64_t key) const { return map.find(key); }
    auto find(std::uint64_t key) { return map.find(key); }
    auto end() const { return map.end(); }
    auto end() { return map.end(); }
    void erase(std::map<std::uint64_t, bucket>::iterator it) { map.erase(it); }
};

}  // namespace

TEST_CASE("lsh_index::insert leaves the index unchanged when it throws", "[lsh]") {
    const lsh_params p{4, 2};
    ditto::minhash_signature<8> a, b;
    for (std::size_t i = 0; i < 8; ++i) {
        a.values()[i] = static_cast<std::uint32_t>(i);
        b.values()[i] = static_cast<std::uint32_t>(i < 4 ? i : 100 + i);  // shares bands 0 and 1 with a
    }
    for (int fail_at = 1; fail_at <= 4; ++fail_at) {
        ditto::lsh_index<int, throwing_buckets> index(p);
        push_budget = 1000;
        index.insert(1, a);
        push_budget = fail_at;
        CHECK_THROWS_AS(index.insert(2, b), std::bad_alloc);
        push_budget = 1000;
        CHECK(index.size() == 1);
        CHECK_FALSE(index.contains(2));
        CHECK(index.query(b) == std::vector<int>{1});
        CHECK(index.query(a) == std::vector<int>{1});
        index.insert(2, b);  // and it still works
        CHECK(index.query(a) == std::vector<int>{1, 2});
        CHECK(index.remove(1));
        CHECK(index.query(b) == std::vector<int>{2});
    }
}

TEST_CASE("concurrent queries on an index agree with a single thread", "[lsh]") {
    // Queries are const; several threads may run them while no insert or remove runs (TSan checks
    // this test in CI).
    const lsh_params p{8, 4};
    std::mt19937_64 rng(21);
    std::vector<ditto::minhash_signature<32>> sigs(200);
    for (auto& sg : sigs)
        for (auto& v : sg.values()) v = static_cast<std::uint32_t>(rng() % 3);
    ditto::lsh_index<std::size_t> index(p);
    for (std::size_t i = 0; i < sigs.size(); ++i) index.insert(i, sigs[i]);
    std::vector<std::vector<std::size_t>> expected(sigs.size());
    for (std::size_t i = 0; i < sigs.size(); ++i) expected[i] = index.query(sigs[i]);
    std::vector<std::vector<std::vector<std::size_t>>> got(4, std::vector<std::vector<std::size_t>>(sigs.size()));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < sigs.size(); ++i) got[t][i] = index.query(sigs[(i + t * 50) % sigs.size()]);
        });
    for (auto& th : threads) th.join();
    for (std::size_t t = 0; t < 4; ++t)
        for (std::size_t i = 0; i < sigs.size(); ++i) REQUIRE(got[t][i] == expected[(i + t * 50) % sigs.size()]);
}
