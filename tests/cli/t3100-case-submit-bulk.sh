#!/bin/bash
# case-submit --bulk: NDJSON on stdin, bad lines reported by number, exactly-once re-runs.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
ADMIN=$(make_token admin root)
export TWONET_TOKEN=$(make_token clerk clerk-yb YBJ)


test_expect_success 'bulk files every line and writes the cases as NDJSON' '
	yb_cases 5 >five.ndjson &&
	case-submit --bulk <five.ndjson >out 2>err &&
	test "$(wc -l <out)" = 5 &&
	jq -e -s "map(.status == \"submitted\") | all" out &&
	test "$(jq -r .id out | sort -u | wc -l)" = 5 &&
	grep -qx "case-submit: filed 5, replayed 0, failed 0" err &&
	test "$(count_cases)" = 5
'

test_expect_success 'a bad line is reported with its number and skipped; the rest are filed; exit 1' '
	{
		yb_cases 1 100 &&
		echo "{this is not json" &&
		yb_cases 1 101 &&
		echo "" &&
		echo "{\"item\":\"310000-YB-003\",\"applicant\":{\"id\":\"110101199003070000\",\"name\":\"x\"}}" &&
		echo "[1,2]" &&
		yb_cases 1 102
	} >mixed.ndjson &&
	test_expect_exit 1 case-submit --bulk <mixed.ndjson >out 2>err &&
	test "$(wc -l <out)" = 3 &&
	grep -q "^case-submit: error: stdin:2: " err &&
	grep -q "^case-submit: error: stdin:5: applicant.id: .*check character" err &&
	grep -q "^case-submit: error: stdin:6: a case must be a JSON object" err &&
	! grep -q "stdin:4:" err &&
	grep -qx "case-submit: filed 3, replayed 0, failed 3" err &&
	test "$(count_cases)" = 8
'

test_expect_success 'a line the server refuses is reported with its number; exit 1' '
	{
		yb_cases 1 200 &&
		echo "{\"item\":\"NO-SUCH\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"x\"}}"
	} >refused.ndjson &&
	test_expect_exit 1 case-submit --bulk <refused.ndjson >out 2>err &&
	grep -q "^case-submit: error: stdin:2: " err &&
	test "$(wc -l <out)" = 1
'

test_expect_success 'a record with several faults has each on its own line, after its line number' '
	{
		yb_cases 1 300 &&
		echo "{\"item\":\"310000-YB-003\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"x\"},\"form\":{\"retire_date\":\"soon\"}}"
	} >faults.ndjson &&
	test_expect_exit 1 case-submit --bulk <faults.ndjson >out 2>err &&
	grep -qx "case-submit: error: stdin:2: form.applicant_name (参保人姓名): required" err &&
	grep -qx "case-submit: error: stdin:2: form.retire_date (退休日期): '\''soon'\'' is not a date (YYYY-MM-DD)" err &&
	test "$(grep -c "^case-submit: error: stdin:2: " err)" = 4 &&
	grep -qx "case-submit: filed 1, replayed 0, failed 1" err
'

test_expect_success 're-running a bulk submission of 1,000 cases files 1,000, not 2,000' '
	before=$(count_cases) &&
	yb_cases 1000 1000 >thousand.ndjson &&
	case-submit --bulk --parallel 16 <thousand.ndjson >first.out 2>first.err &&
	grep -qx "case-submit: filed 1000, replayed 0, failed 0" first.err &&
	case-submit --bulk --parallel 16 <thousand.ndjson >second.out 2>second.err &&
	grep -qx "case-submit: filed 0, replayed 1000, failed 0" second.err &&
	test "$(count_cases)" = $((before + 1000)) &&
	jq -r .id first.out | sort >ids1 &&
	jq -r .id second.out | sort >ids2 &&
	test_cmp ids1 ids2
'

test_expect_success 'two identical lines are one case; "key" members tell them apart' '
	yb_cases 1 3000 >dup.ndjson && yb_cases 1 3000 >>dup.ndjson &&
	case-submit --bulk <dup.ndjson >out 2>err &&
	grep -qx "case-submit: filed 1, replayed 1, failed 0" err &&
	yb_cases 1 3001 | jq -c ". + {key: \"k-a\"}" >same-body.ndjson &&
	yb_cases 1 3001 | jq -c ". + {key: \"k-b\"}" >>same-body.ndjson &&
	case-submit --bulk <same-body.ndjson >out 2>err &&
	grep -qx "case-submit: filed 2, replayed 0, failed 0" err &&
	test "$(jq -r .id out | sort -u | wc -l)" = 2
'

test_expect_success '--dry-run prints each body with its key and sends nothing' '
	before=$(count_cases) &&
	yb_cases 3 4000 | case-submit --bulk -n >dry &&
	test "$(wc -l <dry)" = 3 &&
	jq -e -s "map(.key | test(\"^[0-9a-f]{64}$\")) | all" dry &&
	test "$(count_cases)" = "$before"
'

test_expect_success 'a wrong token stops the run at once with exit 4' '
	yb_cases 50 5000 >fifty.ndjson &&
	test_expect_exit 4 case-submit --bulk --token tn_0000000000000000000000000000000000000000 \
		<fifty.ndjson >out 2>err &&
	test "$(grep -c "error:" err)" = 1 &&
	test ! -s out
'

test_expect_success 'the server down exits 6 after the retries' '
	test_expect_exit 6 case-submit --bulk --url http://127.0.0.1:1 --retries 1 \
		<fifty.ndjson >out 2>err &&
	test "$(grep -c "error:" err)" = 1
'

test_expect_success 'a line over 1 MiB is reported and skipped' '
	{ yb_cases 1 6000 && head -c 1100000 /dev/zero | tr "\0" "x" && echo && yb_cases 1 6001; } >long.ndjson &&
	test_expect_exit 1 case-submit --bulk <long.ndjson >out 2>err &&
	grep -q "stdin:2: line longer than" err &&
	test "$(wc -l <out)" = 2
'

test_expect_success 'each case is written as the server sent it: the bytes of the parsed reply (--jq .)' '
	yb_cases 200 7000 >same.ndjson &&
	case-submit --bulk --parallel 8 -v <same.ndjson >filed 2>filed.err &&
	grep -qx "case-submit: 200 of 200 replies written as the server sent them" filed.err &&
	test "$(wc -l <filed)" = 200 &&
	case-submit --bulk --parallel 8 -v <same.ndjson >fast 2>fast.err &&
	grep -qx "case-submit: filed 0, replayed 200, failed 0" fast.err &&
	grep -qx "case-submit: 200 of 200 replies written as the server sent them" fast.err &&
	case-submit --bulk --parallel 8 -v --jq . <same.ndjson >parsed 2>parsed.err &&
	grep -qx "case-submit: 0 of 200 replies written as the server sent them" parsed.err &&
	sort fast >fast.sorted && sort parsed >parsed.sorted &&
	test_cmp parsed.sorted fast.sorted &&
	jq -r .id filed | sort >ids.filed && jq -r .id fast | sort >ids.fast &&
	test_cmp ids.filed ids.fast &&
	case-submit --bulk -v --fields id,status <same.ndjson >some 2>some.err &&
	grep -qx "case-submit: 0 of 200 replies written as the server sent them" some.err &&
	jq -e -s "map(keys == [\"id\", \"status\"]) | all" some
'

# posts_are N: the server has logged N case filing requests
posts_are() { test "$(grep -c "POST /v1/cases " "$TWONETD_LOG")" = "$1"; }

test_expect_success 'cases go in batches: 250 cases from a file are 3 requests; --batch 1 is 250' '
	yb_cases 250 8000 >batch.ndjson &&
	before=$(grep -c "POST /v1/cases " "$TWONETD_LOG") &&
	case-submit --bulk -v <batch.ndjson >out 2>err &&
	grep -qx "case-submit: filed 250, replayed 0, failed 0" err &&
	grep -qx "case-submit: 250 of 250 replies written as the server sent them" err &&
	wait_until posts_are $((before + 3)) &&
	jq -r .applicant.name out | sort >names && seq 8000 8249 | sed "s/^/申请人/" | sort >expect &&
	test_cmp expect names &&
	yb_cases 250 8250 | case-submit --bulk --batch 1 >out1 2>err1 &&
	grep -qx "case-submit: filed 250, replayed 0, failed 0" err1 &&
	wait_until posts_are $((before + 3 + 250))
'

test_expect_success 'a bad line inside a batch is reported by its own line number; the rest are filed' '
	{ yb_cases 2 8600 && echo "{\"item\":\"NO-SUCH\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"x\"}}" && yb_cases 2 8602; } >mixed2.ndjson &&
	test_expect_exit 1 case-submit --bulk <mixed2.ndjson >out 2>err &&
	grep -q "^case-submit: error: stdin:3: unknown item .NO-SUCH." err &&
	test "$(grep -c "error:" err)" = 1 &&
	grep -qx "case-submit: filed 4, replayed 0, failed 1" err &&
	test "$(wc -l <out)" = 4
'

cases_are() { test "$(count_cases)" = "$1"; }

test_expect_success 'a slow writer: each case is filed as it comes, not when a batch is full' '
	mkfifo slow.fifo
	( case-submit --bulk <slow.fifo >slow.out 2>slow.err; echo $? >slow.rc ) &
	exec 7>slow.fifo
	before=$(count_cases) &&
	yb_cases 1 8700 >&7 &&
	wait_until cases_are $((before + 1)) &&
	yb_cases 1 8701 >&7 &&
	wait_until cases_are $((before + 2)) &&
	exec 7>&- &&
	wait &&
	test "$(cat slow.rc)" = 0 &&
	grep -qx "case-submit: filed 2, replayed 0, failed 0" slow.err
'

test_expect_success '--batch takes 1 to 1000' '
	test_expect_exit 2 case-submit --bulk --batch 0 </dev/null 2>err &&
	grep -q "batch takes 1 to 1000, not 0" err &&
	test_expect_exit 2 case-submit --bulk --batch 1001 </dev/null 2>err
'

# A server that answers 201 with JSON written another way than tn_json_dump writes it.
fake_server() {
	fake_server_start '
	def do_POST(self):
		self.rfile.read(int(self.headers["Content-Length"]))
		body = sys.argv[1].encode()
		self.send_response(201)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(body)))
		self.end_headers()
		self.wfile.write(body)' "$1"
}

# A server older than batches: a batch is 400 naming "cases" (an unknown member);
# one case a request is 201, its id the request's number.  Each request is a line
# of fake.log: "batch" or its Idempotency-Key.
old_server() {
	fake_server_start '
	n = 0
	def do_POST(self):
		import json
		req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
		H.n += 1
		with open("fake.log", "a") as f:
			print("batch" if "cases" in req else self.headers["Idempotency-Key"], file=f)
		if "cases" in req:
			code, body = 400, {"type": "/problems/bad-request", "title": "Bad Request", "status": 400, "detail": "unknown member \x27cases\x27", "field": "cases"}
		else:
			code, body = 201, {"id": "C-%d" % H.n, "applicant": req["applicant"]}
		data = json.dumps(body).encode()
		self.send_response(code)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		self.end_headers()
		self.wfile.write(data)' ""
}

if command -v python3 >/dev/null; then
test_expect_success 'a reply not written as it would be dumped is parsed and written compact' '
	fake_server "{ \"id\": \"C-1\", \"n\": 1.50, \"s\": \"\\u00e9\\/\", \"id\": \"C-2\" }" &&
	test_when_finished "kill $FAKE_PID" &&
	yb_cases 1 7500 | case-submit --bulk --batch 1 -v --url "http://127.0.0.1:$(cat fake.port)" \
		>out 2>err &&
	grep -qx "case-submit: 0 of 1 replies written as the server sent them" err &&
	printf "%s\n" "{\"id\":\"C-2\",\"n\":1.5,\"s\":\"é/\"}" >expect &&
	test_cmp expect out
'

test_expect_success 'a batch answer not written as it would be dumped is parsed; each case written compact' '
	fake_server "{ \"results\": [ {\"index\": 0, \"status\": 201, \"case\": {\"id\": \"C-1\", \"n\": 1.50}}, {\"index\": 1, \"status\": 422, \"problem\": {\"status\": 422, \"detail\": \"no good\", \"field\": \"form.x\"}} ], \"created\": 1 }" &&
	test_when_finished "kill $FAKE_PID" &&
	yb_cases 2 7600 | test_expect_exit 1 case-submit --bulk -v --url "http://127.0.0.1:$(cat fake.port)" \
		>out 2>err &&
	grep -qx "case-submit: 0 of 1 replies written as the server sent them" err &&
	grep -qx "case-submit: error: stdin:2: no good" err &&
	grep -qx "case-submit: filed 1, replayed 0, failed 1" err &&
	printf "%s\n" "{\"id\":\"C-1\",\"n\":1.5}" >expect &&
	test_cmp expect out
'

test_expect_success 'a server older than batches: the cases go one a request, each filed once' '
	old_server &&
	test_when_finished "kill $FAKE_PID" &&
	yb_cases 5 7700 | case-submit --bulk --url "http://127.0.0.1:$(cat fake.port)" >out 2>err &&
	grep -qx "case-submit: filed 5, replayed 0, failed 0" err &&
	test "$(jq -r .applicant.name out | sort | tr "\n" " ")" = "申请人7700 申请人7701 申请人7702 申请人7703 申请人7704 " &&
	test "$(head -1 fake.log)" = batch &&
	test "$(grep -c "^[0-9a-f]\{64\}$" fake.log)" = 5 &&
	test "$(grep -v "^batch$" fake.log | sort -u | wc -l)" = 5
'
else
	test_skip 'a reply not written as it would be dumped is parsed and written compact' 'no python3'
	test_skip 'a batch answer not written as it would be dumped is parsed' 'no python3'
	test_skip 'a server older than batches: the cases go one a request' 'no python3'
fi

test_done
