/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For unit tests that bring up a private EAL (--no-huge --no-shconf): EAL
 * still makes a runtime directory for its telemetry socket and leaves it
 * behind. test_eal_cleanup() shuts EAL down and removes that directory.
 */
#ifndef TEST_EAL_CLEANUP_H
#define TEST_EAL_CLEANUP_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

static inline void
test_eal_cleanup(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

#endif /* TEST_EAL_CLEANUP_H */
