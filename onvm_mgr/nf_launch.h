/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nf_launch: starting more instances of a running NF (onvmctl scale).
 *
 * A new instance is the same program with the same arguments as a running
 * one (its template), read from the kernel (/proc/PID: cmdline, cwd, exe;
 * PID is the lock holder's, nf_lock.h), with two changes: no CPU option
 * (the manager places it, on a free CPU or, under -c, a shared one) and the
 * instance number asked for. It starts in the template's working
 * directory, so relative paths in its arguments mean what they meant.
 *
 * An NF in a container is not copied: its program and files are in its
 * own root file system (start more with go.sh --container).
 *
 * No DPDK here; nf_template_argv is pure.
 */
#ifndef ONVM_NF_LAUNCH_H
#define ONVM_NF_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NF_TEMPLATE_MAX_ARGS 128
#define NF_TEMPLATE_BYTES    8192

struct nf_template {
	char exe[4096];                 /* the program, as the manager sees it */
	char cwd[4096];
	int argc;
	char *argv[NF_TEMPLATE_MAX_ARGS + 1]; /* into buf */
	char buf[NF_TEMPLATE_BYTES];
};

/* The template of process pid. 0, or -1 and why (gone, in a container, its
 * command line too long). */
int nf_template_read(pid_t pid, struct nf_template *t, char *err, size_t errlen);

/*
 * The command line of a new instance: the template's, without its CPU
 * options (-l, -c, --lcores, in any spelling) and instance option (-n),
 * with "-n INSTANCE" among the NF library's options and
 * "--file-prefix=PREFIX" among EAL's when the template had none. out gets
 * at most outmax pointers (NULL-terminated) into the template or `words`
 * (room for the two added words). The count, or -1 when it does not fit.
 */
int nf_template_argv(const struct nf_template *t, uint16_t instance, const char *prefix,
		     char words[2][64], char **out, int outmax);

/* Start it: argv[0] is replaced by the template's exe; the child starts
 * in its cwd with only stdin/out/err open, default signal handling and
 * ONVM_FILE_PREFIX=prefix. The child's pid, or -1 and why. */
pid_t nf_launch(const struct nf_template *t, char *const argv[], const char *prefix, char *err,
		size_t errlen);

#endif /* ONVM_NF_LAUNCH_H */
