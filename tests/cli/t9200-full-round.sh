#!/bin/bash
# The full round of issue 14 with twonet's commands alone (no curl, no
# sqlite3): an admin adds the round's tokens (token add), an issuer issues a
# certificate (cert-issue, a replay issues nothing twice), its holder grants a
# hospital a consent (cert-consent grant), the hospital reads with it
# (cert-fetch --consent), the audit log shows those reads (cert-audit by
# holder, by reader, --mine, --stats, --verify), the consent is revoked (the
# next read refused), the certificate revoked (cert-fetch says so), tokens
# rotated and revoked (token), an alert taken round its loop from the shell
# (alert-post, alert-list, alert-act), and the database backed up while it
# serves (twonetd backup), restored into a new file (twonetd restore) and
# served again with everything in place.
# backend: sqlite (the round ends with twonetd backup and restore of the file)
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230           # the holder, 张三
UNTIL=$(date -d "+30 days" +%Y-%m-%d)
NEXT_YEAR=$(date -u -d "+1 year" +%Y-%m-%d)
SFZ_KIND=11310000002401297C001

start_server || exit 1
ADMIN=$(make_token admin 管理员)   # the bootstrap: twonetd token add on the database
export TWONET_TOKEN=$ADMIN
mkdir -p tok state

# tok NAME: a token the round made (bodies run in subshells: kept in files)
tok() { cat "$TRASH/tok/$1"; }
st() { cat "$TRASH/state/$1"; }
# sfz KEY VALID_FROM: issue a 居民身份证 of the holder with the issuer's token given
sfz() {
	cert-issue --kind CK-SFZ --holder $P --holder-name 张三 --field name=张三 \
		--field sex=男 --field ethnicity=汉族 --field birth_date=1990-03-07 \
		--field address=上海市黄浦区南京东路1号 --field issuing_office=上海市公安局黄浦分局 \
		--valid-from "$2" --valid-until 2036-01-01 --key "$1" "${@:3}"
}

test_expect_success 'the admin adds the round'"'"'s tokens with token add (the reader'"'"'s expiring)' '
	token add --role issuer --name 公安局证照 --dept GAJ --jq .token >tok/issuer &&
	token add --role clerk --name 王芳 --dept YBJ --jq .token >tok/clerk &&
	token add --role reader --name 瑞金医院 --dept hospital --expires $NEXT_YEAR >reader.json &&
	jq -r .token reader.json >tok/reader &&
	json_eq .role reader <reader.json && json_eq .dept hospital <reader.json &&
	json_eq .expires_at "${NEXT_YEAR}T00:00:00Z" <reader.json &&
	token add --role operator --name 值班员 --jq .token >tok/operator &&
	token add --role sensor --name 防汛监测 --jq .token >tok/sensor &&
	token add --role applicant --name 张三 --subject $P --jq .token >tok/holder &&
	for t in issuer clerk reader operator sensor holder; do
		case $(tok $t) in tn_*) ;; *) echo "no token for $t"; false ;; esac || return 1
	done &&
	token list --jq "[.name, .role, .state] | @tsv" >list &&
	test "$(wc -l <list)" = 7 &&
	test "$(grep -c "	active$" list)" = 7 &&
	grep -q "^瑞金医院	reader	active$" list &&
	test_expect_exit 7 token add --role clerk --name x --dept NOPE 2>err &&
	grep -q NOPE err &&
	test "$(token list | wc -l)" = 7
'

test_expect_success 'twonetd issuer add for GAJ; cert-issue issues the 居民身份证; a replay issues nothing twice' '
	twonetd issuer add --db "$TWONETD_DB" --dept GAJ >out &&
	grep -q "^GAJ " out &&
	TWONET_TOKEN=$(tok issuer) sfz sfz-1 2016-01-01 >sfz.json &&
	json_eq .kind $SFZ_KIND <sfz.json && json_eq .kind_name 居民身份证 <sfz.json &&
	json_eq .holder.id $P <sfz.json && json_eq .status valid <sfz.json &&
	json_eq .signature.alg SM2-SM3 <sfz.json &&
	jq -r .id sfz.json >state/sfz &&
	case $(st sfz) in 1.2.156.3005.2.$SFZ_KIND.*) ;; *) false ;; esac &&
	TWONET_TOKEN=$(tok issuer) sfz sfz-1 2016-01-01 --jq .id >again 2>err &&
	test "$(cat again)" = "$(st sfz)" &&
	grep -q "nothing new issued" err &&
	TWONET_TOKEN=$(tok issuer) cert-issue --kind CK-HKB --holder $P --holder-name 张三 \
		--field household_no=HK001 --field household_head=张三 --field relation=户主 \
		--field address=上海市黄浦区南京东路1号 --field household_type=家庭户 \
		--valid-from 2016-01-01 --key hkb-1 --jq .id >state/hkb &&
	cert-fetch --token "$(tok holder)" --holder $P --purpose 自查 \
		--jq "[.id, .verification.valid] | @tsv" >mine &&
	test "$(wc -l <mine)" = 2 &&
	grep -q "^$(st sfz)	true$" mine && grep -q "^$(st hkb)	true$" mine
'

test_expect_success 'the holder grants the hospital a consent to the 居民身份证 only, until a date' '
	cert-consent --token "$(tok holder)" grant --scenario hospital --kinds CK-SFZ \
		--until $UNTIL >grant.json &&
	json_eq .scenario hospital <grant.json && json_eq .holder $P <grant.json &&
	json_eq ".kinds | join(\",\")" $SFZ_KIND <grant.json &&
	json_eq ".expires_at[0:10]" $UNTIL <grant.json &&
	json_eq ".token | startswith(\"tnc_\")" true <grant.json &&
	jq -r .token grant.json >state/consent-token &&
	jq -r .id grant.json >state/consent-id &&
	cert-consent --token "$(tok holder)" list --jq "[.id, .scenario, .status] | @tsv" >l &&
	test "$(cat l)" = "$(st consent-id)	hospital	active"
'

test_expect_success 'the hospital reads with the consent: the 居民身份证 only, its signature verified' '
	export TWONET_TOKEN=$(tok reader) &&
	cert-fetch --purpose 就诊身份核验 --consent "$(st consent-token)" --holder $P \
		--jq "[.id, .kind_name, .verification.valid] | @tsv" >read &&
	test "$(cat read)" = "$(st sfz)	居民身份证	true" &&
	cert-fetch --purpose 就诊身份核验 --consent "$(st consent-token)" "$(st sfz)" \
		--jq .holder.name >name &&
	test "$(cat name)" = 张三 &&
	test_expect_exit 3 cert-fetch --purpose 就诊身份核验 --consent "$(st consent-token)" \
		"$(st hkb)" 2>err &&
	test_expect_exit 4 cert-fetch --purpose 就诊身份核验 --holder $P 2>err &&
	grep -q "consent token" err
'

test_expect_success 'cert-audit: the reads by holder and by reader, the holder'"'"'s --mine, --stats, --verify' '
	cert-audit --holder $P --jq "[.actor, .cert // \"-\", .outcome] | @tsv" >byholder &&
	test "$(wc -l <byholder)" = 5 &&
	test "$(head -n 1 byholder)" = "张三	-	allowed" &&
	test "$(grep -c "^瑞金医院	" byholder)" = 4 &&
	grep -q "^瑞金医院	$(st sfz)	allowed$" byholder &&
	cert-audit --reader 瑞金医院 --jq .outcome | sort | uniq -c | awk "{print \$2, \$1}" >outcomes &&
	printf "allowed 2\nforbidden 2\n" >expect && test_cmp expect outcomes &&
	cert-audit --cert "$(st sfz)" --jq .actor >bycert &&
	test "$(cat bycert)" = 瑞金医院 &&
	cert-audit --token "$(tok holder)" --mine --jq .seq >mine &&
	cert-audit --holder $P --jq .seq >all && test_cmp all mine &&
	test_expect_exit 4 cert-audit --token "$(tok reader)" --holder $P 2>err &&
	# reads a day by kind and scenario: the hospital'"'"'s 4 (2 allowed), 1 of them the 居民身份证
	cert-audit --stats --format ndjson >stats &&
	jq -s -r "map(select(.scenario == \"瑞金医院\")) | [(map(.reads) | add), (map(.allowed) | add)] | @tsv" \
		stats >sum &&
	test "$(cat sum)" = "4	2" &&
	jq -r "select(.scenario == \"瑞金医院\" and .kind == \"$SFZ_KIND\") | [.reads, .allowed] | @tsv" \
		stats >sfz &&
	test "$(cat sfz)" = "1	1" &&
	cert-audit --verify >v.json &&
	json_eq .ok true <v.json && json_eq .rows 5 <v.json &&
	test_expect_exit 4 cert-audit --token "$(tok holder)" --verify 2>err
'

test_expect_success 'cert-consent revoke: the hospital'"'"'s next read is refused (exit 4), nothing shown' '
	cert-consent --token "$(tok holder)" revoke "$(st consent-id)" --jq .status >s &&
	test "$(cat s)" = revoked &&
	test_expect_exit 4 cert-fetch --token "$(tok reader)" --purpose 就诊身份核验 \
		--consent "$(st consent-token)" --holder $P >out 2>err &&
	test ! -s out && grep -q "consent token" err &&
	test_expect_exit 3 cert-fetch --token "$(tok reader)" --purpose 就诊身份核验 \
		--consent "$(st consent-token)" "$(st sfz)" >out 2>err &&
	test ! -s out &&
	cert-consent --token "$(tok holder)" revoke "$(st consent-id)" 2>err &&
	grep -q "already revoked; skipped" err &&
	test "$(cert-consent --token "$(tok holder)" list | wc -l)" = 0 &&
	cert-consent --token "$(tok holder)" list --all --jq "[.id, .status] | @tsv" >l &&
	test "$(cat l)" = "$(st consent-id)	revoked" &&
	cert-audit --reader 瑞金医院 --jq .outcome | tail -n 2 >last &&
	printf "forbidden\nforbidden\n" >expect && test_cmp expect last
'

test_expect_success 'cert-revoke: cert-fetch shows the 居民身份证 revoked (not valid, exit 1); a replay is skipped' '
	cert-revoke --token "$(tok issuer)" --reason 证件遗失 "$(st sfz)" \
		--jq "[.status, .revoke_reason] | @tsv" >r &&
	test "$(cat r)" = "revoked	证件遗失" &&
	cert-revoke --token "$(tok issuer)" --reason 证件遗失 "$(st sfz)" >out 2>err &&
	grep -q "already revoked; skipped" err &&
	test_expect_exit 1 cert-fetch --token "$(tok holder)" --purpose 自查 "$(st sfz)" >f.json 2>err &&
	json_eq .status revoked <f.json &&
	json_eq .verification.valid false <f.json && json_eq .verification.reason revoked <f.json &&
	cert-fetch --token "$(tok holder)" --purpose 自查 "$(st hkb)" --jq .verification.valid >v &&
	test "$(cat v)" = true
'

test_expect_success 'token rotate: the issuer'"'"'s old token refused (exit 4), the new one issues the new card' '
	id=$(token list --jq "select(.name == \"公安局证照\") | .id") &&
	token rotate "$id" >rot.json &&
	json_eq .name 公安局证照 <rot.json && json_eq .role issuer <rot.json &&
	json_eq .dept GAJ <rot.json && json_eq .state active <rot.json &&
	test "$(jq -r .id rot.json)" != "$id" &&
	jq -r .token rot.json >tok/issuer2 &&
	test "$(tok issuer2)" != "$(tok issuer)" &&
	TWONET_TOKEN=$(tok issuer) test_expect_exit 4 sfz sfz-2 2026-12-01 2>err &&
	grep -q "unknown token" err &&
	TWONET_TOKEN=$(tok issuer2) sfz sfz-2 2026-12-01 --jq .id >state/sfz2 &&
	test "$(st sfz2)" != "$(st sfz)" &&
	cert-fetch --token "$(tok holder)" --purpose 自查 "$(st sfz2)" --jq .verification.valid >v &&
	test "$(cat v)" = true &&
	token list --all --jq "select(.name == \"公安局证照\") | [.id, .state] | @tsv" >states &&
	printf "%s\trevoked\n%s\tactive\n" "$id" "$(jq -r .id rot.json)" >expect &&
	test_cmp expect states
'

test_expect_success 'token revoke: the clerk'"'"'s token refused at once; again, it is skipped' '
	case-list --token "$(tok clerk)" --all >cases &&
	test ! -s cases &&
	token list --jq "select(.name == \"王芳\") | .id" >id &&
	token revoke - <id >out 2>err &&
	grep -q "token: 1 done, 0 skipped, 0 failed" err &&
	json_eq .state revoked <out &&
	test_expect_exit 4 case-list --token "$(tok clerk)" 2>err &&
	grep -q "unknown token" err &&
	token revoke - <id >out 2>err &&
	grep -q "token: 0 done, 1 skipped, 0 failed" err &&
	test "$(token list | wc -l)" = 6
'

test_expect_success 'alerts: the sensor raises two, the operator lists them (alert-list)' '
	alert-post --token "$(tok sensor)" --source wd-0017 --kind water_depth --severity orange \
		--district huangpu --value 0.32 --unit m --headline "外滩积水 0.32 米" --jq .id >state/bund &&
	alert-post --token "$(tok sensor)" --source wd-0018 --kind water_depth --severity blue \
		--district 310115 --value 0.05 --unit m --headline "世纪大道积水 0.05 米" --jq .id >state/pd &&
	export TWONET_TOKEN=$(tok operator) &&
	alert-list --status raised --jq "[.id, .severity, .district_name] | @tsv" >raised &&
	printf "%s\torange\t黄浦区\n%s\tblue\t浦东新区\n" "$(st bund)" "$(st pd)" >expect &&
	test_cmp expect raised &&
	alert-list --status raised --severity orange --jq .id >orange &&
	test "$(cat orange)" = "$(st bund)" &&
	test_expect_exit 4 alert-list --token "$(tok sensor)" 2>err
'

test_expect_success 'alert-act: dispatch with a crew, acknowledge, resolve, close with an evaluation' '
	export TWONET_TOKEN=$(tok operator) &&
	alert-list --status raised --severity orange | alert-act dispatch --crew PT-017 - >out 2>err &&
	grep -q "alert-act: dispatch: 1 done, 0 skipped, 0 failed" err &&
	json_eq .status dispatched <out && json_eq .crew PT-017 <out &&
	json_eq .id "$(st bund)" <out &&
	test_expect_exit 4 alert-act acknowledge --token "$(tok sensor)" "$(st bund)" 2>err &&
	alert-act acknowledge "$(st bund)" --jq .status >s && test "$(cat s)" = acknowledged &&
	alert-act resolve -m "泵车抽排完毕" "$(st bund)" --jq .status >s && test "$(cat s)" = resolved &&
	alert-act close --evaluation "40 分钟内到场,积水已退" "$(st bund)" >out &&
	json_eq .status closed <out && json_eq .evaluation "40 分钟内到场,积水已退" <out &&
	jq -r .seq out >state/closed-seq &&
	alert-list --status closed --jq "[.id, .crew] | @tsv" >closed &&
	test "$(cat closed)" = "$(st bund)	PT-017"
'

test_expect_success 'alert-act: a stale --if-version exits 5 and changes nothing; reopen goes back to the crew' '
	export TWONET_TOKEN=$(tok operator) &&
	stale=$(( $(st closed-seq) - 1 )) &&
	test_expect_exit 5 alert-act reopen --if-version $stale "$(st bund)" 2>err &&
	grep -q "changed by someone else" err &&
	alert-list --status closed --jq .id >c && test "$(cat c)" = "$(st bund)" &&
	alert-act reopen --if-version "$(st closed-seq)" "$(st bund)" >out &&
	json_eq .status dispatched <out && json_eq .crew PT-017 <out &&
	json_eq .evaluation null <out &&
	alert-list --status dispatched --jq .id >d && test "$(cat d)" = "$(st bund)"
'

test_expect_success 'twonetd backup while the server serves: FILE 0600, its keys 0700/0600' '
	cert-audit --all --jq .hash >state/audit-hashes &&
	wc -l <state/audit-hashes >state/audit-rows &&
	test "$(st audit-rows)" -ge 9 &&
	twonetd backup --db "$TWONETD_DB" bk.db >out &&
	grep -q "written to bk.db" out &&
	test "$(stat -c %a bk.db)" = 600 && test "$(stat -c %a bk.db.keys)" = 700 &&
	ls bk.db.keys | grep -q "^GAJ-.*\.pem$" &&
	for k in bk.db.keys/*; do test "$(stat -c %a "$k")" = 600 || return 1; done &&
	# the live server goes on: an alert raised after the backup is not in it
	alert-post --token "$(tok sensor)" --source wd-0019 --kind water_depth --severity red \
		--district huangpu --value 0.5 --unit m --headline "after the backup" --jq .id >state/late &&
	test "$(alert-list --token "$(tok operator)" --all | wc -l)" = 3
'

test_expect_success 'twonetd restore into a new database file (an existing one only with --force)' '
	mkdir restored &&
	twonetd restore --db restored/twonet.db bk.db >out &&
	grep -q "restored to restored/twonet.db" out &&
	test "$(stat -c %a restored/twonet.db)" = 600 &&
	test_expect_exit 5 twonetd restore --db restored/twonet.db bk.db 2>err &&
	grep -q -- "--force" err &&
	twonetd token list --db restored/twonet.db --all >tokens &&
	grep -q "revoked .* 王芳$" tokens
'

# a second server, on the restored database (the first one stops: the
# test library's clean-up then stops this one)
stop_server
twonetd serve --db "$TRASH/restored/twonet.db" --listen 127.0.0.1:0 \
	--port-file "$TRASH/restored.port" >>"$TRASH/restored.log" 2>&1 &
TWONETD_PID=$!
for _ in $(seq 600); do [ -s "$TRASH/restored.port" ] && break; sleep 0.05; done
export TWONET_URL="http://127.0.0.1:$(cat "$TRASH/restored.port")"

test_expect_success 'the restored server: the certificates (one revoked), signatures verifying' '
	test -s "$TRASH/restored.port" &&
	test_expect_exit 1 cert-fetch --token "$(tok holder)" --purpose 自查 "$(st sfz)" >f.json 2>err &&
	json_eq .verification.reason revoked <f.json && json_eq .revoke_reason 证件遗失 <f.json &&
	cert-fetch --token "$(tok holder)" --purpose 自查 "$(st sfz2)" "$(st hkb)" \
		--jq .verification.valid >v &&
	printf "true\ntrue\n" >expect && test_cmp expect v &&
	TWONET_TOKEN=$(tok issuer2) sfz sfz-2 2026-12-01 --jq .id >again 2>err &&
	test "$(cat again)" = "$(st sfz2)" && grep -q "nothing new issued" err
'

test_expect_success 'the restored server: the consent revoked, tokens as they were, the audit chain whole' '
	cert-consent --token "$(tok holder)" list --all --jq "[.id, .scenario, .status] | @tsv" >l &&
	test "$(cat l)" = "$(st consent-id)	hospital	revoked" &&
	test_expect_exit 4 cert-fetch --token "$(tok reader)" --purpose 就诊身份核验 \
		--consent "$(st consent-token)" --holder $P 2>err &&
	test_expect_exit 4 case-list --token "$(tok clerk)" 2>err &&
	TWONET_TOKEN=$(tok issuer) test_expect_exit 4 sfz sfz-3 2026-12-02 2>err &&
	cert-audit --verify >v.json &&
	json_eq .ok true <v.json &&
	test "$(jq -r .rows v.json)" -ge "$(st audit-rows)" &&
	cert-audit --holder $P --jq "[.actor, .outcome] | @tsv" >rows &&
	grep -q "^瑞金医院	allowed$" rows &&
	cert-audit --all --jq .hash | head -n "$(wc -l <state/audit-hashes)" >hashes &&
	test_cmp state/audit-hashes hashes &&
	cert-audit --token "$(tok holder)" --mine --jq .actor >mine &&
	grep -q "^瑞金医院$" mine
'

test_expect_success 'the restored server: the alert reopened with its crew; the one raised after the backup absent' '
	export TWONET_TOKEN=$(tok operator) &&
	alert-list --all --jq "[.id, .status, .crew // \"-\"] | @tsv" >alerts &&
	printf "%s\tdispatched\tPT-017\n%s\traised\t-\n" "$(st bund)" "$(st pd)" >expect &&
	test_cmp expect alerts &&
	test_expect_exit 3 alert-act close --evaluation x "$(st late)" 2>err &&
	alert-act acknowledge "$(st bund)" --jq .status >s && test "$(cat s)" = acknowledged
'

test_done
