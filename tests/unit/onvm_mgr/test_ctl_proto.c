/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's protocol: the registry, requests, replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_proto.h"

static int
parse(const char *line, struct ctl_request *req, char *err)
{
	return ctl_request_parse(line, strlen(line), req, err, CTL_ERR_LEN);
}

/* The request parses, and to the command named. */
static void
expect_ok(const char *line, int cmd, int nargs)
{
	struct ctl_request req;
	char err[CTL_ERR_LEN] = "";

	if (parse(line, &req, err) != 0)
		fail_msg("'%s' refused: %s", line, err);
	assert_int_equal(req.cmd, cmd);
	assert_int_equal(req.nargs, nargs);
}

/* The request is refused with a reason containing `why`. */
static void
expect_refused(const char *line, const char *why)
{
	struct ctl_request req;
	char err[CTL_ERR_LEN] = "";

	if (parse(line, &req, err) == 0)
		fail_msg("'%s' accepted", line);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': reason '%s' does not say '%s'", line, err, why);
	assert_null(strchr(err, '\n')); /* one line */
}

static void
registry_names_are_unique_and_found(void **state)
{
	for (int i = 0; i < CTL_CMD_N; i++) {
		assert_non_null(ctl_commands[i].name);
		assert_non_null(ctl_commands[i].help);
		assert_true(ctl_commands[i].min_args <= ctl_commands[i].max_args);
		assert_true(ctl_commands[i].max_args <= CTL_MAX_ARGS);
		assert_int_equal(ctl_command_find(ctl_commands[i].name), i);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ctl_commands[i].name, ctl_commands[j].name);
	}
	assert_int_equal(ctl_command_find("chains reload"), CTL_CMD_CHAINS_RELOAD);
	assert_int_equal(ctl_command_find("chain"), -1);
	assert_int_equal(ctl_command_find("chains  reload"), -1);
	assert_int_equal(ctl_command_find(""), -1);
}

/* Reference: the longest name that is the first words joined by spaces,
 * by brute force over every command and every word count. A word is one
 * argument: one holding a space ("chains reload" quoted) is no command's. */
static int
reference_match(const char *const *words, int n, int *used)
{
	int best = -1;

	*used = 0;
	for (int i = 0; i < CTL_CMD_N; i++)
		for (int k = 1; k <= n && !strchr(words[k - 1], ' '); k++) {
			char joined[256] = "";

			for (int w = 0; w < k; w++) {
				strcat(joined, w ? " " : "");
				strcat(joined, words[w]);
			}
			if (strcmp(joined, ctl_commands[i].name) == 0 && k > *used) {
				best = i;
				*used = k;
			}
		}
	return best;
}

static void
registry_match_takes_the_longest_name(void **state)
{
	static const char *const vocab[] = { "nfs", "services", "chains", "reload", "x", "",
					     "chains reload", "reloa" };
	const size_t nv = sizeof(vocab) / sizeof(vocab[0]);
	const char *words[3];
	int used, ref_used;

	/* Every sequence of up to three words from the vocabulary. */
	for (size_t a = 0; a < nv; a++)
		for (size_t b = 0; b < nv; b++)
			for (size_t c = 0; c < nv; c++)
				for (int n = 1; n <= 3; n++) {
					words[0] = vocab[a];
					words[1] = vocab[b];
					words[2] = vocab[c];
					assert_int_equal(ctl_command_match(words, n, &used),
							 reference_match(words, n, &ref_used));
					assert_int_equal(used, ref_used);
				}
	words[0] = "chains";
	words[1] = "reload";
	assert_int_equal(ctl_command_match(words, 2, &used), CTL_CMD_CHAINS_RELOAD);
	assert_int_equal(used, 2);
	words[1] = "foo";
	assert_int_equal(ctl_command_match(words, 2, &used), CTL_CMD_CHAINS);
	assert_int_equal(used, 1);
	assert_int_equal(ctl_command_match(words, 0, &used), -1);
}

static void
command_list_names_every_command(void **state)
{
	char buf[256], tiny[8];

	ctl_command_list(buf, sizeof(buf));
	assert_string_equal(buf, "nfs, services, chains, chains reload, move, scale, autoscale");
	ctl_command_list(tiny, sizeof(tiny)); /* cut, still a string */
	assert_true(strlen(tiny) < sizeof(tiny));
}

static void
arguments_are_counted(void **state)
{
	char err[CTL_ERR_LEN];

	assert_int_equal(ctl_command_check_args(CTL_CMD_NFS, 0, err, sizeof(err)), 0);
	assert_int_equal(ctl_command_check_args(CTL_CMD_CHAINS, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "'chains' takes no arguments");
}

static void
requests_that_parse(void **state)
{
	expect_ok("{\"cmd\":\"nfs\"}", CTL_CMD_NFS, 0);
	expect_ok("{\"cmd\":\"nfs\"}\n", CTL_CMD_NFS, 0);
	expect_ok("{\"cmd\":\"services\",\"args\":[]}\n", CTL_CMD_SERVICES, 0);
	expect_ok(" { \"args\" : [ ] , \"cmd\" : \"chains\" } \n", CTL_CMD_CHAINS, 0);
	expect_ok("{\"cmd\":\"chains reload\"}", CTL_CMD_CHAINS_RELOAD, 0);
}

static void
requests_that_are_refused(void **state)
{
	char big[CTL_MAX_REQUEST + 64];

	expect_refused("", "not JSON");
	expect_refused("\n", "not JSON");
	expect_refused("nfs\n", "not JSON");
	expect_refused("{\"cmd\":\"nfs\"", "not JSON");
	expect_refused("{\"cmd\":\"nfs\"} {}", "not JSON");
	expect_refused("[\"nfs\"]", "expected {\"cmd\"");
	expect_refused("\"nfs\"", "not JSON");
	expect_refused("{}", "\"cmd\" must be");
	expect_refused("{\"cmd\":3}", "\"cmd\" must be");
	expect_refused("{\"cmd\":null}", "\"cmd\" must be");
	expect_refused("{\"cmd\":\"nfs\",\"cmd\":\"nfs\"}", "not JSON"); /* duplicate key */
	expect_refused("{\"cmd\":\"nfs\",\"verbose\":true}", "unknown key 'verbose'");
	expect_refused("{\"cmd\":\"teleport\"}", "unknown command 'teleport' (known: nfs, services");
	expect_refused("{\"cmd\":\"NFS\"}", "unknown command");
	expect_refused("{\"cmd\":\"chains\",\"args\":\"reload\"}", "must be a list");
	expect_refused("{\"cmd\":\"chains\",\"args\":[\"x\"]}", "takes no arguments");
	expect_refused("{\"cmd\":\"chains\",\"args\":[{}]}", "argument 1 is not a string");
	expect_refused("{\"cmd\":\"chains\",\"args\":[1,2,3,4,5,6,7,8,9]}", "at most 8");
	expect_refused("{\"cmd\":\"nfs\",\"args\":[\"\\u0000\"]}", "not JSON");
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"cmd\":\"nfs\"}", 13);
	big[sizeof(big) - 1] = '\0';
	expect_refused(big, "longer than 4096 bytes");
}

static void
long_and_numeric_arguments(void **state)
{
	struct ctl_request req;
	char err[CTL_ERR_LEN], line[256];

	/* Numbers are taken as their text; long strings refused (commands
	 * with arguments come later, so the count is checked after this). */
	assert_int_equal(parse("{\"cmd\":\"nfs\",\"args\":[12]}", &req, err), -1);
	assert_string_equal(req.args[0], "12");
	snprintf(line, sizeof(line), "{\"cmd\":\"nfs\",\"args\":[\"%0*d\"]}", CTL_ARG_LEN, 0);
	assert_int_equal(parse(line, &req, err), -1);
	assert_non_null(strstr(err, "longer than 63 bytes"));
}

static void
request_format_round_trips(void **state)
{
	static const char *const args[CTL_MAX_ARGS] = { "a", "b", "c", "d", "e", "f", "g", "h" };

	for (int cmd = 0; cmd < CTL_CMD_N; cmd++) {
		char *line = ctl_request_format(cmd, args, ctl_commands[cmd].min_args);
		struct ctl_request req;
		char err[CTL_ERR_LEN];

		assert_non_null(line);
		assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1); /* one line */
		assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
		assert_int_equal(req.cmd, cmd);
		assert_int_equal(req.nargs, ctl_commands[cmd].min_args);
		for (int i = 0; i < req.nargs; i++)
			assert_string_equal(req.args[i], args[i]);
		free(line);
	}
	assert_null(ctl_request_format(CTL_CMD_N, NULL, 0));
	assert_null(ctl_request_format(-1, NULL, 0));
}

static void
replies_round_trip(void **state)
{
	char *ok = ctl_reply_ok(json_pack("[i,i]", 1, 2));
	char *bad = ctl_reply_error("no such \"thing\"\nreally");
	char *none = ctl_reply_ok(NULL);
	char err[CTL_ERR_LEN];
	json_t *result;

	assert_non_null(ok);
	assert_non_null(bad);
	assert_non_null(none);
	/* One line each, whatever the message holds. */
	assert_ptr_equal(strchr(ok, '\n'), ok + strlen(ok) - 1);
	assert_ptr_equal(strchr(bad, '\n'), bad + strlen(bad) - 1);
	assert_int_equal(ctl_reply_parse(ok, strlen(ok), &result, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(result), 2);
	json_decref(result);
	assert_int_equal(ctl_reply_parse(bad, strlen(bad), &result, err, sizeof(err)), 1);
	assert_string_equal(err, "no such \"thing\"\nreally");
	assert_null(result);
	assert_int_equal(ctl_reply_parse(none, strlen(none), &result, err, sizeof(err)), 0);
	assert_true(json_is_null(result));
	json_decref(result);
	assert_int_equal(ctl_reply_parse("{\"result\":1}", 12, &result, err, sizeof(err)), -1);
	assert_int_equal(ctl_reply_parse("garbage", 7, &result, err, sizeof(err)), -1);
	assert_int_equal(ctl_reply_parse("", 0, &result, err, sizeof(err)), -1);
	free(ok);
	free(bad);
	free(none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registry_names_are_unique_and_found),
		cmocka_unit_test(registry_match_takes_the_longest_name),
		cmocka_unit_test(command_list_names_every_command),
		cmocka_unit_test(arguments_are_counted),
		cmocka_unit_test(requests_that_parse),
		cmocka_unit_test(requests_that_are_refused),
		cmocka_unit_test(long_and_numeric_arguments),
		cmocka_unit_test(request_format_round_trips),
		cmocka_unit_test(replies_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
