/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's protocol and command registry (ctl_proto.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

const struct ctl_command ctl_commands[CTL_CMD_N] = {
#define _(sym, name, usage, min, max, handler, help) [CTL_CMD_##sym] = { name, usage, min, max, help },
	foreach_ctl_command
#undef _
};

int
ctl_command_find(const char *name)
{
	for (int i = 0; i < CTL_CMD_N; i++)
		if (strcmp(ctl_commands[i].name, name) == 0)
			return i;
	return -1;
}

/* How many of words[0..n) the command's name is, or 0 when it is not
 * their beginning. */
static int
name_words(const char *name, const char *const *words, int n)
{
	int used = 0;

	while (*name) {
		size_t len = strcspn(name, " ");

		if (used == n || strlen(words[used]) != len || strncmp(words[used], name, len) != 0)
			return 0;
		used++;
		name += len;
		name += *name == ' ';
	}
	return used;
}

int
ctl_command_match(const char *const *words, int n, int *used)
{
	int best = -1, best_used = 0;

	for (int i = 0; i < CTL_CMD_N; i++) {
		int u = name_words(ctl_commands[i].name, words, n);

		if (u > best_used) {
			best = i;
			best_used = u;
		}
	}
	*used = best_used;
	return best;
}

void
ctl_command_list(char *buf, size_t len)
{
	size_t at = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < CTL_CMD_N && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", ctl_commands[i].name);

		if (n < 0)
			break;
		at += (size_t)n;
	}
}

int
ctl_command_check_args(int cmd, int nargs, char *err, size_t errlen)
{
	const struct ctl_command *c = &ctl_commands[cmd];

	if (nargs >= c->min_args && nargs <= c->max_args)
		return 0;
	if (c->max_args == 0)
		snprintf(err, errlen, "'%s' takes no arguments", c->name);
	else if (c->min_args == c->max_args)
		snprintf(err, errlen, "'%s' takes %u argument%s: %s %s", c->name, c->min_args,
			 c->min_args == 1 ? "" : "s", c->name, c->usage);
	else
		snprintf(err, errlen, "'%s' takes %u to %u arguments: %s %s", c->name, c->min_args,
			 c->max_args, c->name, c->usage);
	return -1;
}

static int
parse_args(const json_t *args, struct ctl_request *req, char *err, size_t errlen)
{
	size_t i;
	const json_t *a;

	if (!json_is_array(args)) {
		snprintf(err, errlen, "bad request: \"args\" must be a list of strings");
		return -1;
	}
	if (json_array_size(args) > CTL_MAX_ARGS) {
		snprintf(err, errlen, "bad request: at most %d arguments", CTL_MAX_ARGS);
		return -1;
	}
	json_array_foreach(args, i, a) {
		char *dst = req->args[req->nargs++];
		int n;

		if (json_is_string(a))
			n = snprintf(dst, CTL_ARG_LEN, "%s", json_string_value(a));
		else if (json_is_integer(a))
			n = snprintf(dst, CTL_ARG_LEN, "%" JSON_INTEGER_FORMAT, json_integer_value(a));
		else {
			snprintf(err, errlen, "bad request: argument %zu is not a string", i + 1);
			return -1;
		}
		if (n < 0 || n >= CTL_ARG_LEN || strlen(dst) != (size_t)n) {
			snprintf(err, errlen, "bad request: argument %zu is longer than %d bytes or "
					      "holds a NUL", i + 1, CTL_ARG_LEN - 1);
			return -1;
		}
	}
	return 0;
}

int
ctl_request_parse(const char *buf, size_t len, struct ctl_request *req, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *cmd = NULL, *args = NULL, *v;
	const char *key;
	char known[256];
	int rc = -1;

	memset(req, 0, sizeof(*req));
	req->cmd = -1;
	if (len > CTL_MAX_REQUEST) {
		snprintf(err, errlen, "request longer than %d bytes", CTL_MAX_REQUEST);
		return -1;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "bad request: not JSON (%s, at byte %d)", jerr.text,
			 jerr.position);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "bad request: expected {\"cmd\": COMMAND, \"args\": [...]}");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "cmd") == 0) {
			cmd = v;
		} else if (strcmp(key, "args") == 0) {
			args = v;
		} else {
			snprintf(err, errlen, "bad request: unknown key '%.32s' (expected cmd, args)",
				 key);
			goto out;
		}
	}
	if (!json_is_string(cmd)) {
		snprintf(err, errlen, "bad request: \"cmd\" must be a command name");
		goto out;
	}
	req->cmd = ctl_command_find(json_string_value(cmd));
	if (req->cmd < 0) {
		ctl_command_list(known, sizeof(known));
		snprintf(err, errlen, "unknown command '%.64s' (known: %s)", json_string_value(cmd),
			 known);
		goto out;
	}
	if (args && parse_args(args, req, err, errlen) < 0)
		goto out;
	rc = ctl_command_check_args(req->cmd, req->nargs, err, errlen);
out:
	json_decref(root);
	return rc;
}

/* A JSON value as one line with its newline, malloc'd; takes the reference. */
static char *
dump_line(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	char *line = NULL;

	json_decref(v);
	if (s == NULL)
		return NULL;
	if (asprintf(&line, "%s\n", s) < 0)
		line = NULL;
	free(s);
	return line;
}

char *
ctl_request_format(int cmd, const char *const *args, int nargs)
{
	json_t *a = json_array();

	if (cmd < 0 || cmd >= CTL_CMD_N || a == NULL) {
		json_decref(a);
		return NULL;
	}
	for (int i = 0; i < nargs; i++)
		json_array_append_new(a, json_string(args[i]));
	return dump_line(json_pack("{s:s, s:o}", "cmd", ctl_commands[cmd].name, "args", a));
}

char *
ctl_reply_ok(json_t *result)
{
	return dump_line(json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_null()));
}

char *
ctl_reply_error(const char *msg)
{
	return dump_line(json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

int
ctl_reply_parse(const char *buf, size_t len, json_t **result, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);
	json_t *ok = json_object_get(root, "ok");
	int rc = -1;

	*result = NULL;
	if (root == NULL) {
		snprintf(err, errlen, "malformed reply from the manager (%s)", jerr.text);
		return -1;
	}
	if (json_is_true(ok)) {
		*result = json_incref(json_object_get(root, "result"));
		rc = 0;
	} else if (json_is_false(ok) && json_is_string(json_object_get(root, "error"))) {
		snprintf(err, errlen, "%s", json_string_value(json_object_get(root, "error")));
		rc = 1;
	} else {
		snprintf(err, errlen, "malformed reply from the manager (no \"ok\")");
	}
	json_decref(root);
	return rc;
}
