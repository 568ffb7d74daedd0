# SPDX-License-Identifier: MIT
# `make bench`'s table: reads bench/measure.py's JSON lines, prints one table (median and
# min-max over every run) and writes the same figures as CSV.
import csv
import json
import statistics
import sys


def mmm(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return statistics.median(xs), min(xs), max(xs)


def fmt(t, scale=1.0, digits=2):
    if t is None:
        return "-"
    m, lo, hi = (x * scale for x in t)
    return "%.*f (%.*f-%.*f)" % (digits, m, digits, lo, digits, hi)


def figures(row):
    """Each figure's (median, min, max) over every run of one size."""
    reps = row["reps"]
    f = {
        "steady_cpu_ms": mmm([c * 1e3 for r in reps for c in r["steady_cpu"]]),
        "first_cpu_ms": mmm([r["first_cpu"] * 1e3 for r in reps]),
        "wg_cpu_ms": mmm([c * 1e3 for r in reps for c, _ in r["wg"]]),
        "wg_wall_ms": mmm([w * 1e3 for r in reps for _, w in r["wg"]]),
        "poll_wall_ms": mmm([r["poll_ms"] for r in reps]),
        "hwm_mib": mmm([r["hwm_kib"] / 1024 for r in reps]),
        "hwm_poll_mib": mmm([r["hwm_poll_kib"] / 1024 for r in reps]),
        "save_cpu_ms": mmm([r["stop_cpu"] * 1e3 for r in reps]),
        "save_wall_ms": mmm([r["stop_wall"] * 1e3 for r in reps]),
        "scrape_cpu_ms": mmm([s["cpu"] * 1e3 for r in reps for s in r["scrape"]]),
        "scrape_wall_ms": mmm([s["wall"] * 1e3 for r in reps for s in r["scrape"]]),
        "scrape_mib": mmm([s["bytes"] / 2**20 for r in reps for s in r["scrape"] if not s.get("cut")]),
        "state_mib": mmm([r["state_bytes"] / 2**20 for r in reps]),
    }
    n = row["n"]
    f["us_per_peer"] = tuple(x * 1e3 / n for x in f["steady_cpu_ms"])
    wg = f["wg_cpu_ms"][0]
    f["ratio_wg"] = tuple(x / wg for x in f["steady_cpu_ms"]) if wg else None
    f["poll_errors"] = sum(r["poll_errors"] for r in reps)
    f["scrapes_cut"] = sum(1 for r in reps for s in r["scrape"] if s.get("cut"))
    f["peers_read"] = min(sum(r["states"].values()) for r in reps)
    f["states"] = reps[0]["states"]
    return f


def table(rows):
    cols = [("peers", None), ("CPU/poll ms", "steady_cpu_ms"), ("us/peer", "us_per_peer"),
            ("wg dump ms", "wg_cpu_ms"), ("ratio", "ratio_wg"), ("1st poll ms", "first_cpu_ms"),
            ("poll wall ms", "poll_wall_ms"), ("VmHWM MiB polls", "hwm_poll_mib"),
            ("VmHWM MiB +/metrics", "hwm_mib"),
            ("stop+save ms", "save_cpu_ms"), ("/metrics ms", "scrape_cpu_ms")]
    print("| " + " | ".join(c for c, _ in cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        if "idle" in row:
            continue
        f = figures(row)
        cells = ["{:,}".format(row["n"])]
        for _, k in cols[1:]:
            cells.append(fmt(f[k], digits=3 if k in ("us_per_peer", "ratio_wg") else 1))
        print("| " + " | ".join(cells) + " |")
        print("  (%d peers read of %d + 3 helper peers, states %s; %d poll_error; state file "
              "%.1f MiB, /metrics %.1f MiB, %d scrape(s) reset at the 10 s deadline; wg dump wall "
              "%.0f ms)" %
              (f["peers_read"], row["n"], f["states"], f["poll_errors"], f["state_mib"][0],
               (f["scrape_mib"] or [float("nan")])[0], f["scrapes_cut"], f["wg_wall_ms"][0]), file=sys.stderr)


def write_csv(rows, path):
    keys = None
    with open(path, "w", newline="") as out:
        w = csv.writer(out)
        for row in rows:
            if "idle" in row:
                w.writerow(["idle_" + k for k in row["idle"]])
                w.writerow(list(row["idle"].values()))
                continue
            f = figures(row)
            tri = [k for k, v in f.items() if isinstance(v, tuple)]
            if keys is None:
                keys = tri
                w.writerow(["peers"] + [k + s for k in keys for s in ("_med", "_min", "_max")]
                           + ["poll_errors", "peers_read"])
            w.writerow([row["n"]] + ["%.4g" % x for k in keys for x in f[k]]
                       + [f["poll_errors"], f["peers_read"]])


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    for row in rows:
        if "idle" in row:
            i = row["idle"]
            polls = i["seconds"] / i["interval"]
            print("idle, {:,} peers, {:.0f} s at a {} s interval: {:.1f} ms CPU "
                  "({:.2f} ms a poll), {} voluntary + {} involuntary context switches "
                  "({:.1f} wake-ups a poll), VmHWM {:.1f} MiB".format(
                      row["n"], i["seconds"], i["interval"], i["cpu"] * 1e3,
                      i["cpu"] * 1e3 / polls, i["voluntary_ctxt_switches"],
                      i["nonvoluntary_ctxt_switches"], i["voluntary_ctxt_switches"] / polls,
                      i["hwm_kib"] / 1024))
    table(rows)
    write_csv(rows, sys.argv[2])
    print("CSV: %s; load average at the end: %s" % (sys.argv[2], sys.argv[3]))


main()
