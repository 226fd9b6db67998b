// The inner loop of HammingIndex's and DescriptorIndex's bucket scans, in C for two things Swift cannot say here: a
// software prefetch of the hashes a bucket's ids point at (the scan waits on memory, not on
// arithmetic, once the hashes outgrow the caches), and a popcnt instruction chosen at run time
// (the portable x86-64 baseline has none; a scalar popcount is 2-3x slower).
#ifndef CHAMMING_H
#define CHAMMING_H
#include <stddef.h>
#include <stdint.h>

/// For j in [start, end): the hash (or descriptor) hashes[4*ids[j] ..< 4*ids[j]+4] is compared with query[0..<4];
/// those within `radius` are written to out_ids / out_distances. Returns how many were written
/// (at most end - start). An id at or past `count` (the number of hashes) is passed over: the
/// tables may come from a file, and a damaged one must not make the scan read past the hashes.
size_t vm_hamming_scan(const uint64_t *hashes, size_t count, const uint32_t *ids, size_t start, size_t end,
                       const uint64_t *query, int radius, uint32_t *out_ids, uint8_t *out_distances);

/// 1 when the popcnt path is in use.
int vm_hamming_uses_popcnt(void);
#endif
