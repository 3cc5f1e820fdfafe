// The pipeline over a caller's parts (dedup_components.hpp): every seam replaced by a type
// written here, the results checked against a brute force that uses the same user parts, and
// the part concepts checked at compile time.
#include <ditto/dedup.hpp>
#include <ditto/dedup_components.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/index.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

std::uint64_t finalize(std::uint64_t z) {  // splitmix64's finalizer: spreads a hash's bits
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// ASCII letters lowered; nothing else changes.
struct ascii_lower_normalizer {
    void normalize(std::string_view text, std::string& out) const {
        out.assign(text);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
};

// The words of the ASCII-lowered text, split at spaces; a shingle is 3 consecutive words (all of
// them when there are fewer), hashed by FNV-1a with a separator byte, then finalized.
struct space_word_shingler {
    std::size_t k = 3;

    static std::vector<std::string> words(std::string_view text) {
        std::string lowered;
        ascii_lower_normalizer{}.normalize(text, lowered);
        std::vector<std::string> out;
        std::size_t pos = 0;
        while (pos < lowered.size()) {
            const std::size_t end = std::min(lowered.find(' ', pos), lowered.size());
            if (end > pos) out.push_back(lowered.substr(pos, end - pos));
            pos = end + 1;
        }
        return out;
    }

    template <class Sink>
    void operator()(std::string_view text, Sink&& sink) const {
        const std::vector<std::string> w = words(text);
        if (w.empty()) return;
        const std::size_t span = std::min(k, w.size());
        for (std::size_t i = 0; i + span <= w.size(); ++i) {
            std::uint64_t h = 0xcbf29ce484222325ULL;
            for (std::size_t j = i; j < i + span; ++j) {
                for (const char c : w[j]) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
                h = (h ^ 0x1f) * 0x100000001b3ULL;
            }
            sink(finalize(h));
        }
    }
};

// MinHash with one hash function per slot: slot i is the least finalize(h ^ seed_i) over the
// shingles, its high bits (all ones, which marks the empty set in a stored index, made one less).
struct k_hash_minhash {
    template <class V>
    void fill(std::span<const std::uint64_t> hashes, std::span<V> out) const {
        for (std::size_t i = 0; i < out.size(); ++i) {
            const std::uint64_t seed = finalize(0x5eed0000 + i);
            std::uint64_t least = ~std::uint64_t{0};
            for (const std::uint64_t h : hashes) least = std::min(least, finalize(h ^ seed));
            const auto v = static_cast<V>(least >> (64 - 8 * sizeof(V)));
            out[i] = v == static_cast<V>(~V{0}) ? static_cast<V>(v - 1) : v;
        }
    }
};

// Every slot the same value, whatever the set: every signature equal. Counts its calls.
struct constant_sketcher {
    std::shared_ptr<std::atomic<std::size_t>> calls = std::make_shared<std::atomic<std::size_t>>(0);
    template <class V>
    void fill(std::span<const std::uint64_t>, std::span<V> out) const {
        ++*calls;
        std::fill(out.begin(), out.end(), V{5});
    }
};

// Every signature the same single key: every unit with shingles is a candidate of every other.
struct one_bucket {
    [[nodiscard]] std::size_t key_count() const { return 1; }
    void keys(std::span<const std::uint32_t>, std::span<std::uint64_t> out) const { out[0] = 42; }
};

// Banded keys over strided slots: band b hashes slots b, b + bands, b + 2 bands, ...
struct strided_banding {
    std::size_t bands = 32, rows = 4;
    [[nodiscard]] std::size_t key_count() const { return bands; }
    void keys(std::span<const std::uint32_t> slots, std::span<std::uint64_t> out) const {
        for (std::size_t b = 0; b < bands; ++b) {
            std::uint64_t h = finalize(b + 1);
            for (std::size_t r = 0; r < rows; ++r) h = finalize(h ^ slots[b + r * bands]);
            out[b] = h;
        }
    }
};

// No normalization: only byte-identical texts are exact duplicates.
struct identity_normalizer {
    void normalize(std::string_view text, std::string& out) const { out.assign(text); }
};

// Sorted, repeat-free sets as the pipeline hands them over.
std::vector<std::uint64_t> set_of(std::string_view text) {
    std::vector<std::uint64_t> s;
    space_word_shingler{}(text, [&](std::uint64_t h) { s.push_back(h); });
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
}

double brute_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
    std::vector<std::uint64_t> common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
    return static_cast<double>(common.size()) / static_cast<double>(a.size() + b.size() - common.size());
}

// Jaccard by std::set_intersection, counting its calls (shared by copies).
struct counting_verifier {
    std::shared_ptr<std::atomic<std::size_t>> calls = std::make_shared<std::atomic<std::size_t>>(0);
    double operator()(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, double t) const {
        ++*calls;
        const double j = brute_jaccard(a, b);
        return j >= t ? j : -1.0;
    }
};

// Stricter than Jaccard: also the smaller set at least 90% of the larger.
struct length_ratio_verifier {
    double operator()(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, double t) const {
        const double ratio = static_cast<double>(std::min(a.size(), b.size())) / static_cast<double>(std::max(a.size(), b.size()));
        const double j = brute_jaccard(a, b);
        return ratio >= 0.9 && j >= t ? j : -1.0;
    }
};

// 40 originals of 40-90 words, each with 0-15 variants at word substitution rates up to 25%
// (so pairs fall on both sides of 0.8), a third of them with 5-15% of the end cut (set sizes
// then differ), some copies with their letters upper-cased (exact duplicates for the user
// normalizer), and a few short texts. About 300 documents: more than
// split_buckets, so the one bucket is split by prefix filtering.
std::vector<std::string> make_documents() {
    ditto_test::rng g{20261129};
    std::vector<std::string> vocabulary;
    for (std::size_t i = 0; i < 3000; ++i) vocabulary.push_back(ditto_test::make_word(i));
    auto join = [](const std::vector<std::string>& w) {
        std::string s;
        for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
        return s;
    };
    std::vector<std::string> docs;
    for (std::size_t o = 0; o < 40; ++o) {
        std::vector<std::string> words(40 + g.below(51));
        for (auto& w : words) w = vocabulary[g.below(vocabulary.size())];
        docs.push_back(join(words));
        const std::size_t variants = g.below(16);
        for (std::size_t v = 0; v < variants; ++v) {
            std::vector<std::string> copy = words;
            const double rate = 0.25 * g.unit();
            for (auto& w : copy)
                if (g.unit() < rate) w = vocabulary[g.below(vocabulary.size())];
            if (g.below(3) == 0) copy.resize(copy.size() - copy.size() * (5 + g.below(11)) / 100);  // the end cut
            std::string text = join(copy);
            if (g.below(5) == 0) {
                std::string upper = text;
                for (char& c : upper)
                    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
                docs.push_back(text);
                text = upper;
            }
            docs.push_back(text);
        }
        if (o % 5 == 0) docs.push_back(words[0] + " " + words[1]);  // shorter than a shingle
        if (o % 13 == 0) docs.push_back(o % 2 ? "" : " ");  // no words: no shingles
    }
    return docs;
}

struct expectation {
    std::vector<std::size_t> exact_of;
    std::set<std::pair<std::size_t, std::size_t>> pairs;
    std::map<std::pair<std::size_t, std::size_t>, double> similarity;
    std::vector<std::size_t> greedy_cluster;  // keep first
};

// The brute force: units are documents with equal lowered text; pairs of unit representatives
// whose sets `accept` (by all-pairs comparison), then each (representative, exact duplicate);
// greedy clusters in document order, each unit joining the first earlier kept unit it is
// similar to.
template <class Accept, class Normalizer = ascii_lower_normalizer>
expectation brute_force(const std::vector<std::string>& docs, double t, Accept accept, Normalizer normalizer = {}) {
    expectation e;
    std::map<std::string, std::size_t> first;
    std::vector<std::size_t> reps;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        std::string lowered;
        normalizer.normalize(docs[i], lowered);
        const auto [it, fresh] = first.emplace(lowered, i);
        e.exact_of.push_back(it->second);
        if (fresh) reps.push_back(i);
    }
    std::vector<std::vector<std::uint64_t>> sets(docs.size());
    for (const std::size_t r : reps) sets[r] = set_of(docs[r]);
    for (std::size_t x = 0; x < reps.size(); ++x)
        for (std::size_t y = x + 1; y < reps.size(); ++y) {
            const double j = brute_jaccard(sets[reps[x]], sets[reps[y]]);
            if (j >= t && accept(sets[reps[x]], sets[reps[y]])) {
                e.pairs.emplace(reps[x], reps[y]);
                e.similarity[{reps[x], reps[y]}] = j;
            }
        }
    for (std::size_t i = 0; i < docs.size(); ++i)
        if (e.exact_of[i] != i) e.pairs.emplace(e.exact_of[i], i);
    std::vector<std::size_t> kept;
    e.greedy_cluster.assign(docs.size(), 0);
    for (const std::size_t r : reps) {
        std::size_t joined = r;
        for (const std::size_t k : kept)
            if (e.pairs.count({k, r})) {
                joined = k;
                break;
            }
        if (joined == r) kept.push_back(r);
        e.greedy_cluster[r] = joined;
    }
    for (std::size_t i = 0; i < docs.size(); ++i) e.greedy_cluster[i] = e.greedy_cluster[e.exact_of[i]];
    return e;
}

std::set<std::pair<std::size_t, std::size_t>> pair_set(const ditto::dedup_result& r) {
    std::set<std::pair<std::size_t, std::size_t>> s;
    for (const auto& p : r.pairs) s.emplace(p.first, p.second);
    return s;
}

const auto keep_first = [](std::size_t a, std::size_t b) { return a < b; };

}  // namespace

// The part concepts: ditto's own parts and the ones above satisfy them; near misses do not.
struct returns_string_normalizer {  // normalize returns the text instead of filling an out-parameter
    std::string normalize(std::string_view t) const { return std::string(t); }
};
struct mutating_normalizer {  // normalize is not const
    void normalize(std::string_view, std::string&) {}
};
struct lvalue_sink_shingler {  // takes the sink by non-const lvalue reference: the pipeline passes temporaries
    template <class Sink>
    void operator()(std::string_view, Sink&) const {}
};
struct vector_shingler {  // fills a vector instead of calling a sink
    void operator()(std::string_view, std::vector<std::uint64_t>&) const {}
};
struct wide_slot_keyer {  // keys from 64-bit slots: the pipeline hands over 32-bit ones
    std::size_t key_count() const { return 1; }
    void keys(std::span<const std::uint64_t>, std::span<std::uint64_t>) const {}
};
struct countless_keyer {  // no key_count
    void keys(std::span<const std::uint32_t>, std::span<std::uint64_t>) const {}
};
struct string_verifier {  // returns a name, not a similarity
    std::string operator()(std::span<const std::uint64_t>, std::span<const std::uint64_t>, double) const { return {}; }
};
struct vector_verifier {  // takes owning vectors: spans do not convert to them
    double operator()(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&, double) const { return 0; }
};

static_assert(ditto::text_normalizer<ditto::normalizer>);
static_assert(ditto::text_normalizer<ascii_lower_normalizer>);
static_assert(!ditto::text_normalizer<returns_string_normalizer>);
static_assert(!ditto::text_normalizer<mutating_normalizer>);
static_assert(!ditto::text_normalizer<int>);

static_assert(ditto::document_shingler<ditto::text_shingler>);
static_assert(ditto::document_shingler<ditto::normalizing_word_shingler<>>);
static_assert(ditto::document_shingler<space_word_shingler>);
static_assert(!ditto::document_shingler<vector_shingler>);
static_assert(!ditto::document_shingler<lvalue_sink_shingler>);
static_assert(!ditto::document_shingler<ascii_lower_normalizer>);

static_assert(ditto::sketcher<k_hash_minhash>);
static_assert(ditto::sketcher<ditto::minhash_sketcher>);

static_assert(ditto::candidate_keyer<ditto::lsh_banding>);
static_assert(ditto::candidate_keyer<one_bucket>);
static_assert(ditto::candidate_keyer<strided_banding>);
static_assert(!ditto::candidate_keyer<wide_slot_keyer>);
static_assert(!ditto::candidate_keyer<countless_keyer>);

static_assert(ditto::pair_verifier<ditto::jaccard_verifier>);
static_assert(ditto::pair_verifier<counting_verifier>);
static_assert(ditto::pair_verifier<length_ratio_verifier>);
static_assert(!ditto::pair_verifier<string_verifier>);
static_assert(!ditto::pair_verifier<vector_verifier>);

static_assert(std::same_as<ditto::default_dedup_components,
                           ditto::dedup_components<ditto::normalizer, ditto::text_shingler, ditto::minhash_sketcher,
                                                   ditto::lsh_banding, ditto::jaccard_verifier>>);

TEST_CASE("components: every part a caller's own, one bucket: pairs and greedy clusters equal the brute force", "[components]") {
    const std::vector<std::string> docs = make_documents();
    REQUIRE(docs.size() > 300);
    ditto::dedup_options options;
    options.threshold = 0.8;
    options.prefilter_miss = 0;  // no probabilistic drop: the result is exact
    const counting_verifier verifier;
    const ditto::dedup_components parts{ascii_lower_normalizer{}, space_word_shingler{}, k_hash_minhash{}, one_bucket{},
                                        verifier};
    const expectation expected = brute_force(docs, 0.8, [](auto&, auto&) { return true; });
    // The corpus is what the test needs: exact duplicates by case, pairs on both sides of 0.8.
    std::size_t exact = 0, similar = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) exact += expected.exact_of[i] != i;
    for (const auto& [p, j] : expected.similarity) similar += j < 1.0;
    REQUIRE(exact >= 5);
    REQUIRE(similar >= 20);

    ditto::inline_executor serial;
    const ditto::dedup_result r = ditto::dedup(docs, options, serial, keep_first, parts);
    CHECK(r.exact_of == expected.exact_of);
    CHECK(pair_set(r) == expected.pairs);
    for (const auto& p : r.pairs)
        if (expected.exact_of[p.second] != p.first) CHECK(p.similarity == Catch::Approx(expected.similarity.at({p.first, p.second})));
    CHECK(r.stats.lsh.bands == 1);
    CHECK(r.stats.lsh.rows == 0);
    CHECK(r.stats.largest_bucket > options.split_buckets);  // the split ran, exactly
    CHECK(r.stats.split_buckets == 1);
    // The verifier is the one that decides: each verified candidate is one call.
    CHECK(verifier.calls->load() == r.stats.verified);
    CHECK(r.stats.verified > 0);

    // Greedy clusters alone, on several threads: the brute force's greedy rule (one bucket, so
    // the preference among kept copies is keep order).
    options.collect_pairs = false;
    ditto::thread_pool pool(4);
    const ditto::dedup_result c = ditto::dedup(docs, options, pool, keep_first, parts);
    CHECK(c.clusters.cluster == expected.greedy_cluster);
    const ditto::dedup_result c1 = ditto::dedup(docs, options, serial, keep_first, parts);
    CHECK(c1.clusters.cluster == c.clusters.cluster);

    // The normalizer decides what is an exact duplicate: without normalization, copies that
    // differ in case are separate units, found similar (1.0) by verification instead.
    options.collect_pairs = true;
    const ditto::dedup_components strict_parts{identity_normalizer{}, space_word_shingler{}, k_hash_minhash{},
                                               one_bucket{}, ditto::jaccard_verifier{}};
    const expectation bytes = brute_force(docs, 0.8, [](auto&, auto&) { return true; }, identity_normalizer{});
    const ditto::dedup_result s = ditto::dedup(docs, options, serial, keep_first, strict_parts);
    CHECK(s.exact_of == bytes.exact_of);
    CHECK(s.exact_of != expected.exact_of);
    CHECK(pair_set(s) == bytes.pairs);
}

TEST_CASE("components: a stricter verifier removes exactly the pairs it rejects", "[components]") {
    const std::vector<std::string> docs = make_documents();
    ditto::dedup_options options;
    options.prefilter_miss = 0;
    const ditto::dedup_components parts{ascii_lower_normalizer{}, space_word_shingler{}, k_hash_minhash{}, one_bucket{},
                                        length_ratio_verifier{}};
    const length_ratio_verifier strict;
    const expectation expected =
        brute_force(docs, 0.8, [&](const auto& a, const auto& b) { return strict(a, b, 0.8) >= 0.8; });
    const expectation loose = brute_force(docs, 0.8, [](auto&, auto&) { return true; });
    REQUIRE(expected.pairs.size() < loose.pairs.size());  // the rule does reject some pairs
    ditto::inline_executor serial;
    CHECK(pair_set(ditto::dedup(docs, options, serial, keep_first, parts)) == expected.pairs);
}

TEST_CASE("components: a caller's banding finds the pairs; results do not depend on threads", "[components]") {
    const std::vector<std::string> docs = make_documents();
    ditto::dedup_options options;
    const ditto::dedup_components parts{ascii_lower_normalizer{}, space_word_shingler{}, k_hash_minhash{},
                                        strided_banding{}, ditto::jaccard_verifier{}};
    ditto::inline_executor serial;
    ditto::thread_pool pool(3);
    const ditto::dedup_result r = ditto::dedup(docs, options, serial, keep_first, parts);
    const ditto::dedup_result r3 = ditto::dedup(docs, options, pool, keep_first, parts);
    CHECK(r.pairs == r3.pairs);
    CHECK(r.clusters.cluster == r3.clusters.cluster);
    CHECK(r.stats.lsh.bands == 32);
    const expectation expected = brute_force(docs, 0.8, [](auto&, auto&) { return true; });
    // Precision 1 (exact verification); recall: every pair at J >= 0.9 is certain to share a band
    // of 4 rows among 32 (a miss has probability below 1e-14), and most below it are found.
    const auto found = pair_set(r);
    for (const auto& p : found) CHECK(expected.pairs.count(p) == 1);
    std::size_t high = 0, high_found = 0;
    for (const auto& [p, j] : expected.similarity)
        if (j >= 0.9) {
            ++high;
            high_found += found.count(p);
        }
    CHECK(high > 0);
    CHECK(high_found == high);
}

TEST_CASE("components: the caller's sketcher makes the signatures", "[components]") {
    // Constant slots put every unit with shingles into every band's one bucket, and pass every
    // candidate through the signature prefilter: each unit is examined with each other one.
    const std::vector<std::string> docs = make_documents();
    ditto::dedup_options options;
    options.prefilter_slots = 0;  // the fine prefilter sketch is the pipeline's own, made from the sets
    const ditto::dedup_components parts{ascii_lower_normalizer{}, space_word_shingler{}, constant_sketcher{},
                                        ditto::lsh_banding(options.lsh()), ditto::jaccard_verifier{}};
    ditto::inline_executor serial;
    const ditto::dedup_result r = ditto::dedup(docs, options, serial, keep_first, parts);
    std::set<std::string> distinct(docs.begin(), docs.end());
    std::size_t with_shingles = 0;  // distinct texts (byte strings) with shingles: each sketched once
    for (const auto& t : distinct) with_shingles += !set_of(t).empty();
    CHECK(parts.sketcher.calls->load() == with_shingles);
    CHECK(r.stats.empty_documents > 0);
    std::set<std::string> units_without;  // distinct normalized texts without shingles
    for (const auto& t : docs)
        if (set_of(t).empty()) {
            std::string lowered;
            ascii_lower_normalizer{}.normalize(t, lowered);
            units_without.insert(lowered);
        }
    CHECK(r.stats.largest_bucket == r.stats.units - units_without.size());
    CHECK(r.stats.prefiltered == 0);
    CHECK(pair_set(r) == brute_force(docs, 0.8, [](auto&, auto&) { return true; }).pairs);
}

TEST_CASE("components: ditto's parts through the policy give the default pipeline's result", "[components]") {
    ditto_test::corpus_options o;
    o.originals = 60;
    const std::vector<std::string> docs = ditto_test::make_corpus(o);
    ditto::dedup_options options;
    options.threshold = 0.7;
    ditto::thread_pool pool(2);
    const auto parts = ditto::default_components(options);
    // The defaults are configured by the options.
    CHECK(parts.candidates.params().bands == options.lsh().bands);
    CHECK(parts.candidates.params().rows == options.lsh().rows);
    CHECK(parts.shingler.kind() == options.shingles);
    CHECK(parts.shingler.k() == options.ngram);
    const ditto::dedup_result plain = ditto::dedup(docs, options, pool);
    const ditto::dedup_result through = ditto::dedup(docs, options, pool, keep_first, parts);
    CHECK(plain.pairs == through.pairs);
    CHECK(plain.clusters.cluster == through.clusters.cluster);
    CHECK(plain.stats.lsh.bands == options.lsh().bands);
    CHECK(plain.stats.lsh.rows == options.lsh().rows);
}

TEST_CASE("components: invalid parts and options are refused", "[components]") {
    struct no_keys {
        std::size_t key_count() const { return 0; }
        void keys(std::span<const std::uint32_t>, std::span<std::uint64_t>) const {}
    };
    const std::vector<std::string> docs{"a b c d e", "a b c d e f"};
    ditto::inline_executor serial;
    const auto defaults = ditto::default_components({});
    const ditto::dedup_components parts{defaults.normalizer, defaults.shingler, defaults.sketcher, no_keys{},
                                        defaults.verifier};
    CHECK_THROWS_WITH(ditto::dedup(docs, ditto::dedup_options{}, serial, keep_first, parts),
                      "dedup: components.candidates must be at least 1 key per signature, got 0");
    ditto::dedup_options bad;
    bad.threshold = 1.5;
    CHECK_THROWS_WITH(ditto::default_components(bad), "dedup: threshold must be in (0, 1], got 1.5");
    CHECK_THROWS_AS(ditto::lsh_banding(ditto::lsh_params{0, 4}), std::invalid_argument);
    // A banding wider than the signature, up front (not from a worker thread).
    ditto::dedup_options small;
    small.sketch_size = 16;
    const ditto::dedup_components wide{defaults.normalizer, defaults.shingler, defaults.sketcher,
                                       ditto::lsh_banding(ditto::lsh_params{9, 2}), defaults.verifier};
    CHECK_THROWS_WITH(ditto::dedup(docs, small, serial, keep_first, wide),
                      "dedup: components.candidates must be a banding within sketch_size (16) slots, got 9 x 2");
    // Options that configure only ditto's own banding are not held against a caller's: no LSH
    // shape of 2 slots reaches recall 0.995 at 0.3, but one_bucket needs none.
    ditto::dedup_options tiny;
    tiny.sketch_size = 2;
    tiny.threshold = 0.3;
    CHECK_THROWS(ditto::default_components(tiny));
    const ditto::dedup_components any{defaults.normalizer, defaults.shingler, defaults.sketcher, one_bucket{},
                                      defaults.verifier};
    CHECK(ditto::dedup(docs, tiny, serial, keep_first, any).pairs.size() == 1);
}

TEST_CASE("components: dedup_against with the caller's parts that built the index", "[components][store]") {
    const std::vector<std::string> docs = make_documents();
    // Indexed: the even documents; new: the odd ones (families straddle the two).
    std::vector<std::string> indexed, fresh;
    for (std::size_t i = 0; i < docs.size(); ++i) (i % 2 ? fresh : indexed).push_back(docs[i]);
    ditto::dedup_options options;
    options.recall = 0.9999;
    ditto::index_parameters p = ditto::index_parameters_for(options);
    const ditto::dedup_components parts{ascii_lower_normalizer{}, space_word_shingler{}, k_hash_minhash{},
                                        ditto::lsh_banding(p.lsh), counting_verifier{}};
    // The index, built with the same parts' signatures.
    ditto::index_builder builder(p);
    std::string all;
    for (const auto& d : indexed) all += d;
    const auto source = builder.add_source({"indexed", all.size(), ditto::hash128(all)});
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < indexed.size(); ++i) {
        std::vector<std::uint64_t> hashes;
        parts.shingler(indexed[i], [&](std::uint64_t h) { hashes.push_back(h); });
        std::vector<std::uint32_t> slots(p.slots);
        parts.sketcher.fill(std::span<const std::uint64_t>(hashes), std::span<std::uint32_t>(slots));
        const std::vector<std::uint64_t> wide(slots.begin(), slots.end());
        builder.add_document({source, offset, indexed[i].size(), ditto::hash128(indexed[i]), std::to_string(i)},
                             std::span<const std::uint64_t>(wide));
        offset += indexed[i].size();
    }
    const ditto::stored_index index = std::move(builder).finish();
    const auto texts = [&](std::uint32_t d, std::string& out) {
        out = indexed[d];
        return true;
    };
    ditto::inline_executor serial;
    const ditto::against_result r = ditto::dedup_against(index, fresh, serial, texts, parts);
    CHECK(parts.verifier.calls->load() == r.exact);
    CHECK(r.estimated == 0);

    // The brute force over every (new, indexed) pair, with the user shingler.
    std::map<std::pair<std::size_t, std::uint32_t>, double> expected;
    for (std::size_t i = 0; i < fresh.size(); ++i)
        for (std::size_t d = 0; d < indexed.size(); ++d) {
            const double j = brute_jaccard(set_of(fresh[i]), set_of(indexed[d]));
            if (j >= options.threshold) expected[{i, static_cast<std::uint32_t>(d)}] = j;
        }
    REQUIRE(expected.size() >= 20);
    std::size_t found_high = 0, high = 0;
    std::set<std::pair<std::size_t, std::uint32_t>> found;
    for (const auto& m : ditto::expand_matches(r)) {
        CHECK_FALSE(m.estimated);
        REQUIRE(expected.count({m.document, m.indexed}) == 1);  // precision 1
        CHECK(m.similarity == Catch::Approx(expected.at({m.document, m.indexed})));
        found.emplace(m.document, m.indexed);
    }
    for (const auto& [pair, j] : expected)
        if (j >= 0.9) {
            ++high;
            found_high += found.count(pair);
        }
    CHECK(found_high == high);  // 18 x 6 bands at recall 0.9999 for 0.8: a miss at 0.9 is below 1e-6
    CHECK(found.size() * 100 >= expected.size() * 99);
    // The new documents' exact duplicates are the user normalizer's (case-blind) ones.
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        std::string a, b;
        ascii_lower_normalizer{}.normalize(fresh[i], a);
        ascii_lower_normalizer{}.normalize(fresh[r.exact_of[i]], b);
        CHECK(a == b);
        CHECK(r.exact_of[i] <= i);
    }
    CHECK(r.exact_duplicates > 0);

    // Another banding than the index's is refused, naming both.
    ditto::lsh_params other = p.lsh;
    ++other.rows;
    const ditto::dedup_components wrong{parts.normalizer, parts.shingler, parts.sketcher, ditto::lsh_banding(other),
                                        parts.verifier};
    CHECK_THROWS_WITH(ditto::dedup_against(index, fresh, serial, texts, wrong),
                      "dedup_against: components.candidates must be the index's banding, " + std::to_string(p.lsh.bands) +
                          " x " + std::to_string(p.lsh.rows) + ", got " + std::to_string(other.bands) + " x " +
                          std::to_string(other.rows));
}
