#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Cross-checks `wg-monitor status --json` against `wg show all dump` taken at the same
# moment: the same (interface, public key) set, and per peer the same endpoint, latest
# handshake (seconds), rx and tx bytes. Usage: compare_status.py DUMP JSON. Exit 0 = equal.
import calendar
import json
import re
import sys
import time

KEY_FIELDS = ("public_key", "peer", "key", "pubkey")
IF_FIELDS = ("interface", "ifname", "device", "dev")
HS_FIELDS = ("last_handshake_unix", "last_handshake_sec", "latest_handshake",
             "last_handshake", "handshake")
RX_FIELDS = ("rx_bytes", "rx", "transfer_rx", "received")
TX_FIELDS = ("tx_bytes", "tx", "transfer_tx", "sent")
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


def first_field(obj, names):
    for n in names:
        if n in obj:
            return n
    return None


def handshake_seconds(v):
    """Accepts Unix seconds (number or digits) or an ISO-8601 UTC time; never = 0."""
    if v is None or v is False or v in ("", "never", "-", 0):
        return 0
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, str) and v.isdigit():
        return int(v)
    if isinstance(v, str):
        s = re.sub(r"\.\d+", "", v).replace("+00:00", "Z")
        return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
    raise ValueError(f"unrecognised handshake value {v!r}")


def walk_peers(node, ifname, out):
    """Collects peer objects from an array of peers or from interfaces holding peers."""
    if isinstance(node, list):
        for x in node:
            walk_peers(x, ifname, out)
        return
    if not isinstance(node, dict):
        return
    kf = first_field(node, KEY_FIELDS)
    if kf and isinstance(node[kf], str) and KEY_RE.match(node[kf]):
        out.append((node, ifname))
        return
    name = node.get("interface", node.get("name", ifname))
    for v in node.values():
        if isinstance(v, (list, dict)):
            walk_peers(v, name if isinstance(name, str) else ifname, out)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # One object per line is accepted too.
        return [json.loads(l) for l in text.splitlines() if l.strip()]


def json_peers(path):
    found = []
    walk_peers(load_json(path), None, found)
    peers, errors = {}, []
    for obj, parent_if in found:
        ifn = obj.get(first_field(obj, IF_FIELDS) or "", parent_if)
        key = obj[first_field(obj, KEY_FIELDS)]
        fields = {}
        for what, names in (("handshake", HS_FIELDS), ("rx", RX_FIELDS), ("tx", TX_FIELDS),
                            ("endpoint", ("endpoint",))):
            f = first_field(obj, names)
            if f is None:
                errors.append(f"{ifn} {key}: no {what} field (keys: {sorted(obj)})")
                continue
            fields[what] = obj[f]
        if "handshake" in fields:
            fields["handshake"] = handshake_seconds(fields["handshake"])
        if "endpoint" in fields:
            ep = fields["endpoint"]
            fields["endpoint"] = "" if ep in (None, "(none)") else ep
        if (ifn, key) in peers:
            errors.append(f"{ifn} {key}: listed twice")
        peers[(ifn, key)] = fields
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
            if field in got[k] and got[k][field] != v:
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
