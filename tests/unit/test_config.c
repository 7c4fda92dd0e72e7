/* Unit tests for config.c and opml.c: configurations written to a temporary directory, every
 * value and every error line worked out by hand from the text written. */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cu.h"
#include "opml.h"

#define EXAMPLES FIXTURES "/../../packaging/examples"

/* Records a failed check with the caller's line, and says what went wrong on stderr. */
#define CHECK(line, cond, ...)                                                                     \
	do {                                                                                       \
		int ok_ = (cond);                                                                  \
		if (!ok_)                                                                          \
			fprintf(stderr, __VA_ARGS__);                                              \
		CU_assertImplementation(ok_ ? CU_TRUE : CU_FALSE, (unsigned int)(line), #cond,     \
		    __FILE__, "", CU_FALSE);                                                       \
	} while (0)

#define STR_EQ(a, b) CU_ASSERT_STRING_EQUAL((a) != NULL ? (a) : "(null)", (b))

static char tmpdir[PATH_MAX];

#define PBUF (2 * PATH_MAX) /* tmpdir and a name under it */

/* A fresh directory per test, resolved so that expected paths compare equal. */
static void
fresh_dir(void)
{
	char tmpl[] = "/tmp/rwconfig.XXXXXX";
	char cmd[PBUF];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(tmpl, tmpdir));
}

static void
write_file(const char *name, const char *text, mode_t mode)
{
	char path[PBUF];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
}

static struct config *
load_text(const char *text, struct rw_error *err)
{
	char path[PBUF];

	write_file("recruitwatchd.conf", text, 0640);
	snprintf(path, sizeof(path), "%s/recruitwatchd.conf", tmpdir);
	return config_load(path, err);
}

/* The config must fail at line with a message holding want (and never holding secret). */
static void
expect_error(int at, const char *text, long line, const char *want, const char *secret)
{
	struct rw_error err;
	struct config *c;
	char buf[1024], src[PBUF];

	fresh_dir();
	memset(&err, 0, sizeof(err));
	c = load_text(text, &err);
	CHECK(at, c == NULL, "config loaded, expected an error at line %ld\n", line);
	config_free(c);
	snprintf(src, sizeof(src), "%s/recruitwatchd.conf", tmpdir);
	CHECK(at, strcmp(err.source, src) == 0, "source %s, expected %s\n", err.source, src);
	CHECK(at, err.line == line, "line %ld, expected %ld (%s)\n", err.line, line,
	    rw_error_str(&err, buf, sizeof(buf)));
	CHECK(at, strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"\n", err.msg, want);
	if (secret != NULL)
		CHECK(at, strstr(err.msg, secret) == NULL, "message \"%s\" shows the secret\n",
		    err.msg);
}

#define SECRET24 "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
#define SECRET64                                                                                   \
	"whsec_"                                                                                   \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+"     \
	"Pw=="

static const char full_conf[] =
    "# every section\n" /* 1 */
    "[daemon]\n" /* 2 */
    "state-directory = state\n" /* 3 */
    "rules = /usr/share/rw/rules\n" /* 4 */
    "rules-layer = /etc/rw/rules.d\n" /* 5 */
    "rules-layer = ./local-rules\n" /* 6 */
    "data = \"data dir\"\n" /* 7 */
    "cafile = ca.pem\n" /* 8 */
    "log-level = debug\n" /* 9 */
    "interval = 20m\n" /* 10 */
    "jitter = 25\n" /* 11 */
    "\n" /* 12 */
    "[limits]\n" /* 13 */
    "max-body = 8M\n" /* 14 */
    "fetch-timeout = 90\n" /* 15 */
    "connect-timeout = 10s\n" /* 16 */
    "max-redirects = 0\n" /* 17 */
    "per-host = 3\n" /* 18 */
    "max-transfers = 40\n" /* 19 */
    "feed-backoff-max = 2h\n" /* 20 */
    "retry-base = 5s\n" /* 21 */
    "retry-max = 30m\n" /* 22 */
    "dead-after = 2d\n" /* 23 */
    "retention = 30d\n" /* 24 */
    "state-max-size = 1G\n" /* 25 */
    "drain = 0\n" /* 26 */
    "\n" /* 27 */
    "[feed \"agency-one\"]\n" /* 28 */
    "url = https://jobs.agency-one.example/feed.rss?key=1\n" /* 29 */
    "agency = Agency One Ltd\n" /* 30 */
    "format = rss2\n" /* 31 */
    "interval = 1h\n" /* 32 */
    "header = Authorization: Bearer abc123\n" /* 33 */
    "  header = X-Api-Key: k\n" /* 34 */
    "client-cert = certs/client.pem\n" /* 35 */
    "client-key = /etc/rw/client.key\n" /* 36 */
    "\n" /* 37 */
    "[feed local.file_2]\n" /* 38 */
    "url = file:feeds/a feed.xml\n" /* 39 */
    "[feed abs]\n" /* 40 */
    "url = file:///srv/feeds/x.xml\n" /* 41 */
    "\n" /* 42 */
    "[sink log]\n" /* 43 */
    "type = jsonl\n" /* 44 */
    "path = alerts.jsonl\n" /* 45 */
    "[sink out]\n" /* 46 */
    "path = -\n" /* 47 */
    "type = text\n" /* 48 */
    "[sink j]\n" /* 49 */
    "type = journal\n" /* 50 */
    "[sink s]\n" /* 51 */
    "type = syslog\n" /* 52 */
    "[sink hook]\n" /* 53 */
    "type = webhook\n" /* 54 */
    "url = https://hooks.example/rw\n" /* 55 */
    "secret = " SECRET24 "\n" /* 56 */
    "header = X-Team: recruitment\n" /* 57 */
    "timeout = 45s\n" /* 58 */
    "[sink hook2]\n" /* 59 */
    "type = webhook\n" /* 60 */
    "url = http://127.0.0.1:8080/hook\n" /* 61 */
    "secret-file = hook.secret\n" /* 62 */
    "[sink mail]\n" /* 63 */
    "type = smtp\n" /* 64 */
    "url = smtps://mail.example.org:465\n" /* 65 */
    "from = rw@example.org\n" /* 66 */
    "to = a@example.org, b@example.org\n" /* 67 */
    "to = c@example.org\n" /* 68 */
    "username = rw\n" /* 69 */
    "password = \"p4ss word\"\n" /* 70 */
    "digest = 1d\n" /* 71 */
    "\n" /* 72 */
    "[subscription everything]\n" /* 73 */
    "sink = out\n" /* 74 */
    "[subscription regulator]\n" /* 75 */
    "; subscriptions may name a sink defined before or after them\n" /* 76 */
    "sink = hook\n" /* 77 */
    "min-severity = high\n" /* 78 */
    "categories = active-recruitment-ssl, worker-fees\n" /* 79 */
    "agencies = Agency One Ltd,Atlas Medical\n" /* 80 */
    "destinations = gb, IE\n" /* 81 */
    "sources = NG,gh,Zw\n"; /* 82 */

static void
test_full(void)
{
	struct rw_error err;
	struct config *c;
	char want[PBUF];
	const struct cfg_feed *f;
	const struct cfg_sink *s;
	const struct cfg_sub *u;

	fresh_dir();
	write_file("hook.secret", SECRET64 "\nsecond line ignored\n", 0640);
	c = load_text(full_conf, &err);
	if (c == NULL)
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);

	snprintf(want, sizeof(want), "%s/state", tmpdir);
	STR_EQ(c->state_dir, want);
	STR_EQ(c->rules, "/usr/share/rw/rules");
	CU_ASSERT_EQUAL_FATAL(c->nrules_layers, 2);
	STR_EQ(c->rules_layers[0], "/etc/rw/rules.d");
	snprintf(want, sizeof(want), "%s/local-rules", tmpdir);
	STR_EQ(c->rules_layers[1], want);
	snprintf(want, sizeof(want), "%s/data dir", tmpdir);
	STR_EQ(c->data_dir, want);
	snprintf(want, sizeof(want), "%s/ca.pem", tmpdir);
	STR_EQ(c->cafile, want);
	CU_ASSERT_PTR_NULL(c->opml);
	CU_ASSERT_EQUAL(c->log_level, LOG_LVL_DEBUG);
	CU_ASSERT_EQUAL(c->interval_s, 1200);
	CU_ASSERT_EQUAL(c->jitter_pct, 25);

	CU_ASSERT_EQUAL(c->max_body, 8 * 1024 * 1024);
	CU_ASSERT_EQUAL(c->fetch_timeout_s, 90);
	CU_ASSERT_EQUAL(c->connect_timeout_s, 10);
	CU_ASSERT_EQUAL(c->max_redirects, 0);
	CU_ASSERT_EQUAL(c->per_host, 3);
	CU_ASSERT_EQUAL(c->max_transfers, 40);
	CU_ASSERT_EQUAL(c->backoff_max_s, 7200);
	CU_ASSERT_EQUAL(c->retry_base_s, 5);
	CU_ASSERT_EQUAL(c->retry_max_s, 1800);
	CU_ASSERT_EQUAL(c->dead_after_s, 172800);
	CU_ASSERT_EQUAL(c->retention_s, 2592000);
	CU_ASSERT_EQUAL(c->state_max_bytes, 1073741824);
	CU_ASSERT_EQUAL(c->drain_s, 0);

	CU_ASSERT_EQUAL_FATAL(c->nfeeds, 3);
	f = &c->feeds[0];
	STR_EQ(f->name, "agency-one");
	STR_EQ(f->url, "https://jobs.agency-one.example/feed.rss?key=1");
	STR_EQ(f->agency, "Agency One Ltd");
	CU_ASSERT_EQUAL(f->format, FMT_RSS2);
	CU_ASSERT_EQUAL(f->interval_s, 3600);
	CU_ASSERT_EQUAL_FATAL(f->nheaders, 2);
	STR_EQ(f->headers[0], "Authorization: Bearer abc123");
	STR_EQ(f->headers[1], "X-Api-Key: k"); /* indented: still a key of its own */
	snprintf(want, sizeof(want), "%s/certs/client.pem", tmpdir);
	STR_EQ(f->client_cert, want);
	STR_EQ(f->client_key, "/etc/rw/client.key");
	CU_ASSERT_EQUAL(f->line, 28);
	snprintf(want, sizeof(want), "%s/recruitwatchd.conf", tmpdir);
	STR_EQ(f->file, want);
	f = &c->feeds[1];
	STR_EQ(f->name, "local.file_2");
	snprintf(want, sizeof(want), "file://%s/feeds/a%%20feed.xml", tmpdir);
	STR_EQ(f->url, want);
	CU_ASSERT_PTR_NULL(f->agency);
	CU_ASSERT_EQUAL(f->format, FMT_AUTO);
	CU_ASSERT_EQUAL(f->interval_s, 0);
	CU_ASSERT_EQUAL(f->nheaders, 0);
	CU_ASSERT_PTR_NULL(f->client_cert);
	CU_ASSERT_EQUAL(f->line, 38);
	STR_EQ(c->feeds[2].url, "file:///srv/feeds/x.xml");

	CU_ASSERT_EQUAL_FATAL(c->nsinks, 7);
	s = config_sink(c, "log");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->type, SINK_JSONL);
	snprintf(want, sizeof(want), "%s/alerts.jsonl", tmpdir);
	STR_EQ(s->path, want);
	CU_ASSERT_EQUAL(s->line, 43);
	s = config_sink(c, "out");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->type, SINK_TEXT);
	STR_EQ(s->path, "-");
	CU_ASSERT_EQUAL(config_sink(c, "j")->type, SINK_JOURNAL);
	CU_ASSERT_EQUAL(config_sink(c, "s")->type, SINK_SYSLOG);
	CU_ASSERT_PTR_NULL(config_sink(c, "nope"));
	s = config_sink(c, "hook");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->type, SINK_WEBHOOK);
	STR_EQ(s->url, "https://hooks.example/rw");
	STR_EQ(s->secret, SECRET24);
	CU_ASSERT_PTR_NULL(s->secret_file);
	CU_ASSERT_EQUAL_FATAL(s->nheaders, 1);
	STR_EQ(s->headers[0], "X-Team: recruitment");
	CU_ASSERT_EQUAL(s->timeout_s, 45);
	s = config_sink(c, "hook2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	STR_EQ(s->secret, SECRET64);
	snprintf(want, sizeof(want), "%s/hook.secret", tmpdir);
	STR_EQ(s->secret_file, want);
	CU_ASSERT_EQUAL(s->timeout_s, 0);
	s = config_sink(c, "mail");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->type, SINK_SMTP);
	STR_EQ(s->url, "smtps://mail.example.org:465");
	STR_EQ(s->from, "rw@example.org");
	CU_ASSERT_EQUAL_FATAL(s->nto, 3);
	STR_EQ(s->to[0], "a@example.org");
	STR_EQ(s->to[1], "b@example.org");
	STR_EQ(s->to[2], "c@example.org");
	STR_EQ(s->username, "rw");
	STR_EQ(s->password, "p4ss word");
	CU_ASSERT_EQUAL(s->digest_s, 86400);

	CU_ASSERT_EQUAL_FATAL(c->nsubs, 2);
	u = &c->subs[0];
	STR_EQ(u->name, "everything");
	STR_EQ(u->sink, "out");
	CU_ASSERT_EQUAL(u->filter.min, SEV_LOW);
	CU_ASSERT_EQUAL(u->filter.ncategories + u->filter.nagencies + u->filter.ndestinations +
		u->filter.nsources,
	    0);
	CU_ASSERT_EQUAL(u->line, 73);
	u = &c->subs[1];
	STR_EQ(u->sink, "hook");
	CU_ASSERT_EQUAL(u->filter.min, SEV_HIGH);
	CU_ASSERT_EQUAL_FATAL(u->filter.ncategories, 2);
	STR_EQ(u->filter.categories[0], "active-recruitment-ssl");
	STR_EQ(u->filter.categories[1], "worker-fees");
	CU_ASSERT_EQUAL_FATAL(u->filter.nagencies, 2);
	STR_EQ(u->filter.agencies[0], "Agency One Ltd");
	STR_EQ(u->filter.agencies[1], "Atlas Medical");
	CU_ASSERT_EQUAL_FATAL(u->filter.ndestinations, 2);
	STR_EQ(u->filter.destinations[0], "GB");
	STR_EQ(u->filter.destinations[1], "IE");
	CU_ASSERT_EQUAL_FATAL(u->filter.nsources, 3);
	STR_EQ(u->filter.sources[0], "NG");
	STR_EQ(u->filter.sources[1], "GH");
	STR_EQ(u->filter.sources[2], "ZW");
	config_free(c);
}

static void
test_defaults(void)
{
	struct rw_error err;
	struct config *c;

	fresh_dir();
	c = load_text("# nothing but a comment\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	STR_EQ(c->state_dir, "/var/lib/recruitwatch");
	CU_ASSERT_PTR_NULL(c->rules);
	CU_ASSERT_EQUAL(c->nrules_layers, 0);
	CU_ASSERT_PTR_NULL(c->data_dir);
	CU_ASSERT_PTR_NULL(c->cafile);
	CU_ASSERT_EQUAL(c->log_level, LOG_LVL_INFO);
	CU_ASSERT_EQUAL(c->interval_s, 900);
	CU_ASSERT_EQUAL(c->jitter_pct, 10);
	CU_ASSERT_EQUAL(c->max_body, 67108864);
	CU_ASSERT_EQUAL(c->fetch_timeout_s, 120);
	CU_ASSERT_EQUAL(c->connect_timeout_s, 30);
	CU_ASSERT_EQUAL(c->max_redirects, 5);
	CU_ASSERT_EQUAL(c->per_host, 2);
	CU_ASSERT_EQUAL(c->max_transfers, 16);
	CU_ASSERT_EQUAL(c->backoff_max_s, 21600);
	CU_ASSERT_EQUAL(c->retry_base_s, 10);
	CU_ASSERT_EQUAL(c->retry_max_s, 3600);
	CU_ASSERT_EQUAL(c->dead_after_s, 259200);
	CU_ASSERT_EQUAL(c->retention_s, 31536000);
	CU_ASSERT_EQUAL(c->state_max_bytes, 0);
	CU_ASSERT_EQUAL(c->drain_s, 10);
	CU_ASSERT_EQUAL(c->nfeeds + c->nsinks + c->nsubs, 0);
	config_free(c);
	config_free(NULL);
}

static void
test_errors(void)
{
	expect_error(
	    __LINE__, "[daemon]\ninterval = 5m\nbogus = 1\n", 3, "unknown key bogus", NULL);
	expect_error(
	    __LINE__, "[daemon]\ninterval = 5m\n\n[bogus]\n", 4, "unknown section [bogus]", NULL);
	expect_error(__LINE__, "[daemon]\n[deamon]\n", 2, "unknown section [deamon]", NULL);
	expect_error(__LINE__, "interval = 5m\n", 1, "outside any section", NULL);
	expect_error(__LINE__, "[daemon\n", 1, "no closing ']'", NULL);
	expect_error(__LINE__, "[daemon]\njust words\n", 2, "expected 'key = value'", NULL);
	expect_error(__LINE__, "[limits]\n# c\nretry-base = 10x\n", 3, "bad duration '10x'", NULL);
	expect_error(__LINE__, "[limits]\ndrain = -5s\n", 2, "bad duration", NULL);
	expect_error(__LINE__, "[daemon]\ninterval = 0\n", 2, "interval must be", NULL);
	expect_error(__LINE__, "[limits]\n\nmax-body = 12T\n", 3, "bad size '12T'", NULL);
	expect_error(__LINE__, "[limits]\nmax-body = 0\n", 2, "max-body must be at least", NULL);
	expect_error(__LINE__, "[daemon]\njitter = 51\n", 2, "jitter must be a number", NULL);
	expect_error(__LINE__, "[limits]\nmax-redirects = 21\n", 2, "max-redirects", NULL);
	expect_error(__LINE__, "[daemon]\nlog-level = loud\n", 2, "log-level must be", NULL);
	expect_error(__LINE__, "[limits]\nretry-base = 2h\nretry-max = 1h\n", 1,
	    "retry-base (7200s) is longer than retry-max (3600s)", NULL);
	/* A subscription naming a sink that is not there: reported at the subscription. */
	expect_error(__LINE__,
	    "[sink out]\ntype = text\npath = -\n\n[subscription s]\nmin-severity = high\n"
	    "sink = outt\n",
	    5, "names sink outt", NULL);
	expect_error(__LINE__, "[subscription s]\nmin-severity = high\n", 1, "has no sink", NULL);
	expect_error(__LINE__,
	    "[sink out]\ntype = text\npath = -\n[subscription s]\nsink = out\n"
	    "categories = worker-fees, visa-fraud\n",
	    6, "unknown category 'visa-fraud'", NULL);
	expect_error(__LINE__,
	    "[sink out]\ntype = text\npath = -\n[subscription s]\nsink = out\n"
	    "destinations = GB, GBR\n",
	    6, "'GBR' in destinations is not an ISO 3166-1 alpha-2", NULL);
	expect_error(__LINE__,
	    "[sink out]\ntype = text\npath = -\n[subscription s]\nsink = out\nsources = N1\n", 6,
	    "'N1' in sources", NULL);
	expect_error(__LINE__,
	    "[sink out]\ntype = text\npath = -\n[subscription s]\nsink = out\n"
	    "min-severity = severe\n",
	    6, "min-severity must be", NULL);
	/* Webhooks must be signed. */
	expect_error(__LINE__, "[sink w]\ntype = webhook\nurl = https://h.example/\n", 1,
	    "webhook alerts must be signed", NULL);
	expect_error(__LINE__,
	    "[sink w]\ntype = webhook\nurl = https://h.example/\nsecret = hunter2hunter2\n", 4,
	    "secret in [sink w] is not", "hunter2");
	expect_error(__LINE__,
	    "[sink w]\ntype = webhook\nurl = https://h.example/\n"
	    "secret = whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=\n",
	    4, "24 to 64 bytes", "AAEC");
	expect_error(__LINE__,
	    "[sink w]\ntype = webhook\nurl = https://h.example/\nsecret = whsec_AAECAwQFBgcICQoLDA0"
	    "ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=\n",
	    4, "24 to 64 bytes", "AAEC");
	expect_error(__LINE__,
	    "[sink w]\ntype = webhook\nurl = https://h.example/\n"
	    "secret = whsec_AAEC=AwQFBgcICQoLDA0ODxAREhMUFRYX\n",
	    4, "secret in [sink w]", "AAEC");
	expect_error(__LINE__,
	    "[sink w]\ntype = webhook\nurl = https://h.example/\nsecret = " SECRET24 "\n"
	    "secret-file = x\n",
	    5, "x in [sink w]: No such file or directory", NULL);
	expect_error(__LINE__,
	    "[sink w]\ntype = webhook\nurl = ftp://h.example/\nsecret = " SECRET24 "\n", 3,
	    "must be http or https, not ftp", NULL);
	expect_error(__LINE__, "[sink m]\ntype = smtp\nurl = https://mail.example/\n", 3,
	    "must be smtp or smtps, not https", NULL);
	expect_error(__LINE__, "[sink t]\ntype = text\n", 1, "has no path", NULL);
	expect_error(__LINE__, "[sink t]\ntype = jsonl\npath = a\nurl = http://x.example/\n", 4,
	    "url does not apply to [sink t] of type jsonl", NULL);
	expect_error(__LINE__, "[sink t]\ntype = telegram\n", 2, "type of [sink t] must be", NULL);
	expect_error(__LINE__, "[sink t]\npath = -\n", 1, "[sink t] has no type", NULL);
	expect_error(__LINE__,
	    "[sink m]\ntype = smtp\nurl = smtp://mail.example\nfrom = a@b.example\n", 1,
	    "[sink m] has no to", NULL);
	/* Feed URLs: http, https and file only; file URLs must be absolute. */
	expect_error(__LINE__, "[feed f]\nurl = ftp://ftp.example/jobs.xml\n", 2,
	    "url in [feed f] must be http, https or file, not ftp", NULL);
	expect_error(__LINE__, "[feed f]\nurl = file://feeds/jobs.xml\n", 2,
	    "url in [feed f] is not a valid URL", NULL);
	expect_error(
	    __LINE__, "[feed f]\nurl = jobs.example/feed\n", 2, "is not a valid URL", NULL);
	expect_error(__LINE__, "[feed f]\nagency = A\n", 1, "[feed f] has no url", NULL);
	expect_error(__LINE__, "[feed f]\nurl = https://a.example/\nformat = yaml\n", 3,
	    "unknown format 'yaml'", NULL);
	expect_error(__LINE__, "[feed f]\nurl = https://a.example/\nclient-cert = c.pem\n", 1,
	    "both client-cert and client-key", NULL);
	/* A header value is a secret: the message says what is wrong without it. */
	expect_error(__LINE__,
	    "[feed f]\nurl = https://a.example/\nheader = Authorization Bearer s3cr3t\n", 3,
	    "header in [feed f] is not 'Name: value'", "s3cr3t");
	expect_error(
	    __LINE__, "[feed]\nurl = https://a.example/\n", 1, "[feed] needs a name", NULL);
	expect_error(__LINE__, "[feed a/b]\nurl = https://a.example/\n", 1, "bad name", NULL);
	expect_error(__LINE__, "[daemon x]\n", 1, "[daemon] takes no name", NULL);
	expect_error(__LINE__,
	    "[feed a]\nurl = https://a.example/\n\n[feed b]\nurl = https://b.example/\n"
	    "[feed a]\nurl = https://c.example/\n",
	    6, "duplicate [feed a] (first at line 1)", NULL);
	expect_error(__LINE__,
	    "[feed a]\nurl = https://a.example/\n[feed a]\nurl = https://a.example/\n", 3,
	    "duplicate [feed a]", NULL);
	expect_error(__LINE__, "[daemon]\ninterval = 1m\n[limits]\n[daemon]\n", 4,
	    "[daemon] given twice (first at line 1)", NULL);
	expect_error(__LINE__, "[feed a]\nurl = https://a.example/\nagency = A\nagency = B\n", 4,
	    "key agency given twice", NULL);
	expect_error(__LINE__, "[daemon]\ninterval = 1m\n# typo\ninterval = 2m\n", 4,
	    "key interval given twice in this section (first at line 2)", NULL);
	expect_error(__LINE__, "[daemon]\nrules =\n", 2, "rules has no value", NULL);
	/* The first error is the one reported. */
	expect_error(__LINE__, "[daemon]\nfoo = 1\nbar = 2\n", 2, "unknown key foo", NULL);
}

static void
test_secret_file(void)
{
	struct rw_error err;
	struct config *c;
	static const char conf[] = "[sink w]\n"
				   "type = webhook\n"
				   "url = https://h.example/\n"
				   "secret-file = ../w.secret\n";
	char dir[PBUF], path[PBUF + 32];

	/* Relative to the config file's directory, not the working directory. */
	fresh_dir();
	write_file("w.secret", SECRET24 "\n", 0640);
	snprintf(dir, sizeof(dir), "%s/etc", tmpdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	write_file("etc/recruitwatchd.conf", conf, 0640);
	snprintf(path, sizeof(path), "%s/recruitwatchd.conf", dir);
	c = config_load(path, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	STR_EQ(c->sinks[0].secret, SECRET24);
	config_free(c);

	/* Readable by every user: refused, at the key's line. */
	write_file("w.secret", SECRET24 "\n", 0644);
	c = config_load(path, &err);
	CU_ASSERT_PTR_NULL(c);
	config_free(c);
	CU_ASSERT_EQUAL(err.line, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "readable by every user"));
	CU_ASSERT_PTR_NULL(strstr(err.msg, "AAEC"));

	/* Not a secret. */
	write_file("w.secret", "password\n", 0600);
	c = config_load(path, &err);
	CU_ASSERT_PTR_NULL(c);
	config_free(c);
	CU_ASSERT_EQUAL(err.line, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not hold"));
	CU_ASSERT_PTR_NULL(strstr(err.msg, "password"));
}

static void
test_cannot_open(void)
{
	struct rw_error err;
	struct config *c;

	c = config_load("/nonexistent/recruitwatchd.conf", &err);
	CU_ASSERT_PTR_NULL(c);
	STR_EQ(err.source, "/nonexistent/recruitwatchd.conf");
	CU_ASSERT_EQUAL(err.line, 0);
	STR_EQ(err.msg, "cannot open: No such file or directory");
}

/* libinih reads at most 199 characters a line; a longer value (a JWT) must still work. */
static void
test_long_line(void)
{
	struct rw_error err;
	struct config *c;
	char conf[1200], token[601];

	memset(token, 'x', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	fresh_dir();
	snprintf(conf, sizeof(conf),
	    "[feed f]\nurl = https://a.example/\nheader = Authorization: Bearer %s ; comment\n"
	    "agency = A\n",
	    token);
	c = load_text(conf, &err);
	if (c == NULL)
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->feeds[0].nheaders, 1);
	CU_ASSERT_EQUAL(strlen(c->feeds[0].headers[0]), strlen("Authorization: Bearer ") + 600);
	CU_ASSERT_EQUAL(strncmp(c->feeds[0].headers[0], "Authorization: Bearer xxx", 25), 0);
	STR_EQ(c->feeds[0].agency, "A");
	config_free(c);

	snprintf(conf, sizeof(conf), "[feed f]\nurl = https://a.example/\n\nbogus = %s\n", token);
	expect_error(__LINE__, conf, 4, "unknown key bogus", NULL);
}

struct dur_case {
	const char *text;
	int64_t want;
};

static void
test_durations_sizes(void)
{
	static const struct dur_case durs[] = {{"0", 0}, {"45", 45}, {"30s", 30}, {"15m", 900},
	    {"2h", 7200}, {"3d", 259200}, {"365d", 31536000}, {"1h30m", -1}, {"-5", -1},
	    {"-5s", -1}, {"+5", -1}, {" 5", -1}, {"5 ", -1}, {"5 m", -1}, {"", -1}, {"m", -1},
	    {"10x", -1}, {"10M", -1}, {"10ms", -1}, {"1.5h", -1},
	    {"9223372036854775807", INT64_MAX}, {"9223372036854775808", -1},
	    {"106751991167301d", -1}, {"106751991167300d", INT64_C(9223372036854720000)},
	    {NULL, 0}};
	static const struct dur_case sizes[] = {{"0", 0}, {"512", 512}, {"64K", 65536},
	    {"64k", 65536}, {"64M", 67108864}, {"1G", 1073741824}, {"3G", INT64_C(3221225472)},
	    {"1T", -1}, {"1KB", -1}, {"-1", -1}, {"1.5M", -1}, {"", -1}, {"K", -1},
	    {"8589934592G", -1}, {"8589934591G", INT64_C(9223372035781033984)}, {NULL, 0}};
	const struct dur_case *d;

	for (d = durs; d->text != NULL; d++)
		CHECK(__LINE__, config_parse_duration(d->text) == d->want,
		    "duration \"%s\": %lld, expected %lld\n", d->text,
		    (long long)config_parse_duration(d->text), (long long)d->want);
	CU_ASSERT_EQUAL(config_parse_duration(NULL), -1);
	for (d = sizes; d->text != NULL; d++)
		CHECK(__LINE__, config_parse_size(d->text) == d->want,
		    "size \"%s\": %lld, expected %lld\n", d->text,
		    (long long)config_parse_size(d->text), (long long)d->want);
}

static const char nested_opml[] =
    "<?xml version=\"1.0\"?>\n" /* 1 */
    "<opml version=\"1.0\">\n" /* 2 */
    "<head><title>t</title></head>\n" /* 3 */
    "<body>\n" /* 4 */
    "<outline text=\"UK agencies\">\n" /* 5 */
    "  <outline text=\"Harbour Line: Health &amp; Care!\" xmlUrl=\"https://h.example/rss\"/>\n" /* 6 */
    "  <outline text=\"Nested\">\n" /* 7 */
    "    <outline title=\"Indeed UK\" xmlUrl=\"https://i.example/1\"\n" /* 8 */
    "             recruitwatchFormat=\"jobxml\" recruitwatchInterval=\"2h\"/>\n" /* 9 */
    "  </outline>\n" /* 10 */
    "</outline>\n" /* 11 */
    "<outline text=\"Indeed UK\" title=\"Indeed (UK)\" xmlUrl=\"file:feeds/i.xml\"/>\n" /* 12 */
    "<outline text=\"indeed uk\" xmlUrl=\"https://i.example/3\"/>\n" /* 13 */
    "<outline text=\"Ünïcode Agency\" xmlUrl=\"https://u.example/\"/>\n" /* 14 */
    "<outline text=\"x\" recruitwatchName=\"My.Feed_1\" xmlUrl=\"https://m.example/\"/>\n" /* 15 */
    "<outline text=\"no url, not a feed\"/>\n" /* 16 */
    "</body>\n"
    "</opml>\n";

static void
test_opml_nested(void)
{
	struct rw_error err;
	struct config *c;
	const struct cfg_feed *f;
	char want[PBUF];

	fresh_dir();
	write_file("feeds.opml", nested_opml, 0644);
	c = load_text(
	    "[daemon]\nopml = feeds.opml\n\n[feed mine]\nurl = https://mine.example/\n", &err);
	if (c == NULL)
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(want, sizeof(want), "%s/feeds.opml", tmpdir);
	STR_EQ(c->opml, want);
	CU_ASSERT_EQUAL_FATAL(c->nfeeds, 7);
	STR_EQ(c->feeds[0].name, "mine");
	f = &c->feeds[1];
	STR_EQ(f->name, "harbour-line-health-care");
	STR_EQ(f->url, "https://h.example/rss");
	STR_EQ(f->agency, "Harbour Line: Health & Care!");
	STR_EQ(f->file, want);
	CU_ASSERT_EQUAL(f->line, 6);
	CU_ASSERT_EQUAL(f->format, FMT_AUTO);
	CU_ASSERT_EQUAL(f->interval_s, 0);
	f = &c->feeds[2];
	STR_EQ(f->name, "indeed-uk");
	STR_EQ(f->agency, "Indeed UK");
	CU_ASSERT_EQUAL(f->format, FMT_JOBXML);
	CU_ASSERT_EQUAL(f->interval_s, 7200);
	CU_ASSERT_EQUAL(
	    f->line, 9); /* libxml2 numbers an element by the line its start tag ends on */
	f = &c->feeds[3];
	STR_EQ(f->name, "indeed-uk-2");
	STR_EQ(f->agency, "Indeed (UK)"); /* the title before the text */
	snprintf(want, sizeof(want), "file://%s/feeds/i.xml", tmpdir);
	STR_EQ(f->url, want);
	CU_ASSERT_EQUAL(f->line, 12);
	STR_EQ(c->feeds[4].name, "indeed-uk-3");
	STR_EQ(c->feeds[5].name, "n-code-agency");
	STR_EQ(c->feeds[6].name, "My.Feed_1");
	CU_ASSERT_EQUAL(c->feeds[6].line, 15);
	config_free(c);
}

static void
expect_opml_error(int at, const char *opml, long line, const char *want)
{
	struct rw_error err;
	struct config *c;
	char src[PBUF];

	fresh_dir();
	write_file("list.opml", opml, 0644);
	c = load_text(
	    "[daemon]\nopml = list.opml\n\n[feed harbourline]\nurl = https://h.example/\n", &err);
	CHECK(at, c == NULL, "config loaded, expected an OPML error\n");
	config_free(c);
	snprintf(src, sizeof(src), "%s/list.opml", tmpdir);
	CHECK(at, strcmp(err.source, src) == 0, "source %s, expected %s\n", err.source, src);
	CHECK(at, err.line == line, "line %ld, expected %ld (%s)\n", err.line, line, err.msg);
	CHECK(at, strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"\n", err.msg, want);
}

static void
test_opml_errors(void)
{
	/* A name the configuration already has, by slug or given: both places named. */
	expect_opml_error(__LINE__,
	    "<opml version=\"2.0\"><body>\n<outline text=\"A\" xmlUrl=\"https://a.example/\"/>\n"
	    "<outline text=\"Harbourline\" xmlUrl=\"https://h.example/2\"/>\n</body></opml>\n",
	    3, "feed harbourline is already defined at /");
	expect_opml_error(__LINE__,
	    "<opml version=\"2.0\"><body>\n\n<outline text=\"x\" recruitwatchName=\"harbourline\" "
	    "xmlUrl=\"https://h.example/2\"/>\n</body></opml>\n",
	    3, "/recruitwatchd.conf:4");
	expect_opml_error(__LINE__,
	    "<opml version=\"2.0\"><body>\n<outline recruitwatchName=\"a\" "
	    "xmlUrl=\"https://a/\"/>\n"
	    "<outline recruitwatchName=\"a\" xmlUrl=\"https://b/\"/>\n</body></opml>\n",
	    3, "feed a is already defined at line 2");
	/* Malformed: the line libxml2 stopped at. */
	expect_opml_error(__LINE__,
	    "<?xml version=\"1.0\"?>\n<opml version=\"2.0\">\n<body>\n"
	    "<outline text=\"a\" xmlUrl=\"https://a.example/\">\n</body>\n</opml>\n",
	    5, "not well-formed XML");
	/* Entity declarations are refused, whether used or not. */
	expect_opml_error(__LINE__,
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n<!ENTITY a \"aaaaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n<opml version=\"2.0\"><body>\n"
	    "<outline text=\"&b;\" xmlUrl=\"https://a.example/\"/>\n</body></opml>\n",
	    3, "entity declarations are not allowed");
	expect_opml_error(__LINE__,
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n\n<!ENTITY % p \"x\">\n]>\n"
	    "<opml version=\"2.0\"><body/></opml>\n",
	    4, "entity declarations are not allowed");
	expect_opml_error(
	    __LINE__, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"/>\n", 2, "not an OPML file");
	expect_opml_error(__LINE__,
	    "<opml><body>\n<outline text=\"f\" xmlUrl=\"ftp://f.example/x\"/>\n</body></opml>\n", 2,
	    "xmlUrl of feed f must be http, https or file, not ftp");
	expect_opml_error(__LINE__,
	    "<opml><body>\n<outline text=\"f\" xmlUrl=\"https://f/\" recruitwatchFormat=\"csv\"/>\n"
	    "</body></opml>\n",
	    2, "unknown recruitwatchFormat 'csv'");
	expect_opml_error(__LINE__,
	    "<opml><body>\n\n<outline text=\"f\" xmlUrl=\"https://f/\" "
	    "recruitwatchInterval=\"soon\"/>\n</body></opml>\n",
	    3, "bad recruitwatchInterval 'soon'");
	expect_opml_error(__LINE__,
	    "<opml><body>\n<outline recruitwatchName=\"a b\" xmlUrl=\"https://f/\"/>\n"
	    "</body></opml>\n",
	    2, "bad recruitwatchName 'a b'");
}

/* The file the demo runs with loads, and its feeds point at the bundled sample feeds. */
static void
test_example(void)
{
	static const char *const names[] = {"harbourline", "indeed", "atlas", "contracts"};
	static const char *const files[] = {
	    "harbourline-rss.xml", "indeed-jobs.xml", "atlas-careers.json", "contracts.xml"};
	struct rw_error err;
	struct config *c;
	const struct cfg_sink *s;
	char dir[PATH_MAX], want[PBUF];
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(EXAMPLES, dir));
	c = config_load(EXAMPLES "/recruitwatchd.conf", &err);
	if (c == NULL)
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(want, sizeof(want), "%s/demo-state", dir);
	STR_EQ(c->state_dir, want);
	CU_ASSERT_EQUAL(c->interval_s, 30);
	CU_ASSERT_PTR_NULL(c->opml);
	CU_ASSERT_PTR_NULL(c->rules);
	CU_ASSERT_EQUAL_FATAL(c->nfeeds, 4);
	for (i = 0; i < 4; i++) {
		STR_EQ(c->feeds[i].name, names[i]);
		snprintf(want, sizeof(want), "file://%s/feeds/%s", dir, files[i]);
		STR_EQ(c->feeds[i].url, want);
		snprintf(want, sizeof(want), "%s/feeds/%s", dir, files[i]);
		CU_ASSERT_EQUAL(access(want, R_OK), 0);
	}
	STR_EQ(c->feeds[0].agency, "Harbourline Health Recruitment");
	CU_ASSERT_EQUAL_FATAL(c->nsinks, 1);
	s = config_sink(c, "terminal");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->type, SINK_TEXT);
	STR_EQ(s->path, "-");
	CU_ASSERT_EQUAL_FATAL(c->nsubs, 1);
	STR_EQ(c->subs[0].name, "everything");
	STR_EQ(c->subs[0].sink, "terminal");
	CU_ASSERT_EQUAL(c->subs[0].filter.min, SEV_MEDIUM);
	config_free(c);
}

/* feeds.opml lists the same four feeds as the example's [feed] sections. */
static void
test_example_opml(void)
{
	static const char *const names[] = {"harbourline", "indeed", "atlas", "contracts"};
	struct rw_error err;
	struct config *c;
	char dir[PATH_MAX], conf[PBUF], want[PBUF];
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(EXAMPLES, dir));
	fresh_dir();
	snprintf(conf, sizeof(conf), "[daemon]\nopml = %s/feeds.opml\n", dir);
	c = load_text(conf, &err);
	if (c == NULL)
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->nfeeds, 4);
	for (i = 0; i < 4; i++) {
		STR_EQ(c->feeds[i].name, names[i]);
		CU_ASSERT_EQUAL(c->feeds[i].interval_s, 30);
	}
	snprintf(want, sizeof(want), "file://%s/feeds/contracts.xml", dir);
	STR_EQ(c->feeds[3].url, want);
	CU_ASSERT_EQUAL(c->feeds[3].format, FMT_CONTRACT);
	config_free(c);
}

static void
test_api(void)
{
	static const char conf[] = "[api]\n" /* 1 */
				   "listen = 127.0.0.1:8443\n" /* 2 */
				   "listen = [::1]:8443\n" /* 3 */
				   "tls-cert = certs/server.crt\n" /* 4 */
				   "tls-key = /etc/rw/server.key\n" /* 5 */
				   "client-ca = certs/ca.crt\n" /* 6 */
				   "client-role = regulator-client regulator\n" /* 7 */
				   "client-role = ops admin\n" /* 8 */
				   "max-body = 1M\n" /* 9 */
				   "max-header-size = 8K\n" /* 10 */
				   "request-timeout = 1m\n" /* 11 */
				   "max-connections = 10\n"; /* 12 */
	struct rw_error err;
	struct config *c;
	char want[PBUF], host[64];
	int port = 0;

	fresh_dir();
	c = load_text(conf, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->api.line, 1);
	CU_ASSERT_EQUAL_FATAL(c->api.nlisten, 2);
	STR_EQ(c->api.listen[0], "127.0.0.1:8443");
	STR_EQ(c->api.listen[1], "[::1]:8443");
	snprintf(want, sizeof(want), "%s/certs/server.crt", tmpdir);
	STR_EQ(c->api.tls_cert, want);
	STR_EQ(c->api.tls_key, "/etc/rw/server.key");
	snprintf(want, sizeof(want), "%s/certs/ca.crt", tmpdir);
	STR_EQ(c->api.client_ca, want);
	CU_ASSERT_EQUAL_FATAL(c->api.nroles, 2);
	STR_EQ(c->api.roles[0].cn, "regulator-client");
	CU_ASSERT_EQUAL(c->api.roles[0].role, 2);
	STR_EQ(c->api.roles[1].cn, "ops");
	CU_ASSERT_EQUAL(c->api.roles[1].role, 8);
	CU_ASSERT_EQUAL(c->api.plain_http, 0);
	CU_ASSERT_EQUAL(c->api.max_body, 1048576);
	CU_ASSERT_EQUAL(c->api.max_header_size, 8192);
	CU_ASSERT_EQUAL(c->api.request_timeout_s, 60);
	CU_ASSERT_EQUAL(c->api.max_connections, 10);
	STR_EQ(c->api.public_url, "https://127.0.0.1:8443");
	config_free(c);

	/* Defaults, and the API off without [api]. */
	c = load_text("[api]\nlisten = 127.0.0.2:80\nplain-http = yes\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->api.plain_http, 1);
	CU_ASSERT_EQUAL(c->api.max_body, 4194304);
	CU_ASSERT_EQUAL(c->api.max_header_size, 16384);
	CU_ASSERT_EQUAL(c->api.request_timeout_s, 30);
	CU_ASSERT_EQUAL(c->api.max_connections, 256);
	STR_EQ(c->api.public_url, "http://127.0.0.2:80");
	config_free(c);
	c = load_text("[daemon]\ninterval = 1m\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->api.nlisten, 0);
	CU_ASSERT_EQUAL(c->api.line, 0);
	config_free(c);
	c = load_text("[api]\nlisten = [::1]:8088\nplain-http = yes\npublic-url = "
		      "https://rw.example/\n",
	    &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	STR_EQ(c->api.public_url, "https://rw.example/");
	config_free(c);

	CU_ASSERT_EQUAL(config_split_listen("[::1]:8088", host, sizeof(host), &port), 0);
	STR_EQ(host, "::1");
	CU_ASSERT_EQUAL(port, 8088);
	CU_ASSERT_EQUAL(config_split_listen("0.0.0.0:443", host, sizeof(host), &port), 0);
	STR_EQ(host, "0.0.0.0");
	CU_ASSERT_EQUAL(port, 443);
	CU_ASSERT_EQUAL(config_split_listen("::1:8088", host, sizeof(host), &port), -1);
	CU_ASSERT_EQUAL(config_split_listen("localhost", host, sizeof(host), &port), -1);
	CU_ASSERT_EQUAL(config_split_listen("h:0", host, sizeof(host), &port), -1);
	CU_ASSERT_EQUAL(config_split_listen("h:65536", host, sizeof(host), &port), -1);
	CU_ASSERT_EQUAL(config_split_listen(":80", host, sizeof(host), &port), -1);

	expect_error(__LINE__, "[api]\nlisten = 127.0.0.1:8443\n", 1,
	    "[api] needs tls-cert and tls-key", NULL);
	expect_error(__LINE__, "[api]\nlisten = 127.0.0.1:8443\ntls-cert = a.crt\n", 1,
	    "[api] needs tls-cert and tls-key", NULL);
	expect_error(__LINE__, "[api]\nlisten = 0.0.0.0:8088\nplain-http = yes\n", 3,
	    "plain-http = yes is refused: listen address 0.0.0.0:8088 is not loopback", NULL);
	expect_error(__LINE__, "[api]\nlisten = 127.0.0.1:1\nplain-http = yes\nlisten = [::2]:2\n",
	    3, "[::2]:2 is not loopback", NULL);
	expect_error(__LINE__, "[api]\nlisten = localhost:8088\nplain-http = yes\n", 3,
	    "is not loopback", NULL);
	expect_error(__LINE__, "[api]\nlisten = 127.0.0.1\n", 2, "listen must be host:port", NULL);
	expect_error(__LINE__, "[api]\nlisten = 127.0.0.1:1\nplain-http = maybe\n", 3,
	    "plain-http must be yes or no", NULL);
	expect_error(__LINE__, "[api]\nclient-role = someone superuser\n", 2,
	    "client-role must be \"CN ROLE\"", NULL);
	expect_error(__LINE__, "[api]\nclient-role = regulator\n", 2,
	    "client-role must be \"CN ROLE\"", NULL);
	expect_error(__LINE__,
	    "[api]\nlisten = 127.0.0.1:1\ntls-cert = a\ntls-key = b\nclient-role = x admin\n", 5,
	    "client-role needs client-ca", NULL);
	expect_error(__LINE__, "[api]\nmax-connections = 0\n", 2,
	    "max-connections must be a number from 1", NULL);
	expect_error(__LINE__, "[api]\nrequest-timeout = soon\n", 2, "bad duration", NULL);
	expect_error(__LINE__, "[api]\npublic-url = ftp://x\n", 2,
	    "public-url must be an http or https URL", NULL);
	expect_error(__LINE__, "[api]\n[api]\n", 2, "[api] given twice", NULL);
	expect_error(__LINE__, "[api]\nbind = 1\n", 2, "unknown key bind in [api]", NULL);
}

static void
test_cleanup(void)
{
	char cmd[PBUF];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		CU_ASSERT_EQUAL(system(cmd), 0);
		tmpdir[0] = '\0';
	}
}

static const struct cu_test tests[] = {{"full configuration", test_full},
    {"defaults", test_defaults}, {"errors and their lines", test_errors},
    {"secret-file", test_secret_file}, {"cannot open", test_cannot_open},
    {"long lines", test_long_line}, {"durations and sizes", test_durations_sizes},
    {"OPML nested outlines", test_opml_nested}, {"OPML errors", test_opml_errors},
    {"example configuration", test_example}, {"example OPML", test_example_opml},
    {"[api]", test_api}, {"cleanup", test_cleanup}, {NULL, NULL}};

RW_CU_MAIN("config", tests)
