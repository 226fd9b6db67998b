// What Swift cannot do between fork and exec (posix_spawn has no parent-death signal).
#ifndef VMATCH_CPROCESS_H
#define VMATCH_CPROCESS_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in a process group of its own, `input` as its standard
/// input and its standard output joined to the caller's standard error, with default signal
/// handling. The group's leader (whose pid is stored in `pid` and is the group's id) is a small
/// guardian, not the program: it runs the program as its child, ends with the program's status,
/// and, when the calling process dies (even by SIGKILL, through Linux's parent-death signal), kills
/// its whole group, so nothing the program started outlives the caller. Returns 0 or an errno.
/// Call it from a thread that outlives the program: the parent-death signal follows the thread.
int vm_spawn_guarded(const char *path, char *const argv[], char *const envp[], int input, pid_t *pid);

#endif
