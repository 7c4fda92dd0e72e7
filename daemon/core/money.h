/* Amounts of money in free text: symbols and ISO codes, separators, 'k', ranges, periods. */
#ifndef RW_MONEY_H
#define RW_MONEY_H

#include <stddef.h>

#include "err.h"

enum period { PERIOD_NONE, PERIOD_HOUR, PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_YEAR };

struct money {
	double amount; /* the amount, or the low end of a range */
	double max; /* the high end of a range; equals amount when there is no range */
	char currency[4]; /* ISO 4217 code, "" when no currency is stated */
	enum period period; /* PERIOD_NONE when no period is stated */
	size_t start, end; /* byte offsets of the whole mention in the scanned text */
};

struct money_scanner;

struct money_scanner *money_scanner_new(struct rw_error *);
void money_scanner_free(struct money_scanner *);

/* Calls cb for every amount of money in text, in order; cb returns non-zero to stop. */
typedef int (*money_cb)(const struct money *, void *arg);
int money_scan(const struct money_scanner *, const char *text, size_t len, money_cb cb, void *arg);

/* Reads a salary field ("£28,407 - £34,581 per annum", "45000", "$50K per year") whole;
 * 0 when an amount was found, -1 otherwise ("Competitive"). */
int money_parse(const struct money_scanner *, const char *text, struct money *out);

const char *period_name(enum period); /* "hour"…"year", NULL for PERIOD_NONE */
enum period period_from_name(
    const char *); /* "YEAR", "per annum", "monthly", …; PERIOD_NONE if unknown */

#endif
