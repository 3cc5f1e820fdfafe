#pragma once
// Non-owning, type-erased views of the caller's types at the pipeline's entry: its executor, text
// accessor, keep order and sketches. The pipeline is one large function template; taking these
// through fixed types makes it one instantiation per set of components, not one per executor,
// source, keep rule and call site (each costs seconds of compile time). Each is called a few
// times per document or per task, never per shingle, so the indirect call costs nothing
// measurable.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <ditto/concepts.hpp>
#include <ditto/text_sketch.hpp>

namespace ditto::inline v0_1::detail {

// A non-owning reference to a callable with the signature R(Args...); the callable must outlive
// it.
template <class Signature>
class callable_ref;

template <class R, class... Args>
class callable_ref<R(Args...)> {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, callable_ref> && std::is_invocable_r_v<R, F&, Args...>)
    callable_ref(F& f) noexcept  // NOLINT(google-explicit-constructor): a view, like std::string_view
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, Args... args) -> R {
              return static_cast<R>((*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...));
          }) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
    void* object_;
    R (*call_)(void*, Args...);
};

// Any executor, seen through one type: bulk(n, f) hands the wrapped executor one callable type.
class executor_ref {
public:
    template <executor E>
        requires(!std::is_same_v<E, executor_ref>)
    explicit executor_ref(E& exec) noexcept
        : exec_(const_cast<void*>(static_cast<const void*>(std::addressof(exec)))),  // E may be const
          bulk_([](void* e, std::size_t n, callable_ref<void(std::size_t)> task) {
              static_cast<E*>(e)->bulk(n, [task](std::size_t i) { task(i); });
          }),
          concurrency_([](void* e) -> std::size_t { return static_cast<std::size_t>(static_cast<E*>(e)->concurrency()); }) {}

    template <class F>
    void bulk(std::size_t n, F&& task) {
        bulk_(exec_, n, callable_ref<void(std::size_t)>(task));
    }
    [[nodiscard]] std::size_t concurrency() const { return concurrency_(exec_); }

private:
    void* exec_;
    void (*bulk_)(void*, std::size_t, callable_ref<void(std::size_t)>);
    std::size_t (*concurrency_)(void*);
};

// Text i, called as text(i, buffer): a view into the caller's document, or into buffer.
using text_ref = callable_ref<std::string_view(std::size_t, std::string&)>;

// A strict order on document indices: better(a, b) when a is to be kept rather than b.
using order_ref = callable_ref<bool(std::size_t, std::size_t)>;

// Any sketch_source, seen through one type.
class sketches_ref {
public:
    template <sketch_source K>
        requires(!std::is_same_v<K, sketches_ref>)
    explicit sketches_ref(const K& sketches) noexcept
        : sketches_(std::addressof(sketches)),
          size_([](const void* k) -> std::size_t { return static_cast<std::size_t>(static_cast<const K*>(k)->size()); }),
          sketch_([](const void* k, std::size_t i, text_sketch& out) { static_cast<const K*>(k)->sketch(i, out); }) {}

    [[nodiscard]] std::size_t size() const { return size_(sketches_); }
    void sketch(std::size_t i, text_sketch& out) const { sketch_(sketches_, i, out); }

private:
    const void* sketches_;
    std::size_t (*size_)(const void*);
    void (*sketch_)(const void*, std::size_t, text_sketch&);
};

}  // namespace ditto::inline v0_1::detail
