// SQLITE_TRANSIENT and SQLITE_STATIC are casts of integers to function pointers: Swift cannot
// import them.
#ifndef VMATCH_CSQLITE_SHIM_H
#define VMATCH_CSQLITE_SHIM_H
#include <sqlite3.h>
static inline sqlite3_destructor_type vm_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type vm_sqlite_static(void) { return SQLITE_STATIC; }
#endif
