/* tnp_text.h — text helpers shared inside libtwonet (internal, not installed). */
#ifndef TNP_TEXT_H
#define TNP_TEXT_H

#include <stddef.h>

/* Number of characters (code points) of UTF-8 `s`, as the documented maxima count them.  Cannot fail. */
size_t tnp_utf8_chars(const char *s);

#endif
