/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_alert: one JSON line per alert, with Suricata eve.json's field names:
 *
 * {"timestamp":"2026-01-02T03:04:05.123456+0000","flow_id":123,
 *  "event_type":"alert","src_ip":"10.0.0.1","src_port":1234,
 *  "dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP",
 *  "alert":{"action":"allowed","gid":1,"signature_id":1000001,"rev":1,
 *           "signature":"...","category":"...","severity":2}}
 *
 * ICMP alerts carry icmp_type/icmp_code instead of ports, as Suricata's do.
 */
#ifndef IDS_ALERT_H
#define IDS_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ids_rules.h"

struct ids_alert_pkt {
	uint64_t ts_ns;
	uint64_t flow_id;
	uint8_t proto;
	uint32_t src_ip, dst_ip;     /* host order */
	uint16_t src_port, dst_port;
	uint8_t icmp_type, icmp_code;
};

/* Suricata's timestamp: 2026-01-02T03:04:05.123456+0000 (UTC). buf >= 40. */
void ids_alert_timestamp(uint64_t ts_ns, char *buf, size_t size);

/* Write one alert line; returns 0, or -1 when the line could not be written. */
int ids_alert_write(FILE *out, const struct ids_alert_pkt *p, const struct ids_rule *r,
		    bool blocked);

#endif /* IDS_ALERT_H */
