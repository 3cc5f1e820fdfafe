// libFuzzer target: arbitrary bytes to the UTF-8 decoder, validator and repair. The oracle is a
// decoder written here from the definition rather than from the library's table: a sequence is
// well-formed when its lead byte announces n bytes, the others are continuation bytes and the
// value is a scalar value that needs exactly n bytes; an ill-formed sequence's maximal subpart is
// the longest prefix that some continuation could still complete to a well-formed sequence (at
// least one byte). Every function must agree with it at every position.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <ditto/error.hpp>
#include <ditto/text/utf8.hpp>

namespace {

struct reference_decoded {
    char32_t code_point;
    std::size_t length;
    bool valid;
};

// Scalar values encoded with exactly n bytes: [low, high], surrogates excluded separately.
constexpr char32_t lowest[5] = {0, 0, 0x80, 0x800, 0x10000};
constexpr char32_t highest[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};

// True when some scalar value in [from, to] is allowed for n bytes.
bool any_allowed(char32_t from, char32_t to, std::size_t n) {
    if (from < lowest[n]) from = lowest[n];
    if (to > highest[n]) to = highest[n];
    if (from > to) return false;
    // All of [from, to] surrogates?
    return !(from >= 0xD800 && to <= 0xDFFF);
}

reference_decoded reference_decode(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const unsigned lead = byte(0);
    std::size_t n;
    char32_t bits;
    if (lead < 0x80) return {lead, 1, true};
    if ((lead & 0xE0) == 0xC0) n = 2, bits = lead & 0x1F;
    else if ((lead & 0xF0) == 0xE0) n = 3, bits = lead & 0x0F;
    else if ((lead & 0xF8) == 0xF0) n = 4, bits = lead & 0x07;
    else return {0xFFFD, 1, false};
    // The longest prefix of length L <= n whose completions cover some allowed value.
    std::size_t good = 0;
    char32_t value = bits;
    for (std::size_t length = 1; length <= n; ++length) {
        if (length > 1) {
            if (pos + length - 1 >= text.size()) break;
            const unsigned b = byte(length - 1);
            if ((b & 0xC0) != 0x80) break;
            value = (value << 6) | (b & 0x3F);
        }
        const std::size_t missing = n - length;
        const char32_t from = value << (6 * missing);
        const char32_t to = from | ((char32_t{1} << (6 * missing)) - 1);
        if (!any_allowed(from, to, n)) break;
        good = length;
    }
    if (good == n) return {value, n, true};
    return {0xFFFD, good == 0 ? 1 : good, false};
}

// A broken invariant: says which (the line of the check), then aborts, which libFuzzer reports.
[[noreturn]] void fail(int line) {
    std::fprintf(stderr, "%s: invariant checked at line %d does not hold\n", __FILE__, line);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string replaced, skipped;
    std::size_t invalid = 0, first_invalid = std::string_view::npos;
    for (std::size_t pos = 0; pos < text.size();) {
        const reference_decoded want = reference_decode(text, pos);
        const ditto::decoded_code_point got = ditto::decode_utf8(text, pos);
        if (got.valid != want.valid || got.length != want.length || got.code_point != want.code_point) fail(__LINE__);
        if (want.valid) {
            // Encoding the value gives back the bytes read.
            char buffer[4];
            const std::size_t length = ditto::encode_utf8(want.code_point, buffer);
            if (std::string_view(buffer, length) != text.substr(pos, want.length)) fail(__LINE__);
            replaced.append(text.substr(pos, want.length));
            skipped.append(text.substr(pos, want.length));
        } else {
            if (invalid++ == 0) first_invalid = pos;
            replaced.append("\xEF\xBF\xBD");
        }
        pos += want.length;
    }
    if (ditto::is_valid_utf8(text) != (invalid == 0)) fail(__LINE__);
    if (ditto::find_invalid_utf8(text) != first_invalid) fail(__LINE__);
    if (ditto::count_invalid_utf8(text) != invalid) fail(__LINE__);
    if (ditto::to_valid_utf8(text, ditto::invalid_utf8::replace) != replaced) fail(__LINE__);
    if (ditto::to_valid_utf8(text, ditto::invalid_utf8::skip) != skipped) fail(__LINE__);
    if (!ditto::is_valid_utf8(replaced) || !ditto::is_valid_utf8(skipped)) fail(__LINE__);
    try {
        if (ditto::to_valid_utf8(text, ditto::invalid_utf8::error) != text || invalid != 0) fail(__LINE__);
    } catch (const ditto::parse_error& e) {
        if (invalid == 0 || e.byte_offset() != first_invalid) fail(__LINE__);
    }
    return 0;
}
