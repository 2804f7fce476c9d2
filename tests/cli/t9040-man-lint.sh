#!/bin/bash
# Every man page is clean under mandoc's linter at warning level and above
# (mandoc -Tlint -W warning): no empty or misplaced paragraph macros, dates
# mandoc can parse (.TH's ISO 2026-12-03 form), no unknown macros.  The
# generated twonet-api(7) is fixed in its generator, scripts/md2man.
. "$(dirname "$0")/test-lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	test_skip 'man pages lint clean' 'mandoc is not installed (scripts/install-deps installs it)'
	test_done
fi

for m in "$TWONET_SRC"/man/*.[1-8]; do
	page=$(basename "$m")
	test_expect_success "$page: mandoc -Tlint -W warning says nothing" '
		mandoc -Tlint -W warning "$m" >lint.out 2>&1 || true
		if [ -s lint.out ]; then cat lint.out; false; fi
	'
done

test_done
