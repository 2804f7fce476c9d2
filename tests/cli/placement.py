"""placement.py: which twonetd worker holds each TCP connection, read from /proc (the
machines have no ss).  For the tests that count how connections fell between the
workers (t8004, t8600): PYTHONPATH="$TWONET_SRC/tests/cli" python3 -c 'import placement'."""
import os
import re


def _socket_inodes(pid):
    out = set()
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            m = re.match(r"socket:\[(\d+)\]", os.readlink("/proc/%s/fd/%s" % (pid, fd)))
        except OSError:         # the descriptor closed meanwhile
            continue
        if m:
            out.add(m.group(1))
    return out


def _established(port):
    """{inode: client port} of the server side of each established connection to PORT"""
    got = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(name).read().splitlines()[1:]:
            f = line.split()
            if int(f[1].split(":")[1], 16) == port and f[3] == "01":
                got[f[9]] = int(f[2].split(":")[1], 16)
    return got


def workers_of(port, pids):
    """{client port: index in PIDS of the worker holding that connection to PORT}"""
    est = _established(port)
    where = {}
    for i, pid in enumerate(pids):
        for ino in _socket_inodes(pid):
            if ino in est:
                where[est[ino]] = i
    return where


def placement(port, pids, conns):
    """the worker index of each of the sockets CONNS (None: not accepted yet)"""
    where = workers_of(port, pids)
    return [where.get(c.getsockname()[1]) for c in conns]
