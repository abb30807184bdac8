/* What the parts of libtp-preload.so share (tp-preload.c, tp-preload-names.c); none of it is
 * exported to the program. */
#ifndef TP_PRELOAD_H
#define TP_PRELOAD_H

#include <netinet/in.h>

/* Bind dlsym to its oldest version, so the library loads with a glibc older than the builder's. */
#if defined(__x86_64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
#endif

#pragma GCC visibility push(hidden)
/* Whether TP_PRELOAD_PROXY names a proxy (read by tp_preload_init). */
extern int tp_have_proxy;
/* Read the settings, once; run as the library loads, and by any call that comes before that. */
void tp_preload_init(void);
/* Look up the C library's own name lookups (called once, by tp_preload_init). */
void tp_names_init(void);
/* Ask the proxy for a name's address in the cluster: 0 found, 1 not found, -1 no answer. */
int tp_socks_resolve(const char *name, struct in_addr *out);
#pragma GCC visibility pop

#endif
