/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nf_lock.h"

#define MAX_CANDIDATES 8

int
nf_lock_parse_line(const char *line, struct nf_lock_entry *e)
{
	char type[16], mode[16], access[16];
	const char *p = line;

	memset(e, 0, sizeof(*e));
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ':')
		return -1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "->", 2) == 0) {
		e->waiting = true;
		p += 2;
	}
	/* The device is printed as hex major:minor, the inode in decimal. */
	if (sscanf(p, "%15s %15s %15s %ld %x:%x:%lu", type, mode, access, &e->pid, &e->dev_major,
		   &e->dev_minor, &e->ino) != 7)
		return -1;
	e->is_flock = strcmp(type, "FLOCK") == 0;
	return 0;
}

/* Holders of an flock() on inode `ino`, whatever the device: some file
 * systems (btrfs, overlayfs) report another device in stat() than the one
 * /proc/locks prints, so the caller checks each candidate. */
static int
find_candidates(FILE *locks, unsigned long ino, pid_t *pids, int max)
{
	char line[256];
	int n = 0;

	while (n < max && fgets(line, sizeof(line), locks)) {
		struct nf_lock_entry e;

		if (nf_lock_parse_line(line, &e) == 0 && e.is_flock && !e.waiting && e.pid > 0 &&
		    e.ino == ino)
			pids[n++] = (pid_t)e.pid;
	}
	return n;
}

pid_t
nf_lock_find_holder(FILE *locks, unsigned int dev_major, unsigned int dev_minor,
		    unsigned long ino)
{
	char line[256];

	while (fgets(line, sizeof(line), locks)) {
		struct nf_lock_entry e;

		if (nf_lock_parse_line(line, &e) == 0 && e.is_flock && !e.waiting && e.pid > 0 &&
		    e.ino == ino && e.dev_major == dev_major && e.dev_minor == dev_minor)
			return (pid_t)e.pid;
	}
	return 0;
}

/* Whether process pid has the file `want` open (any of its descriptors). */
static bool
process_has_file(pid_t pid, const struct stat *want)
{
	char dir[64], path[64 + 256];
	struct dirent *d;
	DIR *fds;
	bool found = false;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	fds = opendir(dir);
	if (fds == NULL)
		return false;
	while (!found && (d = readdir(fds)) != NULL) {
		struct stat st;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		found = stat(path, &st) == 0 && st.st_dev == want->st_dev &&
			st.st_ino == want->st_ino;
	}
	closedir(fds);
	return found;
}

pid_t
nf_lock_holder(int fd)
{
	pid_t pids[MAX_CANDIDATES];
	struct stat st;
	FILE *locks;
	int n;

	if (fstat(fd, &st) < 0)
		return 0;
	/* The holder of the NF's POSIX lock, when it took one and it is the
	 * process with the file open (the flock's holder, then). */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0 &&
	    process_has_file(fl.l_pid, &st))
		return fl.l_pid;
	locks = fopen("/proc/locks", "r");
	if (locks == NULL)
		return 0;
	n = find_candidates(locks, (unsigned long)st.st_ino, pids, MAX_CANDIDATES);
	fclose(locks);
	for (int i = 0; i < n; i++)
		if (process_has_file(pids[i], &st))
			return pids[i];
	return 0;
}

pid_t
nf_lock_kill_holder(int fd, unsigned int timeout_ms)
{
	struct stat st;
	struct pollfd pfd = { .events = POLLIN };
	pid_t pid = nf_lock_holder(fd);

	if (pid <= 0 || fstat(fd, &st) < 0)
		return 0;
	/* Pin the process, then check it is still the one with the file
	 * open: a pid recycled since /proc/locks was read fails the check. */
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH ? 0 : -1;
	if (!process_has_file(pid, &st)) {
		close(pfd.fd);
		return 0;
	}
	if (syscall(SYS_pidfd_send_signal, pfd.fd, SIGKILL, NULL, 0) < 0) {
		int err = errno;

		close(pfd.fd);
		return err == ESRCH ? 0 : -1;
	}
	/* A pidfd becomes readable when its process has exited. */
	poll(&pfd, 1, (int)timeout_ms);
	close(pfd.fd);
	return pid;
}
