/* libFuzzer target: arbitrary bytes as recruitwatchd.conf (FUZZ_OPML: as the OPML feed list
 * it names); the loader must accept or refuse with file:line, never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "config.h"

static char dir[64];
static char file[128];
static char opml[128];
static char conf[128];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char wrapper[] = "[daemon]\nstate-directory = /tmp\nopml = feeds.opml\n";

	xmlInitParser();
	snprintf(dir, sizeof(dir), "/tmp/rw-fuzz-cfg-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(file, sizeof(file), "%s/recruitwatchd.conf", dir);
	snprintf(opml, sizeof(opml), "%s/feeds.opml", dir);
	snprintf(conf, sizeof(conf), "%s/wrapper.conf", dir);
	write_file(conf, wrapper, sizeof(wrapper) - 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_error err;
	struct config *c;

#ifdef FUZZ_OPML
	write_file(opml, data, size);
	c = config_load(conf, &err);
#else
	write_file(file, data, size);
	c = config_load(file, &err);
#endif
	config_free(c);
	return 0;
}
