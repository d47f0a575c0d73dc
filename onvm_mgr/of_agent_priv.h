/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between of_agent.c (thread, sockets) and of_agent_dp.c (what
 * the sessions ask of the data path: ports, compile, PACKET_OUT). */
#ifndef ONVM_OF_AGENT_PRIV_H
#define ONVM_OF_AGENT_PRIV_H

#include <pthread.h>

#include "mgr.h"
#include "of_datapath.h"
#include "of_session.h"

#define OFA_MAX_CONNS 16
#define OFA_MAX_MIRRORS 4096

struct ofa_mirror {
	uint64_t flow_id;  /* a flow the manager installed for a JSON chain */
	uint16_t chain_id;
};

struct ofa_conn {
	int fd;
	bool active;          /* the --of-controller connection */
	bool connecting;      /* non-blocking connect() in progress */
	size_t have;
	struct of_session s;
	struct ofp_buf out;
	uint8_t in[1 << 17];
};

struct of_agent {
	struct mgr *m;
	struct of_switch sw;
	struct of_datapath_ops ops;
	pthread_mutex_t lock;     /* the switch: agent thread vs chain reload */
	pthread_t thread;
	bool running;
	volatile bool stop;
	uint64_t dpid;

	int listen_fd;
	struct ofa_conn *conns[OFA_MAX_CONNS];
	/* --of-controller */
	uint64_t ctrl_next_try_ms;
	uint32_t ctrl_backoff_ms;

	struct ofa_mirror mirrors[OFA_MAX_MIRRORS]; /* sorted by flow_id */
	uint32_t n_mirrors;

	uint64_t compiled_generation;   /* sw.generation published last */
	uint64_t *harvested;            /* [2 * n_flows] of the table in force */
	uint64_t services_up;           /* bit S: service S had running NFs */
	uint64_t next_expire_ms;
};

extern struct of_agent g_ofa;

uint64_t ofa_now_ms(void);
/* Compile table 0 and publish it if the switch changed (or `force`). */
void ofa_publish(struct of_agent *a, bool force);
/* Add what the data path counted since the last harvest to the flows. */
void ofa_harvest(struct of_agent *a, const struct ofdp_table *t);

/* of_agent_meter.c: the switch's meters into t (sorted by id, bucket
 * state carried from the table in force), their index by id (-1: none),
 * the words of a->harvested a table needs, and the meter harvest. */
int ofa_compile_meters(struct of_agent *a, struct ofdp_table *t);
int ofa_meter_slot(const struct ofdp_table *t, uint32_t id);
size_t ofa_harvest_words(const struct ofdp_table *t);
void ofa_harvest_meters(struct of_agent *a, const struct ofdp_table *t);
void ofa_ops_init(struct of_agent *a);
void ofa_telemetry_register(void);

/* of_agent_compile.c */
struct opvec {
	struct ofdp_op *v;
	uint32_t n, cap;
};
ofp_err_t compile_list(struct of_agent *a, const struct ofp_action_list *l, bool packet_out,
		       struct opvec *o, struct ofdp_prog *p);
int compile_table(struct of_agent *a, struct classifier **cls_out, struct ofdp_table **tbl_out);
void publish_state(struct of_agent *a, struct mgr_chain_state *st);
ofp_err_t ofa_flow_check(void *ctx, const struct ofp_flow_mod *fm);
ofp_err_t ofa_group_check(void *ctx, const struct ofp_group_mod *gm);
bool ofa_dpdk_port_enabled(const struct mgr *m, uint32_t of_port);
uint16_t ofa_max_service(const struct mgr *m);
bool ofa_port_exists(void *ctx, uint32_t port);
unsigned ofa_port_list(void *ctx, struct ofp_port_info *out, unsigned max);
bool ofa_service_port(struct of_agent *a, uint16_t svc, struct ofp_port_info *p);

#endif /* ONVM_OF_AGENT_PRIV_H */
