/* config.c — fuzz target: the client config file (config.yaml: default, profiles) through tn_config_load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_config.h"

#include "fuzz.h"

/*
 * The input is $XDG_CONFIG_HOME/twonet/config.yaml, named by TWONET_CONFIG
 * (a memfd: mode 0777, so a file with a token is refused after it was
 * parsed, as a group-readable one is).  No flags, no environment: the
 * file's default profile decides.
 */

FUZZ_SIMPLE_INIT

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_config cfg;
	enum tn_code rc;

	setenv("TWONET_CONFIG", fuzz_memfile(data, size), 1);
	rc = tn_config_load(&cfg, NULL, &err);
	if (rc == TN_OK) {
		FUZZ_ASSERT(cfg.url && *cfg.url, "a loaded config has a URL");
		FUZZ_ASSERT(cfg.timeout_s >= 0 && cfg.retries >= 0, "timeouts and retries are not negative");
		tn_config_release(&cfg);
	} else {
		FUZZ_ASSERT(err.message[0], "a refused config says why");
	}
	return 0;
}
