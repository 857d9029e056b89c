#ifndef AGNOD_CSPAWN_H
#define AGNOD_CSPAWN_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` as the leader of a new process group, its stdin and stdout on
/// `fd_in` and `fd_out`, default signal handling and nothing blocked, and with `death_signal` sent to it
/// when the calling thread's process dies (PR_SET_PDEATHSIG; it also comes when the calling *thread*
/// ends, so call it from a thread that lives as long as the child). Returns the pid, or -errno when the
/// fork or the exec failed (the exec's error is reported back through a close-on-exec pipe).
pid_t agnod_spawn(const char *path, char *const argv[], char *const envp[], int fd_in, int fd_out, int death_signal);

#endif
