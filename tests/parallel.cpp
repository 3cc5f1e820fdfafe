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

#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#if !defined(__has_feature)
#define DITTO_NO_SANITIZER 1
#elif !__has_feature(address_sanitizer) && !__has_feature(thread_sanitizer)
#define DITTO_NO_SANITIZER 1
#endif
#endif

#ifdef DITTO_NO_SANITIZER
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

TEST_CASE("a thread pool whose threads cannot start throws instead of hanging", "[parallel]") {
    // In a child process: cap the address space just above what is in use, so thread stacks
    // cannot be mapped; the constructor must join what started and throw, and the child exits.
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        alarm(20);  // a hang ends the child with SIGALRM, which the parent reports
        rlimit limit{};
        limit.rlim_cur = limit.rlim_max = 64ull << 20;  // far below 64 stacks of 8 MiB
        for (rlim_t cap = 64ull << 20; cap <= (4ull << 30); cap += 64ull << 20) {
            limit.rlim_cur = limit.rlim_max = cap;
            if (setrlimit(RLIMIT_AS, &limit) == 0) break;
        }
        try {
            ditto::thread_pool pool(256);
            _exit(3);  // started every thread: the cap was too generous
        } catch (const std::runtime_error& e) {
            _exit(std::string(e.what()).find("could not start thread") != std::string::npos ? 0 : 4);
        } catch (...) {
            _exit(5);
        }
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    INFO("status " << status);
    REQUIRE(WIFEXITED(status));
    CHECK((WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3));
}
#endif
