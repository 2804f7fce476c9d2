#!/bin/bash
# The working-day calendar past its last known year: provisional deadlines (Monday to Friday),
# twonetd calendar import / show, recomputing open cases, health's coverage and warning.
. "$(dirname "$0")/test-lib.sh"

DATA="$TWONET_SRC/tests/data/calendar"

# the server's today: Sunday 2026-12-20, eleven days before the shipped calendar ends
export TWONET_TODAY=2026-12-20
start_server || exit 1
ADMIN=$(make_token admin root)
CLERK=$(make_token clerk clerk-yb YBJ)
APP=$(make_token applicant app-wang)
export TWONET_TOKEN=$CLERK

# 310000-YB-001: 10 working days promised, 20 legal (YBJ)
yb001() {
	printf '{"item":"310000-YB-001","applicant":{"id":"110101199003070003","name":"%s"},"form":{"applicant_name":"%s","applicant_id":"110101199003070003","applicant_phone":"13800000000","hospital":"瑞金医院","visit_date":"2026-12-01","expense_amount":100,"bank_account":"6222020000000000000"}}\n' "$1" "$1"
}

test_expect_success 'the shipped calendar seeds the database at init: 2024 to 2026' '
	twonetd calendar show --db "$TWONETD_DB" --format json >show.json &&
	json_eq "[.years[].year] | join(\",\")" 2024,2025,2026 <show.json &&
	json_eq .through 2026-12-31 <show.json &&
	json_eq .days_left 11 <show.json &&
	twonetd calendar show --db "$TWONETD_DB" --format table >show.txt &&
	grep -q "^2026 .*shipped calendar/cn.txt" show.txt &&
	grep -q "known through 2026-12-31: 11 days left (load next year" show.txt
'

test_expect_success 'a case whose deadlines run into 2027 gets provisional dates, never null' '
	yb001 张三 | case-submit -f - --format json >case.json &&
	# 10 working days from Sunday 12-20: 21-25, 28-31, and Friday 2027-01-01 (Monday-Friday)
	json_eq .deadline 2027-01-01 <case.json &&
	json_eq .deadline_provisional true <case.json &&
	# 20: then 01-04..08, 11..15
	json_eq .legal_deadline 2027-01-15 <case.json &&
	json_eq .legal_deadline_provisional true <case.json &&
	json_eq .overdue false <case.json &&
	jq -r .id case.json >id
'

test_expect_success 'a case that stays inside the known year is not provisional' '
	yb_cases 1 | case-submit --bulk --format ndjson >short.json &&
	json_eq .deadline 2026-12-25 <short.json &&
	json_eq .deadline_provisional false <short.json &&
	# its legal deadline (10 working days) reaches Friday 2027-01-01
	json_eq .legal_deadline_provisional true <short.json
'

test_expect_success 'the case list and the case table mark the provisional deadline' '
	case-list --format table >list.txt &&
	grep "$(cat id)" list.txt >row &&
	grep -q "2027-01-01\*" row &&
	case-list --jq "select(.deadline_provisional) | .id" >ids &&
	grep -qx "$(cat id)" ids
'

stop_server
TWONET_TODAY=2027-01-04 start_server || exit 1
test_expect_success 'overdue works on a provisional deadline' '
	case-show "$(cat id)" --format json >late.json &&
	json_eq .overdue true <late.json &&
	case-list --overdue --jq .id >overdue &&
	grep -qx "$(cat id)" overdue
'

test_expect_success 'past the calendar, health says today is not covered' '
	test "$(api GET /v1/health "")" = 200 &&
	json_eq .calendar.through null <out.json &&
	json_eq ".warnings[0] | test(\"does not know 2027\")" true <out.json
'
stop_server
start_server || exit 1

test_expect_success 'health reports the coverage and warns below 60 days; responses carry it' '
	test "$(api GET /v1/health "")" = 200 &&
	json_eq .calendar.through 2026-12-31 <out.json &&
	json_eq .calendar.days_left 11 <out.json &&
	json_eq ".warnings | length" 1 <out.json &&
	json_eq ".warnings[0] | test(\"calendar ends 2026-12-31 \\\\(11 days left\\\\)\")" true <out.json &&
	grep -qi "^Twonet-Warning: the working-day calendar ends 2026-12-31" headers.txt &&
	grep -q "warning: the working-day calendar ends 2026-12-31 (11 days left)" "$TWONETD_LOG"
'

stop_server
TWONET_TODAY=2026-06-01 start_server || exit 1
test_expect_success 'no warning while more than 60 days remain' '
	test "$(api GET /v1/health "")" = 200 &&
	json_eq ".warnings | length" 0 <out.json &&
	json_eq .calendar.days_left 213 <out.json &&
	! grep -qi "^Twonet-Warning" headers.txt
'
stop_server
start_server || exit 1

test_expect_success 'a workflow case filed across the year end: sub-case deadlines are provisional too' '
	restaurant_case | case-submit --token "$APP" --workflow restaurant -f - --format json >wf.json &&
	json_eq .deadline_provisional true <wf.json &&
	test "$(api GET "/v1/cases?parent=$(jq -r .id wf.json)" "$ADMIN")" = 200 &&
	# 9 working days are left in 2026: a sub-case past them is provisional, one within is not
	json_eq "[.items[] | .deadline_provisional == (.deadline > \"2026-12-31\")] | all" true <out.json &&
	json_eq "[.items[] | .deadline_provisional] | any" true <out.json &&
	jq -r .id wf.json >wfid &&
	jq -c "[.items[] | {id, deadline}]" out.json >subs.before
'

test_expect_success 'a broken calendar file exits 7 naming the line, and changes nothing' '
	for f in bad-outside-year.json:7 bad-impossible-date.json:8 bad-twice.json:10 \
		bad-outside-year.txt:5 bad-twice.txt:8; do
		test_expect_exit 7 twonetd calendar import --db "$TWONETD_DB" "$DATA/${f%%:*}" \
			2>err || exit 1
		grep -q "${f%%:*}:${f##*:}: " err || { cat err; exit 1; }
	done &&
	test_expect_exit 7 twonetd calendar import --db "$TWONETD_DB" "$DATA/bad-json.json" 2>err &&
	grep -q "bad-json.json:9: malformed JSON" err &&
	test_expect_exit 7 twonetd calendar import --db "$TWONETD_DB" nosuchfile 2>err &&
	grep -q "cannot read calendar .nosuchfile." err &&
	printf "{\"year\":2027,\"papers\":[],\"days\":[]}\n" >empty.json &&
	test_expect_exit 7 twonetd calendar import --db "$TWONETD_DB" empty.json 2>err &&
	grep -q "year 2027 lists no holiday" err &&
	case-show "$(cat id)" --format json >still.json &&
	json_eq .deadline 2027-01-01 <still.json &&
	json_eq .deadline_provisional true <still.json &&
	json_eq .version 1 <still.json &&
	twonetd calendar show --db "$TWONETD_DB" --format json >show.json &&
	json_eq "[.years[].year] | join(\",\")" 2024,2025,2026 <show.json
'

test_expect_success 'importing 2027 recomputes open provisional deadlines, with an event' '
	twonetd calendar import --db "$TWONETD_DB" "$DATA/2027-test.json" >imp.txt &&
	grep -q "^imported 2027 from .*2027-test.json.; [0-9]* open cases counted again, 0 still provisional" imp.txt &&
	case-show "$(cat id)" --format json >after.json &&
	# 2027-01-01 is a holiday in the test notice
	json_eq .deadline 2027-01-04 <after.json &&
	json_eq .legal_deadline 2027-01-18 <after.json &&
	json_eq .deadline_provisional false <after.json &&
	json_eq .legal_deadline_provisional false <after.json &&
	json_eq .version 2 <after.json &&
	test "$(api GET "/v1/cases/$(cat id)/events" "$ADMIN")" = 200 &&
	json_eq "[.items[] | select(.action == \"recompute\")] | length" 1 <out.json &&
	json_eq "[.items[] | select(.action == \"recompute\")][0].comment | startswith(\"deadline recomputed: 2027 calendar loaded\")" true <out.json &&
	test "$(api GET "/v1/cases?parent=$(cat wfid)" "$ADMIN")" = 200 &&
	json_eq "[.items[] | .deadline_provisional] | any" false <out.json &&
	jq -c "[.items[] | {id, deadline}]" out.json >subs.after &&
	! test_cmp subs.before subs.after >/dev/null
'

test_expect_success 'the running server counts new cases with 2027 without a restart' '
	yb001 李四 | case-submit -f - --format json >new.json &&
	json_eq .deadline 2027-01-04 <new.json &&
	json_eq .deadline_provisional false <new.json &&
	test "$(api GET /v1/health "")" = 200 &&
	json_eq .calendar.through 2027-12-31 <out.json &&
	json_eq ".warnings | length" 0 <out.json
'

test_expect_success 'a second import of the same notice (either format) changes nothing' '
	twonetd calendar import --db "$TWONETD_DB" "$DATA/2027-test.txt" >again.txt &&
	grep -q "^calendar unchanged" again.txt &&
	case-show "$(cat id)" --format json >again.json &&
	json_eq .version 2 <again.json &&
	test "$(api GET "/v1/cases/$(cat id)/events" "$ADMIN")" = 200 &&
	json_eq "[.items[] | select(.action == \"recompute\")] | length" 1 <out.json
'

test_expect_success 'calendar show --year lists the days of a known year; an unknown year exits 3' '
	twonetd calendar show --db "$TWONETD_DB" --year 2027 --format table >y.txt &&
	grep -q "^2027-01-01 Fri off  元旦" y.txt &&
	grep -q "^2027-01-31 Sun work 春节" y.txt &&
	twonetd calendar show --db "$TWONETD_DB" --year 2027 --format json >y.json &&
	json_eq ".days | length" 34 <y.json &&
	test_expect_exit 3 twonetd calendar show --db "$TWONETD_DB" --year 2030 2>err &&
	grep -q "does not know 2030" err
'

test_expect_success 'workflow-merge --start past the calendar is provisional, not an error' '
	workflow-merge --start 2026-12-28 --jq .time restaurant >time.json &&
	json_eq .deadline_provisional true <time.json &&
	json_eq ".deadline | startswith(\"2027-01\")" true <time.json
'

test_expect_success 'an older database upgraded by init gets the calendar and deadlines for cases the old one left null' '
	twonetd init --db old.db >/dev/null &&
	twonetd import catalog --db old.db >/dev/null &&
	# a schema-5 database: no calendar tables, no deadline columns, a case with a null deadline
	# filed Monday 12-21 (10 working days: 12-22..25, 28..31, and Fri 01-01, Mon 01-04)
	sqlite3 old.db "INSERT INTO cases (item, department, status, applicant_id, applicant_name,
		submitted_at, deadline, version, submitted_by, token_id, idem_key, idem_hash, doc)
		VALUES (\"310000-YB-001\", \"YBJ\", \"submitted\", \"110101199003070003\", \"王五\",
		\"2026-12-21T10:00:00+08:00\", NULL, 1, \"c\", 1, \"k\", \"h\",
		json_object(\"item\", \"310000-YB-001\", \"status\", \"submitted\", \"version\", 1,
		\"deadline\", NULL, \"legal_deadline\", NULL));
		INSERT INTO cases (item, department, status, applicant_id, applicant_name,
		submitted_at, deadline, version, submitted_by, token_id, idem_key, idem_hash, doc)
		VALUES (\"310000-YB-001\", \"YBJ\", \"completed\", \"110101199003070003\", \"王五\",
		\"2026-12-21T10:00:00+08:00\", NULL, 3, \"c\", 1, \"k2\", \"h\",
		json_object(\"status\", \"completed\", \"deadline\", NULL));
		DROP INDEX cases_provisional; DROP INDEX cases_report;
		CREATE INDEX cases_report ON cases (r_day, department, item, r_workflow, status,
		r_accepted, r_returned, deadline, r_legal, r_done, r_legal_days, r_mat, r_exempt);
		ALTER TABLE cases DROP COLUMN deadline_from; ALTER TABLE cases DROP COLUMN deadline_days;
		ALTER TABLE cases DROP COLUMN legal_days; ALTER TABLE cases DROP COLUMN deadline_provisional;
		DROP TABLE calendar_years; DROP TABLE calendar_days; DROP TABLE calendar_state;
		PRAGMA user_version = 5;" &&
	twonetd init --db old.db >init.out &&
	grep -q "at schema 17" init.out &&
	sqlite3 old.db "SELECT deadline || \" \" || json_extract(doc, \"\$.deadline_provisional\") || \" \" ||
		json_extract(doc, \"\$.legal_deadline\") FROM cases WHERE idem_key = \"k\"" >got &&
	echo "2027-01-04 1 2027-01-18" >want &&
	test_cmp want got &&
	test "$(sqlite3 old.db "SELECT COUNT(*) FROM events WHERE action = \"recompute\"")" = 1 &&
	test -z "$(sqlite3 old.db "SELECT deadline FROM cases WHERE idem_key = \"k2\"")" &&
	twonetd calendar show --db old.db --format json >old.json &&
	json_eq "[.years[].year] | join(\",\")" 2024,2025,2026 <old.json
'

test_done
