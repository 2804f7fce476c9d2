#!/bin/bash
# The group commit of certificate reads: with two workers and 500 reads in
# parallel (allowed, refused, not found, bad), every read has exactly one
# audit row, the chain verifies, and no reply goes out before its row is in
# the database; when the row cannot be written nothing is served.
# backend: sqlite (twonetd-gen-certs writes the file before the server; sqlite3 holds its write lock)
. "$(dirname "$0")/test-lib.sh"

TWONETD_DB="$TRASH/twonet.db"
twonetd init --db "$TWONETD_DB" >/dev/null &&
twonetd import catalog --db "$TWONETD_DB" >/dev/null &&
twonetd-gen-certs --db "$TWONETD_DB" --threads 2 40 >/dev/null 2>&1 || exit 1
TWONETD_WORKERS=2 TWONETD_AUDIT_STATS=1 start_server || exit 1
ADMIN=$(make_token admin root)
CLERK=$(make_token clerk yb-clerk YBJ)
sqlite3 "$TWONETD_DB" "select id from certs order by id" > ids

# the ISO/IEC 7064 MOD 37,36 check character of $1 (0-9A-Z)
check36() {
	local s=$1 a=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ p=36 i c v
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		v=${a%%"$c"*}
		v=${#v}
		p=$(((p + v) % 36))
		[ $p = 0 ] && p=36
		p=$((p * 2 % 37))
	done
	echo "${a:$(((37 - p) % 36)):1}"
}
# a well-formed id of no certificate: one of ours with serial 99999999
IFS=. read -r _ _ _ _ _ KIND USCC _ _ _ < ids
MISSING=1.2.156.3005.2.$KIND.$USCC.99999999.001.$(check36 "${KIND}${USCC}99999999001")

# the sqlite3 shell waits for a lock as the server does (a worker's last
# close checkpoints the log under an exclusive lock)
audit_rows() {
	sqlite_db "$TWONETD_DB" "select count(*) from audit"
}

# a curl config of 500 reads: 200 by the admin, 100 refused (a clerk with no
# case open: answered 404 as one that does not exist), 100 not found, 100
# without a purpose; each writes its status
reads() {
	local i id
	for i in $(seq 0 499); do
		id=$(sed -n "$((i % 40 + 1))p" ids)
		[ $i -gt 0 ] && echo next
		case $((i % 5)) in
		0|1) printf 'header = "Authorization: Bearer %s"\nurl = "%s/v1/certs/%s?purpose=batch-%d"\n' \
			"$ADMIN" "$TWONET_URL" "$id" $i ;;
		2) printf 'header = "Authorization: Bearer %s"\nurl = "%s/v1/certs/%s?purpose=batch-%d"\n' \
			"$CLERK" "$TWONET_URL" "$id" $i ;;
		3) printf 'header = "Authorization: Bearer %s"\nurl = "%s/v1/certs/%s?purpose=batch-%d"\n' \
			"$ADMIN" "$TWONET_URL" "$MISSING" $i ;;
		4) printf 'header = "Authorization: Bearer %s"\nurl = "%s/v1/certs/%s"\n' \
			"$ADMIN" "$TWONET_URL" "$id" ;;
		esac
		printf 'output = "body.%d"\nwrite-out = "%%{http_code}\\n"\n' $i
	done
}

q() {
	sqlite_db "$TWONETD_DB" "$1"
}

test_expect_success 'set up: 40 certificates, two workers' '
	test "$(wc -l < ids)" = 40 &&
	case $MISSING in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	test "$(q "select count(*) from certs where id = '\''$MISSING'\''")" = 0 &&
	test "$(audit_rows)" = 0
'

test_expect_success '500 reads in parallel: each answered, each with one audit row' '
	reads > reads.cfg &&
	curl -sS --parallel --parallel-max 64 -K reads.cfg > codes &&
	test "$(wc -l < codes)" = 500 &&
	test "$(grep -c "^200$" codes)" = 200 &&
	test "$(grep -c "^404$" codes)" = 200 &&
	test "$(grep -c "^400$" codes)" = 100 &&
	test "$(audit_rows)" = 500 &&
	test "$(grep -c " GET /v1/certs/" "$TWONETD_LOG")" = 500
'

test_expect_success 'the rows are the reads: outcome, actor and purpose of each' '
	test "$(q "select count(*) from audit where outcome = '\''allowed'\'' and actor = '\''root'\''")" = 200 &&
	test "$(q "select count(*) from audit where outcome = '\''forbidden'\'' and actor = '\''yb-clerk'\''")" = 100 &&
	test "$(q "select count(*) from audit where outcome = '\''not-found'\'' and cert = '\''$MISSING'\''")" = 100 &&
	test "$(q "select count(*) from audit where outcome = '\''bad-request'\'' and purpose is null")" = 100 &&
	test "$(q "select count(distinct purpose) from audit where purpose like '\''batch-%'\''")" = 400 &&
	test "$(q "select min(seq) || '\'' '\'' || max(seq) || '\'' '\'' || count(distinct seq) from audit")" = "1 500 500"
'

test_expect_success 'an allowed read is the stored certificate, byte for byte' '
	q "select doc from certs where id = '\''$(head -n 1 ids)'\''" | tr -d "\n" > want &&
	test_cmp want body.0
'

test_expect_success 'the chain verifies' '
	twonetd audit verify --db "$TWONETD_DB"
'

test_expect_success 'purposes of every kind of character: control characters refused, the chain still verifies' '
	before=$(audit_rows) &&
	for p in "%E4%B8%AD%E6%96%87%20%E7%94%A8%E9%80%94" "a%22b%5Cc" "%F0%9F%98%80" \
		"tab%09nl%0Acr%0D" "bell%07del%7Fesc%1B" "nul%00cut" "bad%FFutf8" "%C0%AF"; do
		curl -sS -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $ADMIN" \
			"$TWONET_URL/v1/certs/$(head -n 1 ids)?purpose=$p" || return 1
	done > pcodes &&
	test "$(head -n 3 pcodes | grep -c "^200$")" = 3 &&
	test "$(tail -n 5 pcodes | grep -c "^400$")" = 5 &&
	test "$(audit_rows)" -ge $((before + 3)) &&
	test "$(q "select count(*) from audit where purpose = '\''中文 用途'\''")" = 1 &&
	test "$(q "select count(*) from audit where purpose = '\''a\"b\\c'\''")" = 1 &&
	test "$(q "select count(*) from audit where purpose like '\''nul%'\'' or purpose like '\''tab%'\''")" = 0 &&
	twonetd audit verify --db "$TWONETD_DB"
'

test_expect_success 'a reply comes only after its row is in the database' '
	id=$(head -n 1 ids) &&
	for i in $(seq 20); do
		before=$(audit_rows) &&
		code=$(curl -sS -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
			"$TWONET_URL/v1/certs/$id?purpose=one-by-one") &&
		test "$code" = 200 &&
		test "$(audit_rows)" = $((before + 1)) || return 1
	done
'

test_expect_success 'when the row cannot be written nothing is served: 500 and no body' '
	before=$(audit_rows) &&
	test_when_finished "q \"drop trigger if exists audit_fail\"" &&
	q "create trigger log.audit_fail before insert on audit begin select raise(abort, '\''disk says no'\''); end" &&
	code=$(curl -sS -o fail.json -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
		"$TWONET_URL/v1/certs/$(head -n 1 ids)?purpose=fail") &&
	test "$code" = 500 &&
	jq -e ".detail | test(\"audit log\")" fail.json >/dev/null &&
	! grep -q "signature" fail.json &&
	test "$(audit_rows)" = "$before" &&
	q "drop trigger audit_fail" &&
	code=$(curl -sS -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
		"$TWONET_URL/v1/certs/$(head -n 1 ids)?purpose=after") &&
	test "$code" = 200 &&
	test "$(audit_rows)" = $((before + 1)) &&
	twonetd audit verify --db "$TWONETD_DB"
'

# hold_lock FILE: a sqlite3 shell ($lpid) holds FILE's write lock until "commit;" goes to fd 9
# (it waits for the lock as the server does: a worker may be writing the file at that moment)
hold_lock() {
	local i=0
	mkfifo "$1.ctl" &&
	{ sqlite3 -cmd ".timeout 10000" "$1" <"$1.ctl" >"$1.lock.out" 2>&1 & } &&
	lpid=$! &&
	exec 9>"$1.ctl" &&
	echo "begin immediate;" >&9 &&
	while sqlite3 "$1" ".timeout 0" "begin immediate; rollback;" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 400 ] || { cat "$1.lock.out"; return 1; }
		sleep 0.05
	done
}

test_expect_success 'while another connection holds the audit log'"'"'s write lock: reads wait, the rest is served' '
	before=$(audit_rows) &&
	test_when_finished "exec 9>&-" &&
	hold_lock "$TWONETD_DB.audit" &&
	{ curl -sS -o held.json -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
		"$TWONET_URL/v1/certs/$(head -n 1 ids)?purpose=held" > held.code 9>&- & } &&
	cpid=$! &&
	test_expect_exit 28 curl -sS -o /dev/null --max-time 1 -H "Authorization: Bearer $ADMIN" \
		"$TWONET_URL/v1/certs/$(head -n 1 ids)?purpose=gave-up" 2>/dev/null &&
	for i in 1 2 3 4; do
		test "$(curl -sS -o /dev/null -w "%{http_code}" "$TWONET_URL/v1/health")" = 200 || return 1
	done &&
	kill -0 $cpid &&
	test "$(audit_rows)" = "$before" &&
	echo "commit;" >&9 &&
	exec 9>&- &&
	wait $cpid &&
	wait $lpid &&
	test "$(cat held.code)" = 200 &&
	jq -e .signature held.json >/dev/null &&
	test "$(audit_rows)" = $((before + 2)) &&
	test "$(q "select count(*) from audit where purpose = '\''gave-up'\''")" = 1 &&
	twonetd audit verify --db "$TWONETD_DB"
'

# the log is a file of its own (twonetd(8) FILES): appends take its lock, not the database's
test_expect_success 'while another connection holds the database'"'"'s write lock: reads are served and audited' '
	before=$(audit_rows) &&
	test_when_finished "exec 9>&-" &&
	hold_lock "$TWONETD_DB" &&
	for i in 1 2 3; do
		test "$(curl -sS -o /dev/null -w "%{http_code}" --max-time 30 -H "Authorization: Bearer $ADMIN" \
			"$TWONET_URL/v1/certs/$(head -n 1 ids)?purpose=db-locked-$i" 9>&-)" = 200 || return 1
	done &&
	test "$(audit_rows)" = $((before + 3)) &&
	! sqlite3 "$TWONETD_DB" ".timeout 0" "begin immediate; rollback;" 2>/dev/null &&
	echo "commit;" >&9 &&
	exec 9>&- &&
	wait $lpid &&
	test "$(q "select count(*) from audit where purpose like '\''db-locked-%'\''")" = 3 &&
	twonetd audit verify --db "$TWONETD_DB"
'

# the index file of the audit log's lookups by holder and certificate
IX="$TWONETD_DB.audit-index"
ix() {
	sqlite3 -cmd ".timeout 10000" "$IX" "$1"
}
HOLDER=$(q "select holder from audit where holder is not null order by seq limit 1")
CERT=$(head -n 1 ids)

test_expect_success 'lookups by holder and certificate: from DB.audit-index, not the database' '
	test -f "$IX" &&
	test "$(q "select count(*) from sqlite_master where name in ('\''audit_ix'\'', '\''audit_holder'\'', '\''audit_cert'\'')")" = 0 &&
	TWONET_TOKEN=$ADMIN cert-audit --all --holder "$HOLDER" --jq .seq > by-holder &&
	TWONET_TOKEN=$ADMIN cert-audit --all --cert "$CERT" --jq .seq > by-cert &&
	q "select seq from audit where holder = '\''$HOLDER'\'' order by seq" > want-holder &&
	q "select seq from audit where cert = '\''$CERT'\'' order by seq" > want-cert &&
	test "$(wc -l < want-cert)" -gt 1 &&
	test_cmp want-holder by-holder &&
	test_cmp want-cert by-cert
'

stop_server

test_expect_success 'a stopped server has indexed every row, up to the log'"'"'s head' '
	test "$(ix "select seq from ix_head")" = "$(audit_rows)" &&
	test "$(ix "select seq || '\'' '\'' || hash from ix_head")" = \
		"$(q "select seq || '\'' '\'' || hash from audit order by seq desc limit 1")" &&
	test "$(ix "select count(*) from ix_bloom")" = $(( ($(audit_rows) >> 11) + 1 ))
'

# derived data: a lost index file is made again from the log
rm -f "$IX" "$IX-wal" "$IX-shm"
TWONETD_WORKERS=2 TWONETD_AUDIT_STATS=1 start_server || exit 1

test_expect_success 'a missing index file is made again, and filled from the log' '
	test -f "$IX" &&
	TWONET_TOKEN=$ADMIN cert-audit --all --holder "$HOLDER" --jq .seq > by-holder2 &&
	TWONET_TOKEN=$ADMIN cert-audit --all --cert "$CERT" --jq .seq > by-cert2 &&
	test_cmp want-holder by-holder2 &&
	test_cmp want-cert by-cert2 &&
	n=0 &&
	while [ "$(ix "select seq from ix_head")" != "$(audit_rows)" ]; do
		n=$((n + 1)); [ $n -lt 600 ]; sleep 0.05
	done
'

test_expect_success 'reads in flight at shutdown are written before they are answered' '
	before=$(audit_rows) &&
	reads > reads2.cfg &&
	{ curl -sS --parallel --parallel-max 64 -K reads2.cfg > codes2 2>curl.err & } &&
	cpid=$! &&
	sleep 0.1 &&
	stop_server &&
	{ wait $cpid || true; } &&
	served=$(awk "/^(200|400|403|404)\$/ { n++ } END { print n + 0 }" codes2) &&
	say "shutdown: $served of 500 reads answered before the port closed" &&
	test "$(audit_rows)" -ge $((before + served)) &&
	twonetd audit verify --db "$TWONETD_DB" &&
	grep "audit: [0-9]* rows in [0-9]* transactions" "$TWONETD_LOG" | sed "s/^/# /" &&
	! grep "Sanitizer" "$TWONETD_LOG"
'

# TWONETD_SYNCHRONOUS: each commit synced before its reply ("full"), or a refusal
test_expect_success 'TWONETD_SYNCHRONOUS of another value: no command starts (exit 2), naming it' '
	rc=0 &&
	TWONETD_SYNCHRONOUS=always twonetd serve --db "$TWONETD_DB" --listen 127.0.0.1:0 \
		2>err || rc=$? &&
	test "$rc" = 2 &&
	grep -F "TWONETD_SYNCHRONOUS is '"'"'always'"'"': use '"'"'normal'"'"' (the default) or '"'"'full'"'"'" err &&
	rc=0 &&
	TWONETD_SYNCHRONOUS=always twonetd token list --db "$TWONETD_DB" 2>err || rc=$? &&
	test "$rc" = 2 &&
	grep -F "TWONETD_SYNCHRONOUS is" err
'

TWONETD_SYNCHRONOUS=full TWONETD_WORKERS=2 start_server || exit 1

test_expect_success 'TWONETD_SYNCHRONOUS=full: 500 reads in parallel, each answered after its row' '
	before=$(audit_rows) &&
	reads > reads3.cfg &&
	curl -sS --parallel --parallel-max 64 -K reads3.cfg > codes3 &&
	test "$(grep -c "^200$" codes3)" = 200 &&
	test "$(audit_rows)" = $((before + 500)) &&
	twonetd audit verify --db "$TWONETD_DB"
'

stop_server

test_done
