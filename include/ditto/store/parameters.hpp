#pragma once
// The parameters a stored index was built with: everything that decides a document's
// signature and band keys. Two indexes can be merged, and an index can be queried with new
// documents, only when every field is equal; differing_parameters names the fields that are not.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/hash.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/shingle.hpp>
#include <ditto/store/format.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/unicode.hpp>

namespace ditto::inline v0_1 {

/// The revision of the text layer's tokens (normalizer and tokenizer rules). The text layer bumps
/// it whenever a change gives some text different tokens, so that indexes built before the change
/// are recognised as built with another pipeline.
inline constexpr std::uint64_t text_pipeline_revision = 1;

/// The text pipeline as one number: the revision in the high 32 bits, the Unicode version of
/// the generated tables in the low ones (major << 16 | minor << 8 | update).
inline constexpr std::uint64_t text_pipeline_id =
    (text_pipeline_revision << 32) | (static_cast<std::uint64_t>(unicode::version_major) << 16) |
    (static_cast<std::uint64_t>(unicode::version_minor) << 8) | static_cast<std::uint64_t>(unicode::version_update);

/// Which MinHash sketcher made the signatures (sketch/minhash.hpp).
enum class sketch_kind : std::uint8_t { fast = 0, oph = 1, superminhash = 2, classic = 3 };

/// The parameter block of a stored index.
struct index_parameters {
    shingle_kind shingles = shingle_kind::words;
    std::uint32_t shingle_size = 5;                ///< in [1, 1024]
    normalize_options normalization{};
    std::uint64_t text_pipeline = text_pipeline_id;
    std::uint64_t seed = default_seed;
    sketch_kind sketch = sketch_kind::fast;
    std::uint32_t slots = 128;                     ///< in [1, 2^20]
    std::uint32_t slot_bits = 32;                  ///< 16, 32 or 64
    lsh_params lsh{18, 6};                         ///< bands x rows <= slots, both >= 1
    double threshold = 0.8;                        ///< in (0, 1]
    double recall = 0.995;                         ///< in [0, 1)

    /// Bytes of one stored signature.
    [[nodiscard]] std::size_t signature_bytes() const noexcept {
        return std::size_t{slots} * (slot_bits / 8);
    }
};

/// The names of the fields that differ between a and b, in the order of the parameter block
/// ("shingle kind", "shingle size", "case folding", "fold punctuation", "collapse whitespace",
/// "strip diacritics", "fold compatibility", "invalid UTF-8", "text pipeline", "seed",
/// "sketch kind", "slots", "slot bits", "bands", "rows", "threshold", "recall"); empty when equal.
[[nodiscard]] inline std::vector<std::string_view> differing_parameters(const index_parameters& a,
                                                                        const index_parameters& b) {
    std::vector<std::string_view> out;
    const auto check = [&](bool equal, std::string_view name) {
        if (!equal) out.push_back(name);
    };
    check(a.shingles == b.shingles, "shingle kind");
    check(a.shingle_size == b.shingle_size, "shingle size");
    check(a.normalization.case_fold == b.normalization.case_fold, "case folding");
    check(a.normalization.fold_punctuation == b.normalization.fold_punctuation, "fold punctuation");
    check(a.normalization.collapse_whitespace == b.normalization.collapse_whitespace, "collapse whitespace");
    check(a.normalization.strip_diacritics == b.normalization.strip_diacritics, "strip diacritics");
    check(a.normalization.fold_compatibility == b.normalization.fold_compatibility, "fold compatibility");
    check(a.normalization.on_invalid == b.normalization.on_invalid, "invalid UTF-8");
    check(a.text_pipeline == b.text_pipeline, "text pipeline");
    check(a.seed == b.seed, "seed");
    check(a.sketch == b.sketch, "sketch kind");
    check(a.slots == b.slots, "slots");
    check(a.slot_bits == b.slot_bits, "slot bits");
    check(a.lsh.bands == b.lsh.bands, "bands");
    check(a.lsh.rows == b.lsh.rows, "rows");
    check(std::bit_cast<std::uint64_t>(a.threshold) == std::bit_cast<std::uint64_t>(b.threshold), "threshold");
    check(std::bit_cast<std::uint64_t>(a.recall) == std::bit_cast<std::uint64_t>(b.recall), "recall");
    return out;
}

/// The names differing_parameters gives, joined by ", " (empty when a and b are equal).
[[nodiscard]] inline std::string differing_parameter_names(const index_parameters& a, const index_parameters& b) {
    std::string names;
    for (const std::string_view name : differing_parameters(a, b)) names.append(names.empty() ? "" : ", ").append(name);
    return names;
}

/// What is wrong with p as the parameters of an index, or an empty string.
[[nodiscard]] inline std::string parameter_problem(const index_parameters& p) {
    if (p.shingles != shingle_kind::words && p.shingles != shingle_kind::characters) return "unknown shingle kind";
    if (p.shingle_size < 1 || p.shingle_size > 1024) return "shingle size outside [1, 1024]";
    if (p.normalization.case_fold != case_folding::none && p.normalization.case_fold != case_folding::simple &&
        p.normalization.case_fold != case_folding::full)
        return "unknown case folding";
    if (p.normalization.on_invalid != invalid_utf8::replace && p.normalization.on_invalid != invalid_utf8::error &&
        p.normalization.on_invalid != invalid_utf8::skip)
        return "unknown invalid UTF-8 policy";
    if (static_cast<std::uint8_t>(p.sketch) > 3) return "unknown sketch kind";
    if (p.slots < 1 || p.slots > (std::uint32_t{1} << 20)) return "slots outside [1, 2^20]";
    if (p.slot_bits != 16 && p.slot_bits != 32 && p.slot_bits != 64) return "slot bits not 16, 32 or 64";
    if (p.lsh.bands < 1 || p.lsh.rows < 1 || p.lsh.bands > p.slots || p.lsh.rows > p.slots ||
        p.lsh.bands * p.lsh.rows > p.slots)
        return "bands x rows not within the slots";
    if (!(p.threshold > 0.0 && p.threshold <= 1.0)) return "threshold outside (0, 1]";
    if (!(p.recall >= 0.0 && p.recall < 1.0)) return "recall outside [0, 1)";
    return {};
}

namespace detail {

/// Encodes the parameter block (store::parameter_bytes bytes, docs/format.md).
inline void encode_parameters(const index_parameters& p, unsigned char* out) noexcept {
    out[0] = static_cast<unsigned char>(p.shingles);
    out[1] = static_cast<unsigned char>(p.normalization.case_fold);
    out[2] = static_cast<unsigned char>((p.normalization.fold_punctuation ? 1u : 0u) |
                                        (p.normalization.collapse_whitespace ? 2u : 0u) |
                                        (p.normalization.strip_diacritics ? 4u : 0u) |
                                        (p.normalization.fold_compatibility ? 8u : 0u));
    out[3] = static_cast<unsigned char>(p.normalization.on_invalid);
    put_u32(out + 4, p.shingle_size);
    put_u64(out + 8, p.text_pipeline);
    put_u64(out + 16, p.seed);
    out[24] = static_cast<unsigned char>(p.sketch);
    out[25] = static_cast<unsigned char>(p.slot_bits);
    out[26] = 0;
    out[27] = 0;
    put_u32(out + 28, p.slots);
    put_u32(out + 32, static_cast<std::uint32_t>(p.lsh.bands));
    put_u32(out + 36, static_cast<std::uint32_t>(p.lsh.rows));
    put_u64(out + 40, std::bit_cast<std::uint64_t>(p.threshold));
    put_u64(out + 48, std::bit_cast<std::uint64_t>(p.recall));
}

/// Decodes a parameter block; returns what is wrong with it (an empty string when nothing is)
/// and its field's offset within the block.
inline std::string decode_parameters(const unsigned char* in, index_parameters& p, std::size_t& where) {
    where = 0;
    if (in[0] > 1) return "unknown shingle kind " + std::to_string(in[0]);
    p.shingles = static_cast<shingle_kind>(in[0]);
    where = 1;
    if (in[1] > 2) return "unknown case folding " + std::to_string(in[1]);
    p.normalization.case_fold = static_cast<case_folding>(in[1]);
    where = 2;
    if (in[2] > 15) return "unknown normalization flags " + std::to_string(in[2]);
    p.normalization.fold_punctuation = (in[2] & 1u) != 0;
    p.normalization.collapse_whitespace = (in[2] & 2u) != 0;
    p.normalization.strip_diacritics = (in[2] & 4u) != 0;
    p.normalization.fold_compatibility = (in[2] & 8u) != 0;
    where = 3;
    if (in[3] > 2) return "unknown invalid UTF-8 policy " + std::to_string(in[3]);
    p.normalization.on_invalid = static_cast<invalid_utf8>(in[3]);
    p.shingle_size = get_u32(in + 4);
    p.text_pipeline = get_u64(in + 8);
    p.seed = get_u64(in + 16);
    where = 24;
    if (in[24] > 3) return "unknown sketch kind " + std::to_string(in[24]);
    p.sketch = static_cast<sketch_kind>(in[24]);
    p.slot_bits = in[25];
    where = 26;
    if (in[26] != 0 || in[27] != 0) return "reserved parameter bytes are not zero";
    p.slots = get_u32(in + 28);
    p.lsh.bands = get_u32(in + 32);
    p.lsh.rows = get_u32(in + 36);
    p.threshold = std::bit_cast<double>(get_u64(in + 40));
    p.recall = std::bit_cast<double>(get_u64(in + 48));
    // Field by field, so that the error points at the field.
    const struct {
        std::size_t offset;
        const char* problem;
        bool ok;
    } checks[] = {
        {4, "shingle size outside [1, 1024]", p.shingle_size >= 1 && p.shingle_size <= 1024},
        {25, "slot bits not 16, 32 or 64", p.slot_bits == 16 || p.slot_bits == 32 || p.slot_bits == 64},
        {28, "slots outside [1, 2^20]", p.slots >= 1 && p.slots <= (std::uint32_t{1} << 20)},
        {32, "bands x rows not within the slots",
         p.lsh.bands >= 1 && p.lsh.rows >= 1 && p.lsh.bands <= p.slots && p.lsh.rows <= p.slots &&
             p.lsh.bands * p.lsh.rows <= p.slots},
        {40, "threshold outside (0, 1]", p.threshold > 0.0 && p.threshold <= 1.0},
        {48, "recall outside [0, 1)", p.recall >= 0.0 && p.recall < 1.0},
    };
    for (const auto& c : checks) {
        if (!c.ok) {
            where = c.offset;
            return c.problem;
        }
    }
    where = 0;
    return parameter_problem(p);  // nothing left to find; kept in step with the checks above
}

}  // namespace detail
}  // namespace ditto
