/* Building the rulebook for a command from the default directory and --rules layers. */
#include <stdint.h>
#include <stdio.h>

#include "cli_rules.h"

int
cli_rules_add(struct cli_rulebook *c, char *dir)
{
	if (c->ndirs >= sizeof(c->dirs) / sizeof(c->dirs[0]) - 1)
		return -1;
	c->dirs[c->ndirs++] = dir;
	return 0;
}

struct rulebook *
cli_rules_load(struct cli_rulebook *c)
{
	char *dirs[33], schema[4096], buf[1200];
	struct rw_error err;
	struct rulebook *rb;
	size_t n = 0, i;

	if (!c->no_default)
		dirs[n++] = (char *)(uintptr_t)rb_default_dir();
	for (i = 0; i < c->ndirs; i++)
		dirs[n++] = c->dirs[i];
	rb_default_schemadir(schema, sizeof(schema));
	rw_error_clear(&err);
	rb = rb_load(dirs, n, schema, &err);
	if (rb == NULL)
		fprintf(stderr, "%s\n", rw_error_str(&err, buf, sizeof(buf)));
	return rb;
}
