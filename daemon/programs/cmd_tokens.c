/* recruitwatch tokens: makes, lists and revokes the HTTP API's bearer tokens in the daemon's
 * state file. A new token is printed once; the state keeps only a salted hash of its secret. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "cli_state.h"
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

static int
tokens_row_cb(const struct token_row *r, void *arg)
{
	char a[32], b[32], c[32];

	(void)arg;
	printf("%-16s  %-24s  %-9s  %-20s  %-20s  %s\n", r->id, r->name, r->role,
	    cli_when(r->created, "-", a, sizeof(a)), cli_when(r->last_used, "-", b, sizeof(b)),
	    cli_when(r->revoked, "-", c, sizeof(c)));
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
	struct rw_error err;
	struct db *db = NULL;
	char buf[1200], token[TOKENS_LEN];
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
	if ((db = cli_state_open(cfgpath, statedir, strcmp(verb, "add") == 0, &err)) == NULL)
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
	return rc;
}
