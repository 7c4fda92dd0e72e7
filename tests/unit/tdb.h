/* Shared by the state suites: a real SQLite state file in a fresh /tmp directory, removed with
 * its WAL and shared-memory files afterwards. */
#ifndef RW_TDB_H
#define RW_TDB_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cu.h"
#include "db.h"

struct tdb {
	char dir[64];
	char path[128];
	struct db *db;
};

static inline void
tdb_open(struct tdb *t)
{
	struct rw_error err;

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/rw-state-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/state.db", t->dir);
	rw_error_clear(&err);
	t->db = db_open(t->path, &err);
	if (t->db == NULL)
		fprintf(stderr, "db_open: %s: %s\n", err.source, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->db);
}

static inline void
tdb_close(struct tdb *t)
{
	const char *suffix[] = {"", "-wal", "-shm"};
	char p[160];
	size_t i;

	db_close(t->db);
	t->db = NULL;
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

#endif
