# test-lib.sh — the shell test library (after git's t/test-lib.sh).
#
# Source it from tests/cli/tNNNN-topic.sh.  It prints TAP, gives every test
# script a fresh trash folder (cd'd into), the built commands on PATH, and a
# twonetd of its own on a free 127.0.0.1 port (start_server), stopped at exit.
#
#   test_expect_success 'title' 'commands chained with &&'
#   test_expect_code N 'title' 'commands'  (last command's exit status must be N)
#   test_must_fail CMD...        CMD must exit non-zero (not by a signal)
#   test_expect_exit N CMD...    CMD must exit exactly N
#   test_cmp EXPECTED ACTUAL     diff -u
#   test_when_finished 'cmd'     run after the current test, pass or fail
#   test_done                    the plan line; exit status
#   start_server [serve options] init a db, import the catalog, serve; sets
#                                TWONET_URL, TWONETD_PID, TWONETD_DB, TWONETD_LOG
#                                (a restart serves the same db; remove
#                                $TRASH/twonet.db* first for a fresh one)
#   stop_server                  SIGTERM and wait
#   make_token ROLE NAME [DEPT] [SUBJECT]   print a new token
#   db_sql SQL                   run SQL on the server's database (sqlite3's list
#                                mode: bare rows, '|' between columns, NULL empty)
#   db_sql_file FILE             run the SQL statements of FILE there
#   db_sql_per SQLITE-SQL PG-SQL the first on SQLite, the second on PostgreSQL
#   db_pick SQLITE-TEXT PG-TEXT  print the first on SQLite, the second on PostgreSQL
#   db_integrity                 "ok" when the database is sound (PRAGMA
#                                integrity_check on SQLite; PostgreSQL: ok)
#   db_dump [pg_dump options]    the database as SQL text (sqlite3 .dump, pg_dump)
#   db_doc_set KEY VALUE...      the SQL expression of the row's doc with those
#                                top-level members set (VALUEs are SQL):
#                                json_set on SQLite, jsonb || on PostgreSQL
#
# The backend: TWONET_TEST_BACKEND=sqlite (the default: $TRASH/twonet.db) or
# postgresql: the first start_server starts a throwaway cluster of the test's own
# (tests/cli/pg-lib.sh, initdb once per test file, stopped at exit) and every
# database it makes is one database of that cluster, TWONETD_DB its URI.  A test
# file that only SQLite can run (PRAGMA, the database file, its backups) says so
# with a line "# backend: sqlite" in its header comment; tests/run-suite reads it.
#
# Helpers several tests share:
#   api METHOD PATH TOKEN [curl options]     raw HTTP: status on stdout, body in
#                                            out.json, headers in headers.txt
#   yb_cases N [FIRST]           N distinct NDJSON cases on 310000-YB-003 (YBJ)
#   rs_case NAME                 a case of 310000-RS-006 (RSJ) for organisation NAME
#   restaurant_case              the "restaurant" workflow's case body (JSON)
#   count_cases                  how many cases the server holds, as $ADMIN sees them
#   gen_alerts FIRST LAST [SRC]  water_depth alerts numbered FIRST..LAST, a line each
#   wait_lines FILE N            wait until FILE has N lines ($WAIT_SECONDS, 60)

set -u
TWONET_SRC=${TWONET_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TWONET_BUILD=${TWONET_BUILD:-$TWONET_SRC}
export TWONET_SRC TWONET_BUILD
export PATH="$TWONET_BUILD/bin:$TWONET_BUILD/server:$TWONET_BUILD/tui:$TWONET_BUILD/bench:$TWONET_SRC/scripts:$PATH"
export TWONET_SHAREDIR="$TWONET_SRC/share/twonet"
# twonetd serve runs no rules in tests unless a test names them (--rules FILE, or
# TWONETD_RULES="$TWONET_SHAREDIR/rules" for the shipped ones): alerts posted to test
# the stream and the loop make no task events in between
export TWONETD_RULES="${TWONETD_RULES:-none}"
export LC_ALL=C.UTF-8 TZ=Asia/Shanghai NO_COLOR=1
unset TWONET_URL TWONET_TOKEN TWONET_PROFILE TWONET_CONFIG COLUMNS
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/twonet-$TEST_NAME.XXXXXX")
export HOME="$TRASH/home" XDG_CONFIG_HOME="$TRASH/home/.config" \
	XDG_STATE_HOME="$TRASH/home/.local/state" XDG_CACHE_HOME="$TRASH/home/.cache"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
cd "$TRASH" || exit 1

test_count=0
test_failed=0
test_skipped=0
TWONETD_PID=""

say() { printf '# %s\n' "$*"; }

test_when_finished() {
	# the body runs in a subshell: keep the clean-up in a file the parent reads
	printf '%s\n' "$1" | cat - "$TRASH/.finish" > "$TRASH/.finish.new" 2>/dev/null
	mv "$TRASH/.finish.new" "$TRASH/.finish"
}

_run_test() {
	# the body runs in a subshell: variables it sets do not leak into the next test
	: > "$TRASH/.finish"
	( eval "$1" ) > "$TRASH/.out" 2>&1 </dev/null
	local rc=$?
	if [ -s "$TRASH/.finish" ]; then ( . "$TRASH/.finish" ) >/dev/null 2>&1; fi
	rm -f "$TRASH/.finish"
	return $rc
}

_report() {
	local ok=$1 title=$2
	test_count=$((test_count + 1))
	if [ "$ok" = 0 ]; then
		echo "ok $test_count - $title"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $title"
		# on stderr, which prove shows without -v (CI's log then says why)
		{ echo "$TEST_NAME: not ok $test_count - $title"; tail -n 40 "$TRASH/.out" |
			sed -e "s/^/$TEST_NAME:   /"; } >&2
	fi
}

test_expect_success() {
	local title=$1 body=$2
	_run_test "set -e; $body"
	local rc=$?
	# set -e inside eval does not stop at && chains; rely on the body's own status too
	_report $rc "$title"
}

test_expect_code() {
	local want=$1 title=$2 body=$3
	_run_test "$body"
	local rc=$?
	if [ "$rc" = "$want" ]; then _report 0 "$title"; else
		echo "expected exit $want, got $rc" >> "$TRASH/.out"; _report 1 "$title"; fi
}

test_must_fail() {
	local rc=0
	"$@" || rc=$?
	if [ $rc -eq 0 ]; then echo "test_must_fail: '$*' succeeded" >&2; return 1; fi
	if [ $rc -gt 128 ] && [ $rc -ne 130 ]; then echo "test_must_fail: '$*' died by signal $((rc - 128))" >&2; return 1; fi
	return 0
}

test_expect_exit() {
	local want=$1 rc=0; shift
	"$@" || rc=$?
	if [ $rc -ne "$want" ]; then echo "test_expect_exit: '$*' exited $rc, expected $want" >&2; return 1; fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# a JSON value at a jq path of a file or stdin equals the expected text: json_eq '.status' accepted < file
json_eq() {
	local got
	got=$(jq -r "$1") || return 1
	if [ "$got" != "$2" ]; then echo "json_eq: $1 is '$got', expected '$2'" >&2; return 1; fi
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

TWONET_TEST_BACKEND=${TWONET_TEST_BACKEND:-sqlite}
case $TWONET_TEST_BACKEND in
sqlite|postgresql) export TWONET_TEST_BACKEND ;;
*) echo "Bail out! TWONET_TEST_BACKEND is '$TWONET_TEST_BACKEND', not sqlite or postgresql"; exit 1 ;;
esac
_db_made=0

# _db_open: set TWONETD_DB to the database start_server serves; 0 when it is
# there already, 1 when it is new (to be initialised), 2 on failure.  On
# PostgreSQL the URI is kept in $TRASH/twonet.db.pg, so a restart serves the
# same database and removing $TRASH/twonet.db* starts afresh, as on SQLite.
_db_open() {
	if [ "$TWONET_TEST_BACKEND" = sqlite ]; then
		TWONETD_DB="$TRASH/twonet.db"
		[ -f "$TWONETD_DB" ] && return 0
		return 1
	fi
	if [ -s "$TRASH/twonet.db.pg" ]; then
		TWONETD_DB=$(cat "$TRASH/twonet.db.pg")
		export TWONETD_STATE="$TRASH/twonet.db"
		return 0
	fi
	if [ -z "${_PG_STARTED:-}" ]; then
		. "$TWONET_SRC/tests/cli/pg-lib.sh" && pg_start || return 2
		TWONETD_DB=$TWONET_PG_URI
	else
		_db_made=$((_db_made + 1))
		TWONETD_DB=$(pg_createdb "twonet$_db_made") || return 2
	fi
	echo "$TWONETD_DB" >"$TRASH/twonet.db.pg"
	# the issuers' keys and the audit checkpoints: files beside where SQLite's would be
	export TWONETD_STATE="$TRASH/twonet.db"
	return 1
}

start_server() {
	local rc=0
	_db_open || rc=$?
	[ $rc -eq 2 ] && return 1
	TWONETD_LOG="$TRASH/twonetd.log"
	local portfile="$TRASH/twonetd.port"
	rm -f "$portfile"
	if [ $rc -eq 1 ]; then
		twonetd init --db "$TWONETD_DB" >/dev/null || return 1
		twonetd import catalog --db "$TWONETD_DB" >/dev/null || return 1
	fi
	twonetd serve --db "$TWONETD_DB" --listen 127.0.0.1:0 --port-file "$portfile" \
		--workers "${TWONETD_WORKERS:-1}" "$@" >>"$TWONETD_LOG" 2>&1 &
	TWONETD_PID=$!
	local i=0
	while [ ! -s "$portfile" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$TWONETD_PID" 2>/dev/null; then
			echo "start_server: twonetd did not start:" >&2
			cat "$TWONETD_LOG" >&2
			return 1
		fi
		sleep 0.05
	done
	TWONETD_PORT=$(cat "$portfile")
	export TWONET_URL="http://127.0.0.1:$TWONETD_PORT"
}

# the server's worker processes (not its audit writer, "twonetd-audit")
server_workers() {
	pgrep -x twonetd -P "$TWONETD_PID"
}

stop_server() {
	if [ -n "$TWONETD_PID" ] && kill -0 "$TWONETD_PID" 2>/dev/null; then
		kill -TERM "$TWONETD_PID" 2>/dev/null
		# polled, not only waited for: inside a test body (a subshell) twonetd
		# is not this shell's child, and a twonetd that does not stop is a bug
		# to report, not a test run that never ends
		local i=0
		while kill -0 "$TWONETD_PID" 2>/dev/null && [ $i -lt 1200 ]; do
			i=$((i + 1)); sleep 0.05
		done
		if kill -0 "$TWONETD_PID" 2>/dev/null; then
			echo "stop_server: twonetd $TWONETD_PID still running 60 s after SIGTERM; stopped with SIGKILL" >&2
			if command -v gdb >/dev/null; then
				for p in "$TWONETD_PID" $(pgrep -P "$TWONETD_PID"); do
					gdb -batch -p "$p" -ex "thread apply all bt" 2>/dev/null | grep "^#\|^Thread" >&2
				done
			fi
			pkill -KILL -P "$TWONETD_PID" 2>/dev/null
			kill -KILL "$TWONETD_PID" 2>/dev/null
			TWONETD_HUNG=1
		fi
		wait "$TWONETD_PID" 2>/dev/null
		TWONETD_RC=$?
	fi
	TWONETD_PID=""
}

make_token() {
	local role=$1 name=$2 dept=${3:-} subject=${4:-}
	twonetd token add --db "$TWONETD_DB" --role "$role" --name "$name" \
		${dept:+--dept "$dept"} ${subject:+--subject "$subject"}
}

# sqlite3 on the SQLite database $1 with its audit log ($1.audit, twonetd(8) FILES) attached as "log"
sqlite_db() {
	local db=$1
	shift
	sqlite3 -cmd ".timeout 10000" -cmd "ATTACH '$db.audit' AS log" "$db" "$@"
}

# a copy of the SQLite database $1 and its audit log: $2 and $2.audit
sqlite_db_copy() {
	sqlite3 "$1" ".backup '$2'" && sqlite3 "$1.audit" ".backup '$2.audit'"
}

db_sql() {
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$TWONETD_DB" -c "$1"
	elif [ -f "$TWONETD_DB.audit" ]; then
		sqlite_db "$TWONETD_DB" "$1"
	else
		sqlite3 "$TWONETD_DB" "$1"
	fi
}

db_sql_file() {
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$TWONETD_DB" -f "$1"
	else
		sqlite3 "$TWONETD_DB" <"$1"
	fi
}

db_sql_per() {
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then db_sql "$2"; else db_sql "$1"; fi
}

db_pick() {
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then echo "$2"; else echo "$1"; fi
}

db_integrity() {
	db_sql_per "pragma integrity_check" "SELECT 'ok'"
}

db_dump() {
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		# without pg_dump's random \restrict key (PostgreSQL 15.14): the same data, the same text
		"$PG_BIN/pg_dump" -d "$TWONETD_DB" "$@" | grep -Ev '^\\(un)?restrict '
	else
		sqlite3 "$TWONETD_DB" .dump
	fi
}

db_doc_set() {
	local set="" sep=""
	while [ $# -ge 2 ]; do
		if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
			set="$set$sep'$1', $2"
		else
			set="$set$sep'\$.$1', $2"
		fi
		sep=", "
		shift 2
	done
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		echo "(doc::jsonb || jsonb_build_object($set))::json"
	else
		echo "json_set(doc, $set)"
	fi
}

# api METHOD PATH TOKEN [curl options...]: body to out.json, status on stdout
api() {
	local m=$1 p=$2 t=$3
	shift 3
	curl -sS -o out.json -D headers.txt -w '%{http_code}' -X "$m" \
		${t:+-H "Authorization: Bearer $t"} "$@" "$TWONET_URL$p"
}

# yb_cases N [FIRST]: N distinct cases on 310000-YB-003 (YBJ), one NDJSON line each
yb_cases() {
	awk -v n="$1" -v first="${2:-1}" 'BEGIN {
		for (i = first; i < first + n; i++)
			printf "{\"item\":\"310000-YB-003\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"申请人%d\"},\"form\":{\"applicant_name\":\"申请人%d\",\"applicant_id\":\"110101199003070003\",\"retire_date\":\"2026-12-01\",\"applicant_phone\":\"13800000000\"}}\n", i, i
	}'
}

# rs_case NAME: a case of 310000-RS-006 (RSJ), for an organisation
rs_case() {
	printf '{"item":"310000-RS-006","applicant":{"type":"org","id":"91350100M000100Y43","name":"%s"},"form":{"org_name":"%s","uscc":"91350100M000100Y43","staff_count":5,"accountant_phone":"13800000000"}}' "$1" "$1"
}

# restaurant_case: a case body for the "restaurant" workflow (a noodle shop), every material given
restaurant_case() {
	cat <<-\EOF
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
}

# count_cases: how many cases the server holds (with $ADMIN's token: an admin sees all)
count_cases() {
	case-list --token "$ADMIN" --all | wc -l
}

# gen_alerts FIRST LAST [SOURCE]: water_depth alerts, one a line, severities and districts in turn
gen_alerts() {
	seq "$1" "$2" | awk -v src="${3:-sim}" 'BEGIN { split("blue yellow orange red", sev, " ") } {
		printf "{\"source\":\"%s\",\"source_id\":\"%d\",\"kind\":\"water_depth\",\"severity\":\"%s\",\"district\":\"%s\",\"value\":%d.5,\"unit\":\"cm\",\"headline\":\"point %d\"}\n",
			src, $1, sev[$1 % 4 + 1], ($1 % 2 ? "310101" : "310115"), $1 % 90, $1 }'
}

# wait_lines FILE N: wait until FILE has at least N lines; fails after $WAIT_SECONDS (60)
wait_lines() {
	local i=0 tries=$(( ${WAIT_SECONDS:-60} * 20 ))
	while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		i=$((i + 1)); [ $i -gt $tries ] && return 1; sleep 0.05
	done
}

# wait_until COMMAND...: run COMMAND until it succeeds; fails after $WAIT_SECONDS (60)
wait_until() {
	local i=0 tries=$(( ${WAIT_SECONDS:-60} * 20 ))
	until "$@"; do
		i=$((i + 1)); [ $i -gt $tries ] && return 1; sleep 0.05
	done
}

# fake_server_start HANDLER ARG: a stand-in HTTP server of our own on a free
# loopback port.  HANDLER is the Python body (its methods, one tab in) of the
# request handler class; sys.argv[1] is ARG.  The port goes to fake.port, the
# pid to FAKE_PID (the caller kills it).
fake_server_start() {
	python3 -c "
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
$1
	def log_message(self, *a):
		pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
" "$2" >fake.port &
	FAKE_PID=$!
	for _ in $(seq 50); do test -s fake.port && break; sleep 0.1; done
	test -s fake.port
}

test_done() {
	echo "1..$test_count"
	if [ "$test_failed" -gt 0 ]; then
		echo "# failed $test_failed of $test_count"
		exit 1
	fi
	exit 0
}

_cleanup() {
	local rc=$?
	stop_server
	[ -z "${TWONETD_HUNG:-}" ] || rc=1     # a server that would not stop fails the file
	cd /
	if [ "$test_failed" = 0 ] && [ -z "${TWONET_KEEP_TRASH:-}" ]; then rm -rf "$TRASH"; fi
	exit $rc
}
trap _cleanup EXIT
