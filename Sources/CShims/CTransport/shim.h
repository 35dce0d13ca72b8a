// Linux headers that Glibc's Swift module map leaves out.
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/tcp.h>

// pthread_setname_np is a GNU extension: glibc exports it, but declaring _GNU_SOURCE here would
// change struct layouts (fd_set) and clash with Swift's Glibc module, so declare just this one.
extern int pthread_setname_np(pthread_t thread, const char *name);

static inline int swafka_set_thread_name(pthread_t thread, const char *name) {
    return pthread_setname_np(thread, name);
}
