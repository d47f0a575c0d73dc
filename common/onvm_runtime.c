/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onvm_runtime.h"

const char *
onvm_eal_file_prefix(int argc, char **argv)
{
	static const char opt[] = "--file-prefix";
	const char *prefix = "rte";

	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], opt, sizeof(opt) - 1) != 0)
			continue;
		if (argv[i][sizeof(opt) - 1] == '=')
			prefix = argv[i] + sizeof(opt);
		else if (argv[i][sizeof(opt) - 1] == '\0' && i + 1 < argc)
			prefix = argv[i + 1];
	}
	return prefix;
}

int
onvm_runtime_dir(const char *prefix, char *buf, size_t len)
{
	const char *base = "/var/run";
	int n;

	/* Same rule as EAL's eal_create_runtime_dir(). */
	if (getuid() != 0) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		base = xdg ? xdg : "/tmp";
	}
	n = snprintf(buf, len, "%s/dpdk/%s", base, prefix);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int
onvm_primary_alive(const char *prefix)
{
	char dir[256], path[300];
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0,
			    .l_len = 0 };
	int fd;

	if (onvm_runtime_dir(prefix, dir, sizeof(dir)) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	/* EAL's primary keeps a write lock on its config file for its life. */
	if (fcntl(fd, F_GETLK, &lk) < 0) {
		close(fd);
		return 0;
	}
	close(fd);
	return lk.l_type != F_UNLCK;
}

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

int
onvm_runtime_remove(const char *prefix)
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
	if (onvm_runtime_dir(prefix, dir, sizeof(dir)) != 0)
		return -1;
	remove_dir_tree(dir);
	return 0;
}
