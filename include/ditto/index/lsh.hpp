#pragma once
// Banded LSH over MinHash signatures: an incremental index, and a batch mode for whole corpora.
//
// A band's key is the 64-bit hash of its rows' slot values and the band's number; two signatures
// are candidates when they share a key in some band. The empty signature has no keys: it is
// never a candidate, matching nothing.
//
// lsh_index holds, per band, a bucket map from key to the handles (32-bit numbers) of the
// documents in it; a caller's id is stored once, in the table that maps it to its handle and
// keys. The bucket map type is a policy. batch_buckets sorts (key, document) records band by
// band instead: no hash map, 16 bytes per record, one band's records at a time per worker, and
// keeps the buckets themselves (linear in the documents, whatever the bucket sizes), so a caller
// decides which pairs of a bucket to look at. batch_candidates lists every pair of every bucket:
// m(m-1)/2 pairs for a bucket of m documents, so only for corpora without large buckets.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/sketch/minhash.hpp>

namespace ditto::inline v0_1 {

/// The key of band `band` of a signature whose slots are `values` (bands * rows of them at least).
template <slot_value V>
[[nodiscard]] std::uint64_t band_key(std::span<const V> values, lsh_params params, std::size_t band) noexcept {
    const auto* bytes = reinterpret_cast<const char*>(values.data() + band * params.rows);
    return hash64(std::string_view(bytes, params.rows * sizeof(V)), mix64(band, 0x1f83d9abfb41bd6bULL));
}

/// Writes the band keys of a signature to out (params.bands of them). Throws
/// std::invalid_argument when the signature has fewer than bands * rows slots.
template <slot_value V>
void band_keys(std::span<const V> values, lsh_params params, std::span<std::uint64_t> out) {
    if (params.bands == 0 || params.rows == 0 || params.bands * params.rows > values.size())
        detail::throw_invalid_argument("band_keys", "params", "at least 1 x 1 and within the signature's " +
                                           std::to_string(values.size()) + " slots",
                                       std::to_string(params.bands) + " x " + std::to_string(params.rows));
    for (std::size_t b = 0; b < params.bands; ++b) out[b] = band_key(values, params, b);
}

/// The requirements on lsh_index's bucket map policy:
///  1. M is default-constructible and movable;
///  2. m[key] gives a container of std::uint32_t with push_back, begin, end, erase and empty;
///  3. m.find(key) and m.end() compare (const and not), find's ->second is that container (to
///     read when const, to erase from when not), and m.erase(iterator) removes a bucket;
///  4. const lookups (find) are safe to run concurrently.
template <class M>
concept lsh_bucket_map = std::default_initializable<M> && std::movable<M> &&
                         requires(M& m, const M& cm, std::uint64_t key, std::uint32_t handle) {
                             m[key].push_back(handle);
                             { m[key].empty() } -> std::convertible_to<bool>;
                             cm.find(key) != cm.end();
                             { *cm.find(key)->second.begin() } -> std::convertible_to<std::uint32_t>;
                             cm.find(key)->second.begin() != cm.find(key)->second.end();
                             m.find(key) != m.end();
                             m.find(key)->second.erase(m.find(key)->second.begin());
                             m.erase(m.find(key));
                         };

/// An incremental banded LSH index from caller ids (any hashable, equality-comparable type) to
/// MinHash signatures. Queries are const and may run concurrently while no insert or remove runs.
template <class Id = std::uint64_t,
          lsh_bucket_map Buckets = std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>>
class lsh_index {
public:
    /// Throws std::invalid_argument unless bands and rows are at least 1.
    explicit lsh_index(lsh_params params) : params_(params), buckets_(params.bands) {
        if (params.bands == 0 || params.rows == 0)
            detail::throw_invalid_argument("lsh_index", "params", "at least 1 band of 1 row",
                                           std::to_string(params.bands) + " x " + std::to_string(params.rows));
    }

    [[nodiscard]] lsh_params params() const noexcept { return params_; }
    /// The number of ids held.
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] bool contains(const Id& id) const { return entries_.find(id) != entries_.end(); }

    /// Adds id with its signature. Throws std::invalid_argument when id is already present or the
    /// signature has fewer than bands * rows slots. An empty signature is held but in no bucket.
    template <std::size_t K, slot_value V>
    void insert(const Id& id, const minhash_signature<K, V>& signature) {
        check_slots(K);
        if (contains(id)) detail::throw_invalid_argument("lsh_index::insert", "id", "not already in the index", "a present id");
        std::vector<std::uint64_t> keys;
        if (!signature.empty()) {
            keys.resize(params_.bands);
            band_keys(std::span<const V>(signature.values()), params_, std::span<std::uint64_t>(keys));
        }
        // Strong guarantee: everything that can throw happens before the index changes, or is
        // undone. Capacity first, so the commit and the undo below cannot fail.
        const bool reuse = !free_handles_.empty();
        const std::uint32_t handle = reuse ? free_handles_.back() : static_cast<std::uint32_t>(ids_.size());
        if (!reuse) ids_.reserve(ids_.size() + 1);
        free_handles_.reserve(free_handles_.size() + 1);
        const auto it = entries_.emplace(id, entry{handle, std::move(keys)}).first;
        if (reuse) free_handles_.pop_back();
        else ids_.push_back(nullptr);
        ids_[handle] = &it->first;  // unordered_map keys keep their address across rehashing
        std::size_t b = 0;
        try {
            for (; b < it->second.keys.size(); ++b) buckets_[b][it->second.keys[b]].push_back(handle);
        } catch (...) {
            for (std::size_t done = 0; done < b; ++done) unlink(done, it->second.keys[done], handle);
            ids_[handle] = nullptr;
            if (reuse) free_handles_.push_back(handle);
            else ids_.pop_back();
            entries_.erase(it);
            throw;
        }
    }

    /// Removes id; returns false when it was not present.
    bool remove(const Id& id) {
        const auto it = entries_.find(id);
        if (it == entries_.end()) return false;
        const std::uint32_t handle = it->second.handle;
        for (std::size_t b = 0; b < it->second.keys.size(); ++b) unlink(b, it->second.keys[b], handle);
        ids_[handle] = nullptr;
        free_handles_.push_back(handle);
        entries_.erase(it);
        return true;
    }

    /// The ids sharing at least one band with the signature, each once, in no particular order
    /// other than being deterministic for a given sequence of inserts and removes.
    template <std::size_t K, slot_value V>
    [[nodiscard]] std::vector<Id> query(const minhash_signature<K, V>& signature) const {
        check_slots(K);
        std::vector<Id> out;
        if (signature.empty()) return out;
        std::vector<std::uint32_t> handles;
        for (std::size_t b = 0; b < params_.bands; ++b) {
            const auto bucket = buckets_[b].find(band_key(std::span<const V>(signature.values()), params_, b));
            if (bucket != buckets_[b].end()) handles.insert(handles.end(), bucket->second.begin(), bucket->second.end());
        }
        std::sort(handles.begin(), handles.end());
        handles.erase(std::unique(handles.begin(), handles.end()), handles.end());
        out.reserve(handles.size());
        for (const std::uint32_t h : handles) out.push_back(*ids_[h]);
        return out;
    }

private:
    struct entry {
        std::uint32_t handle;
        std::vector<std::uint64_t> keys;  // empty for the empty signature
    };

    // Takes handle out of band b's bucket for key (erasing the bucket when it empties).
    void unlink(std::size_t b, std::uint64_t key, std::uint32_t handle) {
        const auto bucket = buckets_[b].find(key);
        auto& members = bucket->second;
        members.erase(std::find(members.begin(), members.end(), handle));
        if (members.empty()) buckets_[b].erase(bucket);
    }

    void check_slots(std::size_t k) const {
        if (params_.bands * params_.rows > k)
            detail::throw_invalid_argument("lsh_index", "signature size",
                                           "at least bands x rows = " + std::to_string(params_.bands * params_.rows),
                                           std::to_string(k));
    }

    lsh_params params_;
    std::vector<Buckets> buckets_;
    std::unordered_map<Id, entry> entries_;
    std::vector<const Id*> ids_;  // by handle; null for a free handle
    std::vector<std::uint32_t> free_handles_;
};

/// A candidate pair of documents, first < second.
struct candidate_pair {
    std::uint32_t first;
    std::uint32_t second;
    friend constexpr bool operator==(const candidate_pair&, const candidate_pair&) = default;
    friend constexpr auto operator<=>(const candidate_pair&, const candidate_pair&) = default;
};

/// Batch LSH: the pairs of documents that share a key in at least one band, sorted, each once.
/// keys is a row-major matrix of documents.size() rows of `bands` band keys; row i belongs to
/// document number documents[i] (documents whose signature is empty should have no row).
/// Each band is sorted as (key, document) records of 16 bytes; bands are spread over the executor.
template <executor E>
[[nodiscard]] std::vector<candidate_pair> batch_candidates(std::span<const std::uint64_t> keys, std::size_t bands,
                                                           std::span<const std::uint32_t> documents, E& exec) {
    if (bands == 0 || keys.size() != documents.size() * bands)
        detail::throw_invalid_argument("batch_candidates", "keys", "documents.size() x bands values with bands >= 1",
                                       std::to_string(keys.size()) + " values for " +
                                           std::to_string(documents.size()) + " documents and " +
                                           std::to_string(bands) + " bands");
    struct record {
        std::uint64_t key;
        std::uint32_t document;
        bool operator<(const record& o) const noexcept {
            return key != o.key ? key < o.key : document < o.document;
        }
    };
    static_assert(sizeof(record) == 16);
    const std::size_t n = documents.size();
    std::vector<std::vector<std::uint64_t>> per_band(bands);  // pairs as (first << 32) | second
    exec.bulk(bands, [&](std::size_t band) {
        std::vector<record> records(n);
        for (std::size_t i = 0; i < n; ++i) records[i] = record{keys[i * bands + band], documents[i]};
        std::sort(records.begin(), records.end());
        auto& pairs = per_band[band];
        for (std::size_t begin = 0; begin < n;) {
            std::size_t end = begin + 1;
            while (end < n && records[end].key == records[begin].key) ++end;
            for (std::size_t i = begin; i < end; ++i)
                for (std::size_t j = i + 1; j < end; ++j)
                    if (records[i].document != records[j].document)
                        pairs.push_back((std::uint64_t{records[i].document} << 32) | records[j].document);
            begin = end;
        }
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    });
    std::vector<std::uint64_t> all;
    std::size_t total = 0;
    for (const auto& p : per_band) total += p.size();
    all.reserve(total);
    for (auto& p : per_band) {
        all.insert(all.end(), p.begin(), p.end());
        std::vector<std::uint64_t>().swap(p);
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    std::vector<candidate_pair> out(all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        out[i] = candidate_pair{static_cast<std::uint32_t>(all[i] >> 32), static_cast<std::uint32_t>(all[i])};
    return out;
}

}  // namespace ditto

namespace ditto::inline v0_1 {

/// The buckets of batch LSH: per band, every run of two or more documents sharing a key, and for
/// every document the buckets it is in. Bucket ids run band by band; members are ascending.
struct lsh_buckets {
    std::vector<std::uint32_t> members;       ///< bucket b's documents: members[start[b]] .. members[start[b + 1] - 1]
    std::vector<std::size_t> start{0};        ///< bucket_count() + 1 offsets into members
    std::vector<std::size_t> document_start;  ///< document d's buckets: buckets_of[document_start[d]] ..
    std::vector<std::uint32_t> buckets_of;    ///< bucket ids per document, ascending

    [[nodiscard]] std::size_t bucket_count() const noexcept { return start.size() - 1; }
    /// The documents of bucket b, ascending.
    [[nodiscard]] std::span<const std::uint32_t> bucket(std::size_t b) const noexcept {
        return {members.data() + start[b], start[b + 1] - start[b]};
    }
    /// The buckets document d is in (none when it shares no key with any other document).
    [[nodiscard]] std::span<const std::uint32_t> of(std::size_t d) const noexcept {
        return {buckets_of.data() + document_start[d], document_start[d + 1] - document_start[d]};
    }
    /// The size of the largest bucket.
    [[nodiscard]] std::size_t largest() const noexcept {
        std::size_t m = 0;
        for (std::size_t b = 0; b + 1 < start.size(); ++b) m = std::max(m, start[b + 1] - start[b]);
        return m;
    }
};

namespace detail {

/// Fills buckets.document_start and buckets_of (every document's buckets, in bucket order) from
/// members and start.
inline void index_bucket_members(lsh_buckets& buckets, std::size_t document_count) {
    buckets.document_start.assign(document_count + 1, 0);
    for (const std::uint32_t d : buckets.members) ++buckets.document_start[std::size_t{d} + 1];
    for (std::size_t d = 0; d < document_count; ++d) buckets.document_start[d + 1] += buckets.document_start[d];
    buckets.buckets_of.resize(buckets.members.size());
    std::vector<std::size_t> next(buckets.document_start.begin(), buckets.document_start.end() - 1);
    for (std::size_t b = 0; b < buckets.bucket_count(); ++b)
        for (std::size_t m = buckets.start[b]; m < buckets.start[b + 1]; ++m)
            buckets.buckets_of[next[buckets.members[m]]++] = static_cast<std::uint32_t>(b);
}

}  // namespace detail

/// Batch LSH buckets. keys is a row-major matrix of documents.size() rows of `bands` band keys;
/// row i belongs to document documents[i] < document_count (documents with an empty signature
/// should have no row). Bands are sorted in parallel on exec; band_done() is called (from any one
/// thread at a time) after each band. Memory: the buckets, plus 16 bytes per row for each band
/// being sorted at once.
template <executor E, class BandDone>
[[nodiscard]] lsh_buckets batch_buckets(std::span<const std::uint64_t> keys, std::size_t bands,
                                        std::span<const std::uint32_t> documents, std::size_t document_count, E& exec,
                                        BandDone band_done) {
    if (bands == 0 || keys.size() != documents.size() * bands)
        detail::throw_invalid_argument("batch_buckets", "keys", "documents.size() x bands values with bands >= 1",
                                       std::to_string(keys.size()) + " values for " +
                                           std::to_string(documents.size()) + " documents and " +
                                           std::to_string(bands) + " bands");
    for (const std::uint32_t d : documents)
        if (d >= document_count)
            detail::throw_invalid_argument("batch_buckets", "documents", "below document_count (" +
                                               std::to_string(document_count) + ")", std::to_string(d));
    struct record {
        std::uint64_t key;
        std::uint32_t document;
        bool operator<(const record& o) const noexcept { return key != o.key ? key < o.key : document < o.document; }
    };
    struct band_buckets {
        std::vector<std::uint32_t> members;
        std::vector<std::size_t> sizes;
    };
    const std::size_t n = documents.size();
    std::vector<band_buckets> per_band(bands);
    std::mutex report;
    exec.bulk(bands, [&](std::size_t band) {
        std::vector<record> records(n);
        for (std::size_t i = 0; i < n; ++i) records[i] = record{keys[i * bands + band], documents[i]};
        std::sort(records.begin(), records.end());
        auto& out = per_band[band];
        for (std::size_t begin = 0; begin < n;) {
            std::size_t end = begin + 1;
            while (end < n && records[end].key == records[begin].key) ++end;
            if (end - begin >= 2) {
                for (std::size_t i = begin; i < end; ++i) out.members.push_back(records[i].document);
                out.sizes.push_back(end - begin);
            }
            begin = end;
        }
        std::lock_guard lock(report);
        band_done();
    });
    lsh_buckets result;
    std::size_t total = 0, count = 0;
    for (const auto& b : per_band) {
        total += b.members.size();
        count += b.sizes.size();
    }
    result.members.reserve(total);
    result.start.reserve(count + 1);
    for (auto& b : per_band) {
        result.members.insert(result.members.end(), b.members.begin(), b.members.end());
        for (const std::size_t size : b.sizes) result.start.push_back(result.start.back() + size);
        std::vector<std::uint32_t>().swap(b.members);
        std::vector<std::size_t>().swap(b.sizes);
    }
    detail::index_bucket_members(result, document_count);
    return result;
}

}  // namespace ditto
