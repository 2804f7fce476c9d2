#!/bin/bash
# Authorization from the route table: for every row of `twonetd routes`,
# every role the row does not allow, no token and an unknown token, the
# request is refused with the documented status (403, 401) and writes
# nothing.  The cases are generated from the table (jq), whose roles
# twonet-api(7) documents (checked here too, and both ways by t9020).
. "$(dirname "$0")/test-lib.sh"

API7="$TWONET_SRC/man/twonet-api.7"
# a resident ID number, and a well-formed certificate id that no certificate has
HOLDER=110101199003070003
CERT=1.2.156.3005.2.11310000002401019Y001.11310000002401019Y.202600009999.001.N

start_server
ADMIN=$(make_token admin root)
TOKENS="applicant=$(make_token applicant p1 "" $HOLDER)
clerk=$(make_token clerk yb-clerk YBJ)
issuer=$(make_token issuer sc-issuer SCJGJ)
operator=$(make_token operator op-1)
sensor=$(make_token sensor pump-1)
admin=$ADMIN
reader=$(twonetd token add --db "$TWONETD_DB" --role reader --name ruijin --scenario hospital)
crew=$(twonetd token add --db "$TWONETD_DB" --role crew --name pt-1 --crew 泵车队-1)"
token_of() { printf "%s\n" "$TOKENS" | sed -n "s/^$1=//p"; }

# records for the {id} of the paths: a case and an alert
CASE=$(yb_cases 1 | curl -sS -H "Authorization: Bearer $ADMIN" -H "Idempotency-Key: authz-case" \
	-H "Content-Type: application/json" --data-binary @- "$TWONET_URL/v1/cases" | jq -r .id)
ALERT=$(gen_alerts 1 1 | curl -sS -H "Authorization: Bearer $(token_of sensor)" \
	-H "Content-Type: application/json" --data-binary @- "$TWONET_URL/v1/alerts" | jq -r .seq)

# what the database holds, but the audit log (its row count apart)
state() {
	db_dump --exclude-table-data="audit*" | grep -v -e "^SELECT pg_catalog.setval('public.audit" -e "^INSERT INTO \"\\?audit\(_head\)\\?\"\\? " -e "^INSERT INTO sqlite_sequence VALUES(.audit" | md5sum
}
audit_rows() { db_sql "select count(*) from audit"; }

# target PATH CHECKED_BY: the path with its {name} filled, and the query a
# row whose handler checks the role needs to get that far (a purpose, a holder)
target() {
	local p=$1
	case $p in
	/v1/cases/*) p=${p/\{id\}/$CASE} ;;
	/v1/alerts/*) p=${p/\{id\}/$ALERT} ;;
	/v1/tasks/*) p=${p/\{id\}/1} ;;
	/v1/certs/*) p=${p/\{id\}/$CERT} ;;
	*) p=${p/\{code\}/authz} ;;
	esac
	if [ "$2" = handler ]; then
		p="$p?purpose=authz"
		case $1 in *\}) ;; *) p="$p&holder=$HOLDER" ;; esac    # a list names its holder
	fi
	printf "%s" "$p"
}

# refused WANT METHOD PATH CHECKED_BY [TOKEN]: the status must be WANT, a
# problem document, and nothing written (a read whose handler checks the
# role writes its one audit row, outcome forbidden)
refused() {
	local want=$1 m=$2 p=$3 by=$4 tok=${5:-} before rows got
	before=$(state)
	rows=$(audit_rows)
	got=$(api "$m" "$(target "$p" "$by")" "$tok" -H "Content-Type: application/json" \
		-H "Idempotency-Key: authz-$RANDOM" -H "If-Match: 1" \
		$([ "$m" = POST ] && echo "-d {}"))
	if [ "$got" != "$want" ]; then echo "$m $p: $got, expected $want: $(cat out.json)" >&2; return 1; fi
	jq -e ".status == $want" out.json >/dev/null || { echo "$m $p: not a problem" >&2; return 1; }
	test "$(state)" = "$before" || { echo "$m $p: the database changed" >&2; return 1; }
	if [ "$by" = handler ] && [ "$want" = 403 ]; then
		test "$(audit_rows)" = $((rows + 1)) &&
		test "$(db_sql "select outcome from audit order by seq desc limit 1")" = forbidden
	else
		test "$(audit_rows)" = "$rows"
	fi || { echo "$m $p: audit rows $rows -> $(audit_rows)" >&2; return 1; }
}

test_expect_success 'set up: a case, an alert, a token of each role' '
	case $CASE in C*) ;; *) false ;; esac &&
	test "$ALERT" -ge 1 &&
	twonetd routes --json >routes.json &&
	jq -r "[.[] | select(.any_token)][0].roles[]" routes.json | sort >roles.known &&
	printf "%s\n" "$TOKENS" | cut -d= -f1 | sort >roles.tokens &&
	test_cmp roles.known roles.tokens &&
	jq -r ".[] | select(.public | not) | [.method, .path, .checked_by, (.roles | join(\",\"))] | @tsv" \
		routes.json >rows.tsv &&
	test "$(wc -l <rows.tsv)" -ge 20
'

test_expect_success 'the roles of the table are those twonet-api(7) documents' '
	awk "/^\\.SS \"Routes: who may call what\"/ { on = 1; next }
	     on && /^\\.S[SH] / { exit }
	     on && /^\\.TP/ { getline tag; getline cells;
		gsub(/\\\\fB|\\\\fR/, \"\", tag); sub(/;.*/, \"\", cells); gsub(/, /, \",\", cells);
		print tag \"|\" cells }" "$API7" | sort >doc.roles &&
	jq -r ".[] | .method + \" \" + .path + \"|\" +
		(if .public then \"public\" elif .any_token then \"any token\" else (.roles | join(\",\")) end)" \
		routes.json | sort >table.roles &&
	test_cmp doc.roles table.roles
'

test_expect_success 'every row but the public ones: no token and an unknown token are 401, nothing written' '
	while IFS="	" read -r m p by roles; do
		refused 401 "$m" "$p" "$by" &&
		grep -qi "^WWW-Authenticate: Bearer" headers.txt &&
		refused 401 "$m" "$p" "$by" tn_0000000000000000000000000000000000000000 &&
		grep -qi "invalid_token" headers.txt || exit 1
	done <rows.tsv
'

test_expect_success 'every row: every role it does not list is 403, nothing written' '
	n=0 &&
	while IFS="	" read -r m p by roles; do
		for r in $(printf "%s\n" "$TOKENS" | cut -d= -f1); do
			case ",$roles," in *",$r,"*) continue ;; esac
			refused 403 "$m" "$p" "$by" "$(token_of $r)" || { echo "role $r" >&2; exit 1; }
			n=$((n + 1))
		done
	done <rows.tsv &&
	say "$n refusals" &&
	test $n -ge 60
'

test_expect_success 'a wrong method is 405 before the token is asked for, on every row'"'"'s path' '
	while IFS="	" read -r m p by roles; do
		other=$([ "$m" = GET ] && echo DELETE || echo PUT) &&
		test "$(api $other "$(target "$p" "$by")" "")" = 405 &&
		grep -qi "^Allow: " headers.txt || exit 1
	done <rows.tsv
'

test_done
