/* tn_cap.h — CAP 1.2 (OASIS Common Alerting Protocol) XML in and out, for alerts. */
#ifndef TN_CAP_H
#define TN_CAP_H

#include <stddef.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"

#define TN_CAP_NS "urn:oasis:names:tc:emergency:cap:1.2"

/* Largest CAP document read. */
#define TN_CAP_MAX_FILE (1024 * 1024)

/* tn_cap_parse flags */
#define TN_CAP_ALLOW_UNKNOWN_SEVERITY 0x1  /* "Unknown" severity: leave severity out (caller sets it) */

/*
 * Parse one CAP 1.2 document (`len` bytes of `buf`; `name` names it in
 * messages) with libxml2, check it against CAP 1.2's rules and map it onto an
 * alert input (not normalised; see tn_alert_normalize) in *out (owned):
 *   sender → source, identifier → source_id, sent → sent_at;
 *   the first <info>: severity (CAP's Extreme..Minor or the Chinese
 *   profile's Red..Blue) → severity, event (or a parameter/eventCode named
 *   "kind") → kind, headline, description → text, onset, expires;
 *   parameter valueName value / threshold / unit → value, threshold, unit;
 *   the first <area>: geocode valueName "district" (else a district named in
 *   areaDesc) → district, circle centre or polygon centroid → location
 *   lat/lon, areaDesc → location.address (unless it is just the district's name).
 * Refused, TN_EINVALID, with "NAME:LINE: ELEMENT: reason": malformed XML, a
 * root that is not CAP 1.2's <alert>, a missing required element (identifier,
 * sender, sent, status, msgType, scope; info's category, event, urgency,
 * severity, certainty; area's areaDesc ...), an element repeated or unknown, a
 * bad enumeration value ("'Bad' is not a CAP severity"), a bad dateTime, no
 * <info>, no district.  On failure *out is untouched.
 */
enum tn_code tn_cap_parse(const char *buf, size_t len, const char *name, int flags, jv *out,
			  struct tn_err *err);

/* Read `path` ("-": stdin) and tn_cap_parse it.  TN_EIO when it cannot be read. */
enum tn_code tn_cap_read_file(const char *path, int flags, jv *out, struct tn_err *err);

/*
 * Append one CAP 1.2 document (with its XML declaration, ending in a line
 * end) for `alert` (borrowed: an ALERT or a normalised alert input) to `b`:
 * source → sender, source_id → identifier (spaces, commas, '<' and '&'
 * percent-encoded, as CAP forbids them), sent_at (else raised_at, else now)
 * → sent, severity → CAP's name, kind → event, district and location →
 * <area> (geocode "district", circle "lat,lon 0"), value, threshold, unit,
 * and the server's id, seq and status → parameters.  TN_EINVALID when the
 * alert lacks source, source_id, kind, severity or district.
 */
enum tn_code tn_cap_write(struct tn_buf *b, jv alert, struct tn_err *err);

#endif
