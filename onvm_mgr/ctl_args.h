/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_args: the options of the control commands that take more than
 * words (move, and the commands after it), parsed the same way by onvmctl
 * (to refuse a typo before it connects) and by the manager (which trusts
 * no client). Pure C.
 */
#ifndef ONVM_CTL_ARGS_H
#define ONVM_CTL_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

/* move SERVICE --from I --to J [--share F] */
struct ctl_move_args {
	char service[CTL_ARG_LEN]; /* a name, or a service id in decimal */
	uint16_t from, to;         /* instance numbers (onvmctl nfs: "instance") */
	double share;              /* of I's buckets, in (0, 1]; 1 when not given */
};

int ctl_move_parse(const char *const *args, int nargs, struct ctl_move_args *out, char *err,
		   size_t errlen);

/* scale SERVICE N */
struct ctl_scale_args {
	char service[CTL_ARG_LEN];
	uint16_t instances;
};

int ctl_scale_parse(const char *const *args, int nargs, struct ctl_scale_args *out, char *err,
		    size_t errlen);

/* autoscale SERVICE --max N [--min M]  |  autoscale SERVICE off */
struct ctl_autoscale_args {
	char service[CTL_ARG_LEN];
	uint16_t min, max; /* max 0: off; min 1 when not given */
};

int ctl_autoscale_parse(const char *const *args, int nargs, struct ctl_autoscale_args *out,
			char *err, size_t errlen);

/* The values of command `cmd`'s arguments, for the commands that check
 * them here (others: 0). 0, or -1 and a one-line reason. */
int ctl_command_check_values(int cmd, const char *const *args, int nargs, char *err,
			     size_t errlen);

#endif /* ONVM_CTL_ARGS_H */
