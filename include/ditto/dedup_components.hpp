#pragma once
// The parts ditto::dedup is made of, as a policy: normalizer, shingler, sketcher, candidate
// generator and verifier. dedup(documents, options, exec, better, components) runs the pipeline
// with a caller's parts; the other overloads use default_components(options) (dedup.hpp), which
// are ditto's own. What the pipeline itself adds (exact-duplicate collapse, the signature
// prefilter, bucket splitting and the clusters' search by prefix filtering, clustering, the keep rule,
// determinism) stays the same whatever the parts.
//
// Replacing one part:
//   auto parts = ditto::default_components(options);
//   ditto::dedup_components mine{parts.normalizer, my_shingler{}, parts.sketcher, parts.candidates, parts.verifier};
//   auto result = ditto::dedup(documents, options, pool, std::less<>{}, mine);

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <ditto/concepts.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/verify.hpp>

namespace ditto::inline v0_1 {

namespace detail {
// A shingle sink of a type the shingler cannot know in advance (the pipeline's own lambdas).
struct any_shingle_sink {
    void operator()(std::uint64_t) const noexcept {}
};
}  // namespace detail

// The pipeline calls every part through const references, from several threads at once: a
// part's const calls must be safe to run concurrently (ditto's own are).

/// Normalizes text for exact-duplicate detection. Requirements:
///  1. N is copy-constructible;
///  2. for a const N n, std::string_view t and std::string s, n.normalize(t, s) replaces s with
///     the normalized text of t.
/// Two distinct texts are exact duplicates (one unit, similarity 1) when their shingle sequences
/// are equal and their normalized texts are equal, so a normalizer can only refine what the
/// shingler makes equal (ditto's normalizer and shingler use the same normalize_options).
template <class N>
concept text_normalizer = std::copy_constructible<N> && requires(const N& n, std::string_view text, std::string& out) {
    n.normalize(text, out);
};

/// Turns a document's text into 64-bit shingle hashes. Requirements:
///  1. S is copy-constructible;
///  2. for a const S s, std::string_view t and a callable f taking std::uint64_t, s(t, f) calls f
///     once for each shingle of t, in text order (repeats included);
///  3. the hashes depend only on t, and are uniform enough for MinHash (a 64-bit hash of each
///     shingle).
/// Requirements 2's order and 3 are semantic and cannot be checked by the compiler.
template <class S>
concept document_shingler = std::copy_constructible<S> &&
                            requires(const S& s, std::string_view text, detail::any_shingle_sink& sink) {
                                s(text, sink);
                                s(text, detail::any_shingle_sink{});
                            };

/// Makes the candidate keys of a signature: units that share the key at some position are
/// candidates. Requirements:
///  1. C is copy-constructible;
///  2. for a const C c, c.key_count() is the number of keys per signature, a std::size_t (at
///     least 1);
///  3. for a std::span<const std::uint32_t> slots (dedup_options::sketch_size of them) and a
///     std::span<std::uint64_t> out of key_count() keys, c.keys(slots, out) writes every key;
///  4. keys depend only on the slots; keys at different positions are never compared.
/// The pipeline promises recall only as far as the keys do: a pair that shares no key is never
/// examined. Requirement 4 is semantic.
template <class C>
concept candidate_keyer = std::copy_constructible<C> &&
                          requires(const C& c, std::span<const std::uint32_t> slots, std::span<std::uint64_t> out) {
                              { c.key_count() } -> std::same_as<std::size_t>;
                              c.keys(slots, out);
                          };

/// Decides a candidate pair from the two units' sorted, repeat-free shingle sets. Requirements:
///  1. V is copy-constructible;
///  2. for a const V v, sets a and b (std::span<const std::uint64_t>) and a double t in (0, 1],
///     v(a, b, t) converts to double: the pair's similarity when the pair is accepted (at least
///     t; reported as it is, so keep it in [t, 1]), else any value below t (or NaN);
///  3. it accepts a pair only if the pair's Jaccard similarity is at least t: the candidate
///     search (bucket splitting, and the clusters' search by prefix filtering) finds exactly those pairs,
///     so a verifier may be stricter than Jaccard (say, also a length rule) but never looser;
///  4. it is symmetric and depends only on a, b and t.
/// Requirements 3 and 4 are semantic and cannot be checked by the compiler. With
/// dedup_options::exact false no pair is verified: the signature estimate decides, and the
/// verifier is not called.
template <class V>
concept pair_verifier = std::copy_constructible<V> &&
                        requires(const V& v, std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, double t) {
                            { v(a, b, t) } -> std::convertible_to<double>;
                        };

/// ditto's candidate generator: banded LSH, one key per band of rows slots.
class lsh_banding {
public:
    /// Throws std::invalid_argument unless the shape has at least one band of at least one row.
    explicit lsh_banding(lsh_params params) : params_(params) {
        if (params.bands == 0 || params.rows == 0)
            detail::throw_invalid_argument("lsh_banding", "params", "at least 1 x 1",
                                           std::to_string(params.bands) + " x " + std::to_string(params.rows));
    }

    [[nodiscard]] lsh_params params() const noexcept { return params_; }
    [[nodiscard]] std::size_t key_count() const noexcept { return params_.bands; }

    /// Throws std::invalid_argument when slots has fewer than bands x rows values.
    void keys(std::span<const std::uint32_t> slots, std::span<std::uint64_t> out) const { band_keys(slots, params_, out); }

private:
    lsh_params params_;
};

/// ditto's verifier: exact Jaccard similarity, the merge stopping once the threshold is out of reach.
struct jaccard_verifier {
    [[nodiscard]] double operator()(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b,
                                    double threshold) const noexcept {
        return jaccard_at_least(a, b, threshold);
    }
};

/// The parts of the pipeline, each a caller's type or ditto's.
template <text_normalizer Normalizer, document_shingler Shingler, sketcher Sketcher, candidate_keyer Candidates,
          pair_verifier Verifier>
struct dedup_components {
    Normalizer normalizer;
    Shingler shingler;
    Sketcher sketcher;
    Candidates candidates;
    Verifier verifier;
};

}  // namespace ditto
