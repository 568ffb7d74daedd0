# SPDX-License-Identifier: MIT
# One size of `make bench`, run inside the bench namespace (its private /run/wireguard): the
# daemon's first and steady polls, peak RSS, a /metrics scrape, the stop's state-file save,
# and `wg show all dump` on the same interfaces; one JSON line on stdout. --idle SECONDS
# instead measures wake-ups and CPU of an idle daemon.
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

TICK = 0.01  # sampling period of the daemon's CPU and descriptors
QUIET = 0.15  # a poll has ended after this long with no CPU and no extra descriptor


def cpu_ns(pid):
    """On-CPU time of the (single-threaded) daemon, user + system, in ns."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()[0] if v.split() else ""
    return out


def child_cpu(argv):
    """(CPU s, wall s) of one run of argv, its own user + system only."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, st, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(st)
    if p.returncode:
        raise SystemExit("%s exited %d" % (" ".join(argv), p.returncode))
    return ru.ru_utime + ru.ru_stime, time.monotonic() - t0


class Daemon:
    def __init__(self, a, rep):
        self.dir = os.path.join(a.work, "rep%d" % rep)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir, mode=0o700)
        self.state = os.path.join(self.dir, "state")
        self.port = a.port
        argv = [a.bin, "run", "--log-path", os.path.join(self.dir, "wgm.log"),
                "--interval", str(a.interval), "--poll-timeout", str(a.interval),
                "--threshold", "5", "--stats-interval", "0", "--state-file", self.state,
                "--metrics-listen", "127.0.0.1:%d" % a.port]
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
               "LC_ALL": "C", "TZ": "UTC"}
        if "GLIBC_TUNABLES" in os.environ:  # to try malloc settings on the daemon
            env["GLIBC_TUNABLES"] = os.environ["GLIBC_TUNABLES"]
        self.err = open(os.path.join(self.dir, "stderr"), "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=self.err, env=env)
        self.pid = self.p.pid
        self.idle_fds = None

    def wait_first_poll(self, timeout):
        """CPU (ns) when the first poll has ended: its state file written, then quiet."""
        end = time.monotonic() + timeout
        while not os.path.exists(self.state):
            if time.monotonic() > end or self.p.poll() is not None:
                raise SystemExit("no first poll (state file) within %d s" % timeout)
            time.sleep(TICK)
        last, still = cpu_ns(self.pid), time.monotonic()
        while time.monotonic() - still < QUIET:
            time.sleep(TICK)
            c = cpu_ns(self.pid)
            if c != last:
                last, still = c, time.monotonic()
        self.idle_fds = nfds(self.pid)
        return last

    def busy(self, prev):
        c = cpu_ns(self.pid)
        return c != prev or nfds(self.pid) > self.idle_fds, c

    def next_poll(self, timeout):
        """Waits for the next poll and its end: (CPU ns, wall s as seen from outside)."""
        end = time.monotonic() + timeout
        prev = cpu_ns(self.pid)
        while True:
            b, c = self.busy(prev)
            if b:
                break
            if time.monotonic() > end:
                raise SystemExit("no poll within %d s" % timeout)
            time.sleep(TICK / 2)
        t0, start_cpu = time.monotonic(), prev
        prev, last_busy = c, time.monotonic()
        while time.monotonic() - last_busy < QUIET:
            time.sleep(TICK / 2)
            b, prev = self.busy(prev)
            if b:
                last_busy = time.monotonic()
        return prev - start_cpu, last_busy - t0

    def scrape(self, path="/metrics"):
        """(CPU s, wall s, body, cut) of one HTTP/1.0 request read as fast as a socket allows.
        The daemon resets an answer not taken within its 10 s deadline: on a loaded machine
        a 100,000-peer page can take that long to render, so a reset is recorded (cut, with
        the part read) rather than ending the run."""
        c0, t0 = cpu_ns(self.pid), time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            s.sendall(b"GET %s HTTP/1.0\r\nHost: bench\r\n\r\n" % path.encode())
            parts, cut = [], False
            while True:
                try:
                    b = s.recv(1 << 20)
                except ConnectionResetError:
                    cut = True
                    break
                if not b:
                    break
                parts.append(b)
        head, _, body = b"".join(parts).partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.0 200 ") and not head.startswith(b"HTTP/1.1 200 "):
            raise SystemExit("scrape of %s: %r" % (path, head[:80]))
        return (cpu_ns(self.pid) - c0) / 1e9, time.monotonic() - t0, body, cut

    def stop(self):
        """(CPU s, wall s) from SIGTERM to exit: the forced state-file save and the rest."""
        c0, t0 = cpu_ns(self.pid), time.monotonic()
        self.p.send_signal(signal.SIGTERM)
        _, st, ru = os.wait4(self.pid, 0)
        self.p.returncode = os.waitstatus_to_exitcode(st)
        self.err.close()
        return ru.ru_utime + ru.ru_stime - c0 / 1e9, time.monotonic() - t0


def metric(body, name):
    m = re.search(rb"^%s (\S+)$" % name.encode(), body, re.M)
    return float(m.group(1)) if m else None


def state_summary(path):
    counts = {}
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"peer "):
                s = line.split(b" ")[3].decode()
                counts[s] = counts.get(s, 0) + 1
    return counts


def one_rep(a, rep):
    d = Daemon(a, rep)
    try:
        return measure_rep(a, rep, d)
    finally:  # a failed measurement must not leave its daemon running
        if d.p.poll() is None:
            d.p.kill()
            d.p.wait()


def measure_rep(a, rep, d):
    r = {"poll_ms": None, "polls_total": None}
    r["first_cpu"] = d.wait_first_poll(max(60, 10 * a.interval)) / 1e9
    prof = None
    if a.perf and rep == 0:  # perf's own CPU lands on other cores, not in the daemon's
        prof = subprocess.Popen(["perf", "record", "-q", "--call-graph", "dwarf", "-p", str(d.pid), "-o", a.perf],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    d.next_poll(3 * a.interval + 30)  # the second poll still grows what the first sized
    polls = [d.next_poll(3 * a.interval + 30) for _ in range(a.polls)]
    if prof:
        prof.send_signal(signal.SIGINT)
        prof.wait()
    r["steady_cpu"] = [c / 1e9 for c, _ in polls]
    r["steady_wall_seen"] = [w for _, w in polls]
    r["hwm_poll_kib"] = int(status(d.pid)["VmHWM"])  # before a scrape's page is built
    scrapes = []
    for _ in range(2):
        d.next_poll(3 * a.interval + 30)  # right after a poll, so none runs during it
        cpu, wall, body, cut = d.scrape()
        scrapes.append({"cpu": cpu, "wall": wall, "bytes": len(body), "cut": cut})
        ms, polls = metric(body, "wg_monitor_poll_duration_seconds"), metric(body, "wg_monitor_polls_total")
        if ms is not None:  # a cut page may end before them
            r["poll_ms"], r["polls_total"] = 1000 * ms, polls
    r["scrape"] = scrapes
    st = status(d.pid)
    r["hwm_kib"], r["rss_kib"] = int(st["VmHWM"]), int(st["VmRSS"])
    r["stop_cpu"], r["stop_wall"] = d.stop()
    r["exit"] = d.p.returncode
    r["state_bytes"] = os.path.getsize(d.state)
    r["states"] = state_summary(d.state)
    with open(os.path.join(d.dir, "stderr"), "rb") as f:
        r["poll_errors"] = sum(1 for line in f if b"event=poll_error" in line)
    r["wg"] = [child_cpu(["wg", "show", "all", "dump"]) for _ in range(a.wg_reps)]
    return r


def idle(a):
    d = Daemon(a, 0)
    d.wait_first_poll(120)
    st0, c0, t0 = status(d.pid), cpu_ns(d.pid), time.monotonic()
    time.sleep(a.idle)
    st1, c1 = status(d.pid), cpu_ns(d.pid)
    out = {"seconds": time.monotonic() - t0, "interval": a.interval,
           "cpu": (c1 - c0) / 1e9, "hwm_kib": int(st1["VmHWM"])}
    for k in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
        out[k] = int(st1[k]) - int(st0[k])
    out["stop_cpu"], out["stop_wall"] = d.stop()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--interval", type=int, default=1)
    ap.add_argument("--polls", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--wg-reps", type=int, default=3)
    ap.add_argument("--port", type=int, default=9586)
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--perf", help="perf record the first run's steady polls to this file")
    a = ap.parse_args()
    if a.idle:
        print(json.dumps({"n": a.n, "idle": idle(a)}))
        return
    print(json.dumps({"n": a.n, "interval": a.interval,
                      "reps": [one_rep(a, i) for i in range(a.reps)]}))


main()
