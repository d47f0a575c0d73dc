/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nf_lock: the /proc/locks parser against lines in every form the kernel
 * prints, and the holder lookup and kill against the real kernel with
 * processes of this test.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "nf_lock.h"

static void
parses_flock_posix_ofd_and_waiters(void **state)
{
	struct nf_lock_entry e;

	assert_int_equal(nf_lock_parse_line("1: FLOCK  ADVISORY  WRITE 4321 00:1a:123456 0 EOF\n",
					    &e), 0);
	assert_true(e.is_flock);
	assert_false(e.waiting);
	assert_int_equal(e.pid, 4321);
	assert_int_equal(e.dev_major, 0);
	assert_int_equal(e.dev_minor, 0x1a);
	assert_int_equal(e.ino, 123456);

	/* A process blocked on the lock is not its holder. */
	assert_int_equal(nf_lock_parse_line("12: -> FLOCK  ADVISORY  WRITE 77 fd:01:9 0 EOF", &e), 0);
	assert_true(e.is_flock);
	assert_true(e.waiting);
	assert_int_equal(e.pid, 77);
	assert_int_equal(e.dev_major, 0xfd);
	assert_int_equal(e.dev_minor, 1);

	assert_int_equal(nf_lock_parse_line("2: POSIX  ADVISORY  WRITE 555 08:01:42 0 EOF", &e), 0);
	assert_false(e.is_flock);
	assert_int_equal(nf_lock_parse_line("3: OFDLCK ADVISORY  READ  -1 00:06:1050 0 EOF", &e), 0);
	assert_false(e.is_flock);
	assert_int_equal(e.pid, -1);
	assert_int_equal(nf_lock_parse_line("4: LEASE  ACTIVE    READ  99 00:2d:7 0 EOF", &e), 0);
	assert_false(e.is_flock);
	assert_int_equal(e.ino, 7);

	/* Not lock entries. */
	assert_int_equal(nf_lock_parse_line("", &e), -1);
	assert_int_equal(nf_lock_parse_line("FLOCK ADVISORY WRITE 1 00:1a:1 0 EOF", &e), -1);
	assert_int_equal(nf_lock_parse_line("5: FLOCK  ADVISORY  WRITE 4321 <none>:0 0 EOF", &e),
			 -1);
	assert_int_equal(nf_lock_parse_line("6: FLOCK  ADVISORY", &e), -1);
}

static void
finds_the_holder_not_a_waiter_nor_another_file(void **state)
{
	static const char text[] =
		"1: POSIX  ADVISORY  WRITE 10 00:1a:500 0 EOF\n"       /* POSIX, same file */
		"2: FLOCK  ADVISORY  WRITE 11 00:1b:500 0 EOF\n"       /* other device */
		"3: FLOCK  ADVISORY  WRITE 12 00:1a:501 0 EOF\n"       /* other inode */
		"4: FLOCK  ADVISORY  WRITE 13 00:1a:500 0 EOF\n"       /* the holder */
		"4: -> FLOCK  ADVISORY  WRITE 14 00:1a:500 0 EOF\n";   /* its waiter */
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	assert_non_null(f);
	assert_int_equal(nf_lock_find_holder(f, 0, 0x1a, 500), 13);
	rewind(f);
	assert_int_equal(nf_lock_find_holder(f, 0, 0x1a, 502), 0);
	fclose(f);
}

static char lock_path[] = "/tmp/onvm_test_nf_lock.XXXXXX";

/* A child that takes the lock, tells the parent and waits to be killed. */
static pid_t
child_holding_lock(bool posix_too)
{
	int ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(lock_path, O_RDWR);

		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		if (fd < 0 || flock(fd, LOCK_EX) < 0 || (posix_too && fcntl(fd, F_SETLK, &fl) < 0))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	return pid;
}

static void
kernel_names_the_holder_and_it_is_killed(void **state)
{
	int fd = mkstemp(lock_path);
	pid_t child;
	struct stat st;
	FILE *locks;
	int status;

	assert_true(fd >= 0);
	assert_int_equal(nf_lock_holder(fd), 0); /* nobody holds it yet */

	child = child_holding_lock(false);
	assert_int_equal(nf_lock_holder(fd), child);
	/* The pure lookup over the real /proc/locks agrees. */
	assert_int_equal(fstat(fd, &st), 0);
	locks = fopen("/proc/locks", "r");
	assert_non_null(locks);
	assert_int_equal(nf_lock_find_holder(locks, major(st.st_dev), minor(st.st_dev),
					     st.st_ino), child);
	fclose(locks);

	assert_int_equal(nf_lock_kill_holder(fd, 2000), child);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* Its lock went with it: there is nobody left to kill. */
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	flock(fd, LOCK_UN);
	assert_int_equal(nf_lock_kill_holder(fd, 100), 0);
	close(fd);
	unlink(lock_path);
}

/* An NF's POSIX lock beside its flock: the kernel names the holder at
 * once (F_GETLK), and it is the process with the file open. */
static void
posix_lock_names_the_holder(void **state)
{
	pid_t child;
	int fd, status;

	strcpy(lock_path, "/tmp/onvm_test_nf_lock.XXXXXX");
	fd = mkstemp(lock_path);
	assert_true(fd >= 0);
	child = child_holding_lock(true);
	assert_int_equal(nf_lock_holder(fd), child);
	assert_int_equal(nf_lock_kill_holder(fd, 2000), child);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(nf_lock_holder(fd), 0);
	close(fd);
	unlink(lock_path);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_flock_posix_ofd_and_waiters),
		cmocka_unit_test(finds_the_holder_not_a_waiter_nor_another_file),
		cmocka_unit_test(kernel_names_the_holder_and_it_is_killed),
		cmocka_unit_test(posix_lock_names_the_holder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
