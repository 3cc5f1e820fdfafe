// ditto::dedup over a text_source (texts fetched into the caller's buffers, never all held)
// against the same pipeline over a vector of the same texts, which the dedup tests check
// against brute force: every result and count must be the same.
#include <ditto/dedup.hpp>
#include <ditto/simhash_dedup.hpp>
#include <ditto/store/sorted_runs.hpp>
#include <ditto/text_source.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>
#include <streambuf>
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

// A stream that takes no byte, as on a full disk.
class refusing_stream : public std::iostream {
    struct refusing_buffer : std::streambuf {
        int_type overflow(int_type) override { return traits_type::eof(); }
        std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
    };
    refusing_buffer buffer_;

public:
    refusing_stream() : std::iostream(nullptr) { rdbuf(&buffer_); }
};

// Temporary streams in memory, counted; from the stream numbered fail_after on, refusing ones.
struct memory_streams {
    std::mutex mutex;
    std::size_t made = 0;
    std::size_t fail_after = ~std::size_t{0};
    ditto::temporary_streams factory() {
        return [this]() -> std::unique_ptr<std::iostream> {
            std::lock_guard lock(mutex);
            if (made++ >= fail_after) return std::make_unique<refusing_stream>();
            return std::make_unique<std::stringstream>(std::ios::in | std::ios::out | std::ios::binary);
        };
    }
};

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

// Options that take the pipeline down its different paths: greedy or connected clusters,
// pairs or clusters alone, most sets recomputed (2 and up), no bucket splitting (5), threshold
// 0.5 (3), estimates from the signatures alone (6).
ditto::dedup_options variant_options(int variant) {
    ditto::dedup_options options;
    options.clustering = variant % 2 == 0 ? ditto::cluster_rule::greedy : ditto::cluster_rule::connected;
    options.collect_pairs = variant < 4;
    options.shingle_memory = variant >= 2 ? 30000 : options.shingle_memory;  // most sets fetched again
    options.split_buckets = variant == 5 ? 0 : 16;
    options.threshold = variant == 3 ? 0.5 : 0.8;
    options.exact = variant != 6;
    return options;
}

}  // namespace

TEST_CASE("dedup over a text source equals dedup over the texts held", "[dedup][text_source]") {
    const std::vector<std::string> docs = mixed_corpus();
    ditto::thread_pool pool(3);
    for (int variant = 0; variant < 6; ++variant) {
        const ditto::dedup_options options = variant_options(variant);
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
        CHECK(got.stats.spilled_bytes == 0);
    }
}

TEST_CASE("band keys and prefilter slots spilled give the results of the rows held", "[dedup][text_source][spill]") {
    const std::vector<std::string> docs = mixed_corpus();
    ditto::thread_pool pool(3);
    for (int variant = 0; variant < 7; ++variant) {
        ditto::dedup_options options = variant_options(variant);
        INFO("variant " << variant);
        const auto expected = ditto::dedup(docs, options, pool);
        REQUIRE(expected.stats.duplicates > 3000);
        REQUIRE(expected.stats.buckets > 100);
        // A buffer of 256 records, the keys of 14 texts: every task of 256 texts writes a run,
        // and runs are merged 2 or 3 at a time while other tasks hand over theirs.
        memory_streams streams;
        options.spill = streams.factory();
        options.spill_buffer = 4096;
        options.spill_fan_in = variant % 2 == 0 ? 2 : 3;
        const auto held_texts = ditto::dedup(docs, options, pool);
        check_same(held_texts, expected);
        CHECK(held_texts.stats.buckets == expected.stats.buckets);
        CHECK(held_texts.stats.largest_bucket == expected.stats.largest_bucket);
        REQUIRE(expected.stats.units > 1000);
        // The slots stream, a run per task, and the merged runs.
        CHECK(streams.made >= 1 + (expected.stats.units + 255) / 256 + 1);
        // Every distinct text's slots (2 bytes each) and band keys (16 bytes each) were written.
        CHECK(held_texts.stats.spilled_bytes >= held_texts.stats.units * (2 * options.sketch_size));
        copying_source source{&docs};
        check_same(ditto::dedup(source, options, pool), expected);
        // One buffer for everything: the keys are merged from memory alone.
        options.spill_buffer = std::size_t{1} << 30;
        check_same(ditto::dedup(docs, options, pool), expected);
    }
}

TEST_CASE("spilled rows in files leave no file; a full disk is an error", "[dedup][spill]") {
    const std::vector<std::string> docs = mixed_corpus();
    ditto::thread_pool pool(2);
    const auto expected = ditto::dedup(docs, ditto::dedup_options{}, pool);
    const std::filesystem::path folder = std::filesystem::temp_directory_path() / "ditto-test-spill-rows";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    ditto::dedup_options options;
    options.spill = ditto::temporary_files_in(folder);
    options.spill_buffer = 65536;
    check_same(ditto::dedup(docs, options, pool), expected);
    CHECK(std::filesystem::is_empty(folder));
    // Streams that cannot take a byte, from the first (the slots) or from the third (runs).
    for (const std::size_t after : {std::size_t{0}, std::size_t{2}}) {
        memory_streams streams;
        streams.fail_after = after;
        options.spill = streams.factory();
        options.spill_buffer = 4096;
        INFO("failing after " << after << " streams");
        CHECK_THROWS_AS(ditto::dedup(docs, options, pool), std::runtime_error);
    }
    std::filesystem::remove_all(folder);
    options.spill = ditto::temporary_files_in(folder);  // no such folder
    CHECK_THROWS_AS(ditto::dedup(docs, options, pool), std::runtime_error);
    options.spill = ditto::temporary_files_in(std::filesystem::temp_directory_path());
    options.spill_buffer = 4095;
    CHECK_THROWS_AS(ditto::dedup(docs, options, pool), std::invalid_argument);
    options.spill_buffer = 4096;
    options.spill_fan_in = 1;
    CHECK_THROWS_AS(ditto::dedup(docs, options, pool), std::invalid_argument);
}

TEST_CASE("the SimHash pipeline over a text source equals it over the texts held", "[simhash_dedup][text_source]") {
    std::vector<std::string> docs = mixed_corpus();
    for (std::size_t i = 0; i < 200; ++i) docs.push_back(docs[i] + " and a few more words at the end");
    ditto::thread_pool pool(3);
    for (int variant = 0; variant < 4; ++variant) {
        ditto::simhash_dedup_options options;
        options.clustering = variant % 2 == 0 ? ditto::cluster_rule::greedy : ditto::cluster_rule::connected;
        options.keep = variant == 2 ? ditto::keep_rule::longest : ditto::keep_rule::first;
        options.shingle_memory = variant >= 2 ? 30000 : options.shingle_memory;  // most sets fetched again
        options.hamming = variant == 3 ? 8 : 3;
        INFO("variant " << variant);
        const auto expected = ditto::simhash_dedup(docs, options, pool);
        REQUIRE(expected.stats.duplicates > 3000);
        REQUIRE(expected.stats.verified > 100);
        copying_source source{&docs};
        const auto got = ditto::simhash_dedup(source, options, pool);
        check_same(got, expected);
        CHECK(got.hamming.tables == expected.hamming.tables);
        CHECK(source.fetches.load() >= docs.size() + got.stats.units);
    }
    const failing_source failing{2000, 999};
    CHECK_THROWS_WITH(ditto::simhash_dedup(failing, ditto::simhash_dedup_options{}, pool), "cannot read document 999");
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
