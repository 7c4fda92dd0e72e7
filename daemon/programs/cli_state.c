/* Opening the daemon's state from the CLI, and the times it shows. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_state.h"
#include "config.h"

struct db *
cli_state_open(const char *cfgpath, const char *statedir, int create, struct rw_error *err)
{
	struct config *cfg = NULL;
	struct db *db = NULL;
	char path[4096];

	if (statedir == NULL) {
		if ((cfg = config_load(cfgpath, err)) == NULL)
			return NULL;
		statedir = cfg->state_dir;
	}
	if (create && mkdir(statedir, 0750) != 0 && errno != EEXIST)
		rw_error_set(
		    err, statedir, 0, 0, "cannot create state directory: %s", strerror(errno));
	else if ((size_t)snprintf(path, sizeof(path), "%s/state.db", statedir) >= sizeof(path))
		rw_error_set(err, statedir, 0, 0, "path too long");
	else
		db = db_open(path, err);
	config_free(cfg);
	return db;
}

const char *
cli_when(int64_t t, const char *never, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		return never;
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
