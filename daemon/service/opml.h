/* Feeds from an OPML 1.0/2.0 subscription list, as [daemon] opml names it: every outline with an
 * xmlUrl, nested ones too, becomes a feed of the configuration. */
#ifndef RW_OPML_H
#define RW_OPML_H

#include "config.h"
#include "err.h"

/* Appends the file's feeds to cfg->feeds. Names come from recruitwatchName, else the outline's
 * text or title made a slug ([a-z0-9-], "-2", "-3" added to keep them unique in the file); a
 * name the configuration already has is an error naming both places. 0, or -1 with err
 * "file:line: message". */
int opml_read(const char *path, struct config *cfg, struct rw_error *err);

#endif
