// ditto::dedup over a text_source (texts fetched into the caller's buffers, never all held)
// against the same pipeline over a vector of the same texts, which the dedup tests check
// against brute force: every result and count must be the same.
#include <ditto/dedup.hpp>
#include <ditto/text_source.hpp>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/catch.hpp"
#include "support/planted_corpus.hpp"

namespace {

// Texts copied into the buffer on every fetch, as a source reading from disk does: a view kept
// past the buffer's next use would read freed or changed bytes (caught under ASan).
struct copying_source {
    const std::vector<std::string>* texts;
    mutable std::atomic<std::size_t> fetches{0};

    [[nodiscard]] std::size_t size() const { return texts->size(); }
    std::string_view text(std::size_t i, std::string& buffer) const {
        fetches.fetch_add(1, std::memory_order_relaxed);
        buffer.assign((*texts)[i]);
        return buffer;
    }
};

struct sized_copying_source : copying_source {
    mutable std::atomic<std::size_t> lengths{0};
    [[nodiscard]] std::size_t length(std::size_t i) const {
        lengths.fetch_add(1, std::memory_order_relaxed);
        return (*texts)[i].size();
    }
};

struct failing_source {
    std::size_t n;
    std::size_t fail_at;
    [[nodiscard]] std::size_t size() const { return n; }
    std::string_view text(std::size_t i, std::string& buffer) const {
        if (i == fail_at) throw std::runtime_error("cannot read document " + std::to_string(i));
        buffer = "document number " + std::to_string(i) + " with some words in it";
        return buffer;
    }
};

static_assert(ditto::text_source<copying_source>);
static_assert(!ditto::sized_text_source<copying_source>);
static_assert(ditto::sized_text_source<sized_copying_source>);
static_assert(!ditto::text_source<std::vector<std::string>>);
// A text returned by value would be gone before the pipeline reads it: refused.
struct by_value_source {
    [[nodiscard]] std::size_t size() const { return 1; }
    [[nodiscard]] std::string text(std::size_t, std::string&) const { return "a text"; }
};
static_assert(!ditto::text_source<by_value_source>);

// The planted corpus, a template family at J 0.5-0.9 (split by prefix filtering), and 3,000
// copies of one short text.
std::vector<std::string> mixed_corpus() {
    ditto_test::corpus_options o;
    o.seed = 4242;
    o.originals = 150;
    o.max_edit_rate = 0.06;
    std::vector<std::string> docs = ditto_test::make_corpus(o);
    std::string head, tail;
    for (int w = 0; w < 60; ++w) (w < 30 ? head : tail).append("t").append(std::to_string(w)).append(" ");
    for (std::size_t page = 0; page < 400; ++page) {
        std::string own;
        for (std::size_t w = 0; w < 2 + page % 14; ++w)
            own.append("p").append(std::to_string(page)).append("w").append(std::to_string(w)).append(" ");
        docs.push_back(std::string(head).append(own).append(tail));
        if (page % 3 == 0) docs.push_back(std::string(head).append(own).append("extra ").append(tail));
        if (page % 5 == 0)
            for (int c = 0; c < 15; ++c) docs.push_back(c % 2 ? "Accept all cookies to continue" : "accept  ALL cookies to continue");
    }
    for (int c = 0; c < 3000; ++c) docs.push_back("Subscribe to our newsletter for the latest news");
    return docs;
}

void check_same(const ditto::dedup_result& got, const ditto::dedup_result& expected) {
    CHECK(got.pairs == expected.pairs);
    CHECK(got.exact_of == expected.exact_of);
    CHECK(got.clusters.cluster == expected.clusters.cluster);
    CHECK(got.clusters.keep == expected.clusters.keep);
    CHECK(got.stats.units == expected.stats.units);
    CHECK(got.stats.candidates == expected.stats.candidates);
    CHECK(got.stats.verified == expected.stats.verified);
    CHECK(got.stats.similar_pairs == expected.stats.similar_pairs);
    CHECK(got.stats.split_buckets == expected.stats.split_buckets);
}

}  // namespace

TEST_CASE("dedup over a text source equals dedup over the texts held", "[dedup][text_source]") {
    const std::vector<std::string> docs = mixed_corpus();
    ditto::thread_pool pool(3);
    for (int variant = 0; variant < 6; ++variant) {
        ditto::dedup_options options;
        options.clustering = variant % 2 == 0 ? ditto::cluster_rule::greedy : ditto::cluster_rule::connected;
        options.collect_pairs = variant < 4;
        options.shingle_memory = variant >= 2 ? 30000 : options.shingle_memory;  // most sets fetched again
        options.split_buckets = variant == 5 ? 0 : 16;
        options.threshold = variant == 3 ? 0.5 : 0.8;
        INFO("variant " << variant);
        const auto expected = ditto::dedup(docs, options, pool);
        REQUIRE(expected.stats.duplicates > 3000);
        if (variant == 0) REQUIRE(expected.stats.split_buckets > 0);
        if (variant >= 2) REQUIRE(expected.stats.recomputed_sets > 0);
        copying_source source{&docs};
        const auto got = ditto::dedup(source, options, pool);
        check_same(got, expected);
        // Every text is fetched to be hashed; the distinct ones again to be sketched.
        CHECK(source.fetches.load() >= docs.size() + got.stats.units);
    }
}

TEST_CASE("a text source's keep rule: lengths from length(i), or from the texts", "[dedup][text_source]") {
    std::vector<std::string> docs = mixed_corpus();
    // Longer copies later in the corpus, so the longest rule keeps other copies than the first.
    for (std::size_t i = 0; i < 200; ++i) docs.push_back(docs[i] + " and a few more words at the end");
    ditto::dedup_options options;
    options.keep = ditto::keep_rule::longest;
    ditto::thread_pool pool(2);
    const auto expected = ditto::dedup(docs, options, pool);
    options.keep = ditto::keep_rule::first;
    REQUIRE(ditto::dedup(docs, options, pool).clusters.keep != expected.clusters.keep);
    options.keep = ditto::keep_rule::longest;
    copying_source plain{&docs};
    check_same(ditto::dedup(plain, options, pool), expected);
    sized_copying_source sized{{&docs}};
    check_same(ditto::dedup(sized, options, pool), expected);
    CHECK(sized.lengths.load() == docs.size());
}

TEST_CASE("a text source that fails stops the pipeline with its exception", "[dedup][text_source]") {
    ditto::thread_pool pool(2);
    for (const std::size_t at : {std::size_t{0}, std::size_t{777}, std::size_t{1999}}) {
        const failing_source source{2000, at};
        CHECK_THROWS_WITH(ditto::dedup(source, ditto::dedup_options{}, pool), "cannot read document " + std::to_string(at));
    }
    const failing_source none{2000, 5000};
    const auto r = ditto::dedup(none, ditto::dedup_options{}, pool);
    CHECK(r.stats.documents == 2000);
}
