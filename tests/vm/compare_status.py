#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Cross-checks `wg-monitor status --json` against `wg show all dump` taken at the same
# moment: the same (interface, public key) set, and per peer the same endpoint, latest
# handshake (seconds), rx and tx bytes. Usage: compare_status.py DUMP JSON. Exit 0 = equal.
import json
import re
import sys

# The status --json contract (src/status.c): an array of peer objects with these keys.
FIELDS = {"interface": str, "public_key": str, "endpoint": str, "last_handshake": int,
          "rx_bytes": int, "tx_bytes": int}
KEY_RE = re.compile(r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$")
MAX_REPORTED = 20


def read_dump(path):
    """Peer lines of `wg show all dump`: if, key, psk, endpoint, ips, hs, rx, tx, ka."""
    peers = {}
    with open(path, encoding="ascii") as f:
        for n, line in enumerate(f, 1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 5:
                continue  # an interface line
            if len(cols) != 9:
                sys.exit(f"compare: {path}:{n}: unexpected line: {line[:80]!r}")
            ep = "" if cols[3] == "(none)" else cols[3]
            peers[(cols[0], cols[1])] = {"endpoint": ep, "handshake": int(cols[5]),
                                         "rx": int(cols[6]), "tx": int(cols[7])}
    return peers


def load_json(path):
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            sys.exit(f"compare: {path}: not valid JSON: {e}")


def json_peers(path):
    """(interface, key) -> fields, and the problems found in the document's shape."""
    doc = load_json(path)
    if not isinstance(doc, list):
        return {}, [f"top level is {type(doc).__name__}, not an array"]
    peers, errors = {}, []
    for i, obj in enumerate(doc):
        bad = [f for f, t in FIELDS.items()
               if not isinstance(obj, dict) or not isinstance(obj.get(f), t)
               or isinstance(obj.get(f), bool)]
        if bad:
            errors.append(f"element {i}: missing or mistyped {bad}: {str(obj)[:200]}")
            continue
        k = (obj["interface"], obj["public_key"])
        if not KEY_RE.match(k[1]):
            errors.append(f"element {i}: malformed public_key {k[1]!r}")
        if k in peers:
            errors.append(f"{k[0]} {k[1]}: listed twice")
        peers[k] = {"endpoint": obj["endpoint"], "handshake": obj["last_handshake"],
                    "rx": obj["rx_bytes"], "tx": obj["tx_bytes"]}
    return peers, errors


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_status.py DUMP JSON")
    want = read_dump(sys.argv[1])
    got, errors = json_peers(sys.argv[2])
    for k in sorted(set(want) - set(got)):
        errors.append(f"{k[0]} {k[1]}: in wg dump, missing from wg-monitor")
    for k in sorted(set(got) - set(want)):
        errors.append(f"{k[0]} {k[1]}: listed by wg-monitor, not in wg dump")
    for k in sorted(set(want) & set(got)):
        for field, v in want[k].items():
            if got[k][field] != v:
                errors.append(f"{k[0]} {k[1]}: {field}: wg-monitor {got[k][field]!r}, "
                              f"wg {v!r}")
    if not want:
        errors.append("wg dump lists no peers")
    for e in errors[:MAX_REPORTED]:
        print("compare:", e)
    if len(errors) > MAX_REPORTED:
        print(f"compare: ... {len(errors) - MAX_REPORTED} more")
    hs = sum(1 for v in want.values() if v["handshake"])
    print(f"compare: {len(want)} peers in wg dump ({hs} with a handshake), "
          f"{len(got)} from wg-monitor, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
