/* twonet.h — libtwonet, the one client library of the twonet toolkit. */
/*
 * Ownership follows jq's jv rule: every function consumes the jv arguments it
 * is given and returns new references; `const char *` arguments are borrowed;
 * a returned `char *` is the caller's to free.  The library never prints to
 * stdout/stderr on its own and never exits: errors come back as enum tn_code
 * with a struct tn_err.
 */
#ifndef TWONET_H
#define TWONET_H

#include "tn_err.h"
#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_cmd.h"
#include "tn_config.h"
#include "tn_out.h"
#include "tn_http.h"
#include "tn_id.h"
#include "tn_cal.h"
#include "tn_regex.h"
#include "tn_ndjson.h"
#include "tn_case.h"
#include "tn_prompt.h"
#include "tn_catalog.h"
#include "tn_merge.h"
#include "tn_cert.h"
#include "tn_alert.h"
#include "tn_cap.h"
#include "tn_sse.h"
#include "tn_follow.h"
#include "tn_async.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_report.h"
#include "tn_text.h"
#include "tn_suggest.h"
#include "tn_today.h"
#include "tn_token.h"
#include "tn_yaml.h"

#endif
