/* The rulebook a CLI command runs with: the default one, then each --rules layer. */
#ifndef RW_CLI_RULES_H
#define RW_CLI_RULES_H

#include <stddef.h>

#include "rulebook.h"

struct cli_rulebook {
	char *dirs[32];
	size_t ndirs;
	int no_default;
};

/* Adds a --rules DIR; -1 when there are too many. */
int cli_rules_add(struct cli_rulebook *, char *dir);
/* Loads the default rulebook (unless no_default) and the layers; prints the error. */
struct rulebook *cli_rules_load(struct cli_rulebook *);

#endif
