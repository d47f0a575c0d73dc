/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_report: one flow's state as a JSON line, in the spirit of Suricata's
 * eve.json flow records:
 *
 *   {"event_type":"qoe","flow_id":..,"src_ip":..,"src_port":..,"dest_ip":..,
 *    "dest_port":..,"proto":"TCP",
 *    "flow":{"pkts_toserver","pkts_toclient","bytes_toserver","bytes_toclient",
 *            "start","end","age","state","reason"},
 *    "qoe":{"rtt_handshake_ms","rtt_min_ms","rtt_avg_ms","rtt_max_ms",
 *           "rtt_samples","retransmissions_toserver","retransmissions_toclient",
 *           "out_of_order","zero_window","throughput_bps_toserver",
 *           "throughput_bps_toclient","jitter_ms","lost"}}
 *
 * src is the client. A figure that cannot be known is null, never 0: TCP
 * figures of a non-TCP flow, RTT without a sample, jitter and loss of a flow
 * that is not RTP, ports of a protocol without ports, throughput of a flow
 * whose packets all arrived at the same instant.
 */
#ifndef QOE_REPORT_H
#define QOE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "qoe_flow.h"

enum qoe_reason {
	QOE_REASON_INTERVAL = 0,
	QOE_REASON_FIN,
	QOE_REASON_RST,
	QOE_REASON_TIMEOUT,
	QOE_REASON_SHUTDOWN,
};

const char *qoe_reason_name(enum qoe_reason reason);
const char *qoe_state_name(enum qoe_flow_state state);

/* Suricata's timestamp format, in UTC: 2017-09-06T00:23:03.661249+0000. */
void qoe_format_time(uint64_t t_ns, char *buf, size_t len);

/* The record as a new JSON object (the caller json_decref()s it). */
json_t *qoe_report_json(const struct qoe_flow *f, enum qoe_reason reason);

/* Write the record as one line. Returns 0, or -1 on a write error. */
int qoe_report_write(FILE *out, const struct qoe_flow *f, enum qoe_reason reason);

#endif /* QOE_REPORT_H */
