#!/bin/bash
# twonetd's own HTTP/1.1 server (server/http.c): pipelined requests answered
# in order, a request that arrives a byte at a time, Expect: 100-continue,
# HTTP/1.0 with and without keep-alive, HEAD, another HTTP version (505), a
# Content-Length past 16 MiB (413 before the body), and the close after a
# refused request that leaves the reply readable (no reset).
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1

# http.py PORT CASE: one case over a raw socket; prints what it saw, one fact a line
cat > http.py <<'PY'
import socket, sys, time
port, case = int(sys.argv[1]), sys.argv[2]

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    return s

def replies(s, n):
    """n replies read from s: (status line, headers dict, body)"""
    buf, out = b"", []
    while len(out) < n:
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                return out, buf
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        hdrs = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        if lines[0].split()[1] == "100":
            out.append((lines[0], hdrs, b""))
            continue
        n_body = int(hdrs.get("content-length", "0"))
        while len(buf) < n_body:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        out.append((lines[0], hdrs, buf[:n_body]))
        buf = buf[n_body:]
    return out, buf

def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return "reset"

GET = b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n"
if case == "pipelined":
    s = conn()
    s.sendall(GET + b"GET /v1/nope HTTP/1.1\r\nHost: t\r\n\r\n" + GET)
    out, _ = replies(s, 3)
    print(" ".join(r[0].split()[1] for r in out))
elif case == "bytewise":
    s = conn()
    for b in GET:
        s.sendall(bytes([b]))
        time.sleep(0.002)
    out, _ = replies(s, 1)
    print(out[0][0])
elif case == "continue":
    s = conn()
    body = b'{"headline":"x"}'
    s.sendall(b"POST /v1/alerts HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body))
    out, _ = replies(s, 1)
    print(out[0][0])
    s.sendall(body)
    out, _ = replies(s, 1)
    print(out[0][0])
elif case == "http10":
    s = conn()
    s.sendall(b"GET /v1/health HTTP/1.0\r\n\r\n")
    out, _ = replies(s, 1)
    print(out[0][0], out[0][1].get("connection"), "closed" if closed(s) is True else "open")
    s = conn()
    s.sendall(b"GET /v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    out, _ = replies(s, 1)
    print(out[0][0], out[0][1].get("connection"))
    s.sendall(b"GET /v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    out, _ = replies(s, 1)
    print(out[0][0])
elif case == "head":
    s = conn()
    s.sendall(GET + b"HEAD /v1/health HTTP/1.1\r\nHost: t\r\n\r\n" + GET)
    out, rest = replies(s, 2)
    get_len, head = len(out[0][2]), out[1]
    # the HEAD reply has no body: the third reply follows its head at once
    out3, _ = replies(s, 1) if not rest else (None, None)
    print(head[0], head[1]["content-length"] == str(get_len), len(head[2]) == 0 or head[2].startswith(b"HTTP/1.1"))
elif case == "version":
    s = conn()
    s.sendall(b"GET /v1/health HTTP/2.0\r\n\r\n" + GET)
    out, _ = replies(s, 2)
    print(len(out), out[0][0], out[0][1].get("connection"), closed(s))
elif case == "huge":
    s = conn()
    s.sendall(b"POST /v1/alerts HTTP/1.1\r\nHost: t\r\nContent-Length: 16777217\r\n\r\n")
    out, _ = replies(s, 1)
    print(out[0][0], out[0][1].get("connection"), closed(s))
elif case == "refused-with-more":
    # a refused head with 200 KB more behind it: the reply is read, then the end (not a reset)
    s = conn()
    s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n" + b"x" * 200000)
    out, _ = replies(s, 1)
    print(out[0][0], closed(s))
PY

run() { python3 http.py "$TWONETD_PORT" "$1"; }

test_expect_success 'three requests in one write: three replies, in order' '
	test "$(run pipelined)" = "200 404 200"
'

test_expect_success 'a request that arrives a byte at a time is answered' '
	test "$(run bytewise)" = "HTTP/1.1 200 OK"
'

test_expect_success 'Expect: 100-continue gets 100 Continue, then the answer' '
	run continue >out &&
	test "$(sed -n 1p out)" = "HTTP/1.1 100 Continue" &&
	test "$(sed -n 2p out)" = "HTTP/1.1 401 Unauthorized"
'

test_expect_success 'HTTP/1.0 closes unless keep-alive is asked for' '
	run http10 >out &&
	test "$(sed -n 1p out)" = "HTTP/1.0 200 OK close closed" &&
	test "$(sed -n 2p out)" = "HTTP/1.0 200 OK keep-alive" &&
	test "$(sed -n 3p out)" = "HTTP/1.0 200 OK"
'

test_expect_success 'HEAD says the length of the body it does not send' '
	test "$(run head)" = "HTTP/1.1 200 OK True True"
'

test_expect_success 'another HTTP version is 505, closed, nothing after it answered' '
	test "$(run version)" = "1 HTTP/1.1 505 HTTP Version Not Supported close True"
'

test_expect_success 'a Content-Length past 16 MiB is 413 before the body, closed' '
	test "$(run huge)" = "HTTP/1.1 413 Payload Too Large close True"
'

test_expect_success 'a refused head with more behind it: the reply, then an orderly close' '
	test "$(run refused-with-more)" = "HTTP/1.1 400 Bad Request True"
'

test_expect_success 'no worker died' '
	! grep -E "died by signal|exited with status|Assertion" "$TWONETD_LOG"
'

stop_server
test_done
