/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL leaves its hugepage files and runtime directory behind when a primary
 * exits (so secondaries could in principle re-attach). A stopped manager has
 * no secondaries left, so it removes both: nothing of a clean stop remains.
 */
#include <dirent.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mgr.h"
#include "onvm_runtime.h"

/* Remove "<prefix>map_N" (and "<prefix>map_N_M") files in one hugetlbfs dir. */
static void
remove_hugefiles_in(const char *dir, const char *prefix)
{
	char want[128], path[512];
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	snprintf(want, sizeof(want), "%smap_", prefix);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, want, strlen(want)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static void
remove_dir_tree(const char *dir)
{
	char path[512];
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			remove_dir_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void
mgr_remove_runtime_files(const char *prefix)
{
	FILE *mounts = setmntent("/proc/mounts", "r");
	struct mntent *mnt;
	char dir[256];

	if (mounts) {
		while ((mnt = getmntent(mounts)) != NULL)
			if (strcmp(mnt->mnt_type, "hugetlbfs") == 0)
				remove_hugefiles_in(mnt->mnt_dir, prefix);
		endmntent(mounts);
	}
	if (onvm_runtime_dir(prefix, dir, sizeof(dir)) == 0)
		remove_dir_tree(dir);
}
