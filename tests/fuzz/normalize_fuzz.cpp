// libFuzzer target: the normalizer and its offset map on arbitrary bytes. The first byte chooses
// the options, the rest is the text. Invariants checked:
//  - normalizing with a map gives the same text as without; the map's sizes are the texts';
//  - the output is valid UTF-8 (replace and skip policies), and with the error policy the
//    normalizer throws exactly when the input is not valid UTF-8, at its first bad byte, and
//    otherwise gives the same text;
//  - with whitespace collapsing, no space at either end and no two in a row;
//  - every token of the output maps to a span inside the input, and that span, normalized on its
//    own, is exactly the token (or, when the token ends inside one character's expansion, "½" to
//    "1⁄2", the span is that character and its normalization's tokens include the token);
//    mapping all tokens at once gives the same spans;
//  - every span between code point boundaries maps inside the input, begin <= end.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/error.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/utf8.hpp>

namespace {

// A broken invariant: says which (the line of the check), then aborts, which libFuzzer reports.
[[noreturn]] void fail(int line) {
    std::fprintf(stderr, "%s: invariant checked at line %d does not hold\n", __FILE__, line);
    std::abort();
}

ditto::normalize_options options_from(std::uint8_t bits) {
    ditto::normalize_options o;
    o.case_fold = bits % 3 == 0 ? ditto::case_folding::full
                                : (bits % 3 == 1 ? ditto::case_folding::simple : ditto::case_folding::none);
    o.fold_punctuation = (bits & 0x04) == 0;
    o.collapse_whitespace = (bits & 0x08) == 0;
    o.strip_diacritics = (bits & 0x10) != 0;
    o.fold_compatibility = (bits & 0x20) != 0;
    o.canonical_equivalence = (bits & 0x40) == 0;
    o.on_invalid = (bits & 0x80) != 0 ? ditto::invalid_utf8::skip : ditto::invalid_utf8::replace;
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const ditto::normalize_options options = options_from(data[0]);
    const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
    const ditto::normalizer n(options);

    std::string out;
    ditto::offset_map map;
    n.normalize(input, out, map);
    if (out != n(input)) fail(__LINE__);
    if (map.normalized_size() != out.size() || map.original_size() != input.size()) fail(__LINE__);
    if (!ditto::is_valid_utf8(out)) fail(__LINE__);
    if (options.collapse_whitespace && !out.empty() &&
        (out.front() == ' ' || out.back() == ' ' || out.find("  ") != std::string::npos))
        fail(__LINE__);

    // The error policy: a throw exactly for invalid input, naming its first bad byte.
    ditto::normalize_options strict = options;
    strict.on_invalid = ditto::invalid_utf8::error;
    try {
        const std::string strict_out = ditto::normalize(input, strict);
        // Valid input: the policy does not matter.
        if (!ditto::is_valid_utf8(input) || strict_out != out) fail(__LINE__);
    } catch (const ditto::parse_error& e) {
        if (ditto::is_valid_utf8(input) || e.byte_offset() != ditto::find_invalid_utf8(input)) fail(__LINE__);
    }

    std::vector<ditto::byte_span> token_spans, one_by_one;
    for (const auto& t : ditto::word_tokenizer{}(out)) {
        const ditto::byte_span span = map.to_original(t.offset, t.offset + t.text.size());
        if (span.begin > span.end || span.end > input.size()) fail(__LINE__);
        // The span re-normalizes to the token. When the token ends inside one character's
        // expansion ("½" to "1⁄2", "⒒" to "11." under compatibility folding) the span is that
        // whole character: its normalization then holds the token among its tokens.
        const std::string again = n(input.substr(span.begin, span.end - span.begin));
        if (again != t.text) {
            bool found = false;
            for (const auto& u : ditto::word_tokenizer{}(again)) found = found || u.text == t.text;
            if (!found) fail(__LINE__);
        }
        token_spans.push_back({t.offset, t.offset + t.text.size()});
        one_by_one.push_back(span);
    }
    std::vector<ditto::byte_span> batch(token_spans.size());
    map.to_original(token_spans, batch);
    if (batch != one_by_one) fail(__LINE__);

    std::size_t previous = 0;
    for (std::size_t i = 1; i <= out.size(); ++i) {
        if (i < out.size() && (static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue;
        const ditto::byte_span span = map.to_original(previous, i);
        if (span.begin > span.end || span.end > input.size()) fail(__LINE__);
        if (map.to_original(previous) > input.size()) fail(__LINE__);
        previous = i;
    }
    return 0;
}
