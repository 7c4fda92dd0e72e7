/* systemd's notification protocol: ready, reloading, stopping, status and the watchdog. All
 * of it is a no-op when not started by systemd. */
#ifndef RW_NOTIFY_H
#define RW_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *status);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog interval systemd asked for in microseconds, 0 when none. */
uint64_t notify_watchdog_usec(void);
void notify_watchdog(void);

#endif
