/* SPDX-License-Identifier: BSD-3-Clause */
/* Alerts as eve.json lines, built with jansson (format in ids_alert.h). */
#include <inttypes.h>
#include <time.h>

#include <jansson.h>

#include "ids_alert.h"

void
ids_alert_timestamp(uint64_t ts_ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	unsigned usec = (unsigned)((ts_ns % 1000000000ull) / 1000);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06u+0000", day, usec);
}

static void
ip_str(uint32_t ip, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

/* jansson refuses invalid UTF-8: a rule's msg must not lose the alert. */
static json_t *
safe_string(const char *s)
{
	json_t *j = json_string(s ? s : "");

	return j ? j : json_string("?");
}

static json_t *
proto_json(uint8_t proto)
{
	switch (proto) {
	case 6: return json_string("TCP");
	case 17: return json_string("UDP");
	case 1: return json_string("ICMP");
	default: {
		char num[8];
		snprintf(num, sizeof(num), "%u", proto); /* Suricata's form for others */
		return json_string(num);
	}
	}
}

int
ids_alert_write(FILE *out, const struct ids_alert_pkt *p, const struct ids_rule *r, bool blocked)
{
	char ts[48], sip[16], dip[16];
	json_t *ev = json_object(), *al = json_object();
	int rc = -1;

	if (ev == NULL || al == NULL)
		goto out;
	ids_alert_timestamp(p->ts_ns, ts, sizeof(ts));
	ip_str(p->src_ip, sip, sizeof(sip));
	ip_str(p->dst_ip, dip, sizeof(dip));
	json_object_set_new(ev, "timestamp", json_string(ts));
	json_object_set_new(ev, "flow_id", json_integer((json_int_t)p->flow_id));
	json_object_set_new(ev, "event_type", json_string("alert"));
	json_object_set_new(ev, "src_ip", json_string(sip));
	if (p->proto == 6 || p->proto == 17)
		json_object_set_new(ev, "src_port", json_integer(p->src_port));
	json_object_set_new(ev, "dest_ip", json_string(dip));
	if (p->proto == 6 || p->proto == 17)
		json_object_set_new(ev, "dest_port", json_integer(p->dst_port));
	json_object_set_new(ev, "proto", proto_json(p->proto));
	if (p->proto == 1) {
		json_object_set_new(ev, "icmp_type", json_integer(p->icmp_type));
		json_object_set_new(ev, "icmp_code", json_integer(p->icmp_code));
	}
	json_object_set_new(al, "action", json_string(blocked ? "blocked" : "allowed"));
	json_object_set_new(al, "gid", json_integer(1));
	json_object_set_new(al, "signature_id", json_integer(r->sid));
	json_object_set_new(al, "rev", json_integer(r->rev));
	json_object_set_new(al, "signature", safe_string(r->msg));
	json_object_set_new(al, "category", safe_string(r->category));
	json_object_set_new(al, "severity", json_integer(r->severity));
	json_object_set(ev, "alert", al);
	if (json_dumpf(ev, out, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0 && fputc('\n', out) != EOF)
		rc = 0;
out:
	json_decref(al);
	json_decref(ev);
	return rc;
}
