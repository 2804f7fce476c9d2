# pg-lib.sh — a throwaway PostgreSQL cluster for a test script (source it after test-lib.sh).
#
#   pg_start            initdb into $TRASH/pg, listening on a unix socket in that
#                       folder only (PG_TCP=1: also 127.0.0.1 on a free port), fsync
#                       off; start it, create database "twonet"; exports
#                       TWONET_PG_URI, PG_DIR, PG_PORT.  Stopped when the test exits.
#   pg_stop             stop it (immediate: the cluster is thrown away)
#   pg_createdb NAME    another database in the cluster; prints its URI
#   pg_sql SQL [URI]    run SQL with psql (-At: bare rows, '|' between columns)
#
# PostgreSQL refuses to run as root: as root the cluster runs as the system
# user twonet-pg (scripts/install-deps creates it), as anyone else as them.
# Missing PostgreSQL programs or user make pg_start fail, never skip: run
# scripts/install-deps.

PG_USER=${PG_USER:-twonet-pg}
PG_DIR=""
PG_PORT=""
PG_BIN=""
_PG_STARTED=""

# _pg_as CMD...: run CMD as the cluster's owner
_pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

# _pg_free_port: a 127.0.0.1 TCP port nobody listens on
_pg_free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

pg_start() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN=$d; break; fi
	done
	if [ -z "$PG_BIN" ]; then
		echo "pg_start: no PostgreSQL server programs (/usr/lib/postgresql/*/bin/initdb): run scripts/install-deps" >&2
		return 1
	fi
	if [ "$(id -u)" -eq 0 ] && ! id -u "$PG_USER" >/dev/null 2>&1; then
		echo "pg_start: running as root needs the system user '$PG_USER': run scripts/install-deps" >&2
		return 1
	fi
	PG_DIR="$TRASH/pg"
	mkdir -p "$PG_DIR" || return 1
	if [ "$(id -u)" -eq 0 ]; then
		# the owner must reach its folder inside the (root's, 0700) trash
		chmod o+x "$TRASH" && chown "$PG_USER" "$PG_DIR" || return 1
	fi
	PG_PORT=$(_pg_free_port) || { echo "pg_start: no free port" >&2; return 1; }
	if ! (cd "$PG_DIR" && _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U twonet -A trust \
		-E UTF8 --locale=C --no-sync) >"$PG_DIR/initdb.log" 2>&1; then
		echo "pg_start: initdb failed:" >&2
		cat "$PG_DIR/initdb.log" >&2
		return 1
	fi
	cat >>"$PG_DIR/data/postgresql.conf" <<-EOF
	listen_addresses = '$([ -n "${PG_TCP:-}" ] && echo 127.0.0.1)'
	port = $PG_PORT
	unix_socket_directories = '$PG_DIR'
	max_connections = 200
	fsync = off
	synchronous_commit = off
	full_page_writes = off
	EOF
	if ! (cd "$PG_DIR" && _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 60 start) >"$PG_DIR/pg_ctl.log" 2>&1; then
		echo "pg_start: the server did not start:" >&2
		cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2
		return 1
	fi
	_PG_STARTED=1
	"$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U twonet twonet || return 1
	TWONET_PG_URI=$(pg_uri twonet)
	export TWONET_PG_URI PG_DIR PG_PORT
}

# pg_uri NAME: the URI of database NAME in the cluster
pg_uri() {
	echo "postgresql://twonet@/$1?host=$PG_DIR&port=$PG_PORT"
}

pg_createdb() {
	"$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U twonet "$1" && pg_uri "$1"
}

pg_sql() {
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "${2:-$TWONET_PG_URI}" -c "$1"
}

pg_stop() {
	if [ -n "$_PG_STARTED" ]; then
		(cd "$PG_DIR" && _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop) \
			>/dev/null 2>&1
		_PG_STARTED=""
	fi
}

# stop the cluster before test-lib.sh's clean-up removes the trash
trap 'pg_stop; _cleanup' EXIT
