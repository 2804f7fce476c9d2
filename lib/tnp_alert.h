/* tnp_alert.h — alert members shared by alert.c (normalising), alertcheck.c (the strict check) and cap.c (internal, not installed). */
#ifndef TNP_ALERT_H
#define TNP_ALERT_H

#include <jv.h>

#include "tn_err.h"

/* A CAP circle "lat,lon radius_km": 0 and the numbers, or -1. */
int tnp_alert_circle(const char *s, double *lat, double *lon, double *radius);
/*
 * A CAP polygon "lat,lon lat,lon ..." of at least 4 points, the last equal
 * to the first: 0 and the centroid of its vertices (the closing point
 * counted once, rounded to 1e-6), or -1; `bad` (may be NULL) gets the first
 * pair that is not "lat,lon" (a pointer into a copy: `badbuf`, `size` bytes).
 */
int tnp_alert_polygon(const char *s, double *lat, double *lon, char *badbuf, size_t size);

/*
 * Before the members are checked (alert.c's normalise, alertcheck.c): a
 * missing kind from event_text through the shipped catalog (a kind whose
 * name or synonym it is, else "other"), a missing district from street's
 * first six digits.  Leaves *a as it is for anything it cannot read.
 */
void tnp_alert_fill(jv *a);

/*
 * Check the members of issue 16 in *a (kept in place, forms fixed when
 * `lenient`: a street as a number or of twelve digits, msg_type in any case,
 * msg_type "alert" dropped): event_text, street (within district, which must
 * be checked before), area, msg_type, references.  TN_EINVALID
 * "MEMBER: reason" with err->field the path at fault ("area.circles[0]").
 */
enum tn_code tnp_alert_extra(jv *a, int lenient, struct tn_err *err);

#endif
