// Building an index under a memory budget: sorted runs, spools and their merge give the bytes of
// the in-memory build, whatever the budget and fan-in; damaged or cut runs, a full disk and a
// stream that fails are errors, never a different index.
#include <ditto/store/content_hasher.hpp>
#include <ditto/store/sorted_runs.hpp>
#include <ditto/store/spilling_builder.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store_support.hpp"
#include "support/catch.hpp"

namespace {

// Temporary streams in memory, kept reachable so a test can look at or damage them.
struct memory_streams {
    std::vector<std::stringstream*> made;
    ditto::temporary_streams factory() {
        return [this]() -> std::unique_ptr<std::iostream> {
            auto s = std::make_unique<std::stringstream>(std::ios::in | std::ios::out | std::ios::binary);
            made.push_back(s.get());
            return s;
        };
    }
};

// A stream that takes `limit` bytes in all and then fails, as a full disk does.
class limited_buffer : public std::stringbuf {
public:
    explicit limited_buffer(std::streamsize limit) : std::stringbuf(std::ios::in | std::ios::out | std::ios::binary), left_(limit) {}

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const std::streamsize take = std::min(n, left_);
        left_ -= take;
        return take > 0 ? std::stringbuf::xsputn(s, take) : 0;
    }
    int_type overflow(int_type c) override {
        if (left_ <= 0) return traits_type::eof();
        --left_;
        return std::stringbuf::overflow(c);
    }

private:
    std::streamsize left_;
};

class limited_stream : public std::iostream {
public:
    explicit limited_stream(std::streamsize limit) : std::iostream(nullptr), buffer_(limit) { rdbuf(&buffer_); }

private:
    limited_buffer buffer_;
};

// The documents of an in-memory index, added again to a spilling builder; its bytes.
std::string spilled_bytes(const ditto::stored_index& index, const ditto::spill_options& options,
                          std::uint64_t* runs = nullptr) {
    ditto::spilling_index_builder builder(index.parameters, options);
    for (const auto& s : index.sources) builder.add_source(s);
    for (std::size_t d = 0; d < index.documents.size(); ++d) builder.add_document(index.documents[d], index.signature(d));
    std::ostringstream out;
    const std::uint64_t bytes = builder.write(out);
    CHECK(bytes == out.str().size());
    if (runs) *runs = builder.runs_written();
    return std::move(out).str();
}

// An in-memory index of two sources; its band records come from index_builder.
ditto::stored_index two_sources(std::uint32_t slot_bits, std::size_t n, std::uint32_t seed) {
    ditto::index_builder builder(store_test::small_parameters(slot_bits));
    store_test::add_corpus(builder, store_test::texts(n, seed), "a.jsonl", "a");
    store_test::add_corpus(builder, store_test::texts(n / 2, seed + 1), "b.jsonl", "b");
    return std::move(builder).finish();
}

std::vector<ditto::band_record> sorted_records(std::size_t n, std::uint32_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<ditto::band_record> r(n);
    for (std::size_t i = 0; i < n; ++i)
        r[i] = {rng(), static_cast<std::uint32_t>(rng() % 5), static_cast<std::uint32_t>(i)};
    std::sort(r.begin(), r.end());
    return r;
}

std::vector<ditto::band_record> read_all(std::istream& in, std::size_t buffer_records = 3) {
    ditto::run_reader reader(in, buffer_records);
    std::vector<ditto::band_record> out;
    for (ditto::band_record r; reader.next(r);) out.push_back(r);
    return out;
}

}  // namespace

TEST_CASE("content_hasher: hash128 of bytes given in pieces", "[store][spill]") {
    std::mt19937 rng(7);
    std::string bytes(700, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (std::size_t n = 0; n <= bytes.size(); n += n < 130 ? 1 : 37) {
        const std::string_view all = std::string_view(bytes).substr(0, n);
        for (std::size_t split = 0; split < 6; ++split) {
            ditto::content_hasher h(n);
            for (std::size_t at = 0; at < n;) {
                const std::size_t piece = split == 0 ? n : std::min<std::size_t>(n - at, 1 + rng() % (split * 11));
                h.update(all.substr(at, piece));
                at += piece;
            }
            INFO("length " << n << ", split " << split);
            CHECK(h.received() == n);
            CHECK(h.value() == ditto::hash128(all));
        }
    }
}

TEST_CASE("sorted runs: round trip, every cut and every flipped byte refused", "[store][spill]") {
    const auto records = sorted_records(20, 3);
    std::stringstream run(std::ios::in | std::ios::out | std::ios::binary);
    ditto::write_run(run, records);
    CHECK(read_all(run) == records);
    CHECK(read_all(run, 1000) == records);  // again, from the start
    const std::string bytes = run.str();
    REQUIRE(bytes.size() == ditto::store::run_header_bytes + 20 * 16 + ditto::store::run_trailer_bytes);

    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        std::stringstream in(bytes.substr(0, cut), std::ios::in | std::ios::binary);
        CHECK_THROWS_AS(read_all(in), std::runtime_error);
    }
    for (std::size_t at = 0; at < bytes.size(); ++at) {
        std::string damaged = bytes;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
        std::stringstream in(damaged, std::ios::in | std::ios::binary);
        INFO("byte " << at);
        CHECK_THROWS_AS(read_all(in), std::runtime_error);
    }
    std::stringstream out_of_order(std::ios::in | std::ios::out | std::ios::binary);
    ditto::run_writer w(out_of_order, 2);
    w.add(records[1]);
    CHECK_THROWS_AS(w.add(records[0]), std::runtime_error);
}

TEST_CASE("run_merger: the merge of runs and a span is the sorted union; a record in two is refused", "[store][spill]") {
    const auto all = sorted_records(300, 9);
    std::vector<std::vector<ditto::band_record>> parts(4);
    for (std::size_t i = 0; i < all.size(); ++i) parts[(i * 7 + i / 3) % 4].push_back(all[i]);
    std::vector<std::stringstream> runs(3);
    ditto::run_merger merger;
    for (std::size_t i = 0; i < 3; ++i) {
        ditto::write_run(runs[i], parts[i]);
        merger.add_run(runs[i], 5);
    }
    merger.add_sorted(parts[3]);
    std::vector<ditto::band_record> merged;
    CHECK(merger.for_each([&](const ditto::band_record& r) { merged.push_back(r); }) == all.size());
    CHECK(merged == all);

    std::stringstream a, b;
    ditto::write_run(a, parts[0]);
    ditto::write_run(b, std::vector<ditto::band_record>{parts[0][4]});
    ditto::run_merger twice;
    twice.add_run(a, 4);
    twice.add_run(b, 4);
    CHECK_THROWS_AS(twice.for_each([](const ditto::band_record&) {}), std::runtime_error);
}

TEST_CASE("spilling_index_builder: the bytes of the in-memory build under every budget", "[store][spill]") {
    for (const std::uint32_t bits : {16u, 32u, 64u}) {
        const ditto::stored_index index = two_sources(bits, 120, bits);
        const std::string expected = store_test::to_bytes(index);
        CHECK(spilled_bytes(index, {}) == expected);  // no budget: nothing spilled
        for (const std::uint64_t memory : {1ull, 64ull, 200ull, 1000ull, 5000ull, 1ull << 20}) {
            for (const std::size_t fan_in : {2u, 3u, 64u}) {
                memory_streams streams;
                std::uint64_t runs = 0;
                INFO("slot bits " << bits << ", memory " << memory << ", fan-in " << fan_in);
                CHECK(spilled_bytes(index, {memory, streams.factory(), fan_in}, &runs) == expected);
                if (memory <= 1000) CHECK(runs > 3);
                if (memory == 1ull << 20) CHECK(runs == 0);
            }
        }
    }
}

TEST_CASE("spilling_index_builder: written twice, the same bytes, and an empty index", "[store][spill]") {
    const ditto::stored_index index = two_sources(32, 60, 5);
    memory_streams streams;
    ditto::spilling_index_builder builder(index.parameters, {100, streams.factory(), 2});
    for (const auto& s : index.sources) builder.add_source(s);
    for (std::size_t d = 0; d < index.documents.size(); ++d) builder.add_document(index.documents[d], index.signature(d));
    std::ostringstream first, second;
    builder.write(first);
    builder.write(second);
    CHECK(first.str() == store_test::to_bytes(index));
    CHECK(second.str() == first.str());
    CHECK(builder.bytes_spilled() > 0);

    // Written halfway, then continued: the spools are appended to after being read.
    ditto::spilling_index_builder halfway(index.parameters, {100, streams.factory(), 2});
    for (const auto& s : index.sources) halfway.add_source(s);
    for (std::size_t d = 0; d < index.documents.size(); ++d) {
        halfway.add_document(index.documents[d], index.signature(d));
        if (d == index.documents.size() / 2) {
            std::ostringstream part;
            halfway.write(part);
        }
    }
    std::ostringstream full;
    halfway.write(full);
    CHECK(full.str() == first.str());

    ditto::spilling_index_builder empty(index.parameters, {100, streams.factory(), 2});
    std::ostringstream none;
    empty.write(none);
    ditto::stored_index nothing;
    nothing.parameters = index.parameters;
    CHECK(none.str() == store_test::to_bytes(nothing));
}

TEST_CASE("spilling_index_builder: the checks of index_builder", "[store][spill]") {
    const ditto::index_parameters p = store_test::small_parameters();
    ditto::spilling_index_builder builder(p, {});
    const std::vector<std::uint64_t> slots(p.slots, 5);
    CHECK_THROWS_AS(builder.add_document({0, 0, 0, {}, "x"}, slots), std::invalid_argument);  // no source
    builder.add_source({"a", 10, {}});
    CHECK_THROWS_AS(builder.add_document({0, 5, 6, {}, "x"}, slots), std::invalid_argument);  // past the end
    CHECK_THROWS_AS(builder.add_document({0, 0, 1, {}, "x"}, std::vector<std::uint64_t>(3, 1)), std::invalid_argument);
    std::vector<std::uint64_t> mixed(p.slots, 1);
    mixed[0] = 0xFFFFFFFFu;
    CHECK_THROWS_AS(builder.add_document({0, 0, 1, {}, "x"}, mixed), std::invalid_argument);
    CHECK(builder.add_document({0, 0, 1, {}, "x"}, slots) == 0);
    CHECK_THROWS_AS(ditto::spilling_index_builder(p, {10, {}, 1}), std::invalid_argument);
}

TEST_CASE("spilling_index_builder: a full disk or a damaged run is an error, never an index", "[store][spill]") {
    const ditto::stored_index index = two_sources(32, 120, 11);
    // Disks that fill after each number of bytes: the error comes when spilling or when writing,
    // and nothing was written to the output then.
    for (const std::streamsize limit : {0, 10, 24, 100, 1000}) {
        ditto::spill_options options{200, [limit] { return std::make_unique<limited_stream>(limit); }, 2};
        INFO("disk of " << limit << " bytes");
        std::ostringstream out;
        CHECK_THROWS_AS(
            [&] {
                ditto::spilling_index_builder builder(index.parameters, options);
                for (const auto& s : index.sources) builder.add_source(s);
                for (std::size_t d = 0; d < index.documents.size(); ++d)
                    builder.add_document(index.documents[d], index.signature(d));
                builder.write(out);
            }(),
            std::runtime_error);
        CHECK(out.str().empty());
    }
    // A run cut or damaged between spilling and writing: refused before anything is written.
    for (const int damage : {0, 1}) {
        memory_streams streams;
        ditto::spilling_index_builder builder(index.parameters, {300, streams.factory(), 64});
        for (const auto& s : index.sources) builder.add_source(s);
        for (std::size_t d = 0; d < index.documents.size(); ++d) builder.add_document(index.documents[d], index.signature(d));
        REQUIRE(builder.runs_written() > 2);
        std::stringstream* run = nullptr;
        for (auto* s : streams.made)
            if (s->str().starts_with("DITTORUN")) run = s;
        REQUIRE(run != nullptr);
        std::string bytes = run->str();
        if (damage == 0) bytes.resize(bytes.size() - 1);
        else bytes[40] = static_cast<char>(bytes[40] ^ 1);
        run->str(bytes);
        std::ostringstream out;
        CHECK_THROWS_AS(builder.write(out), std::runtime_error);
        CHECK(out.str().empty());
    }
}

TEST_CASE("temporary_files_in: files are unnamed while open, none left behind", "[store][spill]") {
    const auto folder = std::filesystem::temp_directory_path() /
                        ("ditto-spill-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directory(folder);
    const auto empty = [&] { return std::filesystem::is_empty(folder); };
    const ditto::stored_index index = two_sources(32, 120, 13);
    {
        ditto::spilling_index_builder builder(index.parameters, {100, ditto::temporary_files_in(folder), 3});
        for (const auto& s : index.sources) builder.add_source(s);
        for (std::size_t d = 0; d < index.documents.size(); ++d) builder.add_document(index.documents[d], index.signature(d));
        CHECK(builder.runs_written() > 3);
        CHECK(empty());
        std::ostringstream out;
        builder.write(out);
        CHECK(out.str() == store_test::to_bytes(index));
    }
    CHECK(empty());
    std::filesystem::remove_all(folder);
    CHECK_THROWS_AS(ditto::temporary_files_in(folder)(), std::runtime_error);  // no such folder
}

TEST_CASE("run_set: runs cascade under the fan-in and merge to the sorted union", "[store][spill]") {
    memory_streams streams;
    for (const std::size_t fan_in : {std::size_t{2}, std::size_t{3}, std::size_t{16}}) {
        ditto::run_set runs(streams.factory(), fan_in, 7);
        std::mt19937_64 random(fan_in);
        std::vector<ditto::band_record> all;
        std::size_t most_open = 0;
        const std::size_t buffers = 100;
        for (std::size_t b = 0; b < buffers; ++b) {
            std::vector<ditto::band_record> buffer;
            for (std::uint32_t i = 0; i < 1 + b % 23; ++i)  // document numbers unique across buffers
                buffer.push_back({random() % 50, static_cast<std::uint32_t>(random() % 3), static_cast<std::uint32_t>(b * 64 + i)});
            std::sort(buffer.begin(), buffer.end());
            all.insert(all.end(), buffer.begin(), buffer.end());
            if (b % 2 == 0) runs.add(buffer);
            else runs.add_written(runs.write(buffer));
            most_open = std::max(most_open, runs.size());
        }
        INFO("fan-in " << fan_in);
        // At most fan_in - 1 runs of each size: sizes up to log_fan_in(100) + 1.
        std::size_t levels = 1;
        for (std::size_t worth = fan_in; worth <= buffers; worth *= fan_in) ++levels;
        CHECK(most_open <= (fan_in - 1) * levels);
        CHECK(runs.records() == all.size());
        CHECK(runs.runs_written() > buffers);  // merged runs count too
        std::sort(all.begin(), all.end());
        std::vector<ditto::band_record> merged;
        ditto::run_merger merger;
        runs.add_to(merger, 5);
        CHECK(merger.for_each([&](const ditto::band_record& r) { merged.push_back(r); }) == all.size());
        CHECK(merged == all);
    }
    CHECK_THROWS_AS(ditto::run_set(streams.factory(), 1, 7), std::invalid_argument);
}
