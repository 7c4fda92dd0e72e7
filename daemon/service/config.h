/* recruitwatchd.conf: an INI file (read with libinih) with [daemon], [limits], [feed NAME],
 * [sink NAME] and [subscription NAME] sections; feeds may also come from an OPML file. Every
 * error names the file and line. Documented in packaging/examples/recruitwatchd.conf and
 * recruitwatchd.conf(5). */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fmt.h"
#include "subs.h"

#define CONFIG_DEFAULT_PATH "/etc/recruitwatch/recruitwatchd.conf"

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

struct cfg_feed {
	char *name;
	char *url;
	char *agency; /* NULL: the agency the documents name */
	enum fmt format; /* FMT_AUTO unless forced */
	int interval_s; /* 0: [daemon] interval */
	char **headers; /* "Name: value", e.g. an Authorization header: never logged */
	size_t nheaders;
	char *client_cert, *client_key;
	char *file; /* where it was defined (the config or the OPML file) */
	long line;
};

enum sink_type { SINK_JSONL, SINK_TEXT, SINK_JOURNAL, SINK_SYSLOG, SINK_WEBHOOK, SINK_SMTP };

struct cfg_sink {
	char *name;
	enum sink_type type;
	char *path; /* jsonl, text: a file, or "-" for standard output */
	char *url; /* webhook: http(s) URL; smtp: smtp(s)://host[:port] */
	char *secret; /* webhook: "whsec_..." (or read from secret_file); never logged */
	char *secret_file;
	char **headers; /* webhook: extra headers */
	size_t nheaders;
	char *from; /* smtp */
	char **to;
	size_t nto;
	char *username, *password; /* smtp auth; never logged */
	int digest_s; /* smtp: 0 one mail per alert, else one digest per interval */
	long timeout_s;
	char *file;
	long line;
};

struct cfg_sub {
	char *name;
	char *sink; /* a [sink NAME] of this file */
	struct sub_filter filter;
	char *file;
	long line;
};

/* [api]: the HTTP API (issue 5); off when no listen address is given. */
struct cfg_api_role {
	char *cn; /* a verified client certificate's subject CN */
	int role; /* enum api_role bit */
};

struct cfg_api {
	char **listen; /* "host:port" or "[v6]:port" */
	size_t nlisten;
	char *tls_cert, *tls_key; /* PEM paths */
	char *client_ca; /* NULL: no client certificates asked for */
	struct cfg_api_role *roles;
	size_t nroles;
	int plain_http; /* loopback only */
	size_t max_body; /* 4 MiB */
	size_t max_header_size; /* 16 KiB */
	int request_timeout_s; /* 30 */
	int max_connections; /* 256 */
	char *public_url; /* Atom links; NULL: derived from the first listen address */
	long line; /* of the [api] header, 0 when absent */
};

struct config {
	char *path;
	/* [daemon] */
	char *state_dir; /* state.db lives here */
	char *rules; /* NULL: the default rulebook */
	char **rules_layers; /* local layers, in order */
	size_t nrules_layers;
	char *data_dir; /* NULL: the default entity data */
	char *cafile; /* NULL: system CA store */
	char *opml; /* NULL: none */
	enum log_level log_level;
	int interval_s; /* default poll interval: 900 */
	int jitter_pct; /* +- this percentage of the interval: 10 */
	/* [limits] */
	size_t max_body; /* 64 MiB */
	long fetch_timeout_s; /* 120 */
	long connect_timeout_s; /* 30 */
	long max_redirects; /* 5 */
	int per_host; /* 2 */
	int max_transfers; /* 16 */
	int backoff_max_s; /* cap of a failing feed's back-off: 6 h */
	int retry_base_s; /* first delivery retry: 10 s */
	int retry_max_s; /* cap of the delivery back-off: 1 h */
	int dead_after_s; /* a delivery failing this long is dead-lettered: 3 days */
	int64_t retention_s; /* resolved findings and delivered alerts kept: 365 days */
	int64_t state_max_bytes; /* 0: unbounded */
	int drain_s; /* SIGTERM: in-flight deliveries get this long: 10 s */
	struct cfg_feed *feeds;
	size_t nfeeds;
	struct cfg_sink *sinks;
	size_t nsinks;
	struct cfg_sub *subs;
	size_t nsubs;
	struct cfg_api api;
};

/* Reads and validates path (and the OPML file it names): unknown sections and keys, bad
 * values, duplicate names, a subscription naming no sink, a webhook without secret. NULL with
 * err = "file:line: message". */
struct config *config_load(const char *path, struct rw_error *err);
void config_free(struct config *);

const struct cfg_sink *config_sink(const struct config *, const char *name);

/* Splits a listen address "host:port" or "[v6]:port" into host (without brackets) and port;
 * -1 when malformed. */
int config_split_listen(const char *addr, char *host, size_t hostlen, int *port);
/* 1 when the [api] settings of a and b differ (they take effect at the next restart). */
int config_api_changed(const struct config *a, const struct config *b);

/* "30s", "15m", "2h", "3d" or plain seconds; -1 when malformed. */
int64_t config_parse_duration(const char *);
/* "512", "64K", "64M", "1G"; -1 when malformed. */
int64_t config_parse_size(const char *);
/* A feed's URL (malloc'd): an absolute http, https or file URL as given, or "file:NAME" (no
 * "//") made the file:// URL of NAME resolved against dir. NULL with why filled (never with
 * the URL, which may hold credentials). Shared by the config and the OPML reader. */
char *config_feed_url(const char *value, const char *dir, char *why, size_t whylen);

#endif
