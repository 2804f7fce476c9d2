/* tnp_text.h — text helpers shared inside libtwonet (internal, not installed). */
#ifndef TNP_TEXT_H
#define TNP_TEXT_H

#include <stddef.h>

#include "tn_text.h"

/* The old internal name of tn_utf8_chars, until capwrite.c says tn_utf8_chars. */
#define tnp_utf8_chars tn_utf8_chars

#endif
