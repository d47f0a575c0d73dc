/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_order.h"
#include "arp_reply.h"
#include "pkt_parse.h"

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

bool
arp_table_owns(const struct arp_table *t, uint32_t ip, uint16_t port)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->addrs[i].ip == ip && t->addrs[i].port == port)
			return true;
	return false;
}

static int
add_addr(struct arp_table *t, const char *ip_text, uint16_t port, char *err, size_t errlen)
{
	struct in_addr a;
	uint32_t ip;

	if (inet_pton(AF_INET, ip_text, &a) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", ip_text);
		return -1;
	}
	ip = ntohl(a.s_addr);
	if (arp_table_owns(t, ip, port)) {
		snprintf(err, errlen, "%s is given twice for port %u", ip_text, port);
		return -1;
	}
	if (t->n >= ARP_MAX_ADDRS) {
		snprintf(err, errlen, "more than %d addresses", ARP_MAX_ADDRS);
		return -1;
	}
	t->addrs[t->n].ip = ip;
	t->addrs[t->n].port = port;
	t->n++;
	return 0;
}

static int
parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > ARP_MAX_PORT)
		goto bad;
	*port = (uint16_t)v;
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a port number (0-%d)", s, ARP_MAX_PORT);
	return -1;
}

/*
 * Walk a comma-separated list. Empty items are errors: "1.2.3.4,,5.6.7.8"
 * is a typo, and "-s ,10.0.0.2" (skip port 0) is better said with -a.
 */
static int
parse_list(struct arp_table *t, const char *list, bool pairs, char *err, size_t errlen)
{
	size_t len = strlen(list);
	char *copy = malloc(len + 1), *item, *save = NULL;
	uint16_t port = 0;
	int rc = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(copy, list, len + 1);
	if (len == 0 || list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,") != NULL) {
		snprintf(err, errlen, "'%s': empty item in the address list", list);
		free(copy);
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		if (pairs) {
			char *at = strchr(item, '@');

			if (at == NULL) {
				snprintf(err, errlen, "'%s': expected IP@PORT", item);
				rc = -1;
				break;
			}
			*at = '\0';
			rc = parse_port(at + 1, &port, err, errlen);
			if (rc == 0)
				rc = add_addr(t, item, port, err, errlen);
		} else {
			if (port > ARP_MAX_PORT) {
				snprintf(err, errlen, "more addresses than ports (0-%d)", ARP_MAX_PORT);
				rc = -1;
				break;
			}
			/* OpenNetVM's placeholder: this port answers nothing. */
			if (strcmp(item, "0.0.0.0") != 0)
				rc = add_addr(t, item, port, err, errlen);
			port++;
		}
	}
	free(copy);
	return rc;
}

int
arp_table_add_per_port(struct arp_table *t, const char *list, char *err, size_t errlen)
{
	return parse_list(t, list, false, err, errlen);
}

int
arp_table_add_pairs(struct arp_table *t, const char *list, char *err, size_t errlen)
{
	return parse_list(t, list, true, err, errlen);
}

enum arp_verdict
arp_answer(uint8_t *frame, uint32_t len, const struct arp_table *t, uint16_t in_port,
	   const uint8_t port_mac[6])
{
	struct pkt_info pi;
	uint8_t *arp;

	pkt_parse(frame, len, &pi);
	if (!(pi.flags & PKT_F_ARP))
		return ARP_NOT_ARP;
	if (pi.arp_op != ARP_OP_REQUEST)
		return ARP_NOT_REQUEST;
	if (!arp_table_owns(t, pi.arp_tpa, in_port))
		return ARP_NOT_OURS;

	/* The parse checked that the 28-byte ARP body is present at l3_off. */
	arp = frame + pi.l3_off;
	memcpy(frame, pi.eth_src, 6);     /* back to the asker */
	memcpy(frame + 6, port_mac, 6);
	be16_store(arp + 6, ARP_OP_REPLY);
	memcpy(arp + 8, port_mac, 6);     /* sender: us, with the asked address */
	memcpy(arp + 14, arp + 24, 4);
	memcpy(arp + 18, pi.arp_sha, 6);  /* target: the asker */
	be16_store(arp + 24, (uint16_t)(pi.arp_spa >> 16));
	be16_store(arp + 26, (uint16_t)pi.arp_spa);
	return ARP_REPLIED;
}
