/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process behind an NF, found through its lock file and never through a
 * pid the NF reported: an NF in a container reports the pid of its own PID
 * namespace (often 1 or 2), which names another process, or none, in the
 * manager's.
 *
 * Every NF holds an flock() on its lock file for its whole life. The kernel
 * knows which process took it and lists it in /proc/locks with the pid as the
 * reader's PID namespace sees it: the manager reads its own /proc, so it gets
 * a pid it can signal (0 when the holder is not visible from there, e.g. a
 * container that is not a descendant of the manager's PID namespace).
 *
 * /proc/locks lists every lock of the machine: with many DPDK processes
 * (each of their hugepage files locked) it is megabytes, 0.2 s of CPU to
 * read, and the control loop read it for every NF it admitted. So an NF
 * also takes a POSIX lock on the file, and the manager first asks the
 * kernel for its holder (F_GETLK: the pid in the asker's PID namespace);
 * the answer is used once that process is seen to have the file open, else
 * /proc/locks is read as before.
 *
 * No DPDK here; nf_lock_parse_line and nf_lock_find_holder are pure.
 */
#ifndef ONVM_NF_LOCK_H
#define ONVM_NF_LOCK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* One line of /proc/locks, e.g.
 *   "3: FLOCK  ADVISORY  WRITE 4321 00:1a:1234 0 EOF"
 *   "3: -> FLOCK  ADVISORY  WRITE 4322 00:1a:1234 0 EOF"   (a waiter)   */
struct nf_lock_entry {
	bool is_flock;      /* FLOCK (not POSIX, OFDLCK, LEASE, ...) */
	bool waiting;       /* "->": blocked on the lock, not holding it */
	long pid;           /* in the reader's PID namespace; -1 for OFD locks */
	unsigned int dev_major, dev_minor;
	unsigned long ino;
};

/* 0 with *e filled, -1 when the line is not a lock entry. */
int nf_lock_parse_line(const char *line, struct nf_lock_entry *e);

/* The pid holding an flock() on the file (device major:minor, inode) among
 * the lines of `locks` (the format of /proc/locks), or 0 when none does. */
pid_t nf_lock_find_holder(FILE *locks, unsigned int dev_major, unsigned int dev_minor,
			  unsigned long ino);

/* The pid holding an flock() on the file open as fd (from F_GETLK, else
 * /proc/locks); 0 when none is visible from this PID namespace. */
pid_t nf_lock_holder(int fd);

/*
 * SIGKILL the process holding an flock() on the file open as fd, and wait up
 * to timeout_ms for it to be gone. The pid comes from /proc/locks; it is
 * pinned with a pidfd and signalled only if that process has the file open,
 * so a pid reused in between is never signalled. Returns the pid killed,
 * 0 when no holder could be found (nothing was signalled), -1 on error.
 */
pid_t nf_lock_kill_holder(int fd, unsigned int timeout_ms);

#endif /* ONVM_NF_LOCK_H */
