/* tn_id.h — identifier checks: resident ID numbers (GB 11643-1999), unified social credit codes (GB 32100-2015). */
#ifndef TN_ID_H
#define TN_ID_H

#include "tn_err.h"

/*
 * Check an 18-character resident ID number: digits, region code not 000000,
 * a real birth date (YYYYMMDD, not in the future, year >= 1900), and the check
 * character (weights 2^(17-i) mod 11, "10X98765432").  Returns TN_OK or
 * TN_EINVALID with a message naming what is wrong ("check character is 'X',
 * expected '3'").
 */
enum tn_code tn_id_check_resident(const char *id, struct tn_err *err);

/*
 * Check an 18-character unified social credit code: the 31-character alphabet
 * "0123456789ABCDEFGHJKLMNPQRTUWXY", the registration authority and type codes
 * (position 1-2), the check character (position 18, weights 3^i mod 31) — all
 * hard errors.  Position 9-17 (the organisation code) carries its own GB 11714
 * check digit at position 17; a mismatch there sets *warning = 1 and a message
 * in `warn_msg` (size 256) but returns TN_OK.  warning/warn_msg may be NULL.
 */
enum tn_code tn_id_check_uscc(const char *code, int *warning, char *warn_msg,
			      struct tn_err *err);

/* Check a holder code: a resident ID (18 chars, digits or trailing X) or a USCC. */
enum tn_code tn_id_check_holder(const char *code, struct tn_err *err);

#endif
