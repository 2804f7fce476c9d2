#!/bin/bash
# alert-list against twonetd: the filters (status, severity, district, kind,
# time), a page with its "N of TOTAL shown" notice, every page with --all,
# the Chinese status column of the table, refusals (role 4, bad filter 7).
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
SENSOR=$(make_token sensor wd-sim)
OPERATOR=$(make_token operator duty-1)
CLERK=$(make_token clerk c1 SCJGJ)
export TWONET_TOKEN=$OPERATOR
gen_alerts 1 12 | alert-post --bulk --token "$SENSOR" >/dev/null || exit 1

test_expect_success 'every alert, NDJSON on a pipe' '
	alert-list >out &&
	test "$(wc -l <out)" = 12 &&
	test "$(jq -r .status out | sort -u)" = raised
'

test_expect_success 'severity is a minimum, district and kind filter' '
	alert-list --severity red >out &&
	test "$(jq -r .severity out | sort -u)" = red &&
	alert-list --severity orange >out &&
	test "$(jq -r .severity out | sort -u | tr "\n" " ")" = "orange red " &&
	alert-list --district 310101 >out &&
	test "$(wc -l <out)" = 6 &&
	alert-list --kind water_depth --district 310115 >out &&
	test "$(wc -l <out)" = 6 &&
	alert-list --kind pump_fault >out 2>err &&
	test ! -s out && test ! -s err
'

test_expect_success 'a kind the catalog does not list is a note with the closest kind, not an error' '
	alert-list --kind water_dept >out 2>err &&
	test ! -s out &&
	grep -q "^alert-list: note: no kind .water_dept. in the alert kinds.*did you mean .water_depth.?" err &&
	alert-list --kind pump-sensor-x >out 2>err &&
	grep -q "no kind .pump-sensor-x." err
'

test_expect_success 'time: --since an hour ago finds them, --until yesterday none' '
	alert-list --since 1h >out && test "$(wc -l <out)" = 12 &&
	alert-list --until 2020-01-01 >out && test ! -s out
'

test_expect_success 'a page says how many it left out; --all follows every page' '
	alert-list -n 5 >out 2>err &&
	test "$(wc -l <out)" = 5 &&
	grep -Eq "alert-list: 5 (of 12 shown|shown, more exist); --all for every alert" err &&
	alert-list --all -n 5 >out 2>err &&
	test "$(wc -l <out)" = 12 && test ! -s err
'

test_expect_success 'status filter after an alert moved' '
	alert-act dispatch --crew PT-1 3 >/dev/null &&
	alert-list --status dispatched >out &&
	test "$(wc -l <out)" = 1 && json_eq .id 3 <out && json_eq .crew PT-1 <out
'

test_expect_success 'the table has the status in Chinese' '
	alert-list --status dispatched --format table >out &&
	grep -q "已派遣" out && grep -q "PT-1" out
'

test_expect_code 7 'an unknown status is invalid input' '
	alert-list --status lost 2>err
'

test_expect_code 2 'a bad time is a usage error, nothing sent' '
	alert-list --since yesterday-ish 2>err
'

test_expect_code 4 'a clerk may not read alerts' '
	alert-list --token "$CLERK" 2>err
'

test_done
