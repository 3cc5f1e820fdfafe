#pragma once
// Executors (see the `executor` concept): run n independent tasks and wait for them.
//
// inline_executor runs them one after another on the calling thread. thread_pool keeps
// threads - 1 workers; the calling thread works too, so thread_pool(1) starts no thread. Tasks
// are handed out one index at a time from an atomic counter, so uneven tasks balance themselves.
// If tasks throw, every task still runs and bulk rethrows the exception of the lowest index,
// so what a caller sees does not depend on timing.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// Runs every task on the calling thread, in index order.
class inline_executor {
public:
    [[nodiscard]] static constexpr std::size_t concurrency() noexcept { return 1; }

    template <class F>
    void bulk(std::size_t n, F&& f) {
        std::exception_ptr first;
        for (std::size_t i = 0; i < n; ++i) {
            try {
                f(i);
            } catch (...) {
                if (!first) first = std::current_exception();
            }
        }
        if (first) std::rethrow_exception(first);
    }
};

/// A fixed pool of std::thread workers. bulk() must not be called from inside a task, nor from
/// two threads at once.
class thread_pool {
public:
    /// threads: how many tasks run at once, the calling thread included; 0 means
    /// std::thread::hardware_concurrency(). Throws std::invalid_argument above 4096, and
    /// std::runtime_error (after joining the threads it did start) when a thread cannot start.
    explicit thread_pool(std::size_t threads = 0) {
        if (threads == 0) threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());
        if (threads > 4096) detail::throw_invalid_argument("thread_pool", "threads", "in [0, 4096]", std::to_string(threads));
        concurrency_ = threads;
        workers_.reserve(threads - 1);
        try {
            for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
        } catch (const std::exception& e) {
            // Threads that started wait for work: stop and join them before reporting.
            const std::size_t started = workers_.size();
            stop_and_join();
            throw std::runtime_error("thread_pool: could not start thread " + std::to_string(started + 2) + " of " +
                                     std::to_string(threads) + " (" + e.what() + "); use fewer threads");
        }
    }

    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    ~thread_pool() { stop_and_join(); }

    [[nodiscard]] std::size_t concurrency() const noexcept { return concurrency_; }

    template <class F>
    void bulk(std::size_t n, F&& f) {
        if (n == 0) return;
        job j;
        j.count = n;
        j.task = [&f](std::size_t i) { f(i); };
        {
            std::lock_guard lock(mutex_);
            job_ = &j;
            ++generation_;
        }
        wake_.notify_all();
        run(j);  // the calling thread takes tasks too
        {
            std::unique_lock lock(mutex_);
            done_.wait(lock, [&] { return j.finished == n && busy_ == 0; });
            job_ = nullptr;
        }
        if (j.error) std::rethrow_exception(j.error);
    }

private:
    void stop_and_join() noexcept {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
        workers_.clear();
    }

    struct job {
        std::size_t count = 0;
        std::function<void(std::size_t)> task;
        std::atomic<std::size_t> next{0};
        std::size_t finished = 0;  // guarded by the pool's mutex
        std::size_t error_index = std::numeric_limits<std::size_t>::max();
        std::exception_ptr error;  // of the lowest failing index; guarded by the mutex
    };

    void run(job& j) {
        std::size_t done = 0;
        for (std::size_t i; (i = j.next.fetch_add(1, std::memory_order_relaxed)) < j.count;) {
            try {
                j.task(i);
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (i < j.error_index) {
                    j.error_index = i;
                    j.error = std::current_exception();
                }
            }
            ++done;
        }
        std::lock_guard lock(mutex_);
        j.finished += done;
    }

    void work() {
        std::size_t seen = 0;
        for (;;) {
            job* j = nullptr;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || (job_ != nullptr && generation_ != seen); });
                if (stopping_) return;
                seen = generation_;
                j = job_;
                ++busy_;
            }
            run(*j);
            {
                std::lock_guard lock(mutex_);
                --busy_;
            }
            done_.notify_all();
        }
    }

    std::size_t concurrency_ = 1;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    job* job_ = nullptr;
    std::size_t generation_ = 0;
    std::size_t busy_ = 0;  // workers inside run() for the current job
    bool stopping_ = false;
};

}  // namespace ditto
