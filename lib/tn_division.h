/* tn_division.h — Shanghai's administrative divisions (GB/T 2260 codes): a district or street code to its names (share/twonet/divisions/shanghai.tsv). */
#ifndef TN_DIVISION_H
#define TN_DIVISION_H

#include "tn_alert.h"
#include "tn_err.h"

/* What a division code names. */
struct tn_division {
	const struct tn_district *district;     /* one of tn_districts */
	char street[10];        /* the street's or town's nine digits, "" for a district code */
	const char *street_name; /* its name, "" when not listed (or a district code); static */
};

/*
 * Look up a GB/T 2260 code (`code`, borrowed): six digits a district, nine a
 * street or town, twelve a statistical code of which the first nine are read (a code whose
 * digits 7-9 are 000, such as 310101000000, names the district).
 * TN_OK with *out filled; TN_EINVALID "'CODE' is not ..." when it is not
 * 6, 9 or 12 digits or its first six are not one of Shanghai's 16 districts.
 * A nine-digit code under a district that the shipped list does not hold is
 * accepted with street_name "" (the list may lag the newest changes).  The
 * list is read once per process from tn_sharedir()'s divisions/shanghai.tsv;
 * when it cannot be read every street_name is "" (tn_divisions_check says why).
 */
enum tn_code tn_division_find(const char *code, struct tn_division *out, struct tn_err *err);

/* The name of the street or town with these nine digits; NULL when not listed. */
const char *tn_division_street_name(const char *code9);

/*
 * Read the list at `path` (NULL: the shipped one) and check it: TN_OK, or
 * TN_EIO / TN_EINVALID "FILE:LINE: what" (a line that is not CODE TAB NAME TAB
 * PARENT, a code given twice, a street whose parent is not one of the 16
 * districts or does not begin its code).  *count (may be NULL) gets the
 * number of streets and towns.  A path given replaces the list in use.
 */
enum tn_code tn_divisions_check(const char *path, long *count, struct tn_err *err);

#endif
