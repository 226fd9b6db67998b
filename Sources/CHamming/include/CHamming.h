// The inner loop of HammingIndex's and DescriptorIndex's bucket scans, in C for two things Swift cannot say here: a
// software prefetch of the hashes a bucket's ids point at (the scan waits on memory, not on
// arithmetic, once the hashes outgrow the caches), and a popcnt instruction chosen at run time
// (the portable x86-64 baseline has none; a scalar popcount is 2-3x slower).
#ifndef CHAMMING_H
#define CHAMMING_H
#include <stddef.h>
#include <stdint.h>

/// The hashes (or descriptors) that the ids in several ranges of `ids` point at — [ranges[2r],
/// ranges[2r+1]) for r < range_count: a look-up's buckets — compared with query[0..<4], the hash of
/// id i being hashes[4*i ..< 4*i+4]. The ranges' ids are first gathered into flat_ids /
/// flat_ranges (room for all of them), then scanned as one stream whose hashes are prefetched
/// well ahead, across the buckets' ends (in a large library a bucket holds an id or a dozen: too
/// few to hide the wait for each hash behind the next ones within it). Those within `radius` are
/// written to out_ids / out_ranges (the range each came from) / out_distances, in range order and,
/// within a range, in id-table order. Returns how many were written. An id at or past `count`
/// (the number of hashes) is passed over: the tables may come from a file, and a damaged one must
/// not make the scan read past the hashes.
size_t vm_hamming_scan_ranges(const uint64_t *hashes, size_t count, const uint32_t *ids, const size_t *ranges,
                              size_t range_count, const uint64_t *query, int radius, uint32_t *flat_ids,
                              uint32_t *flat_ranges, uint32_t *out_ids, uint32_t *out_ranges, uint8_t *out_distances);

/// 1 when the popcnt path is in use.
int vm_hamming_uses_popcnt(void);
#endif
