#pragma once
// Prefix filtering inside large LSH buckets: exact, and linear in a bucket's members when they
// are not similar to each other.
//
// A family of pages sharing a template sits at Jaccard 0.6-0.8 of each other: below a threshold
// of 0.8, yet in the same bucket of most bands, so a bucket of m members would cost m(m-1)/2
// comparisons that all fail. Prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007;
// Xiao et al. 2008) tells them apart from their sets alone. Fix one order of all shingles. If
// J(x, y) >= t, the two sets share at least a = ceil(t/(1+t) (|x|+|y|)) shingles, so x's first
// |x| - a + 1 shingles and y's first |y| - a + 1 share one. With |x| <= |y| that is within x's
// *index prefix*, its first |x| - ceil(2t/(1+t) |x|) + 1 shingles, and y's *probe prefix*, its
// first |y| - ceil(t |y|) + 1 (as |x| >= t |y|). The order puts rare shingles first: the
// template's shingles, held by every member, come last and pair nobody.
//
// So a large bucket is replaced by one sub-bucket per shingle in some member's index prefix: the
// members that hold it in their probe prefix. Every pair at or above t shares a sub-bucket;
// pairs below it mostly share none. Where the members are similar to each other (a cluster of
// near-copies) the sub-buckets overlap and would list more pairs than the bucket: it stays whole.
// 64 sampled members tell first, so a bucket that will not split costs little.
// Identical large buckets (the same members in several bands) are kept once.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <ditto/concepts.hpp>
#include <ditto/detail/bucket_sort.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/index/shingle_order.hpp>

namespace ditto::inline v0_1 {

/// The number of leading shingles of a set of `size` that any set sharing at least
/// ceil(fraction * size) of them must meet: size - ceil(fraction * size) + 1, at most size. The
/// product is rounded down a hair so that rounding never makes the prefix short.
[[nodiscard]] inline std::size_t prefix_length(std::size_t size, double fraction) noexcept {
    const double product = fraction * static_cast<double>(size) - 1e-9;
    const std::size_t at_least = product <= 0 ? 0 : static_cast<std::size_t>(std::ceil(product));
    return std::min(size, size - std::min(size, at_least) + 1);
}

struct prefix_split_stats {
    std::size_t large = 0;       ///< buckets of at least min_size members
    std::size_t duplicates = 0;  ///< of those, the same members as an earlier one: dropped
    std::size_t split = 0;       ///< of those, replaced by their sub-buckets
};

/// Splits every bucket of at least min_size (>= 2) members by prefix filtering at `threshold`
/// (in (0, 1]). set_of(d, scratch) returns document d's shingle set, sorted and without
/// repeats: a view of stored data, or of scratch after filling it (scratch is per worker). The
/// sets must be the ones similarity is judged on: then every pair of documents in a large bucket
/// with Jaccard >= threshold still shares a bucket afterwards. Buckets below min_size are kept as
/// they are; members stay ascending within each bucket and buckets_of stays ascending.
template <executor E, class SetOf>
prefix_split_stats split_large_buckets(lsh_buckets& buckets, std::size_t document_count, std::size_t min_size,
                                       double threshold, E& exec, SetOf set_of) {
    if (min_size < 2)
        detail::throw_invalid_argument("split_large_buckets", "min_size", "at least 2", std::to_string(min_size));
    if (!(threshold > 0.0 && threshold <= 1.0))
        detail::throw_invalid_argument("split_large_buckets", "threshold", "in (0, 1]", std::to_string(threshold));
    using u32 = std::uint32_t;
    prefix_split_stats stats;
    // The large buckets, identical ones once (matched by a hash of their members, then compared).
    std::vector<u32> large;
    std::vector<bool> dropped(buckets.bucket_count(), false);
    {
        std::vector<std::pair<std::uint64_t, u32>> by_content;
        for (std::size_t b = 0; b < buckets.bucket_count(); ++b) {
            const auto m = buckets.bucket(b);
            if (m.size() < min_size) continue;
            ++stats.large;
            std::uint64_t h = mix64(m.size(), 0x51ed270b27a8b4c1ULL);
            for (const u32 d : m) h = mix64(h ^ d, 0x9e3779b97f4a7c15ULL);
            by_content.emplace_back(h, static_cast<u32>(b));
        }
        std::sort(by_content.begin(), by_content.end());
        for (std::size_t i = 0; i < by_content.size(); ++i) {
            const u32 b = by_content[i].second;
            bool duplicate = false;
            for (std::size_t j = i; j-- > 0 && by_content[j].first == by_content[i].first;) {
                const auto x = buckets.bucket(b), y = buckets.bucket(by_content[j].second);
                if (!dropped[by_content[j].second] && std::equal(x.begin(), x.end(), y.begin(), y.end())) {
                    duplicate = true;
                    break;
                }
            }
            // by_content is in bucket order within equal hashes, so the first bucket is the one kept.
            if (duplicate) {
                dropped[b] = true;
                ++stats.duplicates;
            } else {
                large.push_back(b);
            }
        }
        std::sort(large.begin(), large.end());
    }
    if (stats.large == 0) return stats;

    struct parts {
        std::vector<u32> members;
        std::vector<std::size_t> sizes;
        bool whole = false;  // the sub-buckets would list as many pairs as the bucket
    };
    std::vector<parts> split(large.size());
    const double index_fraction = 2 * threshold / (1 + threshold);
    exec.bulk(large.size(), [&](std::size_t g) {
        const auto members = buckets.bucket(large[g]);
        const std::size_t m = members.size();
        std::vector<std::uint64_t> scratch;
        // Shingles ordered by how many of up to 64 evenly spaced members hold them.
        const std::size_t step = std::max<std::size_t>(1, m / 64);
        shingle_order order;
        {
            std::vector<std::vector<std::uint64_t>> sample;
            for (std::size_t i = 0; i < m; i += step) {
                const auto set = set_of(members[i], scratch);
                sample.emplace_back(set.begin(), set.end());
            }
            order = shingle_order(sample);
        }
        // (shingle, member << 1 | 1 when in the index prefix) for each shingle of a probe prefix.
        std::vector<std::pair<std::uint64_t, std::uint64_t>> records;
        std::vector<std::uint64_t> prefix;
        auto add_records = [&](u32 d) {
            const auto set = set_of(d, scratch);
            const std::size_t index = prefix_length(set.size(), index_fraction);
            order.first(set, prefix_length(set.size(), threshold), prefix);
            for (std::size_t x = 0; x < prefix.size(); ++x)
                records.emplace_back(prefix[x], (std::uint64_t{d} << 1) | (x < index ? 1u : 0u));
        };
        // Calls sub_bucket(first, last) for each run of records that makes a sub-bucket, while
        // the pairs listed stay below limit; returns the pairs listed (at least limit: stopped).
        auto for_sub_buckets = [&](std::size_t limit, auto&& sub_bucket) {
            std::sort(records.begin(), records.end());
            std::size_t listed = 0;
            for (std::size_t i = 0; i < records.size() && listed < limit;) {
                std::size_t end = i + 1;
                bool indexed = (records[i].second & 1) != 0;
                for (; end < records.size() && records[end].first == records[i].first; ++end)
                    if (records[end].second & 1) indexed = true;
                if (end - i >= 2 && indexed) {
                    sub_bucket(i, end);
                    listed += (end - i) * (end - i - 1) / 2;
                }
                i = end;
            }
            return listed;
        };
        // A split pays when its sub-buckets list fewer pairs (counted with repeats) than the
        // bucket. The sampled members tell first, for the cost of 64 members rather than all of
        // them: a sample that lists 80% of its pairs keeps the bucket whole.
        parts& out = split[g];
        const std::size_t sampled = (m + step - 1) / step;
        for (std::size_t i = 0; i < m; i += step) add_records(members[i]);
        const std::size_t sample_limit = std::max<std::size_t>(1, sampled * (sampled - 1) / 2 * 4 / 5);
        if (for_sub_buckets(sample_limit, [](std::size_t, std::size_t) {}) >= sample_limit) {
            out.whole = true;
            return;
        }
        records.clear();
        for (const u32 d : members) add_records(d);
        const std::size_t limit = m * (m - 1) / 2;
        if (for_sub_buckets(limit, [&](std::size_t first, std::size_t last) {
                for (std::size_t x = first; x < last; ++x) out.members.push_back(static_cast<u32>(records[x].second >> 1));
                out.sizes.push_back(last - first);
            }) >= limit) {
            out.whole = true;
            std::vector<u32>().swap(out.members);
            std::vector<std::size_t>().swap(out.sizes);
        }
    });

    lsh_buckets result;
    std::size_t next_large = 0;
    for (std::size_t b = 0; b < buckets.bucket_count(); ++b) {
        if (dropped[b]) continue;
        const auto m = buckets.bucket(b);
        if (next_large < large.size() && large[next_large] == b) {
            parts& p = split[next_large++];
            if (!p.whole) {
                ++stats.split;
                result.members.insert(result.members.end(), p.members.begin(), p.members.end());
                for (const std::size_t size : p.sizes) result.start.push_back(result.start.back() + size);
                std::vector<u32>().swap(p.members);
                continue;
            }
        }
        result.members.insert(result.members.end(), m.begin(), m.end());
        result.start.push_back(result.start.back() + m.size());
    }
    detail::index_bucket_members(result, document_count);
    buckets = std::move(result);
    return stats;
}

}  // namespace ditto
