#include "CHamming.h"

#define SCAN_RANGES_BODY                                                                         \
    size_t total = 0;                                                                            \
    for (size_t r = 0; r < range_count; r++) {                                                   \
        if (r + 2 < range_count) __builtin_prefetch(ids + ranges[2 * (r + 2)]);                  \
        for (size_t j = ranges[2 * r]; j < ranges[2 * r + 1]; j++) {                             \
            flat_ids[total] = ids[j];                                                            \
            flat_ranges[total] = (uint32_t)r;                                                    \
            total++;                                                                             \
        }                                                                                        \
    }                                                                                            \
    size_t n = 0;                                                                                \
    const uint64_t q0 = query[0], q1 = query[1], q2 = query[2], q3 = query[3];                   \
    for (size_t i = 0; i < total; i++) {                                                         \
        if (i + 16 < total && flat_ids[i + 16] < count)                                          \
            __builtin_prefetch(hashes + 4 * (size_t)flat_ids[i + 16]);                           \
        const uint32_t id = flat_ids[i];                                                         \
        if (id >= count) continue;                                                               \
        const uint64_t *h = hashes + 4 * (size_t)id;                                             \
        int d = __builtin_popcountll(h[0] ^ q0) + __builtin_popcountll(h[1] ^ q1) +              \
                __builtin_popcountll(h[2] ^ q2) + __builtin_popcountll(h[3] ^ q3);               \
        if (d <= radius) {                                                                       \
            out_ids[n] = id;                                                                     \
            out_ranges[n] = flat_ranges[i];                                                      \
            out_distances[n] = (uint8_t)d;                                                       \
            n++;                                                                                 \
        }                                                                                        \
    }                                                                                            \
    return n;

__attribute__((target("popcnt")))
static size_t scan_ranges_popcnt(const uint64_t *hashes, size_t count, const uint32_t *ids, const size_t *ranges,
                                 size_t range_count, const uint64_t *query, int radius, uint32_t *flat_ids,
                                 uint32_t *flat_ranges, uint32_t *out_ids, uint32_t *out_ranges, uint8_t *out_distances) {
    SCAN_RANGES_BODY
}

static size_t scan_ranges_portable(const uint64_t *hashes, size_t count, const uint32_t *ids, const size_t *ranges,
                                   size_t range_count, const uint64_t *query, int radius, uint32_t *flat_ids,
                                   uint32_t *flat_ranges, uint32_t *out_ids, uint32_t *out_ranges, uint8_t *out_distances) {
    SCAN_RANGES_BODY
}

size_t vm_hamming_scan_ranges(const uint64_t *hashes, size_t count, const uint32_t *ids, const size_t *ranges,
                              size_t range_count, const uint64_t *query, int radius, uint32_t *flat_ids,
                              uint32_t *flat_ranges, uint32_t *out_ids, uint32_t *out_ranges, uint8_t *out_distances) {
    if (vm_hamming_uses_popcnt())
        return scan_ranges_popcnt(hashes, count, ids, ranges, range_count, query, radius, flat_ids, flat_ranges, out_ids,
                                  out_ranges, out_distances);
    return scan_ranges_portable(hashes, count, ids, ranges, range_count, query, radius, flat_ids, flat_ranges, out_ids,
                                out_ranges, out_distances);
}

int vm_hamming_uses_popcnt(void) {
#if defined(__x86_64__) || defined(__i386__)
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("popcnt") ? 1 : 0;
    }
    return known;
#else
    return 0;
#endif
}
