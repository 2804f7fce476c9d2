#!/bin/bash
# workflow-merge: the restaurant's figures derived from the catalog, the summary,
# the article workflows, ad-hoc sets, catalog errors with file and line, conflicts,
# cycles, deadlines, and the merge of items read from the server.
. "$(dirname "$0")/test-lib.sh"

CAT="$TWONET_SRC/share/twonet/catalog"

# a copy of the shipped catalog to break
copy_catalog() {
	rm -rf cat && cp -R "$CAT" cat
}

test_expect_success 'restaurant: before and after figures, derived' '
	workflow-merge restaurant >m.json &&
	jq -r "[.figures.before | .forms, .materials, .visits, .inspections, .days] | join(\" \")" m.json >before &&
	echo "4 31 6 3 58" >want && test_cmp want before &&
	jq -r "[.figures.after | .forms, .materials, .visits, .inspections, .days] | join(\" \")" m.json >after &&
	echo "1 12 1 1 10" >want && test_cmp want after &&
	json_eq ".materials | length" 12 <m.json &&
	json_eq ".dropped_materials | length" 19 <m.json &&
	json_eq ".departments | length" 4 <m.json &&
	json_eq ".time.critical_path | join(\",\")" "310000-SCJG-001,310000-SCJG-002,310000-JLZM-001" <m.json
'

test_expect_success 'restaurant: why each material went' '
	workflow-merge restaurant >m.json &&
	json_eq "[.dropped_materials[] | select(.code == \"M-YYZZ\") | .produced_by] | unique | join(\",\")" \
		310000-SCJG-001 <m.json &&
	json_eq "[.dropped_materials[] | select(.reason == \"certificate\") | .cert_kind] | unique | join(\",\")" \
		CK-BDCQZ,CK-JKZM,CK-JZQYZZ,CK-SFZ <m.json &&
	json_eq "[.items[] | select(.code == \"310000-JLZM-001\") | .materials[] | select(.code == \"M-SPXK\") | .disposition][0]" \
		produced <m.json
'

test_expect_success 'summary: before and after of every figure, with reasons' '
	workflow-merge --format table --explain restaurant >s.out &&
	grep -F "materials       31 → 12   (−61%)" s.out &&
	grep -F "forms            4 → 1    (−75%)" s.out &&
	grep -F "working days    58 → 10   (−83%)" s.out &&
	grep -F "one joint inspection" s.out &&
	grep -F "310000-JLZM-001  M-SPXK    食品经营许可证: exempt, produced by 310000-SCJG-002" s.out &&
	grep -F "dropped fields (28):" s.out
'

test_expect_success 'each rule switched off changes the figure it owns' '
	for r in one-form:forms:4 material-dedup:materials:17 cert-exempt:materials:17 \
		 produced-exempt:materials:15 one-visit:visits:6 joint-inspection:inspections:3 \
		 critical-path:days:20 promised-days:days:33 field-dedup:fields:45; do
		rule=${r%%:*} rest=${r#*:} fig=${rest%%:*} want=${rest#*:}
		got=$(workflow-merge --without "$rule" --jq ".figures.after.$fig" restaurant) &&
		if [ "$got" != "$want" ]; then echo "$rule: $fig $got, want $want"; exit 1; fi
	done
'

test_expect_success 'the six article workflows merge' '
	for w in medical-reimbursement child-birth citizen-death retirement enterprise-tax business-start; do
		workflow-merge "$w" >w.json || { echo "$w failed"; exit 1; }
		json_eq ".figures.after.forms" 1 <w.json &&
		jq -e ".figures.after.materials < .figures.before.materials" w.json >/dev/null || exit 1
	done
'

test_expect_success '--list: every workflow with its figures' '
	workflow-merge --list --format tsv --fields code,after.materials >l.tsv &&
	grep -P "^restaurant\t12$" l.tsv &&
	test $(wc -l <l.tsv) -eq 8
'

test_expect_success 'an ad-hoc set: the licence already exists, one visit per window' '
	workflow-merge 310000-SCJG-002 310000-JLZM-001 >a.json &&
	json_eq ".code" null <a.json &&
	json_eq "[.dropped_materials[] | select(.code == \"M-YYZZ\") | .reason] | unique[0]" certificate <a.json &&
	json_eq ".figures.after.visits" 2 <a.json &&
	workflow-merge --window 一件事窗口 310000-SCJG-002 310000-JLZM-001 >b.json &&
	json_eq ".figures.after.visits" 1 <b.json
'

test_expect_success 'deadlines across the Spring Festival and National Day 2026' '
	json_eq ".time.deadline" 2026-02-28 < <(workflow-merge --start 2026-02-09 restaurant) &&
	json_eq ".time.deadline" 2026-10-16 < <(workflow-merge --start 2026-09-28 restaurant) &&
	json_eq "[.items[] | .deadline] | join(\",\")" \
		2026-02-12,2026-02-25,2026-02-28,2026-02-26,2026-02-14,2026-02-26 \
		< <(workflow-merge --start 2026-02-09 restaurant)
'

test_expect_success 'unknown workflow or item: exit 3, with the closest code when one is close' '
	test_expect_exit 3 workflow-merge no-such-thing 2>err &&
	grep -F "no workflow or item '"'"'no-such-thing'"'"' in the catalog (catalog workflows" err &&
	test_expect_exit 3 workflow-merge 310000-SCJG-001 NO-ITEM 2>err &&
	grep -F "unknown item '"'"'NO-ITEM'"'"'" err &&
	test_expect_exit 3 workflow-merge restaurnt 2>err &&
	grep -F "(did you mean '"'"'restaurant'"'"'?)" err &&
	test_expect_exit 3 workflow-merge 310000-SCJG-01 2>err &&
	grep -F "(did you mean '"'"'310000-SCJG-001'"'"'?)" err &&
	test_expect_exit 3 workflow-merge 310000-SCJG-001 310000-SCJG-02 2>err &&
	grep -F "unknown item '"'"'310000-SCJG-02'"'"' (did you mean '"'"'310000-SCJG-002'"'"'?)" err
'

test_expect_success 'a catalog error: exit 7 with file and line' '
	copy_catalog &&
	line=$(grep -n "      - M-JLGH" cat/items-restaurant.yaml | cut -d: -f1) &&
	sed -i "s/      - M-JLGH/      - M-NOPE/" cat/items-restaurant.yaml &&
	test_expect_exit 7 workflow-merge --catalog cat restaurant 2>err &&
	grep -F "cat/items-restaurant.yaml:$line: unknown material '"'"'M-NOPE'"'"' in item '"'"'310000-JLZM-001'"'"'" err
'

test_expect_success 'conflicting field constraints: exit 7 naming the field' '
	copy_catalog &&
	perl -0pi -e "s/(window: 酒类专卖管理局受理窗口\n    fields:\n)      - org_name/\$1      - {field: org_name, max_length: 50}/" \
		cat/items-restaurant.yaml &&
	grep -F "{field: org_name, max_length: 50}" cat/items-restaurant.yaml &&
	test_expect_exit 7 workflow-merge --catalog cat restaurant 2>err &&
	grep -F "field '"'"'org_name'"'"' conflicts: item '"'"'310000-SCJG-001'"'"' has max_length 100, item '"'"'310000-JLZM-001'"'"' has max_length 50" err
'

test_expect_success 'a cycle of before: exit 7 naming it' '
	copy_catalog &&
	perl -0pi -e "s/(    produces: \[M-YYZZ\]\n)/\$1    before: [310000-XF-002]\n/" cat/items-restaurant.yaml &&
	test_expect_exit 7 workflow-merge --catalog cat restaurant 2>err &&
	grep -F "cycle in '"'"'before'"'"': 310000-SCJG-001 → 310000-XF-001 → 310000-XF-002 → 310000-SCJG-001" err
'

test_expect_success 'usage errors: exit 2' '
	test_expect_exit 2 workflow-merge 2>err &&
	test_expect_exit 2 workflow-merge --without no-such-rule restaurant 2>err &&
	grep -F "unknown rule" err &&
	test_expect_exit 2 workflow-merge --server --catalog cat restaurant 2>err ||
	{ cat err; false; }
'

if command -v twonetd >/dev/null 2>&1; then
	start_server
	TOKEN=$(make_token applicant wm-tester)
	test_expect_success '--server: items read from the server merge as the local ones' '
		TWONET_TOKEN=$TOKEN workflow-merge --server 310000-SCJG-001 310000-SCJG-002 \
			--window W >s.json &&
		workflow-merge 310000-SCJG-001 310000-SCJG-002 --window W >l.json &&
		jq -S . s.json >s.sorted && jq -S . l.json >l.sorted &&
		test_cmp l.sorted s.sorted
	'
	test_expect_success '--server: an item the server lacks is exit 3' '
		TWONET_TOKEN=$TOKEN test_expect_exit 3 workflow-merge --server 310000-SCJG-001 NO-ITEM 2>err &&
		grep -F "NO-ITEM" err
	'
	test_expect_success '--server: a workflow of the server merges as the local one' '
		TWONET_TOKEN=$TOKEN workflow-merge --server restaurant >s.json &&
		workflow-merge restaurant >l.json &&
		jq -S . s.json >s.sorted && jq -S . l.json >l.sorted &&
		test_cmp l.sorted s.sorted
	'
	test_expect_success '--publish: an admin stores the merged workflow' '
		ADMIN=$(make_token admin wm-admin) &&
		TWONET_TOKEN=$ADMIN workflow-merge --publish --start 2026-02-09 restaurant >p.json &&
		curl -sf -H "Authorization: Bearer $ADMIN" "$TWONET_URL/v1/workflows/restaurant" >got.json &&
		json_eq ".figures.after.materials" 12 <got.json &&
		json_eq ".time.deadline" 2026-02-28 <got.json &&
		TWONET_TOKEN=$TOKEN workflow-merge --server restaurant >again.json &&
		json_eq ".figures.after.days" 10 <again.json
	'
	test_expect_success '--publish: not an admin is exit 4, an ad-hoc set exit 2' '
		TWONET_TOKEN=$TOKEN test_expect_exit 4 workflow-merge --publish restaurant 2>err &&
		ADMIN=$(make_token admin wm-admin2) &&
		TWONET_TOKEN=$ADMIN test_expect_exit 2 workflow-merge --publish 310000-SCJG-001 310000-SCJG-002 2>err &&
		grep -F "ad-hoc" err
	'
	stop_server
fi

test_done
