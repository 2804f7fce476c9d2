/* tn_today.h — "today" for deadlines, reports and certificates, with the one test override. */
#ifndef TN_TODAY_H
#define TN_TODAY_H

#include <stddef.h>

#include "tn_err.h"

/*
 * The environment variable that fixes today, YYYY-MM-DD, for the client and
 * twonetd alike (twonet(7) ENVIRONMENT): tests check deadlines, reports and
 * calendars against a known date with it.  Unset or empty: the real date.
 */
#define TN_TODAY_ENV "TWONET_TODAY"

/*
 * Today's day number (tn_date_parse's): $TWONET_TODAY when it holds a real
 * date, else today in the local time zone (twonet runs on China time).
 * A malformed $TWONET_TODAY is ignored here; tn_today_get reports it.
 * Cannot fail.
 */
long tn_today(void);

/*
 * Today's day number in *day: `given` (YYYY-MM-DD, a command's --today)
 * when not NULL, else $TWONET_TODAY when set and not empty, else as
 * tn_today.  A bad date is TN_EUSAGE naming where it came from ("invalid
 * --today 'x' (YYYY-MM-DD)", "invalid TWONET_TODAY 'x' (YYYY-MM-DD)");
 * *day is then unchanged.
 */
enum tn_code tn_today_get(const char *given, long *day, struct tn_err *err);

/* tn_today() as YYYY-MM-DD into `buf` (at least 11 bytes). */
void tn_today_str(char *buf, size_t size);

/*
 * The real date in China (UTC+8) as YYYY-MM-DD into `buf` (at least 11
 * bytes), whatever the local time zone and $TWONET_TODAY say: the date an
 * e-certificate is issued on and checked against.
 */
void tn_today_china_str(char *buf, size_t size);

#endif
