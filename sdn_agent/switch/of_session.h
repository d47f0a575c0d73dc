/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_session: one controller connection's protocol state and the handling
 * of every message it may send, over an of_switch. Pure: bytes in, bytes
 * out, with callbacks for what only the datapath knows (ports, frames,
 * "is every earlier change in effect"). The manager's agent owns the
 * socket, frames the stream with ofp_frame_len() and calls
 * of_session_handle() once per message.
 */
#ifndef OF_SESSION_H
#define OF_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "of_switch.h"
#include "ofp.h"

struct of_datapath_ops {
	/* Port descriptions (physical and service ports); returns how many
	 * were written, at most max. */
	unsigned (*port_list)(void *ctx, struct ofp_port_info *out, unsigned max);
	/* Counters of one port; false if it does not exist. */
	bool (*port_stats)(void *ctx, uint32_t port_no, struct ofp_port_stats_entry *out);
	/* Send a PACKET_OUT's frame through its actions. */
	ofp_err_t (*packet_out)(void *ctx, const struct ofp_packet_out *po);
	/* Called before BARRIER_REPLY: return once every change so far is in
	 * effect on the data path. */
	void (*sync)(void *ctx);
	/* Optional: can the data path execute this FLOW_MOD (add/modify) or
	 * GROUP_MOD (add/modify)? An error refuses it before the switch
	 * changes, so nothing is silently ignored. */
	ofp_err_t (*flow_check)(void *ctx, const struct ofp_flow_mod *fm);
	ofp_err_t (*group_check)(void *ctx, const struct ofp_group_mod *gm);
	void *ctx;
};

struct of_session {
	struct of_switch *sw;
	const struct of_datapath_ops *ops;
	uint64_t datapath_id;
	struct ofp_desc_info desc;
	bool negotiated;
	bool closing;           /* an unrecoverable error was answered */
	struct ofp_config config;
	uint32_t role;
	bool have_generation;
	uint64_t generation_id;
	uint64_t n_errors;      /* ERRORs sent */
};

void of_session_init(struct of_session *s, struct of_switch *sw, const struct of_datapath_ops *ops,
		     uint64_t datapath_id);
/* What the session says first. */
void of_session_start(struct of_session *s, struct ofp_buf *out);

/*
 * Handle one whole message (len from ofp_frame_len). Replies and ERRORs
 * are appended to out. Returns false when the connection must close
 * (failed HELLO, unframeable stream); the reply is still in out.
 */
bool of_session_handle(struct of_session *s, const uint8_t *msg, size_t len, uint64_t now_ms,
		       struct ofp_buf *out);

/* Asynchronous messages. PACKET_IN data is cut to max_len
 * (OFPCML_NO_BUFFER: whole frame; the switch keeps no buffers). */
void of_session_packet_in(struct of_session *s, struct ofp_buf *out, uint8_t reason,
			  uint8_t table_id, uint64_t cookie, uint32_t in_port,
			  const uint8_t *frame, size_t len, uint16_t max_len);
void of_session_flow_removed(struct of_session *s, struct ofp_buf *out, const struct ofs_flow *f,
			     uint8_t reason, uint64_t now_ms);
void of_session_port_status(struct of_session *s, struct ofp_buf *out, uint8_t reason,
			    const struct ofp_port_info *port);

#endif /* OF_SESSION_H */
