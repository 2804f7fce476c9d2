#!/bin/bash
# The audit chain's tail: someone who can write the database deletes the
# newest rows and rewinds audit_head, and the hash chain alone still reads
# intact.  Workers sign the head (SM2 over SM3, the server's own key beside
# the database) every N rows (at most one such a least gap), every T seconds
# and when they stop, one line
# appended to DB.checkpoints; `twonetd audit verify --checkpoints FILE`
# catches the truncated or rewritten tail (exit 7), and the openssl tool
# checks a line on its own.
# backend: sqlite (the checkpoints are checked against .backup copies of the file cut short)
. "$(dirname "$0")/test-lib.sh"

TWONETD_DB="$TRASH/twonet.db"
twonetd init --db "$TWONETD_DB" >/dev/null &&
twonetd import catalog --db "$TWONETD_DB" >/dev/null &&
twonetd-gen-certs --db "$TWONETD_DB" 4 >/dev/null 2>&1 || exit 1
CKPT="$TWONETD_DB.checkpoints"
KEY="$TWONETD_DB.keys/twonetd.pem"
TWONETD_AUDIT_CHECKPOINT_ROWS=5 TWONETD_AUDIT_CHECKPOINT_SECONDS=3600 TWONETD_AUDIT_CHECKPOINT_MIN_MS=0 \
	start_server || exit 1
ADMIN=$(make_token admin root)
ID=$(sqlite3 "$TWONETD_DB" "select id from certs order by id limit 1")

# read N: N reads one after another (each its own commit)
read_n() {
	local i
	for i in $(seq "$1"); do
		test "$(api GET "/v1/certs/$ID?purpose=tail-$i" "$ADMIN")" = 200 || return 1
	done
}
rows() {
	sqlite_db "$TWONETD_DB" "select count(*) from audit"
}
# cut DB to its first N rows and set its head back to match, as an intruder would
cut_tail() {
	sqlite_db "$1" "drop trigger audit_no_delete; delete from audit where seq > $2;
		update audit_head set seq = $2, hash = (select hash from audit where seq = $2);"
}

# a worker's thread signs and writes the lines (the reads do not wait for them)
test_expect_success 'every 5 rows a checkpoint; the key made 0600 beside the database' '
	test ! -e "$KEY" &&
	read_n 12 &&
	wait_lines "$CKPT" 2 &&
	test "$(wc -l <"$CKPT")" = 2 &&
	test "$(jq -s -c "map(.seq)" "$CKPT")" = "[5,10]" &&
	test "$(stat -c %a "$KEY")" = 600 &&
	test "$(stat -c %a "$TWONETD_DB.keys")" = 700 &&
	test "$(jq -r .head <(tail -n 1 "$CKPT"))" = "$(sqlite_db "$TWONETD_DB" "select hash from audit where seq = 10")" &&
	grep -q "twonetd: audit checkpoint {" "$TWONETD_LOG"
'

test_expect_success 'a worker that stops checkpoints its last rows' '
	stop_server &&
	{ test "$(jq -s -c "map(.seq)" "$CKPT")" = "[5,10,12]" ||
		{ cat "$CKPT"; tail -n 20 "$TWONETD_LOG"; false; }; } &&
	twonetd audit verify --db "$TWONETD_DB" --checkpoints "$CKPT" >out &&
	grep -q "audit log intact: 12 rows; 3 checkpoints hold, the newest row 12 signed at" out
'

test_expect_success 'a checkpoint verifies with the openssl tool (SM3, distid 1234567812345678)' '
	tail -n 1 "$CKPT" >line &&
	jq -cSj "del(.sig)" line >content &&
	jq -r .sig line | base64 -d >sig.der &&
	openssl pkey -in "$KEY" -pubout -out pub.pem &&
	openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678 -signature sig.der content &&
	test "$(jq -r .key_id line)" = "$(openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -c1-16)"
'

test_expect_success 'a truncated tail: the chain alone reads intact, the checkpoints say truncated (exit 7)' '
	sqlite_db_copy "$TWONETD_DB" cut.db &&
	cut_tail cut.db 8 &&
	twonetd audit verify --db cut.db >out &&
	grep -q "audit log intact: 8 rows" out &&
	test_expect_exit 7 twonetd audit verify --db cut.db --checkpoints "$CKPT" --key "$KEY" >out &&
	grep -q "audit log broken at seq 10: truncated: .* records row 10, but the chain ends at row 8" out
'

test_expect_success 'a rewritten tail (cut, then new rows through the server) shows too (exit 7)' '
	cp "$CKPT" saved.ckpt &&
	cut_tail "$TWONETD_DB" 10 &&
	TWONETD_AUDIT_CHECKPOINT_ROWS=5 start_server &&
	read_n 2 &&
	stop_server &&
	test "$(rows)" = 12 &&
	twonetd audit verify --db "$TWONETD_DB" >out &&
	grep -q "audit log intact: 12 rows" out &&
	test_expect_exit 7 twonetd audit verify --db "$TWONETD_DB" --checkpoints saved.ckpt >out &&
	grep -q "audit log broken at seq 12: rewritten: row 12 is not the one saved.ckpt line 3" out &&
	test_expect_exit 7 twonetd audit verify --db "$TWONETD_DB" --checkpoints "$CKPT" >out &&
	grep -q "rewritten: row 12" out
'

test_expect_success 'forged lines: a changed seq, another key, not JSON (exit 7); a cut-short last line is skipped' '
	twonetd init --db other.db >/dev/null &&
	sqlite_db_copy "$TWONETD_DB" fresh.db && rm -f fresh.db.checkpoints &&
	twonetd audit checkpoint --db fresh.db --checkpoints good.ckpt >out &&
	test "$(jq -r .seq out)" = 12 &&
	test "$(stat -c %a fresh.db.keys/twonetd.pem)" = 600 &&
	twonetd audit verify --db fresh.db --checkpoints good.ckpt >out &&
	grep -q "1 checkpoint hold" out &&
	sed "s/\"seq\":12/\"seq\":11/" good.ckpt >seq.ckpt &&
	test_expect_exit 7 twonetd audit verify --db fresh.db --checkpoints seq.ckpt >out &&
	grep -q "audit checkpoints broken: seq.ckpt line 1: bad signature" out &&
	{ cat good.ckpt; sed "s/\"key_id\":\"[0-9a-f]*\"/\"key_id\":\"0123456789abcdef\"/" good.ckpt; } >key.ckpt &&
	test_expect_exit 7 twonetd audit verify --db fresh.db --checkpoints key.ckpt >out &&
	grep -q "line 2: signed with key 0123456789abcdef, not the server" out &&
	{ cat good.ckpt; echo "not json"; } >junk.ckpt &&
	test_expect_exit 7 twonetd audit verify --db fresh.db --checkpoints junk.ckpt >out &&
	grep -q "line 2: not a checkpoint" out &&
	{ cat good.ckpt; head -c 40 good.ckpt; } >torn.ckpt &&
	twonetd audit verify --db fresh.db --checkpoints torn.ckpt >out 2>err &&
	grep -q "torn.ckpt line 2 is cut short" err
'

test_expect_success 'the server log'"'"'s lines (a journal) check as well; the public key alone is enough' '
	grep "twonetd: audit checkpoint" "$TWONETD_LOG" | head -n 3 | sed "s/^/Dec 03 10:00:00 host /" >journal &&
	test "$(wc -l <journal)" = 3 &&
	sqlite_db_copy "$TWONETD_DB" j.db &&
	openssl pkey -in "$KEY" -pubout -out pub.pem &&
	test_expect_exit 7 twonetd audit verify --db j.db --checkpoints journal --key pub.pem >out &&
	grep -q "rewritten: row 12" out &&
	head -n 2 journal >journal2 &&
	twonetd audit verify --db j.db --checkpoints journal2 --key pub.pem >out &&
	grep -q "2 checkpoints hold, the newest row 10" out
'

test_expect_success 'exit 1 when it cannot check, 2 for usage; a plain verify points at the file' '
	test_expect_exit 1 twonetd audit verify --db "$TWONETD_DB" --checkpoints nothing-here 2>err &&
	grep -q "cannot read" err &&
	test_expect_exit 1 twonetd audit verify --db other.db --checkpoints "$CKPT" 2>err &&
	grep -q "server.s key" err &&
	test_expect_exit 2 twonetd audit verify --db "$TWONETD_DB" --key "$KEY" 2>err &&
	test_expect_exit 2 twonetd audit frobnicate 2>err &&
	twonetd audit verify --db "$TWONETD_DB" >out 2>err &&
	grep -q "not checked against .*twonet.db.checkpoints" err &&
	twonetd audit checkpoint --db other.db >out &&
	grep -q "empty" out
'

test_expect_success 'every T seconds a worker that wrote rows checkpoints them' '
	TWONETD_AUDIT_CHECKPOINT_ROWS=1000 TWONETD_AUDIT_CHECKPOINT_SECONDS=1 start_server &&
	before=$(wc -l <"$CKPT") &&
	read_n 1 &&
	for i in $(seq 50); do
		test "$(wc -l <"$CKPT")" -gt "$before" && break
		sleep 0.1
	done &&
	test "$(jq -s ".[-1].seq" "$CKPT")" = "$(rows)" &&
	stop_server &&
	test "$(wc -l <"$CKPT")" = $((before + 1))
'

# the least gap (TWONETD_AUDIT_CHECKPOINT_MIN_MS): one line for the rows past the count, not one each N
# gap_start MS: a server with a count of 2 and a least gap of MS; $before lines and $r0 rows
# before it, then two reads, signed at once (the worker's first checkpoint)
gap_start() {
	TWONETD_AUDIT_CHECKPOINT_ROWS=2 TWONETD_AUDIT_CHECKPOINT_SECONDS=3600 \
		TWONETD_AUDIT_CHECKPOINT_MIN_MS=$1 start_server &&
	before=$(wc -l <"$CKPT") && r0=$(rows) &&
	read_n 2 &&
	wait_lines "$CKPT" $((before + 1))
}

test_expect_success 'rows past the count within the least gap wait: one line for them when the worker stops' '
	gap_start 3600000 &&
	test "$(jq -s ".[-1].seq" "$CKPT")" = $((r0 + 2)) &&
	read_n 4 &&
	stop_server &&
	test "$(wc -l <"$CKPT")" = $((before + 2)) &&
	test "$(jq -s -c ".[-2:] | map(.seq)" "$CKPT")" = "[$((r0 + 2)),$((r0 + 6))]"
'

test_expect_success 'rows held back by the least gap are signed once it has passed' '
	gap_start 300 &&
	read_n 3 &&
	for i in $(seq 100); do
		test "$(jq -s ".[-1].seq" "$CKPT")" = $((r0 + 5)) && break
		sleep 0.1
	done &&
	test "$(jq -s ".[-1].seq" "$CKPT")" = $((r0 + 5)) &&
	n=$(wc -l <"$CKPT") &&
	test "$n" -le $((before + 3)) &&
	stop_server &&
	test "$(wc -l <"$CKPT")" = "$n"
'

test_expect_success 'a checkpoint that cannot be written: the reads go on, one error, tried again at the next tick' '
	errs() { grep -c "twonetd: error: audit checkpoint: cannot open .*later/ckpt" "$TWONETD_LOG" || true; } &&
	e0=$(errs) &&
	TWONETD_AUDIT_CHECKPOINTS="$TRASH/later/ckpt" TWONETD_AUDIT_CHECKPOINT_ROWS=2 \
		TWONETD_AUDIT_CHECKPOINT_SECONDS=1 start_server &&
	read_n 6 &&
	for i in $(seq 100); do
		test "$(errs)" -gt "$e0" && break
		sleep 0.1
	done &&
	test "$(errs)" = $((e0 + 1)) &&
	mkdir "$TRASH/later" &&
	wait_lines "$TRASH/later/ckpt" 1 &&
	test "$(jq -s ".[-1].seq" "$TRASH/later/ckpt")" = "$(rows)" &&
	stop_server &&
	test "$(errs)" = $((e0 + 1)) &&
	twonetd audit verify --db "$TWONETD_DB" --checkpoints "$TRASH/later/ckpt" >out &&
	grep -q "audit log intact: $(rows) rows" out
'

# schema 15: the log in DB.audit, a file of its own (twonetd(8) FILES)
# a schema-14 copy of the database: its log back inside it, no DB.audit
old_layout() {
	sqlite_db_copy "$TWONETD_DB" "$1" &&
	{
		sqlite3 "$1.audit" "select sql || ';' from sqlite_master where sql is not null
			order by type = 'trigger'" &&
		sqlite3 "$1.audit" ".mode insert audit" "select * from audit" &&
		sqlite3 "$1.audit" ".mode insert audit_head" "select * from audit_head"
	} | sqlite3 "$1" &&
	sqlite3 "$1" "pragma user_version = 14" &&
	rm "$1.audit"
}

test_expect_success 'init moves a schema-14 database'"'"'s audit log into DB.audit: every row, the chain verifies' '
	old_layout old.db &&
	chmod 660 old.db &&
	n=$(sqlite3 old.db "select count(*) from audit") &&
	test "$n" = "$(rows)" && test "$n" -gt 10 &&
	test_must_fail twonetd audit verify --db old.db 2>err &&
	grep -q "at schema 14, not 17 (run .twonetd init" err &&
	twonetd init --db old.db >out &&
	grep -q "schema 17" out &&
	test "$(stat -c %a old.db.audit)" = 660 &&
	test "$(sqlite3 old.db "select count(*) from sqlite_master where name like '\''audit%'\''")" = 0 &&
	test "$(sqlite3 old.db.audit "select count(*) from audit")" = "$n" &&
	test "$(sqlite3 old.db.audit "select seq || hash from audit_head")" = \
		"$(sqlite_db "$TWONETD_DB" "select seq || hash from audit_head")" &&
	twonetd audit verify --db old.db >out &&
	grep -q "audit log intact: $n rows" out &&
	test_must_fail sqlite3 old.db.audit "delete from audit where seq = 1" 2>err &&
	grep -q "append-only" err &&
	twonetd init --db old.db >/dev/null &&
	test "$(sqlite3 old.db.audit "select count(*) from audit")" = "$n"
'

test_expect_success 'a database without its DB.audit is refused; init does not make an empty log' '
	cp old.db lost.db &&
	test_must_fail twonetd audit verify --db lost.db 2>err &&
	grep -q "the audit log .lost.db.audit. of database .lost.db. is missing" err &&
	test_must_fail twonetd init --db lost.db 2>err &&
	grep -q "is missing" err &&
	test ! -e lost.db.audit &&
	test_must_fail twonetd serve --db lost.db --listen 127.0.0.1:0 2>err &&
	grep -q "is missing" err
'

test_expect_success 'the move refuses a DB.audit ahead of the database'"'"'s own log, and keeps both' '
	old_layout ahead.db &&
	sqlite3 ahead.db "drop trigger if exists audit_no_delete; delete from audit where seq > 9;
		update audit_head set seq = 9, hash = (select hash from audit where seq = 9)" &&
	sqlite3 "$TWONETD_DB.audit" ".backup ahead.db.audit" &&
	n=$(sqlite3 ahead.db.audit "select count(*) from audit") &&
	test_must_fail twonetd init --db ahead.db 2>err &&
	grep -q "the audit log .ahead.db.audit. is at row $n, the database.s own at 9" err &&
	test "$(sqlite3 ahead.db "pragma user_version")" = 14 &&
	test "$(sqlite3 ahead.db "select count(*) from audit")" = 9 &&
	test "$(sqlite3 ahead.db.audit "select count(*) from audit")" = "$n"
'

test_done
