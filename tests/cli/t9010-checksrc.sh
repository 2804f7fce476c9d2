#!/bin/bash
# The house rules of the C sources hold (scripts/checksrc), and the check can
# fail: each rule fires on a folder of deliberately bad files.
. "$(dirname "$0")/test-lib.sh"

CHECKSRC="$TWONET_SRC/scripts/checksrc"

test_expect_success 'the source tree follows the house rules (scripts/checksrc)' '
	"$CHECKSRC" "$TWONET_SRC" >violations || { cat violations; exit 1; }
	test ! -s violations
'

# a scratch tree laid out as the real one
mkdir -p bad/lib bad/bin bad/server bad/tui bad/tests/unit bad/bench/src good/lib good/server
cat >good/lib/fine.c <<'EOF'
/* fine.c — a file that follows every rule. */
#include <stdio.h>
#include "tnp_text.h"

/* prose may name sprintf(), strcpy() and tnp_ names; strings too: */
static const char *msg = "no atoi( here, nor tnp_x";

int tnp_fine(char *out, size_t n)
{
	return snprintf(out, n, "%s", msg);	/* snprintf, strtol, fgets are fine */
}
EOF
cat >good/server/fine.c <<'EOF'
/* fine.c — a server file that follows every rule. */
#include <stdlib.h>
// tnp_hidden in a line comment is prose
static long parse(const char *s) { char *end; return strtol(s, &end, 10); }
static int use(struct ops *o) { return o->gets(o) + o->atoi; }
EOF

cat >bad/lib/banned.c <<'EOF'
/* banned.c — every banned function once. */
#include <regex.h>
void f(char *d, const char *s, char *buf)
{
	sprintf(d, "%s", s);
	vsprintf(d, s, 0);
	strcpy(d, s);
	strcat (d, s);
	gets(buf);
	int a = atoi(s); long b = atol(s);
	char *t = strtok(buf, ",");
}
EOF
cat >bad/bin/private.c <<'EOF'
/* private.c — a command reaching into the library. */
#include "tnp_cert.h"
int main(void) { tnp_sha256_hex("", 0, 0); return 0; }
#include "../lib/tnp_text.h"
EOF
cat >bad/server/noheader.c <<'EOF'
#include <stdio.h>
/* noheader.c — the header comment is not on the first line. */
EOF
cat >bad/tui/multiline.c <<'EOF'
/* multiline.c — a header comment
 * that goes on. */
EOF
cat >bad/tests/unit/wrongname.c <<'EOF'
/* other.c — a header that names another file. */
EOF
{
	echo '/* long.h — a header over 800 lines. */'
	for i in $(seq 1 800); do echo "/* line $i */"; done
} >bad/bench/src/long.h

test_expect_success 'a clean tree passes, with prose and strings naming banned things' '
	"$CHECKSRC" good >out &&
	test ! -s out
'

test_expect_code 1 'a tree with violations exits 1' '
	"$CHECKSRC" bad >out
'

test_expect_success 'every banned function and <regex.h> are reported at their line' '
	test_expect_exit 1 "$CHECKSRC" bad >out;
	grep -qx "lib/banned.c:2: #include <regex.h> is banned (use tn_regex.h)" out &&
	grep -qx "lib/banned.c:5: banned function .sprintf." out &&
	grep -qx "lib/banned.c:6: banned function .vsprintf." out &&
	grep -qx "lib/banned.c:7: banned function .strcpy." out &&
	grep -qx "lib/banned.c:8: banned function .strcat." out &&
	grep -qx "lib/banned.c:9: banned function .gets." out &&
	grep -qx "lib/banned.c:10: banned function .atoi." out &&
	grep -qx "lib/banned.c:10: banned function .atol." out &&
	grep -qx "lib/banned.c:11: banned function .strtok." out &&
	test "$(grep -c "^lib/banned.c:" out)" = 9
'

test_expect_success 'tnp_ names and tnp_*.h headers are reported outside lib/' '
	test_expect_exit 1 "$CHECKSRC" bad >out;
	grep -qx "bin/private.c:2: library-internal header .tnp_cert.h. included outside lib/" out &&
	grep -qx "bin/private.c:3: library-internal name .tnp_sha256_hex. used outside lib/" out &&
	grep -qx "bin/private.c:4: library-internal header .tnp_text.h. included outside lib/" out
'

test_expect_success 'a file over 800 lines is reported' '
	test_expect_exit 1 "$CHECKSRC" bad >out;
	grep -qx "bench/src/long.h:801: file has 801 lines, over 800" out
'

test_expect_success 'a missing, multi-line or misnamed header comment is reported' '
	test_expect_exit 1 "$CHECKSRC" bad >out;
	grep -q "^server/noheader.c:1: first line must be the header comment" out &&
	grep -q "^tui/multiline.c:1: header comment must be one line" out &&
	grep -qx "tests/unit/wrongname.c:1: header comment names .other.c., not .wrongname.c." out
'

test_expect_success 'nothing else is reported' '
	test_expect_exit 1 "$CHECKSRC" bad >out;
	test "$(wc -l <out)" = 16
'

test_expect_code 2 'a usage error exits 2' '
	"$CHECKSRC" --frobnicate 2>err
'

test_done
