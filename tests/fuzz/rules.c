/* rules.c — fuzz target: a rules YAML file (twonet-rules(5)), then every rule evaluated on a few alerts and in a dry run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_json.h"
#include "tn_jv.h"
#include "tn_taskrules.h"

#include "fuzz.h"

/*
 * The input is one rules file: it goes through tn_rules_load (every key
 * checked, the jq expressions compiled as one program).  A set that loads
 * is described, and each of a few alerts of the kinds the shipped rules use
 * is evaluated with a history of two earlier alerts and fed to a dry run,
 * then the escalations due a day later fire.  Promises checked: a refusal
 * is TN_EINVALID or TN_EIO; a loaded set describes as many rules as it
 * counts; each intent names a rule of the set, a priority 1..4 and a string
 * key and title.
 */

static const char *const alerts[] = {
	"{\"id\":1,\"source\":\"g-1\",\"kind\":\"water_depth\",\"severity\":\"red\",\"district\":\"310101\","
	"\"district_name\":\"黄浦区\",\"location\":{\"lat\":31.2,\"lon\":121.4,\"address\":\"外滩\"},"
	"\"value\":0.4,\"headline\":\"积水\",\"raised_at\":\"2026-07-01T08:00:00+08:00\"}",
	"{\"id\":2,\"source\":\"cam-1\",\"kind\":\"crowd_density\",\"severity\":\"orange\",\"district\":\"310101\","
	"\"value\":3.5,\"headline\":\"外滩客流\",\"raised_at\":\"2026-07-01T08:01:00+08:00\"}",
	"{\"id\":3,\"source\":\"lift-1\",\"kind\":\"lift_fault\",\"severity\":\"yellow\",\"district\":\"310115\","
	"\"value\":null,\"headline\":\"电梯困人\",\"text\":\"被困\",\"raised_at\":\"2026-07-01T08:02:00+08:00\"}",
	"{\"id\":4,\"source\":\"p\",\"kind\":\"pump_fault\",\"severity\":\"blue\",\"district\":\"310104\","
	"\"value\":\"x\",\"tags\":[1,[2]],\"raised_at\":\"2026-07-01T08:03:00+08:00\"}",
	NULL
};

FUZZ_SIMPLE_INIT

/*
 * jq 1.6's parser leaks the string literals it has read when a program does
 * not compile ("a" + ), and every rule file with a bad expression gets there:
 * that leak (jq's, not ours) is suppressed for this target alone.  A
 * suppression matches only a whole stack, and libjq has no frame pointers,
 * so allocations are unwound the slow way here.  The two hooks are read by
 * the sanitizer runtime at start; without sanitizers they are never called.
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void)
{
	return "leak:jq_parse\n";
}

/* two alerts whatever `max` asks: the window must read at most `max` of them */
static enum tn_code history(void *ctx, const char *kind, const char *source, long long since,
			    long max, jv *out, struct tn_err *err)
{
	jv a = *(jv *)ctx;

	(void)max;
	*out = JV_ARRAY(jv_copy(a), jv_object_set(jv_copy(a), jv_string("value"), jv_number(0.1)));
	return TN_OK;
}

static void check_intents(jv rules, jv intents)
{
	FUZZ_ASSERT(jv_get_kind(intents) == JV_KIND_ARRAY, "intents are an array");
	jv_array_foreach(intents, i, in) {
		long p = tn_jv_long(in, "priority", 0);

		FUZZ_ASSERT(tn_jv_array_find(rules, "id", tn_jv_str(in, "rule")) >= 0,
			    "an intent names a rule of the set");
		FUZZ_ASSERT(p >= 1 && p <= 4, "an intent's priority is 1..4");
		FUZZ_ASSERT(tn_jv_str(in, "key") && tn_jv_str(in, "title"),
			    "an intent has a key and a title");
		jv_free(in);
	}
	jv_free(intents);
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_rules *r = NULL;
	struct tn_rules_dry *d;
	jv rules, out;

	if (tn_rules_load(fuzz_memfile(data, size), &r, &err) != TN_OK) {
		FUZZ_ASSERT(err.code == TN_EINVALID || err.code == TN_EIO,
			    "a rule set that does not load is TN_EINVALID or TN_EIO");
		FUZZ_ASSERT(!r, "nothing is loaded from a refused rule set");
		return 0;
	}
	rules = tn_rules_describe(r);
	FUZZ_ASSERT(jv_array_length(jv_copy(rules)) == (int)tn_rules_count(r),
		    "describe gives one record a rule");
	jv_free(tn_rules_targets(r));
	out = jv_array();
	d = tn_rules_dry_new(r);
	for (int i = 0; alerts[i]; i++) {
		jv a = tn_json_parse(alerts[i], strlen(alerts[i])), intents;

		if (tn_rules_eval(r, a, 1782864000 + i * 60, history, &a, &intents, &err) == TN_OK)
			check_intents(rules, intents);
		else
			jv_free(intents);
		tn_rules_dry_feed(d, a, 1782950400, &out, &err);
		tn_rules_dry_feed(d, a, 1782950400, &out, &err);
		jv_free(a);
	}
	tn_rules_dry_escalate(d, 1782950400, &out);
	jv_free(out);
	tn_rules_dry_free(d);
	jv_free(rules);
	tn_rules_free(r);
	return 0;
}
