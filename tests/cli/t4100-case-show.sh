#!/bin/bash
# case-show: the case with its history; a readable view on a terminal; never another department's data.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
CLERK=$(make_token clerk clerk-yb YBJ)
OTHER=$(make_token clerk clerk-sw SWJ)
export TWONET_TOKEN=$CLERK

test_expect_success 'set up: a case, accepted' '
	case-submit --item 310000-YB-003 --applicant-id 110101199003070003 --applicant-name 张三 \
		--field applicant_name=张三 --field applicant_id=110101199003070003 \
		--field retire_date=2026-12-01 --field applicant_phone=13800000000 --jq .id >id &&
	case-act accept "$(cat id)" >/dev/null
'

test_expect_success 'the case with its history in "events"' '
	case-show "$(cat id)" >out &&
	json_eq .id "$(cat id)" <out &&
	json_eq .status accepted <out &&
	json_eq .version 2 <out &&
	json_eq "[.events[].action] | join(\",\")" submit,accept <out &&
	json_eq ".events[1].from" submitted <out &&
	json_eq ".events[1].actor" clerk-yb <out
'

test_expect_success '--no-events leaves the history out; --jq filters' '
	case-show --no-events "$(cat id)" >out &&
	json_eq "has(\"events\")" false <out &&
	case-show "$(cat id)" --jq ".events | length" >n &&
	test "$(cat n)" = 2
'

test_expect_success 'on a terminal: key: value lines and the history table' '
	script -qec "case-show $(cat id)" /dev/null >tty.out &&
	grep -q "^id: *$(cat id)" tty.out &&
	grep -q "^status: *accepted (version 2)" tty.out &&
	grep -q "^item: *310000-YB-003 退休人员医保待遇核定" tty.out &&
	grep -q "^  retire_date: 2026-12-01" tty.out &&
	grep -q "^history:" tty.out &&
	grep -q "^SEQ *AT *ACTOR *ACTION *FROM *TO *COMMENT" tty.out &&
	grep -q "clerk-yb *accept *submitted *accepted" tty.out
'

test_expect_success 'a case that does not exist: exit 3' '
	test_expect_exit 3 case-show C99999999 >out 2>err &&
	grep -qx "case-show: error: case '"'"'C99999999'"'"' not found" err &&
	test ! -s out
'

test_expect_success 'a clerk of another department reading the case: not found, never the data' '
	test_expect_exit 3 case-show --token "$OTHER" "$(cat id)" >out 2>err &&
	test ! -s out &&
	! grep -q 张三 err &&
	grep -q "not found" err
'

test_expect_success 'several ids: NDJSON; one missing is reported and the exit status is 1' '
	test_expect_exit 1 case-show "$(cat id)" C99999999 "$(cat id)" >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	test "$(grep -c "not found" err)" = 1
'

test_expect_success 'no id is a usage error; a wrong token exits 4; the server down exits 6' '
	test_expect_exit 2 case-show 2>err &&
	test_expect_exit 4 case-show --token tn_0000000000000000000000000000000000000000 "$(cat id)" 2>err &&
	test_expect_exit 6 case-show --url http://127.0.0.1:1 --retries 1 "$(cat id)" 2>err &&
	grep -q "^case-show: error:" err
'


# Past the calendar (the shipped one ends 2026-12-31): from the server's today 2026-12-20,
# 310000-RS-001 (10 working days, legal 15) ends on 2027-01-01, legally on 2027-01-08,
# counted Monday to Friday through 2027; so does the restaurant "one thing" (10 days).
stop_server
export TWONET_TODAY=2026-12-20
start_server || exit 1
CLERK_RS=$(make_token clerk clerk-rs RSJ)
ADMIN=$(make_token admin root)
NOTE="^\* provisional: counted Monday to Friday through a year the working-day calendar does not know yet$"

test_expect_success 'past the calendar: the deadlines marked, the note once at the end' '
	printf "%s\n" "{\"item\":\"310000-RS-001\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"乙\"},\"form\":{\"child_name\":\"小明\",\"birth_date\":\"2026-11-01\",\"applicant_name\":\"乙\",\"applicant_id\":\"110101199003070003\",\"applicant_phone\":\"13800000000\",\"address\":\"上海市\"}}" |
		case-submit --bulk --token "$CLERK_RS" --jq .id >prov.id &&
	case-show --token "$CLERK_RS" "$(cat prov.id)" >json &&
	json_eq .deadline_provisional true <json &&
	json_eq .deadline 2027-01-01 <json &&
	script -qec "case-show --token $CLERK_RS $(cat prov.id) $(cat prov.id)" /dev/null >tty.out &&
	grep -q "^deadline: *2027-01-01\* (legal 2027-01-08\*)" tty.out &&
	test "$(grep -c "^deadline:" tty.out)" = 2 &&
	test "$(grep -c "provisional" tty.out)" = 1 &&
	grep -v "^case-show: warning:" tty.out | tr -d "\r" | tail -n 1 | grep -q "$NOTE" &&
	grep -q "^case-show: warning: .*calendar ends 2026-12-31 (11 days left)" tty.out
'

test_expect_success 'past the calendar: JSON is not marked; a case within the calendar has no note' '
	! grep -q "2027-01-01\*" json &&
	case-show "$(cat id)" >plain.json &&
	script -qec "case-show $(cat id)" /dev/null >tty.out &&
	if json_eq .deadline_provisional false <plain.json; then ! grep -q provisional tty.out; fi
'

test_expect_success 'past the calendar: a "one thing" parent and its sub-cases table marked' '
	restaurant_case | case-submit --workflow restaurant -f - --token "$ADMIN" --jq .id >wf.id &&
	case-show --token "$ADMIN" --format table "$(cat wf.id)" >wf.out &&
	grep -q "^deadline: *2027-01-01\*" wf.out &&
	sed -n "/^sub-cases:/,/^\$/p" wf.out >subs &&
	grep -q "[0-9]\* " subs &&
	test "$(grep -c "$NOTE" wf.out)" = 1
'

test_done
