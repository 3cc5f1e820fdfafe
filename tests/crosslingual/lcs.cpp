// Bit-parallel LCS against the textbook dynamic programme on random sequences: lengths around
// and past multiples of 64, small and large alphabets, and the alignment's traceback.
#include <ditto/crosslingual/anchor_diff.hpp>
#include <ditto/crosslingual/lcs.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

std::size_t plain_lcs(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j)
            t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    return t[a.size()][b.size()];
}

std::vector<std::uint32_t> random_sequence(ditto_test::rng& r, std::size_t n, std::size_t alphabet) {
    std::vector<std::uint32_t> s(n);
    for (auto& x : s) x = static_cast<std::uint32_t>(r.below(alphabet));
    return s;
}

}  // namespace

TEST_CASE("bit-parallel LCS equals the plain DP", "[crosslingual][lcs]") {
    ditto_test::rng r{17};
    const std::size_t lengths[] = {0, 1, 2, 5, 63, 64, 65, 100, 127, 128, 129, 191, 200, 257, 300};
    for (const std::size_t alphabet : {2ul, 4ul, 20ul, 1000ul}) {
        for (const std::size_t m : lengths) {
            for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{64}, std::size_t{70}, m, std::size_t{150}}) {
                const auto a = random_sequence(r, m, alphabet), b = random_sequence(r, n, alphabet);
                const std::size_t expected = plain_lcs(a, b);
                CAPTURE(alphabet, m, n);
                CHECK(ditto::lcs_length(a, b) == expected);
                CHECK(ditto::lcs_pattern(a).length(b) == expected);
                CHECK(ditto::lcs_pattern(b).length(a) == expected);
                // The alignment is a common subsequence of that length.
                const auto pairs = ditto::detail::lcs_alignment(a, b, std::uint64_t{1} << 32);
                REQUIRE(pairs.size() == expected);
                for (std::size_t k = 0; k < pairs.size(); ++k) {
                    CHECK(a[pairs[k].first] == b[pairs[k].second]);
                    if (k > 0) CHECK((pairs[k - 1].first < pairs[k].first && pairs[k - 1].second < pairs[k].second));
                }
            }
        }
    }
}

TEST_CASE("LCS of related sequences and edge cases", "[crosslingual][lcs]") {
    ditto_test::rng r{99};
    for (int round = 0; round < 50; ++round) {
        // b: a with some symbols dropped, replaced and inserted; lengths up to 400.
        const auto a = random_sequence(r, 1 + r.below(400), 50);
        std::vector<std::uint32_t> b;
        for (const std::uint32_t x : a) {
            const std::size_t dice = r.below(10);
            if (dice == 0) continue;
            b.push_back(dice == 1 ? static_cast<std::uint32_t>(r.below(50)) : x);
            if (dice == 2) b.push_back(static_cast<std::uint32_t>(r.below(50)));
        }
        CHECK(ditto::lcs_length(a, b) == plain_lcs(a, b));
    }
    const std::vector<std::uint32_t> same(130, 7);
    CHECK(ditto::lcs_length(same, same) == 130);
    CHECK(ditto::lcs_similarity(130, 130, 130) == 1.0);
    CHECK(ditto::lcs_similarity(0, 0, 0) == 0.0);
    // One pattern, many texts, scratch reused.
    ditto::lcs_pattern p(same);
    std::vector<std::uint64_t> scratch;
    CHECK(p.length(std::vector<std::uint32_t>(64, 7), scratch) == 64);
    CHECK(p.length(std::vector<std::uint32_t>(200, 7), scratch) == 130);
    CHECK(p.length(std::vector<std::uint32_t>(200, 8), scratch) == 0);
    CHECK_THROWS_AS(ditto::detail::lcs_alignment(same, same, 100), std::invalid_argument);
}

TEST_CASE("LCS: a long pattern of distinct symbols costs memory linear in its length", "[crosslingual][lcs]") {
    // 200,000 distinct symbols: dense masks would take 200,000 x 3,125 words (5 GB).
    const std::size_t n = 200000;
    std::vector<std::uint32_t> up(n), down(n), shifted(n);
    for (std::size_t i = 0; i < n; ++i) {
        up[i] = static_cast<std::uint32_t>(i);
        down[i] = static_cast<std::uint32_t>(n - 1 - i);
        shifted[i] = static_cast<std::uint32_t>((i + 1000) % n);  // a rotation: LCS n - 1000
    }
    const ditto::lcs_pattern p(up);
    std::vector<std::uint64_t> scratch;
    CHECK(p.length(up, scratch) == n);
    CHECK(p.length(down, scratch) == 1);
    CHECK(p.length(shifted, scratch) == n - 1000);
}
