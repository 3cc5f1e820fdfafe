#pragma once
// One include for the tests, whichever Catch2 is installed: v3 (catch2/catch_all.hpp) or v2.

#if DITTO_CATCH2_V3
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

#if !DITTO_CATCH2_V3
namespace Catch {
using Detail::Approx;  // v3 spells it Catch::Approx
}
#endif
