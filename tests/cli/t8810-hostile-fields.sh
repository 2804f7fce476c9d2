#!/bin/bash
# Hostile input as an attacker with an ordinary token would send it (issue 11):
# every member of a case, an action and an alert in every wrong JSON kind, past
# its maximum, numbers a double cannot hold; what the commands read from files
# (YAML anchors and aliases, CAP with a DTD); SIGTERM in the middle of reading.
# Each is refused with the member named, the server keeps serving, the
# commands exit 7 (130 when stopped).
. "$(dirname "$0")/test-lib.sh"

# post PATH TOKEN BODY [HEADER]: status on stdout, body in out.json
post() {
	curl -sS -o out.json -w '%{http_code}' -X POST -H "Authorization: Bearer $2" \
		-H "Content-Type: application/json" ${4:+-H "$4"} --data-binary "$3" "$TWONET_URL$1"
}

# repeat N TEXT: TEXT N times
repeat() {
	awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'
}

# bounded CMD...: CMD with 10 s and (not under AddressSanitizer, whose shadow
# memory needs the address space) 1 GB of address space
bounded() {
	( [ -n "${SAN:-}" ] || ulimit -v 1000000; exec timeout 10 "$@" )
}

# related PATH FIELD: the problem's field (FIELD, without the dot) is PATH, or
# an ancestor or a descendant of it (the whole parent wrong, or its first bad member)
related() {
	case "$1" in ".$2"|".$2".*|".$2"\[*) return 0 ;; esac
	case ".$2" in "$1".*|"$1"\[*) return 0 ;; esac
	echo "$1: field '$2'"
	return 1
}

# the server is still the one we started, answers, and no worker died on an assertion
server_alive() {
	kill -0 "$TWONETD_PID" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "$TWONET_URL/v1/health")" = 200 &&
	! grep -Eq "Assertion|assert|Segmentation|worker .* died|signal" "$TWONETD_LOG"
}

start_server || exit 1
APP=$(make_token applicant zhang "" 110101199003070003)
CLERK=$(make_token clerk clerk-rs RSJ)
SENSOR=$(make_token sensor wd-sim)
OPERATOR=$(make_token operator duty)

CASE='{"item":"310000-RS-006","applicant":{"type":"org","id":"91350100M000100Y43","name":"甲公司","phone":"13800000000"},"form":{"org_name":"甲公司","uscc":"91350100M000100Y43","staff_count":5,"accountant_phone":"13800000000"}}'
ALERT='{"source":"wd-17","source_id":"h-1","kind":"water_depth","severity":"orange","district":"310101","location":{"lat":31.24,"lon":121.49,"address":"外滩"},"value":0.3,"threshold":0.25,"unit":"m","headline":"积水","text":"t","sent_at":"2026-07-01T10:00:00+08:00"}'

test_expect_success 'a phone number given as a number is 422 applicant.phone, not a case without a phone' '
	body=$(jq -c ".applicant.phone = 13800000000" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: phone-1")" = 422 &&
	json_eq .field applicant.phone <out.json &&
	json_eq .detail "applicant.phone: must be a string, not a number" <out.json
'

test_expect_success 'every member of a case in every wrong kind: 4xx naming it, nothing filed' '
	before=$(curl -s -H "Authorization: Bearer $CLERK" "$TWONET_URL/v1/cases?limit=1000" | jq ".items | length") &&
	n=0 &&
	for path in .item .applicant .applicant.type .applicant.id .applicant.name .applicant.phone \
		    .form .form.org_name .form.staff_count .form.accountant_phone .materials \
		    ".materials[0]" ".materials[0].code" ".materials[0].ref" ".materials[0].cert"; do
		for v in 7 true "[]" "{}" "[\"x\"]" -1e308; do
			# values right for the member
			case "$path=$v" in .form.staff_count=7|.materials=\[\]) continue ;; esac
			n=$((n + 1)) &&
			case $path in .materials*) base=$(jq -c ".materials = [{code: \"M-YYZZ\"}]" <<<"$CASE") ;; *) base=$CASE ;; esac &&
			body=$(jq -c "$path = $v" <<<"$base") &&
			st=$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: kind-$n") &&
			case $st in
			4??) related "$path" "$(jq -r ".field // empty" out.json)" ;;
			*) echo "$path = $v: $st $(cat out.json)"; false ;;
			esac || return 1
		done
	done &&
	after=$(curl -s -H "Authorization: Bearer $CLERK" "$TWONET_URL/v1/cases?limit=1000" | jq ".items | length") &&
	test "$before" = "$after" &&
	server_alive
'

test_expect_success 'maxima of a case: names, form texts, materials, numbers a double cannot hold' '
	long_name=$(repeat 101 张) &&
	body=$(jq -c --arg n "$long_name" ".applicant.name = \$n" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: max-1")" = 422 &&
	json_eq .field applicant.name <out.json &&
	body=$(jq -c --arg t "$(repeat 4001 x)" ".form.org_name = \$t" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: max-2")" = 422 &&
	json_eq .field form.org_name <out.json &&
	body=$(sed "s/\"staff_count\":5/\"staff_count\":9007199254740993/" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: max-3")" = 422 &&
	json_eq .field form.staff_count <out.json &&
	body=$(jq -c "[range(201)] as \$r | .materials = [\$r[] | {code: \"M-YYZZ\"}]" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: max-4")" = 422 &&
	json_eq .field materials <out.json &&
	body=$(jq -c --arg r "$(repeat 201 r)" ".materials = [{code: \"M-YYZZ\", ref: \$r}]" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: max-5")" = 422 &&
	json_eq .field "materials[0].ref" <out.json &&
	# at the maximum it goes through
	body=$(jq -c --arg n "$(repeat 100 张)" ".applicant.name = \$n" <<<"$CASE") &&
	test "$(post /v1/cases "$CLERK" "$body" "Idempotency-Key: max-6")" = 201
'

test_expect_success 'an action: comment past 2000 characters or of the wrong kind is 422 comment' '
	test "$(post /v1/cases "$CLERK" "$CASE" "Idempotency-Key: act-1")" = 201 &&
	id=$(jq -r .id out.json) &&
	body=$(jq -cn --arg c "$(repeat 2001 退)" "{action: \"return\", comment: \$c}") &&
	test "$(post "/v1/cases/$id/actions" "$CLERK" "$body" "If-Match: 1")" = 422 &&
	json_eq .field comment <out.json &&
	for v in 7 true "[]" "{}"; do
		test "$(post "/v1/cases/$id/actions" "$CLERK" "{\"action\":\"return\",\"comment\":$v}" "If-Match: 1")" = 422 &&
		json_eq .field comment <out.json || return 1
	done &&
	for v in 7 true "[]" "{}" null; do
		test "$(post "/v1/cases/$id/actions" "$CLERK" "{\"action\":$v}" "If-Match: 1")" = 422 &&
		json_eq .field action <out.json || return 1
	done &&
	body=$(jq -cn --arg c "$(repeat 2000 退)" "{action: \"return\", comment: \$c}") &&
	test "$(post "/v1/cases/$id/actions" "$CLERK" "$body" "If-Match: 1")" = 200
'

test_expect_success 'every member of an alert in every wrong kind: 4xx naming it, nothing raised' '
	n=0 &&
	for path in .source .source_id .kind .severity .district .location .location.lat .location.lon \
		    .location.address .value .threshold .unit .headline .text .sent_at .onset_at .expires_at \
		    .cap .cap.msgType .cap.category .cap.parameters ".cap.parameters[0]" \
		    ".cap.parameters[0].value" .cap.headline .cap.circles; do
		for v in 7 true "[]" "{}" "[7]" "\"\""; do
			# values right for the member
			case "$path=$v" in .value=7|.threshold=7|.location.lat=7|.location.lon=7|.location=\{\}|.cap=\{\}) continue ;;
			.text=\"\"|.unit=\"\"|.headline=\"\"|.location.address=\"\") continue ;; esac
			n=$((n + 1)) &&
			body=$(jq -c ".source_id = \"kind-$n\" | $path = $v" <<<"$ALERT") &&
			st=$(post /v1/alerts "$SENSOR" "$body") &&
			case $st in
			4??) related "$path" "$(jq -r ".field // empty" out.json)" ;;
			*) echo "$path = $v: $st $(cat out.json)"; false ;;
			esac || return 1
		done
	done &&
	test "$(curl -s -H "Authorization: Bearer $OPERATOR" "$TWONET_URL/v1/alerts?source=wd-17" | jq ".items | length")" = 0 &&
	server_alive
'

test_expect_success 'alert maxima and the loop steps: crew, evaluation, comment' '
	test "$(post /v1/alerts "$SENSOR" "$(jq -c --arg t "$(repeat 201 雨)" ".headline = \$t | .source_id = \"m-1\"" <<<"$ALERT")")" = 422 &&
	json_eq .field headline <out.json &&
	test "$(post /v1/alerts "$SENSOR" "$(jq -c --arg t "$(repeat 4001 雨)" ".cap = {instruction: \$t} | .source_id = \"m-2\"" <<<"$ALERT")")" = 422 &&
	json_eq .field cap.instruction <out.json &&
	test "$(post /v1/alerts "$SENSOR" "$(jq -c ".source_id = \"m-3\"" <<<"$ALERT")")" = 201 &&
	id=$(jq .id out.json) &&
	test "$(post "/v1/alerts/$id/actions" "$OPERATOR" "{\"action\":\"dispatch\",\"crew\":7}")" = 422 &&
	json_eq .field crew <out.json &&
	test "$(post "/v1/alerts/$id/actions" "$OPERATOR" "$(jq -cn --arg c "$(repeat 65 c)" "{action: \"dispatch\", crew: \$c}")")" = 422 &&
	test "$(post "/v1/alerts/$id/actions" "$OPERATOR" "{\"action\":\"dispatch\",\"crew\":\"PT-1\",\"comment\":[]}")" = 422 &&
	json_eq .field comment <out.json &&
	server_alive
'

test_expect_success 'a batch of alerts of every kind but an object: each item refused on its own' '
	test "$(post /v1/alerts "$SENSOR" "{\"alerts\":[7,true,null,\"x\",[],{}]}")" = 200 &&
	test "$(jq -c "[.results[].status]" out.json)" = "[400,400,400,400,400,422]" &&
	test "$(post /v1/alerts "$SENSOR" "{\"alerts\":7}")" = 422 &&
	json_eq .field alerts <out.json &&
	server_alive
'

test_expect_success 'a workflow published with a code of the wrong kind or size is 422 code' '
	ADMIN=$(make_token admin root) &&
	test "$(post /v1/workflows "$CLERK" "{\"code\":7}")" = 403 &&
	for v in 7 true "[]" "{}" "\"\"" "\"$(repeat 65 w)\""; do
		test "$(post /v1/workflows "$ADMIN" "{\"code\":$v,\"name\":\"x\",\"items\":[]}")" = 422 &&
		json_eq .field code <out.json || return 1
	done &&
	server_alive
'

# ---- what the commands read: they check the same first, exit 7, send nothing ----

test_expect_success 'case-submit checks kinds and sizes first (exit 7, nothing sent)' '
	jq ".applicant.phone = 13800000000" <<<"$CASE" >phone.json &&
	test_expect_exit 7 case-submit --url http://127.0.0.1:1 -f phone.json 2>err &&
	grep -q "applicant.phone: must be a string, not a number" err &&
	jq --arg n "$(repeat 101 张)" ".applicant.name = \$n" <<<"$CASE" >name.json &&
	test_expect_exit 7 case-submit --url http://127.0.0.1:1 -f name.json 2>err &&
	grep -q "applicant.name: must be 1 to 100 characters" err
'

cat >laughs.yaml <<'EOF'
item: 310000-RS-006
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
EOF

test_expect_success 'YAML "billion laughs": a case file is refused at once with its line (exit 7)' '
	test $(wc -c <laughs.yaml) -lt 1024 &&
	test_expect_exit 7 bounded case-submit -n -f laughs.yaml 2>err &&
	grep -q "^case-submit: error: laughs.yaml:2:4: anchors (&a) are not allowed" err
'

test_expect_success 'YAML aliases in the config and in a catalog are refused with file and line' '
	mkdir -p "$XDG_CONFIG_HOME/twonet" cat &&
	printf "x: &u http://127.0.0.1:1\nprofiles:\n  a: {url: *u}\n" >"$XDG_CONFIG_HOME/twonet/config.yaml" &&
	test_expect_exit 7 case-list 2>err &&
	grep -q "config.yaml:1:4: anchors (&u) are not allowed" err &&
	rm "$XDG_CONFIG_HOME/twonet/config.yaml" &&
	cp "$TWONET_SHAREDIR"/catalog/*.yaml cat/ &&
	printf "departments:\n  - &d {code: XX, name: 某局}\n  - *d\n" >cat/zz.yaml &&
	test_expect_exit 7 workflow-merge --catalog cat restaurant 2>err &&
	grep -q "zz.yaml:2:5: anchors (&d) are not allowed" err
'

# catching PID NAME MASK: wait until process PID runs command NAME (it has
# exec'd: before that it is a fork of this shell, with the shell's handlers)
# and has its handler for the signal whose bit is MASK (SigCgt in /proc:
# 0x4000 SIGTERM, 0x2 SIGINT), so that a signal sent then reaches the command
# and not the default action, however slow the machine; then a moment more,
# for it to be blocked in its read.
catching() {
	local n=0
	while [ $((n += 1)) -le 2400 ]; do   # a command that never catches it: fail, not hang
		sleep 0.05
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || continue
		cgt=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
		[ -n "$cgt" ] || return 1
		[ $((0x$cgt & $3)) != 0 ] && { sleep 0.2; return 0; }
	done
	return 1
}

test_expect_success 'SIGTERM or SIGINT while a case file or CAP document is still being read: exit 130 at once' '
	# mkfifo on its own: "mkfifo fifo && { ...; } &" would put mkfifo in the
	# background too, racing the reader below that opens fifo
	mkfifo fifo || return 1
	{ exec 3>fifo; sleep 30; } </dev/null &
	writer=$!
	test_when_finished "kill $writer 2>/dev/null"
	case-submit -n -f - <fifo 2>err &
	pid=$!
	catching $pid case-submit 0x4000 &&
	kill -TERM $pid &&
	rc=0 && { wait $pid || rc=$?; } &&
	{ test $rc = 130 || { echo "case-submit exited $rc"; cat err; false; }; } &&
	grep -q "^case-submit: error: stdin: interrupted" err || return 1
	alert-post -n --cap - <fifo 2>err &
	pid=$!
	catching $pid alert-post 0x2 &&
	kill -INT $pid &&
	rc=0 && { wait $pid || rc=$?; } &&
	{ test $rc = 130 || { echo "alert-post exited $rc"; cat err; false; }; } &&
	grep -q "^alert-post: error: stdin: interrupted" err
'

test_expect_success 'CAP with a DTD ("billion laughs", an external entity) is refused at the DOCTYPE (exit 7)' '
	{
		echo "<?xml version=\"1.0\"?>" &&
		echo "<!DOCTYPE alert [" &&
		echo " <!ENTITY l \"lol\">" &&
		for i in 1 2 3 4 5 6 7 8 9; do
			printf " <!ENTITY l%d \"" $i && repeat 10 "&l$([ $i = 1 ] || echo $((i - 1)));" && echo "\">"
		done &&
		echo "]>" &&
		echo "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&l9;</identifier></alert>"
	} >laughs.xml &&
	test_expect_exit 7 bounded alert-post -n --cap laughs.xml 2>err &&
	grep -q "^alert-post: error: laughs.xml:2: DOCTYPE: a document type declaration (DTD, entities) is not allowed in CAP" err &&
	printf "<?xml version=\"1.0\"?>\n<!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&x;</identifier></alert>\n" >xxe.xml &&
	test_expect_exit 7 alert-post -n --cap xxe.xml 2>err &&
	grep -q "xxe.xml:2: DOCTYPE" err &&
	! grep -q root err
'

test_expect_success 'the server took all of it and still serves' '
	server_alive
'

test_done
