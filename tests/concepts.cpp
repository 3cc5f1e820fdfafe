// Compile-time tests of the concepts: types that satisfy them and types that must not.
#include <ditto/concepts.hpp>

#include <ditto/dedup.hpp>
#include <ditto/document.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/sketch/simhash.hpp>
#include <ditto/text/tokenize.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <limits>
#include <map>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "support/catch.hpp"

namespace {

struct seeded_hash {
    std::uint64_t operator()(std::string_view s, std::uint64_t seed) const { return s.size() ^ seed; }
};
struct unseeded_hash {
    std::uint64_t operator()(std::string_view s) const { return s.size(); }
};
struct narrow_hash {
    std::uint32_t operator()(std::string_view, std::uint64_t) const { return 0; }
};
struct mutable_hash {  // callable only when non-const
    std::uint64_t operator()(std::string_view, std::uint64_t) { return 0; }
};

struct my_token {
    std::string_view text;
    std::size_t offset;
};
struct no_offset_token {
    std::string_view text;
};

// Splits at spaces only, into a vector.
struct space_tokenizer {
    std::vector<my_token> operator()(std::string_view s) const {
        std::vector<my_token> out;
        std::size_t pos = 0;
        while (pos < s.size()) {
            const auto end = std::min(s.find(' ', pos), s.size());
            if (end > pos) out.push_back({s.substr(pos, end - pos), pos});
            pos = end + 1;
        }
        return out;
    }
};
struct bad_token_tokenizer {
    std::vector<no_offset_token> operator()(std::string_view) const { return {}; }
};
struct string_tokenizer {
    std::vector<std::string> operator()(std::string_view) const { return {}; }
};

static_assert(ditto::hasher<ditto::default_hasher>);
static_assert(ditto::hasher<seeded_hash>);
static_assert(!ditto::hasher<unseeded_hash>);
static_assert(!ditto::hasher<narrow_hash>);
static_assert(!ditto::hasher<mutable_hash>);
static_assert(!ditto::hasher<int>);

static_assert(ditto::token_like<ditto::token>);
static_assert(ditto::token_like<my_token>);
static_assert(!ditto::token_like<no_offset_token>);
static_assert(!ditto::token_like<std::string>);

static_assert(ditto::tokenizer<ditto::word_tokenizer>);
static_assert(ditto::tokenizer<space_tokenizer>);
static_assert(!ditto::tokenizer<bad_token_tokenizer>);
static_assert(!ditto::tokenizer<string_tokenizer>);
static_assert(!ditto::tokenizer<seeded_hash>);

// shingle_sink

using hash_lambda = decltype([](std::uint64_t) {});
using text_lambda = decltype([](const std::string&) {});  // takes text, not a hash

struct counting_sink {  // non-const call operator: sinks are called as non-const lvalues
    std::size_t count = 0;
    void operator()(std::uint64_t) { ++count; }
};
struct rvalue_sink {  // callable only on an rvalue
    void operator()(std::uint64_t) && {}
};
struct positional_sink {  // wants the shingle's position too
    void operator()(std::uint64_t, std::size_t) const {}
};

static_assert(ditto::shingle_sink<hash_lambda>);
static_assert(ditto::shingle_sink<counting_sink>);
static_assert(ditto::shingle_sink<counting_sink&>);
static_assert(ditto::shingle_sink<void (*)(std::uint64_t)>);
static_assert(!ditto::shingle_sink<text_lambda>);
static_assert(!ditto::shingle_sink<const counting_sink>);  // a const sink cannot count
static_assert(!ditto::shingle_sink<const counting_sink&>);
static_assert(!ditto::shingle_sink<rvalue_sink>);
static_assert(!ditto::shingle_sink<positional_sink>);
static_assert(!ditto::shingle_sink<int>);

// sketcher

// Classic MinHash, one seeded mix64 per slot; any slot width.
struct min_sketcher {
    std::uint64_t seed = 0;

    template <class V>
    void fill(std::span<const std::uint64_t> hashes, std::span<V> out) const {
        for (std::size_t i = 0; i < out.size(); ++i) {
            std::uint64_t least = ~std::uint64_t{0};
            for (const std::uint64_t x : hashes) least = std::min(least, ditto::mix64(x, seed + i));
            const auto v = static_cast<V>(least >> (64 - std::numeric_limits<V>::digits));
            // All-ones marks the empty set only.
            out[i] = hashes.empty() || v != std::numeric_limits<V>::max() ? v : static_cast<V>(v - 1);
        }
    }
};
struct narrow_sketcher {  // fills 32-bit slots only
    void fill(std::span<const std::uint64_t>, std::span<std::uint32_t>) const {}
};
struct wide_sketcher {  // fills 32- and 64-bit slots, not 16-bit ones: still a sketcher
    void fill(std::span<const std::uint64_t>, std::span<std::uint32_t>) const {}
    void fill(std::span<const std::uint64_t>, std::span<std::uint64_t>) const {}
};
struct mutable_sketcher {  // fill is not const
    template <class V>
    void fill(std::span<const std::uint64_t>, std::span<V>) {}
};
struct pinned_sketcher {  // not copyable
    pinned_sketcher() = default;
    pinned_sketcher(const pinned_sketcher&) = delete;
    template <class V>
    void fill(std::span<const std::uint64_t>, std::span<V>) const {}
};

static_assert(ditto::sketcher<ditto::minhash_sketcher>);
static_assert(ditto::sketcher<ditto::fast_sketcher>);
static_assert(ditto::sketcher<ditto::oph_sketcher>);
static_assert(ditto::sketcher<ditto::superminhash_sketcher>);
static_assert(ditto::sketcher<ditto::classic_minhash_sketcher>);
static_assert(ditto::sketcher<min_sketcher>);
static_assert(!ditto::sketcher<narrow_sketcher>);
static_assert(!ditto::sketcher<mutable_sketcher>);
static_assert(ditto::sketcher<wide_sketcher>);  // 16-bit slots are optional
static_assert(!ditto::sketcher<pinned_sketcher>);
static_assert(!ditto::sketcher<ditto::simhash_sketcher>);  // one 64-bit fingerprint, no fill
static_assert(!ditto::sketcher<int>);

// sketch

// 16 one-byte slots; similarity is the share of equal slots.
struct byte_signature {
    std::array<std::uint8_t, 16> slots{};
    static constexpr std::size_t size() { return 16; }
    bool operator==(const byte_signature&) const = default;
    friend double similarity(const byte_signature& a, const byte_signature& b) {
        std::size_t equal = 0;
        for (std::size_t i = 0; i < size(); ++i) equal += a.slots[i] == b.slots[i] ? 1u : 0u;
        return static_cast<double>(equal) / static_cast<double>(size());
    }
};
struct float_signature {  // similarity returns float
    static constexpr std::size_t size() { return 1; }
    bool operator==(const float_signature&) const = default;
    [[maybe_unused]] friend float similarity(const float_signature&, const float_signature&) { return 1.0f; }
};
struct member_size_signature {  // size() is not static
    std::size_t size() const { return 1; }
    bool operator==(const member_size_signature&) const = default;
    [[maybe_unused]] friend double similarity(const member_size_signature&, const member_size_signature&) {
        return 1.0;
    }
};
struct incomparable_signature {  // no operator==
    static constexpr std::size_t size() { return 1; }
    [[maybe_unused]] friend double similarity(const incomparable_signature&, const incomparable_signature&) {
        return 1.0;
    }
};

static_assert(ditto::sketch<ditto::minhash_signature<128>>);
static_assert(ditto::sketch<ditto::minhash_signature<64, std::uint16_t>>);
static_assert(ditto::sketch<ditto::minhash_signature<1, std::uint64_t>>);
static_assert(ditto::sketch<ditto::b_bit_signature<1, 128>>);
static_assert(ditto::sketch<byte_signature>);
static_assert(!ditto::sketch<float_signature>);
static_assert(!ditto::sketch<member_size_signature>);
static_assert(!ditto::sketch<incomparable_signature>);
static_assert(!ditto::sketch<std::uint64_t>);  // a SimHash fingerprint: no size(), no similarity

// executor

// Runs tasks one at a time, last index first; rethrows the lowest failing index's exception.
struct reverse_executor {
    std::size_t tasks_run = 0;

    static std::size_t concurrency() { return 1; }

    template <class F>
    void bulk(std::size_t n, F&& f) {
        std::exception_ptr lowest;
        for (std::size_t i = n; i-- > 0;) {
            try {
                f(i);
            } catch (...) {
                lowest = std::current_exception();
            }
            ++tasks_run;
        }
        if (lowest) std::rethrow_exception(lowest);
    }
};
// Its bulk() and concurrency() are const: a const one is an executor too.
struct const_executor {
    std::size_t concurrency() const { return 1; }
    template <class F>
    void bulk(std::size_t n, F&& f) const {
        for (std::size_t i = 0; i < n; ++i) f(i);
    }
};
struct unsized_executor {  // no concurrency()
    template <class F>
    void bulk(std::size_t n, F&& f) {
        for (std::size_t i = 0; i < n; ++i) f(i);
    }
};
struct pointer_executor {  // takes function pointers: the pipeline's tasks carry state
    static std::size_t concurrency() { return 1; }
    void bulk(std::size_t n, void (*f)(std::size_t)) {
        for (std::size_t i = 0; i < n; ++i) f(i);
    }
};
struct lvalue_executor {  // takes tasks by non-const lvalue reference: the pipeline passes temporaries
    static std::size_t concurrency() { return 1; }
    template <class F>
    void bulk(std::size_t n, F& f) {
        for (std::size_t i = 0; i < n; ++i) f(i);
    }
};
struct run_executor {  // runs tasks with run(), not bulk()
    static std::size_t concurrency() { return 1; }
    template <class F>
    void run(std::size_t n, F&& f) {
        for (std::size_t i = 0; i < n; ++i) f(i);
    }
};

static_assert(ditto::executor<ditto::inline_executor>);
static_assert(ditto::executor<ditto::thread_pool>);
static_assert(ditto::executor<reverse_executor>);
static_assert(ditto::executor<const const_executor>);
static_assert(!ditto::executor<const ditto::inline_executor>);  // bulk is not const
static_assert(!ditto::executor<unsized_executor>);
static_assert(!ditto::executor<run_executor>);
static_assert(!ditto::executor<pointer_executor>);
static_assert(!ditto::executor<lvalue_executor>);
static_assert(!ditto::executor<int>);

// lsh_bucket_map

using handle_buckets = std::vector<std::uint32_t>;

// A bucket map over std::unordered_map with only the members lsh_index uses.
struct wrapped_buckets {
    using map = std::unordered_map<std::uint64_t, handle_buckets>;
    map buckets;
    handle_buckets& operator[](std::uint64_t key) { return buckets[key]; }
    map::iterator find(std::uint64_t key) { return buckets.find(key); }
    map::const_iterator find(std::uint64_t key) const { return buckets.find(key); }
    map::iterator end() { return buckets.end(); }
    map::const_iterator end() const { return buckets.end(); }
    void erase(map::iterator it) { buckets.erase(it); }
};
struct growing_bucket {  // a bucket lsh_index cannot remove a handle from: no erase
    handle_buckets handles;
    void push_back(std::uint32_t h) { handles.push_back(h); }
    bool empty() const { return handles.empty(); }
    handle_buckets::const_iterator begin() const { return handles.begin(); }
    handle_buckets::const_iterator end() const { return handles.end(); }
};
struct append_only_buckets : private wrapped_buckets {  // the same without erase
    using wrapped_buckets::operator[];
    using wrapped_buckets::find;
    using wrapped_buckets::end;
};

static_assert(ditto::lsh_bucket_map<std::unordered_map<std::uint64_t, handle_buckets>>);
static_assert(ditto::lsh_bucket_map<std::map<std::uint64_t, handle_buckets>>);
static_assert(ditto::lsh_bucket_map<std::map<std::uint64_t, std::deque<std::uint32_t>>>);
static_assert(ditto::lsh_bucket_map<wrapped_buckets>);
static_assert(!ditto::lsh_bucket_map<std::unordered_map<std::uint64_t, int>>);  // a bucket is not a container
static_assert(!ditto::lsh_bucket_map<append_only_buckets>);
static_assert(!ditto::lsh_bucket_map<std::map<std::uint64_t, growing_bucket>>);
static_assert(!ditto::lsh_bucket_map<std::vector<handle_buckets>>);  // indexed by position: no find

// slot_value

static_assert(ditto::slot_value<std::uint16_t>);
static_assert(ditto::slot_value<std::uint32_t>);
static_assert(ditto::slot_value<std::uint64_t>);
static_assert(!ditto::slot_value<std::uint8_t>);
static_assert(!ditto::slot_value<int>);
static_assert(!ditto::slot_value<double>);

// document, identified_document, stable_document_range

struct article {  // text and id members
    std::uint64_t id;
    std::string text;
};
struct view_article {  // a text member that views text owned elsewhere; no id
    std::string_view text;
};
struct record {  // text and id through ADL
    std::string body;
    int number;
    friend std::string_view text_of(const record& r) { return r.body; }
    friend int id_of(const record& r) { return r.number; }
};
struct viewed_text {  // a caller's own view type
    const char* data;
    std::size_t size;
    operator std::string_view() const { return {data, size}; }
};
struct view_record {  // text_of returns a caller's view by value: borrowed, fine
    std::string body;
    [[maybe_unused]] friend viewed_text text_of(const view_record& r) { return {r.body.data(), r.body.size()}; }
};
struct pointer_record {  // text_of returns a char pointer: borrowed, fine
    char body[8];
    [[maybe_unused]] friend const char* text_of(const pointer_record& r) { return r.body; }
};
struct copied_text_record {  // text_of returns an owning copy, gone before it could be read
    std::string body;
    [[maybe_unused]] friend std::string text_of(const copied_text_record& r) { return r.body; }
};
struct counted_text {  // text is an int
    int text;
    int id;
};
struct untitled {  // no text at all
    std::string body;
    int id;
};
struct c_string_article {  // borrowed text in a const char*, opted in below
    const char* text;
};

}  // namespace

template <>
inline constexpr bool ditto::enable_borrowed_text<c_string_article> = true;

namespace {

static_assert(ditto::document<article>);
static_assert(ditto::document<view_article>);
static_assert(ditto::document<record>);
static_assert(!ditto::document<copied_text_record>);
static_assert(ditto::document<view_record>);
static_assert(ditto::document<pointer_record>);
static_assert(ditto::document<std::pair<std::uint64_t, std::string>>);
static_assert(ditto::document<std::string>);
static_assert(ditto::document<std::string_view>);
static_assert(ditto::document<const char*>);
static_assert(!ditto::document<counted_text>);
static_assert(!ditto::document<untitled>);
static_assert(!ditto::document<std::pair<std::uint64_t, int>>);  // second is not text
static_assert(!ditto::document<int>);

static_assert(ditto::identified_document<article>);
static_assert(ditto::identified_document<record>);
static_assert(ditto::identified_document<std::pair<std::uint64_t, std::string>>);
static_assert(!ditto::identified_document<view_article>);  // no id
static_assert(!ditto::identified_document<std::string>);   // no id
static_assert(!ditto::identified_document<counted_text>);  // an id, but no text
static_assert(!ditto::identified_document<untitled>);

template <class T>
struct make_fn {
    T operator()(int) const { return T{}; }
};
template <class T>
using made = std::ranges::transform_view<std::ranges::iota_view<int, int>, make_fn<T>>;

static_assert(ditto::stable_document_range<std::vector<std::string>>);
static_assert(ditto::stable_document_range<const std::vector<article>&>);
static_assert(ditto::stable_document_range<std::span<const record>>);
static_assert(ditto::stable_document_range<made<std::string_view>>);    // borrowed by value
static_assert(ditto::stable_document_range<made<view_article>>);        // borrowed by value
static_assert(ditto::stable_document_range<made<std::pair<int, std::string_view>>>);
static_assert(ditto::stable_document_range<made<c_string_article>>);    // opted in
static_assert(!ditto::stable_document_range<made<std::string>>);        // owned text by value
static_assert(!ditto::stable_document_range<made<article>>);            // owned text by value
static_assert(!ditto::stable_document_range<made<std::pair<int, std::string>>>);
static_assert(!ditto::stable_document_range<int>);                      // not a range

// Generic code over sketches finds similarity by ADL.
template <ditto::sketch S>
double self_similarity(const S& s) {
    return similarity(s, s);
}

// Inserts two signatures into an lsh_index over Buckets, queries, removes.
template <class Buckets>
void check_bucket_policy() {
    const min_sketcher sketcher{7};
    const std::vector<std::uint64_t> a{1, 2, 3, 4, 5, 6, 7, 8}, b{101, 102, 103, 104, 105, 106, 107, 108};
    const auto sig_a = ditto::make_signature<64>(std::span<const std::uint64_t>(a), sketcher);
    const auto sig_b = ditto::make_signature<64>(std::span<const std::uint64_t>(b), sketcher);
    ditto::lsh_index<std::uint64_t, Buckets> index(ditto::lsh_params{16, 4});
    index.insert(1, sig_a);
    index.insert(2, sig_b);
    CHECK(index.query(sig_a) == std::vector<std::uint64_t>{1});
    CHECK(index.query(sig_b) == std::vector<std::uint64_t>{2});
    CHECK(index.remove(1));
    CHECK(index.query(sig_a).empty());
    CHECK(index.size() == 1);
}

}  // namespace

TEST_CASE("concepts: a caller's tokenizer and hash plug into the shingler", "[concepts]") {
    const ditto::word_shingler<space_tokenizer, seeded_hash> custom(2, 0);
    // Tokens "a,b" and "c" (the space tokenizer keeps punctuation): one 2-shingle.
    const auto hashes = custom("a,b c");
    REQUIRE(hashes.size() == 1);
    const std::uint64_t base = 0xdc22c46963e968fdULL;
    CHECK(hashes[0] == ditto::mix64(3 * base + 1, 0));
    // The default tokenizer sees three tokens and two shingles.
    CHECK(ditto::word_shingler<>(2, 0)("a,b c").size() == 2);
}

TEST_CASE("concepts: a caller's sink, sketcher, bucket map and executor plug into ditto", "[concepts]") {
    SECTION("sink") {
        counting_sink sink;
        ditto::word_shingler<>(2, 0)("a b c d", sink);
        CHECK(sink.count == 3);
    }
    SECTION("sketch") {
        byte_signature x, y;
        y.slots[0] = 1;
        CHECK(self_similarity(x) == 1.0);
        CHECK(similarity(x, y) == 15.0 / 16.0);
        CHECK(self_similarity(ditto::make_signature<16>(std::span<const std::uint64_t>(std::vector<std::uint64_t>{1, 2}))) == 1.0);
    }
    SECTION("documents") {
        const record r{"body", 7};
        CHECK(ditto::text_of(r) == "body");
        CHECK(ditto::id_of(r) == 7);
    }
    SECTION("sketcher") {
        const min_sketcher sketcher{42};
        const std::vector<std::uint64_t> set{10, 20, 30, 40}, shuffled{40, 10, 30, 20, 10}, other{50, 60, 70, 80};
        const auto a = ditto::make_signature<32>(std::span<const std::uint64_t>(set), sketcher);
        const auto b = ditto::make_signature<32>(std::span<const std::uint64_t>(shuffled), sketcher);
        const auto c = ditto::make_signature<32>(std::span<const std::uint64_t>(other), sketcher);
        CHECK(a == b);  // order and repeats do not matter
        CHECK(ditto::similarity(a, b) == 1.0);
        CHECK(ditto::similarity(a, c) < 0.5);
        CHECK(ditto::make_signature<8, std::uint64_t>(std::span<const std::uint64_t>(), sketcher).empty());
        const auto wide = ditto::make_signature<8, std::uint64_t>(std::span<const std::uint64_t>(set), sketcher);
        CHECK(!wide.empty());
    }
    SECTION("bucket maps") {
        check_bucket_policy<std::unordered_map<std::uint64_t, handle_buckets>>();
        check_bucket_policy<std::map<std::uint64_t, handle_buckets>>();
        check_bucket_policy<wrapped_buckets>();
    }
    SECTION("executor") {
        const std::vector<article> docs{
            {11, "the quick brown fox jumps over the lazy dog"},
            {12, "the quick brown fox jumps over the lazy dog today"},
            {13, "an entirely different sentence about something else"},
            {14, "the quick brown fox jumps over the lazy dog"},
        };
        ditto::dedup_options options;
        options.ngram = 2;
        ditto::inline_executor one;
        reverse_executor reverse;
        const auto expected = ditto::dedup(docs, options, one);
        const auto got = ditto::dedup(docs, options, reverse);
        CHECK(reverse.tasks_run > 0);
        CHECK(expected.clusters.cluster == std::vector<std::size_t>{0, 0, 2, 0});
        CHECK(got.clusters.cluster == expected.clusters.cluster);
        CHECK(got.clusters.keep == expected.clusters.keep);
        CHECK(got.pairs == expected.pairs);
        CHECK(got.exact_of == expected.exact_of);
        const const_executor fixed;
        const auto through_const = ditto::dedup(docs, options, fixed);
        CHECK(through_const.clusters.cluster == expected.clusters.cluster);
        CHECK(through_const.pairs == expected.pairs);
    }
}
