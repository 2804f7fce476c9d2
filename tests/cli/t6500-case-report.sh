#!/bin/bash
# case-report: hand-computed figures on a fixture, period words, grouping, scoping, the lock, CSV, SVG, HTML.
. "$(dirname "$0")/test-lib.sh"

# the server's today (open cases past a deadline are late against it; new cases' deadlines)
TWONET_TODAY=2026-11-18 start_server || exit 1
ADMIN=$(make_token admin root)
CLERK_YB=$(make_token clerk clerk-yb YBJ)
CLERK_RS=$(make_token clerk clerk-rs RSJ)
OPERATOR=$(make_token operator op)
export TWONET_TOKEN=$ADMIN XDG_RUNTIME_DIR="$TRASH/run"
mkdir -p "$XDG_RUNTIME_DIR"

YB='{"item":"310000-YB-003","applicant":{"id":"110101199003070003","name":"甲"},"form":{"applicant_name":"甲","applicant_id":"110101199003070003","retire_date":"2026-12-01","applicant_phone":"13800000000"}'
RS='{"item":"310000-RS-001","applicant":{"id":"110101199003070003","name":"乙"},"form":{"child_name":"小明","birth_date":"2026-09-01","applicant_name":"乙","applicant_id":"110101199003070003","applicant_phone":"13800000000","address":"上海市"}'

# file NAME BODY-PREFIX MATERIALS: file a case, remember its id in ids/NAME
file() {
	printf '%s,"materials":%s,"key":"%s"}\n' "$2" "$3" "$1" | case-submit --bulk >"ids/$1.json" &&
	jq -r .id "ids/$1.json" >"ids/$1"
}

# act NAME ACTION...: move a case through actions
act() {
	local name=$1 id; shift
	id=$(cat "ids/$name")
	for a in "$@"; do
		case $a in
		return|reject) case-act "$a" -m "because" "$id" >/dev/null || return 1 ;;
		*) case-act "$a" "$id" >/dev/null || return 1 ;;
		esac
	done
}

# when NAME SUBMITTED COMPLETED|- DEADLINE LEGAL: set a case's days in the database
when() {
	local seq done
	seq=$(sed 's/^C0*//' "ids/$1")
	if [ "$3" = - ]; then done=NULL; else done="'$3T15:00:00+08:00'"; fi
	db_sql "UPDATE cases SET submitted_at = '$2T09:00:00+08:00', deadline = '$4',
		doc = $(db_doc_set submitted_at "'$2T09:00:00+08:00'" deadline "'$4'" \
			legal_deadline "'$5'" \
			completed_at "CASE WHEN status = 'completed' THEN $done END")
		WHERE seq = $seq"
}

# Calendar around the fixture (share/twonet/calendar/cn.txt): 2026-10-01..07 off (National
# Day), Saturday 2026-10-10 a working day; 2026-09-25..27 off.  Working days count in (a, b].
test_expect_success 'set up: 6 YBJ cases and 4 RSJ cases, moved and dated' '
	mkdir ids &&
	file Y1 "$YB" "[{\"code\":\"M-TXSP\"}]" && file Y2 "$YB" "[]" && file Y3 "$YB" "[]" &&
	file Y4 "$YB" "[]" && file Y5 "$YB" "[]" && file Y6 "$YB" "[]" &&
	file R1 "$RS" "[{\"code\":\"M-HKB\"},{\"code\":\"M-ZP\"},{\"code\":\"M-FMSFZ\"}]" &&
	file R2 "$RS" "[]" && file R3 "$RS" "[]" && file R4 "$RS" "[]" &&
	act Y1 accept approve complete && act Y2 accept approve complete &&
	act Y3 accept approve complete && act Y4 reject && act Y5 accept && act Y6 return &&
	act R1 accept approve complete && act R2 accept approve complete &&
	act R3 accept approve complete &&
	when Y1 2026-10-08 2026-10-09 2026-10-15 2026-10-22 &&
	when Y2 2026-10-08 2026-10-16 2026-10-15 2026-10-22 &&
	when Y3 2026-10-09 2026-10-12 2026-10-16 2026-10-23 &&
	when Y4 2026-10-12 - 2026-10-19 2026-10-26 &&
	when Y5 2026-10-12 - 2026-10-19 2099-12-31 &&
	when Y6 2026-10-13 - 2099-12-31 2099-12-31 &&
	when R1 2026-10-08 2026-10-20 2026-10-22 2026-10-29 &&
	when R2 2026-09-30 2026-10-09 2026-10-14 2026-10-21 &&
	when R3 2026-10-14 2026-10-14 2026-10-28 2026-11-04 &&
	when R4 2026-10-15 - 2026-10-20 2026-11-05 &&
	test "$(db_sql "SELECT count(*) FROM cases WHERE r_day LIKE '\''2026-1%'\''")" = 9
'

# YBJ: Y1 1 day (10-09), Y2 7 days (9,10,12..16), Y3 2 days (10, 12); Y5 open past its
# promised deadline; materials 12, exempted 11.  RSJ: R1 9 days, R3 0; R4 open past both.
test_expect_success 'a month by department: every figure as computed by hand' '
	case-report --from 2026-10 --format json >oct.json &&
	json_eq ".from + \" \" + .to + \" \" + .by" "2026-10-01 2026-10-31 department" <oct.json &&
	json_eq .as_of 2026-11-18 <oct.json &&
	jq -c ".groups[] | [.group, .received, .accepted, .returned, .rejected, .completed, .open,
		.open_overdue]" oct.json >got &&
	cat >want <<-\EOF &&
	["RSJ",3,2,0,0,2,1,1]
	["YBJ",6,4,1,1,3,2,1]
	EOF
	test_cmp want got &&
	jq -c ".groups[], .total | [.on_time, .late, .on_time_rate, .on_time_legal, .late_legal,
		.on_time_legal_rate]" oct.json >got &&
	cat >want <<-\EOF &&
	[2,1,66.7,2,1,66.7]
	[2,2,50,3,0,100]
	[4,3,57.1,5,1,83.3]
	EOF
	test_cmp want got &&
	jq -c ".groups[], .total | [.days_n, .days_mean, .days_median, .days_p90,
		.legal_days_mean, .time_saving_pct]" oct.json >got &&
	cat >want <<-\EOF &&
	[2,4.5,4.5,9,15,70]
	[3,3.33,2,7,10,66.7]
	[5,3.8,2,9,12,68.3]
	EOF
	test_cmp want got &&
	jq -c ".groups[], .total | [.materials, .materials_exempted, .materials_asked,
		.materials_saving_pct]" oct.json >got &&
	cat >want <<-\EOF &&
	[9,0,9,0]
	[12,0,12,0]
	[21,0,21,0]
	EOF
	test_cmp want got &&
	json_eq ".groups[1].name" 医疗保障局 <oct.json
'

# The backlog is taken at the end of a day: the cases filed by then and not yet completed or
# rejected (Y4 was rejected on 10-13); overdue: due that day or before (the earlier of the
# promised and the legal deadline).  Today is 2026-11-18.
test_expect_success 'backlog at the end of the period, and how many were overdue then' '
	y4=$(sed "s/^C0*//" ids/Y4) &&
	db_sql "UPDATE events SET at = '\''2026-10-13T10:00:00+08:00'\''
		WHERE case_seq = $y4 AND action = '\''reject'\''" &&
	case-report --from 2026-10 --jq "[.groups[], .total | [.group, .backlog, .backlog_overdue, .backlog_at]]" >got &&
	test "$(cat got)" = "[[\"RSJ\",1,1,\"2026-10-31\"],[\"YBJ\",2,1,\"2026-10-31\"],[null,3,2,\"2026-10-31\"]]" &&
	# 10-12: Y2 (done 10-16), Y4 (rejected 10-13), Y5 open; R1 (done 10-20) though RSJ got none that day
	case-report --from 2026-10-12 --jq "[.groups[], .total | [.group, .received, .backlog, .backlog_overdue]]" >got &&
	test "$(cat got)" = "[[\"RSJ\",0,1,0],[\"YBJ\",2,3,0],[null,2,4,0]]" &&
	# 10-19: Y5 was due that day and still open: overdue at its end; R4 is due on 10-20
	case-report --from 2026-10-19 --jq "[.groups[], .total | [.group, .received, .backlog, .backlog_overdue]]" >got &&
	test "$(cat got)" = "[[\"RSJ\",0,2,0],[\"YBJ\",0,2,1],[null,0,4,1]]" &&
	# a clerk: their own department only
	case-report --token "$CLERK_RS" --from 2026-10-19 --jq "[.groups[].group, .total.backlog]" >got &&
	test "$(cat got)" = "[\"RSJ\",2]"
'

# Y6 (YBJ, open) due today, 2026-11-18: not late yet today, late at the end of a past due day.
test_expect_success 'backlog to today: the cases open now; due today is not overdue yet' '
	y6=$(sed "s/^C0*//" ids/Y6) &&
	test_when_finished "db_sql \"UPDATE cases SET deadline = '\''2099-12-31'\'', doc = $(db_doc_set deadline "'\''2099-12-31'\''") WHERE seq = $y6\"" &&
	db_sql "UPDATE cases SET deadline = '\''2026-11-18'\'',
		doc = $(db_doc_set deadline "'\''2026-11-18'\''") WHERE seq = $y6" &&
	case-report --from 2026-11-18 --jq "[.total.backlog, .total.backlog_overdue, .total.backlog_at]" >got &&
	test "$(cat got)" = "[3,2,\"2026-11-18\"]" &&
	db_sql "UPDATE cases SET deadline = '\''2026-11-17'\'',
		doc = $(db_doc_set deadline "'\''2026-11-17'\''") WHERE seq = $y6" &&
	case-report --from 2026-11-17 --jq "[.total.backlog, .total.backlog_overdue]" >got &&
	test "$(cat got)" = "[3,3]"
'

test_expect_success 'backlog by week: at the end of each week; the total at the end of the period' '
	case-report --from 2026-10 --by week --jq "[.groups[], .total | [.group, .backlog, .backlog_overdue, .backlog_at]]" >got &&
	test "$(cat got)" = "[[\"2026-W41\",3,0,\"2026-10-11\"],[\"2026-W42\",4,0,\"2026-10-18\"],[null,3,2,\"2026-10-31\"]]" &&
	case-report --from 2026-10 --by item --jq "[.groups[] | [.group, .name, .backlog]]" >got &&
	test "$(cat got)" = "[[\"310000-RS-001\",\"社会保障卡申领\",1],[\"310000-YB-003\",\"退休人员医保待遇核定\",2]]"
'

# R4 (RSJ, open) given a promised deadline after its legal one (2026-11-05): every figure
# still counts against 11-05, the earlier.
test_expect_success 'a promised deadline later than the legal one: figures use the legal one' '
	r4=$(sed "s/^C0*//" ids/R4) &&
	test_when_finished "db_sql \"UPDATE cases SET deadline = '\''2026-10-20'\'', doc = $(db_doc_set deadline "'\''2026-10-20'\''") WHERE seq = $r4\"" &&
	db_sql "UPDATE cases SET deadline = '\''2026-11-30'\'',
		doc = $(db_doc_set deadline "'\''2026-11-30'\''") WHERE seq = $r4" &&
	case-report --department RSJ --from 2026-10 --jq "[.total | .open_overdue, .on_time, .late, .on_time_rate, .backlog, .backlog_overdue]" >got &&
	test "$(cat got)" = "[1,2,1,66.7,1,0]" &&
	case-report --department RSJ --from 2026-11 --to 2026-11-05 --jq "[.total.backlog, .total.backlog_overdue]" >got &&
	test "$(cat got)" = "[1,1]"
'

test_expect_success 'a filter naming an unknown department or item: 422, exit 7, did you mean' '
	test_expect_exit 7 case-report --department YJB --from 2026-10 >out 2>err &&
	test ! -s out &&
	grep -q "unknown department .YJB. (did you mean .YBJ.?)" err &&
	test_expect_exit 7 case-report --item 310000-YB-03 --from 2026-10 >out 2>err &&
	grep -q "unknown item .310000-YB-03. (did you mean .310000-YB-003.?)" err &&
	test_expect_exit 7 case-report --item NOPE-1 --from 2026-10 2>err &&
	grep -q "unknown item .NOPE-1.$" err &&
	case-report --item 310000-YB-003 --from 2026-10 --jq "[.item, .total.received]" >got &&
	test "$(cat got)" = "[\"310000-YB-003\",6]" &&
	test_expect_exit 2 case-report --lang fr 2>err && grep -q -- "--lang.*fr" err &&
	test_expect_exit 2 case-report --alerts --item 310000-YB-003 2>err
'

test_expect_success 'in Chinese by default: headings, department names, the total' '
	case-report --from 2026-10 --format table >table &&
	head -n 1 table | grep -q "^部门 *收件 *受理 *退回补正 *不予批准 *办结 *在办 *期末积压 *积压超期 *按时率(承诺)%" &&
	grep -q "^人力资源和社会保障局 *3 " table && grep -q "^医疗保障局 *6 " table &&
	tail -n 1 table | grep -q "^合计 *9 " &&
	! grep -q "YBJ\|RSJ\|total" table &&
	case-report --from 2026-10 --format csv >zh.csv &&
	head -n 1 zh.csv | grep -q "^部门代码,部门名称,收件,受理," &&
	grep -q "^YBJ,医疗保障局,6," zh.csv && tail -n 1 zh.csv | grep -q "^合计,,9," &&
	test "$(head -n 1 zh.csv | tr , "\n" | wc -l)" = 28 &&
	case-report --from 2026-10 --format csv --fields group,name,backlog >got &&
	printf "部门代码,部门名称,期末积压\nRSJ,人力资源和社会保障局,1\nYBJ,医疗保障局,2\n合计,,3\n" >want &&
	test_cmp want got &&
	case-report --from 2026-10 --by item --format table >table &&
	head -n 1 table | grep -q "^事项 " && grep -q "^社会保障卡申领 " table
'

test_expect_success 'in Chinese by default: the page and the chart; its own footnotes' '
	case-report --from 2026-10 --html zh.html --svg zh.svg >/dev/null &&
	xmllint --noout zh.html && xmllint --noout zh.svg &&
	grep -q "<html lang=\"zh-CN\">" zh.html &&
	grep -q "<title>办件报表 2026-10-01 至 2026-10-31</title>" zh.html &&
	grep -q "<th>部门</th><th>收件</th>" zh.html &&
	grep -q "<td>医疗保障局</td>" zh.html && grep -q "<td>合计</td>" zh.html &&
	grep -q "<p class=\"note\">按时：" zh.html &&
	grep -q "<p class=\"note\">工作日：" zh.html &&
	grep -q "<p class=\"note\">期末积压：" zh.html &&
	grep -q "<p class=\"note\">材料免交率：" zh.html &&
	! grep -q "告警\|provisional\|暂定" zh.html &&
	grep -q "class=\"title\">收件数与按时办结率</text>" zh.svg &&
	grep -q "class=\"sub\">2026-10-01 至 2026-10-31，按部门</text>" zh.svg &&
	grep -q "class=\"label\">医疗保障局</text>" zh.svg &&
	grep -q "class=\"legend\">收件数</text>" zh.svg &&
	rsvg-convert -o zh.png zh.svg &&
	case-report --lang en --from 2026-10 --html en.html >/dev/null &&
	grep -q "<html lang=\"en\">" en.html && grep -q "<th>Backlog at end</th>" en.html &&
	grep -q "<p class=\"note\">Backlog: " en.html && ! grep -q "[收件部门]" en.html
'

test_expect_success 'by day, week and month' '
	case-report --from 2026-10 --by day --jq "[.groups[] | [.group, .received]]" >got &&
	test "$(cat got)" = "[[\"2026-10-08\",3],[\"2026-10-09\",1],[\"2026-10-12\",2],[\"2026-10-13\",1],[\"2026-10-14\",1],[\"2026-10-15\",1]]" &&
	case-report --from 2026-10 --by week --jq "[.groups[] | [.group, .name, .received]]" >got &&
	test "$(cat got)" = "[[\"2026-W41\",\"2026-10-05\",4],[\"2026-W42\",\"2026-10-12\",5]]" &&
	case-report --from 2026-09 --to 2026-10 --by month --jq "[.groups[] | [.group, .received, .days_median]]" >got &&
	test "$(cat got)" = "[[\"2026-09\",1,2],[\"2026-10\",9,2]]" &&
	case-report --from 2026-10 --by item --jq "[.groups[] | .group]" >got &&
	test "$(cat got)" = "[\"310000-RS-001\",\"310000-YB-003\"]" &&
	case-report --lang en --from 2026-10 --by workflow --format csv --fields group,received >got &&
	printf "group,received\n-,9\ntotal,9\n" >want && test_cmp want got
'

test_expect_success 'a clerk sees only their department; an admin picks one' '
	case-report --token "$CLERK_YB" --from 2026-10 --format json >yb.json &&
	json_eq "[.groups[].group] | join(\",\")" YBJ <yb.json &&
	json_eq ".department" YBJ <yb.json &&
	json_eq ".total.received" 6 <yb.json &&
	case-report --token "$CLERK_RS" --from 2026-10 --jq .total.received >got &&
	test "$(cat got)" = 3 &&
	case-report --department RSJ --from 2026-10 --jq "[.groups[].group]" >got &&
	test "$(cat got)" = "[\"RSJ\"]"
'

test_expect_success 'another department, or a role without reports: 403, exit 4' '
	test_expect_exit 4 case-report --token "$CLERK_YB" --department RSJ --from 2026-10 >out 2>err &&
	test ! -s out && grep -q "case-report: error: .*YBJ" err &&
	test_expect_exit 4 case-report --token "$OPERATOR" --from 2026-10 >out 2>err &&
	test ! -s out
'

# Today is Wednesday 2026-11-18 for these.
test_expect_success 'every period word, against a fixed today' '
	while IFS="|" read -r args want; do
		if [ "$args" = none ]; then args=; fi &&
		got=$(case-report --today 2026-11-18 $args --jq "\"\(.from) \(.to)\"") &&
		if [ "$got" != "$want" ]; then echo "$args: got $got, want $want"; exit 1; fi
	done <<-\EOF
	--from=today|2026-11-18 2026-11-18
	--from=yesterday|2026-11-17 2026-11-17
	--from=this-week|2026-11-16 2026-11-18
	--from=last-week|2026-11-09 2026-11-15
	--from=this-month|2026-11-01 2026-11-18
	--from=last-month|2026-10-01 2026-10-31
	--from=this-year|2026-01-01 2026-11-18
	--from=last-year|2025-01-01 2025-12-31
	--from=2026-02|2026-02-01 2026-02-28
	--from=2024-02|2024-02-01 2024-02-29
	--from=2026|2026-01-01 2026-12-31
	--from=2026-W01|2025-12-29 2026-01-04
	--from=2026-W53|2026-12-28 2027-01-03
	--from=2026-10-08|2026-10-08 2026-10-08
	--from=2026-09 --to=last-month|2026-09-01 2026-10-31
	--from=2026-10-08 --to=today|2026-10-08 2026-11-18
	none|2026-11-01 2026-11-18
	EOF
'

test_expect_success 'TWONET_TODAY stands for today as well; the server echoes the period' '
	TWONET_TODAY=2026-01-05 case-report --from last-week --jq "\"\(.from) \(.to)\"" >got &&
	test "$(cat got)" = "2025-12-29 2026-01-04"
'

test_expect_success 'bad periods and groupings are usage errors, nothing sent (exit 2)' '
	test_expect_exit 2 case-report --from 2026-13 2>err && grep -q "invalid period" err &&
	test_expect_exit 2 case-report --from next-week 2>err &&
	test_expect_exit 2 case-report --from 2025-W53 2>err &&
	test_expect_exit 2 case-report --to 2026-10 2>err && grep -q "needs --from" err &&
	test_expect_exit 2 case-report --from 2026-10 --to 2026-09 2>err &&
	test_expect_exit 2 case-report --by severity 2>err &&
	test_expect_exit 2 case-report --today 2026-02-30 2>err &&
	before=$(grep -c "/v1/reports" "$TWONETD_LOG") &&
	test_expect_exit 2 case-report --from 2026-10 --by kind 2>err &&
	test "$(grep -c "/v1/reports" "$TWONETD_LOG")" = "$before"
'

test_expect_success 'CSV reads back with a CSV parser: a row per group and the total' '
	case-report --lang en --from 2026-10 --format csv >oct.csv &&
	perl -MText::ParseWords -ne "chomp; my @f = parse_line(q{,}, 0, \$_);
		print join(q{|}, @f[0,2,11,17,24]), qq{\n}" oct.csv >got &&
	cat >want <<-\EOF &&
	group|received|on_time_rate|days_median|materials_saving_pct
	RSJ|3|66.7|4.5|0
	YBJ|6|50|2|0
	total|9|57.1|2|0
	EOF
	test_cmp want got &&
	test "$(head -n 1 oct.csv | tr , "\n" | wc -l)" = 28
'

test_expect_success 'a text table with the total last, no colour and nothing else on stdout' '
	case-report --lang en --from 2026-10 --format table >table 2>err &&
	test ! -s err &&
	head -n 1 table | grep -q "^GROUP *RECEIVED" &&
	test "$(wc -l <table)" = 4 &&
	tail -n 1 table | grep -q "^total *9 " &&
	! grep -q "$(printf "\033")" table
'

test_expect_success 'SVG: valid XML, one bar per group, renders to PNG' '
	case-report --from 2026-10 --by day --svg day.svg >/dev/null &&
	xmllint --noout day.svg &&
	test "$(grep -c "<rect class=\"bar\"" day.svg)" = 6 &&
	grep -q "<path class=\"line\"" day.svg &&
	rsvg-convert -o day.png day.svg &&
	test "$(head -c 8 day.png | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
	case-report --from 2026-10 --svg - >dept.svg &&
	xmllint --noout dept.svg &&
	test "$(grep -c "<rect class=\"bar\"" dept.svg)" = 2
'

test_expect_success 'an empty period still gives a valid chart and a zero total' '
	case-report --from 2026-03 --svg empty.svg --jq .total.received >got &&
	test "$(cat got)" = 0 &&
	xmllint --noout empty.svg && ! grep -q "class=\"bar\"" empty.svg
'

test_expect_success 'HTML: one page with the table and the chart' '
	case-report --lang en --from 2026-10 --html oct.html >/dev/null &&
	xmllint --noout oct.html &&
	grep -q "<svg" oct.html && grep -q "<td>total</td>" oct.html &&
	test "$(grep -c "<tr" oct.html)" = 4 &&
	case-report --from 2026-10 --html - | grep -q "^<!DOCTYPE html>"
'

# wait_for FILE: until FILE exists (at most 20 s)
wait_for() {
	local i=0
	while [ ! -f "$1" ]; do
		i=$((i + 1)); [ $i -le 400 ] || return 1
		sleep 0.05
	done
}

test_expect_success 'the lock: --no-wait exits 5 while another run holds it' '
	test_when_finished ": >release1" &&
	lock=$XDG_RUNTIME_DIR/twonet-case-report.lock &&
	( flock "$lock" sh -c ": >held1; i=0; while [ ! -f release1 ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i+1)); done; : >gone1" & ) &&
	wait_for held1 &&
	test_expect_exit 5 case-report --no-wait --from 2026-10 >out 2>err &&
	test ! -s out && grep -q "another case-report is running" err &&
	: >release1 && wait_for gone1
'

test_expect_success 'the lock: without --no-wait the second run waits for the first' '
	lock=$XDG_RUNTIME_DIR/twonet-case-report.lock &&
	( flock "$lock" sh -c ": >held2; sleep 1; : >released2" & ) &&
	wait_for held2 &&
	case-report --from 2026-10 --jq .total.received >got &&
	test -f released2 && test "$(cat got)" = 9
'

test_expect_success 'no server: exit 6, nothing on stdout' '
	test_expect_exit 6 case-report --url http://127.0.0.1:1 --retries 0 --from 2026-10 >out 2>err &&
	test ! -s out
'

test_expect_success 'a "one thing" case counts as its sub-cases, never as its umbrella case' '
	restaurant_case >wf.json &&
	case-submit --workflow restaurant -f wf.json --format json >parent.json &&
	day=$(jq -r ".submitted_at[0:10]" parent.json) &&
	subs=$(db_sql "SELECT count(*) FROM cases WHERE workflow = '\''restaurant'\'' AND department <> '\'''\''") &&
	test "$subs" -ge 2 &&
	case-report --from "$day" --by workflow --jq "[.groups[] | [.group, .received]]" >got &&
	test "$(cat got)" = "[[\"restaurant\",$subs]]" &&
	case-report --from "$day" --jq "[.total.received, any(.groups[]; .group == \"\")]" >got &&
	test "$(cat got)" = "[$subs,false]"
'

# parts MESSAGE: each MIME part's content type, file name and decoded body, a line each:
# "TYPE|NAME|first line with TEXT" — enough to check what was mailed
mime_parts() {
	perl -MMIME::Base64 -0777 -ne '
		my ($b) = /boundary="([^"]+)"/ or die "no boundary\n";
		for my $p (split /^--\Q$b\E-?-?\n/m, $_) {
			my ($h, $body) = split /\n\n/, $p, 2;
			next unless defined $body && $h =~ /^Content-Type: ([^;\n]+)/m;
			my $t = $1;
			my $n = $h =~ /filename="([^"]+)"/ ? $1 : "";
			my $d = decode_base64($body);
			print "$t|$n|", length($d), "|", (split /\n/, $d)[0], "\n";
		}' "$1"
}

test_expect_success 'cron: the monthly script mails the HTML page, the CSV and the chart' '
	REPORT_TO=office@example.org SENDMAIL="tee mail.txt" TWONET_TODAY=2026-11-18 \
		"$TWONET_SRC/scripts/cron/case-report-monthly" --lang en >/dev/null 2>err &&
	test ! -s err &&
	grep -q "^To: office@example.org$" mail.txt &&
	grep -q "^Subject: =?UTF-8?B?" mail.txt &&
	mime_parts mail.txt >parts &&
	grep -q "^text/html||[0-9]*|<!DOCTYPE html>$" parts &&
	grep -q "^text/csv|report-[0-9-]*\.csv|[0-9]*|group,name,received," parts &&
	if command -v rsvg-convert >/dev/null; then grep -q "^image/png|chart-" parts; fi &&
	perl -MMIME::Base64 -0777 -ne "print decode_base64(\$1) if /filename=\"report-[^\"]*\"\n.*?\n\n(.*?)\n--/s" mail.txt >mailed.csv &&
	tail -n 1 mailed.csv | grep -q "^total,,9,"
'

test_expect_success 'cron: the daily script reports yesterday; a failed report mails nothing' '
	REPORT_TO=office@example.org SENDMAIL="tee daily.txt" TWONET_TODAY=2026-10-09 \
		"$TWONET_SRC/scripts/cron/case-report-daily" --lang en >/dev/null &&
	perl -MMIME::Base64 -0777 -ne "print decode_base64(\$1) if /filename=\"report-[^\"]*\"\n.*?\n\n(.*?)\n--/s" daily.txt >daily.csv &&
	tail -n 1 daily.csv | grep -q "^total,,3," &&
	rm -f none.txt &&
	test_expect_exit 4 env REPORT_TO=x@example.org SENDMAIL="tee none.txt" \
		TWONET_TOKEN="$OPERATOR" "$TWONET_SRC/scripts/cron/case-report-daily" >/dev/null 2>err &&
	test ! -e none.txt &&
	test_expect_exit 2 env -u REPORT_TO "$TWONET_SRC/scripts/cron/report-mail" x 2>err
'


# Past the calendar (the shipped one ends 2026-12-31): filed with the server's today at
# 2026-12-20, 310000-RS-001 (10 working days) ends on Friday 2027-01-01, counted Monday to
# Friday: a provisional deadline.  P1 stays open; P2 ran from Monday 2026-12-28 to Tuesday
# 2027-01-05: 29, 30, 31 December, then 1, 4 and 5 January counted Monday to Friday: 6 days.
stop_server
TWONET_TODAY=2026-12-20 start_server || exit 1

test_expect_success 'past the calendar: cases with provisional deadlines are counted' '
	file P1 "$RS" "[]" && file P2 "$RS" "[]" &&
	json_eq .deadline_provisional true <ids/P1.json &&
	act P2 accept approve complete &&
	when P1 2026-12-20 - 2027-01-01 2027-01-08 &&
	when P2 2026-12-28 2027-01-05 2027-01-01 2027-01-08 &&
	case-report --from 2026-12-20 --to 2026-12-31 --department RSJ >dec.json &&
	json_eq "[.total.received, .total.provisional_deadlines] | tojson" "[2,2]" <dec.json &&
	json_eq "[.groups[] | [.group, .provisional_deadlines]] | tojson" "[[\"RSJ\",2]]" <dec.json &&
	json_eq "[.total.days_n, .total.days_median] | tojson" "[1,6]" <dec.json &&
	case-report --from 2026-12-20 --to 2026-12-31 --department RSJ --by day \
		--jq "[.groups[] | [.group, .provisional_deadlines, .days_median]]" >got &&
	test "$(cat got)" = "[[\"2026-12-20\",1,null],[\"2026-12-28\",1,6]]"
'

test_expect_success 'past the calendar: a CSV column, a note under the table, in the page and the chart' '
	case-report --lang en --from 2026-12-20 --to 2026-12-31 --department RSJ --format csv >dec.csv &&
	head -n 1 dec.csv | grep -q ",provisional_deadlines$" &&
	tail -n 1 dec.csv | grep -q "^total,.*,2$" &&
	case-report --lang en --from 2026-12-20 --to 2026-12-31 --department RSJ --format table >table 2>err &&
	test ! -s err &&
	tail -n 1 table | grep -qx "all 2 cases have a provisional deadline: counted Monday to Friday through a year the working-day calendar does not know yet" &&
	case-report --from 2026-12-20 --to 2026-12-31 --department RSJ --format table --jq .total >jq.out &&
	! grep -q "provisional deadline:" jq.out &&
	case-report --lang en --from 2026-12-20 --to 2026-12-31 --department RSJ --html dec.html --svg dec.svg >/dev/null &&
	grep -q "<p class=\"provisional\"[^>]*>all 2 cases have a provisional deadline: counted Monday to Friday" dec.html &&
	xmllint --noout dec.svg &&
	grep -q "by department; 2 provisional deadlines (Monday to Friday)</text>" dec.svg
'

test_expect_success 'a period without provisional deadlines: zero, and no note' '
	case-report --from 2026-10 --jq .total.provisional_deadlines >got &&
	test "$(cat got)" = 0 &&
	case-report --lang en --from 2026-10 --format table >table &&
	! grep -q "provisional" table &&
	case-report --lang en --from 2026-10 --html oct.html >/dev/null &&
	! grep -q "provisional" oct.html
'

test_done
