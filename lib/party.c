/* party.c — the applicant and holder rule: a person's resident ID number or an organisation's credit code, by type. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tn_case.h"
#include "tn_id.h"

const char *tn_party_type_of(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n != 18)
		return "org";
	for (size_t i = 0; i < 17; i++)
		if (!isdigit((unsigned char)id[i]))
			return "org";
	return isdigit((unsigned char)id[17]) || id[17] == 'X' || id[17] == 'x' ? "person" : "org";
}

enum tn_code tn_party_check_id(const char *party, const char *type, const char *id,
			       char *warning, size_t warning_size, struct tn_err *err)
{
	struct tn_err e = TN_ERR_INIT;
	char field[64];

	if (warning && warning_size)
		warning[0] = '\0';
	if (!type)
		type = tn_party_type_of(id);
	if (strcmp(type, "person") && strcmp(type, "org")) {
		snprintf(field, sizeof(field), "%s.type", party);
		return tn_err_field(err, TN_EINVALID, field, "must be 'person' or 'org'");
	}
	snprintf(field, sizeof(field), "%s.id", party);
	if (!id)
		return tn_err_field(err, TN_EINVALID, field, "missing");
	if (!strcmp(type, "person")) {
		if (tn_id_check_resident(id, &e) != TN_OK)
			return tn_err_field(err, TN_EINVALID, field, "%s", e.message);
	} else {
		int warn = 0;
		char msg[256] = "";

		if (tn_id_check_uscc(id, &warn, msg, &e) != TN_OK)
			return tn_err_field(err, TN_EINVALID, field, "%s", e.message);
		if (warn && warning && warning_size)
			snprintf(warning, warning_size, "%s '%s': %s", field, id, msg);
	}
	return TN_OK;
}
