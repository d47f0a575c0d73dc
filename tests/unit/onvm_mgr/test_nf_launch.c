/* SPDX-License-Identifier: BSD-3-Clause */
/* Copying a running NF's command line for a new instance, and starting it. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nf_launch.h"

static void
set_template(struct nf_template *t, const char *line)
{
	char *p;

	memset(t, 0, sizeof(*t));
	snprintf(t->buf, sizeof(t->buf), "%s", line);
	for (p = strtok(t->buf, " "); p; p = strtok(NULL, " "))
		t->argv[t->argc++] = p;
}

/* The new instance's command line, joined by spaces. */
static const char *
rebuilt(const char *line, uint16_t instance)
{
	static char out[1024];
	struct nf_template t;
	char words[2][64], *argv[64];
	int n;

	set_template(&t, line);
	n = nf_template_argv(&t, instance, "p1", words, argv, 64);
	assert_true(n > 0);
	assert_null(argv[n]);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strcat(out, argv[i]);
		if (i + 1 < n)
			strcat(out, " ");
	}
	return out;
}

static void
cpu_and_instance_options_go_the_rest_stays(void **state)
{
	(void)state;
	/* go.sh's shape */
	assert_string_equal(rebuilt("fw -l 3 --file-prefix p1 --proc-type=secondary -- -r 1 -n 0 -- -f "
				    "rules.json -n 5",
				    2),
			    "fw --file-prefix p1 --proc-type=secondary -- -r 1 -n 2 -- -f rules.json -n 5");
	/* attached values, --lcores, a coremask */
	assert_string_equal(rebuilt("fw -l3 --lcores=1@2 -c 0x4 -- -n1 -r fw", 4),
			    "fw --file-prefix=p1 -- -r fw -n 4");
	/* --log-level is not -l */
	assert_string_equal(rebuilt("fw --log-level=lib.eal:debug --file-prefix=x -- -r 2", 1),
			    "fw --log-level=lib.eal:debug --file-prefix=x -- -r 2 -n 1");
}

static void
missing_separators_are_added(void **state)
{
	(void)state;
	assert_string_equal(rebuilt("fw", 1), "fw --file-prefix=p1 -- -n 1");
	assert_string_equal(rebuilt("fw --file-prefix p1", 0), "fw --file-prefix p1 -- -n 0");
	/* an NF's own "--" after the second separator is its own */
	assert_string_equal(rebuilt("fw -- -- -x -- -l 1", 3),
			    "fw --file-prefix=p1 -- -n 3 -- -x -- -l 1");
}

static void
too_long_is_refused(void **state)
{
	struct nf_template t;
	char words[2][64], *argv[4];

	(void)state;
	set_template(&t, "fw -- -r 1 -- a b c");
	assert_int_equal(nf_template_argv(&t, 1, "p", words, argv, 4), -1);
}

/* Our own process as a template: the command line the kernel has. */
static int g_argc;
static char **g_argv;

static void
reads_a_process_from_the_kernel(void **state)
{
	struct nf_template t;
	char err[256], cwd[4096];

	(void)state;
	assert_int_equal(nf_template_read(getpid(), &t, err, sizeof(err)), 0);
	assert_int_equal(t.argc, g_argc);
	for (int i = 0; i < g_argc; i++)
		assert_string_equal(t.argv[i], g_argv[i]);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_string_equal(t.cwd, cwd);
	assert_true(access(t.exe, X_OK) == 0);
	assert_int_equal(nf_template_read(0, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not visible"));
	assert_int_equal(nf_template_read(999999999, &t, err, sizeof(err)), -1);
}

static void
starts_in_its_directory_with_nothing_of_ours(void **state)
{
	struct nf_template t;
	char dir[] = "/tmp/onvm_launch_XXXXXX", out[256], err[256], line[256];
	char *argv[] = { "sh", "-c",
			 "pwd > out; echo \"$ONVM_FILE_PREFIX\" >> out; "
			 "ls /proc/self/fd | wc -l >> out",
			 NULL };
	int keep = open("/dev/null", O_RDONLY); /* must not reach the child */
	pid_t pid;
	int status;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&t, 0, sizeof(t));
	snprintf(t.exe, sizeof(t.exe), "/bin/sh");
	snprintf(t.cwd, sizeof(t.cwd), "%s", dir);
	setenv("ONVM_FILE_PREFIX", "stale", 1);
	pid = nf_launch(&t, argv, "fresh", err, sizeof(err));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(out, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_true(strncmp(line, dir, strlen(dir)) == 0);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "fresh\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "4\n"); /* 0, 1, 2 and ls's own directory */
	fclose(f);
	unlink(out);
	rmdir(dir);
	close(keep);

	snprintf(t.exe, sizeof(t.exe), "/nonexistent/nf");
	assert_int_equal(nf_launch(&t, argv, "p", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot start /nonexistent/nf"));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_and_instance_options_go_the_rest_stays),
		cmocka_unit_test(missing_separators_are_added),
		cmocka_unit_test(too_long_is_refused),
		cmocka_unit_test(reads_a_process_from_the_kernel),
		cmocka_unit_test(starts_in_its_directory_with_nothing_of_ours),
	};

	g_argc = argc;
	g_argv = argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
