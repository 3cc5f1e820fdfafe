// The tf-idf index against a brute-force cosine over every document on random data, the weights
// against hand-computed values, and its odd cases (empty reference, empty query, unknown terms).
#include <ditto/crosslingual/anchor_index.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

using sequences = std::vector<std::vector<std::uint64_t>>;

// Cosine of tf-idf vectors, straight from the definition.
std::vector<double> brute_cosines(const sequences& docs, const std::vector<std::uint64_t>& query) {
    const double n = static_cast<double>(docs.size());
    std::map<std::uint64_t, std::size_t> df;
    for (const auto& d : docs) {
        std::vector<std::uint64_t> u(d);
        std::sort(u.begin(), u.end());
        u.erase(std::unique(u.begin(), u.end()), u.end());
        for (const auto t : u) ++df[t];
    }
    const auto vector_of = [&](const std::vector<std::uint64_t>& s) {
        std::map<std::uint64_t, double> tf, w;
        for (const auto t : s) tf[t] += 1;
        for (const auto& [t, f] : tf) {
            const double d = df.count(t) ? static_cast<double>(df[t]) : 0.0;
            w[t] = (1 + std::log(f)) * (std::log((n + 1) / (d + 1)) + 1);
        }
        return w;
    };
    const auto norm = [](const std::map<std::uint64_t, double>& v) {
        double s = 0;
        for (const auto& [t, w] : v) s += w * w;
        return std::sqrt(s);
    };
    const auto q = vector_of(query);
    std::vector<double> out;
    for (const auto& d : docs) {
        const auto v = vector_of(d);
        double dot = 0;
        for (const auto& [t, w] : q)
            if (const auto it = v.find(t); it != v.end()) dot += w * it->second;
        const double nq = norm(q), nd = norm(v);
        out.push_back(nq == 0 || nd == 0 ? 0.0 : dot / (nq * nd));
    }
    return out;
}

std::vector<std::uint64_t> random_doc(ditto_test::rng& r, std::size_t vocabulary) {
    std::vector<std::uint64_t> d(r.below(60));
    // Skewed: low terms are frequent, as anchors such as small numbers are.
    for (auto& t : d) t = r.below(1 + r.below(vocabulary));
    return d;
}

}  // namespace

TEST_CASE("top-k by cosine equals brute force", "[crosslingual][index]") {
    ditto_test::rng r{2026};
    for (const std::size_t vocabulary : {30ul, 400ul, 5000ul}) {
        sequences docs(300);
        for (auto& d : docs) d = random_doc(r, vocabulary);
        const ditto::anchor_index index(docs);
        ditto::anchor_index::scratch s;
        std::vector<ditto::anchor_candidate> got;
        for (int q = 0; q < 60; ++q) {
            // Queries: fresh random ones, and documents of the reference with edits.
            std::vector<std::uint64_t> query = q % 2 ? random_doc(r, vocabulary) : docs[r.below(docs.size())];
            if (q % 4 == 0) query.push_back(vocabulary + 7);  // a term the reference lacks
            const std::vector<double> brute = brute_cosines(docs, query);
            for (const std::size_t k : {1ul, 5ul, 20ul, 1000ul}) {
                index.top_k(query, k, got, s);
                std::vector<std::size_t> order;
                for (std::size_t d = 0; d < brute.size(); ++d)
                    if (brute[d] > 0) order.push_back(d);
                std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                    return brute[a] != brute[b] ? brute[a] > brute[b] : a < b;
                });
                order.resize(std::min(order.size(), k));
                CAPTURE(vocabulary, q, k);
                REQUIRE(got.size() == order.size());
                for (std::size_t i = 0; i < got.size(); ++i) {
                    // Weights are stored as floats: cosines agree to 1e-5; a document may differ
                    // only where brute force has a tie within that.
                    CHECK(got[i].cosine == Catch::Approx(brute[order[i]]).margin(1e-5));
                    CHECK(got[i].cosine == Catch::Approx(brute[got[i].doc]).margin(1e-5));
                    if (i > 0) CHECK(got[i - 1].cosine >= got[i].cosine);
                }
            }
        }
    }
}

TEST_CASE("tf-idf weights by hand", "[crosslingual][index]") {
    // Two documents: {1, 1, 2} and {2, 3}. N = 2; df(1) = 1, df(2) = 2, df(3) = 1.
    const ditto::anchor_index index(sequences{{1, 1, 2}, {2, 3}});
    const double idf1 = std::log(3.0 / 2.0) + 1, idf2 = std::log(3.0 / 3.0) + 1, idf3 = idf1;
    CHECK(index.idf(1) == Catch::Approx(idf1));
    CHECK(index.idf(2) == Catch::Approx(idf2));
    const double w11 = (1 + std::log(2.0)) * idf1, w12 = idf2;  // document 0
    const double w22 = idf2, w23 = idf3;                         // document 1
    // Query {2, 2}: only term 2, so cosine = the normalized weight of term 2 in each document.
    ditto::anchor_index::scratch s;
    std::vector<ditto::anchor_candidate> got;
    index.top_k(std::vector<std::uint64_t>{2, 2}, 5, got, s);
    REQUIRE(got.size() == 2);
    CHECK(got[0].doc == 1);
    CHECK(got[0].cosine == Catch::Approx(w22 / std::hypot(w22, w23)).margin(1e-6));
    CHECK(got[1].cosine == Catch::Approx(w12 / std::hypot(w11, w12)).margin(1e-6));
    // An unknown term (idf ln 3 + 1) lengthens the query: {2, 9}.
    index.top_k(std::vector<std::uint64_t>{2, 9}, 5, got, s);
    const double q2 = idf2, q9 = std::log(3.0) + 1;
    CHECK(got[0].cosine == Catch::Approx(q2 / std::hypot(q2, q9) * w22 / std::hypot(w22, w23)).margin(1e-6));
    CHECK(index.sequence(0).size() == 3);
    CHECK(index.term_of(9) == ditto::anchor_index::unknown_term);
}

TEST_CASE("odd indexes and queries", "[crosslingual][index]") {
    ditto::anchor_index::scratch s;
    std::vector<ditto::anchor_candidate> got{{1, 1.0}};
    const ditto::anchor_index empty(sequences{});
    empty.top_k(std::vector<std::uint64_t>{1, 2}, 20, got, s);
    CHECK(got.empty());
    const ditto::anchor_index blank(sequences{{}, {}, {5}});
    blank.top_k(std::vector<std::uint64_t>{}, 20, got, s);
    CHECK(got.empty());
    blank.top_k(std::vector<std::uint64_t>{6}, 20, got, s);
    CHECK(got.empty());
    blank.top_k(std::vector<std::uint64_t>{5}, 20, got, s);
    REQUIRE(got.size() == 1);
    CHECK(got[0].doc == 2);
    CHECK(got[0].cosine == Catch::Approx(1.0));
    blank.top_k(std::vector<std::uint64_t>{5}, 0, got, s);
    CHECK(got.empty());
}
