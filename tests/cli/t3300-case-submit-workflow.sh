#!/bin/bash
# case-submit --workflow: a parent case and a sub-case per department, deadlines from the
# calendar, one form, the merge's material states, department scoping, completion, the tree.
. "$(dirname "$0")/test-lib.sh"

# every deadline below counts from Monday 2026-02-09, across the 2026 Spring Festival
export TWONET_TODAY=2026-02-09
start_server || exit 1
APP=$(make_token applicant app-wang)
ADMIN=$(make_token admin admin)
C_SCJG=$(make_token clerk clerk-scjg SCJGJ)
C_JLZM=$(make_token clerk clerk-jlzm JLZMJ)
C_LHSR=$(make_token clerk clerk-lhsr LHSRJ)
C_XF=$(make_token clerk clerk-xf XFZD)
export TWONET_TOKEN=$APP

# the sub-case of department $2 of parent $1, as JSON on stdout (admin)
sub_of() {
	api GET "/v1/cases?parent=$1&department=$2" "$ADMIN" >/dev/null &&
	jq -c '.items[0]' out.json
}

restaurant_case >case.json

test_expect_success 'a workflow case files a parent and one sub-case per department' '
	case-submit --workflow restaurant -f case.json --format json >parent.json &&
	json_eq .workflow restaurant <parent.json &&
	json_eq .parent null <parent.json &&
	json_eq .item null <parent.json &&
	json_eq .item_name 开办餐饮店一件事 <parent.json &&
	json_eq .status submitted <parent.json &&
	json_eq ".children | length" 4 <parent.json &&
	json_eq "[.departments[].code] | join(\",\")" SCJGJ,JLZMJ,LHSRJ,XFZD <parent.json &&
	jq -r .id parent.json >id &&
	test "$(api GET "/v1/cases?parent=$(cat id)" "$ADMIN")" = 200 &&
	json_eq "[.items[].department] | join(\",\")" SCJGJ,JLZMJ,LHSRJ,XFZD <out.json &&
	json_eq "[.items[].id] == $(jq -c .children parent.json)" true <out.json &&
	json_eq "[.items[] | select(.parent == \"$(cat id)\" and .workflow == \"restaurant\")] | length" 4 <out.json &&
	json_eq "[.items[] | has(\"children\")] | any" false <out.json &&
	test "$(api GET "/v1/cases?workflow=restaurant" "$ADMIN")" = 200 &&
	json_eq "[.items[].id] | join(\",\")" "$(jq -r "[.id] + .children | join(\",\")" parent.json)" <out.json
'

test_expect_success 'sub-case deadlines come from the merged time plan and the calendar' '
	# market regulation: its last item finishes 7 working days after Mon 02-09:
	# 10, 11, 12, 13, Sat 14 (a working Saturday), 15-23 Spring Festival, 24, 25
	sub_of "$(cat id)" SCJGJ >scjg.json &&
	json_eq .deadline 2026-02-25 <scjg.json &&
	json_eq "[.items[].code] | join(\",\")" 310000-SCJG-001,310000-SCJG-002 <scjg.json &&
	json_eq ".items[0].deadline" 2026-02-12 <scjg.json &&
	# liquor: 10 working days: then 26, 27 and Sat 28 (a working Saturday)
	sub_of "$(cat id)" JLZMJ >jlzm.json &&
	json_eq .deadline 2026-02-28 <jlzm.json &&
	sub_of "$(cat id)" XFZD >xf.json &&
	json_eq .deadline 2026-02-26 <xf.json &&
	json_eq .days 8 <xf.json &&
	# the parent: the critical path, the same as workflow-merge computes
	json_eq .deadline 2026-02-28 <parent.json &&
	json_eq .days 10 <parent.json &&
	test "$(workflow-merge --start 2026-02-09 --jq .time.deadline restaurant)" = 2026-02-28
'

test_expect_success 'the applicant fills one form: the parent holds it, each sub-case its fields' '
	json_eq "(.form | length)" 17 <parent.json &&
	test "$(workflow-merge --jq ".fields | length" restaurant)" = 17 &&
	json_eq "[.form.liquor_kind, (.form | has(\"sign_text\"))] | @text" "[\"啤酒\",false]" <jlzm.json &&
	sub_of "$(cat id)" LHSRJ >lhsr.json &&
	json_eq "[.form.sign_text, (.form | has(\"liquor_kind\"))] | @text" "[\"老王面馆\",false]" <lhsr.json &&
	json_eq .form.org_name 老王面馆有限公司 <lhsr.json
'

test_expect_success 'materials: produced → by the earlier item; one a certificate could stand for, none named → still asked' '
	json_eq "[.materials[] | select(.state == \"supplied\")] | length" 11 <parent.json &&
	json_eq "[.materials[] | select(.state == \"missing\") | .code] | join(\",\")" \
		M-FRSFZ,M-BDCQ,M-JBRSFZ,M-JKZM,M-SGZZ,M-XFZD <parent.json &&
	json_eq "[.materials[] | select(.state == \"exempted\")] | length" 0 <parent.json &&
	json_eq "[.materials[] | select(.state == \"produced\")] | length" 3 <parent.json &&
	json_eq "[.materials[] | select(.state == \"supplied\" or (.state == \"missing\" and .cert_kind == null))] | length" \
		"$(workflow-merge --jq .figures.after.materials restaurant)" <parent.json &&
	json_eq "[.materials[] | select(.code == \"M-FRSFZ\") | .state, .cert_kind] | join(\" \")" \
		"missing CK-SFZ" <parent.json &&
	json_eq "[.materials[] | select(.code == \"M-YYZZ\") | .state, .produced_by] | join(\" \")" \
		"produced 310000-SCJG-001" <jlzm.json &&
	json_eq "[.materials[] | select(.code == \"M-SPXK\") | .produced_by] | join(\",\")" \
		310000-SCJG-002 <jlzm.json &&
	json_eq "[.materials[] | select(.code == \"M-XFZD\") | .state] | join(\",\")" missing <xf.json
'

test_expect_success 'a material the workflow produces, or does not ask for, is refused (exit 7)' '
	jq ".materials += [{\"code\":\"M-YYZZ\"}]" case.json >bad.json &&
	test_expect_exit 7 case-submit --workflow restaurant -f bad.json 2>err &&
	grep -q "M-YYZZ.*produced by an item of the workflow" err &&
	jq ".materials += [{\"code\":\"M-NOPE\"}]" case.json >bad.json &&
	test_expect_exit 7 case-submit --workflow restaurant -f bad.json 2>err &&
	grep -q "asks for no material .M-NOPE." err
'

test_expect_success 'a missing field of the one form and an unknown workflow are refused (exit 7)' '
	jq "del(.form.liquor_kind)" case.json >bad.json &&
	test_expect_exit 7 case-submit --workflow restaurant -f bad.json 2>err &&
	grep -q "liquor_kind" err &&
	test_expect_exit 7 case-submit --workflow no-such-thing -f case.json 2>err &&
	grep -qx "case-submit: error: unknown workflow .no-such-thing." err &&
	test_expect_exit 7 case-submit --workflow restaurnt -f case.json 2>err &&
	grep -qx "case-submit: error: unknown workflow .restaurnt.; did you mean .restaurant.?" err
'

test_expect_success 're-running the same submission files nothing new' '
	test "$(api GET "/v1/cases?limit=1000" "$ADMIN")" = 200 &&
	jq ".items | length" out.json >before &&
	case-submit --workflow restaurant -f case.json --format json >again.json 2>err &&
	grep -q "filed before" err &&
	json_eq .id "$(cat id)" <again.json &&
	json_eq ".children | join(\",\")" "$(jq -r ".children | join(\",\")" parent.json)" <again.json &&
	test "$(api GET "/v1/cases?limit=1000" "$ADMIN")" = 200 &&
	test "$(jq ".items | length" out.json)" = "$(cat before)"
'

test_expect_success 'the same case as a bulk line with "workflow" is the same key: replayed' '
	jq -c ". + {workflow: \"restaurant\"}" case.json >line.ndjson &&
	case-submit --bulk <line.ndjson >bulk.out 2>err &&
	grep -q "filed 0, replayed 1, failed 0" err &&
	json_eq .id "$(cat id)" <bulk.out
'

test_expect_success 'a published (merged) workflow is merged again from the server'"'"'s items' '
	workflow-merge --token "$ADMIN" --publish child-birth >/dev/null &&
	test "$(api GET /v1/workflows/child-birth "$ADMIN")" = 200 &&
	json_eq ".items[0] | type" object <out.json &&
	case-submit --workflow child-birth --applicant-id 110101199003070003 \
		--applicant-name 张三 --field child_name=张小宝 --field birth_date=2026-02-01 \
		--field birth_hospital=华山医院 --field applicant_name=张三 \
		--field applicant_id=110101199003070003 --field applicant_phone=13800000000 \
		--field address=黄浦区中山东一路1号 --field district=黄浦区 --material M-ZP \
		--format json >birth.json &&
	json_eq "[.departments[].code] | join(\",\")" WSJKW,GAJ,YBJ,RSJ <birth.json &&
	json_eq "[.materials[] | select(.state == \"supplied\") | .code] | join(\",\")" M-ZP <birth.json &&
	json_eq .deadline "$(workflow-merge --start 2026-02-09 --jq .time.deadline child-birth)" <birth.json
'

test_expect_success '--item and --workflow exclude each other; -i takes no workflow (exit 2)' '
	test_expect_exit 2 case-submit --workflow restaurant --item 310000-SCJG-001 -f case.json &&
	test_expect_exit 2 case-submit --workflow restaurant -i
'

test_expect_success 'a clerk lists only the sub-case of their department' '
	case-list --token "$C_SCJG" --format json >list.json &&
	json_eq "length" 1 <list.json &&
	json_eq ".[0].department" SCJGJ <list.json &&
	json_eq ".[0].parent" "$(cat id)" <list.json
'

test_expect_success 'a clerk gets not found for another department'"'"'s sub-case' '
	test_expect_exit 3 case-show --token "$C_SCJG" "$(jq -r .id jlzm.json)" >out 2>err &&
	test ! -s out &&
	test "$(api GET "/v1/cases/$(jq -r .id jlzm.json)" "$C_SCJG")" = 404
'

test_expect_success 'a clerk sees the parent redacted: no form, no materials, only their sub-case' '
	test "$(api GET "/v1/cases/$(cat id)" "$C_SCJG")" = 200 &&
	json_eq .redacted true <out.json &&
	json_eq "has(\"form\") or has(\"materials\")" false <out.json &&
	json_eq ".children | join(\",\")" "$(jq -r .id scjg.json)" <out.json &&
	json_eq "[.departments[].code] | join(\",\")" SCJGJ <out.json &&
	! grep -q -e JLZMJ -e 啤酒 -e M-XFZD out.json &&
	case-show --token "$C_SCJG" --format json "$(cat id)" >tree.json &&
	json_eq "[.subcases[].department] | join(\",\")" SCJGJ <tree.json &&
	other=$(make_token clerk clerk-sw SWJ) &&
	test "$(api GET "/v1/cases/$(cat id)" "$other")" = 404
'

test_expect_success 'nobody moves the parent by hand (exit 5)' '
	test_expect_exit 5 case-act --token "$ADMIN" accept "$(cat id)" 2>err &&
	grep -q "parent of a workflow case" err
'

# walk ID through accept, approve, complete as TOKEN
finish() {
	case-act --token "$2" accept "$1" >/dev/null &&
	case-act --token "$2" approve "$1" >/dev/null &&
	case-act --token "$2" complete "$1" >/dev/null
}

test_expect_success 'the parent stays open while one sub-case is not completed' '
	finish "$(jq -r .id scjg.json)" "$C_SCJG" &&
	finish "$(jq -r .id jlzm.json)" "$C_JLZM" &&
	finish "$(jq -r .id lhsr.json)" "$C_LHSR" &&
	case-act --token "$C_XF" accept "$(jq -r .id xf.json)" >/dev/null &&
	case-act --token "$C_XF" approve "$(jq -r .id xf.json)" >/dev/null &&
	case-show --no-subcases --format json "$(cat id)" >p.json &&
	json_eq .status submitted <p.json &&
	json_eq .completed_at null <p.json &&
	json_eq "[.events[].action] | join(\",\")" submit <p.json
'

test_expect_success 'completing the last sub-case completes the parent, as "system"' '
	case-act --token "$C_XF" complete "$(jq -r .id xf.json)" >/dev/null &&
	case-show --no-subcases --format json "$(cat id)" >p.json &&
	json_eq .status completed <p.json &&
	json_eq .version 2 <p.json &&
	json_eq "(.completed_at | type)" string <p.json &&
	json_eq ".events[-1] | [.actor, .role, .action, .from, .to] | join(\" \")" \
		"system system complete submitted completed" <p.json
'

test_expect_success 'case-show shows the tree: JSON with "subcases"' '
	case-show --format json "$(cat id)" >tree.json &&
	json_eq ".subcases | length" 4 <tree.json &&
	json_eq "[.subcases[].id] == .children" true <tree.json &&
	json_eq "[.subcases[] | .parent == \"$(cat id)\"] | all" true <tree.json &&
	json_eq "[.subcases[].status] | unique | join(\",\")" completed <tree.json &&
	json_eq ".subcases[0].events | length" 4 <tree.json &&
	case-show --no-subcases --format json "$(cat id)" >flat.json &&
	json_eq "has(\"subcases\")" false <flat.json
'

test_expect_success 'case-show shows the tree as text: the parent, its sub-cases table, each sub-case' '
	case-show --format table "$(cat id)" >tree.txt &&
	grep -q "^id: *$(cat id)" tree.txt &&
	grep -q "^item: *开办餐饮店一件事" tree.txt &&
	grep -q "^workflow: *restaurant" tree.txt &&
	grep -q "^sub-cases: *$(jq -r ".children | join(\" \")" parent.json)" tree.txt &&
	grep -q "^sub-cases:$" tree.txt &&
	grep -q "^ID *DEPARTMENT *STATUS *DEADLINE *ITEM_NAME" tree.txt &&
	grep -q "^$(jq -r .id jlzm.json) *JLZMJ *completed *2026-02-28 *酒类商品零售许可" tree.txt &&
	test "$(grep -c "^parent: *$(cat id)" tree.txt)" = 4 &&
	grep -q "^department: *XFZD 消防救援总队" tree.txt &&
	grep -q "^  M-YYZZ 营业执照  produced by 310000-SCJG-001" tree.txt &&
	grep -q "system *complete *submitted *completed" tree.txt
'

test_expect_success 'the applicant lists the parents and their sub-cases' '
	case-list --format json >mine.json &&
	json_eq "[.[] | select(.workflow == \"restaurant\")] | length" 5 <mine.json &&
	json_eq "[.[] | select(.workflow == \"restaurant\" and .parent == null)] | length" 1 <mine.json &&
	json_eq "[.[] | select(.workflow == \"child-birth\")] | length" 5 <mine.json
'

# zero-material honesty on a workflow: the company holds one certificate of the set
twonetd issuer add --db "$TWONETD_DB" --dept ZJW >/dev/null || exit 1
ZJW=$(make_token issuer zjw ZJW)
WANG=$(make_token applicant wang "" 91350100M000100Y43)

test_expect_success 'a certificate the applicant holds exempts its material (looked up, id kept); the rest to bring' '
	printf "%s\n" "{\"kind\":\"CK-JZQYZZ\",\"holder\":{\"type\":\"org\",\"id\":\"91350100M000100Y43\",\"name\":\"老王面馆有限公司\"},\"fields\":{\"certificate_no\":\"D231000001\",\"company\":\"老王面馆有限公司\",\"qualifications\":\"建筑装修装饰工程专业承包二级\"},\"valid_from\":\"2020-01-01\"}" |
		TWONET_TOKEN=$ZJW cert-issue -f - --jq .id >cert.id &&
	jq ".form.sign_text = \"老王面馆二店\"" case.json >case2.json &&
	TWONET_TOKEN=$WANG case-submit --workflow restaurant -f case2.json --format json >p2.json 2>err &&
	json_eq "[.materials[] | select(.state == \"exempted\") | .code, .cert] | join(\" \")" \
		"M-SGZZ $(cat cert.id)" <p2.json &&
	json_eq "[.materials[] | select(.state == \"missing\") | .code] | join(\",\")" \
		M-FRSFZ,M-BDCQ,M-JBRSFZ,M-JKZM,M-XFZD <p2.json &&
	grep -q "must still bring M-FRSFZ" err && ! grep -q "M-SGZZ" err
'

test_expect_success 'a named certificate is checked: revoked, another holder'"'"'s, or for a material no certificate stands for (exit 7)' '
	jq ".form.sign_text = \"老王面馆三店\" | .materials += [{\"code\":\"M-JKZM\",\"cert\":\"$(cat cert.id)\"}]" case.json >bad.json &&
	test_expect_exit 7 env TWONET_TOKEN=$WANG case-submit --workflow restaurant -f bad.json 2>err &&
	grep -q "M-JKZM" err &&
	jq ".form.sign_text = \"老王面馆三店\" | .materials += [{\"code\":\"M-GSZC2\",\"cert\":\"$(cat cert.id)\"}]" case.json >bad.json &&
	test_expect_exit 7 env TWONET_TOKEN=$WANG case-submit --workflow restaurant -f bad.json 2>err &&
	TWONET_TOKEN=$ZJW cert-revoke --reason 吊销 "$(cat cert.id)" >/dev/null &&
	jq ".form.sign_text = \"老王面馆三店\" | .materials += [{\"code\":\"M-SGZZ\",\"cert\":\"$(cat cert.id)\"}]" case.json >bad.json &&
	test_expect_exit 7 env TWONET_TOKEN=$WANG case-submit --workflow restaurant -f bad.json 2>err &&
	grep -q "revoked" err &&
	TWONET_TOKEN=$WANG case-submit --workflow restaurant -f case2.json --key fresh-after-revoke --format json >p3.json 2>err &&
	json_eq "[.materials[] | select(.state == \"exempted\")] | length" 0 <p3.json
'

test_done
