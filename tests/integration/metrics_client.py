#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A /metrics client for the integration tests, so that no test carries its own copy:
# "scrape" reads one whole answer; "abort" sends requests and leaves mid-answer (the
# fault of issue 19, item 3) by FIN or RST after reading a given number of bytes.
import argparse
import socket
import struct
import sys
import time


def request(token):
    auth = "Authorization: Bearer %s\r\n" % token if token else ""
    return ("GET /metrics HTTP/1.1\r\nHost: x\r\n%s" % auth).encode()


def whole_body(head, body):
    """The body if the answer is complete (Content-Length or chunked), else None."""
    fields = [l.lower().replace(b" ", b"") for l in head.split(b"\r\n")]
    if b"transfer-encoding:chunked" in fields:  # whole at its zero-size part
        rest, body = body, b""
        while True:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size.split(b";")[0], 16) if size.strip() else -1
            if n <= 0 or len(rest) < n + 2:
                return body if n == 0 else None
            body, rest = body + rest[:n], rest[n + 2:]
    cl = [l.split(b":")[1] for l in fields if l.startswith(b"content-length:")]
    return body if cl and int(cl[0]) == len(body) else None


def scrape(a):
    """Prints "STATUS BYTES SECONDS" for a whole answer, "incomplete BYTES SECONDS" else."""
    t = time.time()
    s = socket.create_connection((a.host, a.port), timeout=a.timeout)
    s.sendall(request(a.token) + b"Connection: close\r\n\r\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    head, _, body = data.partition(b"\r\n\r\n")
    whole = whole_body(head, body)
    code = head.split(b" ")[1].decode() if whole is not None else "incomplete"
    if a.out:
        with open(a.out, "wb") as f:
            f.write(whole if whole is not None else body)
    print(code, len(whole if whole is not None else body), "%.3f" % (time.time() - t))


def abort(a):
    """COUNT requests, the i-th left as plan[i % len(plan)] says: "rst@N" or "fin@N" after
    reading at least N bytes (0: at once, the answer then meets a closed socket)."""
    plan = []
    for p in a.plan.split(","):
        how, _, n = p.partition("@")
        if how not in ("rst", "fin") or not n.isdigit():
            sys.exit("bad plan item %r (rst@BYTES or fin@BYTES)" % p)
        plan.append((how, int(n)))
    got = []
    for i in range(a.count):
        how, want = plan[i % len(plan)]
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
        if a.rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        s.sendall(request(a.token) + b"\r\n")
        n = 0
        while n < want:
            b = s.recv(min(65536, max(want - n, 1024)))
            if not b:
                break
            n += len(b)
        if how == "rst":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        got.append(n)
    print("read", min(got), "to", max(got), "bytes of each of", len(got), "answers")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("mode", choices=("scrape", "abort"))
    ap.add_argument("port", type=int)
    ap.add_argument("count", type=int, nargs="?", default=1, help="abort: connections")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--token", default="", help="sent as a bearer token")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--plan", default="rst@1024,fin@0,fin@65536",
                    help="abort: how each connection ends, cycled")
    ap.add_argument("--rcvbuf", type=int, default=0, help="abort: SO_RCVBUF (0: default)")
    ap.add_argument("--out", help="scrape: write the body here")
    a = ap.parse_args()
    scrape(a) if a.mode == "scrape" else abort(a)


if __name__ == "__main__":
    main()
