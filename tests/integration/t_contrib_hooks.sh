#!/bin/bash
# SPDX-License-Identifier: MIT
# The example hooks of contrib/hooks/ against local stand-ins: a python3 HTTP server on
# loopback records what ntfy, the JSON webhook and Telegram would receive, and a fake
# sendmail (standing for the MTA) what mail would be sent. Each runs as wg-monitor runs it:
# no arguments, an environment of PATH and WG_MONITOR_* only; each secret comes from its
# file and shows on no command line.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "needs curl"
command -v "$PY" >/dev/null || skip "needs python3"
SRC="$T_ROOT/contrib/hooks"

# The stand-in: every request as one JSON line (method, path, headers, body) in $REQS.
REQS="$T_DIR/requests"
"$PY" - "$T_DIR/port" "$REQS" <<'EOF' &
import http.server, json, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        time.sleep(0.3)  # a round trip long enough for the command-line watch to see curl
        n = int(self.headers.get("Content-Length", 0))
        rec = {"method": "POST", "path": self.path, "headers": dict(self.headers),
               "body": self.rfile.read(n).decode("utf-8")}
        with open(sys.argv[2], "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_port))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
EOF
T_PIDS+=("$!")
for i in $(seq 50); do [ -s "$T_DIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$T_DIR/port") || die "no stand-in server"
BASE="http://127.0.0.1:$PORT"
SECRET="s3cr3t-$T_ID-token"
printf '%s\n' "$SECRET" >"$T_DIR/token"

PUB=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
ALICE='Alice'\''s "phone"'
# run_hook FILE EVENT: FILE as wg-monitor runs it, for peer $HOOK_NAME or "Alice's \"phone\"".
run_hook() {
	env -i PATH=/usr/bin:/usr/sbin:/bin:/sbin WG_MONITOR_EVENT="$2" WG_MONITOR_INTERFACE=wg0 \
		WG_MONITOR_PEER="$PUB" WG_MONITOR_NAME="${HOOK_NAME-$ALICE}" \
		WG_MONITOR_ENDPOINT=192.0.2.7:51820 WG_MONITOR_STATE="${2#peer_}" \
		WG_MONITOR_LAST_HANDSHAKE=2026-12-02T08:00:00Z WG_MONITOR_LAST_HEARD=1796198400 \
		WG_MONITOR_HANDSHAKE_AGE=190 WG_MONITOR_OFFLINE_FOR="$([ "$2" = peer_online ] && echo 75)" \
		WG_MONITOR_SESSION_SECONDS= WG_MONITOR_SESSION_RX_BYTES= WG_MONITOR_SESSION_TX_BYTES= \
		WG_MONITOR_SEQ=1 "$1" 2>"$T_DIR/hook.err"
}
# install NAME SED...: the example with its settings edited, as an administrator would.
install_hook() {
	local name=$1; shift
	sed "$@" "$SRC/$name" >"$T_DIR/$name" && chmod 0755 "$T_DIR/$name"
}
# req N EXPR: a Python expression over request N (r: method, path, headers, body).
req() { "$PY" -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]) - 1]
print(eval(sys.argv[3]))' "$REQS" "$1" "$2"; }

# A secret must never be an argument of a process: watch every process's command line
# while the hooks run (curl's stays alive for a round trip; the stand-in answers at once,
# so this is a best effort on top of reading the scripts: they pass secrets on stdin).
: >"$T_DIR/cmdlines"
touch "$T_DIR/watch"
( while [ -e "$T_DIR/watch" ]; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' \
	>>"$T_DIR/cmdlines"; sleep 0.05; done ) &
WATCH=$!

# ---- ntfy
install_hook ntfy -e "s|^NTFY_URL=.*|NTFY_URL=$BASE/alerts|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=$T_DIR/token|"
run_hook "$T_DIR/ntfy" peer_offline
assert_eq "$?" 0 "ntfy: exit 0"
assert_eq "$(req 1 'r["path"]')" /alerts "ntfy: POST to the topic"
assert_eq "$(req 1 'r["headers"]["Authorization"]')" "Bearer $SECRET" "ntfy: the token from its file"
assert_eq "$(req 1 'r["headers"]["Title"]')" "Alice's \"phone\" is offline" "ntfy: Title"
assert_eq "$(req 1 'r["headers"]["Priority"] + " " + r["headers"]["Tags"]')" "high red_circle" \
	"ntfy: Priority and Tags"
check "ntfy: the body names the interface" grep -q '(wg0) went offline' <<<"$(req 1 'r["body"]')"

# ---- webhook: firing, then resolved, valid JSON with the name's quotes escaped
install_hook webhook -e "s|^WEBHOOK_URL=.*|WEBHOOK_URL=$BASE/hook|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=$T_DIR/token|"
run_hook "$T_DIR/webhook" peer_offline && run_hook "$T_DIR/webhook" peer_online
assert_eq "$?" 0 "webhook: exit 0 twice"
assert_eq "$(req 2 'json.loads(r["body"])["status"]')" firing "webhook: offline is firing"
assert_eq "$(req 3 'json.loads(r["body"])["status"]')" resolved "webhook: online is resolved"
assert_eq "$(req 2 'json.loads(r["body"])["alerts"][0]["labels"]["name"]')" "Alice's \"phone\"" \
	"webhook: the name survives as a JSON string"
assert_eq "$(req 2 'json.loads(r["body"])["alerts"][0]["labels"]["peer"]')" "$PUB" "webhook: peer label"
assert_eq "$(req 3 '"endsAt" in json.loads(r["body"])["alerts"][0]')" True "webhook: resolved has endsAt"
assert_eq "$(req 2 'r["headers"]["Authorization"] + " " + r["headers"]["Content-Type"]')" \
	"Bearer $SECRET application/json" "webhook: token and content type"

# ---- telegram: the token in the URL's path, given to curl as a config on stdin
install_hook telegram -e "s|^API=.*|API=$BASE|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=$T_DIR/token|" \
	-e "s|^CHAT_ID=.*|CHAT_ID=4242|"
run_hook "$T_DIR/telegram" peer_online
assert_eq "$?" 0 "telegram: exit 0"
assert_eq "$(req 4 'r["path"]')" "/bot$SECRET/sendMessage" "telegram: the bot API path with the token"
assert_eq "$(req 4 'urllib.parse.parse_qs(r["body"])["chat_id"][0]' 2>/dev/null ||
	"$PY" -c 'import json, sys, urllib.parse
r = [json.loads(l) for l in open(sys.argv[1])][3]
print(urllib.parse.parse_qs(r["body"])["chat_id"][0])' "$REQS")" 4242 "telegram: chat_id"
check "telegram: the text says who is back" "$PY" -c 'import json, sys, urllib.parse
r = [json.loads(l) for l in open(sys.argv[1])][3]
t = urllib.parse.parse_qs(r["body"])["text"][0]
sys.exit(0 if "Alice'"'"'s \"phone\" (wg0) is back online after 75 s" in t else 1)' "$REQS"

# ---- e-mail through a fake sendmail (it stands for the MTA)
cat >"$T_DIR/sendmail" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >"$T_DIR/mail.args"
cat >"$T_DIR/mail.txt"
EOF
chmod 0755 "$T_DIR/sendmail"
printf 'ops@example.net, oncall@example.net\n' >"$T_DIR/mail.to"
install_hook email -e "s|^TO_FILE=.*|TO_FILE=$T_DIR/mail.to|" -e "s|^SENDMAIL=.*|SENDMAIL=$T_DIR/sendmail|"
run_hook "$T_DIR/email" peer_offline
assert_eq "$?" 0 "email: exit 0"
assert_eq "$(cat "$T_DIR/mail.args")" "-oi -t" "email: sendmail -oi -t (recipients from the headers)"
check "email: To from its file" grep -qx 'To: ops@example.net, oncall@example.net' "$T_DIR/mail.txt"
check "email: Subject" grep -qx "Subject: WireGuard: Alice's \"phone\" is offline" "$T_DIR/mail.txt"
check "email: the peer in the body" grep -q "^Peer: *$PUB\$" "$T_DIR/mail.txt"

# ---- a missing secret file is a failure with a message, not a silent success
install_hook ntfy -e "s|^NTFY_URL=.*|NTFY_URL=$BASE/alerts|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=$T_DIR/nothere|"
run_hook "$T_DIR/ntfy" peer_offline
check "a missing token file fails the hook" test $? != 0
check "... with a message on stderr" test -s "$T_DIR/hook.err"
# ---- the stand-in refusing: the hook fails (curl -f), so wg-monitor logs hook_failed
install_hook ntfy -e "s|^NTFY_URL=.*|NTFY_URL=http://127.0.0.1:1/alerts|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=|"
run_hook "$T_DIR/ntfy" peer_offline
check "an unreachable server fails the hook" test $? != 0
# ---- a name that starts with @ is text: curl must not read the file it names
install_hook ntfy -e "s|^NTFY_URL=.*|NTFY_URL=$BASE/alerts|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=|"
HOOK_NAME="@$T_DIR/token" run_hook "$T_DIR/ntfy" peer_offline
assert_eq "$?" 0 "ntfy, a name starting with @: exit 0"
assert_eq "$(req 5 'r["body"].split(" ")[0]')" "@$T_DIR/token" "ntfy: the @name sent as text"
check "ntfy: not the file it names" "$PY" -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][4]
sys.exit(1 if open(sys.argv[2]).read().strip() in r["body"] else 0)' "$REQS" "$T_DIR/token"
install_hook webhook -e "s|^WEBHOOK_URL=.*|WEBHOOK_URL=$BASE/hook|" -e "s|^TOKEN_FILE=.*|TOKEN_FILE=|"
HOOK_NAME="@$T_DIR/token" run_hook "$T_DIR/webhook" peer_offline
assert_eq "$(req 6 'json.loads(r["body"])["alerts"][0]["labels"]["name"]')" "@$T_DIR/token" \
	"webhook: the @name sent as text"

rm -f "$T_DIR/watch"
wait "$WATCH"
check "no secret on any command line seen" bash -c "! grep -qF -- '$SECRET' '$T_DIR/cmdlines'"
check "the watch saw the hooks' curl" grep -q 'curl -fsS' "$T_DIR/cmdlines"
t_done
