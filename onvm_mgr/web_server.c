/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The web server (web.h): libmicrohttpd with one internal thread that
 * polls every connection, on a listening socket of our own.
 *
 *   /             the dashboard (web/index.html), and its files
 *   /api/stats    web_api_snapshot() as JSON
 *   /metrics      the same snapshot as Prometheus text (web_metrics.c)
 *   anything else 404; methods other than GET and HEAD 405
 *
 * The socket is ours (bound before EAL starts) so that an address in use
 * is one clear line at once. libmicrohttpd bounds what a client may cost:
 * WEB_MEM_LIMIT per connection (a request's headers must fit: more is
 * answered 431 and closed), WEB_MAX_CONNS connections (WEB_MAX_PER_IP
 * from one address), WEB_TIMEOUT_S of silence. Each answer is built in
 * memory in bounded work under the stats lock, so the thread never waits
 * on a client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include <rte_lcore.h>

#include "counter_keeper.h"
#include "mgr.h"
#include "prom_text.h"
#include "web.h"
#include "web_addr.h"

#define WEB_MAX_CONNS   64
#define WEB_MAX_PER_IP  32
#define WEB_TIMEOUT_S   10
#define WEB_MEM_LIMIT   (32 * 1024)
/* Series /metrics keeps from going down: 1024 chains with their drop
 * reasons and 64 NFs' counters fit several times over. */
#define WEB_MAX_SERIES  65536

static struct {
	int listen_fd;
	char addr[64];
	struct MHD_Daemon *daemon;
	struct mgr *m;
	pthread_mutex_t keep_lock; /* the keeper is /metrics' state */
	struct ckeep *keep;
	time_t log_second;
	unsigned int log_lines;
} web = { .listen_fd = -1, .keep_lock = PTHREAD_MUTEX_INITIALIZER };

int
web_server_bind(const struct mgr_config *cfg)
{
	struct sockaddr_in sa;
	char why[160], ip[INET_ADDRSTRLEN];
	int one = 1;

	if (cfg->web == NULL)
		return 0;
	if (web_addr_parse(cfg->web, &sa, why, sizeof(why)) < 0) {
		fprintf(stderr, "onvm_mgr: --web %s\n", why);
		return -1;
	}
	/* The address as it will be served ("8080" alone is 127.0.0.1:8080). */
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
	snprintf(web.addr, sizeof(web.addr), "%s:%u", ip, ntohs(sa.sin_port));
	web.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (web.listen_fd < 0 ||
	    /* A manager started again right away finds its old connections
	     * in TIME_WAIT; another listener on the port still fails bind. */
	    setsockopt(web.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(web.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(web.listen_fd, WEB_MAX_CONNS) < 0) {
		fprintf(stderr, "onvm_mgr: --web %s: cannot listen there: %s\n", web.addr,
			strerror(errno));
		web_server_stop();
		return -1;
	}
	return 0;
}

/* libmicrohttpd's complaints (a client's bad request, mostly): a few a
 * second at most, so a client cannot flood the manager's log. */
static void
web_log(void *cls, const char *fmt, va_list ap)
{
	time_t now = time(NULL);

	if (now != web.log_second) {
		web.log_second = now;
		web.log_lines = 0;
	}
	if (web.log_lines++ >= 3)
		return;
	fprintf(stderr, "onvm_mgr: web: ");
	vfprintf(stderr, fmt, ap);
	if (fmt[0] && fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int status, const char *type, void *body, size_t len,
      enum MHD_ResponseMemoryMode mode, bool no_cache)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO; /* libmicrohttpd closes the connection */
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* The page loads nothing from anywhere else. */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; style-src 'self' 'unsafe-inline'; "
				"img-src 'self' data:; frame-ancestors 'none'");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, no_cache ? "no-store" : "no-cache");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
reply_text(struct MHD_Connection *c, unsigned int status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (void *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT, true);
}

static enum MHD_Result
serve_api(struct MHD_Connection *c)
{
	json_t *snap = web_api_snapshot(web.m);
	char *text = snap ? json_dumps(snap, JSON_COMPACT) : NULL;

	json_decref(snap);
	if (text == NULL)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return reply(c, MHD_HTTP_OK, "application/json", text, strlen(text),
		     MHD_RESPMEM_MUST_FREE, true);
}

static enum MHD_Result
serve_metrics(struct MHD_Connection *c)
{
	json_t *snap = web_api_snapshot(web.m);
	struct prom_buf b;
	size_t len = 0;
	char *text;

	prom_buf_init(&b);
	if (snap != NULL) {
		/* One scrape at a time: the keeper remembers the last. */
		pthread_mutex_lock(&web.keep_lock);
		web_metrics_write(snap, web.keep, &b);
		pthread_mutex_unlock(&web.keep_lock);
	}
	json_decref(snap);
	text = snap ? prom_buf_take(&b, &len) : NULL;
	if (text == NULL)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return reply(c, MHD_HTTP_OK, PROM_CONTENT_TYPE, text, len, MHD_RESPMEM_MUST_FREE, true);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	const struct web_asset *a;

	/* Answered on the first call: no route takes a body, and a body
	 * sent anyway is not read (the connection is closed after). */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/api/stats") == 0)
		return serve_api(c);
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(c);
	a = web_asset_find(url);
	if (a != NULL)
		return reply(c, MHD_HTTP_OK, a->content_type, (void *)a->data, a->len,
			     MHD_RESPMEM_PERSISTENT, false);
	return reply_text(c, MHD_HTTP_NOT_FOUND,
			  "not found (the dashboard is /, its data /api/stats and /metrics)\n");
}

/*
 * libmicrohttpd's thread is created by the thread that starts it, and
 * inherits its CPUs. The main lcore's are the control loop's (with one
 * lcore, the data path's): start it from a control thread, which EAL
 * places on the CPUs the lcores leave free (none free: the main lcore's).
 */
static void *
start_daemon(void *arg)
{
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	(void)arg;
	web.daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
				      MHD_OPTION_EXTERNAL_LOGGER, web_log, NULL,
				      MHD_OPTION_LISTEN_SOCKET, (MHD_socket)web.listen_fd,
				      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_MAX_CONNS,
				      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)WEB_MAX_PER_IP,
				      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_TIMEOUT_S,
				      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_MEM_LIMIT,
				      MHD_OPTION_END);
	return NULL;
}

int
web_server_start(struct mgr *m)
{
	pthread_t t;

	if (web.listen_fd < 0)
		return 0;
	web.m = m;
	web.keep = ckeep_create(WEB_MAX_SERIES);
	if (web.keep == NULL) {
		fprintf(stderr, "onvm_mgr: --web %s: out of memory\n", web.addr);
		return -1;
	}
	if (rte_ctrl_thread_create(&t, "onvm_web_start", NULL, start_daemon, NULL) != 0) {
		fprintf(stderr, "onvm_mgr: --web %s: cannot start a thread\n", web.addr);
		return -1;
	}
	pthread_join(t, NULL);
	if (web.daemon == NULL) {
		fprintf(stderr, "onvm_mgr: --web %s: libmicrohttpd did not start\n", web.addr);
		return -1;
	}
	printf("onvm_mgr: dashboard on http://%s/ (/api/stats, /metrics)\n", web.addr);
	return 0;
}

void
web_server_stop(void)
{
	if (web.daemon != NULL) {
		/* Joins its thread (the request in progress finishes first)
		 * and closes the listening socket, ours or not. */
		MHD_stop_daemon(web.daemon);
		web.daemon = NULL;
		web.listen_fd = -1;
	}
	if (web.listen_fd >= 0) {
		close(web.listen_fd); /* bound, never served */
		web.listen_fd = -1;
	}
	ckeep_free(web.keep);
	web.keep = NULL;
}
