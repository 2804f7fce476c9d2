#!/bin/bash
# twonetd copy (issue 15): a city filled on SQLite through a running twonetd (tokens, a
# workflow case and its sub-cases, an issuer, a certificate issued and read, a consent,
# alerts acted on, the calendar) moves to a throwaway PostgreSQL database: every table's
# rows, the audit chain whole with the same head, the issuers' keys into TWONETD_STATE.keys/;
# a twonetd serving the copy answers as the source did; a second copy adds nothing.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

TWONET_TEST_BACKEND=sqlite   # the source is SQLite whatever the suite runs on
P=310101199003071230
pg_start || exit 1
PGU=$(pg_createdb city) || exit 1
start_server || exit 1
SRC=$TWONETD_DB
ADMIN=$(make_token admin 管理员)
export TWONET_TOKEN=$ADMIN
mkdir -p tok state
tok() { cat "$TRASH/tok/$1"; }
st() { cat "$TRASH/state/$1"; }

test_expect_success 'fill the SQLite city: tokens, a workflow case, a certificate read, a consent, alerts, the calendar' '
	token add --role issuer --name 公安局证照 --dept GAJ --jq .token >tok/issuer &&
	token add --role applicant --name 张三 --subject $P --jq .token >tok/holder &&
	token add --role sensor --name 防汛监测 --jq .token >tok/sensor &&
	twonetd calendar import --db "$SRC" "$TWONET_SRC/tests/data/calendar/2027-test.json" >/dev/null &&
	twonetd import assets --db "$SRC" "$TWONET_SRC/tests/data/assets/small.geojson" >/dev/null &&
	restaurant_case >case.json &&
	case-submit --workflow restaurant -f case.json --format json >parent.json &&
	jq -r .id parent.json >state/case &&
	twonetd issuer add --db "$SRC" --dept GAJ >/dev/null &&
	TWONET_TOKEN=$(tok issuer) cert-issue --kind CK-SFZ --holder $P --holder-name 张三 \
		--field name=张三 --field sex=男 --field ethnicity=汉族 --field birth_date=1990-03-07 \
		--field address=上海市黄浦区南京东路1号 --field issuing_office=上海市公安局黄浦分局 \
		--valid-from 2016-01-01 --valid-until 2036-01-01 --key sfz-1 --jq .id >state/sfz &&
	cert-fetch --token "$(tok holder)" --holder $P --purpose 自查 --jq .verification.valid >v &&
	test "$(cat v)" = true &&
	cert-consent --token "$(tok holder)" grant --scenario hospital --kinds CK-SFZ \
		--until "$(date -d "+30 days" +%Y-%m-%d)" >/dev/null &&
	alert-post --token "$(tok sensor)" --source wd-0017 --kind water_depth --severity orange \
		--district huangpu --value 0.32 --unit m --headline "外滩积水" --jq .id >state/alert &&
	alert-post --token "$(tok sensor)" --source wd-0018 --kind water_depth --severity blue \
		--district 310115 --value 0.05 --unit m --headline "世纪大道积水" >/dev/null &&
	alert-act dispatch --crew PT-017 "$(st alert)" >/dev/null &&
	case-show "$(st case)" --format json | jq -S "del(.now)" >src-case.json &&
	alert-list --format json | jq -S . >src-alerts.json &&
	cert-fetch --token "$(tok holder)" "$(st sfz)" --purpose 自查 --jq .doc >src-cert.json &&
	cert-audit --verify | jq -S "del(.checked_at)" >src-verify.json
'
stop_server

count() { # TABLE: rows on the source, then the copy
	echo "$(sqlite_db "$SRC" "SELECT count(*) FROM $1") $(pg_sql "SELECT count(*) FROM $1" "$PGU")"
}

test_expect_success 'twonetd copy to PostgreSQL: every table, counts and the audit chain verified, keys copied' '
	TWONETD_STATE="$TRASH/city" twonetd copy --from "sqlite:$SRC" --to "$PGU" --batch 3 2>err ||
		{ cat err; false; } &&
	grep -q "^copied cases: [1-9][0-9]* rows ([1-9][0-9]* new)$" err &&
	grep -q "^copied audit: [1-9]" err &&
	test "$(grep -c "^copied [a-z_]*: [0-9]* rows" err)" = 22 &&
	grep -q "^copied keys: [1-9]" err &&
	grep -q "^verified: 22 tables, audit log intact" err &&
	for t in tokens cases events certs consents audit alerts alert_events calendar_days issuers assets; do
		set -- $(count $t) && test "$1" = "$2" && test "$1" -gt 0 || { echo "$t: $1 $2" >&2; return 1; }
	done &&
	test "$(sqlite_db "$SRC" "SELECT seq || hash FROM audit_head")" = \
		"$(pg_sql "SELECT seq || hash FROM audit_head" "$PGU")" &&
	ls "$TRASH/city.keys"/GAJ-*.pem >/dev/null || { cat err >&2; false; }
'

test_expect_success 'the asset register copied as it was: positions, documents, versions' '
	sqlite3 "$SRC" "SELECT id, kind, district, lat, lon, state, version FROM assets ORDER BY id" \
		| tr "|" " " >lite.assets &&
	pg_sql "SELECT id, kind, district, lat, lon, state, version FROM assets ORDER BY id" "$PGU" \
		| tr "|" " " >pg.assets &&
	test_cmp lite.assets pg.assets &&
	sqlite3 "$SRC" "SELECT doc FROM assets ORDER BY id" | jq -cS . >lite.docs &&
	pg_sql "SELECT doc FROM assets ORDER BY id" "$PGU" | jq -cS . >pg.docs &&
	test_cmp lite.docs pg.docs
'

test_expect_success 'twonetd copy again: nothing new, nothing doubled' '
	TWONETD_STATE="$TRASH/city" twonetd copy --from "sqlite:$SRC" --to "$PGU" 2>err &&
	test "$(grep -c "^copied [a-z_]*: [0-9]* rows (0 new)$" err)" = 22 &&
	grep -q "^verified: 22 tables" err &&
	set -- $(count cases) && test "$1" = "$2"
'

test_expect_success 'twonetd copy refuses a bad scheme, the same database, missing options (exit 2)' '
	test_expect_exit 2 twonetd copy --from "sqlite:$SRC" --to "mysql://x/y" 2>err &&
	grep -q "unknown database scheme" err &&
	test_expect_exit 2 twonetd copy --from "sqlite:$SRC" --to "$SRC" 2>err &&
	grep -q "the same database" err &&
	test_expect_exit 2 twonetd copy --from "sqlite:$SRC" 2>err
'

# a twonetd on the copy, with the copied keys
TWONETD_STATE="$TRASH/city" twonetd serve --db "$PGU" --listen 127.0.0.1:0 \
	--port-file "$TRASH/pg.port" >"$TRASH/pg-serve.log" 2>&1 &
PGPID=$!
for i in $(seq 1 200); do [ -s "$TRASH/pg.port" ] && break; sleep 0.05; done
export TWONET_URL="http://127.0.0.1:$(cat "$TRASH/pg.port")"

test_expect_success 'the copy answers as the source: case-show, alert-list, cert-audit --verify, cert-fetch' '
	case-show "$(st case)" --format json | jq -S "del(.now)" >dst-case.json &&
	test_cmp src-case.json dst-case.json &&
	alert-list --format json | jq -S . >dst-alerts.json &&
	test_cmp src-alerts.json dst-alerts.json &&
	cert-audit --verify | jq -S "del(.checked_at)" >dst-verify.json &&
	test_cmp src-verify.json dst-verify.json &&
	cert-fetch --token "$(tok holder)" "$(st sfz)" --purpose 自查 >dst-cert.json &&
	json_eq .verification.valid true <dst-cert.json &&
	jq .doc dst-cert.json >dst-doc.json && test_cmp src-cert.json dst-doc.json &&
	jq ".applicant.name = \"新面馆\" | .form.org_name = \"新面馆\"" case.json >case2.json &&
	case-submit --workflow restaurant -f case2.json --format json >new.json 2>/dev/null &&
	test "$(jq -r .id new.json)" != "$(st case)"
'
kill "$PGPID" 2>/dev/null; wait "$PGPID" 2>/dev/null

test_expect_success 'and back: twonetd copy from PostgreSQL to a new SQLite file' '
	twonetd copy --from "$PGU" --to "sqlite:$TRASH/back.db" 2>err &&
	grep -q "^verified: 22 tables" err &&
	test "$(sqlite3 "$TRASH/back.db" "SELECT count(*) FROM cases")" = \
		"$(pg_sql "SELECT count(*) FROM cases" "$PGU")"
'

test_done
