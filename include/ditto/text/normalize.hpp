#pragma once
// The text normalizer: what makes two copies of an article compare equal although one was typeset
// with „typographic quotes“, non-breaking spaces and capitals and the other was not.
//
// First the text is brought to Unicode normalization form C (canonical equivalence, on by default),
// or KC when compatibility folding is on, so that "café" typed precomposed and "cafe" + U+0301
// normalize alike. Then per code point, in this order: compatibility folding (optional: fullwidth
// forms, ligatures; part of NFKC when canonical equivalence is on), case folding (full by default, so "Straße" and "STRASSE" agree), diacritic stripping (optional),
// folding of typographic punctuation and spaces to ASCII; then whitespace runs collapse to one
// space and the ends are trimmed. Optionally it records an offset_map from normalized bytes back
// to the original's, so later stages can point into the text the user gave.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/detail/swar.hpp>
#include <ditto/error.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>

namespace ditto::inline v0_1 {

enum class case_folding {
    none,
    simple,  ///< one code point to one (CaseFolding.txt C + S)
    full,    ///< may expand, e.g. U+00DF to "ss" (C + F); the default
};

struct normalize_options {
    case_folding case_fold = case_folding::full;
    /// Typographic quotes to ASCII quotes, dashes to '-', U+2026 to "...", exotic spaces to ' ',
    /// soft hyphen, zero-width space, word joiner and BOM removed.
    bool fold_punctuation = true;
    /// Every run of White_Space becomes one ' '; leading and trailing runs are dropped.
    bool collapse_whitespace = true;
    /// Remove nonspacing marks with a non-zero combining class, also inside precomposed letters.
    bool strip_diacritics = false;
    /// NFKC folding of each code point: fullwidth forms, ligatures, superscripts, circled digits.
    /// With canonical_equivalence on, the text is brought to NFKC instead of NFC.
    bool fold_compatibility = false;
    /// Bring the text to NFC (UAX #15: canonical decomposition, canonical ordering, canonical
    /// composition) before the other steps, so canonically equivalent texts normalize
    /// identically; NFKC when fold_compatibility is on. Text already in that form pays only for
    /// a quick check of its non-ASCII characters.
    bool canonical_equivalence = true;
    invalid_utf8 on_invalid = invalid_utf8::replace;
};

/// A half-open byte range [begin, end).
struct byte_span {
    std::size_t begin = 0;
    std::size_t end = 0;
    friend bool operator==(const byte_span&, const byte_span&) = default;
};

/// Maps byte offsets of a normalized text back to its original. Offsets that fall on code point
/// boundaries of the normalized text map exactly: a span of the normalized text maps to the
/// original bytes of the code points that produced it, including any characters that the
/// normalizer removed right after them (stripped marks, soft hyphens).
class offset_map {
public:
    [[nodiscard]] std::size_t normalized_size() const noexcept { return normalized_size_; }
    [[nodiscard]] std::size_t original_size() const noexcept { return original_size_; }

    /// Original offset where the code point that produced normalized byte pos starts;
    /// positions at or past the end map to the end of the last kept code point.
    [[nodiscard]] std::size_t to_original(std::size_t pos) const noexcept {
        if (pos >= normalized_size_) return segments_.empty() ? 0 : segments_.back().original;
        const segment& s = *find(pos);
        return s.linear ? s.original + (pos - s.normalized) : s.original;
    }

    /// The original bytes that produced the normalized span [begin, end).
    [[nodiscard]] byte_span to_original(std::size_t begin, std::size_t end) const noexcept {
        end = std::min(end, normalized_size_);
        if (begin >= end) {
            const std::size_t p = to_original(begin);
            return {p, p};
        }
        const segment* s = find(end - 1);
        const std::size_t last = s->linear ? s->original + (end - s->normalized) : (s + 1)->original;
        return {to_original(begin), last};
    }

    /// Maps many spans at once: spans must be in increasing order of begin (tokens in text order);
    /// out[i] = to_original(spans[i].begin, spans[i].end). One pass over the segments instead of
    /// a binary search per span.
    void to_original(std::span<const byte_span> spans, std::span<byte_span> out) const noexcept {
        if (segments_.empty()) {
            for (std::size_t i = 0; i < spans.size(); ++i) out[i] = {0, 0};
            return;
        }
        const segment* s = segments_.data();
        const segment* const last = segments_.data() + segments_.size() - 1;  // the sentinel
        auto seek = [&](const segment* from, std::size_t pos) {
            while (from + 1 < last && (from + 1)->normalized <= pos) ++from;
            return from;
        };
        auto start_of = [&](const segment* seg, std::size_t pos) {
            return seg->linear ? seg->original + (pos - seg->normalized) : seg->original;
        };
        for (std::size_t i = 0; i < spans.size(); ++i) {
            const std::size_t begin = spans[i].begin, end = std::min(spans[i].end, normalized_size_);
            if (begin >= normalized_size_ || begin >= end) {
                out[i] = to_original(begin, end);
                continue;
            }
            s = seek(s, begin);
            const segment* e = seek(s, end - 1);
            const std::size_t stop = e->linear ? e->original + (end - e->normalized) : (e + 1)->original;
            out[i] = {start_of(s, begin), stop};
        }
    }

    /// Number of breakpoints stored (a text changed only by same-length substitutions has one).
    [[nodiscard]] std::size_t segment_count() const noexcept {
        return segments_.empty() ? 0 : segments_.size() - 1;
    }

private:
    friend class normalizer;

    // A segment starts at a normalized offset. Linear segments map byte for byte; the others map
    // every byte to their original start and end where the next segment starts. The last
    // segment is a sentinel at the normalized end.
    struct segment {
        std::size_t normalized;
        std::size_t original;
        bool linear;
    };

    [[nodiscard]] const segment* find(std::size_t pos) const noexcept {
        const auto it = std::upper_bound(segments_.begin(), segments_.end() - 1, pos,
                                         [](std::size_t p, const segment& s) { return p < s.normalized; });
        return &*(it - 1);
    }

    void reset(std::size_t original_size) {
        segments_.clear();
        normalized_size_ = 0;
        original_size_ = original_size;
        last_unit_normalized_ = 0;
        last_unit_original_ = 0;
        last_original_end_ = 0;
    }

    // Records that output bytes [normalized, normalized + length) come from original
    // [original, original_end); one_to_one says a single code point became a single one.
    void add_unit(std::size_t normalized, std::size_t original, std::size_t original_end,
                  std::size_t length, bool one_to_one) {
        const bool linear = one_to_one && original_end - original == length;
        const bool continues = linear && !segments_.empty() && segments_.back().linear &&
                               segments_.back().original + (normalized - segments_.back().normalized) ==
                                   original;
        if (!continues) segments_.push_back({normalized, original, linear});
        last_unit_normalized_ = normalized;
        last_unit_original_ = original;
        last_original_end_ = original_end;
    }

    // Records `length` ASCII bytes copied one to one (the 8-byte fast path): a linear stretch
    // whose last byte is the last unit, as if each byte had been added alone.
    void add_run(std::size_t normalized, std::size_t original, std::size_t length) {
        add_unit(normalized, original, original + 1, 1, true);
        last_unit_normalized_ = normalized + length - 1;
        last_unit_original_ = original + length - 1;
        last_original_end_ = original + length;
    }

    // Removed input bytes that end at original_end join the last unit, which becomes non-linear.
    void attach_removed(std::size_t original_end) {
        if (segments_.empty()) return;
        segment& last = segments_.back();
        if (last.linear) {
            if (last.normalized == last_unit_normalized_) {
                last.linear = false;
            } else {
                segments_.push_back({last_unit_normalized_, last_unit_original_, false});
            }
        }
        last_original_end_ = original_end;
    }

    // What add_unit and attach_removed change, so that a starter already written can be taken
    // back when the characters after it turn out to compose with it.
    struct state {
        std::size_t count = 0;
        segment back{};
        std::size_t last_unit_normalized = 0, last_unit_original = 0, last_original_end = 0;
    };

    [[nodiscard]] state save() const noexcept {
        state s;
        s.count = segments_.size();
        if (s.count != 0) s.back = segments_.back();
        s.last_unit_normalized = last_unit_normalized_;
        s.last_unit_original = last_unit_original_;
        s.last_original_end = last_original_end_;
        return s;
    }

    void restore(const state& s) {
        segments_.resize(s.count);
        if (s.count != 0) segments_.back() = s.back;
        last_unit_normalized_ = s.last_unit_normalized;
        last_unit_original_ = s.last_unit_original;
        last_original_end_ = s.last_original_end;
    }

    void finish(std::size_t normalized_size) {
        normalized_size_ = normalized_size;
        segments_.push_back({normalized_size, last_original_end_, false});
    }

    std::vector<segment> segments_;
    std::size_t normalized_size_ = 0;
    std::size_t original_size_ = 0;
    std::size_t last_unit_normalized_ = 0;
    std::size_t last_unit_original_ = 0;
    std::size_t last_original_end_ = 0;
};

namespace detail {

// ASCII replacement of typographic punctuation and spaces: nullptr when the code point is not
// folded, "" when it is removed.
[[nodiscard]] constexpr const char* punctuation_folding(char32_t cp) noexcept {
    switch (cp) {
        case 0x00A0: case 0x1680: case 0x2000: case 0x2001: case 0x2002: case 0x2003: case 0x2004:
        case 0x2005: case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200A: case 0x202F:
        case 0x205F: case 0x3000:
            return " ";
        case 0x00AB: case 0x00BB: case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
        case 0x2036: case 0x301D: case 0x301E: case 0x301F:
            return "\"";
        case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x2035: case 0x2039:
        case 0x203A:
            return "'";
        case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
            return "-";
        case 0x2026:
            return "...";
        case 0x00AD: case 0x200B: case 0x2060: case 0xFEFF:
            return "";
        default:
            return nullptr;
    }
}

[[nodiscard]] constexpr bool maybe_punctuation(char32_t cp) noexcept {
    return (cp >= 0xA0 && cp <= 0xBB) || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x2060) || cp == 0x2212 ||
           (cp >= 0x3000 && cp <= 0x301F) || cp == 0xFEFF;
}

// A small fixed-capacity sequence of code points for one code point's replacement.
struct code_point_buffer {
    static constexpr std::size_t capacity = std::size_t{unicode::data::compat_max_length} *
                                            unicode::data::full_fold_max_length *
                                            unicode::data::strip_max_length;
    char32_t data[capacity];
    std::size_t size = 0;

    void push(char32_t cp) noexcept { data[size++] = cp; }
    void append(std::u32string_view s) noexcept {
        for (char32_t c : s) data[size++] = c;
    }
};

struct ascii_tables {
    char folded[128];
};

constexpr ascii_tables make_ascii_tables(bool fold) {
    ascii_tables t{};
    for (int c = 0; c < 128; ++c) t.folded[c] = static_cast<char>(fold && c >= 'A' && c <= 'Z' ? c + 32 : c);
    return t;
}

inline constexpr ascii_tables ascii_folding = make_ascii_tables(true);
inline constexpr ascii_tables ascii_identity = make_ascii_tables(false);

// The UTF-8 lead byte of a code point below U+0800: every code point at or above cp starts with
// a byte at least this large.
[[nodiscard]] constexpr unsigned lead_byte(char32_t cp) noexcept {
    return cp < 0x80 ? static_cast<unsigned>(cp) : 0xC0u | static_cast<unsigned>(cp >> 6);
}
static_assert(unicode::data::nfc_first_sensitive < 0x800 && unicode::data::nfkc_first_sensitive < 0x800 &&
              unicode::data::nfkc_first_sensitive >= 0x80);

// Canonical ordering of one run of non-starters: a stable sort by combining class. Insertion sort
// for the usual short runs, a counting sort (linear) for long ones.
inline void stable_sort_by_class(char32_t* run, std::size_t size) {
    if (size <= 32) {
        for (std::size_t i = 1; i < size; ++i) {
            const char32_t c = run[i];
            const auto cc = unicode::combining_class(c);
            std::size_t k = i;
            for (; k > 0 && unicode::combining_class(run[k - 1]) > cc; --k) run[k] = run[k - 1];
            run[k] = c;
        }
        return;
    }
    std::vector<std::size_t> start(257, 0);
    for (std::size_t i = 0; i < size; ++i) ++start[std::size_t{unicode::combining_class(run[i])} + 1];
    for (std::size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
    std::vector<char32_t> sorted(size);
    for (std::size_t i = 0; i < size; ++i) sorted[start[unicode::combining_class(run[i])]++] = run[i];
    std::copy(sorted.begin(), sorted.end(), run);
}

// Brings cps to NFC (NFKC when compatibility is true) in place: full decomposition, canonical
// ordering (a stable sort of each run of non-starters by combining class), then canonical
// composition (UAX #15 section 3.11 and Unicode chapter 3.11). scratch is working space.
inline void to_normal_form(std::u32string& cps, std::u32string& scratch, bool compatibility) {
    scratch.clear();
    for (char32_t c : cps) unicode::decompose(c, compatibility, [&](char32_t d) { scratch.push_back(d); });
    for (std::size_t i = 0; i < scratch.size();) {
        if (unicode::combining_class(scratch[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        while (j < scratch.size() && unicode::combining_class(scratch[j]) != 0) ++j;
        if (j - i > 1) stable_sort_by_class(scratch.data() + i, j - i);
        i = j;
    }
    cps.clear();
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t starter = none;
    int last_class = -1;  // class of the last character kept after the starter; -1 when none
    for (char32_t c : scratch) {
        const int cc = unicode::combining_class(c);
        const bool blocked = last_class != -1 && (last_class == 0 || last_class >= cc);
        if (starter != none && !blocked) {
            const char32_t composite = unicode::compose(cps[starter], c);
            if (composite != 0) {
                cps[starter] = composite;
                continue;
            }
        }
        if (cc == 0) {
            starter = cps.size();
            last_class = -1;
        } else {
            last_class = cc;
        }
        cps.push_back(c);
    }
}

}  // namespace detail

/// Normalizes text under fixed options. Cheap to copy; const member functions are thread-safe.
class normalizer {
public:
    normalizer() = default;
    explicit normalizer(const normalize_options& options) : options_(options) {}

    [[nodiscard]] const normalize_options& options() const noexcept { return options_; }

    [[nodiscard]] std::string operator()(std::string_view text) const {
        std::string out;
        normalize(text, out);
        return out;
    }

    /// Writes the normalized text to out, replacing its contents and reusing its capacity.
    void normalize(std::string_view text, std::string& out) const { run<false>(text, out, nullptr); }

    /// As above, and fills map with the offsets back into text.
    void normalize(std::string_view text, std::string& out, offset_map& map) const {
        run<true>(text, out, &map);
    }

    /// The per-code-point mappings the options enable (compatibility folding when canonical
    /// equivalence is off, case folding, diacritic stripping) applied to cp, into result; returns
    /// false when nothing changes. Punctuation folding and normal forms are not applied. For
    /// passes that reproduce the normalizer's output piece by piece (normalizing_word_shingler).
    bool map_code_point(char32_t cp, detail::code_point_buffer& result) const noexcept;

private:
    template <bool WithMap>
    void run(std::string_view text, std::string& out, offset_map* map) const;

    normalize_options options_{};
};

inline bool normalizer::map_code_point(char32_t cp, detail::code_point_buffer& result) const noexcept {
    // Each stage reads `from` and writes `to`; the buffers swap roles, nothing is copied whole.
    detail::code_point_buffer scratch;
    detail::code_point_buffer* from = &result;
    detail::code_point_buffer* to = &scratch;
    result.size = 0;
    result.push(cp);
    bool changed = false;
    if (options_.fold_compatibility && !options_.canonical_equivalence && unicode::has_mapping(cp)) {
        const auto m = unicode::compatibility_folding(cp);
        if (!m.empty()) {
            result.size = 0;
            result.append(m);
            changed = true;
        }
    }
    // One stage: each code point of *from goes to *to, replaced by replacement(c) when that is
    // not empty; the buffers then swap roles.
    const auto stage = [&](auto&& replacement, auto&& removed) {
        to->size = 0;
        for (std::size_t i = 0; i < from->size; ++i) {
            const char32_t c = from->data[i];
            const std::u32string_view m = unicode::has_mapping(c) ? replacement(c) : std::u32string_view{};
            if (removed(c)) {
                changed = true;
            } else if (m.empty()) {
                to->push(c);
            } else {
                to->append(m);
                changed = true;
            }
        }
        std::swap(from, to);
    };
    const auto never = [](char32_t) { return false; };
    if (options_.case_fold == case_folding::full) stage(unicode::full_case_folding, never);
    if (options_.case_fold == case_folding::simple) stage(unicode::simple_case_folding, never);
    if (options_.strip_diacritics) stage(unicode::diacritic_stripping, unicode::is_strippable_mark);
    if (from != &result) {
        std::copy(from->data, from->data + from->size, result.data);
        result.size = from->size;
    }
    return changed;
}

template <bool WithMap>
void normalizer::run(std::string_view text, std::string& out, offset_map* map) const {
    constexpr std::size_t slack = 64;
    const std::size_t n = text.size();
    out.resize(n + slack);
    if constexpr (WithMap) map->reset(n);
    const detail::ascii_tables& ascii =
        options_.case_fold == case_folding::none ? detail::ascii_identity : detail::ascii_folding;
    const bool collapse = options_.collapse_whitespace;
    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    char* o = out.data();
    std::size_t w = 0;    // bytes written
    std::size_t pos = 0;  // bytes read
    bool pending_space = false;
    std::size_t space_begin = 0, space_end = 0;

    // Invariant: out has room for the rest of the input plus slack, since ASCII never grows.
    const auto reserve = [&](std::size_t extra) {
        const std::size_t need = w + extra + (n - pos) + slack;
        if (need > out.size()) {
            out.resize(std::max(need, out.size() * 2));
            o = out.data();
        }
    };
    // Whitespace in [begin, end) starts or extends the pending run, written at the next output.
    const auto extend_space = [&](std::size_t begin, std::size_t end) {
        if (!pending_space) {
            pending_space = true;
            space_begin = begin;
        }
        space_end = end;
    };
    // With whitespace collapsing, spaces that a mapping produced (compatibility mappings such as
    // U+00A8 to " " + U+0308, or " " alone once the mark is stripped) join the whitespace around
    // them like spaces of the input: all spaces, the output is whitespace; leading spaces are
    // dropped where a run is pending or nothing was written yet; trailing ones start a run.
    struct mapped_spaces {
        bool all = false;
        std::size_t lead = 0, trail = 0;
    };
    const auto spaces_of = [&](const char* bytes, std::size_t length) {
        mapped_spaces s;
        if (!collapse) return s;
        while (s.lead < length && bytes[s.lead] == ' ') ++s.lead;
        if (s.lead == length) {
            s.all = true;
            return s;
        }
        while (bytes[length - 1 - s.trail] == ' ') ++s.trail;
        if (!pending_space && w != 0) s.lead = 0;
        return s;
    };
    const auto flush_space = [&] {
        if (!pending_space) return;
        pending_space = false;
        if (w == 0) return;  // leading whitespace is dropped
        if constexpr (WithMap) map->add_unit(w, space_begin, space_end, 1, space_end - space_begin == 1);
        o[w++] = ' ';
    };

    // Canonical equivalence. A code point is "sensitive" when it might change under NFC (NFKC):
    // a non-zero combining class, or a quick check of No or Maybe. Every other code point is a
    // starter that nothing before it composes with, so text between two of them normalizes on its
    // own (so does text from a sensitive code point that starts a segment, see
    // unicode::starts_normalization_segment). The last such starter written is remembered (input offset, output offset, map state):
    // when a sensitive code point follows, the segment from that starter to the next insensitive
    // code point is brought to the normal form, and if that changes it the starter's output is
    // taken back and the segment is written as one unit of the map.
    const bool canonical = options_.canonical_equivalence;
    const bool nfk = canonical && options_.fold_compatibility;
    const char32_t first_sensitive = nfk ? unicode::data::nfkc_first_sensitive : unicode::data::nfc_first_sensitive;
    // The 8-byte path stops before a block whose next byte may start a sensitive code point.
    const unsigned sensitive_lead = canonical ? detail::lead_byte(first_sensitive) : 0x100u;
    constexpr std::size_t no_starter = static_cast<std::size_t>(-1);
    std::size_t starter_pos = no_starter, starter_w = 0;
    [[maybe_unused]] offset_map::state starter_map{};
    std::size_t verified_until = 0;  // [.., verified_until) was found already in normal form
    std::u32string segment, normal, head, tail, scratch;
    std::vector<std::size_t> offsets;                          // input offset of each code point of segment
    std::vector<std::pair<std::size_t, std::size_t>> units;
    const auto note_starter = [&](std::size_t at) {
        starter_pos = at;
        starter_w = w;
        if constexpr (WithMap) starter_map = map->save();
    };
    // Encodes cp as the per-code-point steps make it (mappings, punctuation) onto dest; returns
    // the number of code points written.
    const auto encode_mapped = [&](char32_t cp, std::string& dest) {
        detail::code_point_buffer seq;
        const bool has_mapping = (unicode::property_byte(cp) &
                                  (unicode::detail::mapped_bit | unicode::detail::strippable_mark_bit)) != 0;
        if (!has_mapping || !map_code_point(cp, seq)) {
            seq.size = 0;
            seq.push(cp);
        }
        std::size_t code_points = 0;
        for (std::size_t i = 0; i < seq.size; ++i) {
            const char* folded = options_.fold_punctuation ? detail::punctuation_folding(seq.data[i]) : nullptr;
            if (folded == nullptr) {
                char buffer[4];
                dest.append(buffer, encode_utf8(seq.data[i], buffer));
                ++code_points;
            }
            for (; folded != nullptr && *folded != '\0'; ++folded, ++code_points) dest.push_back(*folded);
        }
        return code_points;
    };
    // The sensitive code point at `at` (decoded as cp): normalizes its segment. Returns where the
    // main loop goes on: `at` when the segment was already in normal form (it is then processed
    // as usual), else the end of the segment, written.
    const auto canonical_segment = [&](std::size_t at) -> std::size_t {
        std::size_t begin = starter_pos;
        if (begin == no_starter || unicode::starts_normalization_segment(decode_utf8(text, at).code_point, nfk))
            begin = at;
        segment.clear();
        offsets.clear();
        std::size_t q = begin;
        while (q < n) {
            const auto c = static_cast<unsigned char>(in[q]);
            if (c < 0x80) {
                if (q > at) break;  // ASCII is never sensitive
                segment.push_back(c);
                offsets.push_back(q);
                ++q;
                continue;
            }
            const auto d = decode_utf8(text, q);
            if (!d.valid) break;
            if (q > at && (!unicode::is_normalization_sensitive(d.code_point, nfk) ||
                           unicode::starts_normalization_segment(d.code_point, nfk) ||
                           (collapse && unicode::is_white_space(d.code_point))))
                break;
            segment.push_back(d.code_point);
            offsets.push_back(q);
            q += d.length;
        }
        offsets.push_back(q);
        normal = segment;
        detail::to_normal_form(normal, scratch, nfk);
        if (normal == segment) {
            verified_until = q;
            return at;
        }
        // Units for the offset map: the segment splits into the shortest pieces whose normal forms,
        // put together, give the normal form of the whole (so "…" + U+1161 under NFKC maps "..."
        // and the jamo apart, and "e" + U+0301 + jamo maps "é" and the jamo apart). Segments
        // longer than a few code points are one unit.
        constexpr std::size_t refine_limit = 16;
        units.clear();  // (code points of segment, code points of normal) per unit
        {
            std::size_t i = 0, k = 0;
            while (i < segment.size()) {
                std::size_t j = segment.size();
                std::size_t produced = normal.size() - k;
                for (std::size_t cut = i + 1; cut < segment.size() && segment.size() <= refine_limit; ++cut) {
                    head.assign(segment.begin() + static_cast<std::ptrdiff_t>(i),
                                segment.begin() + static_cast<std::ptrdiff_t>(cut));
                    detail::to_normal_form(head, scratch, nfk);
                    tail.assign(segment.begin() + static_cast<std::ptrdiff_t>(cut), segment.end());
                    detail::to_normal_form(tail, scratch, nfk);
                    const auto here = normal.begin() + static_cast<std::ptrdiff_t>(k);
                    if (head.size() + tail.size() == normal.size() - k && std::equal(head.begin(), head.end(), here) &&
                        std::equal(tail.begin(), tail.end(), here + static_cast<std::ptrdiff_t>(head.size()))) {
                        j = cut;
                        produced = head.size();
                        break;
                    }
                }
                units.emplace_back(j - i, produced);
                i = j;
                k += produced;
            }
        }
        std::size_t first_input = 0, first_output = 0, first_unit = 0;
        if (begin != at) {
            if (units[0].first == 1 && units[0].second == 1 && normal[0] == segment[0]) {
                // Nothing composed with the starter and it is unchanged: it stays written.
                first_input = first_output = first_unit = 1;
            } else {  // take back the starter
                w = starter_w;
                if constexpr (WithMap) map->restore(starter_map);
            }
        }
        starter_pos = no_starter;
        pos = q;  // reserve counts the input left from pos
        std::string bytes;
        for (std::size_t u = first_unit; u < units.size(); ++u) {
            bytes.clear();
            std::size_t code_points = 0;
            for (std::size_t i = 0; i < units[u].second; ++i) code_points += encode_mapped(normal[first_output + i], bytes);
            const std::size_t from = offsets[first_input], to = offsets[first_input + units[u].first];
            first_input += units[u].first;
            first_output += units[u].second;
            if (bytes.empty()) {
                if constexpr (WithMap) map->attach_removed(to);
                continue;
            }
            const mapped_spaces spaces = spaces_of(bytes.data(), bytes.size());
            if (spaces.all) {
                extend_space(from, to);
                continue;
            }
            flush_space();
            const std::size_t length = bytes.size() - spaces.lead - spaces.trail;
            reserve(length);
            if constexpr (WithMap)
                map->add_unit(w, from, to, length, code_points == 1 && units[u].first == 1 && length == bytes.size());
            std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(spaces.lead),
                      bytes.begin() + static_cast<std::ptrdiff_t>(spaces.lead + length), o + w);
            w += length;
            if (spaces.trail != 0) extend_space(to, to);
        }
        return q;
    };

    const bool fold_ascii = options_.case_fold != case_folding::none;
    while (pos < n) {
        // Fast path: 8 ASCII bytes with no control characters and no doubled spaces are copied
        // (lower-cased) at once. A block ending in a space leaves that space pending, so output
        // never ends in a space that a following whitespace run would double.
        {
            while (!pending_space && pos + 8 <= n) {
                if (pos + 8 < n && in[pos + 8] >= sensitive_lead) break;
                std::uint64_t word = detail::load8(in + pos);
                if (word & detail::highs) break;
                if (collapse) {
                    const std::uint64_t spaces = detail::bytes_equal(word, ' ');
                    const bool irregular = detail::bytes_below(word, 0x20) != 0 || (spaces & (spaces >> 8)) != 0 ||
                                           (w == 0 && (word & 0xFF) == ' ');
                    if (irregular) break;
                }
                if (fold_ascii) word = detail::ascii_lower(word);
                for (int i = 0; i < 8; ++i) o[w + static_cast<std::size_t>(i)] = static_cast<char>(word >> (8 * i));
                const std::size_t run_start = w;
                w += 8;
                pos += 8;
                const bool ends_in_space = collapse && (word >> 56) == ' ';
                if (ends_in_space) --w;
                if constexpr (WithMap) map->add_run(run_start, pos - 8, w - run_start);
                if (ends_in_space) extend_space(pos - 1, pos);
            }
            if (pos >= n) break;
        }
        const unsigned c = in[pos];
        if (c < 0x80) {
            if (collapse && unicode::is_white_space(c)) {
                extend_space(pos, pos + 1);
                starter_pos = no_starter;
                ++pos;
                continue;
            }
            flush_space();
            note_starter(pos);
            if constexpr (WithMap) map->add_unit(w, pos, pos + 1, 1, true);
            o[w++] = ascii.folded[c];
            ++pos;
            continue;
        }

        const auto d = decode_utf8(text, pos);
        const std::size_t next = pos + d.length;
        if (!d.valid) {
            if (options_.on_invalid == invalid_utf8::error) detail::throw_parse_error("invalid UTF-8", pos);
            starter_pos = no_starter;
            if (options_.on_invalid == invalid_utf8::skip) {
                if constexpr (WithMap) map->attach_removed(next);
                pos = next;
                continue;
            }
        }
        const char32_t cp = d.code_point;
        const std::uint8_t property = unicode::property_byte(cp);
        if (collapse && unicode::is_white_space(cp, property)) {
            extend_space(pos, next);
            starter_pos = no_starter;
            pos = next;
            continue;
        }
        const bool punctuation = options_.fold_punctuation && detail::maybe_punctuation(cp);
        const bool mapped = (property & (unicode::detail::mapped_bit | unicode::detail::strippable_mark_bit)) != 0;
        if (d.valid && !punctuation && !mapped) {
            flush_space();
            note_starter(pos);
            if constexpr (WithMap) map->add_unit(w, pos, next, d.length, true);
            // At most 4 bytes: a loop, not a call to memmove.
            for (std::size_t i = 0; i < d.length; ++i) o[w + i] = text[pos + i];
            w += d.length;
            pos = next;
            continue;
        }

        if (canonical && d.valid && cp >= first_sensitive && pos >= verified_until &&
            unicode::is_normalization_sensitive(cp, nfk)) {
            const std::size_t at = pos;
            const std::size_t resume = canonical_segment(at);
            if (resume != at) {
                pos = resume;
                continue;
            }
        }
        detail::code_point_buffer seq;
        if (!mapped || !map_code_point(cp, seq)) {
            seq.size = 0;
            seq.push(cp);
        }
        char encoded[detail::code_point_buffer::capacity * 4];
        std::size_t length = 0, code_points = 0;
        for (std::size_t i = 0; i < seq.size; ++i) {
            const char* folded = options_.fold_punctuation ? detail::punctuation_folding(seq.data[i]) : nullptr;
            if (folded == nullptr) {
                length += encode_utf8(seq.data[i], encoded + length);
                ++code_points;
            }
            for (; folded != nullptr && *folded != '\0'; ++folded, ++code_points) encoded[length++] = *folded;
        }
        if (length == 0) {  // the code point was removed
            if (d.valid) note_starter(pos);
            if constexpr (WithMap) map->attach_removed(next);
            pos = next;
            continue;
        }
        const mapped_spaces spaces = spaces_of(encoded, length);
        if (spaces.all) {
            extend_space(pos, next);
            starter_pos = no_starter;
            pos = next;
            continue;
        }
        flush_space();
        // A starter whose output ends in a pending space cannot be taken back (the run would stay).
        if (d.valid && spaces.trail == 0) note_starter(pos);
        else starter_pos = no_starter;
        const std::size_t kept = length - spaces.lead - spaces.trail;
        reserve(kept);
        if constexpr (WithMap) map->add_unit(w, pos, next, kept, code_points == 1 && kept == length);
        for (std::size_t i = 0; i < kept; ++i) o[w + i] = encoded[spaces.lead + i];
        w += kept;
        if (spaces.trail != 0) extend_space(next, next);
        pos = next;
    }
    if constexpr (WithMap) map->finish(w);
    out.resize(w);
}

/// Normalizes text with the given options (a convenience over ditto::normalizer).
[[nodiscard]] inline std::string normalize(std::string_view text, const normalize_options& options = {}) {
    return normalizer(options)(text);
}

}  // namespace ditto
