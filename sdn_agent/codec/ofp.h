/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofp: the OpenFlow 1.3 codec. Pure C, no DPDK, no I/O.
 *
 * Decoding turns one whole message (header included) into plain structs;
 * every length is checked against its container and every failure returns
 * the OFPT_ERROR type/code the 1.3.5 specification names (ofp_err_t), so
 * the agent answers with ofp_encode_error() and keeps the connection.
 * Decoded variable parts (action lists, buckets) are heap-allocated: free
 * them with ofp_msg_release(). Byte pointers in decoded structs (frame
 * data, echo payloads) point into the caller's input buffer.
 *
 * Encoding appends whole messages to an ofp_buf.
 */
#ifndef OFP_H
#define OFP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"
#include "ofp_buf.h"
#include "ofp_wire.h"

/* ------------------------------------------------------------------ */
/* Match                                                              */

/*
 * A match is a (key, mask) pair over struct flow_key: a field is present
 * when its mask is non-zero. ICMP type/code and L4 ports are shared by
 * the protocols that have them; the eth_type and ip_proto in the key say
 * which OXM field they came from.
 */
struct ofp_match {
	struct flow_key key;
	struct flow_key mask;
};

/* Decode an ofp_match (type, length, OXM TLVs, padding) from r. */
ofp_err_t ofp_match_decode(struct ofp_rd *r, struct ofp_match *m);
/* Append an ofp_match with its padding. */
void ofp_match_encode(struct ofp_buf *b, const struct ofp_match *m);
/* Clear key bits the mask wildcards, so equal matches compare equal as
 * bytes however they were written. */
void ofp_match_normalize(struct ofp_match *m);

/* OXM field table shared by match and set-field. */
struct ofp_oxm_field_info {
	uint8_t field;       /* OFPXMT_OFB_* */
	uint8_t len;         /* value length in bytes */
	bool maskable;
	bool settable;       /* allowed in a SET_FIELD action */
	const char *name;
};
const struct ofp_oxm_field_info *ofp_oxm_field(uint8_t field);

/* ------------------------------------------------------------------ */
/* Actions and instructions                                           */

struct ofp_action {
	uint16_t type; /* OFPAT_* */
	union {
		struct {
			uint32_t port;
			uint16_t max_len;
		} output;
		uint32_t group_id;      /* OFPAT_GROUP */
		uint8_t ttl;            /* SET_MPLS_TTL, SET_NW_TTL */
		uint16_t ethertype;     /* PUSH_VLAN, PUSH_MPLS, POP_MPLS, PUSH_PBB */
		struct {
			uint8_t field;  /* OFPXMT_OFB_* */
			uint8_t len;
			uint8_t value[16]; /* wire order */
		} set_field;
	} u;
};

struct ofp_action_list {
	struct ofp_action *v;
	uint16_t n;
};

#define OFP_MAX_ACTIONS 256

/* Decode a run of actions filling exactly `len` bytes of r. */
ofp_err_t ofp_actions_decode(struct ofp_rd *r, size_t len, struct ofp_action_list *out);
void ofp_actions_encode(struct ofp_buf *b, const struct ofp_action_list *l);
void ofp_action_list_free(struct ofp_action_list *l);
/* Apply a SET_FIELD action's value to a key. */
void ofp_set_field_apply(const struct ofp_action *a, struct flow_key *k);
/* Check that every SET_FIELD has its prerequisites in the match (taking
 * earlier PUSH_VLAN/PUSH_MPLS into account): OFPBAC_MATCH_INCONSISTENT. */
ofp_err_t ofp_actions_check_match(const struct ofp_action_list *l, const struct ofp_match *m);

#define OFP_INST_BIT(t) (1u << (t))

struct ofp_instructions {
	uint32_t present; /* OFP_INST_BIT(OFPIT_*) */
	uint8_t goto_table;
	uint64_t metadata;
	uint64_t metadata_mask;
	uint32_t meter_id; /* OFPIT_METER */
	struct ofp_action_list apply;
	struct ofp_action_list write;
};

ofp_err_t ofp_instructions_decode(struct ofp_rd *r, size_t len, struct ofp_instructions *out);
void ofp_instructions_encode(struct ofp_buf *b, const struct ofp_instructions *in);
void ofp_instructions_free(struct ofp_instructions *in);

/* ------------------------------------------------------------------ */
/* Messages                                                           */

struct ofp_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t length;
	uint32_t xid;
};

struct ofp_hello {
	uint32_t bitmap;  /* versions 0..31 from OFPHET_VERSIONBITMAP, 0 if absent */
};

struct ofp_error_msg {
	uint16_t type;
	uint16_t code;
	const uint8_t *data;
	size_t data_len;
};

struct ofp_bytes {
	const uint8_t *data;
	size_t len;
};

struct ofp_features {
	uint64_t datapath_id;
	uint32_t n_buffers;
	uint8_t n_tables;
	uint8_t auxiliary_id;
	uint32_t capabilities;
};

struct ofp_config {
	uint16_t flags;
	uint16_t miss_send_len;
};

struct ofp_packet_in {
	uint32_t buffer_id;
	uint16_t total_len;
	uint8_t reason;
	uint8_t table_id;
	uint64_t cookie;
	struct ofp_match match;
	const uint8_t *data;
	size_t data_len;
};

struct ofp_packet_out {
	uint32_t buffer_id;
	uint32_t in_port;
	struct ofp_action_list actions;
	const uint8_t *data;
	size_t data_len;
};

struct ofp_flow_removed {
	uint64_t cookie;
	uint16_t priority;
	uint8_t reason;
	uint8_t table_id;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint64_t packet_count;
	uint64_t byte_count;
	struct ofp_match match;
};

struct ofp_port_info {
	uint32_t port_no;
	uint8_t hw_addr[6];
	char name[OFP_MAX_PORT_NAME_LEN]; /* NUL-terminated on decode */
	uint32_t config;
	uint32_t state;
	uint32_t curr;
	uint32_t advertised;
	uint32_t supported;
	uint32_t peer;
	uint32_t curr_speed;
	uint32_t max_speed;
};

struct ofp_port_status {
	uint8_t reason;
	struct ofp_port_info desc;
};

struct ofp_flow_mod {
	uint64_t cookie;
	uint64_t cookie_mask;
	uint8_t table_id;
	uint8_t command;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t priority;
	uint32_t buffer_id;
	uint32_t out_port;
	uint32_t out_group;
	uint16_t flags;
	struct ofp_match match;
	struct ofp_instructions insts;
};

struct ofp_bucket {
	uint16_t weight;
	uint32_t watch_port;
	uint32_t watch_group;
	struct ofp_action_list actions;
};

#define OFP_MAX_BUCKETS 256

struct ofp_group_mod {
	uint16_t command;
	uint8_t type;
	uint32_t group_id;
	struct ofp_bucket *buckets;
	uint16_t n_buckets;
};

/* METER_MOD (7.3.4.4). Bands are held inline: a meter has at most
 * OFP_MAX_METER_BANDS (METER_FEATURES max_bands), more is OUT_OF_BANDS. */
#define OFP_MAX_METER_BANDS 8

struct ofp_meter_band {
	uint16_t type;        /* OFPMBT_DROP or OFPMBT_DSCP_REMARK */
	uint32_t rate;        /* kb/s or packets/s, as the meter's flags say */
	uint32_t burst_size;  /* kb or packets, used with OFPMF_BURST */
	uint8_t prec_level;   /* DSCP_REMARK: drop precedence levels to add */
};

struct ofp_meter_mod {
	uint16_t command;     /* OFPMC_* */
	uint16_t flags;       /* OFPMF_* */
	uint32_t meter_id;
	uint16_t n_bands;
	struct ofp_meter_band bands[OFP_MAX_METER_BANDS];
};

struct ofp_port_mod {
	uint32_t port_no;
	uint8_t hw_addr[6];
	uint32_t config;
	uint32_t mask;
	uint32_t advertise;
};

struct ofp_table_mod {
	uint8_t table_id;
	uint32_t config;
};

struct ofp_role {
	uint32_t role;
	uint64_t generation_id;
};

/* FLOW and AGGREGATE requests share a body. */
struct ofp_flow_stats_request {
	uint8_t table_id;
	uint32_t out_port;
	uint32_t out_group;
	uint64_t cookie;
	uint64_t cookie_mask;
	struct ofp_match match;
};

struct ofp_mp_request {
	uint16_t type;
	uint16_t flags;
	union {
		struct ofp_flow_stats_request flow; /* FLOW, AGGREGATE */
		uint32_t port_no;   /* PORT_STATS (OFPP_ANY = all) */
		uint32_t group_id;  /* GROUP (OFPG_ALL = all) */
		uint32_t meter_id;  /* METER, METER_CONFIG (OFPM_ALL = all) */
	} u;
};

struct ofp_mp_reply {
	uint16_t type;
	uint16_t flags;
	struct ofp_bytes body; /* decode entries with the ofp_mp_*_next helpers */
};

struct ofp_msg {
	struct ofp_hdr h;
	union {
		struct ofp_hello hello;
		struct ofp_error_msg error;
		struct ofp_bytes echo;          /* ECHO_REQUEST / ECHO_REPLY payload */
		struct ofp_features features;   /* FEATURES_REPLY */
		struct ofp_config config;       /* SET_CONFIG, GET_CONFIG_REPLY */
		struct ofp_packet_in packet_in;
		struct ofp_packet_out packet_out;
		struct ofp_flow_removed flow_removed;
		struct ofp_port_status port_status;
		struct ofp_flow_mod flow_mod;
		struct ofp_group_mod group_mod;
		struct ofp_meter_mod meter_mod;
		struct ofp_port_mod port_mod;
		struct ofp_table_mod table_mod;
		struct ofp_role role;           /* ROLE_REQUEST / ROLE_REPLY */
		struct ofp_mp_request mp_request;
		struct ofp_mp_reply mp_reply;
	} u;
};

/*
 * Stream framing: given the first `avail` bytes of a stream, the length of
 * the message at its head, 0 if the header is not complete yet, or an
 * error when the header's length is below 8 (OFPBRC_BAD_LEN: the stream
 * cannot be resynchronised and the agent should close after answering).
 */
ofp_err_t ofp_frame_len(const uint8_t *buf, size_t avail, size_t *msg_len);

/*
 * Decode one whole message. On error, `out` needs no release and `out->h`
 * is filled when the header was readable (so the ERROR can echo the xid).
 * Messages of any version other than 0x04 are OFPBRC_BAD_VERSION, except
 * HELLO and ERROR which every version may send.
 */
ofp_err_t ofp_decode(const uint8_t *msg, size_t len, struct ofp_msg *out);
void ofp_msg_release(struct ofp_msg *m);

/* Version negotiation: the version both sides speak from a peer's HELLO,
 * or OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE when 1.3 is not among them. */
ofp_err_t ofp_hello_negotiate(const struct ofp_msg *hello, uint8_t *version);

/* Pieces of the decoder, exposed for the multipart and switch code. */
ofp_err_t ofp_flow_mod_decode(struct ofp_rd *r, struct ofp_flow_mod *fm);
ofp_err_t ofp_group_mod_decode(struct ofp_rd *r, struct ofp_group_mod *gm);
ofp_err_t ofp_buckets_decode(struct ofp_rd *r, size_t len, uint8_t group_type,
			     struct ofp_bucket **out, uint16_t *n_out);
void ofp_buckets_encode(struct ofp_buf *b, const struct ofp_bucket *bk, uint16_t n);
void ofp_buckets_free(struct ofp_bucket *bk, uint16_t n);
ofp_err_t ofp_meter_mod_decode(struct ofp_rd *r, struct ofp_meter_mod *mm);
ofp_err_t ofp_mp_request_decode(struct ofp_rd *r, struct ofp_mp_request *mp);
ofp_err_t ofp_mp_reply_decode(struct ofp_rd *r, struct ofp_mp_reply *mp);
void ofp_port_info_encode(struct ofp_buf *b, const struct ofp_port_info *p);
bool ofp_port_info_decode(struct ofp_rd *r, struct ofp_port_info *p);

/* ------------------------------------------------------------------ */
/* Encoders: each appends one whole message to b.                      */

/* Start a message; returns its offset for ofp_msg_finish(). */
size_t ofp_msg_start(struct ofp_buf *b, uint8_t type, uint32_t xid);
/* Write the final length of the message started at `start`. */
void ofp_msg_finish(struct ofp_buf *b, size_t start);

void ofp_encode_hello(struct ofp_buf *b, uint32_t xid, uint32_t version_bitmap);
/* An ERROR echoing the first 64 bytes of the offending message. */
void ofp_encode_error(struct ofp_buf *b, uint32_t xid, ofp_err_t err,
		      const uint8_t *offending, size_t offending_len);
void ofp_encode_error_raw(struct ofp_buf *b, uint32_t xid, uint16_t type, uint16_t code,
			  const uint8_t *data, size_t data_len);
void ofp_encode_echo(struct ofp_buf *b, uint8_t type, uint32_t xid, const uint8_t *data, size_t len);
void ofp_encode_empty(struct ofp_buf *b, uint8_t type, uint32_t xid); /* FEATURES_REQUEST, BARRIER_* ... */
void ofp_encode_features_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_features *f);
void ofp_encode_config(struct ofp_buf *b, uint8_t type, uint32_t xid, const struct ofp_config *c);
void ofp_encode_role(struct ofp_buf *b, uint8_t type, uint32_t xid, const struct ofp_role *r);
void ofp_encode_packet_in(struct ofp_buf *b, uint32_t xid, const struct ofp_packet_in *pi);
void ofp_encode_packet_out(struct ofp_buf *b, uint32_t xid, const struct ofp_packet_out *po);
void ofp_encode_flow_removed(struct ofp_buf *b, uint32_t xid, const struct ofp_flow_removed *fr);
void ofp_encode_port_status(struct ofp_buf *b, uint32_t xid, const struct ofp_port_status *ps);
void ofp_encode_flow_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_flow_mod *fm);
void ofp_encode_group_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_group_mod *gm);
void ofp_encode_meter_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_meter_mod *mm);
void ofp_encode_port_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_port_mod *pm);
void ofp_encode_table_mod(struct ofp_buf *b, uint32_t xid, const struct ofp_table_mod *tm);
void ofp_encode_mp_request(struct ofp_buf *b, uint32_t xid, const struct ofp_mp_request *mp);

/* ------------------------------------------------------------------ */
/* Multipart replies                                                   */

/*
 * A reply writer: entries are appended one at a time; when a message would
 * pass max_msg_len the writer closes it with OFPMPF_REPLY_MORE and moves
 * the entry into a fresh message, so a reply of any size goes out as a
 * series of messages of at most 64 KiB.
 */
struct ofp_mp_writer {
	struct ofp_buf *b;
	uint32_t xid;
	uint16_t type;
	size_t msg_start;
	size_t max_msg_len;
	unsigned n_msgs;
};

void ofp_mp_writer_begin(struct ofp_mp_writer *w, struct ofp_buf *b, uint32_t xid, uint16_t type);
size_t ofp_mp_entry_begin(struct ofp_mp_writer *w);
void ofp_mp_entry_end(struct ofp_mp_writer *w, size_t entry_start);
void ofp_mp_writer_end(struct ofp_mp_writer *w);

struct ofp_desc_info {
	const char *mfr, *hw, *sw, *serial, *dp;
};

struct ofp_flow_stats_entry {
	uint8_t table_id;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	uint16_t priority;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t flags;
	uint64_t cookie;
	uint64_t packet_count;
	uint64_t byte_count;
	struct ofp_match match;
	struct ofp_instructions insts;
};

struct ofp_aggregate_stats {
	uint64_t packet_count;
	uint64_t byte_count;
	uint32_t flow_count;
};

struct ofp_table_stats_entry {
	uint8_t table_id;
	uint32_t active_count;
	uint64_t lookup_count;
	uint64_t matched_count;
};

struct ofp_port_stats_entry {
	uint32_t port_no;
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
	uint32_t duration_sec;
	uint32_t duration_nsec;
};

struct ofp_bucket_counter {
	uint64_t packet_count;
	uint64_t byte_count;
};

struct ofp_group_stats_entry {
	uint32_t group_id;
	uint32_t ref_count;
	uint64_t packet_count;
	uint64_t byte_count;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	const struct ofp_bucket_counter *buckets;
	uint16_t n_buckets;
};

struct ofp_group_desc_entry {
	uint8_t type;
	uint32_t group_id;
	const struct ofp_bucket *buckets;
	uint16_t n_buckets;
};

struct ofp_meter_stats_entry {
	uint32_t meter_id;
	uint32_t flow_count;
	uint64_t packet_in_count;
	uint64_t byte_in_count;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	uint16_t n_bands;
	struct ofp_bucket_counter bands[OFP_MAX_METER_BANDS];
};

struct ofp_meter_config_entry {
	uint16_t flags;
	uint32_t meter_id;
	uint16_t n_bands;
	struct ofp_meter_band bands[OFP_MAX_METER_BANDS];
};

struct ofp_meter_features {
	uint32_t max_meter;
	uint32_t band_types;   /* bitmap of 1 << OFPMBT_* */
	uint32_t capabilities; /* OFPMF_* */
	uint8_t max_bands;
	uint8_t max_color;
};

/* What the switch supports, for TABLE_FEATURES. */
struct ofp_table_features_info {
	uint8_t n_tables;
	uint32_t max_entries;
};

void ofp_encode_desc_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_desc_info *d);
void ofp_encode_aggregate_reply(struct ofp_buf *b, uint32_t xid, const struct ofp_aggregate_stats *a);
void ofp_encode_group_features_reply(struct ofp_buf *b, uint32_t xid);
void ofp_mp_put_flow_stats(struct ofp_mp_writer *w, const struct ofp_flow_stats_entry *e);
void ofp_mp_put_table_stats(struct ofp_mp_writer *w, const struct ofp_table_stats_entry *e);
void ofp_mp_put_port_stats(struct ofp_mp_writer *w, const struct ofp_port_stats_entry *e);
void ofp_mp_put_port_desc(struct ofp_mp_writer *w, const struct ofp_port_info *p);
void ofp_mp_put_group_stats(struct ofp_mp_writer *w, const struct ofp_group_stats_entry *e);
void ofp_mp_put_group_desc(struct ofp_mp_writer *w, const struct ofp_group_desc_entry *e);
void ofp_mp_put_meter_stats(struct ofp_mp_writer *w, const struct ofp_meter_stats_entry *e);
void ofp_mp_put_meter_config(struct ofp_mp_writer *w, const struct ofp_meter_config_entry *e);
void ofp_encode_meter_features_reply(struct ofp_buf *b, uint32_t xid,
				     const struct ofp_meter_features *f);
/* The whole TABLE_FEATURES reply: one entry per table, split as needed. */
void ofp_encode_table_features_reply(struct ofp_buf *b, uint32_t xid,
				     const struct ofp_table_features_info *t);

/* Reply-body decoders (controller side, tests): read the next entry of a
 * reply body; return OFP_OK, or an error for a malformed entry. */
ofp_err_t ofp_mp_flow_stats_next(struct ofp_rd *r, struct ofp_flow_stats_entry *e);
ofp_err_t ofp_mp_desc_decode(struct ofp_rd *r, struct ofp_desc *d);
ofp_err_t ofp_mp_aggregate_decode(struct ofp_rd *r, struct ofp_aggregate_stats *a);
ofp_err_t ofp_mp_group_desc_next(struct ofp_rd *r, uint8_t *type, uint32_t *group_id,
				 struct ofp_bucket **buckets, uint16_t *n_buckets);

ofp_err_t ofp_mp_meter_stats_next(struct ofp_rd *r, struct ofp_meter_stats_entry *e);
ofp_err_t ofp_mp_meter_config_next(struct ofp_rd *r, struct ofp_meter_config_entry *e);
ofp_err_t ofp_mp_meter_features_decode(struct ofp_rd *r, struct ofp_meter_features *f);

/* Names for logs and docs. */
const char *ofp_type_name(uint8_t type);

#endif /* OFP_H */
