#!/bin/bash
# twonet-api(7) states the access rules that twonetd enforces: its routes
# table and `twonetd routes` hold the same rows with the same roles and
# scope, and every endpoint the pages document is a row of the table.
. "$(dirname "$0")/test-lib.sh"

API7="$TWONET_SRC/man/twonet-api.7"

# the table as "METHOD PATH|ROLES|SCOPE" lines, roles sorted (public, any token or a list)
test_expect_success 'twonetd routes prints the table as JSON on a pipe and with --json' '
	twonetd routes >routes.json &&
	twonetd routes --json >routes2.json &&
	twonetd routes --format json >routes3.json &&
	test_cmp routes.json routes2.json &&
	test_cmp routes.json routes3.json &&
	jq -e "type == \"array\" and length > 20 and
		all(.[]; (.method | type) == \"string\" and (.path | startswith(\"/v1/\")) and
			(.roles | type) == \"array\" and (.scope | type) == \"string\")" routes.json >/dev/null &&
	jq -r ".[] | .method + \" \" + .path + \"|\" +
		(if .public then \"public\" elif .any_token then \"any token\"
		 else (.roles | sort | join(\",\")) end) + \"|\" + (.scope | split(\",\") | sort | join(\",\"))" \
		routes.json | sort >table.rows &&
	test "$(wc -l <table.rows)" = "$(jq length routes.json)" &&
	test "$(cut -d"|" -f1 table.rows | sort -u | wc -l)" = "$(jq length routes.json)"
'

test_expect_success 'twonetd routes prints a table with --format table, and refuses other formats' '
	twonetd routes --format table >table.txt &&
	head -n 1 table.txt | grep -q "^METHOD *PATH *ROLES *SCOPE$" &&
	test "$(($(wc -l <table.txt) - 1))" = "$(jq length routes.json)" &&
	grep -q "^POST *\/v1\/cases\/{id}\/actions *applicant,clerk,admin *department,own$" table.txt &&
	test_expect_exit 2 twonetd routes --format yaml 2>err &&
	grep -q "format" err &&
	test_expect_exit 2 twonetd routes extra 2>err
'

# the routes section of twonet-api(7): a .TP per row, the endpoint in bold,
# then "roles; scope"
test_expect_success 'every row of the table is in twonet-api(7) with the same roles and scope, and no other' '
	awk "/^\\.SS \"Routes: who may call what\"/ { on = 1; next }
	     on && /^\\.S[SH] / { exit }
	     on && /^\\.TP/ { getline tag; getline cells;
		gsub(/\\\\fB|\\\\fR/, \"\", tag); gsub(/\\\\-/, \"-\", cells);
		print tag \"|\" cells }" "$API7" >doc.raw &&
	test -s doc.raw &&
	while IFS="|" read -r ep cells; do
		roles=${cells%%; *} scope=${cells#*; } &&
		case $roles in
		public|"any token") ;;
		*) roles=$(printf "%s\n" $(echo "$roles" | tr -d ",") | sort | paste -sd,) ;;
		esac &&
		scope=$(printf "%s\n" $(echo "$scope" | tr -d ",") | sort | paste -sd,) &&
		echo "$ep|$roles|$scope"
	done <doc.raw | sort >doc.rows &&
	test_cmp table.rows doc.rows
'

test_expect_success 'every endpoint twonet-api(7) documents is a row of the table' '
	sed -e "s/\\\\-/-/g" "$API7" |
		grep -E "^\\.SS |^\\\\fB(GET|POST|PUT|PATCH|DELETE) /v1/" |
		grep -oE "(GET|POST|PUT|PATCH|DELETE) /v1/[A-Za-z0-9/{}_-]*" |
		sed "s,/$,," | sort -u >documented &&
	test "$(wc -l <documented)" -ge 20 &&
	cut -d"|" -f1 table.rows >known &&
	missing="" &&
	while read -r ep; do
		grep -qxF "$ep" known || missing="$missing, $ep"
	done <documented &&
	if [ -n "$missing" ]; then echo "documented but not routed:${missing#,}"; false; fi
'

start_server
SENSOR=$(make_token sensor pump-1)

test_expect_success 'a path of no row is 404; a method a path lacks is 405 naming the rows'"'"' methods' '
	test "$(api GET /v1/nothing "")" = 404 &&
	test "$(api DELETE /v1/cases "")" = 405 &&
	grep -qi "^Allow: GET,POST" headers.txt &&
	test "$(api GET /v1/alerts/stream/x "")" = 404 &&
	test "$(api POST /v1/alerts/stream "")" = 405 &&
	grep -qi "^Allow: GET" headers.txt &&
	test "$(api GET /v1/consents/codes "")" = 405 &&
	grep -qi "^Allow: POST" headers.txt &&
	test "$(api GET /v1/audit "")" = 401 &&
	test "$(api GET /v1/audit "$SENSOR")" = 403 &&
	test "$(api HEAD /v1/health "" -I)" = 200
'

test_done
