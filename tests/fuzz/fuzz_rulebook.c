/* libFuzzer target: arbitrary bytes as a local rule file layered over nothing: the loader
 * (RELAX NG, XPath compilation, patterns, templates) must refuse or accept, never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "rulebook.h"

static char dir[64];
static char file[128];
static char schema[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	snprintf(dir, sizeof(dir), "/tmp/rw-fuzz-rb-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(file, sizeof(file), "%s/rules.xml", dir);
	rb_default_schemadir(schema, sizeof(schema));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_error err;
	char *dirs[1] = {dir};
	FILE *f = fopen(file, "w");

	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	rb_free(rb_load(dirs, 1, schema, &err));
	return 0;
}
