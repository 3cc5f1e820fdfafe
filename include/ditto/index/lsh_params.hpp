#pragma once
// Choosing the bands and rows of banded LSH.
//
// With b bands of r slots, two signatures of Jaccard similarity s share at least one band with
// probability P(s) = 1 - (1 - s^r)^b, an S-shaped curve. Two ways to place it:
//  - optimal_lsh_params: minimise w_fp * (area under P below the threshold) + w_fn * (area above
//    P beyond it), the usual choice (it gives 9 x 13 at 0.8 and 5 x 25 at 0.9 for 128 slots).
//    It leaves pairs at the threshold found only about half the time.
//  - recall_lsh_params (the pipeline's default): among (b, r) with P(threshold) >= recall, the one
//    with the least area under P below the threshold, i.e. the fewest expected false candidates
//    for similarities spread evenly below it; ties go to fewer bands (a smaller index).
// Both search every (b, r) with b * r <= slots.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>

#include <ditto/error.hpp>

namespace ditto::inline v0_1 {

/// The shape of a banded LSH index: bands of rows slots each (using bands * rows slots).
struct lsh_params {
    std::size_t bands = 0;
    std::size_t rows = 0;
    friend constexpr bool operator==(const lsh_params&, const lsh_params&) = default;
};

/// The probability that two signatures of similarity s share at least one band.
[[nodiscard]] inline double lsh_probability(double s, lsh_params p) noexcept {
    return 1.0 - std::pow(1.0 - std::pow(s, static_cast<double>(p.rows)), static_cast<double>(p.bands));
}

namespace detail {

// Composite Simpson's rule; P is a polynomial of degree bands * rows <= a few hundred, which
// 2048 intervals integrate to about 1e-9.
template <class F>
double integrate(F f, double from, double to) {
    constexpr int intervals = 2048;
    if (to <= from) return 0.0;
    const double h = (to - from) / intervals;
    double sum = f(from) + f(to);
    for (int i = 1; i < intervals; ++i) sum += f(from + static_cast<double>(i) * h) * (i % 2 == 1 ? 4.0 : 2.0);
    return sum * h / 3.0;
}

inline void check_lsh_arguments(const char* who, double threshold, std::size_t slots) {
    if (!(threshold > 0.0 && threshold <= 1.0))
        detail::throw_invalid_argument(who, "threshold", "in (0, 1]", format_double(threshold));
    if (slots < 1 || slots > 65536) throw_invalid_argument(who, "slots", "in [1, 65536]", std::to_string(slots));
}

}  // namespace detail

/// The expected share of pairs below the threshold that become candidates: the area under P on
/// [0, threshold].
[[nodiscard]] inline double false_positive_area(double threshold, lsh_params p) {
    return detail::integrate([&](double s) { return lsh_probability(s, p); }, 0.0, threshold);
}

/// The area above P on [threshold, 1]: pairs above the threshold that are missed.
[[nodiscard]] inline double false_negative_area(double threshold, lsh_params p) {
    return detail::integrate([&](double s) { return 1.0 - lsh_probability(s, p); }, threshold, 1.0);
}

/// The (bands, rows) minimising the weighted false-positive and false-negative areas. Throws
/// std::invalid_argument unless 0 < threshold <= 1, 1 <= slots <= 65536 and the weights are
/// non-negative and not both 0.
[[nodiscard]] inline lsh_params optimal_lsh_params(double threshold, std::size_t slots, double fp_weight = 0.5,
                                                   double fn_weight = 0.5) {
    detail::check_lsh_arguments("optimal_lsh_params", threshold, slots);
    if (!(fp_weight >= 0.0) || !(fn_weight >= 0.0) || fp_weight + fn_weight <= 0.0)
        detail::throw_invalid_argument("optimal_lsh_params", "fp_weight and fn_weight", "non-negative and not both 0",
                               detail::format_double(fp_weight) + " and " + detail::format_double(fn_weight));
    lsh_params best{1, 1};
    double best_error = std::numeric_limits<double>::infinity();
    for (std::size_t b = 1; b <= slots; ++b) {
        for (std::size_t r = 1; b * r <= slots; ++r) {
            const lsh_params p{b, r};
            const double error = fp_weight * false_positive_area(threshold, p) +
                                 fn_weight * false_negative_area(threshold, p);
            if (error < best_error) {
                best_error = error;
                best = p;
            }
        }
    }
    return best;
}

/// The (bands, rows) with the fewest expected false candidates among those that make a pair at
/// exactly the threshold a candidate with probability >= recall. Throws std::invalid_argument
/// unless 0 < threshold <= 1, 1 <= slots <= 65536 and 0 < recall < 1, or when no (bands, rows)
/// within slots reaches the recall (the message says how close the best comes).
[[nodiscard]] inline lsh_params recall_lsh_params(double threshold, std::size_t slots, double recall = 0.99) {
    detail::check_lsh_arguments("recall_lsh_params", threshold, slots);
    if (!(recall > 0.0 && recall < 1.0))
        detail::throw_invalid_argument("recall_lsh_params", "recall", "in (0, 1)", detail::format_double(recall));
    lsh_params best{};
    double best_area = std::numeric_limits<double>::infinity();
    double best_reach = 0.0;
    for (std::size_t r = 1; r <= slots; ++r) {
        for (std::size_t b = 1; b * r <= slots; ++b) {
            const lsh_params p{b, r};
            const double reach = lsh_probability(threshold, p);
            best_reach = std::max(best_reach, reach);
            if (reach < recall) continue;
            // More bands only add false candidates: the first b that reaches the recall is the
            // best for this r.
            const double area = false_positive_area(threshold, p);
            if (area < best_area || (area == best_area && b < best.bands)) {
                best_area = area;
                best = p;
            }
            break;
        }
    }
    if (best.bands == 0)
        detail::throw_invalid_argument("recall_lsh_params", "recall",
                               "reachable with " + std::to_string(slots) + " slots at threshold " +
                                   detail::format_double(threshold) + " (at most " +
                                   detail::format_double(best_reach) + "); use more slots or a lower recall",
                               detail::format_double(recall));
    return best;
}

}  // namespace ditto
