/* cap.c — fuzz target: CAP 1.2 XML alerts (alert-post --cap) through tn_cap_parse, normalised, written back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cap.h"

#include "fuzz.h"

/*
 * The input is one CAP document.  tn_cap_parse (with
 * TN_CAP_ALLOW_UNKNOWN_SEVERITY for inputs of odd length, as alert-post
 * --cap --severity S does), then what alert-post does next:
 * tn_alert_normalize.  An alert that normalises is written as CAP
 * (alert-tail --format cap) and that document must parse again.
 */

FUZZ_SIMPLE_INIT

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	int flags = size % 2 ? TN_CAP_ALLOW_UNKNOWN_SEVERITY : 0;
	jv in, alert, back;

	if (tn_cap_parse((const char *)data, size, "fuzz.xml", flags, &in, &err) != TN_OK) {
		FUZZ_ASSERT(err.code == TN_EINVALID, "a refused CAP document is TN_EINVALID");
		return 0;
	}
	FUZZ_ASSERT(jv_get_kind(in) == JV_KIND_OBJECT, "a CAP document maps onto an object");
	if (!jv_object_has(jv_copy(in), jv_string("severity")))
		in = jv_object_set(in, jv_string("severity"), jv_string("red"));
	if (tn_alert_normalize(in, 1, &alert, &err) != TN_OK)
		return 0;
	if (tn_cap_write(&b, alert, &err) == TN_OK) {
		enum tn_code rc = tn_cap_parse(b.buf, b.len, "written.xml", 0, &back, &err);

		if (rc != TN_OK)
			fprintf(stderr, "fuzz cap: written CAP does not read back: %s\n%s\n",
				err.message, b.buf);
		FUZZ_ASSERT(rc == TN_OK, "CAP written by tn_cap_write reads back with tn_cap_parse");
		jv_free(back);
	}
	tn_buf_release(&b);
	jv_free(alert);
	return 0;
}
