/* SPDX-License-Identifier: BSD-3-Clause */
/* --web [IP:]PORT (web_addr.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_addr.h"

int
web_addr_parse(const char *s, struct sockaddr_in *sa, char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN] = "127.0.0.1";
	const char *colon = strrchr(s, ':'), *port_s = s;
	unsigned long port;
	char *end;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (colon != NULL) {
		size_t n = (size_t)(colon - s);

		if (n == 0 || n >= sizeof(ip)) {
			snprintf(err, errlen, "'%s': expected [IP:]PORT with an IPv4 address", s);
			return -1;
		}
		memcpy(ip, s, n);
		ip[n] = '\0';
		port_s = colon + 1;
	}
	if (!isdigit((unsigned char)*port_s)) {
		snprintf(err, errlen, "'%s': expected [IP:]PORT, and '%s' is not a port", s, port_s);
		return -1;
	}
	port = strtoul(port_s, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535) {
		snprintf(err, errlen, "'%s': the port must be a number from 1 to 65535", s);
		return -1;
	}
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1) {
		snprintf(err, errlen, "'%s': '%s' is not an IPv4 address", s, ip);
		return -1;
	}
	sa->sin_port = htons((uint16_t)port);
	return 0;
}
