/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_switch: the OpenFlow 1.3 switch logic, pure C (no DPDK, no I/O).
 *
 * Flow tables (multi-table, priorities, cookies, the five FLOW_MOD
 * commands with out_port/out_group filters, CHECK_OVERLAP, idle/hard
 * timeouts) and the group table (all/select/indirect/ff, bucket and chain
 * checks), and the stats replies built from them.
 *
 * Entries live in plain arrays; the manager compiles them into its
 * classifier: every flow exposes (table, priority, key, mask, id) and the
 * switch's `generation` grows on every change so the manager knows when
 * to recompile. ofs_lookup() is the brute-force reference that compiled
 * classifiers are tested against. Time is passed in (milliseconds, any
 * monotonic origin), so timeouts test without sleeping.
 */
#ifndef OF_SWITCH_H
#define OF_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ofp.h"

#define OFS_MAX_TABLES 254

struct ofs_flow {
	uint64_t id;          /* unique for the switch's lifetime */
	uint8_t table_id;
	uint16_t priority;
	struct ofp_match match;
	struct ofp_instructions insts;
	uint64_t cookie;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t flags;       /* OFPFF_* */
	uint64_t created_ms;
	uint64_t used_ms;     /* last packet, or creation */
	uint64_t packet_count;
	uint64_t byte_count;
};

struct ofs_table {
	struct ofs_flow **flows;   /* unordered */
	uint32_t n;
	uint32_t cap;
	uint64_t lookups;
	uint64_t matches;
};

struct ofs_group {
	uint32_t id;
	uint8_t type;
	struct ofp_bucket *buckets;
	uint16_t n_buckets;
	struct ofp_bucket_counter *bucket_counts;
	uint64_t created_ms;
	uint64_t packet_count;
	uint64_t byte_count;
};

/* A meter (5.7): its configuration and the counters the data path's
 * are harvested into. */
#define OFS_MAX_METERS 1024

struct ofs_meter {
	uint32_t id;
	uint16_t flags;      /* OFPMF_* */
	uint16_t n_bands;
	struct ofp_meter_band bands[OFP_MAX_METER_BANDS];
	struct ofp_bucket_counter band_counts[OFP_MAX_METER_BANDS];
	uint64_t created_ms;
	uint64_t packet_in_count;
	uint64_t byte_in_count;
};

/* Told about every flow that leaves a table with SEND_FLOW_REM set. */
typedef void (*ofs_removed_cb)(void *ctx, const struct ofs_flow *f, uint8_t reason,
			       uint64_t now_ms);
/* Does OpenFlow port `port` (a physical or service port) exist? */
typedef bool (*ofs_port_cb)(void *ctx, uint32_t port);

struct of_switch {
	uint8_t n_tables;
	uint32_t max_flows;        /* per table */
	uint32_t max_groups;
	struct ofs_table tables[OFS_MAX_TABLES];
	struct ofs_group *groups;  /* sorted by id */
	uint32_t n_groups;
	uint32_t groups_cap;
	struct ofs_meter *meters;  /* sorted by id */
	uint32_t n_meters;
	uint32_t meters_cap;
	uint32_t max_meters;       /* OFS_MAX_METERS unless changed after ofs_init */
	uint64_t next_flow_id;
	uint64_t generation;
	ofs_removed_cb on_removed;
	ofs_port_cb port_exists;
	void *ctx;
};

int ofs_init(struct of_switch *sw, uint8_t n_tables, uint32_t max_flows, uint32_t max_groups);
void ofs_destroy(struct of_switch *sw);

/*
 * Apply a decoded FLOW_MOD at time now_ms. Checks what needs the switch's
 * state: table ids (BAD_TABLE_ID), output ports (BAD_OUT_PORT), groups
 * (BAD_OUT_GROUP), overlap (OVERLAP), room (TABLE_FULL). The flow_mod's
 * instructions are copied.
 */
ofp_err_t ofs_flow_mod(struct of_switch *sw, const struct ofp_flow_mod *fm, uint64_t now_ms);
ofp_err_t ofs_group_mod(struct of_switch *sw, const struct ofp_group_mod *gm, uint64_t now_ms);
/* Output ports and groups named by actions exist (BAD_OUT_PORT /
 * BAD_OUT_GROUP); for PACKET_OUT, whose actions meet no FLOW_MOD check. */
ofp_err_t ofs_actions_check(const struct of_switch *sw, const struct ofp_action_list *l);
/* Remove one flow by id, silently (no FLOW_REMOVED): for entries the
 * manager itself installed (JSON chains) when it replaces them. */
bool ofs_flow_remove_id(struct of_switch *sw, uint8_t table_id, uint64_t id);
/* Remove flows whose idle or hard timeout passed; returns how many. */
unsigned ofs_expire(struct of_switch *sw, uint64_t now_ms);

/* The highest-priority flow of a table matching k (ties: the older). */
struct ofs_flow *ofs_lookup(struct of_switch *sw, uint8_t table_id, const struct flow_key *k);
/*
 * The flows of a table in the order to compile them into a classifier
 * whose equal-priority ties go to the rule added first: oldest first (by
 * id), as ofs_lookup() breaks ties. Returns the table's flow count; writes
 * at most cap pointers (valid until the next change).
 */
uint32_t ofs_table_flows(const struct of_switch *sw, uint8_t table_id, const struct ofs_flow **out,
			 uint32_t cap);
/* Count a packet on a flow (the manager reports its counters here). */
void ofs_flow_hit(struct ofs_flow *f, uint32_t bytes, uint64_t now_ms);
struct ofs_group *ofs_group_find(struct of_switch *sw, uint32_t id);

/*
 * Apply a decoded METER_MOD: ADD (METER_EXISTS, OUT_OF_METERS), MODIFY
 * and DELETE (UNKNOWN_METER; OFPM_ALL deletes every meter). Deleting a
 * meter removes the flows that use it (FLOW_REMOVED reason OFPRR_DELETE:
 * 1.3 has no reason for it). Counters survive a MODIFY.
 */
ofp_err_t ofs_meter_mod(struct of_switch *sw, const struct ofp_meter_mod *mm, uint64_t now_ms);
struct ofs_meter *ofs_meter_find(struct of_switch *sw, uint32_t id);
/* Flows whose meter instruction names meter `id`. */
uint32_t ofs_meter_flow_count(const struct of_switch *sw, uint32_t id);
void ofs_meter_features(const struct of_switch *sw, struct ofp_meter_features *f);

/* Match relations over (key, mask), byte by byte. */
bool ofs_match_covers(const struct ofp_match *wide, const struct ofp_match *narrow);
bool ofs_match_overlaps(const struct ofp_match *a, const struct ofp_match *b);
bool ofs_match_equal(const struct ofp_match *a, const struct ofp_match *b);
bool ofs_match_key(const struct ofp_match *m, const struct flow_key *k);

/* Stats replies, appended to b (split past 64 KiB). */
void ofs_reply_flow_stats(struct of_switch *sw, uint32_t xid,
			  const struct ofp_flow_stats_request *req, uint64_t now_ms,
			  struct ofp_buf *b);
void ofs_reply_aggregate(struct of_switch *sw, uint32_t xid,
			 const struct ofp_flow_stats_request *req, struct ofp_buf *b);
void ofs_reply_table_stats(struct of_switch *sw, uint32_t xid, struct ofp_buf *b);
void ofs_reply_group_stats(struct of_switch *sw, uint32_t xid, uint32_t group_id,
			   uint64_t now_ms, struct ofp_buf *b);
void ofs_reply_group_desc(struct of_switch *sw, uint32_t xid, struct ofp_buf *b);
/* METER / METER_CONFIG for one meter or OFPM_ALL; an unknown meter id
 * gets an empty reply. */
void ofs_reply_meter_stats(struct of_switch *sw, uint32_t xid, uint32_t meter_id,
			   uint64_t now_ms, struct ofp_buf *b);
void ofs_reply_meter_config(struct of_switch *sw, uint32_t xid, uint32_t meter_id,
			    struct ofp_buf *b);

#endif /* OF_SWITCH_H */
