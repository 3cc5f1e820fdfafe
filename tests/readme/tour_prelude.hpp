// What the README's tour takes as given: its placeholders, declared so that the tour compiles
// word for word inside a function (tests/readme/CMakeLists.txt pastes it after this file).
#pragma once

#include <ditto/ditto.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tour {

// A user's own tokenizer and hash (the concepts' minimal forms).
struct my_token {
    std::string_view text;
    std::size_t offset;
};
struct my_tokenizer {
    std::vector<my_token> operator()(std::string_view s) const { return {my_token{s, 0}}; }
};
struct my_hash {
    std::uint64_t operator()(std::string_view bytes, std::uint64_t seed) const { return ditto::hash64(bytes, seed); }
};

// A user's own shingler (ditto::document_shingler): one hash per byte-trigram here.
struct my_shingler {
    template <class Sink>
    void operator()(std::string_view text, Sink&& sink) const {
        for (std::size_t i = 0; i + 3 <= text.size(); ++i) sink(ditto::hash64(text.substr(i, 3), 7));
    }
};

inline std::vector<std::string> load_my_corpus() { return {"one text", "another text"}; }

}  // namespace tour

// The tour's free variables, as a caller would have them.
#define DITTO_TOUR_GIVEN                                                                         \
    using tour::my_tokenizer;                                                                    \
    using tour::my_hash;                                                                         \
    using tour::my_shingler;                                                                     \
    using tour::load_my_corpus;                                                                  \
    const std::string original = "Die STRASSE", text_a = "a b c d e f", text_b = "a b c d e g";  \
    const std::string copy = original;                                                           \
    const std::size_t begin = 0, end = 3, i = 0;                                                 \
    const ditto::index_parameters parameters{};                                                  \
    const std::uint64_t size = 0, offset = 0, length = 0;                                        \
    const ditto::content_hash hash{}, text_hash{};                                               \
    const std::vector<std::uint64_t> signature_slots(parameters.slots, 1);                       \
    const ditto::stored_index other{};                                                           \
    const std::vector<std::string> new_docs = load_my_corpus();                                  \
    auto indexed_text = [](std::uint32_t, std::string&) { return false; };
