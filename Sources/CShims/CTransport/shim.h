// Linux headers that Glibc's Swift module map leaves out.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/tcp.h>

// pthread_setname_np is a GNU extension that Swift's Glibc module does not expose.
static inline int swafka_set_thread_name(pthread_t thread, const char *name) {
    return pthread_setname_np(thread, name);
}
