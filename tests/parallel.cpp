// Executors: every task runs once, errors come from the lowest failing index, the pool is reusable.
#include <ditto/concepts.hpp>
#include <ditto/parallel.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/catch.hpp"

static_assert(ditto::executor<ditto::inline_executor>);
static_assert(ditto::executor<ditto::thread_pool>);
static_assert(!ditto::executor<int>);

namespace {

template <class E>
void check_executor(E& e) {
    for (const std::size_t n : {0u, 1u, 7u, 1000u}) {
        std::vector<std::atomic<int>> runs(n);
        e.bulk(n, [&](std::size_t i) { runs[i].fetch_add(1); });
        for (std::size_t i = 0; i < n; ++i) REQUIRE(runs[i].load() == 1);
    }
    std::atomic<int> ran{0};
    try {
        e.bulk(100, [&](std::size_t i) {
            ran.fetch_add(1);
            if (i % 10 == 3) throw std::runtime_error("task " + std::to_string(i));
        });
        FAIL("bulk did not rethrow");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()) == "task 3");
    }
    CHECK(ran.load() == 100);  // every task still ran
}

}  // namespace

TEST_CASE("inline executor", "[parallel]") {
    ditto::inline_executor e;
    CHECK(e.concurrency() == 1);
    check_executor(e);
}

TEST_CASE("thread pool of 1, 2 and 8 threads", "[parallel]") {
    for (const std::size_t threads : {1u, 2u, 8u}) {
        ditto::thread_pool pool(threads);
        CHECK(pool.concurrency() == threads);
        for (int round = 0; round < 5; ++round) check_executor(pool);
    }
    ditto::thread_pool all;
    CHECK(all.concurrency() >= 1);
    CHECK_THROWS_AS(ditto::thread_pool(5000), std::invalid_argument);
}
