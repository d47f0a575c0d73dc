/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ofp_wire: OpenFlow 1.3 (wire version 0x04) as it appears on the wire,
 * from the OpenFlow Switch Specification 1.3.5.
 *
 * The packed structs document the fixed parts of each message and give
 * their sizes (checked below); the codec reads and writes fields one by
 * one with explicit big-endian accessors, never by casting a buffer to
 * these structs. All multi-byte fields are network byte order on the wire.
 */
#ifndef OFP_WIRE_H
#define OFP_WIRE_H

#include <stdint.h>

#define OFP_VERSION_1_3 0x04
#define OFP_HEADER_LEN 8
#define OFP_MAX_MSG_LEN 65535
#define OFP_MAX_TABLE_NAME_LEN 32
#define OFP_MAX_PORT_NAME_LEN 16
#define OFP_DESC_STR_LEN 256
#define OFP_SERIAL_NUM_LEN 32
#define OFP_ETH_ALEN 6

/* ---- message types (ofp_type) ---- */
enum ofp_type {
	OFPT_HELLO = 0,
	OFPT_ERROR = 1,
	OFPT_ECHO_REQUEST = 2,
	OFPT_ECHO_REPLY = 3,
	OFPT_EXPERIMENTER = 4,
	OFPT_FEATURES_REQUEST = 5,
	OFPT_FEATURES_REPLY = 6,
	OFPT_GET_CONFIG_REQUEST = 7,
	OFPT_GET_CONFIG_REPLY = 8,
	OFPT_SET_CONFIG = 9,
	OFPT_PACKET_IN = 10,
	OFPT_FLOW_REMOVED = 11,
	OFPT_PORT_STATUS = 12,
	OFPT_PACKET_OUT = 13,
	OFPT_FLOW_MOD = 14,
	OFPT_GROUP_MOD = 15,
	OFPT_PORT_MOD = 16,
	OFPT_TABLE_MOD = 17,
	OFPT_MULTIPART_REQUEST = 18,
	OFPT_MULTIPART_REPLY = 19,
	OFPT_BARRIER_REQUEST = 20,
	OFPT_BARRIER_REPLY = 21,
	OFPT_QUEUE_GET_CONFIG_REQUEST = 22,
	OFPT_QUEUE_GET_CONFIG_REPLY = 23,
	OFPT_ROLE_REQUEST = 24,
	OFPT_ROLE_REPLY = 25,
	OFPT_GET_ASYNC_REQUEST = 26,
	OFPT_GET_ASYNC_REPLY = 27,
	OFPT_SET_ASYNC = 28,
	OFPT_METER_MOD = 29,
};

/* ---- errors (ofp_error_type and the code enums) ---- */
enum ofp_error_type {
	OFPET_HELLO_FAILED = 0,
	OFPET_BAD_REQUEST = 1,
	OFPET_BAD_ACTION = 2,
	OFPET_BAD_INSTRUCTION = 3,
	OFPET_BAD_MATCH = 4,
	OFPET_FLOW_MOD_FAILED = 5,
	OFPET_GROUP_MOD_FAILED = 6,
	OFPET_PORT_MOD_FAILED = 7,
	OFPET_TABLE_MOD_FAILED = 8,
	OFPET_QUEUE_OP_FAILED = 9,
	OFPET_SWITCH_CONFIG_FAILED = 10,
	OFPET_ROLE_REQUEST_FAILED = 11,
	OFPET_METER_MOD_FAILED = 12,
	OFPET_TABLE_FEATURES_FAILED = 13,
	OFPET_EXPERIMENTER = 0xffff,
};

enum ofp_hello_failed_code { OFPHFC_INCOMPATIBLE = 0, OFPHFC_EPERM = 1 };

enum ofp_bad_request_code {
	OFPBRC_BAD_VERSION = 0,
	OFPBRC_BAD_TYPE = 1,
	OFPBRC_BAD_MULTIPART = 2,
	OFPBRC_BAD_EXPERIMENTER = 3,
	OFPBRC_BAD_EXP_TYPE = 4,
	OFPBRC_EPERM = 5,
	OFPBRC_BAD_LEN = 6,
	OFPBRC_BUFFER_EMPTY = 7,
	OFPBRC_BUFFER_UNKNOWN = 8,
	OFPBRC_BAD_TABLE_ID = 9,
	OFPBRC_IS_SLAVE = 10,
	OFPBRC_BAD_PORT = 11,
	OFPBRC_BAD_PACKET = 12,
	OFPBRC_MULTIPART_BUFFER_OVERFLOW = 13,
};

enum ofp_bad_action_code {
	OFPBAC_BAD_TYPE = 0,
	OFPBAC_BAD_LEN = 1,
	OFPBAC_BAD_EXPERIMENTER = 2,
	OFPBAC_BAD_EXP_TYPE = 3,
	OFPBAC_BAD_OUT_PORT = 4,
	OFPBAC_BAD_ARGUMENT = 5,
	OFPBAC_EPERM = 6,
	OFPBAC_TOO_MANY = 7,
	OFPBAC_BAD_QUEUE = 8,
	OFPBAC_BAD_OUT_GROUP = 9,
	OFPBAC_MATCH_INCONSISTENT = 10,
	OFPBAC_UNSUPPORTED_ORDER = 11,
	OFPBAC_BAD_TAG = 12,
	OFPBAC_BAD_SET_TYPE = 13,
	OFPBAC_BAD_SET_LEN = 14,
	OFPBAC_BAD_SET_ARGUMENT = 15,
};

enum ofp_bad_instruction_code {
	OFPBIC_UNKNOWN_INST = 0,
	OFPBIC_UNSUP_INST = 1,
	OFPBIC_BAD_TABLE_ID = 2,
	OFPBIC_UNSUP_METADATA = 3,
	OFPBIC_UNSUP_METADATA_MASK = 4,
	OFPBIC_BAD_EXPERIMENTER = 5,
	OFPBIC_BAD_EXP_TYPE = 6,
	OFPBIC_BAD_LEN = 7,
	OFPBIC_EPERM = 8,
};

enum ofp_bad_match_code {
	OFPBMC_BAD_TYPE = 0,
	OFPBMC_BAD_LEN = 1,
	OFPBMC_BAD_TAG = 2,
	OFPBMC_BAD_DL_ADDR_MASK = 3,
	OFPBMC_BAD_NW_ADDR_MASK = 4,
	OFPBMC_BAD_WILDCARDS = 5,
	OFPBMC_BAD_FIELD = 6,
	OFPBMC_BAD_VALUE = 7,
	OFPBMC_BAD_MASK = 8,
	OFPBMC_BAD_PREREQ = 9,
	OFPBMC_DUP_FIELD = 10,
	OFPBMC_EPERM = 11,
};

enum ofp_flow_mod_failed_code {
	OFPFMFC_UNKNOWN = 0,
	OFPFMFC_TABLE_FULL = 1,
	OFPFMFC_BAD_TABLE_ID = 2,
	OFPFMFC_OVERLAP = 3,
	OFPFMFC_EPERM = 4,
	OFPFMFC_BAD_TIMEOUT = 5,
	OFPFMFC_BAD_COMMAND = 6,
	OFPFMFC_BAD_FLAGS = 7,
};

enum ofp_group_mod_failed_code {
	OFPGMFC_GROUP_EXISTS = 0,
	OFPGMFC_INVALID_GROUP = 1,
	OFPGMFC_WEIGHT_UNSUPPORTED = 2,
	OFPGMFC_OUT_OF_GROUPS = 3,
	OFPGMFC_OUT_OF_BUCKETS = 4,
	OFPGMFC_CHAINING_UNSUPPORTED = 5,
	OFPGMFC_WATCH_UNSUPPORTED = 6,
	OFPGMFC_LOOP = 7,
	OFPGMFC_UNKNOWN_GROUP = 8,
	OFPGMFC_CHAINED_GROUP = 9,
	OFPGMFC_BAD_TYPE = 10,
	OFPGMFC_BAD_COMMAND = 11,
	OFPGMFC_BAD_BUCKET = 12,
	OFPGMFC_BAD_WATCH = 13,
	OFPGMFC_EPERM = 14,
};

enum ofp_port_mod_failed_code {
	OFPPMFC_BAD_PORT = 0,
	OFPPMFC_BAD_HW_ADDR = 1,
	OFPPMFC_BAD_CONFIG = 2,
	OFPPMFC_BAD_ADVERTISE = 3,
	OFPPMFC_EPERM = 4,
};

enum ofp_table_mod_failed_code {
	OFPTMFC_BAD_TABLE = 0,
	OFPTMFC_BAD_CONFIG = 1,
	OFPTMFC_EPERM = 2,
};

enum ofp_switch_config_failed_code {
	OFPSCFC_BAD_FLAGS = 0,
	OFPSCFC_BAD_LEN = 1,
	OFPSCFC_EPERM = 2,
};

enum ofp_role_request_failed_code {
	OFPRRFC_STALE = 0,
	OFPRRFC_UNSUP = 1,
	OFPRRFC_BAD_ROLE = 2,
};

enum ofp_meter_mod_failed_code {
	OFPMMFC_UNKNOWN = 0,
	OFPMMFC_METER_EXISTS = 1,
	OFPMMFC_INVALID_METER = 2,
	OFPMMFC_UNKNOWN_METER = 3,
	OFPMMFC_BAD_COMMAND = 4,
	OFPMMFC_BAD_FLAGS = 5,
	OFPMMFC_BAD_RATE = 6,
	OFPMMFC_BAD_BURST = 7,
	OFPMMFC_BAD_BAND = 8,
	OFPMMFC_BAD_BAND_VALUE = 9,
	OFPMMFC_OUT_OF_METERS = 10,
	OFPMMFC_OUT_OF_BANDS = 11,
};

/* ---- meters (7.3.4.4) ---- */
#define OFPM_MAX        0xffff0000u
#define OFPM_SLOWPATH   0xfffffffdu
#define OFPM_CONTROLLER 0xfffffffeu
#define OFPM_ALL        0xffffffffu

enum ofp_meter_mod_command {
	OFPMC_ADD = 0,
	OFPMC_MODIFY = 1,
	OFPMC_DELETE = 2,
};

enum ofp_meter_flags {
	OFPMF_KBPS = 1 << 0,
	OFPMF_PKTPS = 1 << 1,
	OFPMF_BURST = 1 << 2,
	OFPMF_STATS = 1 << 3,
};

enum ofp_meter_band_type {
	OFPMBT_DROP = 1,
	OFPMBT_DSCP_REMARK = 2,
	OFPMBT_EXPERIMENTER = 0xffff,
};

#define OFP_METER_MOD_FIXED_LEN    16 /* header, command, flags, meter_id */
#define OFP_METER_BAND_LEN         16 /* DROP and DSCP_REMARK bands */
#define OFP_METER_STATS_FIXED_LEN  40 /* before the band stats */
#define OFP_METER_BAND_STATS_LEN   16
#define OFP_METER_CONFIG_FIXED_LEN 8  /* before the bands */
#define OFP_METER_FEATURES_LEN     16

enum ofp_queue_op_failed_code {
	OFPQOFC_BAD_PORT = 0,
	OFPQOFC_BAD_QUEUE = 1,
	OFPQOFC_EPERM = 2,
};

enum ofp_table_features_failed_code {
	OFPTFFC_BAD_TABLE = 0,
	OFPTFFC_BAD_METADATA = 1,
	OFPTFFC_BAD_TYPE = 2,
	OFPTFFC_BAD_LEN = 3,
	OFPTFFC_BAD_ARGUMENT = 4,
	OFPTFFC_EPERM = 5,
};

/* An ERROR message echoes at least this much of the offending request. */
#define OFP_ERROR_ECHO_LEN 64

/* ---- HELLO ---- */
#define OFPHET_VERSIONBITMAP 1

/* ---- ports ---- */
#define OFPP_MAX        0xffffff00u
#define OFPP_IN_PORT    0xfffffff8u
#define OFPP_TABLE      0xfffffff9u
#define OFPP_NORMAL     0xfffffffau
#define OFPP_FLOOD      0xfffffffbu
#define OFPP_ALL        0xfffffffcu
#define OFPP_CONTROLLER 0xfffffffdu
#define OFPP_LOCAL      0xfffffffeu
#define OFPP_ANY        0xffffffffu

enum ofp_port_config {
	OFPPC_PORT_DOWN = 1 << 0,
	OFPPC_NO_RECV = 1 << 2,
	OFPPC_NO_FWD = 1 << 5,
	OFPPC_NO_PACKET_IN = 1 << 6,
};

enum ofp_port_state {
	OFPPS_LINK_DOWN = 1 << 0,
	OFPPS_BLOCKED = 1 << 1,
	OFPPS_LIVE = 1 << 2,
};

enum ofp_port_features {
	OFPPF_10MB_HD = 1 << 0,
	OFPPF_10MB_FD = 1 << 1,
	OFPPF_100MB_HD = 1 << 2,
	OFPPF_100MB_FD = 1 << 3,
	OFPPF_1GB_HD = 1 << 4,
	OFPPF_1GB_FD = 1 << 5,
	OFPPF_10GB_FD = 1 << 6,
	OFPPF_40GB_FD = 1 << 7,
	OFPPF_100GB_FD = 1 << 8,
	OFPPF_1TB_FD = 1 << 9,
	OFPPF_OTHER = 1 << 10,
	OFPPF_COPPER = 1 << 11,
	OFPPF_FIBER = 1 << 12,
	OFPPF_AUTONEG = 1 << 13,
	OFPPF_PAUSE = 1 << 14,
	OFPPF_PAUSE_ASYM = 1 << 15,
};

enum ofp_port_reason { OFPPR_ADD = 0, OFPPR_DELETE = 1, OFPPR_MODIFY = 2 };

/* ---- tables, buffers, controller max_len ---- */
#define OFPTT_MAX 0xfe
#define OFPTT_ALL 0xff
#define OFP_NO_BUFFER 0xffffffffu
#define OFPCML_MAX 0xffe5
#define OFPCML_NO_BUFFER 0xffff

/* ---- switch features / config ---- */
enum ofp_capabilities {
	OFPC_FLOW_STATS = 1 << 0,
	OFPC_TABLE_STATS = 1 << 1,
	OFPC_PORT_STATS = 1 << 2,
	OFPC_GROUP_STATS = 1 << 3,
	OFPC_IP_REASM = 1 << 5,
	OFPC_QUEUE_STATS = 1 << 6,
	OFPC_PORT_BLOCKED = 1 << 8,
};

enum ofp_config_flags {
	OFPC_FRAG_NORMAL = 0,
	OFPC_FRAG_DROP = 1,
	OFPC_FRAG_REASM = 2,
	OFPC_FRAG_MASK = 3,
};

/* ---- PACKET_IN / FLOW_REMOVED reasons ---- */
enum ofp_packet_in_reason { OFPR_NO_MATCH = 0, OFPR_ACTION = 1, OFPR_INVALID_TTL = 2 };
enum ofp_flow_removed_reason {
	OFPRR_IDLE_TIMEOUT = 0,
	OFPRR_HARD_TIMEOUT = 1,
	OFPRR_DELETE = 2,
	OFPRR_GROUP_DELETE = 3,
};

/* ---- match / OXM ---- */
#define OFPMT_STANDARD 0
#define OFPMT_OXM 1

#define OFPXMC_NXM_0 0x0000
#define OFPXMC_NXM_1 0x0001
#define OFPXMC_OPENFLOW_BASIC 0x8000
#define OFPXMC_EXPERIMENTER 0xffff

enum oxm_ofb_field {
	OFPXMT_OFB_IN_PORT = 0,
	OFPXMT_OFB_IN_PHY_PORT = 1,
	OFPXMT_OFB_METADATA = 2,
	OFPXMT_OFB_ETH_DST = 3,
	OFPXMT_OFB_ETH_SRC = 4,
	OFPXMT_OFB_ETH_TYPE = 5,
	OFPXMT_OFB_VLAN_VID = 6,
	OFPXMT_OFB_VLAN_PCP = 7,
	OFPXMT_OFB_IP_DSCP = 8,
	OFPXMT_OFB_IP_ECN = 9,
	OFPXMT_OFB_IP_PROTO = 10,
	OFPXMT_OFB_IPV4_SRC = 11,
	OFPXMT_OFB_IPV4_DST = 12,
	OFPXMT_OFB_TCP_SRC = 13,
	OFPXMT_OFB_TCP_DST = 14,
	OFPXMT_OFB_UDP_SRC = 15,
	OFPXMT_OFB_UDP_DST = 16,
	OFPXMT_OFB_SCTP_SRC = 17,
	OFPXMT_OFB_SCTP_DST = 18,
	OFPXMT_OFB_ICMPV4_TYPE = 19,
	OFPXMT_OFB_ICMPV4_CODE = 20,
	OFPXMT_OFB_ARP_OP = 21,
	OFPXMT_OFB_ARP_SPA = 22,
	OFPXMT_OFB_ARP_TPA = 23,
	OFPXMT_OFB_ARP_SHA = 24,
	OFPXMT_OFB_ARP_THA = 25,
	OFPXMT_OFB_IPV6_SRC = 26,
	OFPXMT_OFB_IPV6_DST = 27,
	OFPXMT_OFB_IPV6_FLABEL = 28,
	OFPXMT_OFB_ICMPV6_TYPE = 29,
	OFPXMT_OFB_ICMPV6_CODE = 30,
	OFPXMT_OFB_IPV6_ND_TARGET = 31,
	OFPXMT_OFB_IPV6_ND_SLL = 32,
	OFPXMT_OFB_IPV6_ND_TLL = 33,
	OFPXMT_OFB_MPLS_LABEL = 34,
	OFPXMT_OFB_MPLS_TC = 35,
	OFPXMT_OFB_MPLS_BOS = 36,
	OFPXMT_OFB_PBB_ISID = 37,
	OFPXMT_OFB_TUNNEL_ID = 38,
	OFPXMT_OFB_IPV6_EXTHDR = 39,
};

/* OXM header: class(16) | field(7) | hasmask(1) | length(8). */
#define OXM_HEADER(cls, field, hasmask, len) \
	(((uint32_t)(cls) << 16) | ((uint32_t)(field) << 9) | ((uint32_t)(hasmask) << 8) | (uint32_t)(len))
#define OXM_CLASS(h) ((uint16_t)((h) >> 16))
#define OXM_FIELD(h) ((uint8_t)(((h) >> 9) & 0x7f))
#define OXM_HASMASK(h) (((h) >> 8) & 1)
#define OXM_LENGTH(h) ((uint8_t)((h) & 0xff))

#define OFPVID_PRESENT 0x1000
#define OFPVID_NONE 0x0000

/* ---- instructions ---- */
enum ofp_instruction_type {
	OFPIT_GOTO_TABLE = 1,
	OFPIT_WRITE_METADATA = 2,
	OFPIT_WRITE_ACTIONS = 3,
	OFPIT_APPLY_ACTIONS = 4,
	OFPIT_CLEAR_ACTIONS = 5,
	OFPIT_METER = 6,
	OFPIT_EXPERIMENTER = 0xffff,
};

/* ---- actions ---- */
enum ofp_action_type {
	OFPAT_OUTPUT = 0,
	OFPAT_COPY_TTL_OUT = 11,
	OFPAT_COPY_TTL_IN = 12,
	OFPAT_SET_MPLS_TTL = 15,
	OFPAT_DEC_MPLS_TTL = 16,
	OFPAT_PUSH_VLAN = 17,
	OFPAT_POP_VLAN = 18,
	OFPAT_PUSH_MPLS = 19,
	OFPAT_POP_MPLS = 20,
	OFPAT_SET_QUEUE = 21,
	OFPAT_GROUP = 22,
	OFPAT_SET_NW_TTL = 23,
	OFPAT_DEC_NW_TTL = 24,
	OFPAT_SET_FIELD = 25,
	OFPAT_PUSH_PBB = 26,
	OFPAT_POP_PBB = 27,
	OFPAT_EXPERIMENTER = 0xffff,
};

/* ---- flow_mod ---- */
enum ofp_flow_mod_command {
	OFPFC_ADD = 0,
	OFPFC_MODIFY = 1,
	OFPFC_MODIFY_STRICT = 2,
	OFPFC_DELETE = 3,
	OFPFC_DELETE_STRICT = 4,
};

enum ofp_flow_mod_flags {
	OFPFF_SEND_FLOW_REM = 1 << 0,
	OFPFF_CHECK_OVERLAP = 1 << 1,
	OFPFF_RESET_COUNTS = 1 << 2,
	OFPFF_NO_PKT_COUNTS = 1 << 3,
	OFPFF_NO_BYT_COUNTS = 1 << 4,
};

/* ---- groups ---- */
#define OFPG_MAX 0xffffff00u
#define OFPG_ALL 0xfffffffcu
#define OFPG_ANY 0xffffffffu

enum ofp_group_mod_command { OFPGC_ADD = 0, OFPGC_MODIFY = 1, OFPGC_DELETE = 2 };
enum ofp_group_type {
	OFPGT_ALL = 0,
	OFPGT_SELECT = 1,
	OFPGT_INDIRECT = 2,
	OFPGT_FF = 3,
};
enum ofp_group_capabilities {
	OFPGFC_SELECT_WEIGHT = 1 << 0,
	OFPGFC_SELECT_LIVENESS = 1 << 1,
	OFPGFC_CHAINING = 1 << 2,
	OFPGFC_CHAINING_CHECKS = 1 << 3,
};

/* ---- roles ---- */
enum ofp_controller_role {
	OFPCR_ROLE_NOCHANGE = 0,
	OFPCR_ROLE_EQUAL = 1,
	OFPCR_ROLE_MASTER = 2,
	OFPCR_ROLE_SLAVE = 3,
};

/* ---- multipart ---- */
enum ofp_multipart_type {
	OFPMP_DESC = 0,
	OFPMP_FLOW = 1,
	OFPMP_AGGREGATE = 2,
	OFPMP_TABLE = 3,
	OFPMP_PORT_STATS = 4,
	OFPMP_QUEUE = 5,
	OFPMP_GROUP = 6,
	OFPMP_GROUP_DESC = 7,
	OFPMP_GROUP_FEATURES = 8,
	OFPMP_METER = 9,
	OFPMP_METER_CONFIG = 10,
	OFPMP_METER_FEATURES = 11,
	OFPMP_TABLE_FEATURES = 12,
	OFPMP_PORT_DESC = 13,
	OFPMP_EXPERIMENTER = 0xffff,
};
#define OFPMPF_REQ_MORE 1
#define OFPMPF_REPLY_MORE 1

enum ofp_table_feature_prop_type {
	OFPTFPT_INSTRUCTIONS = 0,
	OFPTFPT_INSTRUCTIONS_MISS = 1,
	OFPTFPT_NEXT_TABLES = 2,
	OFPTFPT_NEXT_TABLES_MISS = 3,
	OFPTFPT_WRITE_ACTIONS = 4,
	OFPTFPT_WRITE_ACTIONS_MISS = 5,
	OFPTFPT_APPLY_ACTIONS = 6,
	OFPTFPT_APPLY_ACTIONS_MISS = 7,
	OFPTFPT_MATCH = 8,
	OFPTFPT_WILDCARDS = 10,
	OFPTFPT_WRITE_SETFIELD = 12,
	OFPTFPT_WRITE_SETFIELD_MISS = 13,
	OFPTFPT_APPLY_SETFIELD = 14,
	OFPTFPT_APPLY_SETFIELD_MISS = 15,
	OFPTFPT_EXPERIMENTER = 0xfffe,
	OFPTFPT_EXPERIMENTER_MISS = 0xffff,
};

/* ---- fixed parts of the messages (sizes checked below) ---- */
#define OFP_PACKED __attribute__((packed))

struct ofp_header {
	uint8_t version;
	uint8_t type;
	uint16_t length;
	uint32_t xid;
} OFP_PACKED;

struct ofp_switch_features {
	struct ofp_header header;
	uint64_t datapath_id;
	uint32_t n_buffers;
	uint8_t n_tables;
	uint8_t auxiliary_id;
	uint8_t pad[2];
	uint32_t capabilities;
	uint32_t reserved;
} OFP_PACKED;

struct ofp_switch_config {
	struct ofp_header header;
	uint16_t flags;
	uint16_t miss_send_len;
} OFP_PACKED;

struct ofp_port {
	uint32_t port_no;
	uint8_t pad[4];
	uint8_t hw_addr[OFP_ETH_ALEN];
	uint8_t pad2[2];
	char name[OFP_MAX_PORT_NAME_LEN];
	uint32_t config;
	uint32_t state;
	uint32_t curr;
	uint32_t advertised;
	uint32_t supported;
	uint32_t peer;
	uint32_t curr_speed;
	uint32_t max_speed;
} OFP_PACKED;

struct ofp_port_status_wire {
	struct ofp_header header;
	uint8_t reason;
	uint8_t pad[7];
	struct ofp_port desc;
} OFP_PACKED;

/* ofp_match without its OXM fields: type, length (excluding padding). */
struct ofp_match_hdr {
	uint16_t type;
	uint16_t length;
} OFP_PACKED;

struct ofp_flow_mod_fixed {
	struct ofp_header header;
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
	uint8_t pad[2];
	/* struct ofp_match match; then instructions */
} OFP_PACKED;

struct ofp_group_mod_fixed {
	struct ofp_header header;
	uint16_t command;
	uint8_t type;
	uint8_t pad;
	uint32_t group_id;
	/* struct ofp_bucket buckets[] */
} OFP_PACKED;

struct ofp_bucket_fixed {
	uint16_t len;
	uint16_t weight;
	uint32_t watch_port;
	uint32_t watch_group;
	uint8_t pad[4];
	/* actions */
} OFP_PACKED;

struct ofp_packet_out_fixed {
	struct ofp_header header;
	uint32_t buffer_id;
	uint32_t in_port;
	uint16_t actions_len;
	uint8_t pad[6];
} OFP_PACKED;

struct ofp_packet_in_fixed {
	struct ofp_header header;
	uint32_t buffer_id;
	uint16_t total_len;
	uint8_t reason;
	uint8_t table_id;
	uint64_t cookie;
	/* match, 2 pad bytes, frame */
} OFP_PACKED;

struct ofp_flow_removed_fixed {
	struct ofp_header header;
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
	/* match */
} OFP_PACKED;

struct ofp_port_mod_wire {
	struct ofp_header header;
	uint32_t port_no;
	uint8_t pad[4];
	uint8_t hw_addr[OFP_ETH_ALEN];
	uint8_t pad2[2];
	uint32_t config;
	uint32_t mask;
	uint32_t advertise;
	uint8_t pad3[4];
} OFP_PACKED;

struct ofp_table_mod_wire {
	struct ofp_header header;
	uint8_t table_id;
	uint8_t pad[3];
	uint32_t config;
} OFP_PACKED;

struct ofp_role_request {
	struct ofp_header header;
	uint32_t role;
	uint8_t pad[4];
	uint64_t generation_id;
} OFP_PACKED;

struct ofp_error_msg_fixed {
	struct ofp_header header;
	uint16_t type;
	uint16_t code;
} OFP_PACKED;

struct ofp_multipart_hdr {
	struct ofp_header header;
	uint16_t type;
	uint16_t flags;
	uint8_t pad[4];
} OFP_PACKED;

struct ofp_desc {
	char mfr_desc[OFP_DESC_STR_LEN];
	char hw_desc[OFP_DESC_STR_LEN];
	char sw_desc[OFP_DESC_STR_LEN];
	char serial_num[OFP_SERIAL_NUM_LEN];
	char dp_desc[OFP_DESC_STR_LEN];
} OFP_PACKED;

struct ofp_flow_stats_request_fixed {
	uint8_t table_id;
	uint8_t pad[3];
	uint32_t out_port;
	uint32_t out_group;
	uint8_t pad2[4];
	uint64_t cookie;
	uint64_t cookie_mask;
	/* match */
} OFP_PACKED;

struct ofp_flow_stats_fixed {
	uint16_t length;
	uint8_t table_id;
	uint8_t pad;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	uint16_t priority;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t flags;
	uint8_t pad2[4];
	uint64_t cookie;
	uint64_t packet_count;
	uint64_t byte_count;
	/* match, instructions */
} OFP_PACKED;

struct ofp_aggregate_stats_reply {
	uint64_t packet_count;
	uint64_t byte_count;
	uint32_t flow_count;
	uint8_t pad[4];
} OFP_PACKED;

struct ofp_table_stats {
	uint8_t table_id;
	uint8_t pad[3];
	uint32_t active_count;
	uint64_t lookup_count;
	uint64_t matched_count;
} OFP_PACKED;

struct ofp_port_stats {
	uint32_t port_no;
	uint8_t pad[4];
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
	uint64_t rx_frame_err, rx_over_err, rx_crc_err, collisions;
	uint32_t duration_sec;
	uint32_t duration_nsec;
} OFP_PACKED;

struct ofp_group_stats_fixed {
	uint16_t length;
	uint8_t pad[2];
	uint32_t group_id;
	uint32_t ref_count;
	uint8_t pad2[4];
	uint64_t packet_count;
	uint64_t byte_count;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	/* struct ofp_bucket_counter bucket_stats[] (2 x u64 each) */
} OFP_PACKED;

struct ofp_group_desc_fixed {
	uint16_t length;
	uint8_t type;
	uint8_t pad;
	uint32_t group_id;
	/* buckets */
} OFP_PACKED;

struct ofp_group_features {
	uint32_t types;
	uint32_t capabilities;
	uint32_t max_groups[4];
	uint32_t actions[4];
} OFP_PACKED;

struct ofp_table_features_fixed {
	uint16_t length;
	uint8_t table_id;
	uint8_t pad[5];
	char name[OFP_MAX_TABLE_NAME_LEN];
	uint64_t metadata_match;
	uint64_t metadata_write;
	uint32_t config;
	uint32_t max_entries;
	/* properties */
} OFP_PACKED;

_Static_assert(sizeof(struct ofp_header) == 8, "ofp_header");
_Static_assert(sizeof(struct ofp_switch_features) == 32, "ofp_switch_features");
_Static_assert(sizeof(struct ofp_switch_config) == 12, "ofp_switch_config");
_Static_assert(sizeof(struct ofp_port) == 64, "ofp_port");
_Static_assert(sizeof(struct ofp_port_status_wire) == 80, "ofp_port_status");
_Static_assert(sizeof(struct ofp_flow_mod_fixed) == 48, "ofp_flow_mod");
_Static_assert(sizeof(struct ofp_group_mod_fixed) == 16, "ofp_group_mod");
_Static_assert(sizeof(struct ofp_bucket_fixed) == 16, "ofp_bucket");
_Static_assert(sizeof(struct ofp_packet_out_fixed) == 24, "ofp_packet_out");
_Static_assert(sizeof(struct ofp_packet_in_fixed) == 24, "ofp_packet_in");
_Static_assert(sizeof(struct ofp_flow_removed_fixed) == 48, "ofp_flow_removed");
_Static_assert(sizeof(struct ofp_port_mod_wire) == 40, "ofp_port_mod");
_Static_assert(sizeof(struct ofp_table_mod_wire) == 16, "ofp_table_mod");
_Static_assert(sizeof(struct ofp_role_request) == 24, "ofp_role_request");
_Static_assert(sizeof(struct ofp_multipart_hdr) == 16, "ofp_multipart");
_Static_assert(sizeof(struct ofp_desc) == 1056, "ofp_desc");
_Static_assert(sizeof(struct ofp_flow_stats_request_fixed) == 32, "flow_stats_request");
_Static_assert(sizeof(struct ofp_flow_stats_fixed) == 48, "ofp_flow_stats");
_Static_assert(sizeof(struct ofp_aggregate_stats_reply) == 24, "aggregate");
_Static_assert(sizeof(struct ofp_table_stats) == 24, "ofp_table_stats");
_Static_assert(sizeof(struct ofp_port_stats) == 112, "ofp_port_stats");
_Static_assert(sizeof(struct ofp_group_stats_fixed) == 40, "ofp_group_stats");
_Static_assert(sizeof(struct ofp_group_desc_fixed) == 8, "ofp_group_desc");
_Static_assert(sizeof(struct ofp_group_features) == 40, "ofp_group_features");
_Static_assert(sizeof(struct ofp_table_features_fixed) == 64, "ofp_table_features");

#endif /* OFP_WIRE_H */
