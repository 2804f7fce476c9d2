#!/bin/bash
# task-rules: the shipped rules check clean; a rule file with a fault is refused
# with FILE:LINE (exit 7); each shipped rule against its recorded alert sequence
# (tests/data/alerts/RULE.ndjson): the task made, deduplicated (later alerts of
# the same place update it), escalated on time with a fixed clock (--at), and
# not a second earlier; --dry-run, bad input lines, usage errors.
. "$(dirname "$0")/test-lib.sh"

DATA="$TWONET_SRC/tests/data/alerts"

test_expect_success 'check: the shipped rules, one row each, and a summary' '
	task-rules check >rules.ndjson 2>err &&
	test $(wc -l <rules.ndjson) -eq 11 &&
	grep -q "share/twonet/rules: 11 rules, valid$" err &&
	json_eq "select(.id == \"road-flooding\") | [.kinds, .window, .dedupe, .department, .at] | join(\" \")" \
		"water_depth 3 in 10m 2h SHSW $TWONET_SHAREDIR/rules/flooding.yaml:6" <rules.ndjson &&
	task-rules check --format table >t.out 2>/dev/null &&
	head -1 t.out | grep -q "^ID  *NAME  *KINDS  *WINDOW  *DEDUPE  *DEPARTMENT  *PRIORITY  *STEPS  *ESCALATIONS  *AT" &&
	grep -q "^crowd-bund  *外滩大客流  *crowd_density  *3h  *GAJ  *2  *4  *2 " t.out
'

test_expect_success 'list: every rule in full, with its plan and escalations' '
	task-rules list "$TWONET_SHAREDIR/rules" >list.ndjson &&
	test $(wc -l <list.ndjson) -eq 11 &&
	json_eq "select(.id == \"lift-entrapment\") | .plan.steps[1] | [.n, .title, .who, .within_s] | join(\" \")" \
		"2 维保人员到场救援 电梯维保单位 1800" <list.ndjson &&
	json_eq "select(.id == \"rail-line-incident\") | .escalate | map(.notify) | join(\",\")" \
		"区护路办,市交通委应急值班室" <list.ndjson &&
	task-rules list --jq .id >ids &&
	test $(sort -u ids | wc -l) -eq 11 &&
	grep -qx crowd-yuyuan ids
'

mkdir -p bad
cat >bad/a.yaml <<'EOF'
rules:
  - id: flood
    kinds: [water_depth]
    task: {department: SHSW, title: '积水{{value}}米'}
EOF

test_expect_success 'check: an unknown key, a bad jq expression, a duplicate id: FILE:LINE, exit 7' '
	printf "rules:\n  - id: x\n    kinds: [water_depth]\n    task:\n      department: SHSW\n      titel: t\n" >typo.yaml &&
	test_expect_exit 7 task-rules check typo.yaml 2>err &&
	grep -q "^task-rules: error: typo.yaml:6: x.task: unknown key .titel. (did you mean .title.?)$" err &&
	printf "rules:\n  - id: x\n    kinds: [water_depth]\n    when: \".value >\"\n    task: {department: SHSW, title: t}\n" >jq.yaml &&
	test_expect_exit 7 task-rules check --rules jq.yaml 2>err &&
	grep -q "^task-rules: error: jq.yaml:4: x.when: jq: syntax error" err &&
	sed "s/title: .*/title: again}/" bad/a.yaml >bad/b.yaml &&
	test_expect_exit 7 task-rules check bad >out 2>err &&
	test ! -s out &&
	grep -q "^task-rules: error: bad/b.yaml:2: id: .flood. is given twice (first at bad/a.yaml:2)$" err &&
	rm bad/b.yaml &&
	task-rules check bad 2>err >/dev/null &&
	grep -q "bad: 1 rule, valid" err &&
	test_expect_exit 1 task-rules check nowhere 2>err &&
	grep -q "cannot read rules .nowhere." err
'

test_expect_success 'check: a kind the kinds catalog does not know is a warning' '
	sed "s/water_depth/water_deph/" bad/a.yaml >typo-kind.yaml &&
	task-rules check typo-kind.yaml >/dev/null 2>err &&
	grep -q "warning: typo-kind.yaml:2: flood: kind .water_deph. is not in the alert kinds catalog" err
'

# the task made from FILE by RULE: TASKS tasks, UPDATES updates, task 1 keyed KEY, no escalation
made_and_updated() {
	local file=$1 rule=$2 tasks=$3 updates=$4 key=$5 n
	task-rules test <"$DATA/$file.ndjson" >out.ndjson &&
	test "$(jq -r .rule out.ndjson | sort -u)" = "$rule" &&
	test "$(jq -c "select(.action == \"generate\")" out.ndjson | wc -l)" -eq "$tasks" &&
	test "$(jq -c "select(.action == \"update\")" out.ndjson | wc -l)" -eq "$updates" &&
	test "$(jq -r "select(.id == 1) | .key" out.ndjson | sort -u)" = "$key" &&
	test "$(jq -c "select(.action == \"escalate\")" out.ndjson | wc -l)" -eq 0 &&
	n=$(jq -c "select(.id == 1 and .action == \"update\")" out.ndjson | wc -l) &&
	test "$(jq -r "select(.id == 1) | .alert_count" out.ndjson | tail -1)" -eq $((n + 1))
}

# task 1 of FILE escalated exactly at ESC1 (level 1, to priority PRIO), then at ESC2; nothing a second before ESC1
escalated_on_time() {
	local file=$1 esc1=$2 esc2=$3 prio=$4 before
	before=$(jq -rn --arg t "$esc1" '$t | sub("\\+08:00$"; "Z") | fromdateiso8601 - 8 * 3600 - 1 | todate') &&
	task-rules test --at "$before" <"$DATA/$file.ndjson" >none.ndjson &&
	test "$(jq -c "select(.action == \"escalate\" and .id == 1)" none.ndjson | wc -l)" -eq 0 &&
	task-rules test --at "$esc1" <"$DATA/$file.ndjson" >one.ndjson &&
	jq -c "select(.action == \"escalate\" and .id == 1)" one.ndjson >e1 &&
	test "$(wc -l <e1)" -eq 1 &&
	json_eq ".escalations | map(.level | tostring) | join(\",\")" 1 <e1 &&
	json_eq ".escalations[0].at" "$esc1" <e1 &&
	json_eq ".priority" "$prio" <e1 &&
	task-rules --dry-run --at "$esc2" <"$DATA/$file.ndjson" >two.ndjson &&
	jq -c "select(.action == \"escalate\" and .id == 1)" two.ndjson | tail -1 >e2 &&
	json_eq ".escalations | map(.at) | join(\" \")" "$esc1 $esc2" <e2 &&
	json_eq ".escalations[1].notify | length > 0" true <e2
}

# Each shipped rule: FILE RULE TASKS UPDATES KEY FIRST-ESCALATION SECOND-ESCALATION PRIORITY-THEN
while read -r file rule tasks updates key esc1 esc2 prio; do
	test_expect_success "$rule: a task made and updated from $file.ndjson" \
		"made_and_updated $file $rule $tasks $updates $key"
	test_expect_success "$rule: escalated at $esc1 and $esc2 if nobody acknowledges, not a second before" \
		"escalated_on_time $file $esc1 $esc2 $prio"
done <<'EOF'
road-flooding road-flooding 1 6 310101/中山东一路延安东路口 2026-07-01T08:13:00+08:00 2026-07-01T08:33:00+08:00 1
road-flooding-report road-flooding-report 1 2 310106/南京西路石门一路口 2026-07-01T09:15:00+08:00 2026-07-01T09:45:00+08:00 2
pump-station-fault pump-station-fault 1 2 pump-hp-03 2026-07-01T10:10:00+08:00 2026-07-01T11:00:00+08:00 1
crowd-bund crowd-bund 1 2 外滩 2026-07-01T19:10:00+08:00 2026-07-01T19:20:00+08:00 1
crowd-nanjing-road crowd-nanjing-road 1 1 南京路步行街 2026-07-01T19:40:00+08:00 2026-07-01T19:55:00+08:00 1
crowd-yuyuan crowd-yuyuan 1 1 豫园 2026-07-01T13:05:00+08:00 2026-07-01T13:20:00+08:00 1
lift-entrapment lift-entrapment 1 1 锦绣路1500弄3号楼 2026-07-01T21:15:00+08:00 2026-07-01T21:40:00+08:00 1
lift-fault lift-fault 1 1 漕宝路100弄5号楼 2026-07-01T09:30:00+08:00 2026-07-02T08:30:00+08:00 2
falling-object falling-object 1 1 四川北路1688号 2026-07-01T14:15:00+08:00 2026-07-01T15:00:00+08:00 1
residential-compound residential-compound 2 1 曹杨新村12号/消防通道 2026-07-01T11:00:00+08:00 2026-07-04T09:00:00+08:00 2
rail-line-incident rail-line-incident 1 1 沪昆高铁松江段K18+300 2026-07-01T06:45:00+08:00 2026-07-01T07:10:00+08:00 1
EOF

test_expect_success 'ten readings at one flood point: one task, its alerts, the worst severity, the plan due from generation' '
	task-rules test <"$DATA/road-flooding.ndjson" >out.ndjson &&
	tail -1 out.ndjson >last &&
	json_eq "[.id, .version, .alert_count, .severity, .priority, .status] | join(\" \")" "1 7 7 red 1 generated" <last &&
	json_eq ".alerts | map(tostring) | join(\",\")" "4,5,6,7,8,9,10" <last &&
	json_eq ".title" "黄浦区中山东一路延安东路口道路积水0.55米" <last &&
	json_eq ".generated_at" "2026-07-01T08:03:00+08:00" <last &&
	json_eq ".plan.steps[0] | [.title, .due_at] | join(\" \")" "派遣移动泵车赶赴积水点 2026-07-01T08:18:00+08:00" <last &&
	json_eq ".targets | [.dispatch_s, .acknowledge_s, .on_site_s, .resolve_s] | map(tostring) | join(\" \")" \
		"300 600 1800 7200" <last &&
	! grep -q 漕溪北路 out.ndjson
'

test_expect_success 'alerts as alert-tail prints them: status changes skipped, district names kept' '
	task-rules test <"$DATA/road-flooding-report.ndjson" >out.ndjson &&
	json_eq "select(.action == \"generate\") | [.district_name, (.alerts | map(tostring) | join(\",\")), .kind_name] | join(\" \")" \
		"静安区 101 道路积水" <out.ndjson &&
	tail -1 out.ndjson | json_eq ".alerts | map(tostring) | join(\",\")" "101,102,105"
'

test_expect_success 'test: a table on request; --jq' '
	task-rules test --format table <"$DATA/crowd-bund.ndjson" >t.out &&
	head -1 t.out | grep -q "^ACTION  *ID  *RULE  *KEY  *SEVERITY  *PRIORITY  *ALERT_COUNT  *TITLE" &&
	grep -q "^generate  *1  *crowd-bund  *外滩  *orange  *1  *1  *外滩大客流：外滩观景平台每平方米2.8人" t.out &&
	task-rules test --jq ".action" <"$DATA/crowd-bund.ndjson" >acts &&
	printf "%s\n" generate update update >want &&
	test_cmp want acts
'

test_expect_success 'test: a bad line is reported with its line and skipped (exit 1); the others go through' '
	{ head -2 "$DATA/pump-station-fault.ndjson"; echo "{not json"; echo "{\"kind\":\"pump_fault\"}"; tail -1 "$DATA/pump-station-fault.ndjson"; } >mixed.ndjson &&
	test_expect_exit 1 task-rules test <mixed.ndjson >out.ndjson 2>err &&
	test $(wc -l <out.ndjson) -eq 3 &&
	grep -q "^task-rules: error: stdin:3: " err &&
	grep -q "^task-rules: error: stdin:4: " err &&
	grep -q "2 records could not be read as alerts" err
'

test_expect_success 'test: its own rules (--rules); an alert without a time after none: refused' '
	task-rules test --rules bad/a.yaml <"$DATA/road-flooding.ndjson" >out.ndjson &&
	test $(jq -c "select(.action == \"generate\")" out.ndjson | wc -l) -eq 2 &&
	json_eq "select(.id == 2) | .title" "积水0.36米" <out.ndjson &&
	echo "{\"source\":\"s\",\"kind\":\"water_depth\",\"severity\":\"red\",\"district\":\"310101\"}" >notime.ndjson &&
	test_expect_exit 1 task-rules test --rules bad/a.yaml <notime.ndjson 2>err &&
	grep -q "stdin:1: the alert has no time" err
'

test_expect_success 'usage errors: exit 2' '
	test_expect_exit 2 task-rules 2>err &&
	grep -q "give a subcommand: check, list or test" err &&
	test_expect_exit 2 task-rules chek 2>err &&
	grep -q "unknown subcommand .chek.; did you mean .check.?" err &&
	test_expect_exit 2 task-rules test --at yesterday </dev/null 2>err &&
	grep -q "\-\-at takes an RFC 3339 time" err &&
	test_expect_exit 2 task-rules check --at 2026-07-01T00:00:00Z 2>err &&
	test_expect_exit 2 task-rules check a b 2>err &&
	test_expect_exit 2 task-rules list --dry-run 2>err &&
	test_expect_exit 2 task-rules check x --rules y 2>err
'

test_expect_success '--help and --version' '
	task-rules --help >help &&
	grep -q "^usage: task-rules check \[PATH\]" help &&
	grep -q "\-\-at TIME" help &&
	task-rules --version | grep -q "^task-rules "
'

test_done
