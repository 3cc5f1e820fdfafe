#pragma once
// What a document is to ditto: anything whose text (and, where needed, id) these customization
// point objects can reach.
//
// ditto::text_of(doc), in order of preference:
//   1. doc.text, when it converts to std::string_view;
//   2. text_of(doc), a free function found by argument-dependent lookup, returning a reference
//      or a view (std::string_view, a char pointer, a type converting to std::string_view), never
//      an owning std::string by value;
//   3. doc.second, for a std::pair<Id, Text>;
//   4. doc itself, when it converts to std::string_view (a std::string, a string_view).
// ditto::id_of(doc): doc.id, then an ADL id_of(doc), then doc.first.

#include <concepts>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ditto::inline v0_1 {

namespace detail::cpo {

void text_of() = delete;  // only ADL finds a caller's text_of, never ditto's own name
void id_of() = delete;

template <class D>
concept has_member_text = requires(const D& d) {
    { d.text } -> std::convertible_to<std::string_view>;
};
// What a caller's text_of may not return: an owning string by value, which would die before
// ditto reads the view made of it. References and views (std::string_view, char pointers, a
// caller's own view type) are fine.
template <class T>
inline constexpr bool is_owning_string = false;
template <class C, class Traits, class Alloc>
inline constexpr bool is_owning_string<std::basic_string<C, Traits, Alloc>> = true;
template <class T>
concept borrowed_text_result = std::is_lvalue_reference_v<T> || !is_owning_string<std::remove_cvref_t<T>>;
template <class D>
concept has_adl_text = requires(const D& d) {
    { text_of(d) } -> std::convertible_to<std::string_view>;
    requires borrowed_text_result<decltype(text_of(d))>;
};
template <class D>
concept has_pair_text = requires(const D& d) {
    d.first;
    { d.second } -> std::convertible_to<std::string_view>;
};

template <class D>
concept has_member_id = requires(const D& d) { d.id; };
template <class D>
concept has_adl_id = requires(const D& d) { id_of(d); };
template <class D>
concept has_pair_id = requires(const D& d) {
    d.first;
    d.second;
};

struct text_of_fn {
    template <class D>
        requires has_member_text<D> || has_adl_text<D> || has_pair_text<D> || std::convertible_to<const D&, std::string_view>
    constexpr std::string_view operator()(const D& doc) const {
        if constexpr (has_member_text<D>) return std::string_view(doc.text);
        else if constexpr (has_adl_text<D>) return std::string_view(text_of(doc));
        else if constexpr (has_pair_text<D>) return std::string_view(doc.second);
        else return std::string_view(doc);
    }
};

struct id_of_fn {
    template <class D>
        requires has_member_id<D> || has_adl_id<D> || has_pair_id<D>
    constexpr decltype(auto) operator()(const D& doc) const {
        if constexpr (has_member_id<D>) return (doc.id);
        else if constexpr (has_adl_id<D>) return id_of(doc);
        else return (doc.first);
    }
};

}  // namespace detail::cpo

inline namespace cpo {
/// The text of a document (see the top of this header).
inline constexpr detail::cpo::text_of_fn text_of{};
/// The id of a document (see the top of this header).
inline constexpr detail::cpo::id_of_fn id_of{};
}  // namespace cpo

/// A type ditto can read text from: ditto::text_of(d) works for a const D d.
template <class D>
concept document = requires(const D& d) {
    { ditto::text_of(d) } -> std::same_as<std::string_view>;
};

namespace detail {
template <class D>
concept has_view_member_text = requires(const D& d) {
    requires std::same_as<std::remove_cvref_t<decltype(d.text)>, std::string_view>;
};
template <class D>
concept has_view_pair_text = requires(const D& d) {
    d.first;
    requires std::same_as<std::remove_cvref_t<decltype(d.second)>, std::string_view>;
};
}  // namespace detail

/// Whether a document's text stays valid after the document object is destroyed, because it
/// only views text owned elsewhere: true for std::string_view, const char*, and types whose
/// `.text` (or a pair's `.second`) is a std::string_view. Specialize it as true for your own
/// view-like document types. The pipeline uses it to refuse ranges that yield documents by value
/// whose text would die with them.
template <class D>
inline constexpr bool enable_borrowed_text =
    std::same_as<std::remove_cv_t<D>, std::string_view> || std::same_as<std::remove_cv_t<D>, const char*> ||
    detail::has_view_member_text<D> || detail::has_view_pair_text<D>;

/// A range whose documents can be read by index for as long as the range lives: it yields
/// lvalues, or documents whose text is borrowed (enable_borrowed_text).
template <class R>
concept stable_document_range =
    std::is_lvalue_reference_v<std::ranges::range_reference_t<R>> || enable_borrowed_text<std::ranges::range_value_t<R>>;

/// A document that also has an id: ditto::id_of(d) works.
template <class D>
concept identified_document = document<D> && requires(const D& d) { ditto::id_of(d); };

}  // namespace ditto
