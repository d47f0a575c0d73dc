/* SPDX-License-Identifier: BSD-3-Clause */
/* qoe_report: a flow's QoE record as one JSON line. */
#include <math.h>
#include <time.h>

#include "qoe_report.h"

#define NS_PER_SEC 1000000000ull

const char *
qoe_reason_name(enum qoe_reason reason)
{
	switch (reason) {
	case QOE_REASON_INTERVAL: return "interval";
	case QOE_REASON_FIN:      return "fin";
	case QOE_REASON_RST:      return "rst";
	case QOE_REASON_TIMEOUT:  return "timeout";
	case QOE_REASON_SHUTDOWN: return "shutdown";
	}
	return "unknown";
}

const char *
qoe_state_name(enum qoe_flow_state state)
{
	switch (state) {
	case QOE_STATE_NEW:         return "new";
	case QOE_STATE_ESTABLISHED: return "established";
	case QOE_STATE_CLOSED:      return "closed";
	}
	return "unknown";
}

void
qoe_format_time(uint64_t t_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(t_ns / NS_PER_SEC);
	unsigned int usec = (unsigned int)((t_ns % NS_PER_SEC) / 1000);
	struct tm tm;
	char date[32];

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06u+0000", date, usec);
}

static json_t *
ip_string(uint32_t ip)
{
	char s[16];

	snprintf(s, sizeof(s), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		 ip & 0xff);
	return json_string(s);
}

static json_t *
proto_name(uint8_t proto)
{
	char s[4];

	switch (proto) {
	case PKT_PROTO_TCP:  return json_string("TCP");
	case PKT_PROTO_UDP:  return json_string("UDP");
	case PKT_PROTO_ICMP: return json_string("ICMP");
	case PKT_PROTO_SCTP: return json_string("SCTP");
	}
	snprintf(s, sizeof(s), "%u", proto);
	return json_string(s);
}

static bool
has_ports(uint8_t proto)
{
	return proto == PKT_PROTO_TCP || proto == PKT_PROTO_UDP || proto == PKT_PROTO_SCTP;
}

/* Milliseconds from nanoseconds, kept to the nanosecond. */
static json_t *
ms(double ns)
{
	return json_real(round(ns) / 1e6);
}

static json_t *
flow_part(const struct qoe_flow *f, enum qoe_reason reason)
{
	json_t *o = json_object();
	char ts[48];

	json_object_set_new(o, "pkts_toserver", json_integer((json_int_t)f->pkts[0]));
	json_object_set_new(o, "pkts_toclient", json_integer((json_int_t)f->pkts[1]));
	json_object_set_new(o, "bytes_toserver", json_integer((json_int_t)f->bytes[0]));
	json_object_set_new(o, "bytes_toclient", json_integer((json_int_t)f->bytes[1]));
	qoe_format_time(f->start_ns, ts, sizeof(ts));
	json_object_set_new(o, "start", json_string(ts));
	qoe_format_time(f->last_ns, ts, sizeof(ts));
	json_object_set_new(o, "end", json_string(ts));
	/* Suricata's age: whole seconds between first and last packet. */
	json_object_set_new(o, "age", json_integer((json_int_t)(f->last_ns / NS_PER_SEC -
								f->start_ns / NS_PER_SEC)));
	json_object_set_new(o, "state", json_string(qoe_state_name(f->state)));
	json_object_set_new(o, "reason", json_string(qoe_reason_name(reason)));
	return o;
}

static json_t *
throughput(uint64_t bytes, uint64_t age_ns)
{
	if (age_ns == 0)
		return json_null();   /* one instant: no rate to speak of */
	return json_integer((json_int_t)llround((double)bytes * 8.0 * 1e9 / (double)age_ns));
}

static void
tcp_part(json_t *q, const struct qoe_tcp *tcp)
{
	json_object_set_new(q, "rtt_handshake_ms",
			    tcp->handshake_known ? ms((double)tcp->handshake_ns) : json_null());
	if (tcp->rtt_samples) {
		json_object_set_new(q, "rtt_min_ms", ms((double)tcp->rtt_min_ns));
		json_object_set_new(q, "rtt_avg_ms",
				    ms((double)tcp->rtt_sum_ns / tcp->rtt_samples));
		json_object_set_new(q, "rtt_max_ms", ms((double)tcp->rtt_max_ns));
	} else {
		json_object_set_new(q, "rtt_min_ms", json_null());
		json_object_set_new(q, "rtt_avg_ms", json_null());
		json_object_set_new(q, "rtt_max_ms", json_null());
	}
	json_object_set_new(q, "rtt_samples", json_integer(tcp->rtt_samples));
	json_object_set_new(q, "retransmissions_toserver",
			    json_integer(tcp->dir[QOE_DIR_TOSERVER].retransmissions));
	json_object_set_new(q, "retransmissions_toclient",
			    json_integer(tcp->dir[QOE_DIR_TOCLIENT].retransmissions));
	json_object_set_new(q, "out_of_order",
			    json_integer((json_int_t)tcp->dir[0].out_of_order + tcp->dir[1].out_of_order));
	json_object_set_new(q, "zero_window",
			    json_integer((json_int_t)tcp->dir[0].zero_window + tcp->dir[1].zero_window));
}

static void
null_fields(json_t *q, const char *const *names)
{
	for (; *names; names++)
		json_object_set_new(q, *names, json_null());
}

static const char *const tcp_fields[] = {
	"rtt_handshake_ms", "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "rtt_samples",
	"retransmissions_toserver", "retransmissions_toclient", "out_of_order", "zero_window",
	NULL,
};

/*
 * RTP figures: a stream in one direction is reported as is; when both
 * directions carry one (a call), the jitter is the worse of the two and
 * the losses add up.
 */
static void
rtp_part(json_t *q, const struct qoe_flow *f)
{
	bool is_rtp[2] = { false, false };

	if (f->client.proto == PKT_PROTO_UDP) {
		is_rtp[0] = qoe_rtp_is_stream(&f->rtp[0]);
		is_rtp[1] = qoe_rtp_is_stream(&f->rtp[1]);
		/* one SSRC per flow direction, and nothing else on the flow */
		for (int d = 0; d < 2; d++)
			if (f->rtp[d].status == QOE_RTP_NO)
				is_rtp[0] = is_rtp[1] = false;
	}
	if (!is_rtp[0] && !is_rtp[1]) {
		json_object_set_new(q, "jitter_ms", json_null());
		json_object_set_new(q, "lost", json_null());
		return;
	}
	double jitter = 0;
	int64_t lost = 0;

	for (int d = 0; d < 2; d++) {
		if (!is_rtp[d])
			continue;
		double j = qoe_rtp_jitter_ms(&f->rtp[d]);
		if (j > jitter)
			jitter = j;
		lost += qoe_rtp_lost(&f->rtp[d]);
	}
	json_object_set_new(q, "jitter_ms", json_real(round(jitter * 1e6) / 1e6));
	json_object_set_new(q, "lost", json_integer(lost));
}

json_t *
qoe_report_json(const struct qoe_flow *f, enum qoe_reason reason)
{
	json_t *o = json_object();
	json_t *q = json_object();
	bool ports = has_ports(f->client.proto);
	uint64_t age_ns = f->last_ns - f->start_ns;

	json_object_set_new(o, "event_type", json_string("qoe"));
	json_object_set_new(o, "flow_id", json_integer((json_int_t)f->flow_id));
	json_object_set_new(o, "src_ip", ip_string(f->client.src_ip));
	json_object_set_new(o, "src_port", ports ? json_integer(f->client.src_port) : json_null());
	json_object_set_new(o, "dest_ip", ip_string(f->client.dst_ip));
	json_object_set_new(o, "dest_port", ports ? json_integer(f->client.dst_port) : json_null());
	json_object_set_new(o, "proto", proto_name(f->client.proto));
	json_object_set_new(o, "flow", flow_part(f, reason));

	if (f->client.proto == PKT_PROTO_TCP)
		tcp_part(q, &f->tcp);
	else
		null_fields(q, tcp_fields);
	json_object_set_new(q, "throughput_bps_toserver", throughput(f->bytes[0], age_ns));
	json_object_set_new(q, "throughput_bps_toclient", throughput(f->bytes[1], age_ns));
	rtp_part(q, f);
	json_object_set_new(o, "qoe", q);
	return o;
}

int
qoe_report_write(FILE *out, const struct qoe_flow *f, enum qoe_reason reason)
{
	json_t *o = qoe_report_json(f, reason);
	int rc = -1;

	if (o) {
		rc = json_dumpf(o, out, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (rc == 0 && fputc('\n', out) == EOF)
			rc = -1;
		json_decref(o);
	}
	return rc;
}
