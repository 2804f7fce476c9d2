#!/bin/bash
# alert-act against twonetd: the closed loop from the shell (dispatch with a
# crew, acknowledge, resolve, close with an evaluation, reopen), ids from
# stdin with a summary line, versions (If-Match: a stale seq exits 5 and
# changes nothing), refusals: wrong role 4, bad action 2 with a suggestion,
# bad crew 7, missing alert 3, a step out of order 5.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
SENSOR=$(make_token sensor wd-sim)
OPERATOR=$(make_token operator duty-1)
CLERK=$(make_token clerk c1 SCJGJ)
export TWONET_TOKEN=$OPERATOR
gen_alerts 1 8 | alert-post --bulk --token "$SENSOR" >/dev/null || exit 1

test_expect_success 'one alert round the loop' '
	alert-act dispatch --crew PT-017 1 >out && json_eq .status dispatched <out &&
	json_eq .crew PT-017 <out &&
	alert-act acknowledge 1 >out && json_eq .status acknowledged <out &&
	alert-act resolve -m "pumped dry" 1 >out && json_eq .status resolved <out &&
	alert-act close --evaluation "on time" 1 >out && json_eq .status closed <out &&
	json_eq .evaluation "on time" <out
'

test_expect_success 'reopen: closed back to dispatched, the crew kept, the closing cleared' '
	alert-act reopen 1 >out &&
	json_eq .status dispatched <out && json_eq .crew PT-017 <out &&
	json_eq .closed_at null <out && json_eq .evaluation null <out
'

test_expect_code 5 'reopen of an alert that is not resolved or closed is a conflict' '
	alert-act reopen 1 2>err
'

test_expect_success 'the loop from the shell: list, act on the ids from stdin, summary line' '
	alert-list --status raised --district 310101 | alert-act dispatch --crew PT-2 - >out 2>err &&
	test "$(wc -l <out)" = 3 &&
	grep -q "alert-act: dispatch: 3 done, 0 skipped, 0 failed" err &&
	alert-list --status dispatched --jq .id | alert-act acknowledge - >/dev/null 2>err &&
	grep -q "alert-act: acknowledge: 4 done" err &&
	alert-list --status acknowledged | alert-act resolve - >/dev/null &&
	alert-list --status resolved | alert-act close --evaluation ok - >/dev/null &&
	test "$(alert-list --status closed | wc -l)" = 4
'

test_expect_success 'a stale version exits 5 and changes nothing' '
	seq=$(alert-list --status raised -n 1 --jq .seq 2>/dev/null) &&
	id=$(alert-list --status raised -n 1 --jq .id 2>/dev/null) &&
	alert-act dispatch --crew A --if-version "$seq" "$id" >/dev/null &&
	test_expect_exit 5 alert-act dispatch --crew B --if-version "$seq" "$id" 2>err &&
	grep -q "changed by someone else" err &&
	alert-list --status dispatched --jq "select(.id == $id) | .crew" >out &&
	test "$(cat out)" = A
'

test_expect_success 'the same step asked again is answered unchanged (a replay), even under its old seq' '
	set -- $(alert-list --status dispatched -n 1 --jq "\"\\(.id) \\(.crew)\"" 2>/dev/null) &&
	alert-act dispatch --crew "$2" "$1" >out &&
	json_eq .status dispatched <out && json_eq .crew "$2" <out &&
	# a retry under the seq it was first asked at: the same answer, not a conflict
	alert-act dispatch --crew "$2" --if-version "$1" "$1" >out &&
	json_eq .status dispatched <out
'

test_expect_success 'bulk: each failure named, exit 1, the rest done' '
	printf "%s\n" 4 999 6 >ids &&
	test_expect_exit 1 alert-act dispatch --crew C - <ids >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	grep -q "alert 999 (line 2): alert 999 not found" err &&
	grep -q "alert-act: dispatch: 2 done, 0 skipped, 1 failed" err
'

test_expect_code 3 'a missing alert is not found' '
	alert-act acknowledge 999 2>err
'

test_expect_success 'a bad action is a usage error with a suggestion' '
	test_expect_exit 2 alert-act dispach --crew x 1 2>err &&
	grep -q "did you mean .dispatch." err
'

test_expect_code 2 'dispatch without --crew is a usage error' '
	alert-act dispatch 5 2>err
'

test_expect_code 7 'a crew too long is invalid input' '
	alert-act dispatch --crew "$(printf "%070d" 0)" 5 2>err
'

test_expect_code 4 'a clerk may not act on alerts' '
	alert-act acknowledge --token "$CLERK" 2 2>err
'

test_done
