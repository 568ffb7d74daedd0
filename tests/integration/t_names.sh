#!/bin/bash
# SPDX-License-Identifier: MIT
# Peer names (SPEC §9): from a names file and from a wg-quick config in each convention,
# in the text and JSON logs and in status (table and JSON); hostile names that cannot
# break a line; bad lines reported with file:line; SIGHUP with a changed name gives
# peer_renamed; the config's private and preshared keys never appear in any output nor
# in the daemon's memory after the read.
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
NEAR_PRIV=$(cat "$T_DIR/n.key")
PSK=$(wg genpsk)
declare -A WANT=()
K_UI=$(randkey); K_EASY=$(randkey); K_ANG=$(randkey); K_NYR=$(randkey)
K_IN=$(randkey); K_FR=$(randkey); K_META=$(randkey); K_BOTH=$(randkey); K_HOST=$(randkey)
i=60
for k in "$K_UI" "$K_EASY" "$K_ANG" "$K_NYR" "$K_IN" "$K_FR" "$K_META" "$K_BOTH" "$K_HOST"; do
	in_n wg set "$IF_N" peer "$k" allowed-ips "10.78.0.$i/32" || die "wg set $k"
	i=$((i + 1))
done

# The config: every convention, names above [Peer] after another peer's lines (where
# prometheus_wireguard_exporter attaches them to the peer before), and the secrets.
mkdir -m 0700 "$T_DIR/conf"
cat >"$T_DIR/conf/$IF_N.conf" <<EOF
[Interface]
PrivateKey = $NEAR_PRIV
ListenPort = $PORT_N

# ID:       c1
# Name:     ui-name
# Email:    a@example.org
[Peer]
PublicKey = $K_UI
PresharedKey = $PSK
AllowedIPs = 10.78.0.60/32

# Client: easy-name (8d1c-44)
[Peer]
PublicKey = $K_EASY
AllowedIPs = 10.78.0.61/32
### Client angristan-name
[Peer]
PublicKey = $K_ANG
AllowedIPs = 10.78.0.62/32

# BEGIN_PEER nyr-name
[Peer]
PublicKey = $K_NYR
AllowedIPs = 10.78.0.63/32
# END_PEER nyr-name

[Peer]
# Name = inside-name
PublicKey = $K_IN
[Peer]
PublicKey = $K_FR
# friendly_name = friendly-name
[Peer]
#+Name = meta-name
PublicKey = $K_META
# Name: config-loses
[Peer]
PublicKey = $K_BOTH
[Peer]
PublicKey = not-a-key
EOF
# A hostile name in the config: an escape sequence, a CR, a bidi override, a quote, an
# injected key=value and a backslash.
printf '[Peer]\nPublicKey = %s\n# Name = \033[31mre\rd\342\200\256" state=online \\ x\n' \
	"$K_HOST" >>"$T_DIR/conf/$IF_N.conf"
WANT[$K_UI]=ui-name; WANT[$K_EASY]=easy-name; WANT[$K_ANG]=angristan-name
WANT[$K_NYR]=nyr-name; WANT[$K_IN]=inside-name; WANT[$K_FR]=friendly-name
WANT[$K_META]=meta-name; WANT[$K_BOTH]=file-wins; WANT[$FAR_PUB]=far-one

# The names file: two good lines, then hostile ones. ABSENT_PUB's name tries to inject
# fields; a 1 MiB line, an invalid key, a CR, a NUL, escapes and bidi overrides.
NAMES=$T_DIR/names
write_names() {
	{
		printf '# peers by name\n\n%s %s\n%s file-wins\r\n' "$FAR_PUB" "$1" "$K_BOTH"
		printf '%s x" state=online peer=%s name=\\"evil\033[2J\342\200\256 }{"event":1\n' \
			"$ABSENT_PUB" "$FAR_PUB"
		printf 'AAAA bad-key\n'
		head -c 1048576 /dev/zero | tr '\0' 'x'
		printf '\n%s nul\0name\n' "$FAR_PUB"
	} >"$NAMES.new" && mv "$NAMES.new" "$NAMES"
}
write_names far-one
CONF_BAD=$(grep -n 'not-a-key' "$T_DIR/conf/$IF_N.conf" | cut -d: -f1)

wgm_start m --interval 1 --threshold 60 --names "$NAMES" --wg-config-dir "$T_DIR/conf"
wgm_start j --interval 1 --threshold 60 --names "$NAMES" --wg-config-dir "$T_DIR/conf" \
	--log-format json
wait_for_count 'event=peer_initial' 11 10 || die "not every peer_initial (text)"
wait_for_count '"event":"peer_initial"' 11 10 "${WGM_ERR[j]}" || die "not every peer_initial (json)"

# Every line parses: text key=value (values bare or quoted), JSON one object; prints
# "<peer> <name> <state> <keys>" for each peer_initial, keys that occur twice flagged.
cat >"$T_DIR/lines.py" <<'EOF'
import json, re, sys
fmt, path = sys.argv[1], sys.argv[2]
tok = re.compile(r' ([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "]*)')
for n, raw in enumerate(open(path, "rb").read().split(b"\n")[:-1], 1):
    if any(b < 0x20 or b >= 0x7f for b in raw):
        sys.exit("line %d: a raw control or non-ASCII byte" % n)
    line = raw.decode("ascii")
    if fmt == "json":
        pairs = json.loads(line, object_pairs_hook=lambda p: p)
    else:
        head = re.match(r'[0-9TZ:.-]+ (DEBUG|INFO|WARNING|ERROR)', line)
        if not head:
            sys.exit("line %d: no time and level: %r" % (n, line))
        pos, pairs = head.end(), []
        while pos < len(line):
            m = tok.match(line, pos)
            if not m:
                sys.exit("line %d: does not parse at %d: %r" % (n, pos, line))
            v = m.group(2)
            if v.startswith('"'):
                v = re.sub(r'\\(.)', r'\1', v[1:-1])
            pairs.append((m.group(1), v))
            pos = m.end()
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        sys.exit("line %d: a key twice: %r" % (n, line))
    d = dict(pairs)
    if d.get("event") == "peer_initial":
        print(d["peer"], d["name"], d["state"])
EOF
for m in m j; do
	f=text; [ "$m" = j ] && f=json
	"$PY" "$T_DIR/lines.py" "$f" "${WGM_ERR[$m]}" >"$T_DIR/$m.initial" 2>"$T_DIR/$m.bad"
	assert_eq "$?:$(cat "$T_DIR/$m.bad")" "0:" "every $f log line parses, no key twice"
	for k in "${!WANT[@]}"; do
		assert_eq "$(awk -v k="$k" '$1 == k {print $2}' "$T_DIR/$m.initial")" "${WANT[$k]}" \
			"$f: peer_initial names ${k:0:8} ${WANT[$k]}"
	done
	assert_eq "$(awk -v k="$ABSENT_PUB" '$1 == k {print $NF}' "$T_DIR/$m.initial")" never \
		"$f: the injected state=online is inside the name, the state stays never"
done
check "the hostile name kept its words, escaped" grep -qE \
	"$(peer_re peer_initial "$ABSENT_PUB")"'.* name="x\\" state=online peer=' "${WGM_ERR[m]}"
check "no escape byte in any log" test "$(cat "${WGM_ERR[@]}" | tr -d -c '\033\r' | wc -c)" = 0

# The daemon's memory once the config was read: no private or preshared key (the read
# buffer was zeroed), while a name from the same file is there (the check can see).
# A third daemon that polls once in the window: no later poll reuses the freed buffer.
wgm_start c --interval 60 --threshold 60 --names "$NAMES" --wg-config-dir "$T_DIR/conf"
wait_for_count 'event=peer_initial' 11 10 "${WGM_ERR[c]}" || die "no peer_initial (c)"
PID_M=${WGM_PID[c]}
if ! command -v gcore >/dev/null; then
	log_note "SKIPPED: the memory check (no gcore; tests/deps.sh installs gdb)"
elif grep -q asan "/proc/$PID_M/maps"; then
	log_note "SKIPPED: the memory check (an ASan build: its shadow memory is too big to dump)"
else
	gcore -o "$T_DIR/core" "$PID_M" >/dev/null 2>&1 || die "gcore"
	check "the core holds a config name (the check can see)" grep -qaF angristan-name "$T_DIR/core.$PID_M"
	# Any 16 characters of a key: a buffer freed unzeroed is partly reused, not all.
	slices=()
	for o in 0 7 14 21 28; do slices+=(-e "${NEAR_PRIV:o:16}" -e "${PSK:o:16}"); done
	assert_eq "$(grep -caF "${slices[@]}" "$T_DIR/core.$PID_M")" 0 \
		"no piece of the config's keys is in the daemon's memory"
	rm -f "$T_DIR/core.$PID_M"
fi
wgm_stop c

E=${WGM_ERR[m]}
expect_log "the bad key is reported with file:line" "event=names_warning .*$NAMES:6: not a public key" 2
expect_log "the 1 MiB line is one warning" "event=names_warning .*$NAMES:7: not a public key" 2
expect_log "the duplicate is reported" "event=names_warning .*$NAMES:8: this public key was named before" 2
expect_log "the config's bad PublicKey is reported" \
	"event=names_warning .*$IF_N\\.conf:$CONF_BAD: PublicKey is not a public key" 2
assert_eq "$(count_re 'event=names_warning' "$E")" 4 "one warning per bad line, nothing else"

# status, table and JSON, with the same names.
in_n "$WGM_BIN" status --state-file "" --names "$NAMES" --wg-config-dir "$T_DIR/conf" \
	>"$T_DIR/status.txt" 2>"$T_DIR/status.err"
assert_eq "$?" 0 "status exits 0"
for k in "${!WANT[@]}"; do
	check "status table: ${WANT[$k]}" grep -qE "^$IF_N +$(printf '%s' "$k" | sed 's/+/[+]/g') +${WANT[$k]} " \
		"$T_DIR/status.txt"
done
in_n "$WGM_BIN" status --json --state-file "" --names "$NAMES" --wg-config-dir "$T_DIR/conf" \
	>"$T_DIR/status.json" 2>>"$T_DIR/status.err"
"$PY" - "$T_DIR/status.json" >"$T_DIR/status.names" <<'EOF'
import json, sys
for p in json.load(open(sys.argv[1])):
    print(p["public_key"], p["name"].split(" ")[0], p["state"])
EOF
assert_eq "$?" 0 "status --json is valid JSON"
for k in "${!WANT[@]}"; do
	assert_eq "$(awk -v k="$k" '$1 == k {print $2}' "$T_DIR/status.names")" "${WANT[$k]}" \
		"status --json: ${WANT[$k]}"
done
"$PY" - "$T_DIR/status.json" "$K_HOST" >"$T_DIR/status.host" <<'EOF'
import json, sys
print([p["name"] for p in json.load(open(sys.argv[1])) if p["public_key"] == sys.argv[2]][0])
EOF
assert_eq "$(cat "$T_DIR/status.host")" '[31mred" state=online \x5c x' \
	"status --json: a hostile config name, cleaned and escaped"
check "status says the bad lines on stderr" grep -q "$NAMES:6: not a public key" "$T_DIR/status.err"

# SIGHUP: a changed name is peer_renamed, an unchanged one says nothing.
write_names far-two
kill -HUP "${WGM_PID[m]}"
expect_log "SIGHUP: peer_renamed with the new and old name" \
	"$(peer_re peer_renamed "$FAR_PUB") name=far-two old_name=far-one " 5
sleep 1.5
assert_eq "$(count_re 'event=peer_renamed' "$E")" 1 "only the changed name is renamed"

wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM (text)"
wgm_stop j
assert_eq "$STOP_RC" 0 "exit status after SIGTERM (json)"
leak=0
for f in "$T_DIR"/*.stderr "$T_DIR"/*.log "$T_DIR"/*.stdout "$T_DIR"/status.*; do
	[ -f "$f" ] || continue
	if grep -qF -e "$NEAR_PRIV" -e "$PSK" "$f"; then leak=1; log_note "a secret in $f"; fi
done
assert_eq "$leak" 0 "the config's private and preshared keys appear in no output"
t_done
