#!/bin/bash
# A profile's format: is the default --format of every command with output; --format wins.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
CLERK=$(make_token clerk clerk-yb YBJ)

# write_config FORMAT: a profile with the server, a token and FORMAT, readable by its owner only
write_config() {
	mkdir -p "$XDG_CONFIG_HOME/twonet" &&
	cat >"$XDG_CONFIG_HOME/twonet/config.yaml" <<-EOF &&
	default: desk
	profiles:
	  desk:
	    url: $TWONET_URL
	    token: $CLERK
	    format: $1
	EOF
	chmod 600 "$XDG_CONFIG_HOME/twonet/config.yaml"
}

test_expect_success 'set up: one case filed, a profile with format: csv' '
	case-submit --token "$CLERK" --item 310000-YB-003 --applicant-id 110101199003070003 \
		--applicant-name 张三 --field applicant_name=张三 \
		--field applicant_id=110101199003070003 --field retire_date=2026-12-01 \
		--field applicant_phone=13800000000 >filed.json &&
	write_config csv
'

test_expect_success 'case-list: CSV from the profile, JSON with --format ndjson' '
	case-list >out &&
	head -n 1 out >header &&
	echo "id,status,item_name,applicant.name,deadline,overdue" >expect &&
	test_cmp expect header &&
	test "$(wc -l <out)" = 2 &&
	grep -q "^$(jq -r .id filed.json),submitted," out &&
	case-list --format ndjson >out &&
	test "$(wc -l <out)" = 1 &&
	json_eq .id "$(jq -r .id filed.json)" <out
'

test_expect_success 'workflow-merge --list (no server): CSV from the profile, JSON with --format' '
	workflow-merge --list >out &&
	head -n 1 out >header &&
	echo "code,name,items,before.materials,after.materials,before.days,after.days" >expect &&
	test_cmp expect header &&
	test "$(wc -l <out)" -gt 1 &&
	workflow-merge --list --format ndjson >out &&
	jq -e -s "length > 0 and (.[0] | has(\"code\"))" out
'

test_expect_success 'alert-post: a profile format it has (table) applies, one it lacks (csv) does not' '
	alert-post -n --source s --kind water_depth --severity red --district 310101 >out &&
	json_eq .district 310101 <out &&
	write_config table &&
	alert-post -n --source s --kind water_depth --severity red --district 310101 >out &&
	test_must_fail jq -e . out >/dev/null 2>&1 &&
	grep -q water_depth out &&
	alert-post -n --format ndjson --source s --kind water_depth --severity red \
		--district 310101 >out &&
	json_eq .district 310101 <out
'

test_done
