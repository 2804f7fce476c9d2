#!/bin/bash
# case-list: filters, paging with --all, NDJSON on pipes, a table on a terminal, department scoping.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
ADMIN=$(make_token admin root)
CLERK_YB=$(make_token clerk clerk-yb YBJ)
CLERK_RS=$(make_token clerk clerk-rs RSJ)
export TWONET_TOKEN=$CLERK_YB

# gen_rs N FIRST: N distinct cases on 310000-RS-001 (RSJ)
gen_rs() {
	awk -v n="$1" -v first="$2" 'BEGIN {
		for (i = first; i < first + n; i++)
			printf "{\"item\":\"310000-RS-001\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"申请人%d\"},\"form\":{\"child_name\":\"小明\",\"birth_date\":\"2026-11-01\",\"applicant_name\":\"申请人%d\",\"applicant_id\":\"110101199003070003\",\"applicant_phone\":\"13800000000\",\"address\":\"上海市\"}}\n", i, i
	}'
}

# case-submit --bulk writes cases as they complete: the accepted one is found by its applicant
test_expect_success 'set up: 3 YBJ cases, 2 RSJ cases, one YBJ case accepted' '
	yb_cases 3 1 | case-submit --bulk >yb.ndjson &&
	gen_rs 2 10 | case-submit --bulk --token "$CLERK_RS" >rs.ndjson &&
	test "$(wc -l <yb.ndjson)" = 3 && test "$(wc -l <rs.ndjson)" = 2 &&
	case-act accept "$(jq -r "select(.applicant.name == \"申请人1\") | .id" yb.ndjson)" >/dev/null
'

test_expect_success 'on a pipe: NDJSON, one case a line' '
	case-list >out &&
	test "$(wc -l <out)" = 3 &&
	jq -e -s "length == 3 and (map(.department == \"YBJ\") | all)" out
'

test_expect_success 'a clerk sees only their own department' '
	case-list --token "$CLERK_RS" >out &&
	test "$(wc -l <out)" = 2 &&
	jq -e -s "map(.department == \"RSJ\") | all" out &&
	case-list --department RSJ >out &&
	test ! -s out
'

test_expect_success 'filters: --status, --item, -q, --applicant' '
	case-list --status accepted >out &&
	test "$(wc -l <out)" = 1 && json_eq .status accepted <out &&
	case-list --status submitted --jq .id >out && test "$(wc -l <out)" = 2 &&
	case-list --token "$ADMIN" --item 310000-RS-001 >out && test "$(wc -l <out)" = 2 &&
	case-list -q 申请人2 >out && test "$(wc -l <out)" = 1 && json_eq .applicant.name 申请人2 <out &&
	case-list --token "$ADMIN" --applicant 110101199003070003 >out && test "$(wc -l <out)" = 5
'

test_expect_success 'a status that does not exist is invalid input (7), a bad date a usage error (2), nothing sent' '
	test_expect_exit 7 case-list --status lost 2>err &&
	grep -q "option '"'"'--status'"'"' takes one of submitted|" err &&
	test_expect_exit 2 case-list --since 2026-02-30 2>err &&
	grep -q "invalid --since" err
'

test_expect_success '--limit stops after N cases; --all follows the pages to the end' '
	yb_cases 620 100 | case-submit --bulk -p 16 >/dev/null 2>&1 &&
	case-list -n 7 >out && test "$(wc -l <out)" = 7 &&
	case-list >out && test "$(wc -l <out)" = 100 &&
	case-list --all >out && test "$(wc -l <out)" = 623 &&
	test "$(jq -r .id out | sort -u | wc -l)" = 623
'

test_expect_success 'stopping before the end says so on stderr, whatever stdout is; the end, nothing' '
	case-list >out 2>err && test "$(wc -l <out)" = 100 &&
	grep -Eqx "case-list: 100 (of 623 shown|shown, more exist); --all for every case" err &&
	case-list -n 7 --format table >out 2>err &&
	grep -Eqx "case-list: 7 (of 623 shown|shown, more exist); --all for every case" err &&
	case-list -n 7 --jq .id >out 2>err && test "$(wc -l <out)" = 7 &&
	grep -q "^case-list: 7 .*--all for every case$" err &&
	case-list --all >out 2>err && test ! -s err &&
	case-list -n 623 >out 2>err && test "$(wc -l <out)" = 623 && test ! -s err &&
	case-list -n 1000 >out 2>err && test ! -s err &&
	case-list --status accepted >out 2>err && test ! -s err &&
	case-list -n 1 2>err | head -n 1 >out && test "$(wc -l <out)" = 1
'

test_expect_success '--order deadline and --jq' '
	case-list --order deadline -n 5 --jq .deadline >out &&
	sort out | test_cmp - out
'

test_expect_success 'on a terminal: a table with the default columns' '
	script -qec "case-list --status accepted" /dev/null >tty.out &&
	head -n 1 tty.out | grep -q "^ID *STATUS *ITEM_NAME *APPLICANT.NAME *DEADLINE *OVERDUE" &&
	grep -q "accepted *退休人员医保待遇核定 *申请人1 " tty.out
'

test_expect_success '--format csv and --fields' '
	case-list --status accepted --format csv --fields id,status >out &&
	head -n 1 out | grep -q "^id,status" &&
	test "$(wc -l <out)" = 2
'

test_expect_success 'a wrong token exits 4; the server down exits 6' '
	test_expect_exit 4 case-list --token tn_0000000000000000000000000000000000000000 2>err &&
	test_expect_exit 6 case-list --url http://127.0.0.1:1 --retries 1 2>err &&
	grep -q "^case-list: error:" err
'


# Past the calendar: the server's today near the end of its last known year (the shipped
# calendar ends 2026-12-31).  310000-RS-001 promises 10 working days: from Sunday
# 2026-12-20 that is 9 days of December and Friday 2027-01-01, counted Monday to Friday.
stop_server
export TWONET_TODAY=2026-12-20
start_server || exit 1
NOTE="^\* provisional: counted Monday to Friday through a year the working-day calendar does not know yet$"

test_expect_success 'past the calendar: a provisional deadline, never null' '
	gen_rs 1 50 | case-submit --bulk --token "$CLERK_RS" >new.ndjson &&
	json_eq .deadline 2027-01-01 <new.ndjson &&
	json_eq .deadline_provisional true <new.ndjson &&
	jq -r .id new.ndjson >prov.id &&
	case-list --token "$CLERK_RS" -q 申请人50 >out &&
	json_eq .deadline 2027-01-01 <out &&
	json_eq .deadline_provisional true <out
'

test_expect_success 'past the calendar: the table marks the deadline and says why under it' '
	case-list --token "$CLERK_RS" --format table >table &&
	grep -q "^$(cat prov.id) .* 2027-01-01\* *false$" table &&
	grep -q "$NOTE" table &&
	test "$(grep -c "provisional" table)" = 1 &&
	case-list --token "$CLERK_RS" \
		--jq "\"\(.id) \(.deadline)\(if .deadline_provisional then \"*\" else \"\" end)\"" |
		sort >want &&
	case-list --token "$CLERK_RS" --format table --fields id,deadline | sed 1d |
		grep -v "$NOTE" | awk "{ print \$1, \$2 }" | sort >got &&
	test_cmp want got &&
	case-list --token "$CLERK_RS" --format table --fields id,deadline,legal_deadline -q 申请人50 >table &&
	grep -q "^$(cat prov.id)  2027-01-01\*  2027-01-08\*$" table &&
	tail -n 1 table | grep -q "$NOTE"
'

test_expect_success 'past the calendar: only a table is marked (JSON, CSV and a table of other cases are not)' '
	case-list --token "$CLERK_RS" -q 申请人50 --format csv --fields id,deadline,deadline_provisional >csv &&
	grep -qx "$(cat prov.id),2027-01-01,true" csv &&
	! grep -q provisional: csv &&
	case-list --token "$CLERK_RS" -q 申请人50 --format json >json &&
	! grep -q "2027-01-01\*" json &&
	if case-list --token "$CLERK_RS" -q 申请人10 --jq .deadline_provisional | grep -qx false; then
		case-list --token "$CLERK_RS" -q 申请人10 --format table >table &&
		! grep -q "provisional" table
	fi
'

test_expect_success 'the server'"'"'s warning: once a run on a terminal, however many pages' '
	script -qec "case-list --all --format table" /dev/null >tty.out &&
	test "$(grep -c "^case-list: warning: .*calendar ends 2026-12-31 (11 days left)" tty.out)" = 1 &&
	grep -q "twonetd calendar import" tty.out
'

test_expect_success 'the server'"'"'s warning: never on a pipe or into a file' '
	case-list --all >out 2>err &&
	test ! -s err &&
	case-list --all --format table 2>&1 >/dev/null | cat >err &&
	test ! -s err
'

stop_server
TWONET_TODAY=2027-01-04 start_server || exit 1

test_expect_success 'a provisional deadline passed: overdue, still marked' '
	case-list --token "$CLERK_RS" --overdue --format table >table &&
	grep -q "^$(cat prov.id) .* 2027-01-01\* *true$" table &&
	grep -q "$NOTE" table
'

test_done
