#!/bin/bash
# cert-audit: the certificate audit log from the shell (admin): rows by holder,
# certificate, reader, purpose, scenario and period, one page or --all as
# NDJSON; the holder's "who read my certificates" view; reads per day by kind
# and scenario (--stats, GET /v1/audit/stats); the chain checked through the
# API (--verify, GET /v1/audit/verify), and the holder's own rows with
# their own token (--mine, GET /v1/audit/mine), which fails naming the row once the
# database is tampered with.
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230           # the holder
P2=310115198511204566          # another holder, never read

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
ADMIN=$(make_token admin root)
YB=$(make_token clerk yb-clerk YBJ)
APP=$(make_token applicant p "" $P)
OP=$(make_token operator op)
api POST /v1/certs "$RS" -H "Idempotency-Key: sbk" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"SB001\",\"bank\":\"上海银行\",\"issue_date\":\"2018-06-01\"},\"valid_from\":\"2018-06-01\"}" >/dev/null
SBK=$(jq -r .id out.json)
KIND=$(echo "$SBK" | cut -d. -f6)
# The known reads: 3 by the admin (purpose check-A), 2 by the holder (mine),
# 1 by the clerk (purpose check-B, refused or not), 1 of a certificate that
# does not exist (admin, purpose check-A).
for i in 1 2 3; do api GET "/v1/certs/$SBK?purpose=check-A" "$ADMIN" >/dev/null; done
for i in 1 2; do api GET "/v1/certs/$SBK?purpose=mine" "$APP" >/dev/null; done
api GET "/v1/certs/$SBK?purpose=check-B" "$YB" >/dev/null
api GET "/v1/certs/${SBK%.*}.Z?purpose=check-A" "$ADMIN" >/dev/null
export TWONET_TOKEN=$ADMIN
TODAY=$(TZ=Asia/Shanghai date +%F)

test_expect_success 'set up: a certificate and seven reads in the log' '
	case $SBK in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	test "$(db_sql "select count(*) from audit")" = 7
'

test_expect_success 'cert-audit lists rows in seq order as NDJSON on a pipe; a table when asked' '
	cert-audit >rows &&
	test $(wc -l <rows) = 7 &&
	jq -s -e "map(.seq) == [1,2,3,4,5,6,7]" rows &&
	jq -s -e "all(.[]; has(\"hash\") and has(\"prev_hash\") and has(\"outcome\"))" rows &&
	cert-audit --format table >table &&
	head -n 1 table | grep -q "^SEQ  *AT  *ACTOR  *ROLE  *CERT  *HOLDER  *PURPOSE  *OUTCOME"
'

test_expect_success 'filters: holder, certificate, reader, purpose, scenario, and --jq' '
	test $(cert-audit --cert "$SBK" | wc -l) = 6 &&
	test $(cert-audit --reader root | wc -l) = 4 &&
	test $(cert-audit --reader p | wc -l) = 2 &&
	test $(cert-audit --purpose check | wc -l) = 5 &&
	test $(cert-audit --purpose check-B | wc -l) = 1 &&
	test $(cert-audit --scenario clerk | wc -l) = 1 &&
	test $(cert-audit --scenario applicant --purpose mine | wc -l) = 2 &&
	test $(cert-audit --scenario museum | wc -l) = 0 &&
	test "$(cert-audit --reader yb-clerk --jq .purpose)" = check-B &&
	test $(cert-audit --holder $P2 | wc -l) = 0
'

test_expect_success 'period: --since/--until take the period words of case-report' '
	test $(cert-audit --since today | wc -l) = 7 &&
	test $(cert-audit --since this-month --until today | wc -l) = 7 &&
	test $(cert-audit --since "$TODAY" --until "$TODAY" | wc -l) = 7 &&
	test $(cert-audit --until yesterday | wc -l) = 0 &&
	test $(cert-audit --since tomorrow-ish 2>err | wc -l) = 0 &&
	test_expect_exit 2 cert-audit --since tomorrow-ish &&
	test_expect_exit 2 cert-audit --since today --until last-year 2>err &&
	grep -q "ends before" err
'

test_expect_success 'the server filters a page (purpose, role, period): one page holds only the matches' '
	test "$(api GET "/v1/audit?purpose=check&limit=2" "$ADMIN")" = 200 &&
	json_eq "[.items[].purpose | test(\"check\")] | all and length == 2" true <out.json &&
	test "$(api GET "/v1/audit?role=clerk" "$ADMIN")" = 200 &&
	json_eq "[.items[].actor] | join(\",\")" yb-clerk <out.json &&
	test "$(api GET "/v1/audit?since=$TODAY&until=$TODAY&limit=1000" "$ADMIN")" = 200 &&
	json_eq ".items | length" 7 <out.json &&
	test "$(api GET "/v1/audit?until=2000-01-01" "$ADMIN")" = 200 &&
	json_eq ".items | length" 0 <out.json &&
	test "$(api GET "/v1/audit?since=2026-13-01" "$ADMIN")" = 400 &&
	json_eq .field since <out.json &&
	test "$(api GET "/v1/audit?since=2026-12-02&until=2026-12-01" "$ADMIN")" = 400 &&
	json_eq .field until <out.json &&
	test "$(api GET "/v1/audit/mine?purpose=mine" "$APP")" = 200 &&
	json_eq "[.items[].holder] | unique | join(\",\")" "$P" <out.json
'

test_expect_success '-n stops at N and says more exist; --all follows every page (constant memory, cursor paging)' '
	cert-audit -n 2 >two 2>err &&
	test $(wc -l <two) = 2 &&
	grep -q "2 shown, more exist; --all" err &&
	cert-audit -n 3 --purpose check-A >three 2>err &&
	test $(wc -l <three) = 3 && grep -q "more exist" err &&
	cert-audit -n 7 >seven 2>err && test $(wc -l <seven) = 7 && ! grep -q "more" err &&
	for i in $(seq 1 30); do echo "$TWONET_URL/v1/certs/$SBK?purpose=bulk-$i"; done >urls &&
	while read -r u; do curl -sS -o /dev/null -H "Authorization: Bearer $ADMIN" "$u" || return 1; done <urls &&
	cert-audit --all --page 5 >every 2>err &&
	test $(wc -l <every) = 37 &&
	jq -s -e "[.[].seq] == [range(1; 38)]" every &&
	test $(cert-audit --all --page 4 --purpose bulk- | wc -l) = 30 &&
	test $(cert-audit -n 6 --page 4 --purpose bulk- | wc -l) = 6
'

test_expect_success 'the holder view: who read my certificates, as an admin sees it (GET /v1/audit is an admin'"'"'s)' '
	cert-audit --holder $P --all >mine &&
	test $(wc -l <mine) = 36 &&
	jq -s -e "all(.[]; .holder == \"$P\")" mine &&
	jq -s -e "map(.actor) | unique == [\"p\", \"root\", \"yb-clerk\"]" mine &&
	test_expect_exit 4 cert-audit --token "$APP" --holder $P 2>err &&
	grep -q "only an admin" err
'

test_expect_success 'cert-audit --mine: the holder'"'"'s own token reads its own rows (GET /v1/audit/mine), no one else'"'"'s' '
	cert-audit --token "$APP" --mine --all --page 7 >own &&
	cmp own mine &&
	test $(cert-audit --token "$APP" --mine --reader yb-clerk | wc -l) = 1 &&
	test $(cert-audit --token "$APP" --mine --purpose bulk- --all | wc -l) = 30 &&
	KIOSK=$(make_token applicant kiosk) &&
	test_expect_exit 4 cert-audit --token "$KIOSK" --mine 2>err &&
	grep -q "only a holder" err &&
	for t in "$ADMIN" "$YB" "$OP" "$RS"; do
		test_expect_exit 4 cert-audit --token "$t" --mine 2>err || return 1
	done &&
	test_expect_exit 2 cert-audit --mine --holder $P &&
	test_expect_exit 2 cert-audit --mine --stats
'

test_expect_success '--stats: reads per day, kind and scenario against the known reads' '
	cert-audit --stats >stats &&
	jq -s -e "length == 3" stats &&
	jq -s -e "all(.[]; .day == \"$TODAY\")" stats &&
	jq -s -e "map(select(.kind == \"$KIND\" and .scenario == \"admin\")) | .[0] | .reads == 34 and .allowed == 33" stats &&
	jq -s -e "map(select(.kind == \"$KIND\" and .scenario == \"applicant\")) | .[0] | .reads == 2 and .allowed == 2" stats &&
	jq -s -e "map(select(.kind == \"$KIND\" and .scenario == \"clerk\")) | .[0].reads == 1" stats &&
	jq -s -e "all(.[]; .kind == \"$KIND\")" stats &&
	jq -s -e "[.[].reads] | add == 37" stats &&
	test $(cert-audit --stats --until yesterday | wc -l) = 0 &&
	test $(cert-audit --stats --since today --format table | wc -l) = 4 &&
	test_expect_exit 2 cert-audit --stats --holder $P
'

test_expect_success 'roles: the audit log, its stats and its check are an admin'"'"'s (exit 4)' '
	for t in "$YB" "$APP" "$OP" "$RS"; do
		test_expect_exit 4 cert-audit --token "$t" 2>err || return 1
		test_expect_exit 4 cert-audit --token "$t" --stats 2>err || return 1
		test_expect_exit 4 cert-audit --token "$t" --verify 2>err || return 1
	done
'

test_expect_success 'usage: --stats with --verify, --verify with filters, operands, -n 0 (exit 2)' '
	test_expect_exit 2 cert-audit --stats --verify &&
	test_expect_exit 2 cert-audit --verify --holder $P &&
	test_expect_exit 2 cert-audit extra &&
	test_expect_exit 2 cert-audit -n 0 &&
	test_expect_exit 2 cert-audit --bogus
'

test_expect_success '--verify: the chain is whole' '
	cert-audit --verify >v &&
	json_eq .ok true <v && json_eq .rows 37 <v && json_eq .bad_seq null <v
'

test_expect_success '--verify after tampering with a row: exit 1 naming the row' '
	db_sql "$(db_pick "drop trigger audit_no_update" "alter table audit disable trigger user");
		update audit set purpose = '\''nothing'\'' where seq = 5" &&
	test_expect_exit 1 cert-audit --verify >v 2>err &&
	json_eq .ok false <v && json_eq .bad_seq 5 <v &&
	grep -q "audit log broken at seq 5: row 5 was changed" err &&
	twonetd audit verify --db "$TWONETD_DB" | grep -q "broken at seq 5"
'

stop_server
test_done
