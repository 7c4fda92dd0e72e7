/* Schedules: a failing feed backs off exponentially up to its cap; a failing delivery is
 * retried with doubling delays and survives an hour-long outage well inside dead-after. */
#include "cu.h"
#include "deliver.h"
#include "poller.h"

static void
test_feed_delay(void)
{
	/* rnd 0.5 is "no jitter": the middle of the +-range. */
	CU_ASSERT_EQUAL(poller_next_delay(900, 0, 21600, 10, 0.5), 900);
	CU_ASSERT_EQUAL(poller_next_delay(900, 1, 21600, 10, 0.5), 900);
	CU_ASSERT_EQUAL(poller_next_delay(900, 2, 21600, 10, 0.5), 1800);
	CU_ASSERT_EQUAL(poller_next_delay(900, 4, 21600, 10, 0.5), 7200);
	CU_ASSERT_EQUAL(poller_next_delay(900, 6, 21600, 10, 0.5), 21600); /* capped */
	CU_ASSERT_EQUAL(poller_next_delay(900, 500, 21600, 10, 0.5), 21600); /* no overflow */
	/* Jitter: +-10 % at the ends of rnd's range. */
	CU_ASSERT_EQUAL(poller_next_delay(900, 0, 0, 10, 0.0), 810);
	CU_ASSERT(poller_next_delay(900, 0, 0, 10, 0.999999) >= 989);
	CU_ASSERT_EQUAL(poller_next_delay(1, 0, 0, 0, 0.5), 1);
	CU_ASSERT_EQUAL(poller_next_delay(0, 0, 0, 50, 0.0), 1); /* never below a second */
}

static void
test_retry_delay(void)
{
	int64_t t = 0;
	int attempts = 0;

	CU_ASSERT_EQUAL(dlv_retry_delay(1, 10, 3600, 0.5), 10);
	CU_ASSERT_EQUAL(dlv_retry_delay(2, 10, 3600, 0.5), 20);
	CU_ASSERT_EQUAL(dlv_retry_delay(5, 10, 3600, 0.5), 160);
	CU_ASSERT_EQUAL(dlv_retry_delay(9, 10, 3600, 0.5), 2560);
	CU_ASSERT_EQUAL(dlv_retry_delay(10, 10, 3600, 0.5), 3600);
	CU_ASSERT_EQUAL(dlv_retry_delay(1000, 10, 3600, 0.5), 3600);
	CU_ASSERT_EQUAL(dlv_retry_delay(1, 10, 3600, 0.0), 9);
	CU_ASSERT_EQUAL(dlv_retry_delay(1, 10, 3600, 0.999), 11);
	/* A subscriber down for an hour with the defaults (10 s doubling to 1 h): tried 9 times
	 * (10+20+...+2560 = 5110 s > 3600), next try within the following hour, and three days
	 * (dead-after) are far away, so nothing is dead-lettered. */
	while (t < 3600) {
		attempts++;
		t += dlv_retry_delay(attempts, 10, 3600, 0.5);
	}
	CU_ASSERT_EQUAL(attempts, 9);
	CU_ASSERT(t < 3600 + 3600);
	CU_ASSERT(t < 3 * 86400);
}

static const struct cu_test tests[] = {
    {"feed_delay", test_feed_delay}, {"retry_delay", test_retry_delay}, {NULL, NULL}};

RW_CU_MAIN("schedule", tests)
