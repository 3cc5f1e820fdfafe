#pragma once
// New documents against a stored index: for each new document, the indexed documents whose
// shingle sets are similar to its own at or above the index's threshold.
//
// A new document is sketched exactly as ditto::dedup sketches documents, with the index's
// parameters (index_sketcher): normalized, word shingles or character k-grams, the default
// MinHash sketcher with 32-bit slots, the index's bands x rows; or, for an index a caller's
// parts built, with those parts (dedup_components.hpp). A candidate pair is judged
//   - exactly, when the caller's accessor gives the indexed document's text and that text has
//     the hash the index recorded: the Jaccard similarity of the two shingle sets;
//   - else estimated from the signatures (equal slots / slots), and marked as estimated.
//
// Exact duplicates are collapsed on both sides first, so that a text repeated 10^5 times in the
// index and 10^5 times among the new documents costs one judgement, not 10^10:
//   - new documents: byte-identical texts, then identical normalized texts (128-bit content
//     hashes confirmed by comparing the texts, as ditto::dedup does), one "unit" each, named by
//     its first document (exact_of); a unit is sketched, looked up and judged once;
//   - indexed documents: those with the same stored text hash and the same signature form a
//     group named by its lowest number. Only the groups' first documents are looked up (their
//     band records; a copy's are the same). When a group is a candidate of some unit, its
//     members' texts are fetched once and split by what can be confirmed: the members whose
//     text is available and equal to the first available one, the members whose text is not
//     available (judged from their common signature, so they share every estimate), and any
//     member whose text differs (a hash collision) on its own. Each part is named by its lowest
//     number (indexed_of) and judged once per unit.
// So the matches are compact: one per (unit, part), and expand_matches / for_each_match list
// every (new document, indexed document) pair they stand for, which is exactly the answer of a
// brute force judging every pair. Work is linear in the documents plus the compact candidate
// pairs; a group is fetched once however many units it is a candidate of.
//
// A document without shingles (too few words for one shingle) matches nothing in the index: its
// signature is empty and has no band records. (ditto::dedup pairs it with its exact duplicates
// among the documents it is given; with --also-within the tool does that among new documents.)
//
// Every parallel stage writes by index and is joined in a fixed order, so the result is the same
// whatever the executor and its thread count.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/dedup.hpp>
#include <ditto/dedup_components.hpp>
#include <ditto/detail/erased.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/exact_duplicates.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/parameters.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text_source.hpp>
#include <ditto/verify.hpp>

namespace ditto::inline v0_1 {

/// The parameters of a stored index whose documents are sketched as ditto::dedup sketches them
/// with options o: o's shingles, the default sketcher with 32-bit slots, o's LSH shape.
[[nodiscard]] inline index_parameters index_parameters_for(const dedup_options& o) {
    index_parameters p;
    p.shingles = o.shingles;
    p.shingle_size = static_cast<std::uint32_t>(o.ngram);
    p.normalization = o.normalization;
    p.text_pipeline = text_pipeline_id;
    p.seed = o.seed;
    p.sketch = sketch_kind::fast;
    p.slots = static_cast<std::uint32_t>(o.sketch_size);
    p.slot_bits = 32;
    p.lsh = o.lsh();
    p.threshold = o.threshold;
    p.recall = o.recall;
    return p;
}

namespace detail {
// The 32-bit slots of shingle hashes into out, or every slot 2^32 - 1 (a stored index's empty
// signature) when there are none: then false.
template <class Sketcher>
bool sign_or_empty(const Sketcher& sketcher, std::span<const std::uint64_t> hashes, std::span<std::uint32_t> out) {
    if (hashes.empty()) {
        std::fill(out.begin(), out.end(), std::numeric_limits<std::uint32_t>::max());
        return false;
    }
    sketcher.fill(hashes, out);
    return true;
}
}  // namespace detail

/// Sketches texts as ditto::dedup does, with the parameters of a stored index (word shingles or
/// character k-grams, the default sketcher, 32-bit slots). Stateless after construction: share it
/// between threads.
class index_sketcher {
public:
    /// Throws std::invalid_argument when the parameters are not those of documents sketched the
    /// way ditto::dedup sketches them (sketch kind fast, 32-bit slots).
    explicit index_sketcher(const index_parameters& p)
        : parameters_(p), normalize_(p.normalization), shingle_(checked_size(p), p.seed), chars_(p.shingle_size, p.seed),
          sketcher_(mix64(p.seed, 0x5ce7c4e5)) {}

    [[nodiscard]] const index_parameters& parameters() const noexcept { return parameters_; }

    /// The text's shingle hashes in text order (repeats kept) into hashes, scratch holding the
    /// normalized text.
    void shingles(std::string_view text, std::string& scratch, std::vector<std::uint64_t>& hashes) const {
        if (parameters_.shingles == shingle_kind::words) shingle_text(text, normalize_, shingle_, scratch, hashes);
        else shingle_text(text, normalize_, chars_, scratch, hashes);
    }
    /// The text's sorted, repeat-free shingle set into set.
    void shingle_set(std::string_view text, std::string& scratch, std::vector<std::uint64_t>& set) const {
        shingles(text, scratch, set);
        make_set(set);
    }
    /// The normalized text into out.
    void normalize(std::string_view text, std::string& out) const { normalize_.normalize(text, out); }
    /// The 32-bit slots of shingle hashes (in any order, repeats allowed) into out
    /// (parameters().slots values): every slot 2^32 - 1 when there are none. Returns false then.
    bool sign(std::span<const std::uint64_t> hashes, std::span<std::uint32_t> out) const {
        return detail::sign_or_empty(sketcher_, hashes, out);
    }
    /// The signature of shingle hashes (as shingles() gives them, in any order) into out
    /// (parameters().slots values): every slot 2^32 - 1 when there are none (the empty signature
    /// of a stored index). Returns false for the empty signature.
    bool sign(std::span<const std::uint64_t> hashes, std::span<std::uint64_t> out) const {
        if (hashes.empty()) {
            std::fill(out.begin(), out.end(), std::uint64_t{std::numeric_limits<std::uint32_t>::max()});
            return false;
        }
        std::vector<std::uint32_t> slots(out.size());
        sketcher_.fill(hashes, std::span<std::uint32_t>(slots));
        std::copy(slots.begin(), slots.end(), out.begin());
        return true;
    }

private:
    static std::size_t checked_size(const index_parameters& p) {
        if ((p.shingles != shingle_kind::words && p.shingles != shingle_kind::characters) ||
            p.sketch != sketch_kind::fast || p.slot_bits != 32)
            detail::throw_invalid_argument("index_sketcher", "parameters",
                                           "word or character shingles, sketch kind fast, 32-bit slots", "others");
        return p.shingle_size;
    }
    index_parameters parameters_;
    normalizer normalize_;
    word_shingler<> shingle_;
    char_shingler<> chars_;
    minhash_sketcher sketcher_;
};

/// A new unit and an indexed part at or above the threshold, in compact form (see the top of
/// this file): it stands for every pair of a new document of the unit and an indexed document of
/// the part.
struct against_match {
    std::size_t document = 0;   ///< the new document: the first of its normalized text (exact_of)
    std::uint32_t indexed = 0;  ///< the indexed document: the lowest of its part (indexed_of)
    double similarity = 0;      ///< exact Jaccard, or the signature estimate when estimated
    bool estimated = false;     ///< the indexed text was not available (or not the indexed one)
    friend bool operator==(const against_match&, const against_match&) = default;
};

/// What dedup_against found.
struct against_result {
    /// Compact, sorted by (document, indexed): each document is its own exact_of, each indexed
    /// document its own indexed_of. expand_matches / for_each_match list every pair.
    std::vector<against_match> matches;
    /// Per new document: the first new document with the same normalized text (itself when none
    /// comes before it).
    std::vector<std::size_t> exact_of;
    /// Per indexed document: the indexed document standing for it in matches, the lowest of its
    /// part (itself when it has no copy, or its group was no candidate of any new document).
    std::vector<std::uint32_t> indexed_of;
    std::size_t documents = 0;         ///< new documents
    std::size_t empty_documents = 0;   ///< of those, without shingles
    std::size_t exact_duplicates = 0;  ///< new documents whose normalized text an earlier one has
    std::size_t units = 0;             ///< distinct normalized new texts
    std::size_t indexed_copies = 0;    ///< indexed documents standing in for a lower one (indexed_of[d] != d)
    std::size_t candidates = 0;        ///< (unit, indexed part) pairs sharing a band key, each counted once
    std::size_t exact = 0;             ///< candidates judged from both texts
    std::size_t estimated = 0;         ///< candidates judged from the signatures
    std::size_t fetched = 0;           ///< indexed texts fetched to split groups of copies into parts
};

namespace detail {

// Runs f(first, last) over [0, n) in chunks of `chunk` on exec.
template <executor E, class F>
void against_chunks(E& exec, std::size_t n, std::size_t chunk, F&& f) {
    exec.bulk((n + chunk - 1) / chunk, [&](std::size_t task) {
        const std::size_t first = task * chunk;
        f(task, first, std::min(n, first + chunk));
    });
}

// Indexed documents with the same stored text hash and the same signature: of[d] is the lowest
// such document (d itself for the first, and for every document with the empty signature);
// records holds the band records of the documents that are their own first (filled only when
// some document has a copy: else the index's records are those).
struct indexed_copy_groups {
    std::vector<std::uint32_t> of;
    std::vector<band_record> records;
    bool any = false;
};

[[nodiscard]] inline indexed_copy_groups group_indexed_copies(const stored_index& index) {
    const std::size_t count = index.documents.size();
    const std::uint64_t empty = slot_mask(index.parameters.slot_bits);
    indexed_copy_groups g;
    g.of.resize(count);
    std::vector<std::uint32_t> order;
    order.reserve(count);
    for (std::size_t d = 0; d < count; ++d) {
        g.of[d] = static_cast<std::uint32_t>(d);
        if (index.parameters.slots > 0 && index.signature(d)[0] != empty) order.push_back(static_cast<std::uint32_t>(d));
    }
    const auto hash = [&](std::uint32_t d) -> const content_hash& { return index.documents[d].text_hash; };
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return hash(a) != hash(b) ? hash(a) < hash(b) : a < b;
    });
    // Within a run of equal hashes, each document joins the first earlier one with its signature.
    // Runs with more than one signature are hash collisions, so the inner loop is over one or two
    // firsts in practice, whatever the run's length.
    std::vector<std::uint32_t> firsts;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t end = i + 1;
        while (end < order.size() && hash(order[end]) == hash(order[i])) ++end;
        firsts.clear();
        for (std::size_t j = i; j < end; ++j) {
            const std::uint32_t d = order[j];
            const auto mine = index.signature(d);
            bool joined = false;
            for (const std::uint32_t f : firsts) {
                const auto theirs = index.signature(f);
                if (std::equal(mine.begin(), mine.end(), theirs.begin())) {
                    g.of[d] = f;
                    g.any = joined = true;
                    break;
                }
            }
            if (!joined) firsts.push_back(d);
        }
        i = end;
    }
    if (g.any)
        for (const band_record& r : index.band_records)
            if (g.of[r.document] == r.document) g.records.push_back(r);
    return g;
}

// The documents of records sharing a band key with keys (one per band), sorted and unique.
inline void against_candidates(std::span<const band_record> records, std::span<const std::uint64_t> keys,
                               std::vector<std::uint32_t>& out) {
    out.clear();
    for (std::size_t b = 0; b < keys.size(); ++b) {
        const band_record probe{keys[b], static_cast<std::uint32_t>(b), 0};
        auto it = std::lower_bound(records.begin(), records.end(), probe);
        for (; it != records.end() && it->band == probe.band && it->key == probe.key; ++it) out.push_back(it->document);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

// index_sketcher's interface over a caller's parts (dedup_components.hpp). The "normalized
// text" that tells exact duplicates apart is the normalizer's text followed by the bytes of the
// shingle sequence: as in ditto::dedup, two texts are one unit when both parts make them equal.
template <class Normalizer, class Shingler, class Sketcher>
class component_sketching {
public:
    component_sketching(const Normalizer& n, const Shingler& s, const Sketcher& k) : normalize_(n), shingle_(s), sketch_(k) {}

    void shingles(std::string_view text, std::string& scratch, std::vector<std::uint64_t>& hashes) const {
        hashes.clear();
        shingle_(text, [&](std::uint64_t h) { hashes.push_back(h); });
        normalize_.normalize(text, scratch);
        scratch.append(reinterpret_cast<const char*>(hashes.data()), hashes.size() * sizeof(std::uint64_t));
    }
    void shingle_set(std::string_view text, std::string&, std::vector<std::uint64_t>& set) const {
        set.clear();
        shingle_(text, [&](std::uint64_t h) { set.push_back(h); });
        make_set(set);
    }
    void normalize(std::string_view text, std::string& out) const {
        std::vector<std::uint64_t> hashes;
        shingles(text, out, hashes);
    }
    bool sign(std::span<const std::uint64_t> hashes, std::span<std::uint32_t> out) const {
        return sign_or_empty(sketch_, hashes, out);
    }

private:
    const Normalizer& normalize_;
    const Shingler& shingle_;
    const Sketcher& sketch_;
};

// A range of documents as the pipeline takes its texts: their count, and text(i).
template <std::ranges::random_access_range R>
[[nodiscard]] std::size_t document_count(const R& documents) {
    return static_cast<std::size_t>(std::ranges::size(documents));
}
template <std::ranges::random_access_range R>
[[nodiscard]] auto document_texts(const R& documents) {
    static_assert(stable_document_range<const R&>,
                  "ditto::dedup_against: the range yields documents by value, so each document's text would be "
                  "read after the temporary holding it is gone. Pass a range of lvalues.");
    return range_texts(documents);
}

// The pipeline of dedup_against, with a sketching (index_sketcher's interface) and a verifier.
// The n new texts are text_at(i) or text_at(i, buffer), as fetch_text calls it.
template <class Text, executor E, class IndexedText, class Sketching, class Verifier>
[[nodiscard]] against_result dedup_against_with(const stored_index& index, const std::size_t n, const Text& text_at,
                                                E& exec, IndexedText& indexed_text, const Sketching& sketcher,
                                                const Verifier& verifier) {
    using u32 = std::uint32_t;
    const index_parameters& p = index.parameters;
    if (n > std::numeric_limits<u32>::max() - 1)
        detail::throw_invalid_argument("dedup_against", "documents", "at most 4294967294", std::to_string(n));
    const std::size_t k = p.slots, bands = p.lsh.bands, indexed_count = index.documents.size();
    const double threshold = p.threshold;
    auto text = [&](std::size_t i, std::string& buffer) { return detail::fetch_text(text_at, i, buffer); };
    constexpr std::size_t per_task = 64;
    constexpr u32 none = std::numeric_limits<u32>::max();
    against_result out;
    out.documents = n;

    // 1. Byte-identical new texts: first_raw[i] is the first document with i's bytes.
    std::vector<u32> first_raw = detail::first_same_bytes(exec, n, text, [](std::size_t) {});
    std::vector<u32> distinct;  // the first document of each distinct byte string, ascending
    for (std::size_t i = 0; i < n; ++i)
        if (first_raw[i] == i) distinct.push_back(static_cast<u32>(i));
    const std::size_t distinct_count = distinct.size();

    // 2. Per distinct text: its normalized text's hash, and its band keys when it has shingles.
    std::vector<content_hash> norm_hash(distinct_count);
    std::vector<std::uint64_t> keys(distinct_count * bands);
    std::vector<std::uint8_t> signed_text(distinct_count, 0);
    detail::against_chunks(exec, distinct_count, per_task, [&](std::size_t, std::size_t first, std::size_t last) {
        std::string scratch;
        std::vector<std::uint64_t> hashes;
        std::vector<std::uint32_t> slots(k);
        std::string buffer;
        for (std::size_t d = first; d < last; ++d) {
            sketcher.shingles(text(distinct[d], buffer), scratch, hashes);
            norm_hash[d] = hash128(scratch);
            if (!sketcher.sign(hashes, std::span<std::uint32_t>(slots))) continue;
            signed_text[d] = 1;
            band_keys(std::span<const std::uint32_t>(slots), p.lsh, std::span<std::uint64_t>(keys.data() + d * bands, bands));
        }
    });
    // Identical normalized texts, confirmed by normalizing both (a task remembers the last
    // first text it normalized: a group's members usually come together).
    std::vector<u32> first_norm = first_with_same_hash(norm_hash);
    std::vector<content_hash>().swap(norm_hash);
    detail::against_chunks(exec, distinct_count, 256, [&](std::size_t, std::size_t first, std::size_t last) {
        confirm_same_content(first_norm, first, last, [&](std::size_t d, std::string& normalized) {
            std::string buffer;  // allocates only when the text is fetched into it
            sketcher.normalize(text(distinct[d], buffer), normalized);
        });
    });
    // Units: distinct normalized texts, numbered in the order of their first documents; the
    // band keys of those with shingles compacted to the front, in unit order.
    std::vector<u32> unit_of_distinct(distinct_count), unit_first, unit_row;
    std::size_t units = 0, rows = 0;
    for (std::size_t d = 0; d < distinct_count; ++d) {
        if (first_norm[d] != d) {
            unit_of_distinct[d] = unit_of_distinct[first_norm[d]];
            continue;
        }
        unit_of_distinct[d] = static_cast<u32>(units++);
        unit_first.push_back(distinct[d]);
        if (!signed_text[d]) {
            unit_row.push_back(none);
            continue;
        }
        if (rows != d)
            std::copy_n(keys.begin() + static_cast<std::ptrdiff_t>(d * bands), bands,
                        keys.begin() + static_cast<std::ptrdiff_t>(rows * bands));
        unit_row.push_back(static_cast<u32>(rows++));
    }
    keys.resize(rows * bands);
    std::vector<u32>().swap(first_norm);
    out.exact_of.resize(n);
    {
        std::vector<u32> ordinal(n, 0);
        for (std::size_t d = 0; d < distinct_count; ++d) ordinal[distinct[d]] = static_cast<u32>(d);
        for (std::size_t i = 0; i < n; ++i) {
            const u32 unit = unit_of_distinct[ordinal[first_raw[i]]];
            out.exact_of[i] = unit_first[unit];
            if (unit_row[unit] == none) ++out.empty_documents;
            if (out.exact_of[i] != i) ++out.exact_duplicates;
        }
    }
    std::vector<u32>().swap(first_raw);
    std::vector<u32>().swap(distinct);
    std::vector<u32>().swap(unit_of_distinct);
    out.units = units;

    // 3. Indexed copies, and the candidate groups of each unit (by their first documents).
    detail::indexed_copy_groups groups = detail::group_indexed_copies(index);
    const std::span<const band_record> records =
        groups.any ? std::span<const band_record>(groups.records) : std::span<const band_record>(index.band_records);
    std::vector<u32> candidate_start(units + 1, 0), candidates;
    {
        const std::size_t tasks = (units + per_task - 1) / per_task;
        std::vector<std::vector<u32>> found(tasks);
        detail::against_chunks(exec, units, per_task, [&](std::size_t task, std::size_t first, std::size_t last) {
            std::vector<u32> list;
            for (std::size_t u = first; u < last; ++u) {
                if (unit_row[u] == none) continue;
                detail::against_candidates(records, std::span<const std::uint64_t>(keys.data() + std::size_t{unit_row[u]} * bands, bands),
                                           list);
                candidate_start[u + 1] = static_cast<u32>(list.size());
                found[task].insert(found[task].end(), list.begin(), list.end());
            }
        });
        std::size_t total = 0;
        for (const auto& f : found) total += f.size();
        if (total > std::numeric_limits<u32>::max())
            detail::throw_invalid_argument("dedup_against", "candidate groups", "at most 2^32 - 1", std::to_string(total));
        candidates.reserve(total);
        for (auto& f : found) {
            candidates.insert(candidates.end(), f.begin(), f.end());
            std::vector<u32>().swap(f);
        }
        for (std::size_t u = 0; u < units; ++u) candidate_start[u + 1] += candidate_start[u];
    }
    std::vector<std::uint64_t>().swap(keys);
    std::vector<band_record>().swap(groups.records);

    // 4. The groups with copies that are candidates: their members' texts fetched once, and
    // split into parts (see the top of this file). part_state: 0 not fetched (a group without
    // copies: judged from its own text at step 5), 1 available, 2 not available.
    out.indexed_of.resize(indexed_count);
    for (std::size_t d = 0; d < indexed_count; ++d) out.indexed_of[d] = static_cast<u32>(d);
    std::vector<std::uint8_t> has_copies(indexed_count, 0), part_state(indexed_count, 0);
    for (std::size_t d = 0; d < indexed_count; ++d)
        if (groups.of[d] != d) has_copies[groups.of[d]] = 1;
    std::vector<u32> hit;  // candidate groups with copies, ascending
    for (const u32 g : candidates)
        if (has_copies[g]) hit.push_back(g);
    std::sort(hit.begin(), hit.end());
    hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
    // The members of the groups hit, by (group, document).
    std::vector<u32> members;
    {
        std::vector<std::uint8_t> is_hit(indexed_count, 0);
        for (const u32 g : hit) is_hit[g] = 1;
        for (std::size_t d = 0; d < indexed_count; ++d)
            if (is_hit[groups.of[d]]) members.push_back(static_cast<u32>(d));
        // std::sort by (group, document): libstdc++ 12's stable_sort does not build warning-free
        // under Clang 19 (it uses the deprecated get_temporary_buffer).
        std::sort(members.begin(), members.end(),
                  [&](u32 a, u32 b) { return groups.of[a] != groups.of[b] ? groups.of[a] < groups.of[b] : a < b; });
    }
    std::vector<u32> part_start(hit.size() + 1, 0), parts;  // per group hit: its parts' first documents
    {
        const std::size_t tasks = (hit.size() + 7) / 8;
        std::vector<std::vector<u32>> task_parts(tasks);
        std::vector<std::size_t> task_fetched(tasks, 0);
        std::vector<std::size_t> member_start(hit.size() + 1, 0);
        for (std::size_t h = 0, m = 0; h < hit.size(); ++h) {
            while (m < members.size() && groups.of[members[m]] == hit[h]) ++m;
            member_start[h + 1] = m;
        }
        detail::against_chunks(exec, hit.size(), 8, [&](std::size_t task, std::size_t first, std::size_t last) {
            std::string buffer, first_text;
            for (std::size_t h = first; h < last; ++h) {
                u32 available = none, missing = none;
                std::size_t count = 0;
                for (std::size_t x = member_start[h]; x < member_start[h + 1]; ++x) {
                    const u32 m = members[x];
                    ++task_fetched[task];
                    const bool ok = indexed_text(m, buffer) && hash128(buffer) == index.documents[m].text_hash;
                    u32 part = m;
                    if (!ok) {
                        if (missing == none) {
                            missing = m;
                            part_state[m] = 2;
                        }
                        part = missing;
                    } else if (available == none) {
                        available = m;
                        part_state[m] = 1;
                        first_text.swap(buffer);
                    } else if (buffer == first_text) {
                        part = available;
                    } else {
                        part_state[m] = 1;  // a collision: a part of its own
                    }
                    out.indexed_of[m] = part;
                    if (part == m) {
                        task_parts[task].push_back(m);
                        ++count;
                    }
                }
                part_start[h + 1] = static_cast<u32>(count);
            }
        });
        for (std::size_t h = 0; h < hit.size(); ++h) part_start[h + 1] += part_start[h];
        for (auto& t : task_parts) parts.insert(parts.end(), t.begin(), t.end());
        for (const std::size_t f : task_fetched) out.fetched += f;
    }
    std::vector<u32>().swap(members);
    std::vector<u32>().swap(groups.of);

    // 5. Each unit judged against each part of its candidate groups.
    {
        const std::size_t tasks = (units + per_task - 1) / per_task;
        struct task_result {
            std::vector<against_match> matches;
            std::size_t candidates = 0, exact = 0, estimated = 0;
        };
        std::vector<task_result> results(tasks);
        detail::against_chunks(exec, units, per_task, [&](std::size_t task, std::size_t first, std::size_t last) {
            task_result& r = results[task];
            std::string scratch, other_text, buffer;
            std::vector<std::uint64_t> set, other_set;
            std::vector<std::uint32_t> slots(k);
            std::vector<against_match> found;
            for (std::size_t u = first; u < last; ++u) {
                if (candidate_start[u] == candidate_start[u + 1]) continue;
                sketcher.shingle_set(text(unit_first[u], buffer), scratch, set);
                bool have_slots = false;
                found.clear();
                auto judge = [&](u32 d, std::uint8_t state) {
                    ++r.candidates;
                    double s = -1.0;
                    bool estimated = true;
                    if (state != 2 && indexed_text(d, other_text) && hash128(other_text) == index.documents[d].text_hash) {
                        estimated = false;
                        ++r.exact;
                        sketcher.shingle_set(other_text, scratch, other_set);
                        s = static_cast<double>(verifier(std::span<const std::uint64_t>(set),
                                                         std::span<const std::uint64_t>(other_set), threshold));
                    } else {
                        ++r.estimated;
                        if (!have_slots) {
                            sketcher.sign(std::span<const std::uint64_t>(set), std::span<std::uint32_t>(slots));
                            have_slots = true;
                        }
                        const auto theirs = index.signature(d);
                        std::size_t equal = 0;
                        for (std::size_t x = 0; x < k; ++x) equal += static_cast<std::size_t>(theirs[x] == slots[x]);
                        s = static_cast<double>(equal) / static_cast<double>(k);
                    }
                    if (s >= threshold) found.push_back({unit_first[u], d, s, estimated});
                };
                for (std::size_t c = candidate_start[u]; c < candidate_start[u + 1]; ++c) {
                    const u32 g = candidates[c];
                    if (!has_copies[g]) {
                        judge(g, 0);
                        continue;
                    }
                    const std::size_t h = static_cast<std::size_t>(std::lower_bound(hit.begin(), hit.end(), g) - hit.begin());
                    for (std::size_t x = part_start[h]; x < part_start[h + 1]; ++x) judge(parts[x], part_state[parts[x]]);
                }
                std::sort(found.begin(), found.end(),
                          [](const against_match& a, const against_match& b) { return a.indexed < b.indexed; });
                r.matches.insert(r.matches.end(), found.begin(), found.end());
            }
        });
        for (auto& r : results) {
            out.matches.insert(out.matches.end(), r.matches.begin(), r.matches.end());
            out.candidates += r.candidates;
            out.exact += r.exact;
            out.estimated += r.estimated;
        }
    }
    for (std::size_t d = 0; d < indexed_count; ++d) out.indexed_copies += static_cast<std::size_t>(out.indexed_of[d] != d);
    return out;
}

}  // namespace detail

namespace detail {
// dedup_against_with through the fixed types of detail/erased.hpp: one instantiation per sketching
// and verifier, whatever the executor, texts and indexed-text accessor.
template <executor E, class Text, class IndexedText, class Sketching, class Verifier>
[[nodiscard]] against_result erased_dedup_against(const stored_index& index, std::size_t n, const Text& text, E& exec,
                                                  IndexedText& indexed_text, const Sketching& sketching,
                                                  const Verifier& verifier) {
    executor_ref erased_exec(exec);
    callable_ref<bool(std::uint32_t, std::string&)> erased_indexed(indexed_text);
    return dedup_against_with(index, n, text_ref(text), erased_exec, erased_indexed, sketching, verifier);
}
}  // namespace detail

/// The matches of each new document among the indexed ones (see the top of this file).
/// indexed_text(d, text) puts indexed document d's text into text (a std::string&) and returns
/// true, or returns false when it is not available; it is called from the executor's threads at
/// once and must be safe for that, and must give the same answer for the same d throughout. A
/// text whose hash128 is not the one the index recorded is taken as not available. Throws
/// std::invalid_argument when the index was not sketched as ditto::dedup sketches
/// (index_sketcher) or for more than 2^32 - 2 new documents, and whatever normalization throws.
template <std::ranges::random_access_range R, executor E, class IndexedText>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] against_result dedup_against(const stored_index& index, const R& documents, E& exec,
                                           IndexedText indexed_text) {
    const index_sketcher sketcher(index.parameters);
    return detail::erased_dedup_against(index, detail::document_count(documents), detail::document_texts(documents), exec,
                                        indexed_text, sketcher, jaccard_verifier{});
}

/// As above, for new documents from a text_source (text_source.hpp): their texts are fetched as
/// the stages need them and never all held. The result is the same as for a range of documents
/// with the same texts.
template <text_source S, executor E, class IndexedText>
    requires(!std::ranges::range<S>)
[[nodiscard]] against_result dedup_against(const stored_index& index, const S& source, E& exec,
                                           IndexedText indexed_text) {
    const index_sketcher sketcher(index.parameters);
    return detail::erased_dedup_against(index, static_cast<std::size_t>(source.size()), detail::source_texts(source), exec,
                                        indexed_text, sketcher, jaccard_verifier{});
}

/// As above, for an index whose signatures a caller's parts made (index_builder::add_document
/// with the caller's sketcher's slots): the new documents are normalized, shingled, sketched and
/// verified by parts, which must be the parts that built the index; candidates are the index's
/// band records, so parts.candidates must be the index's banding (lsh_banding of
/// index.parameters.lsh). The index's other parameters (shingle kind and size, normalization,
/// seed, sketch kind) describe ditto's own parts and are not checked. Throws
/// std::invalid_argument when the banding differs or the index's signatures are not 32-bit,
/// and whatever the parts throw.
template <std::ranges::random_access_range R, executor E, class IndexedText, text_normalizer Normalizer,
          document_shingler Shingler, sketcher Sketcher, pair_verifier Verifier>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] against_result dedup_against(const stored_index& index, const R& documents, E& exec,
                                           IndexedText indexed_text,
                                           const dedup_components<Normalizer, Shingler, Sketcher, lsh_banding, Verifier>& parts) {
    const lsh_params have = parts.candidates.params(), want = index.parameters.lsh;
    if (have.bands != want.bands || have.rows != want.rows)
        detail::throw_invalid_argument("dedup_against", "components.candidates",
                                       "the index's banding, " + std::to_string(want.bands) + " x " + std::to_string(want.rows),
                                       std::to_string(have.bands) + " x " + std::to_string(have.rows));
    if (index.parameters.slot_bits != 32)
        detail::throw_invalid_argument("dedup_against", "index", "signatures of 32-bit slots",
                                       std::to_string(index.parameters.slot_bits) + "-bit slots");
    const detail::component_sketching sketching(parts.normalizer, parts.shingler, parts.sketcher);
    return detail::erased_dedup_against(index, detail::document_count(documents), detail::document_texts(documents), exec,
                                        indexed_text, sketching, parts.verifier);
}

/// Every candidate estimated from the signatures (no indexed text at hand).
template <std::ranges::random_access_range R, executor E>
    requires document<std::ranges::range_value_t<R>>
[[nodiscard]] against_result dedup_against(const stored_index& index, const R& documents, E& exec) {
    return dedup_against(index, documents, exec, [](std::uint32_t, std::string&) { return false; });
}

/// Every candidate estimated from the signatures, for new documents from a text_source.
template <text_source S, executor E>
    requires(!std::ranges::range<S>)
[[nodiscard]] against_result dedup_against(const stored_index& index, const S& source, E& exec) {
    return dedup_against(index, source, exec, [](std::uint32_t, std::string&) { return false; });
}

/// The members of the new units and of the indexed parts of a result, for listing its pairs.
class against_groups {
public:
    explicit against_groups(const against_result& r) : result_(&r) {
        const std::size_t n = r.exact_of.size(), d_count = r.indexed_of.size();
        new_start_.assign(n + 1, 0);
        for (std::size_t i = 0; i < n; ++i) ++new_start_[r.exact_of[i] + 1];
        for (std::size_t i = 0; i < n; ++i) new_start_[i + 1] += new_start_[i];
        new_members_.resize(n);
        std::vector<std::size_t> next(new_start_.begin(), new_start_.end() - 1);
        for (std::size_t i = 0; i < n; ++i) new_members_[next[r.exact_of[i]]++] = i;
        indexed_start_.assign(d_count + 1, 0);
        for (std::size_t d = 0; d < d_count; ++d) ++indexed_start_[r.indexed_of[d] + 1];
        for (std::size_t d = 0; d < d_count; ++d) indexed_start_[d + 1] += indexed_start_[d];
        indexed_members_.resize(d_count);
        std::vector<std::size_t> at(indexed_start_.begin(), indexed_start_.end() - 1);
        for (std::size_t d = 0; d < d_count; ++d) indexed_members_[at[r.indexed_of[d]]++] = static_cast<std::uint32_t>(d);
    }

    /// The new documents of the unit whose first document is f (ascending; empty for another).
    [[nodiscard]] std::span<const std::size_t> new_members(std::size_t f) const noexcept {
        return {new_members_.data() + new_start_[f], new_start_[f + 1] - new_start_[f]};
    }
    /// The indexed documents of the part whose lowest document is d (ascending).
    [[nodiscard]] std::span<const std::uint32_t> indexed_members(std::uint32_t d) const noexcept {
        return {indexed_members_.data() + indexed_start_[d], indexed_start_[d + 1] - indexed_start_[d]};
    }
    /// The compact matches of new document i's unit.
    [[nodiscard]] std::span<const against_match> matches_of(std::size_t i) const noexcept {
        const auto& m = result_->matches;
        const std::size_t f = result_->exact_of[i];
        const auto lo = std::lower_bound(m.begin(), m.end(), f, [](const against_match& x, std::size_t v) { return x.document < v; });
        const auto hi = std::upper_bound(lo, m.end(), f, [](std::size_t v, const against_match& x) { return v < x.document; });
        return {m.data() + (lo - m.begin()), static_cast<std::size_t>(hi - lo)};
    }
    /// Pairs the compact matches stand for (new document, indexed document).
    [[nodiscard]] std::uint64_t pair_count() const noexcept {
        std::uint64_t total = 0;
        for (const auto& m : result_->matches)
            total += std::uint64_t{new_members(m.document).size()} * indexed_members(m.indexed).size();
        return total;
    }

    /// Calls f(match) for every (new document, indexed document) pair, in (document, indexed)
    /// order, with the similarity and flag of the compact match standing for it. Holds one new
    /// document's pairs at a time.
    template <class F>
    void for_each_match(F&& f) const {
        std::vector<against_match> row;
        for (std::size_t i = 0; i < result_->exact_of.size(); ++i) {
            row.clear();
            for (const against_match& m : matches_of(i))
                for (const std::uint32_t d : indexed_members(m.indexed)) row.push_back({i, d, m.similarity, m.estimated});
            std::sort(row.begin(), row.end(), [](const against_match& a, const against_match& b) { return a.indexed < b.indexed; });
            for (const against_match& m : row) f(m);
        }
    }

private:
    const against_result* result_;
    std::vector<std::size_t> new_start_, new_members_;
    std::vector<std::size_t> indexed_start_;
    std::vector<std::uint32_t> indexed_members_;
};

/// Every (new document, indexed document) pair of a result, sorted: its size is the true number
/// of pairs, which grows with the product of exact-duplicate groups on both sides. For small
/// inputs and tests; against_groups::for_each_match streams them.
[[nodiscard]] inline std::vector<against_match> expand_matches(const against_result& r) {
    std::vector<against_match> out;
    against_groups(r).for_each_match([&](const against_match& m) { out.push_back(m); });
    return out;
}

}  // namespace ditto
