#define _GNU_SOURCE
#include "cspawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

// posix_spawn cannot set PR_SET_PDEATHSIG, and setpriv(1) cannot run under a unit whose system call filter
// refuses capset; so fork and exec here, with only async-signal-safe calls in the child.
pid_t agnod_spawn(const char *path, char *const argv[], char *const envp[], int fd_in, int fd_out, int death_signal) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -errno;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        setpgid(0, 0);
        if (prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0) != 0 || getppid() != parent) _exit(127);
        if (dup2(fd_in, 0) < 0 || dup2(fd_out, 1) < 0) goto failed;
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
    failed:;
        int e = errno;
        ssize_t unused = write(report[1], &e, sizeof e);
        (void)unused;
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return -saved;
    }
    int e = 0;
    ssize_t n;
    do { n = read(report[0], &e, sizeof e); } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof e) {  // the exec failed: the child exits at once; reap it here
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        return -e;
    }
    return pid;
}
