// What Swift cannot reach of the C library's allocator (malloc.h is not in the Glibc module).
#ifndef VMATCH_CMEMORY_H
#define VMATCH_CMEMORY_H

/// Makes blocks of `bytes` and more be mapped and unmapped on their own (glibc's
/// M_MMAP_THRESHOLD, fixed, which also stops glibc from raising it as blocks are freed).
/// Returns 0 where there is no such setting.
int vm_set_mmap_threshold(int bytes);

#endif
