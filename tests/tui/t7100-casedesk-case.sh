#!/bin/bash
# casedesk's case view and actions: materials supplied, missing and exempted by a verified
# e-certificate (and a revoked one), accept then approve (checked with case-show), a
# stale version changed behind the TUI's back, return with a readline comment, tagged
# cases, --readonly, keys from the config file, the certificates view, and the holder's
# one-time consent code asked for when the clerk may not read a stranger's certificates.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk case view' 'no tmux'
	test_done
fi

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
ADMIN=$(make_token admin root)
export TWONET_TOKEN=$(make_token clerk clerk-yb YBJ)
P=110101199003070003
APP=$(make_token applicant zhang "" $P)      # files C1 itself: the clerk may then read its certificates

# a social security card (社会保障卡, RSJ) of $P
curl -sS -o cert.json -H "Authorization: Bearer $RS" -H "Idempotency-Key: sbk-1" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"S310101\",\"bank\":\"工商银行\",\"issue_date\":\"2020-01-01\"},\"valid_from\":\"2020-01-01\"}" \
	"$TWONET_URL/v1/certs"
CERT=$(jq -r .id cert.json)
P2=310115198511204566           # a stranger to the clerk: no case of theirs anywhere
APP2=$(make_token applicant li "" $P2)
curl -sS -o cert2.json -H "Authorization: Bearer $RS" -H "Idempotency-Key: sbk-2" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P2\",\"name\":\"李四\"},\"fields\":{\"card_no\":\"S310115\",\"bank\":\"建设银行\",\"issue_date\":\"2021-01-01\"},\"valid_from\":\"2021-01-01\"}" \
	"$TWONET_URL/v1/certs"
C1=$(TWONET_TOKEN=$APP file_case $P 张三 "[{\"code\":\"M-SBK\",\"cert\":\"$CERT\"},{\"code\":\"M-TXSP\",\"ref\":\"scan-001\"}]")
C2=$(file_case $P 李四)
C3=$(file_case $P 王芳)
C4=$(file_case $P 赵六)
set_deadline $C1 2030-01-01
set_deadline $C2 2030-01-02
set_deadline $C3 2030-01-03
set_deadline $C4 2030-01-04
M=$(gen-cases 1 | case-submit --bulk 2>/dev/null | jq -r .id)
set_deadline $M 2035-01-01

test_expect_success 'set up: a certificate and four cases' '
	case $CERT in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	test -n "$C1" && test -n "$C4"
'

test_expect_success 'the case view: form, materials supplied and exempted by a verified certificate, history' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C1" &&
	keys Enter &&
	wait_screen "✓ verified: 社会保障卡 of 张三, issued by RSJ" &&
	wait_screen "submit submitted  v1" &&
	grep -q "M-TXSP .*职工退休审批表 .*supplied (scan-001)" screen &&
	grep -q "M-SBK .*社会保障卡 .*exempted by e-certificate 1.2.156.3005.2" screen &&
	grep -q "retire_date .*2026-12-01" screen &&
	grep -q "submit submitted  v1" screen &&
	grep -q "^case $C1" screen &&
	desk_quit
'

test_expect_success 'a material neither supplied nor held as a certificate shows missing' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C2" &&
	open_case $M &&
	wait_screen "Materials" &&
	grep -q "M-YLPJ .*医疗费用票据 .*missing" screen &&
	desk_quit
'

test_expect_success 'a revoked certificate reads NOT VALID after a refresh (R)' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C1" &&
	keys Enter &&
	wait_screen "✓ verified" &&
	curl -sS -o revoked.json -H "Authorization: Bearer $RS" -d "{\"reason\":\"卡片挂失\"}" \
		"$TWONET_URL/v1/certs/$CERT/revoke" &&
	json_eq .status revoked <revoked.json &&
	keys R &&
	wait_screen "✗ NOT VALID: revoked" &&
	desk_quit
'

test_expect_success 'accept, then approve: each confirmed by a second key; case-show agrees' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C2" &&
	keys j Enter &&
	wait_screen "case $C2" &&
	keys a &&
	wait_screen "accept $C2 (version 1)? press a again to confirm" &&
	keys a &&
	wait_screen "accepted $C2" &&
	wait_screen "$C2  accepted  version 2" &&
	keys p &&
	wait_screen "approve $C2 (version 2)?" &&
	keys n &&
	wait_screen "cancelled" &&
	case-show --no-events $C2 >shown && json_eq .status accepted <shown &&
	keys p p &&
	wait_screen "approved $C2" &&
	case-show $C2 >shown &&
	json_eq .status approved <shown &&
	json_eq .version 3 <shown &&
	json_eq "[.events[].action] | join(\",\")" submit,accept,approve <shown &&
	json_eq ".events[2].actor" clerk-yb <shown &&
	desk_quit
'

test_expect_success 'a stale version: "changed by someone else", the case reloaded, nothing overwritten' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C3" &&
	keys j j Enter &&
	wait_screen "$C3  submitted  version 1" &&
	case-act return -m "缺少退休审批表" $C3 >/dev/null &&
	keys a a &&
	wait_screen "$C3 was changed by someone else (now version 2, returned): reloaded, nothing overwritten" &&
	wait_screen "$C3  returned  version 2" &&
	case-show $C3 >shown &&
	json_eq .status returned <shown &&
	json_eq .version 2 <shown &&
	json_eq "[.events[].action] | join(\",\")" submit,return <shown &&
	desk_quit
'

test_expect_success 'return asks what is missing (readline editing), sent as the comment' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C4" &&
	open_case $C4 &&
	wait_screen "$C4  submitted" &&
	keys r r &&
	wait_screen "return: what is missing?" &&
	typ "缺少社保卡" && keys C-a && typ "仍" && keys End && typ "复印件" &&
	keys Enter &&
	wait_screen "returned $C4" &&
	case-show $C4 >shown &&
	json_eq .status returned <shown &&
	json_eq ".events[-1].comment" 仍缺少社保卡复印件 <shown &&
	desk_quit
'

test_expect_success 'a move the status does not allow keeps the server'"'"'s reason' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C4" &&
	keys / && typ $C4 && keys Enter && wait_screen "1 shown" &&
	keys c c &&
	wait_screen "cannot complete $C4: cannot complete a case that is returned" &&
	case-show --no-events $C4 >shown && json_eq .status returned <shown &&
	desk_quit
'

test_expect_success 'tagged cases (Space): one action applies to all of them' '
	test_when_finished desk_finish &&
	C5=$(file_case $P 孙七) && C6=$(file_case $P 周八) &&
	set_deadline $C5 2030-02-01 && set_deadline $C6 2030-02-02 &&
	desk &&
	wait_screen "$C6" &&
	keys / && typ 孙七 && keys Enter && wait_screen "1 shown" && keys Space &&
	keys / C-u && typ 周八 && keys Enter && wait_screen "/周八" && keys Space &&
	wait_screen "2 tagged" &&
	keys / C-u Enter && wait_gone "shown" &&
	grep -q "^\* $C5" screen && grep -q "^\* $C6" screen && ! grep -q "^\* $C1" screen &&
	keys a &&
	wait_screen "accept 2 tagged cases? press a again" &&
	keys a &&
	wait_screen "accepted 2 of 2 cases" &&
	case-show --no-events $C5 >s5 && json_eq .status accepted <s5 &&
	case-show --no-events $C6 >s6 && json_eq .status accepted <s6 &&
	case-show --no-events $C1 >s1 && json_eq .status submitted <s1 &&
	desk_quit
'

test_expect_success '--readonly refuses every action' '
	test_when_finished desk_finish &&
	desk --readonly &&
	wait_screen "$C1" &&
	keys Enter &&
	wait_screen "case $C1" &&
	keys a &&
	wait_screen "read-only: casedesk was started with --readonly, cannot accept" &&
	keys a &&
	case-show --no-events $C1 >s1 && json_eq .status submitted <s1 &&
	grep -q "read-only" screen &&
	desk_quit
'

test_expect_success 'keys and colours from the config file (casedesk: section); a bad key is refused' '
	test_when_finished desk_finish &&
	mkdir -p "$XDG_CONFIG_HOME/twonet" &&
	printf "casedesk:\n  keys:\n    accept: o\n    down: [n, Down]\n  colors:\n    overdue: magenta\n" \
		>"$XDG_CONFIG_HOME/twonet/config.yaml" &&
	test_when_finished "rm -f \"$XDG_CONFIG_HOME/twonet/config.yaml\"" &&
	desk &&
	wait_screen "$C1" &&
	keys "?" && wait_screen "help · q to go back" &&
	grep -q "^o  *accept" screen && grep -q "^n Down  *down" screen &&
	keys q && keys Enter && wait_screen "case $C1" &&
	# a is no longer accept: had it asked to confirm, the o after it would cancel that
	# ("cancelled") instead of asking for o; keys are read in order, so no sleep is needed
	keys a && keys o && wait_screen "accept $C1 (version 1)? press o again" &&
	! grep -q "cancelled" screen && keys Escape &&
	desk_finish &&
	printf "casedesk:\n  keys:\n    accept: ctrl-alt-x\n" >"$XDG_CONFIG_HOME/twonet/config.yaml" &&
	test_expect_exit 7 casedesk 2>err &&
	grep -q "config.yaml:3: casedesk: '"'"'ctrl-alt-x'"'"' is not a key" err
'

test_expect_success 'the certificates view: the applicant'"'"'s certificates, the purpose asked once' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C1" &&
	keys Enter && wait_screen "case $C1" &&
	keys C &&
	wait_screen "purpose of the look-up (asked once):" &&
	typ "核验社保卡" && keys Enter &&
	wait_screen "e-certificates of $P  (purpose: 核验社保卡)" &&
	wait_screen "✗ NOT VALID  社会保障卡" &&
	grep -q "revoked" screen &&
	keys q && wait_screen "case $C1" && keys q && wait_screen "inbox:" &&
	keys C && wait_screen "holder (ID number or credit code):" &&
	typ $P && keys Enter &&
	wait_screen "certificates: 1" &&
	! grep -q "purpose of the look-up" screen &&
	db_sql "select purpose from audit order by seq" >purposes &&
	test "$(grep -c "^核验社保卡$" purposes)" = 2 &&
	desk_quit
'

test_expect_success 'a stranger'"'"'s certificates: casedesk asks for the consent code the holder reads out, and reads with it' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C1" &&
	keys C && wait_screen "holder (ID number or credit code):" &&
	typ $P2 && keys Enter &&
	wait_screen "purpose of the look-up (asked once):" &&
	typ "窗口核验" && keys Enter &&
	wait_screen "consent code of $P2 (the applicant reads it out):" &&
	grep -q "certificates of .$P2.: a clerk reads a holder" screen &&
	grep -q "^K: enter the consent code the holder reads out" screen &&
	typ "7K2M-9QXD" && keys Enter &&
	wait_screen "consent code '"'"'7K2M-9QXD'"'"': 8 characters, a code has 12" &&
	keys K && wait_screen "consent code of $P2 (the applicant reads it out):" &&
	typ "0000-0000-0000" && keys Enter &&
	wait_screen "K: enter it again; the consent code was not accepted (mistyped, expired" &&
	! grep -q "consent code of $P2 (the" screen &&
	code=$(curl -sS -X POST -H "Authorization: Bearer $APP2" "$TWONET_URL/v1/consents/codes" | jq -r .code) &&
	keys K && wait_screen "consent code of $P2 (the applicant reads it out):" &&
	typ "$(echo "$code" | tr A-Z a-z)" && keys Enter &&
	wait_screen "certificates: 1 · 0 not valid" &&
	grep -q "✓ valid .*社会保障卡" screen &&
	test "$(db_sql "select used_dept from consent_codes where holder = '"'"'$P2'"'"' and used_by is not null")" = YBJ &&
	db_sql "select outcome from audit where holder = '"'"'$P2'"'"' order by seq" >outcomes &&
	printf "forbidden\nforbidden\nallowed\n" >want &&
	test_cmp want outcomes &&
	desk_quit
'

test_expect_success 'a workflow case lists its sub-cases; Enter opens one, which names its parent' '
	test_when_finished desk_finish &&
	cat >wf.json <<-\EOF &&
	{"applicant":{"id":"91350100M000100Y43","name":"老王面馆有限公司","phone":"13800000000"},
	 "form":{"org_name":"老王面馆有限公司","org_type":"有限责任公司","uscc":"91350100M000100Y43",
	   "legal_rep":"王五","legal_rep_id":"110101199003070003","premises":"黄浦区中山东一路1号",
	   "district":"黄浦区","registered_capital":500000,"business_scope":"餐饮服务",
	   "applicant_phone":"13800000000","food_category":"热食类食品制售","floor_area":120,"seats":40,
	   "liquor_kind":"啤酒","sign_text":"老王面馆","sign_size":"3x1","opening_date":"2026-03-15"},
	 "materials":[{"code":"M-GSZC"},{"code":"M-ZSZM"},{"code":"M-WTS"},{"code":"M-RZWJ"},
	   {"code":"M-PMT"},{"code":"M-SBBJ"},{"code":"M-SPAQ"},{"code":"M-JLGH"},{"code":"M-ZPSJ"},
	   {"code":"M-ZPJG"},{"code":"M-XFSJ"}]}
	EOF
	case-submit --token "$ADMIN" --workflow restaurant -f wf.json --format json >parent.json &&
	W=$(jq -r .id parent.json) &&
	jq -r ".children[]" parent.json >children &&
	test "$(wc -l <children)" = 4 &&
	TWONET_TOKEN=$ADMIN desk --no-alerts &&
	wait_screen "$W" &&
	open_case $W &&
	keys G &&
	wait_screen "Sub-cases (Enter opens one)" &&
	for c in $(cat children); do grep -q "^  $c  submitted" screen || exit 1; done &&
	last=$(tail -n 1 children) &&
	keys Enter &&
	wait_screen "case $last" &&
	wait_screen "part of     $W" &&
	desk_quit
'

test_done
