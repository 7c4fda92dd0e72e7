/* Periods of time in free text ("24 months", "two years", "3-year", "third anniversary"). */
#ifndef RW_DURATION_H
#define RW_DURATION_H

#include <stddef.h>

#include "err.h"

struct duration {
	double months; /* weeks are converted at 12/52, days at 12/365 */
	size_t start, end; /* byte offsets of the mention in the scanned text */
};

struct dur_scanner;

struct dur_scanner *dur_scanner_new(struct rw_error *);
void dur_scanner_free(struct dur_scanner *);

typedef int (*dur_cb)(const struct duration *, void *arg);
int dur_scan(const struct dur_scanner *, const char *text, size_t len, dur_cb cb, void *arg);

#endif
