/* The daemon's state file as CLI commands open it (feeds, tokens): --state DIR, else the
 * state-directory of the daemon's configuration. */
#ifndef RW_CLI_STATE_H
#define RW_CLI_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

/* statedir wins over cfgpath; create makes the directory first (tokens may be made before
 * the daemon ever ran). NULL with err naming the file. */
struct db *cli_state_open(
    const char *cfgpath, const char *statedir, int create, struct rw_error *err);
/* A Unix time as ISO 8601 UTC, or never when t is 0. */
const char *cli_when(int64_t t, const char *never, char *buf, size_t len);

#endif
