/* SPDX-License-Identifier: BSD-3-Clause */
/* of_agent_conn.c: one controller connection, non-blocking both ways. */
#ifndef ONVM_OF_AGENT_CONN_H
#define ONVM_OF_AGENT_CONN_H

#include <stdbool.h>

#include "of_agent_priv.h"

/* A connection in a free slot of a->conns, or NULL when none is free. */
struct ofa_conn *ofa_conn_new(struct of_agent *a, int fd, bool active);
void ofa_conn_close(struct of_agent *a, int i);
/* Answer the whole messages buffered, reading more first when none is;
 * at most OFA_INPUT_BUDGET_MS of them at a time. false: close it. */
bool ofa_conn_input(struct of_agent *a, struct ofa_conn *c);
/* Whole messages buffered, not yet answered (call ofa_conn_input again
 * without waiting for the socket). */
bool ofa_conn_backlog(const struct ofa_conn *c);
/* Send what the socket takes; false: close it (gone, or not reading). */
bool ofa_conn_flush(struct ofa_conn *c);
/* Replies still queued (poll for POLLOUT). */
bool ofa_conn_pending(const struct ofa_conn *c);

#endif /* ONVM_OF_AGENT_CONN_H */
