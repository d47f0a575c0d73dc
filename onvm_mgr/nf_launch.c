/* SPDX-License-Identifier: BSD-3-Clause */
/* Starting more instances of a running NF (nf_launch.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nf_launch.h"

extern char **environ;

/* Whether process pid sees the file system root the manager sees. */
static bool
same_root(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/root/", (int)pid);
	return stat(path, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int
read_link(pid_t pid, const char *what, char *out, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	n = readlink(path, out, len - 1);
	if (n < 0 || (size_t)n >= len - 1)
		return -1;
	out[n] = '\0';
	return 0;
}

int
nf_template_read(pid_t pid, struct nf_template *t, char *err, size_t errlen)
{
	char path[64];
	ssize_t n;
	int fd;

	memset(t, 0, sizeof(*t));
	if (pid <= 0) {
		snprintf(err, errlen, "its process is not visible from the manager");
		return -1;
	}
	if (!same_root(pid)) {
		snprintf(err, errlen, "it runs in a container (start more with go.sh --container)");
		return -1;
	}
	if (read_link(pid, "exe", t->exe, sizeof(t->exe)) < 0 ||
	    read_link(pid, "cwd", t->cwd, sizeof(t->cwd)) < 0) {
		snprintf(err, errlen, "cannot read its program or directory: %s", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read its command line: %s", strerror(errno));
		return -1;
	}
	n = read(fd, t->buf, sizeof(t->buf));
	close(fd);
	if (n <= 0 || (size_t)n >= sizeof(t->buf) || t->buf[n - 1] != '\0') {
		snprintf(err, errlen, "its command line is empty or longer than %zu bytes",
			 sizeof(t->buf) - 1);
		return -1;
	}
	for (char *p = t->buf; p < t->buf + n; p += strlen(p) + 1) {
		if (t->argc == NF_TEMPLATE_MAX_ARGS) {
			snprintf(err, errlen, "it has more than %d arguments", NF_TEMPLATE_MAX_ARGS);
			return -1;
		}
		t->argv[t->argc++] = p;
	}
	t->argv[t->argc] = NULL;
	return 0;
}

/* Whether a is option `opt` with its value attached ("-l3", "--lcores=1"). */
static bool
attached(const char *a, const char *opt)
{
	size_t len = strlen(opt);

	if (strncmp(a, opt, len) != 0 || a[len] == '\0')
		return false;
	return opt[1] != '-' || a[len] == '=';
}

/* How many words option `a` takes (1 or 2) if it is one of opts, else 0. */
static int
option_words(const char *a, const char *const *opts)
{
	for (const char *const *o = opts; *o; o++) {
		if (strcmp(a, *o) == 0)
			return 2;
		if (attached(a, *o))
			return 1;
	}
	return 0;
}

int
nf_template_argv(const struct nf_template *t, uint16_t instance, const char *prefix,
		 char words[2][64], char **out, int outmax)
{
	static const char *const cpu_opts[] = { "-l", "-c", "--lcores", NULL };
	static const char *const inst_opts[] = { "-n", NULL };
	int n = 0, part = 0; /* 0 EAL, 1 the library's, 2 the NF's own */
	bool have_prefix = false, added = false;

#define PUT(w)                                \
	do {                                  \
		if (n + 1 >= outmax)          \
			return -1;            \
		out[n++] = (char *)(w);       \
	} while (0)

	snprintf(words[0], 64, "%u", instance);
	snprintf(words[1], 64, "--file-prefix=%s", prefix);
	for (int i = 0; i < t->argc; i++) {
		const char *a = t->argv[i];
		int skip;

		if (part < 2 && strcmp(a, "--") == 0) {
			if (part == 0 && !have_prefix)
				PUT(words[1]);
			if (part == 1) {
				PUT("-n");
				PUT(words[0]);
				added = true;
			}
			part++;
			PUT(a);
			continue;
		}
		if (part == 0 && i > 0) {
			if (strcmp(a, "--file-prefix") == 0 || attached(a, "--file-prefix"))
				have_prefix = true;
			skip = option_words(a, cpu_opts);
			if (skip) {
				i += skip - 1;
				continue;
			}
		} else if (part == 1) {
			skip = option_words(a, inst_opts);
			if (skip) {
				i += skip - 1;
				continue;
			}
		}
		PUT(a);
	}
	if (part == 0) {
		if (!have_prefix)
			PUT(words[1]);
		PUT("--");
	}
	if (!added) {
		PUT("-n");
		PUT(words[0]);
	}
	out[n] = NULL;
	return n;
#undef PUT
}

pid_t
nf_launch(const struct nf_template *t, char *const argv[], const char *prefix, char *err,
	  size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	char env_prefix[128];
	char **env;
	size_t ne = 0, k = 0;
	pid_t pid;
	int rc;

	for (char **e = environ; *e; e++)
		ne++;
	env = calloc(ne + 2, sizeof(*env));
	if (env == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(env_prefix, sizeof(env_prefix), "ONVM_FILE_PREFIX=%s", prefix);
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "ONVM_FILE_PREFIX=", 17) != 0)
			env[k++] = *e;
	env[k++] = env_prefix;
	env[k] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, t->cwd);
	/* Nothing of the manager's: sockets, lock files, hugepage files. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&dfl);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, t->exe, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start %s: %s", t->exe, strerror(rc));
		return -1;
	}
	return pid;
}
