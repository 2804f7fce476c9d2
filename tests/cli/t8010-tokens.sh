#!/bin/bash
# Token administration: twonetd token add --expires|list|revoke on the local
# database, and GET/POST /v1/tokens, revoke and rotate over HTTP on two
# workers (a worker keeps the tokens it found only while the database is
# unchanged: a revoked token is refused at once; t8535 on the certificate reads).
. "$(dirname "$0")/test-lib.sh"

TWONETD_WORKERS=2 start_server || exit 1
ADMIN=$(make_token admin root)
DADMIN=$(make_token admin rs-admin RSJ)
RS=$(make_token clerk rs-clerk RSJ)
YB=$(make_token clerk yb-clerk YBJ)
OP=$(make_token operator op-1)

# now + N seconds as a UTC time
later() { date -u -d "+$1 seconds" +%Y-%m-%dT%H:%M:%SZ; }
# poll TOKEN STATUS SECONDS: until GET /v1/items answers STATUS, at most SECONDS
poll() {
	local end=$(( $(date +%s%N) + $3 * 1000000000 ))
	while [ "$(api GET /v1/items "$1")" != "$2" ]; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
	done
}

test_expect_success 'twonetd token add refuses an unknown role or department (exit 7, named)' '
	test_expect_exit 7 twonetd token add --db "$TWONETD_DB" --role boss --name x 2>err &&
	grep -q "unknown role '"'"'boss'"'"'" err &&
	test_expect_exit 7 twonetd token add --db "$TWONETD_DB" --role clerk --name x --dept ZZZ 2>err &&
	grep -q "unknown department '"'"'ZZZ'"'"'" err &&
	test_expect_exit 7 twonetd token add --db "$TWONETD_DB" --role admin --name x \
		--expires soon 2>err &&
	grep -q "soon" err &&
	test_expect_exit 2 twonetd token ad 2>err
'

test_expect_success 'a token with an expiry works until then and is 401 after' '
	T=$(twonetd token add --db "$TWONETD_DB" --role clerk --name brief --dept RSJ \
		--expires "$(later 2)") &&
	test "$(api GET /v1/items "$T")" = 200 &&
	poll "$T" 401 6 &&
	json_eq .detail "unknown token" <out.json &&
	twonetd token list --db "$TWONETD_DB" --all >list &&
	grep -q "expired  clerk      RSJ" list &&
	twonetd token list --db "$TWONETD_DB" >list &&
	! grep -q brief list
'

test_expect_success 'GET /v1/tokens lists tokens with their last use, never a secret' '
	test "$(api GET /v1/tokens "$ADMIN")" = 200 &&
	jq -e "[.items[] | select(.name == \"root\")][0].last_used_at | test(\"^20[0-9-]+T\")" out.json &&
	jq -e "[.items[] | select(.name == \"rs-clerk\")][0].state == \"active\"" out.json &&
	! grep -q "tn_" out.json &&
	! jq -e ".items[] | select(.name == \"brief\")" out.json &&
	test "$(api GET "/v1/tokens?all=1" "$ADMIN")" = 200 &&
	jq -e ".items[] | select(.name == \"brief\") | .state == \"expired\"" out.json &&
	test "$(api GET /v1/tokens "$RS")" = 403
'

test_expect_success 'POST /v1/tokens: the secret once; an unknown role or department is 422 naming it' '
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"clerk\",\"name\":\"new\",\"dept\":\"YBJ\",\"expires\":\"2099-01-01\"}")" = 201 &&
	json_eq .expires_at 2099-01-01T00:00:00Z <out.json &&
	grep -qi "^location: /v1/tokens/" headers.txt &&
	NEW=$(jq -r .token out.json) &&
	test "$(api GET /v1/items "$NEW")" = 200 &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"clerk\",\"name\":\"x\",\"dept\":\"ZZZ\"}")" = 422 &&
	json_eq .field dept <out.json && grep -q ZZZ out.json &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"boss\",\"name\":\"x\"}")" = 422 &&
	json_eq .field role <out.json && grep -q boss out.json &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"admin\",\"name\":\"x\",\"expires\":\"nope\"}")" = 422 &&
	json_eq .field expires <out.json
'

test_expect_success 'a department administrator sees and makes only its own clerks' '
	test "$(api GET /v1/tokens "$DADMIN")" = 200 &&
	test "$(jq -r "[.items[].name] | join(\" \")" out.json)" = rs-clerk &&
	test "$(api POST /v1/tokens "$DADMIN" -d "{\"role\":\"clerk\",\"name\":\"rs2\",\"dept\":\"RSJ\"}")" = 201 &&
	test "$(api POST /v1/tokens "$DADMIN" -d "{\"role\":\"clerk\",\"name\":\"x\",\"dept\":\"YBJ\"}")" = 403 &&
	test "$(api POST /v1/tokens "$DADMIN" -d "{\"role\":\"admin\",\"name\":\"x\"}")" = 403 &&
	ybid=$(db_sql "select id from tokens where name = '"'"'yb-clerk'"'"'") &&
	test "$(api POST "/v1/tokens/$ybid/revoke" "$DADMIN")" = 404 &&
	test "$(api GET /v1/items "$YB")" = 200
'

test_expect_success 'revoke: refused on both workers within a second, 409 the second time' '
	id=$(db_sql "select id from tokens where name = '"'"'rs-clerk'"'"'") &&
	test "$(api GET /v1/items "$RS")" = 200 &&
	test "$(api POST "/v1/tokens/$id/revoke" "$DADMIN")" = 200 &&
	json_eq .state revoked <out.json &&
	poll "$RS" 401 1 &&
	for i in 1 2 3 4 5 6 7 8; do test "$(api GET /v1/items "$RS")" = 401 || return 1; done &&
	test "$(api POST "/v1/tokens/$id/revoke" "$ADMIN")" = 409 &&
	test "$(api POST /v1/tokens/999/revoke "$ADMIN")" = 404
'

test_expect_success 'rotate: a new secret with the same name and role, the old one refused' '
	id=$(db_sql "select id from tokens where name = '"'"'yb-clerk'"'"'") &&
	test "$(api POST "/v1/tokens/$id/rotate" "$ADMIN")" = 201 &&
	json_eq .name yb-clerk <out.json && json_eq .dept YBJ <out.json &&
	YB2=$(jq -r .token out.json) &&
	test "$YB2" != "$YB" &&
	test "$(api GET /v1/items "$YB2")" = 200 &&
	test "$(api GET /v1/items "$YB")" = 401
'

test_expect_success 'twonetd token revoke on the local database; the server refuses it' '
	T=$(make_token operator op) &&
	test "$(api GET /v1/items "$T")" = 200 &&
	id=$(db_sql "select id from tokens where name = '"'"'op'"'"'") &&
	twonetd token revoke --db "$TWONETD_DB" "$id" >out &&
	grep -q "revoked $id" out &&
	test "$(api GET /v1/items "$T")" = 401 &&
	test_expect_exit 5 twonetd token revoke --db "$TWONETD_DB" "$id" 2>err &&
	test_expect_exit 3 twonetd token revoke --db "$TWONETD_DB" 999 2>err
'

test_expect_success 'last use is written at most once a minute per token' '
	id=$(db_sql "select id from tokens where name = '"'"'root'"'"'") &&
	db_sql "update tokens set last_used_at = '"'"'2026-01-01T00:00:00Z'"'"' where id = $id" &&
	api GET /v1/tokens "$ADMIN" >/dev/null &&
	first=$(db_sql "select last_used_at from tokens where id = $id") &&
	test "$first" != 2026-01-01T00:00:00Z &&
	db_sql "update tokens set last_used_at = '"'"'$(date -u -d "-30 seconds" +%Y-%m-%dT%H:%M:%SZ)'"'"' where id = $id" &&
	mark=$(db_sql "select last_used_at from tokens where id = $id") &&
	api GET /v1/tokens "$ADMIN" >/dev/null &&
	test "$(db_sql "select last_used_at from tokens where id = $id")" = "$mark"
'

test_expect_success 'any allowed call records the last use; a refused one does not' '
	T=$(make_token operator watcher) &&
	id=$(db_sql "select id from tokens where name = '"'"'watcher'"'"'") &&
	test -z "$(db_sql "select last_used_at from tokens where id = $id")" &&
	test "$(api GET /v1/tokens "$T")" = 403 &&
	test -z "$(db_sql "select last_used_at from tokens where id = $id")" &&
	test "$(api GET /v1/alerts "$T")" = 200 &&
	db_sql "select last_used_at from tokens where id = $id" | grep -q "^20[0-9-]*T"
'

test_expect_success 'a reader of any scenario of kinds.yaml (scenic-area too); unknown ones named' '
	twonetd token add --db "$TWONETD_DB" --role reader --name park --scenario scenic-area >out &&
	test -s out &&
	test_expect_exit 7 twonetd token add --db "$TWONETD_DB" --role reader --name x --scenario zoo 2>err &&
	grep -q "unknown scenario .zoo." err && grep -q "amusement-park" err &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"reader\",\"name\":\"p2\",\"dept\":\"amusement-park\"}")" = 201 &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"reader\",\"name\":\"p3\",\"dept\":\"zoo\"}")" = 422 && grep -q scenic-area out.json
'

test_expect_success 'a crew token names its crew (twonetd token add, POST /v1/tokens, token add)' '
	twonetd token add --db "$TWONETD_DB" --role crew --name 王师傅 --crew 泵车-017 >out &&
	test -s out &&
	test "$(db_sql "select subject from tokens where name = '"'"'王师傅'"'"'")" = 泵车-017 &&
	test_expect_exit 2 twonetd token add --db "$TWONETD_DB" --role crew --name x 2>err &&
	grep -q "needs --crew" err &&
	test_expect_exit 2 twonetd token add --db "$TWONETD_DB" --role operator --name x --crew c 2>err &&
	grep -q "for crew tokens" err &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"crew\",\"name\":\"c2\",\"subject\":\"泵车-018\"}")" = 201 &&
	test "$(api POST /v1/tokens "$ADMIN" -d "{\"role\":\"crew\",\"name\":\"c3\"}")" = 422 &&
	json_eq .field subject <out.json &&
	TWONET_TOKEN=$ADMIN token add --role crew --name c4 --crew 泵车-019 --jq .subject >out &&
	echo 泵车-019 >want && test_cmp want out &&
	test_expect_exit 2 token add --token "$ADMIN" --role crew --name c5 2>err &&
	grep -q "needs --crew" err &&
	test_expect_exit 2 token add --token "$ADMIN" --role clerk --dept YBJ --name c6 --crew x 2>err
'

test_expect_success 'the token command: list with last use, add, unknown department exit 7' '
	TWONET_TOKEN=$ADMIN token list --fields name,last_used_at --format tsv >list &&
	grep -q "^root	20" list &&
	TWONET_TOKEN=$ADMIN token add --role clerk --name cli --dept YBJ --expires 2099-12-31 >new.json &&
	json_eq .expires_at 2099-12-31T00:00:00Z <new.json &&
	test "$(api GET /v1/items "$(jq -r .token new.json)")" = 200 &&
	test_expect_exit 7 env TWONET_TOKEN=$ADMIN token add --role clerk --name x --dept ZZZ 2>err &&
	grep -q ZZZ err &&
	test_expect_exit 7 env TWONET_TOKEN=$ADMIN token add --role boss --name x 2>err &&
	grep -q boss err &&
	test_expect_exit 2 env TWONET_TOKEN=$ADMIN token lst 2>err &&
	grep -q "did you mean '"'"'list'"'"'" err
'

test_expect_success 'the token command: rotate, and revoke ids from stdin with a summary' '
	id=$(jq -r .id new.json) &&
	TWONET_TOKEN=$ADMIN token rotate "$id" >rot.json &&
	test "$(api GET /v1/items "$(jq -r .token new.json)")" = 401 &&
	test "$(api GET /v1/items "$(jq -r .token rot.json)")" = 200 &&
	printf "%s\n%s\n" "$(jq -r .id rot.json)" "$id" |
		TWONET_TOKEN=$ADMIN token revoke - >out 2>err &&
	grep -q "token: 1 done, 1 skipped, 0 failed" err &&
	test "$(api GET /v1/items "$(jq -r .token rot.json)")" = 401 &&
	test_expect_exit 1 env TWONET_TOKEN=$ADMIN token revoke "$id" 99999 x 2>err &&
	grep -q "token: 0 done, 1 skipped, 2 failed" err &&
	test_expect_exit 4 env TWONET_TOKEN=$OP token list 2>err
'

test_expect_success 'each of 90 tokens, used in turn, is itself (a worker remembers the last tokens'"'"' hashes)' '
	: >memo.tokens &&
	for i in $(seq 30); do
		echo "RSJ $(make_token admin memo-rs-$i RSJ)" &&
		echo "YBJ $(make_token admin memo-yb-$i YBJ)" &&
		echo "op $(make_token operator memo-op-$i)" || return 1
	done >memo.tokens &&
	test "$(wc -l <memo.tokens)" = 90 &&
	for pass in forward backward; do
		if [ $pass = forward ]; then cat memo.tokens; else tac memo.tokens; fi >memo.order &&
		while read -r who t; do
			if [ "$who" = op ]; then
				test "$(api GET /v1/tokens "$t")" = 403 || { echo "$pass: $who not 403"; return 1; }
			else
				test "$(api GET /v1/tokens "$t")" = 200 &&
				jq -e --arg d "$who" "[.items[].dept] | length > 0 and all(. == \$d)" out.json \
					>/dev/null || { echo "$pass: $who sees other departments"; return 1; }
			fi
			# the same token with its last character changed: unknown
			bad="${t%?}$( [ "${t: -1}" = A ] && echo B || echo A )" &&
			test "$(api GET /v1/tokens "$bad")" = 401 || { echo "$pass: a changed token passed"; return 1; }
		done <memo.order || return 1
	done
'

stop_server
test_done
