#!/bin/bash
# twonetd serve --workers 2 evens out the workers' keep-alive connections: a
# worker holding more than half answers with "Connection: close" until the
# client's reconnections (placed by the kernel's hash again) fill the other.
# Never on a connection with a pipelined request waiting; never with
# --no-balance.
. "$(dirname "$0")/test-lib.sh"

# balance.py PORT ROUNDS PID...: 16 keep-alive connections to the server,
# opened again until the kernel put at least 10 on one worker (before any
# request: the server counts a connection at its first).  Then rounds of one
# request a connection (the heavy worker's first round: two pipelined in one
# write), reconnecting when a reply says close, until the split is 8/8 or
# ROUNDS ran.  Prints "start A/B", each round's "round N A/B closes C", and
# "pipelined-first-closed K" (first replies of a pipelined pair that said close).
# BYE=1: no pipelining, and the second round's requests say "Connection: close".
cat > balance.py <<'PY'
import os, socket, sys, time
from placement import placement as placement_of
port, rounds, pids = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
REQ = b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n"
BYE = b"GET /v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
bye = os.environ.get("BYE") == "1"

def placement(conns):
    return placement_of(port, pids, conns)

def settled(conns):
    for _ in range(400):
        p = placement(conns)
        if None not in p:
            return p
        time.sleep(0.01)
    sys.exit("connections not accepted")

def split(p):
    return "/".join(str(p.count(i)) for i in range(len(pids)))

def reply(c, buf):
    """(status, closes?) of the next reply on c; buf: bytes read past the one before"""
    got = buf.pop(c, b"")
    while b"\r\n\r\n" not in got:
        b = c.recv(4096)
        if not b:
            sys.exit("connection closed before a reply")
        got += b
    head, rest = got.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    h = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    n = int(h.get("content-length", "0"))
    while len(rest) < n:
        rest += c.recv(4096)
    buf[c] = rest[n:]
    return lines[0].split()[1], h.get("connection", "").lower() == "close"

def connect():
    return socket.create_connection(("127.0.0.1", port))

for attempt in range(60):
    conns = [connect() for _ in range(16)]
    p = settled(conns)
    if max(p.count(i) for i in range(len(pids))) >= 10:
        break
    for c in conns:
        c.close()
else:
    sys.exit("the kernel never put 10 of 16 on one worker")
print("start", split(p))
heavy = max(range(len(pids)), key=p.count)
first_closed = 0
buf = {}
for r in range(1, rounds + 1):
    closes = 0
    for i, c in enumerate(conns):
        pipelined = r == 1 and p[i] == heavy and not bye
        c.sendall(BYE if bye and r == 2 else REQ * (2 if pipelined else 1))
        status, close = reply(c, buf)
        if status != "200":
            sys.exit("reply " + status)
        if pipelined:
            first_closed += close
            status, close = reply(c, buf)
            if status != "200":
                sys.exit("reply " + status)
        if buf.get(c):
            sys.exit("bytes after the last reply")
        if close or (bye and r == 2):
            closes += close
            c.close()
            conns[i] = connect()
    p = settled(conns)
    print("round", r, split(p), "closes", closes)
    if max(p.count(i) for i in range(len(pids))) <= 16 // len(pids):
        break
print("pipelined-first-closed", first_closed)
PY

TWONETD_WORKERS=2 start_server || exit 1
workers() { server_workers | sort -n; }

test_expect_success 'two workers: a lopsided 16 becomes 8/8 by Connection: close' '
	test "$(workers | wc -l)" = 2 &&
	PYTHONPATH="$TWONET_SRC/tests/cli" python3 balance.py "$TWONETD_PORT" 60 $(workers) >out &&
	cat out &&
	start=$(sed -n "s/^start //p" out) &&
	heavy=$(echo "$start" | tr / "\n" | sort -n | tail -n 1) &&
	test "$heavy" -ge 10 &&
	test "$(tail -n 2 out | head -n 1 | cut -d" " -f3)" = 8/8 &&
	# each close was one of the heavy side excess, or a reconnection that landed there again
	closes=$(awk "/^round/ { n += \$5 } END { print n }" out) &&
	test "$closes" -ge $((heavy - 8)) &&
	# the pipelined pairs: the first reply never closes (it would lose the second)
	test "$(sed -n "s/^pipelined-first-closed //p" out)" = 0
'

test_expect_success 'a lone connection is never closed: one is its share' '
	python3 - "$TWONETD_PORT" >closes <<-\PY &&
	import socket, sys
	c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	for _ in range(20):
	    c.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
	    got = b""
	    while b"\r\n\r\n" not in got:
	        b = c.recv(4096)
	        if not b:
	            sys.exit("closed")
	        got += b
	    print(int(b"connection: close" in got.lower()))
	PY
	test "$(sort -u closes)" = 0 && test "$(wc -l <closes)" = 20
'

stop_server
test_expect_success 'each worker says at shutdown how many it closed' '
	test "$TWONETD_RC" = 0 &&
	n=$(sed -n "s/.*closed \([0-9]*\) connections\{0,1\} to even out the workers/\1/p" "$TWONETD_LOG" |
		paste -sd+ | bc) &&
	test "$n" = "$(awk "/^round/ { n += \$5 } END { print n }" out)"
'

logged=$(wc -l <"$TWONETD_LOG")       # the log file gathers the servers'
TWONETD_WORKERS=2 start_server || exit 1
test_expect_success 'a client that says Connection: close is not counted, nor closed for balance' '
	# first round: no marks (first requests); second: every request says close, so
	# the heavy worker has nothing to close (it would have, had it counted them)
	BYE=1 PYTHONPATH="$TWONET_SRC/tests/cli" python3 balance.py "$TWONETD_PORT" 2 $(workers) >out &&
	cat out &&
	grep -q "^round 2 " out
'
stop_server
test_expect_success '... and the worker closed none' '
	tail -n +$((logged + 1)) "$TWONETD_LOG" >log1 &&
	grep -q "listening on" log1 &&
	! grep -q "to even out" log1
'
logged=$(wc -l <"$TWONETD_LOG")
TWONETD_WORKERS=2 start_server --no-balance || exit 1
test_expect_success '--no-balance: the lopsided split stays, no reply says close' '
	PYTHONPATH="$TWONET_SRC/tests/cli" python3 balance.py "$TWONETD_PORT" 3 $(workers) >out &&
	cat out &&
	start=$(sed -n "s/^start //p" out) &&
	test "$(sed -n "s/^round 3 //p" out)" = "$start closes 0"
'
stop_server
test_expect_success '--no-balance: nothing to say at shutdown' '
	test "$TWONETD_RC" = 0 &&
	tail -n +$((logged + 1)) "$TWONETD_LOG" >log2 &&
	grep -q "listening on" log2 &&
	! grep -q "to even out" log2
'

test_done
