// Corruption never passes: every byte of a small index flipped (several bit patterns), every
// truncation and appended bytes all make the reader throw format_error, never crash or return
// an index. The format has no ignored bytes: checksums, zero checks on padding and the footer's
// exact values cover every byte.
#include <ditto/error.hpp>
#include <ditto/store/index_reader.hpp>

#include <cstddef>
#include <string>

#include "store/store_support.hpp"
#include "support/catch.hpp"

namespace {

// "throws format_error", "returned" or "threw something else".
std::string outcome(const std::string& bytes) {
    try {
        (void)store_test::from_bytes(bytes);
        return "returned";
    } catch (const ditto::format_error&) {
        return "throws format_error";
    } catch (...) {
        return "threw something else";
    }
}

}  // namespace

TEST_CASE("stored index: every flipped byte, truncation and appended bytes are refused", "[store][corruption]") {
    for (const std::uint32_t bits : {16u, 64u}) {
        auto p = store_test::small_parameters(bits);
        p.slots = 4;
        p.lsh = {2, 2};
        const std::string good = store_test::to_bytes(store_test::build(p, store_test::texts(6, 21)));
        INFO("slot bits " << bits << ", " << good.size() << " bytes");
        REQUIRE(outcome(good) == "returned");
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (const unsigned pattern : {0x01u, 0x80u, 0xFFu, 0x5Au}) {
                std::string b = good;
                b[i] = static_cast<char>(static_cast<unsigned char>(b[i]) ^ pattern);
                INFO("byte " << i << " xor " << pattern);
                REQUIRE(outcome(b) == "throws format_error");
            }
        }
        for (std::size_t n = 0; n < good.size(); ++n) {
            INFO("truncated to " << n);
            REQUIRE(outcome(good.substr(0, n)) == "throws format_error");
        }
        for (std::size_t n = 1; n <= 24; ++n) {
            INFO(n << " bytes appended");
            REQUIRE(outcome(good + std::string(n, '\0')) == "throws format_error");
            REQUIRE(outcome(good + good.substr(good.size() - n)) == "throws format_error");
        }
    }
}
