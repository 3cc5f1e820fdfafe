#pragma once
// The signature prefilter: before a candidate pair is verified exactly, its MinHash signatures
// are compared, and a pair with so few equal slots that it is almost surely below the threshold
// is dropped.
//
// The bound: the equal slots of a pair whose Jaccard similarity is exactly t count like a
// Binomial(k, t) variable (classic MinHash; the default sketcher's variance is at most that, and
// narrow slots only add chance agreements). prefilter_min_matches picks the largest c with
// P(Binomial(k, t) < c) <= miss, so a pair *at* the threshold is dropped with probability at most
// miss, and a pair above it with less. tests/prefilter.cpp checks the rate by simulation.

#include <cmath>
#include <cstddef>
#include <string>

#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// The fewest equal slots (of k) a candidate needs to be verified, so that a pair with Jaccard
/// similarity `threshold` falls short with probability at most `miss`. 0 means no pair is dropped
/// (miss = 0, or k too small for the bound to drop anything). Throws std::invalid_argument for
/// threshold outside (0, 1], k = 0 or miss outside [0, 1).
[[nodiscard]] inline std::size_t prefilter_min_matches(double threshold, std::size_t k, double miss) {
    if (!(threshold > 0.0 && threshold <= 1.0))
        detail::throw_invalid_argument("prefilter_min_matches", "threshold", "in (0, 1]", detail::format_double(threshold));
    if (k == 0) detail::throw_invalid_argument("prefilter_min_matches", "k", "at least 1", "0");
    if (!(miss >= 0.0 && miss < 1.0))
        detail::throw_invalid_argument("prefilter_min_matches", "miss", "in [0, 1)", detail::format_double(miss));
    if (miss == 0.0) return 0;
    if (threshold == 1.0) return k;  // a pair at similarity 1 agrees in every slot
    const double n = static_cast<double>(k);
    const double log_t = std::log(threshold), log_u = std::log1p(-threshold);
    // Lower tail summed from 0 up, in log space for the coefficients (k is at most a few thousand).
    double tail = 0.0;
    std::size_t c = 0;
    for (std::size_t j = 0; j <= k; ++j) {
        const double x = static_cast<double>(j);
        tail += std::exp(std::lgamma(n + 1) - std::lgamma(x + 1) - std::lgamma(n - x + 1) + x * log_t + (n - x) * log_u);
        if (tail > miss) break;
        c = j + 1;  // P(X <= j) <= miss: a pair with at most j equal slots may be dropped
    }
    return c;
}

}  // namespace ditto
