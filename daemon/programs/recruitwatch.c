/* recruitwatch: the command line over the core library: parse, check, rules, feeds, tokens. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} commands[] = {
    {"parse", cmd_parse, "parse [--format F] FILE|URL|-...            print canonical documents"},
    {"check", cmd_check,
	"check [--rules DIR]... [--format text|json] [--min-severity S] [--explain RULE] "
	"FILE|URL|-...\n"
	"                                               check documents against the rulebook"},
    {"rules", cmd_rules,
	"rules lint|test|list [DIR...]                validate, test or list the rulebook"},
    {"feeds", cmd_feeds,
	"feeds [-c CONFIG | --state DIR] [--format text|json]\n"
	"                                               each feed's health from the daemon's "
	"state"},
    {"tokens", cmd_tokens,
	"tokens add --role R [--name N] | list | revoke ID|NAME [-c CONFIG | --state DIR]\n"
	"                                               the HTTP API's bearer tokens"},
    {NULL, NULL, NULL},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: recruitwatch COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (i = 0; commands[i].name != NULL; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nrecruitwatch COMMAND --help for a command's options\n");
}

int
main(int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("recruitwatch 0.1.0\n");
		return CLI_EXIT_OK;
	}
	for (i = 0; commands[i].name != NULL; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			break;
	if (commands[i].name == NULL) {
		fprintf(stderr, "recruitwatch: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	xmlInitParser();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = commands[i].fn(argc - 1, argv + 1);
	curl_global_cleanup();
	xmlCleanupParser();
	return rc;
}
