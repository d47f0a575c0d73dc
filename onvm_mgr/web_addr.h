/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --web [IP:]PORT: where the dashboard listens. Pure, so a bad address is
 * refused with the options, before EAL starts, and unit-tested.
 */
#ifndef ONVM_WEB_ADDR_H
#define ONVM_WEB_ADDR_H

#include <stddef.h>

#include <netinet/in.h>

#define WEB_DEFAULT_ADDR "127.0.0.1:8080"

/* "PORT" (on 127.0.0.1) or "IPV4:PORT", port 1-65535, into *sa. 0, or -1
 * with the reason in err. */
int web_addr_parse(const char *s, struct sockaddr_in *sa, char *err, size_t errlen);

#endif /* ONVM_WEB_ADDR_H */
