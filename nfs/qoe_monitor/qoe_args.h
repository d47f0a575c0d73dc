/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qoe_args: the QoE monitor's options, shared by the NF and qoe_pcap:
 *
 *   -o FILE     JSON lines go to FILE (default: stdout)
 *   -i SECONDS  a record per active flow every SECONDS (default 0: only
 *               the final record of each flow)
 *   -t SECONDS  idle timeout (default 60)
 *   -c SECONDS  how long a closed flow stays quiet before its final
 *               record (default 2)
 *   -m FLOWS    flow table size; the least recently active flow is
 *               evicted when it is full (default 65536)
 */
#ifndef QOE_ARGS_H
#define QOE_ARGS_H

#include <stddef.h>

#include "qoe_engine.h"

struct qoe_options {
	struct qoe_config cfg;
	const char *out_path;   /* NULL = stdout */
	int first_operand;      /* index in argv of the first non-option */
};

/*
 * Parse argv[1..argc) (argv[0] is the program name). Returns 0, or -1 with
 * a one-line reason in err.
 */
int qoe_args_parse(int argc, char **argv, struct qoe_options *opts, char *err, size_t errlen);

extern const char qoe_args_usage[];

#endif /* QOE_ARGS_H */
