#!/bin/bash
# twonetd backup and restore (issue 14): the database copied by SQLite's online
# backup while the server serves (and while cases are being filed), its audit
# log (PATH.audit, a file of its own) the same way, the keys folder beside it (issuer signing keys, the checkpoint key) copied 0700/0600;
# a restored copy passes 'twonetd audit verify', and a server restarted on it
# serves certificates whose signatures verify and still signs new ones.
# backend: sqlite (twonetd backup and restore copy the SQLite file)
. "$(dirname "$0")/test-lib.sh"

P1=310101199003071230
ITEM=310000-RS-004

issue() {
	api POST /v1/certs "$1" -H "Idempotency-Key: $2" -d "$3" >/dev/null && jq -r .id out.json
}
sbk() {
	printf '{"kind":"CK-SBK","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"card_no":"SB%s","bank":"上海银行","issue_date":"2018-06-01"},"valid_from":"2018-06-01"}' "$1" "$2" "$3"
}
txsp() {
	printf '{"kind":"CK-TXSP","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"approval_no":"TX2026-%s","employer":"上海申城贸易有限公司","retirement_date":"2026-12-01","retirement_type":"正常退休"},"valid_from":"2026-01-05"}' "$1" "$2" "$3"
}
submit() {
	case-submit --item $ITEM --applicant-id $P1 --applicant-name 张三 \
		--field applicant_name=张三 --field applicant_id=$P1 --field retire_date=2026-12-01 \
		--field bank_account=6222021001112223334 --field applicant_phone=13800000000 "$@"
}
mode() { stat -c %a "$1"; }

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
CLERK=$(make_token clerk rs-clerk RSJ)
APP1=$(make_token applicant zhang "" $P1)
SBK1=$(issue "$RS" b1 "$(sbk $P1 张三 001)")
TXSP1=$(issue "$RS" t1 "$(txsp $P1 张三 001)")

test_expect_success 'set up: a case filed with certificates, certificates read (audited)' '
	submit --token "$APP1" --format json >case.json 2>/dev/null &&
	jq -e "[.materials[] | select(.state == \"exempted\")] | length == 2" case.json &&
	cert-fetch --token "$APP1" --purpose 核验 --format ndjson $SBK1 $TXSP1 >certs.ndjson &&
	test "$(wc -l <certs.ndjson)" = 2 &&
	test "$(sqlite_db "$TWONETD_DB" "select count(*) from audit")" -ge 4 &&
	twonetd audit checkpoint --db "$TWONETD_DB" >/dev/null &&
	ls "$TWONETD_DB.keys" | grep -q "^RSJ-.*\.pem$" &&
	test -f "$TWONETD_DB.keys/twonetd.pem"
'

test_expect_success 'backup while the server serves: FILE and FILE.audit 0600, FILE.keys 0700 with every key 0600' '
	twonetd backup --db "$TWONETD_DB" bk.db >out &&
	grep -q "written to bk.db, its audit log to bk.db.audit and" out &&
	test "$(mode bk.db)" = 600 &&
	test "$(mode bk.db.audit)" = 600 &&
	test "$(sqlite3 bk.db.audit "pragma integrity_check")" = ok &&
	test "$(sqlite3 bk.db.audit "select count(*) from audit")" -ge 4 &&
	test "$(sqlite3 bk.db "select count(*) from sqlite_master where name = '\''audit'\''")" = 0 &&
	test "$(mode bk.db.keys)" = 700 &&
	for k in "$TWONETD_DB.keys"/*; do
		cmp "$k" "bk.db.keys/$(basename "$k")" &&
		test "$(mode "bk.db.keys/$(basename "$k")")" = 600 || return 1
	done &&
	test "$(sqlite3 bk.db "pragma integrity_check")" = ok &&
	test "$(sqlite3 bk.db "select count(*) from cases")" = 1 &&
	test ! -e bk.db.tmp && test ! -e bk.db.audit.tmp &&
	cp bk.db nolog.db &&
	test_expect_exit 3 twonetd backup --db nolog.db nolog-bk.db 2>err &&
	grep -q "the audit log .nolog.db.audit. of database .nolog.db. is missing" err &&
	test ! -e nolog-bk.db && test ! -e nolog-bk.db.audit
'

test_expect_success 'backup while cases are being filed: consistent, the writers never refused' '
	body=$(submit --token "$APP1" --dry-run --jq .body | jq -c "del(.materials)") &&
	(
		for i in $(seq 1 60); do
			api POST /v1/cases "$CLERK" -H "Idempotency-Key: load-$i" -d "$body" >>load.status
			echo >>load.status
		done
	) &
	load=$! &&
	sleep 0.3 &&
	twonetd backup --db "$TWONETD_DB" busy.db >/dev/null &&
	twonetd backup --db "$TWONETD_DB" busy.db >/dev/null &&
	wait $load &&
	test "$(grep -c "^201$" load.status)" = 60 &&
	test "$(sqlite3 busy.db "pragma integrity_check")" = ok &&
	n=$(sqlite3 busy.db "select count(*) from cases") &&
	test "$n" -ge 1 && test "$n" -le 61 &&
	twonetd audit verify --db busy.db
'

test_expect_success 'restore refuses the database a server has open, and an existing one without --force' '
	test_expect_exit 5 twonetd restore --db "$TWONETD_DB" --force bk.db 2>err &&
	grep -q "is open" err &&
	cp bk.db other.db &&
	test_expect_exit 5 twonetd restore --db other.db bk.db 2>err &&
	grep -q -- "--force" err &&
	test_expect_exit 3 twonetd restore --db new.db no-such.db 2>err &&
	test_expect_exit 2 twonetd restore bk.db 2>err &&
	cp bk.db lone.db &&
	test_expect_exit 3 twonetd restore --db new.db lone.db 2>err &&
	grep -q "no audit log .lone.db.audit. beside the backup" err &&
	test ! -e new.db && test ! -e new.db.audit
'

test_expect_success 'restore to a new path: permissions kept, the audit chain verifies' '
	mkdir restored &&
	twonetd restore --db restored/twonet.db bk.db >out &&
	grep -q "1 key\|2 keys" out &&
	test "$(mode restored/twonet.db)" = 600 &&
	test "$(mode restored/twonet.db.keys)" = 700 &&
	for k in restored/twonet.db.keys/*; do test "$(mode "$k")" = 600 || return 1; done &&
	twonetd audit verify --db restored/twonet.db >out &&
	grep -q "audit log intact" out &&
	test "$(mode restored/twonet.db.audit)" = 600 &&
	test "$(sqlite_db restored/twonet.db "select count(*) from audit")" = \
	     "$(sqlite_db bk.db "select count(*) from audit")"
'

# disaster recovery: the live database lost what came after the backup
stop_server
twonetd restore --db "$TWONETD_DB" bk.db >/dev/null 2>&1; NOFORCE=$?
twonetd restore --db "$TWONETD_DB" --force bk.db >restore.out 2>&1
start_server || exit 1

test_expect_success 'a server restarted on the restored database: the certificates verify, the keys still sign' '
	test "$NOFORCE" = 5 &&
	grep -q "restored to" restore.out &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from cases")" = 1 &&
	cert-fetch --token "$APP1" --purpose 核验 --format ndjson $SBK1 $TXSP1 >again.ndjson &&
	jq -s -e "map(.verification.valid // .valid) | all" again.ndjson >/dev/null &&
	SBK2=$(issue "$RS" b2 "$(sbk $P1 张三 002)") &&
	cert-fetch --token "$APP1" --purpose 核验 --format ndjson $SBK2 >new.ndjson &&
	twonetd audit verify --db "$TWONETD_DB"
'

test_expect_success 'sqlite:PATH is the same database; a postgresql:// one is refused (exit 2: pg_dump)' '
	twonetd backup --db "sqlite:$TWONETD_DB" viaprefix.db >out &&
	grep -q "backup of $TWONETD_DB written to viaprefix.db" out &&
	test -d viaprefix.db.keys &&
	{ twonetd backup --db postgresql://localhost/twonet pg.db 2>err; test $? = 2; } &&
	grep -q pg_dump err && test ! -e pg.db &&
	{ twonetd restore --db postgres://localhost/twonet bk.db 2>err; test $? = 2; } &&
	grep -q pg_restore err
'

test_expect_success 'an unknown --db scheme is a usage error (exit 2)' '
	{ twonetd init --db mysql://localhost/twonet 2>err; test $? = 2; } &&
	grep -q "unknown database scheme .mysql://." err &&
	{ twonetd backup --db mysql://localhost/twonet x.db 2>err; test $? = 2; } &&
	grep -q "unknown database scheme" err
'

test_done
