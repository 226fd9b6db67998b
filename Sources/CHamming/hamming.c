#include "CHamming.h"

#define SCAN_BODY                                                                                \
    size_t n = 0;                                                                                \
    const uint64_t q0 = query[0], q1 = query[1], q2 = query[2], q3 = query[3];                   \
    for (size_t j = start; j < end; j++) {                                                       \
        if (j + 8 < end) __builtin_prefetch(hashes + 4 * (size_t)ids[j + 8]);                    \
        if (ids[j] >= count) continue;                                                           \
        const uint64_t *h = hashes + 4 * (size_t)ids[j];                                         \
        int d = __builtin_popcountll(h[0] ^ q0) + __builtin_popcountll(h[1] ^ q1) +              \
                __builtin_popcountll(h[2] ^ q2) + __builtin_popcountll(h[3] ^ q3);               \
        if (d <= radius) {                                                                       \
            out_ids[n] = ids[j];                                                                 \
            out_distances[n] = (uint8_t)d;                                                       \
            n++;                                                                                 \
        }                                                                                        \
    }                                                                                            \
    return n;

__attribute__((target("popcnt")))
static size_t scan_popcnt(const uint64_t *hashes, size_t count, const uint32_t *ids, size_t start, size_t end,
                          const uint64_t *query, int radius, uint32_t *out_ids, uint8_t *out_distances) {
    SCAN_BODY
}

static size_t scan_portable(const uint64_t *hashes, size_t count, const uint32_t *ids, size_t start, size_t end,
                            const uint64_t *query, int radius, uint32_t *out_ids, uint8_t *out_distances) {
    SCAN_BODY
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

size_t vm_hamming_scan(const uint64_t *hashes, size_t count, const uint32_t *ids, size_t start, size_t end,
                       const uint64_t *query, int radius, uint32_t *out_ids, uint8_t *out_distances) {
    if (vm_hamming_uses_popcnt())
        return scan_popcnt(hashes, count, ids, start, end, query, radius, out_ids, out_distances);
    return scan_portable(hashes, count, ids, start, end, query, radius, out_ids, out_distances);
}
