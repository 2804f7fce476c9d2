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

test_expect_success 'set up: 3 YBJ cases, 2 RSJ cases, one YBJ case accepted' '
	yb_cases 3 1 | case-submit --bulk >yb.ndjson &&
	gen_rs 2 10 | case-submit --bulk --token "$CLERK_RS" >rs.ndjson &&
	test "$(wc -l <yb.ndjson)" = 3 && test "$(wc -l <rs.ndjson)" = 2 &&
	case-act accept "$(head -n 1 yb.ndjson | jq -r .id)" >/dev/null
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

test_expect_success 'a bad status or date is a usage error, nothing sent (exit 2)' '
	test_expect_exit 2 case-list --status lost 2>err &&
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

test_done
