/* id.c — resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tn_cal.h"
#include "tn_id.h"

#define USCC_ALPHABET "0123456789ABCDEFGHJKLMNPQRTUWXY"

/* GB 11643-1999: weights 2^(17-i) mod 11 for i = 1..17. */
static const int rid_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char rid_checks[] = "10X98765432";

/* GB 32100-2015: weights 3^(i-1) mod 31 for i = 1..17. */
static const int uscc_weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
};

/* GB 11714-1997: organisation code check weights over its first 8 characters. */
static const int org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* Province-level codes of GB/T 2260 (first two digits of a region code). */
static int valid_province(int p)
{
	static const int codes[] = {
		11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
		41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
		71, 81, 82, 83, 91
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == p)
			return 1;
	return 0;
}

static int isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* Printable form of a character for messages. */
static const char *shown(int c, char buf[8])
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", (unsigned char)c);
	return buf;
}

enum tn_code tn_id_check_resident(const char *id, struct tn_err *err)
{
	char date[11], cb[8];
	size_t len;
	long day;
	int sum = 0, year;

	if (!id)
		return tn_err_set(err, TN_EINVALID, "resident ID number is missing");
	len = strlen(id);
	if (len != 18)
		return tn_err_set(err, TN_EINVALID,
				  "resident ID number '%s' has %zu characters, expected 18", id, len);
	for (int i = 0; i < 17; i++)
		if (!isdig(id[i]))
			return tn_err_set(err, TN_EINVALID,
					  "resident ID number '%s': character %d is '%s', expected a digit",
					  id, i + 1, shown(id[i], cb));
	if (!isdig(id[17]) && id[17] != 'X') {
		if (id[17] == 'x')
			return tn_err_set(err, TN_EINVALID,
					  "resident ID number '%s': check character must be upper case 'X'",
					  id);
		return tn_err_set(err, TN_EINVALID,
				  "resident ID number '%s': character 18 is '%s', expected a digit or 'X'",
				  id, shown(id[17], cb));
	}
	if (!strncmp(id, "000000", 6) ||
	    !valid_province((id[0] - '0') * 10 + (id[1] - '0')))
		return tn_err_set(err, TN_EINVALID,
				  "resident ID number '%s': region code '%.6s' is not valid", id, id);

	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	year = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
	if (year < 1900 || tn_date_parse(date, &day) != 0)
		return tn_err_set(err, TN_EINVALID,
				  "resident ID number '%s': birth date '%.8s' is not a real date",
				  id, id + 6);
	if (day > tn_date_today())
		return tn_err_set(err, TN_EINVALID,
				  "resident ID number '%s': birth date %s is in the future", id, date);

	for (int i = 0; i < 17; i++)
		sum += (id[i] - '0') * rid_weights[i];
	if (rid_checks[sum % 11] != id[17])
		return tn_err_set(err, TN_EINVALID,
				  "resident ID number '%s': check character is '%c', expected '%c'",
				  id, id[17], rid_checks[sum % 11]);
	return TN_OK;
}

/* Value of a USCC character in the 31-character alphabet, or -1. */
static int uscc_value(int c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(USCC_ALPHABET, c);
	return p ? (int)(p - USCC_ALPHABET) : -1;
}

/* Value of an organisation code character (GB 11714: digits, A=10 ... Z=35), or -1. */
static int org_value(int c)
{
	if (isdig(c))
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

enum tn_code tn_id_check_uscc(const char *code, int *warning, char *warn_msg,
			      struct tn_err *err)
{
	char cb[8], want;
	size_t len;
	int sum = 0, r;

	if (warning)
		*warning = 0;
	if (warn_msg)
		warn_msg[0] = '\0';
	if (!code)
		return tn_err_set(err, TN_EINVALID, "unified social credit code is missing");
	len = strlen(code);
	if (len != 18)
		return tn_err_set(err, TN_EINVALID,
				  "unified social credit code '%s' has %zu characters, expected 18",
				  code, len);
	for (int i = 0; i < 18; i++) {
		if (uscc_value(code[i]) >= 0)
			continue;
		if (code[i] >= 'a' && code[i] <= 'z')
			return tn_err_set(err, TN_EINVALID,
					  "unified social credit code '%s': character %d is '%c', letters must be upper case",
					  code, i + 1, code[i]);
		return tn_err_set(err, TN_EINVALID,
				  "unified social credit code '%s': character %d is '%s', not in the code alphabet (I, O, S, V, Z are never used)",
				  code, i + 1, shown(code[i], cb));
	}
	if (!strchr("123456789ANY", code[0]))
		return tn_err_set(err, TN_EINVALID,
				  "unified social credit code '%s': registration authority '%c' is not valid",
				  code, code[0]);
	if (code[1] < '1' || code[1] > '9')
		return tn_err_set(err, TN_EINVALID,
				  "unified social credit code '%s': organisation type '%c' is not valid",
				  code, code[1]);

	for (int i = 0; i < 17; i++)
		sum += uscc_value(code[i]) * uscc_weights[i];
	want = USCC_ALPHABET[(31 - sum % 31) % 31];
	if (code[17] != want)
		return tn_err_set(err, TN_EINVALID,
				  "unified social credit code '%s': check character is '%c', expected '%c'",
				  code, code[17], want);

	/* Positions 9-17: the organisation code with its own check character. */
	sum = 0;
	for (int i = 0; i < 8; i++)
		sum += org_value(code[8 + i]) * org_weights[i];
	r = 11 - sum % 11;
	want = r == 10 ? 'X' : r == 11 ? '0' : (char)('0' + r);
	if (code[16] != want) {
		if (warning)
			*warning = 1;
		if (warn_msg)
			snprintf(warn_msg, 256,
				 "unified social credit code '%s': organisation code check character is '%c', expected '%c'",
				 code, code[16], want);
	}
	return TN_OK;
}

enum tn_code tn_id_check_holder(const char *code, struct tn_err *err)
{
	struct tn_err rerr = TN_ERR_INIT;
	size_t len;
	int resident_shape = 1;

	if (!code)
		return tn_err_set(err, TN_EINVALID, "holder code is missing");
	len = strlen(code);
	if (len != 18)
		return tn_err_set(err, TN_EINVALID,
				  "holder code '%s' has %zu characters, expected 18 (resident ID number or unified social credit code)",
				  code, len);
	for (int i = 0; i < 17; i++)
		if (!isdig(code[i]))
			resident_shape = 0;
	if (!isdig(code[17]) && code[17] != 'X' && code[17] != 'x')
		resident_shape = 0;
	if (resident_shape) {
		if (tn_id_check_resident(code, &rerr) == TN_OK)
			return TN_OK;
		/* Some credit codes are all digits (914403001922038216). */
		if (tn_id_check_uscc(code, NULL, NULL, NULL) == TN_OK)
			return TN_OK;
		return tn_err_set(err, rerr.code, "%s", rerr.message);
	}
	return tn_id_check_uscc(code, NULL, NULL, err);
}
