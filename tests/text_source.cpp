// ditto::dedup over a text_source (texts fetched into the caller's buffers, never all held)
// against the same pipeline over a vector of the same texts, which the dedup tests check
// against brute force: every result and count must be the same.
#include <ditto/dedup.hpp>
#include <ditto/simhash_dedup.hpp>
#include <ditto/store/sorted_runs.hpp>
#include <ditto/text_sketch.hpp>
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

namespace {

// Sketches made beforehand, handed out by copy, counted.
struct stored_sketches {
    const std::vector<ditto::text_sketch>* sketches;
    mutable std::atomic<std::size_t> reads{0};
    [[nodiscard]] std::size_t size() const { return sketches->size(); }
    void sketch(std::size_t i, ditto::text_sketch& out) const {
        reads.fetch_add(1, std::memory_order_relaxed);
        out = (*sketches)[i];
    }
};
static_assert(ditto::sketch_source<stored_sketches>);
static_assert(!ditto::sketch_source<copying_source>);

std::vector<ditto::text_sketch> sketch_all(const std::vector<std::string>& docs, const ditto::dedup_options& options) {
    const ditto::text_sketcher<> sketcher(options);
    std::vector<ditto::text_sketch> out(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) sketcher(docs[i], out[i]);
    return out;
}

}  // namespace

TEST_CASE("text_sketcher: a text's hashes, band keys and prefilter slots", "[dedup][sketched]") {
    ditto::dedup_options options;
    const ditto::text_sketcher<> sketcher(options);
    const auto parts = ditto::default_components(options);
    REQUIRE(sketcher.slot_count() == 128);
    REQUIRE(sketcher.key_count() == parts.candidates.key_count());
    const std::string text = "The Quick brown fox jumps over the lazy dog, and the dog sleeps on.";
    ditto::text_sketch s;
    sketcher(text, s);
    // Independently: the normalizing shingler's hashes (14 words, so 10 five-word shingles), the
    // MinHash slots of their set, the LSH keys of those, each slot hashed down to 16 bits.
    const std::vector<std::uint64_t> shingles = ditto::normalizing_word_shingler<>(options.normalization, 5, options.seed)(text);
    REQUIRE(shingles.size() == 10);
    CHECK(s.length == text.size());
    CHECK(s.bytes == ditto::hash128(text));
    CHECK(s.shingles == 10);
    CHECK(s.sequence == ditto::hash128(std::string_view(reinterpret_cast<const char*>(shingles.data()), 10 * 8)));
    std::vector<std::uint32_t> slots(128);
    parts.sketcher.fill(std::span<const std::uint64_t>(shingles), std::span<std::uint32_t>(slots));
    std::vector<std::uint64_t> keys(parts.candidates.key_count());
    parts.candidates.keys(std::span<const std::uint32_t>(slots), std::span<std::uint64_t>(keys));
    CHECK(s.keys == keys);
    REQUIRE(s.slots.size() == 128);
    for (std::size_t i = 0; i < 128; ++i) CHECK(s.slots[i] == ditto::detail::prefilter_slot(slots[i]));
    // The same text in other capitals and spacing: another text, the same shingles.
    ditto::text_sketch t;
    sketcher("the quick  BROWN fox jumps over the lazy dog, and the dog sleeps on.", t);
    CHECK(t.bytes != s.bytes);
    CHECK(t.sequence == s.sequence);
    CHECK(t.keys == s.keys);
    // No words: no shingles, no keys, no slots; the vectors are reused, so emptied.
    sketcher(" ,.; ", s);
    CHECK(s.shingles == 0);
    CHECK(s.keys.empty());
    CHECK(s.slots.empty());
    CHECK(s.length == 5);
    // The options are checked as dedup checks them.
    options.threshold = 0;
    CHECK_THROWS_AS(ditto::text_sketcher<>(options), std::invalid_argument);
}

TEST_CASE("dedup_sketched over sketches made beforehand equals dedup", "[dedup][sketched]") {
    std::vector<std::string> docs = mixed_corpus();
    for (std::size_t i = 0; i < 200; ++i) docs.push_back(docs[i] + " and a few more words at the end");
    ditto::thread_pool pool(3);
    for (int variant = 0; variant < 9; ++variant) {
        ditto::dedup_options options = variant_options(variant % 7);
        if (variant == 7) options.keep = ditto::keep_rule::longest;
        INFO("variant " << variant);
        const auto expected = ditto::dedup(docs, options, pool);
        REQUIRE(expected.stats.duplicates > 3000);
        memory_streams streams;
        if (variant == 8) {  // the keys and slots spilled
            options.spill = streams.factory();
            options.spill_buffer = 4096;
        }
        const std::vector<ditto::text_sketch> made = sketch_all(docs, options);
        const stored_sketches sketches{&made};
        copying_source source{&docs};
        const auto got = ditto::dedup_sketched(source, sketches, options, pool);
        check_same(got, expected);
        CHECK(got.stats.bytes == expected.stats.bytes);
        CHECK(got.stats.shingles == expected.stats.shingles);
        CHECK(got.stats.empty_documents == expected.stats.empty_documents);
        // Every document's sketch read once for its hash, the distinct ones again for their keys.
        CHECK(sketches.reads.load() >= docs.size() + got.stats.units);
        // Texts are fetched only to compare them: fewer fetches than documents here, where
        // dedup fetches every text at least once and the distinct ones twice.
        copying_source counted{&docs};
        (void)ditto::dedup(counted, options, pool);
        CHECK(source.fetches.load() < counted.fetches.load());
        // Sketches stored without their prefilter slots, all or every third: made again from the
        // texts in a bucket, the same result.
        for (const std::size_t every : {std::size_t{1}, std::size_t{3}}) {
            std::vector<ditto::text_sketch> lighter = made;
            for (std::size_t i = 0; i < lighter.size(); i += every) lighter[i].slots.clear();
            const stored_sketches without{&lighter};
            INFO("slots left out of every " << every << " sketches");
            const auto again = ditto::dedup_sketched(source, without, options, pool);
            check_same(again, expected);
            CHECK(again.stats.set_bytes == expected.stats.set_bytes);
        }
    }
}

TEST_CASE("dedup_sketched refuses sketches that do not fit", "[dedup][sketched]") {
    const std::vector<std::string> docs = mixed_corpus();
    ditto::thread_pool pool(2);
    ditto::dedup_options options;
    std::vector<ditto::text_sketch> made = sketch_all(docs, options);
    const stored_sketches sketches{&made};
    copying_source source{&docs};
    REQUIRE(made[5].shingles > 0);
    made.pop_back();  // one short
    CHECK_THROWS_AS(ditto::dedup_sketched(source, sketches, options, pool), std::invalid_argument);
    made = sketch_all(docs, options);
    made[5].keys.pop_back();  // a text with shingles and a key short
    CHECK_THROWS_AS(ditto::dedup_sketched(source, sketches, options, pool), std::invalid_argument);
    made = sketch_all(docs, options);
    std::swap(made[3], made[4]);  // two texts' sketches swapped
    REQUIRE(made[3].bytes != made[4].bytes);
    CHECK_THROWS_AS(ditto::dedup_sketched(source, sketches, options, pool), std::invalid_argument);
    // Made with 64 slots for a pipeline of 128.
    ditto::dedup_options smaller = options;
    smaller.sketch_size = 64;
    made = sketch_all(docs, smaller);
    CHECK_THROWS_AS(ditto::dedup_sketched(source, sketches, options, pool), std::invalid_argument);
}
