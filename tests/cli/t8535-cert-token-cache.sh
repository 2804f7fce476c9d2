#!/bin/bash
# The workers' token cache on the certificate reads (GET /v1/certs/{id} finds
# its token in the worker's cache while the database did not change): with
# two workers that both hold the token, a revoke (over HTTP or with twonetd
# token revoke), a rotation, an expiry (set by hand or come by the clock), a
# role changed by hand, and the last use are each seen by the very next read.
# backend: sqlite (the cache is the SQLite backend's; twonetd-gen-certs writes the file)
. "$(dirname "$0")/test-lib.sh"

TWONETD_DB="$TRASH/twonet.db"
twonetd init --db "$TWONETD_DB" >/dev/null &&
twonetd import catalog --db "$TWONETD_DB" >/dev/null &&
twonetd-gen-certs --db "$TWONETD_DB" --threads 2 4 >/dev/null 2>&1 || exit 1
TWONETD_WORKERS=2 start_server || exit 1
ADMIN=$(make_token admin root)
C=$(sqlite3 "$TWONETD_DB" "select id from certs order by id limit 1")

# read TOKEN: the status of one read of $C (a new connection: either worker)
read_cert() {
	curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" \
		"$TWONET_URL/v1/certs/$C?purpose=t8535"
}
# reads TOKEN STATUS: 16 reads (both workers, in all likelihood) all answer STATUS
reads() {
	for i in $(seq 16); do
		test "$(read_cert "$1")" = "$2" || { echo "read $i: not $2"; return 1; }
	done
}
token_id() {
	db_sql "select id from tokens where name = '$1' and revoked_at is null"
}

test_expect_success 'a revoke over HTTP: the next reads are 401 on both workers' '
	T=$(make_token admin reader-1) &&
	reads "$T" 200 &&
	test "$(api POST "/v1/tokens/$(token_id reader-1)/revoke" "$ADMIN")" = 200 &&
	reads "$T" 401
'

test_expect_success 'twonetd token revoke on the database: the next reads are 401' '
	T=$(make_token admin reader-2) &&
	reads "$T" 200 &&
	twonetd token revoke --db "$TWONETD_DB" "$(token_id reader-2)" >/dev/null &&
	reads "$T" 401
'

test_expect_success 'a rotation: the old secret 401 at once, the new one read' '
	T=$(make_token admin reader-3) &&
	reads "$T" 200 &&
	test "$(api POST "/v1/tokens/$(token_id reader-3)/rotate" "$ADMIN")" = 201 &&
	T2=$(jq -r .token out.json) &&
	reads "$T" 401 &&
	reads "$T2" 200
'

test_expect_success 'an expiry or a role set by hand in the database is seen at once' '
	T=$(make_token admin reader-4) &&
	reads "$T" 200 &&
	db_sql "update tokens set role = '"'"'operator'"'"' where name = '"'"'reader-4'"'"'" &&
	reads "$T" 403 &&
	db_sql "update tokens set expires_at = '"'"'2020-01-01T00:00:00Z'"'"' where name = '"'"'reader-4'"'"'" &&
	reads "$T" 401
'

test_expect_success 'an expiry that comes by the clock: 401 from that second on' '
	T=$(make_token admin reader-5) &&
	db_sql "update tokens set expires_at = strftime('"'"'%Y-%m-%dT%H:%M:%SZ'"'"', '"'"'now'"'"', '"'"'+3 seconds'"'"') where name = '"'"'reader-5'"'"'" &&
	reads "$T" 200 &&
	sleep 4 &&
	reads "$T" 401
'

test_expect_success 'the last use of a cached token is still written once a minute' '
	T=$(make_token admin reader-6) &&
	reads "$T" 200 &&
	id=$(token_id reader-6) &&
	db_sql "select last_used_at from tokens where id = $id" | grep -q "^20[0-9-]*T" &&
	db_sql "update tokens set last_used_at = '"'"'2026-01-01T00:00:00Z'"'"' where id = $id" &&
	test "$(read_cert "$T")" = 200 &&
	test "$(db_sql "select last_used_at from tokens where id = $id")" != 2026-01-01T00:00:00Z
'

test_expect_success 'every read that passed its token has its audit row (113 allowed, 16 refused)' '
	stop_server &&
	test "$(db_sql "select count(*) from audit where purpose = '"'"'t8535'"'"'")" = 129
'

test_done
