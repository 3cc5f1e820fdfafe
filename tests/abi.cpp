// The versioned inline namespace: every public name lives in ditto::v<major>_<minor> (named by
// DITTO_ABI_NAMESPACE in the generated version.hpp) and is reached as ditto::name as well.
#include <ditto/ditto.hpp>
#include <ditto/version.hpp>

#include <string>
#include <typeinfo>
#include <type_traits>

#include "support/catch.hpp"

#define DITTO_TEST_STRINGIFY2(x) #x
#define DITTO_TEST_STRINGIFY(x) DITTO_TEST_STRINGIFY2(x)

// One name from each part of the library: text, sketch, index, dedup, store, clean, align.
static_assert(std::is_same_v<ditto::DITTO_ABI_NAMESPACE::dedup_options, ditto::dedup_options>);
static_assert(std::is_same_v<ditto::DITTO_ABI_NAMESPACE::normalizer, ditto::normalizer>);
static_assert(std::is_same_v<ditto::DITTO_ABI_NAMESPACE::fast_sketcher, ditto::fast_sketcher>);
static_assert(std::is_same_v<ditto::DITTO_ABI_NAMESPACE::lsh_index<>, ditto::lsh_index<>>);
static_assert(std::is_same_v<ditto::DITTO_ABI_NAMESPACE::stored_index, ditto::stored_index>);
static_assert(std::is_same_v<ditto::DITTO_ABI_NAMESPACE::text_diff, ditto::text_diff>);
static_assert(ditto::DITTO_ABI_NAMESPACE::unicode::data::version_major == ditto::unicode::data::version_major);

TEST_CASE("abi: the inline namespace is named after the major and minor version", "[abi]") {
    std::string expected = "v";
    expected.append(std::to_string(DITTO_VERSION_MAJOR)).append(1, '_').append(std::to_string(DITTO_VERSION_MINOR));
    CHECK(std::string(DITTO_TEST_STRINGIFY(DITTO_ABI_NAMESPACE)) == expected);
    // The namespace is part of every mangled name, so two minor versions never link together.
    CHECK(std::string(typeid(ditto::dedup_options).name()).find(expected) != std::string::npos);
}
