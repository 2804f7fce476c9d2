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
 *   "kind") → kind, headline (else the event) → headline, description →
 *   text, onset, expires; parameter valueName value / threshold / unit →
 *   value, threshold, unit; the first <area>: geocode valueName "district"
 *   (else a district named in areaDesc) → district, circle centre or polygon
 *   centroid → location lat/lon, areaDesc → location.address (unless it is
 *   just the district's name);
 *   and everything else the document says, as it says it, in a "cap" member
 *   (doc/api-alerts.md): status, msgType, scope, source, restriction,
 *   addresses, code, note, references, incidents; of the first <info>
 *   language, category, event, responseType, urgency, severity, certainty,
 *   audience, eventCodes, effective, senderName, instruction, web, contact,
 *   parameters ([{valueName, value}], all of them but the server's own
 *   "twonet:..." ones), "headline": false when it had none; of its first
 *   <area> polygons, circles, geocodes, altitude, ceiling.  So tn_cap_write
 *   gives the same elements back.  Not kept: a second <info> or <area>,
 *   <resource>.
 * The document is parsed without a DTD: a <!DOCTYPE> stops the parse ("NAME:LINE:
 * DOCTYPE: ... not allowed"), so no entity is declared, expanded or fetched;
 * no network is used.
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
 * end) for `alert` (borrowed: an ALERT or a normalised alert input) to `b`.
 * An alert with a "cap" member (one that came in as CAP) gives the elements
 * it came with, in CAP's order, and no others: its identifier and sender,
 * sent, the cap member's elements, severity (the document's own word when it
 * means the alert's severity), onset, expires, headline, description, its
 * parameters with value, threshold and unit from the alert's members, its
 * area with areaDesc, polygons, circles and geocodes (district and kind pairs
 * carry the alert's district and kind).  An alert without one gets what CAP
 * requires made up: status Actual, msgType Alert, scope Public, language
 * zh-CN, a category from the kind, the kind as event and eventCode,
 * urgency from the severity, certainty Observed, a circle "lat,lon 0" for
 * the location and the district as geocode.  Either way source_id and
 * source go out percent-encoded where CAP forbids a character in an
 * identifier (space, ',', '<', '&', control characters), and the server's
 * id, seq, status and crew as parameters "twonet:id" ... (left out when read
 * back).  TN_EINVALID when the alert lacks source, source_id, kind, severity
 * or district.
 */
enum tn_code tn_cap_write(struct tn_buf *b, jv alert, struct tn_err *err);

/*
 * Check an alert's "cap" member (borrowed; null passes): an object whose
 * members are those tn_cap_parse fills, each of its kind and size
 * (doc/api-alerts.md): CAP's enumerations for status, msgType, scope,
 * category, responseType, urgency, severity, certainty; CAP's dateTime for
 * effective; texts of 1 to their maximum characters; arrays of 1 to their
 * maximum items; pairs {valueName: 1..64, value: 0..1000 characters};
 * headline only false.  TN_EINVALID "cap.MEMBER: reason" with the path in
 * `field` (may be NULL).
 */
enum tn_code tn_cap_details_check(jv cap, char *field, size_t size, struct tn_err *err);

#endif
