/* tnp_cap.h — CAP 1.2 rules shared by cap.c (reading) and capwrite.c (writing, the "cap" member) (internal, not installed). */
#ifndef TNP_CAP_H
#define TNP_CAP_H

/* The values CAP 1.2 allows for enumerated element `element`, '|'-separated; NULL when it is not one. */
const char *tnp_cap_enum(const char *element);

/* What to call enumerated element `element` in messages ("message type"); `element` when not one. */
const char *tnp_cap_enum_what(const char *element);

/* 1 when `v` is one of the '|'-separated `choices`. */
int tnp_cap_in_choices(const char *choices, const char *v);

/* 1 when `s` is CAP's dateTime: YYYY-MM-DDThh:mm:ss with a numeric offset, no "Z", no fraction. */
int tnp_cap_datetime(const char *s);

#endif
