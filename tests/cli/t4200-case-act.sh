#!/bin/bash
# case-act: moves under If-Match, two clerks on the same version, ids from stdin, per-id failures.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
CLERK1=$(make_token clerk clerk-a YBJ)
CLERK2=$(make_token clerk clerk-b YBJ)
OTHER=$(make_token clerk clerk-sw SWJ)
export TWONET_TOKEN=$CLERK1

# file N distinct cases, print their ids
file_cases() {
	yb_cases "$1" "$2" | case-submit --bulk 2>/dev/null | jq -r .id
}

test_expect_success 'accept, approve, complete: each move writes the updated case' '
	id=$(file_cases 1 1) &&
	case-act accept "$id" >out && json_eq .status accepted <out && json_eq .version 2 <out &&
	case-act approve "$id" -m 好 >out && json_eq .status approved <out &&
	case-act complete "$id" >out && json_eq .status completed <out && json_eq .version 4 <out &&
	case-show "$id" --jq "[.events[].actor] | unique | join(\",\")" >actors &&
	test "$(cat actors)" = clerk-a
'

test_expect_success 'return needs a comment (exit 7); with one, then resubmit' '
	id=$(file_cases 1 2) &&
	test_expect_exit 7 case-act return "$id" 2>err &&
	grep -q "comment" err &&
	case-act return -m "缺少退休审批表" "$id" >out && json_eq .status returned <out &&
	case-act resubmit "$id" >out && json_eq .status resubmitted <out
'

test_expect_success 'a comment past 2000 characters is invalid input (exit 7): nothing is sent' '
	id=$(file_cases 1 90) &&
	long=$(printf "缺%.0s" $(seq 2001)) &&
	test_expect_exit 7 case-act return -m "$long" "$id" 2>err &&
	grep -q "comment: longer than 2000 characters" err &&
	test_expect_exit 7 case-act reject -m "$long" --url http://127.0.0.1:9 --retries 0 "$id" C00000001 2>err &&
	grep -q "comment: longer than 2000 characters" err &&
	! grep -q "reach" err &&
	test "$(grep -c error err)" = 1 &&
	case-show "$id" --jq .version >v && test "$(cat v)" = 1 &&
	case-act return -m "${long%缺}" "$id" >out && json_eq .status returned <out
'

test_expect_success 'two clerks acting on the same version: one wins, the other exits 5' '
	id=$(file_cases 1 3) &&
	v=$(case-show --no-events "$id" --jq .version) &&
	case-act accept --if-version "$v" "$id" >won &&
	test_expect_exit 5 case-act reject -m no --if-version "$v" --token "$CLERK2" "$id" >lost 2>err &&
	grep -qx "case-act: error: case '"'"'$id'"'"' was changed by someone else (now version 2)" err &&
	test ! -s lost &&
	case-show --no-events "$id" >now &&
	json_eq .status accepted <now && json_eq .version 2 <now
'

test_expect_success 'a move the status does not allow is a conflict with the reason (exit 5)' '
	id=$(file_cases 1 4) &&
	test_expect_exit 5 case-act complete "$id" 2>err &&
	grep -q "^case-act: error: cannot complete" err &&
	! grep -q "someone else" err
'

test_expect_success 'ids from stdin, bare or NDJSON; a bad one is reported, the rest acted on, exit 1' '
	file_cases 3 10 >ids &&
	{ head -n 1 ids; echo C99999999; echo "{\"no\":\"id\"}"; tail -n 2 ids | jq -R -c "{id: .}"; } >in &&
	test_expect_exit 1 case-act accept - <in >out 2>err &&
	test "$(wc -l <out)" = 3 &&
	jq -e -s "map(.status == \"accepted\") | all" out &&
	grep -q "case '"'"'C99999999'"'"' not found" err &&
	grep -q "stdin:3: no \"id\" member" err
'

test_expect_success 'bulk: each failure names the case and its input line; a summary ends the run, exit 1' '
	file_cases 3 40 >ids &&
	{ head -n 2 ids; echo; echo C99999999; tail -n 1 ids; } >in &&
	case-act accept "$(tail -n 1 ids)" >/dev/null &&
	test_expect_exit 1 case-act accept - <in >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	grep -qx "case-act: error: C99999999 (line 4): case '"'"'C99999999'"'"' not found" err &&
	grep -q "^case-act: error: $(tail -n 1 ids) (line 5): cannot accept" err &&
	tail -n 1 err | grep -qx "case-act: accept: 2 done, 0 skipped, 2 failed" &&
	test "$(wc -l <err)" = 3
'

test_expect_success 'bulk: every case moved, the summary says so, exit 0; one id, no summary' '
	file_cases 2 50 >ids &&
	case-act accept - <ids >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	test "$(cat err)" = "case-act: accept: 2 done, 0 skipped, 0 failed" &&
	case-act approve -m 好 "$(head -n 1 ids)" >out 2>err &&
	test ! -s err
'

test_expect_success 'bulk from operands: a failure is named by its id, then the summary' '
	file_cases 1 60 >ids &&
	test_expect_exit 1 case-act accept "$(cat ids)" C99999998 >out 2>err &&
	json_eq .status accepted <out &&
	grep -qx "case-act: error: C99999998: case '"'"'C99999998'"'"' not found" err &&
	tail -n 1 err | grep -qx "case-act: accept: 1 done, 0 skipped, 1 failed"
'

test_expect_success 'bulk stopped by a refused token: the summary says the rest were not tried' '
	printf "C00000001\nC00000002\n" >in &&
	test_expect_exit 4 case-act accept --token tn_0000000000000000000000000000000000000000 - <in 2>err &&
	tail -n 1 err | grep -qx "case-act: accept: 0 done, 0 skipped, 1 failed; stopped: the rest not tried"
'

test_expect_success 'case-list piped into case-act acts at the version the list showed' '
	file_cases 2 20 >ids &&
	case-list -q 申请人2 --status submitted >list &&
	test "$(wc -l <list)" = 2 &&
	case-act accept --token "$CLERK2" "$(head -n 1 ids)" >/dev/null &&
	test_expect_exit 1 case-act reject -m late - <list >out 2>err &&
	grep -q "was changed by someone else (now version 2)" err &&
	test "$(wc -l <out)" = 1 && json_eq .status rejected <out
'

test_expect_success 'a clerk of another department: not found (exit 3), nothing changed' '
	id=$(file_cases 1 30) &&
	test_expect_exit 3 case-act accept --token "$OTHER" "$id" 2>err &&
	case-show --no-events "$id" --jq .status >st && test "$(cat st)" = submitted
'

test_expect_success 'usage errors (exit 2): no action, unknown action, no id, --if-version with several ids' '
	test_expect_exit 2 case-act 2>err &&
	test_expect_exit 2 case-act frobnicate C1 2>err && grep -q "unknown action" err &&
	test_expect_exit 2 case-act accept 2>err &&
	test_expect_exit 2 case-act accept --if-version 1 C1 C2 2>err &&
	grep -q "one case id" err
'

test_expect_success 'a wrong token exits 4; the server down exits 6' '
	test_expect_exit 4 case-act accept --token tn_0000000000000000000000000000000000000000 C00000001 2>err &&
	test_expect_exit 6 case-act accept --url http://127.0.0.1:1 --retries 1 C00000001 2>err &&
	grep -q "^case-act: error:" err
'

test_done
