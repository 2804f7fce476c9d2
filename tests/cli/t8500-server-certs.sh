#!/bin/bash
# twonetd's e-certificates: issuer keys, issuing in one's own department, the
# signed certificate, idempotency, revocation, issuers with ETag, consents,
# and the hash-chained audit log that `twonetd audit verify` checks.
# backend: sqlite (the audit log tampered with in .backup copies of the file, .dump, bare.db)
. "$(dirname "$0")/test-lib.sh"

ORG=91310101MA1FPX121X
PERSON=310101199003071230

# a business licence (营业执照, SCJGJ) for the restaurant
yyzz() {
	printf '{"kind":"CK-YYZZ","holder":{"type":"org","id":"%s","name":"%s"},"fields":{"name":"%s","type":"有限责任公司","legal_representative":"张伟","registered_capital":"100万元人民币","established":"2020-01-01","domicile":"上海市黄浦区南京东路1号","business_scope":"餐饮服务"},"valid_from":"2026-03-02","valid_until":null}' \
		"${1:-$ORG}" "${2:-上海小笼馆餐饮有限公司}" "${2:-上海小笼馆餐饮有限公司}"
}

start_server || exit 1
SC=$(make_token issuer sc-issuer SCJGJ)
MZ=$(make_token issuer mz-issuer MZJ)
ADMIN=$(make_token admin root)
APP=$(make_token applicant zhang "" $PERSON)
CLERK=$(make_token clerk sc-clerk SCJGJ)

test_expect_success 'issuer add: an SM2 key in a 0600 file of a 0700 folder beside the database' '
	twonetd issuer add --db "$TWONETD_DB" --dept SCJGJ >out &&
	set -- $(cat out) &&
	test "$1" = SCJGJ &&
	test -f "$3" &&
	test "$(stat -c %a "$3")" = 600 &&
	test "$(stat -c %a "$TWONETD_DB.keys")" = 700 &&
	grep -q "BEGIN PRIVATE KEY" "$3" &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from issuers where dept = '\''SCJGJ'\''")" = 1 &&
	! sqlite3 "$TWONETD_DB" .dump | grep -q "PRIVATE KEY"
'

test_expect_success 'issuer add refuses an unknown department and a wrong --uscc (exit 7)' '
	test_expect_exit 7 twonetd issuer add --db "$TWONETD_DB" --dept NOPE 2>err &&
	grep -q "unknown department" err &&
	test_expect_exit 7 twonetd issuer add --db "$TWONETD_DB" --dept MZJ --uscc 91310101MA1FPX121X 2>err &&
	grep -q "uscc" err
'

test_expect_success 'issuer add refuses a department the imported catalog does not hold (exit 7), as token add' '
	twonetd init --db bare.db >/dev/null &&
	test_expect_exit 7 twonetd issuer add --db bare.db --dept MZJ 2>err &&
	grep -q "unknown department '"'"'MZJ'"'"': not in the catalog" err &&
	test "$(sqlite3 bare.db "select count(*) from issuers")" = 0 &&
	! test -e bare.db.keys &&
	twonetd import catalog --db bare.db >/dev/null &&
	twonetd issuer add --db bare.db --dept MZJ >out &&
	test "$(cut -d" " -f1 out)" = MZJ
'

test_expect_success 'an issuer issues a certificate of its department: 201, signed, Location' '
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: yyzz-1" -d "$(yyzz)")" = 201 &&
	id=$(jq -r .id out.json) &&
	grep -qi "^location: /v1/certs/$id" headers.txt &&
	case $id in 1.2.156.3005.2.11310000002401019Y001.11310000002401019Y.????00000001.001.?) ;; *) false ;; esac &&
	json_eq .kind 11310000002401019Y001 <out.json &&
	json_eq .kind_name 营业执照 <out.json &&
	json_eq .issuer.dept SCJGJ <out.json &&
	json_eq .status valid <out.json &&
	json_eq .signature.alg SM2-SM3 <out.json &&
	test "$(jq -r .signature.key_id out.json)" = "$(sqlite3 "$TWONETD_DB" "select key_id from issuers where dept = '\''SCJGJ'\''")" &&
	cp out.json yyzz.json
'

test_expect_success 'the signature verifies with the openssl tool (SM3, distid 1234567812345678)' '
	sqlite3 "$TWONETD_DB" "select public_key from issuers where dept = '\''SCJGJ'\''" >pub.pem &&
	jq -j "{id,kind,kind_name,holder,issuer,fields,valid_from,valid_until,issued_at} | tojson" yyzz.json |
		jq -cSj . >content &&
	jq -r .signature.value yyzz.json | base64 -d >sig.der &&
	openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678 -signature sig.der content
'

test_expect_success 'the same key and body replays (200), another body under it is 409' '
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: yyzz-1" -d "$(yyzz)")" = 200 &&
	grep -qi "^idempotent-replayed: true" headers.txt &&
	json_eq .id "$(jq -r .id yyzz.json)" <out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: yyzz-1" -d "$(yyzz $ORG 别的公司)")" = 409 &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from certs")" = 1
'

test_expect_success 'issuing outside one'"'"'s department is refused (403); admins and clerks may not issue' '
	test "$(api POST /v1/certs "$MZ" -H "Idempotency-Key: mz-1" -d "$(yyzz)")" = 403 &&
	jq -r .detail out.json | grep -q "issuer of MZJ cannot issue kind CK-YYZZ (SCJGJ)" &&
	test "$(api POST /v1/certs "$ADMIN" -H "Idempotency-Key: a-1" -d "$(yyzz)")" = 403 &&
	test "$(api POST /v1/certs "$CLERK" -H "Idempotency-Key: c-1" -d "$(yyzz)")" = 403 &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from certs")" = 1
'

test_expect_success 'a department without a key: 409 naming the command' '
	test "$(api POST /v1/certs "$MZ" -H "Idempotency-Key: mz-3" -d "{\"kind\":\"CK-DBZ\",\"holder\":{\"type\":\"person\",\"id\":\"$PERSON\",\"name\":\"张三\"},\"fields\":{\"certificate_no\":\"DB-1\",\"household_size\":\"2\",\"monthly_amount\":\"1500元\",\"street\":\"南京东路街道\"}}")" = 409 &&
	jq -r .detail out.json | grep -q "twonetd issuer add --dept MZJ"
'

test_expect_success 'bad bodies: unknown member 400, unknown kind, holder, fields, dates 422' '
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b1" -d "$(yyzz | jq -c ".extra = 1")")" = 400 &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b2" -d "$(yyzz | jq -c ".kind = \"CK-NOPE\"")")" = 422 &&
	json_eq .field kind <out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b3" -d "$(yyzz | jq -c ".holder.type = \"person\"")")" = 422 &&
	json_eq .field holder.type <out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b4" -d "$(yyzz 91310101MA1FPX1210)")" = 422 &&
	json_eq .field holder.id <out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b5" -d "$(yyzz | jq -c "del(.fields.domicile)")")" = 422 &&
	json_eq .field fields.domicile <out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b6" -d "$(yyzz | jq -c ".fields.colour = \"red\"")")" = 422 &&
	json_eq .field fields.colour <out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b7" -d "$(yyzz | jq -c ".fields.type = 3")")" = 422 &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: b8" -d "$(yyzz | jq -c ".valid_until = \"2020-01-01\"")")" = 422 &&
	json_eq .field valid_until <out.json &&
	test "$(api POST /v1/certs "$SC" -d "$(yyzz)")" = 400 &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from certs")" = 1
'

test_expect_success 'GET one without a purpose is 400, a malformed id 400, an unknown one 404' '
	id=$(jq -r .id yyzz.json) &&
	test "$(api GET "/v1/certs/$id" "$ADMIN")" = 400 &&
	json_eq .field purpose <out.json &&
	test "$(api GET "/v1/certs/1.2.156.3005.2.11310000002401019Y001.11310000002401019Y.202600000001.001.Z?purpose=x" "$ADMIN")" = 400 &&
	jq -r .detail out.json | grep -q "check character" &&
	test "$(api GET "/v1/certs/1.2.156.3005.2.11310000002401019Y001.11310000002401019Y.202600009999.001.N?purpose=x" "$ADMIN")" = 404 &&
	test "$(api GET "/v1/certs/$id?purpose=x" "")" = 401
'

test_expect_success 'revoke: another department 403, no reason 422, then revoked, then 409' '
	id=$(jq -r .id yyzz.json) &&
	test "$(api POST "/v1/certs/$id/revoke" "$MZ" -d "{\"reason\":\"x\"}")" = 403 &&
	test "$(api POST "/v1/certs/$id/revoke" "$SC" -d "{}")" = 422 &&
	test "$(api POST "/v1/certs/$id/revoke" "$APP" -d "{\"reason\":\"x\"}")" = 403 &&
	test "$(api POST "/v1/certs/$id/revoke" "$SC" -d "{\"reason\":\"吊销营业执照\"}")" = 200 &&
	json_eq .status revoked <out.json &&
	json_eq .revoke_reason 吊销营业执照 <out.json &&
	json_eq .signature.value "$(jq -r .signature.value yyzz.json)" <out.json &&
	test "$(api GET "/v1/certs/$id?purpose=check" "$ADMIN")" = 200 &&
	json_eq .status revoked <out.json &&
	jq -e ".revoked_at | test(\"\\\\+08:00$\")" out.json &&
	test "$(api POST "/v1/certs/$id/revoke" "$SC" -d "{\"reason\":\"again\"}")" = 409 &&
	jq -r .detail out.json | grep -q "already revoked"
'

test_expect_success 'list by holder and kind (code or alias), status filter, paging' '
	for n in 2 3 4; do
		api POST /v1/certs "$SC" -H "Idempotency-Key: more-$n" -d "$(yyzz $ORG 公司$n)" >/dev/null || return 1
	done &&
	test "$(api GET "/v1/certs?holder=$ORG&purpose=list" "$ADMIN")" = 200 &&
	test "$(jq ".items | length" out.json)" = 4 &&
	jq -e "[.items[].id] == ([.items[].id] | sort)" out.json &&
	test "$(api GET "/v1/certs?holder=$ORG&kind=CK-YYZZ&status=valid&purpose=list" "$ADMIN")" = 200 &&
	test "$(jq ".items | length" out.json)" = 3 &&
	test "$(api GET "/v1/certs?holder=$ORG&kind=11310000002401019Y001&limit=2&purpose=list" "$ADMIN")" = 200 &&
	test "$(jq ".items | length" out.json)" = 2 &&
	next=$(jq -r .next out.json) &&
	test "$(api GET "/v1/certs?holder=$ORG&kind=CK-YYZZ&limit=2&cursor=$next&purpose=list" "$ADMIN")" = 200 &&
	test "$(jq ".items | length" out.json)" = 2 &&
	json_eq .next null <out.json &&
	test "$(api GET "/v1/certs?holder=$ORG&kind=CK-NOPE&purpose=list" "$ADMIN")" = 400 &&
	json_eq .field kind <out.json &&
	test "$(api GET "/v1/certs?holder=91310101MA1FPX1210&purpose=list" "$ADMIN")" = 400 &&
	json_eq .field holder <out.json &&
	test "$(api GET "/v1/certs?purpose=list" "$CLERK")" = 400
'

test_expect_success 'GET /v1/issuers: no token, PEM keys, ETag, 304 on If-None-Match, max-age' '
	test "$(api GET /v1/issuers "")" = 200 &&
	json_eq ".items[0].dept" SCJGJ <out.json &&
	json_eq ".items[0].dept_name" 市场监督管理局 <out.json &&
	json_eq ".items[0].uscc" 11310000002401019Y <out.json &&
	jq -r ".items[0].public_key" out.json | grep -q "BEGIN PUBLIC KEY" &&
	grep -qi "^cache-control: max-age=300" headers.txt &&
	etag=$(grep -i "^etag:" headers.txt | tr -d "\r" | cut -d" " -f2) &&
	test "$etag" = "\"$(head -c 16 <(sha256sum out.json))\"" &&
	rm -f out.json &&
	test "$(api GET /v1/issuers "" -H "If-None-Match: $etag")" = 304 &&
	test ! -s out.json
'

test_expect_success 'a second issuer add rotates: the old key stays listed, retired; new certificates use the new key' '
	old=$(jq -r .signature.key_id yyzz.json) &&
	twonetd issuer add --db "$TWONETD_DB" --dept SCJGJ >out &&
	new=$(cut -d" " -f2 out) &&
	test "$(api GET /v1/issuers "")" = 200 &&
	test "$(jq "[.items[] | select(.dept == \"SCJGJ\")] | length" out.json)" = 2 &&
	jq -e ".items[] | select(.key_id == \"$old\") | .retired_at | type == \"string\"" out.json &&
	jq -e ".items[] | select(.key_id == \"$new\") | .retired_at == null" out.json &&
	test "$(api POST /v1/certs "$SC" -H "Idempotency-Key: rot-1" -d "$(yyzz $ORG 轮换公司)")" = 201 &&
	json_eq .signature.key_id "$new" <out.json
'

test_expect_success 'consents: the holder grants one; checks of scenario, expiry, holder' '
	exp=$(date -d "+30 days" +%Y-%m-%dT%H:%M:%S+08:00) &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"hospital\",\"expires_at\":\"$exp\"}")" = 201 &&
	jq -e ".token | test(\"^tnc_[0-9a-f]{40}$\")" out.json &&
	json_eq .holder $PERSON <out.json &&
	tok=$(jq -r .token out.json) &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from consents where hash = '\''$(printf %s "$tok" | sha256sum | cut -d" " -f1)'\''")" = 1 &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"casino\",\"expires_at\":\"$exp\"}")" = 422 &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"bank\",\"expires_at\":\"2020-01-01T00:00:00+08:00\"}")" = 422 &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"bank\",\"expires_at\":\"$(date -d "+400 days" +%Y-%m-%dT%H:%M:%S+08:00)\"}")" = 422 &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"bank\",\"expires_at\":\"$exp\",\"holder\":\"$ORG\"}")" = 403 &&
	test "$(api POST /v1/consents "$CLERK" -d "{\"scenario\":\"bank\",\"expires_at\":\"$exp\"}")" = 403 &&
	test "$(api POST /v1/consents "$ADMIN" -d "{\"scenario\":\"bank\",\"expires_at\":\"$exp\",\"holder\":\"$ORG\"}")" = 201
'

test_expect_success 'the audit log: admin only, one row per read, hash-chained from 64 zeros' '
	test "$(api GET /v1/audit "$CLERK")" = 403 &&
	test "$(api GET "/v1/audit?limit=1000" "$ADMIN")" = 200 &&
	n=$(jq ".items | length" out.json) &&
	test "$n" -gt 5 &&
	json_eq ".items[0].seq" 1 <out.json &&
	json_eq ".items[0].prev_hash" 0000000000000000000000000000000000000000000000000000000000000000 <out.json &&
	jq -e "[range(1; length) as \$i | .[\$i].prev_hash == .[\$i - 1].hash and .[\$i].seq == \$i + 1] | all" <(jq .items out.json) &&
	jq -e "[.items[].outcome] | index(\"bad-request\") and index(\"not-found\") and index(\"allowed\")" out.json &&
	test "$(api GET "/v1/audit?actor=root&limit=2" "$ADMIN")" = 200 &&
	test "$(jq ".items | length" out.json)" = 2 &&
	next=$(jq -r .next out.json) &&
	test "$(api GET "/v1/audit?actor=root&limit=2&cursor=$next" "$ADMIN")" = 200 &&
	test "$(jq ".items[0].seq" out.json)" -gt "$next"
'

test_expect_success 'the audit table refuses UPDATE and DELETE (append-only triggers)' '
	test_must_fail sqlite_db "$TWONETD_DB" "update audit set actor = '\''x'\'' where seq = 1" 2>err &&
	grep -q "append-only" err &&
	test_must_fail sqlite_db "$TWONETD_DB" "delete from audit where seq = 1" 2>err &&
	grep -q "append-only" err &&
	twonetd audit verify --db "$TWONETD_DB" >out &&
	grep -q "audit log intact" out
'

test_expect_success 'audit verify names a row changed by hand (exit 7)' '
	sqlite_db_copy "$TWONETD_DB" changed.db &&
	sqlite_db changed.db "drop trigger audit_no_update; update audit set purpose = '\''nothing to see'\'' where seq = 3" &&
	test_expect_exit 7 twonetd audit verify --db changed.db >out &&
	grep -q "broken at seq 3: row 3 was changed" out
'

test_expect_success 'audit verify names a deleted row, and a deleted tail (exit 7)' '
	sqlite_db_copy "$TWONETD_DB" deleted.db &&
	sqlite_db deleted.db "drop trigger audit_no_delete; delete from audit where seq = 4" &&
	test_expect_exit 7 twonetd audit verify --db deleted.db >out &&
	grep -q "broken at seq 4: row 4 is missing" out &&
	sqlite_db_copy "$TWONETD_DB" tail.db &&
	last=$(sqlite_db tail.db "select max(seq) from audit") &&
	sqlite_db tail.db "drop trigger audit_no_delete; delete from audit where seq = $last" &&
	test_expect_exit 7 twonetd audit verify --db tail.db >out &&
	grep -q "broken at seq $last" out
'

test_done
