/* recruitwatch tokens: makes, lists and revokes the HTTP API's bearer tokens in the daemon's
 * state file. A new token is printed once; the state keeps only a salted hash of its secret. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "tokens.h"

static void
tokens_usage(FILE *f)
{
	fprintf(f,
	    "usage: recruitwatch tokens add --role ROLE [--name NAME] [-c CONFIG | --state "
	    "DIR]\n"
	    "       recruitwatch tokens list [-c CONFIG | --state DIR]\n"
	    "       recruitwatch tokens revoke ID|NAME [-c CONFIG | --state DIR]\n"
	    "roles: employer, regulator, union, admin\n");
}

static const char *
tokens_when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return "-";
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int
tokens_row_cb(const struct token_row *r, void *arg)
{
	char a[32], b[32], c[32];

	(void)arg;
	printf("%-16s  %-24s  %-9s  %-20s  %-20s  %s\n", r->id, r->name, r->role,
	    tokens_when(r->created, a, sizeof(a)), tokens_when(r->last_used, b, sizeof(b)),
	    tokens_when(r->revoked, c, sizeof(c)));
	return 0;
}

int
cmd_tokens(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	    {"state", required_argument, NULL, 's'}, {"role", required_argument, NULL, 'r'},
	    {"name", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *cfgpath = CONFIG_DEFAULT_PATH, *statedir = NULL, *role = NULL, *name = NULL;
	const char *verb;
	struct config *cfg = NULL;
	struct rw_error err;
	struct db *db = NULL;
	char path[4096], buf[1200], token[TOKENS_LEN];
	int ch, n, rc = CLI_EXIT_ERROR;

	rw_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 's':
			statedir = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			tokens_usage(stdout);
			return CLI_EXIT_OK;
		default:
			tokens_usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		tokens_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	verb = argv[optind++];
	if (!((strcmp(verb, "add") == 0 && optind == argc && role != NULL) ||
		(strcmp(verb, "list") == 0 && optind == argc && role == NULL && name == NULL) ||
		(strcmp(verb, "revoke") == 0 && optind + 1 == argc && role == NULL &&
		    name == NULL))) {
		tokens_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(verb, "add") == 0 && tokens_role_ok(role) != 0) {
		fprintf(stderr,
		    "recruitwatch tokens: unknown role '%s': use employer, regulator, union or "
		    "admin\n",
		    role);
		return CLI_EXIT_ERROR;
	}
	if (statedir == NULL) {
		if ((cfg = config_load(cfgpath, &err)) == NULL)
			goto fail;
		statedir = cfg->state_dir;
	}
	/* Tokens may be made before the daemon ever ran. */
	if (strcmp(verb, "add") == 0 && mkdir(statedir, 0750) != 0 && errno != EEXIST) {
		rw_error_set(
		    &err, statedir, 0, 0, "cannot create state directory: %s", strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/state.db", statedir);
	if ((db = db_open(path, &err)) == NULL)
		goto fail;
	if (strcmp(verb, "add") == 0) {
		if (tokens_add(db, name, role, token, sizeof(token), &err) != 0)
			goto fail;
		printf("%s\n", token);
		fflush(stdout);
		OPENSSL_cleanse(token, sizeof(token));
		rc = CLI_EXIT_OK;
	} else if (strcmp(verb, "list") == 0) {
		printf("%-16s  %-24s  %-9s  %-20s  %-20s  %s\n", "ID", "NAME", "ROLE", "CREATED",
		    "LAST USED", "REVOKED");
		if (tokens_list(db, tokens_row_cb, NULL, &err) != 0)
			goto fail;
		rc = CLI_EXIT_OK;
	} else {
		if ((n = tokens_revoke(db, argv[optind], time(NULL), &err)) < 0)
			goto fail;
		if (n == 0) {
			fprintf(stderr, "recruitwatch tokens: no valid token has id or name '%s'\n",
			    argv[optind]);
			goto out;
		}
		rc = CLI_EXIT_OK;
	}
	goto out;
fail:
	fprintf(stderr, "recruitwatch tokens: %s\n", rw_error_str(&err, buf, sizeof(buf)));
out:
	db_close(db);
	config_free(cfg);
	return rc;
}
