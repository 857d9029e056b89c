// An LD_PRELOAD shim for agnod (scripts/task-frames): records every live allocation of Swift's task allocator
// (swift_task_alloc: async frames and the task's other stack allocations) with its size, the task and the
// caller's address; SIGUSR2 writes them to $AGNOD_TASKFRAMES_OUT, one line each: task seq size module offset.
// The caller of an allocation is the async function that allocates its callee's frame.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern void *swift_task_getCurrent(void);

typedef struct {
    void *p, *caller, *task;
    size_t size;
    unsigned long seq;
} Entry;

#define SLOTS (1u << 22)
#define GONE ((void *)1)
static Entry *table;
static unsigned long next_seq;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *(*real_alloc)(size_t);
static void (*real_dealloc)(void *);

static size_t slot(void *p) { return (size_t)((((uintptr_t)p) >> 4) * 11400714819323198485ull >> 42) & (SLOTS - 1); }

static void dump(int sig) {
    (void)sig;
    const char *path = getenv("AGNOD_TASKFRAMES_OUT");
    FILE *f = fopen(path ? path : "/tmp/agnod-taskframes.txt", "w");
    if (!f) return;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < SLOTS; i++) {
        Entry *e = &table[i];
        if (!e->p || e->p == GONE) continue;
        Dl_info info;
        uintptr_t offset = (uintptr_t)e->caller;
        const char *module = "?";
        if (dladdr(e->caller, &info) && info.dli_fname) {
            module = info.dli_fname;
            offset -= (uintptr_t)info.dli_fbase;
        }
        fprintf(f, "%p %lu %zu %s 0x%lx\n", e->task, e->seq, e->size, module, (unsigned long)offset);
    }
    pthread_mutex_unlock(&lock);
    fclose(f);
}

__attribute__((constructor)) static void start(void) {
    table = calloc(SLOTS, sizeof(Entry));
    signal(SIGUSR2, dump);
}

void *swift_task_alloc(size_t size) {
    if (!real_alloc) real_alloc = dlsym(RTLD_NEXT, "swift_task_alloc");
    void *p = real_alloc(size);
    void *caller = __builtin_return_address(0);
    pthread_mutex_lock(&lock);
    size_t i = slot(p);
    while (table[i].p && table[i].p != GONE) i = (i + 1) & (SLOTS - 1);
    table[i] = (Entry){p, caller, swift_task_getCurrent(), size, ++next_seq};
    pthread_mutex_unlock(&lock);
    return p;
}

void swift_task_dealloc(void *p) {
    if (!real_dealloc) real_dealloc = dlsym(RTLD_NEXT, "swift_task_dealloc");
    pthread_mutex_lock(&lock);
    for (size_t i = slot(p); table[i].p; i = (i + 1) & (SLOTS - 1)) {
        if (table[i].p == p) {
            table[i].p = GONE;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    real_dealloc(p);
}
