#define _GNU_SOURCE
#include "CProcess.h"
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#if __has_include(<sys/prctl.h>)
#include <sys/prctl.h>
#define VM_HAS_PDEATHSIG 1
#endif

// Between fork and exec only async-signal-safe calls: the caller may have other threads.

static void defaults(void) {
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) (void)sigaction(s, &dfl, NULL);
}

static void guard(pid_t caller, const char *path, char *const argv[], char *const envp[]) {
    // Blocked: taken with sigwaitinfo. Every other signal stays blocked and pending here, so a
    // stop's SIGTERM to the group ends the program, and the guardian follows with its status.
    sigset_t all, wanted;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
#ifdef VM_HAS_PDEATHSIG
    if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0 || getppid() != caller) _exit(127);
#endif
    pid_t program = fork();
    if (program < 0) _exit(127);
    if (program == 0) {
        sigset_t none;
        sigemptyset(&none);
        defaults();
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        _exit(127);
    }
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGCHLD);
    sigaddset(&wanted, SIGUSR1);
    for (;;) {
        int status;
        pid_t done = waitpid(program, &status, WNOHANG);
        if (done == program) {
            if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
            int signal = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
            defaults();
            sigset_t only;
            sigemptyset(&only);
            sigaddset(&only, signal);
            kill(getpid(), signal);
            sigprocmask(SIG_UNBLOCK, &only, NULL);
            _exit(128 + signal);
        }
        // The caller gone (a SIGUSR1 from elsewhere is told apart by our parent): the group goes.
        if (getppid() != caller) kill(0, SIGKILL);
        siginfo_t info;
        (void)sigwaitinfo(&wanted, &info);
    }
}

int vm_spawn_guarded(const char *path, char *const argv[], char *const envp[], int input, pid_t *pid) {
    pid_t caller = getpid();
    pid_t child = fork();
    if (child < 0) return errno;
    if (child == 0) {
        setpgid(0, 0);
        if (dup2(input, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) _exit(127);
        guard(caller, path, argv, envp);
        _exit(127);
    }
    // Also here, so that the group exists before the caller may signal it.
    setpgid(child, child);
    *pid = child;
    return 0;
}
