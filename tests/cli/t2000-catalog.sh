#!/bin/bash
# catalog: every subcommand as JSON and as a table, --jq, unknown codes (exit 3
# with "did you mean"), a filter naming an unknown department (exit 7), usage
# errors (exit 2), completion words, the promised-later-than-legal refusal of
# the catalog loader (catalog and twonetd import alike), and --server.
. "$(dirname "$0")/test-lib.sh"

CAT="$TWONET_SRC/share/twonet/catalog"

test_expect_success 'items: every item, a JSON line each, with its limits' '
	catalog items >items.ndjson &&
	test $(wc -l <items.ndjson) -eq 28 &&
	jq -s -e "all(.[]; .code and .name and .department and .department_name and
		(.promised_days <= .legal_days) and .visits >= 1 and (.online | type == \"boolean\"))" \
		items.ndjson >/dev/null &&
	grep "\"310000-YB-001\"" items.ndjson >yb &&
	json_eq "[.name, .department_name, .promised_days, .legal_days] | join(\" \")" \
		"医疗费用零星报销 医疗保障局 10 20" <yb
'

test_expect_success 'items --department --online, as a table' '
	catalog items --department YBJ --online --format table >t.out &&
	head -1 t.out | grep -q "^CODE  *NAME  *DEPARTMENT  *DEPARTMENT_NAME  *PROMISED_DAYS  *LEGAL_DAYS" &&
	test $(wc -l <t.out) -eq 4 &&
	grep -q "^310000-YB-002  *新生儿城乡居民医保参保登记  *YBJ  *医疗保障局  *2  *5 " t.out &&
	catalog items --department YBJ --jq .code >codes &&
	printf "%s\n" 310000-YB-001 310000-YB-002 310000-YB-003 >want &&
	test_cmp want codes
'

test_expect_success 'item: the form with labels and required marks, materials with their certificate kinds' '
	catalog item 310000-SCJG-001 >it.json &&
	json_eq ".department_name" 市场监督管理局 <it.json &&
	json_eq "[.promised_days, .legal_days, .visits] | join(\" \")" "1 3 1" <it.json &&
	json_eq ".fields[] | select(.name == \"uscc\") | [.label, .type, .required] | join(\" \")" \
		"统一社会信用代码 uscc false" <it.json &&
	json_eq ".fields[] | select(.name == \"premises\") | [.label, .canonical_label] | join(\" \")" \
		"住所 经营场所" <it.json &&
	json_eq ".materials[] | select(.code == \"M-FRSFZ\") | [.asked_as, (.certs[0] | .alias, .kind, .name, .department)] | join(\" \")" \
		"法定代表人身份证复印件 CK-SFZ 11310000002401297C001 居民身份证 GAJ" <it.json &&
	json_eq ".materials[] | select(.code == \"M-GSZC\") | .certs | length" 0 <it.json &&
	json_eq ".produces | map(.code + \" \" + .name) | join(\",\")" "M-YYZZ 营业执照" <it.json &&
	json_eq ".workflows | join(\",\")" "restaurant,business-start" <it.json
'

test_expect_success 'item: a page on the terminal with the case-submit line; no such line on a pipe' '
	catalog item 310000-YB-001 --format table >page &&
	grep -q "^310000-YB-001  医疗费用零星报销$" page &&
	grep -q "^time limit   10 working days promised, 20 legal$" page &&
	grep -q "^form: 7 fields, 7 required (\*)$" page &&
	grep -q "^  \* applicant_name   参保人姓名  *string, at most 50 characters$" page &&
	grep -q "^  M-BRSFZ  本人身份证件  *e-certificate CK-SFZ 居民身份证 (公安局)$" page &&
	grep -q "^  M-YLPJ   医疗费用票据  *to supply$" page &&
	! grep -q case-submit page &&
	if command -v script >/dev/null; then
		script -qec "catalog item 310000-SCJG-001" /dev/null >tty.out &&
		grep -q "^    uscc  " tty.out &&
		grep -q "case-submit --item 310000-SCJG-001 --applicant-id ID --applicant-name NAME --field org_name=\.\.\. --field org_type=\.\.\." tty.out &&
		! grep -q "field=uscc\|--field uscc=" tty.out
	fi
'

test_expect_success 'item --jq: the required field names' '
	catalog item 310000-JLZM-001 --jq ".fields[] | select(.required) | .name" >names &&
	printf "%s\n" org_name uscc legal_rep premises liquor_kind applicant_phone >want &&
	test_cmp want names
'

test_expect_code 3 'item: an unknown code is exit 3 with the nearest code' '
	catalog item 310000-YB-01 2>err; rc=$?
	grep -q "unknown item .310000-YB-01. (did you mean .310000-YB-001.?)" err && exit $rc
'

test_expect_success 'unknown codes without a near one, workflows and fields alike' '
	test_expect_exit 3 catalog item NO-SUCH-THING 2>err &&
	grep -q "unknown item .NO-SUCH-THING.$\|unknown item .NO-SUCH-THING. (catalog items" err &&
	test_expect_exit 3 catalog workflow restaurnt 2>err &&
	grep -q "did you mean .restaurant.?" err &&
	test_expect_exit 3 catalog fields 310000-YB-01 2>err &&
	grep -q "did you mean .310000-YB-001.?" err &&
	test_expect_exit 3 catalog words fields 310000-YB-01 2>/dev/null
'

test_expect_success 'a filter naming an unknown department is exit 7 with the nearest one' '
	test_expect_exit 7 catalog items --department YBX 2>err &&
	grep -q "unknown department .YBX. (did you mean .YBJ.?)" err
'

test_expect_success 'usage errors are exit 2: no subcommand, a mistyped one, operands, options' '
	test_expect_exit 2 catalog 2>err &&
	test_expect_exit 2 catalog itme 310000-YB-001 2>err &&
	grep -q "unknown subcommand .itme. (did you mean .item.?)" err &&
	test_expect_exit 2 catalog item 2>err &&
	test_expect_exit 2 catalog item 310000-YB-001 310000-YB-002 2>err &&
	test_expect_exit 2 catalog workflows --department YBJ 2>err &&
	test_expect_exit 2 catalog words 2>err &&
	test_expect_exit 2 catalog words feilds 2>err &&
	grep -q "did you mean .fields.?" err &&
	test_expect_exit 2 catalog words items 310000-YB-001 2>err &&
	test_expect_exit 2 catalog --server --catalog "$CAT" items 2>err
'

test_expect_success 'departments: each with the number of its items' '
	catalog departments >d.ndjson &&
	test $(wc -l <d.ndjson) -eq 14 &&
	grep "\"YBJ\"" d.ndjson | json_eq "[.name, .full_name, .items] | join(\" \")" "医疗保障局 上海市医疗保障局 3" &&
	catalog departments --format csv --fields code,items >d.csv &&
	head -1 d.csv | grep -qx "code,items"
'

test_expect_success 'workflows: the figures before and after, as workflow-merge --list' '
	catalog workflows >w.ndjson &&
	test $(wc -l <w.ndjson) -eq 7 &&
	grep "\"restaurant\"" w.ndjson |
		json_eq "[.items, .before.materials, .after.materials, .before.days, .after.days] | join(\" \")" "6 31 12 58 10" &&
	catalog workflows --format table >w.out &&
	grep -q "^restaurant  *开办餐饮店一件事  *6  *31  *12  *58  *10$" w.out
'

test_expect_success 'workflow: its items and the merge summary' '
	catalog workflow restaurant >w.json &&
	json_eq ".items | map(.code) | join(\",\")" \
		"310000-SCJG-001,310000-SCJG-002,310000-JLZM-001,310000-LHSR-001,310000-XF-001,310000-XF-002" <w.json &&
	json_eq ".figures.after.visits" 1 <w.json &&
	catalog workflow restaurant --format table >w.page &&
	grep -q "^  310000-SCJG-002  食品经营许可  *市场监督管理局  *4 / 20$" w.page &&
	grep -qF "materials       31 → 12   (−61%)" w.page
'

test_expect_success 'fields: of an item (its labels) and of the dictionary' '
	catalog fields 310000-JLZM-001 >f.ndjson &&
	head -1 f.ndjson | json_eq "[.name, .label, .canonical_label] | join(\" \")" "org_name 经营者名称 企业名称" &&
	catalog fields >all.ndjson &&
	test $(wc -l <all.ndjson) -eq 37 &&
	grep "\"district\"" all.ndjson | json_eq ".values | length" 16 &&
	catalog fields 310000-JLZM-001 --format table >f.out &&
	head -1 f.out | grep -q "^NAME  *LABEL  *TYPE  *REQUIRED$"
'

test_expect_success 'words: a word, a TAB, its label, for every kind' '
	catalog words items >w &&
	test $(wc -l <w) -eq 28 &&
	grep -qxP "310000-YB-001\t医疗费用零星报销" w &&
	catalog words fields 310000-YB-001 >w &&
	head -2 w >got && printf "applicant_name\t参保人姓名\napplicant_id\t参保人身份证号码\n" >want &&
	test_cmp want got &&
	catalog words fields | grep -qxP "org_name\t企业名称" &&
	catalog words departments | grep -qxP "YBJ\t医疗保障局" &&
	catalog words workflows | grep -qxP "restaurant\t开办餐饮店一件事" &&
	catalog words districts >w && test $(wc -l <w) -eq 16 && grep -qxP "310101\t黄浦区" w &&
	catalog words statuses >got &&
	printf "submitted\t已提交\naccepted\t已受理\nreturned\t已退回\nresubmitted\t已补正\napproved\t已批准\nrejected\t不予批准\ncompleted\t已办结\n" >want &&
	test_cmp want got &&
	catalog words items --format json --jq . >w2 && catalog words items >w && test_cmp w w2
'

test_expect_success 'the loader refuses an item promised later than its legal limit, naming FILE:LINE' '
	rm -rf cat && cp -R "$CAT" cat &&
	perl -0pi -e "s/promised_days: 10/promised_days: 30/" cat/items-life.yaml &&
	line=$(grep -n "promised_days: 30" cat/items-life.yaml | cut -d: -f1) &&
	test_expect_exit 7 catalog --catalog cat items 2>err &&
	echo "catalog: error: cat/items-life.yaml:$line: promised_days 30 of item '"'"'310000-YB-001'"'"' is later than its legal_days 20" >want &&
	test_cmp want err &&
	twonetd init --db refused.db >/dev/null &&
	test_expect_exit 7 twonetd import catalog --db refused.db cat 2>err &&
	grep -q "cat/items-life.yaml:$line: promised_days 30 of item .310000-YB-001. is later than its legal_days 20" err
'

test_expect_success 'a catalog folder given with --catalog is read' '
	rm -rf cat && cp -R "$CAT" cat &&
	perl -0pi -e "s/name: 医疗费用零星报销/name: 医疗费用报销（测试）/" cat/items-life.yaml &&
	catalog --catalog cat words items | grep -qxP "310000-YB-001\t医疗费用报销（测试）"
'

start_server
TOKEN=$(make_token applicant 张三)

test_expect_success '--server: the items and workflows the server serves, as the local ones' '
	TWONET_TOKEN=$TOKEN catalog --server item 310000-SCJG-001 >r.json &&
	catalog item 310000-SCJG-001 >l.json &&
	# the server lists its workflows by code, the catalog in file order
	jq -S ".workflows |= sort" r.json >r.s && jq -S ".workflows |= sort" l.json >l.s &&
	test_cmp l.s r.s &&
	TWONET_TOKEN=$TOKEN catalog --server items | jq -s "map(.code) | sort" >r.codes &&
	catalog items | jq -s "map(.code) | sort" >l.codes &&
	test_cmp l.codes r.codes &&
	TWONET_TOKEN=$TOKEN catalog --server workflows --jq "select(.code == \"restaurant\") | .after.days" >days &&
	echo 10 >want && test_cmp want days &&
	TWONET_TOKEN=$TOKEN catalog --server words fields 310000-YB-001 >r.words &&
	catalog words fields 310000-YB-001 >l.words && test_cmp l.words r.words
'

test_expect_success '--server: an unknown item is exit 3, no token exit 4' '
	TWONET_TOKEN=$TOKEN test_expect_exit 3 catalog --server item 310000-YB-01 2>err &&
	grep -q "did you mean .310000-YB-001.?" err &&
	test_expect_exit 4 catalog --server items 2>err
'

test_expect_success 'words with no catalog installed: the server'"'"'s (completion without the files); lists still need them' '
	# the server lists its items by code, the catalog in file order
	TWONET_SHAREDIR=$TRASH/none TWONET_TOKEN=$TOKEN catalog words items | sort >r.words &&
	catalog words items | sort >l.words && test_cmp l.words r.words &&
	TWONET_SHAREDIR=$TRASH/none TWONET_TOKEN=$TOKEN catalog words fields 310000-YB-001 >r.words &&
	catalog words fields 310000-YB-001 >l.words && test_cmp l.words r.words &&
	TWONET_SHAREDIR=$TRASH/none TWONET_TOKEN=$TOKEN test_expect_exit 1 catalog items 2>err &&
	grep -q "cannot read catalog folder" err
'

stop_server

test_expect_success '--server: no server is exit 6' '
	test_expect_exit 6 catalog --server --retries 0 --url http://127.0.0.1:9 items 2>err
'

test_expect_success 'words with neither a catalog nor a server: the local error, after one try' '
	TWONET_SHAREDIR=$TRASH/none test_expect_exit 1 catalog words items --url http://127.0.0.1:9 >out 2>err &&
	grep -q "cannot read catalog folder" err && test ! -s out
'

test_done
