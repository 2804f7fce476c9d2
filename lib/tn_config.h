/* tn_config.h — client configuration: flags > environment > config file profile > defaults. */
#ifndef TN_CONFIG_H
#define TN_CONFIG_H

#include "tn_cli.h"
#include "tn_err.h"

#define TN_DEFAULT_URL "http://127.0.0.1:8642"

/*
 * The resolved configuration.  All strings are owned by the struct and freed
 * by tn_config_release.  Keys of a profile in config.yaml:
 *   url, token, purpose, timeout (seconds), retries, format, color (true/false)
 * The file: $XDG_CONFIG_HOME/twonet/config.yaml (or ~/.config/...), shaped
 *   default: NAME            # profile used when none is named
 *   profiles:
 *     NAME: { url: ..., token: ..., ... }
 */
struct tn_config {
	char *url;
	char *token;
	char *profile;      /* name of the profile used, or NULL */
	char *purpose;      /* default purpose of certificate look-ups */
	char *format;       /* default output format, or NULL */
	char *path;         /* config file read, or NULL when none */
	long timeout_s;     /* total timeout of one request, default 30 */
	long connect_timeout_s; /* default 5 */
	long retries;       /* retries on retryable failures, default 4 */
	int color;          /* 1 unless the file says color: false */
	int verbose;
};

/*
 * Resolve the configuration: `common` (flags, may be NULL) over the environment
 * (TWONET_URL, TWONET_TOKEN, TWONET_PROFILE, TWONET_CONFIG for the file's path)
 * over the config file's profile over defaults.
 * A file that holds a token and is readable by group or others is refused
 * (TN_EAUTH, message says "chmod 600 PATH").  A YAML error is TN_EINVALID with
 * "PATH:LINE:COL: ...".  An unknown profile named by flag or environment is TN_EUSAGE.
 * On failure `cfg` holds nothing to free.
 */
enum tn_code tn_config_load(struct tn_config *cfg, const struct tn_common *common,
			    struct tn_err *err);
void tn_config_release(struct tn_config *cfg);

#endif
