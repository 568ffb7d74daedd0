#!/bin/bash
# SPDX-License-Identifier: MIT
# The status page at / in a real browser (SPEC §10): headless Chromium loads it from the
# daemon watching a wireguard-go tunnel whose far side has stopped; the rendered page names
# the interface and both peers, the offline one first, and has no script. A phone-sized
# screenshot is kept (WGM_ARTIFACTS, default build/, as t_metrics_page.png).
. "$(dirname "$0")/lib.sh"
t_common
CHROME=$(command -v chromium || command -v chromium-browser) ||
	skip "chromium not installed (Debian package chromium)"
ART=${WGM_ARTIFACTS:-$T_ROOT/build}
PORT=9586

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --liveness activity --threshold 3 --state-file "" \
	--metrics-listen "127.0.0.1:$PORT"
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 10 || die "the daemon does not poll"
far_down
wait_for_log "$(peer_re peer_offline "$FAR_PUB")" 20 || die "the far peer never went offline"

# chrome ARGS...: headless Chromium in the near namespace, its profile in $T_DIR.
chrome() {
	in_n timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-dev-shm-usage --user-data-dir="$T_DIR/chrome" "$@" 2>>"$T_DIR/chrome.err"
}
chrome --dump-dom "http://127.0.0.1:$PORT/" >"$T_DIR/dom.html"
check "Chromium rendered the page" grep -q '<table' "$T_DIR/dom.html"
text=$("$PY" -c '
import html, re, sys
d = open(sys.argv[1]).read()
print(html.unescape(re.sub(r"<[^>]+>", " ", d)))' "$T_DIR/dom.html")
check "the page names the interface" grep -qF "$IF_N" <<<"$text"
far_at=$(grep -n "${FAR_PUB:0:8}" <<<"$text" | head -1 | cut -d: -f1)
absent_at=$(grep -n "${ABSENT_PUB:0:8}" <<<"$text" | head -1 | cut -d: -f1)
check "both peers are listed" test -n "$far_at" -a -n "$absent_at"
offline_rows=$(grep -c '<tr class="offline">' "$T_DIR/dom.html")
assert_eq "$offline_rows" 1 "one offline row"
first_row=$(grep -o '<tr class="[a-z]*">' "$T_DIR/dom.html" | head -1)
assert_eq "$first_row" '<tr class="offline">' "the offline peer comes first"
check "the offline row is the far peer" \
	grep -qF "<tr class=\"offline\"><td>$IF_N</td><td><code>${FAR_PUB:0:8}" "$T_DIR/dom.html"
check "no script in the page" sh -c "! grep -qi '<script' '$T_DIR/dom.html'"
check "a link to /metrics" grep -qF 'href="/metrics"' "$T_DIR/dom.html"

mkdir -p "$ART"
rm -f "$ART/t_metrics_page.png"
chrome --screenshot="$ART/t_metrics_page.png" --window-size=412,915 \
	"http://127.0.0.1:$PORT/" >/dev/null
check "a phone-sized screenshot is kept ($ART/t_metrics_page.png)" \
	test -s "$ART/t_metrics_page.png"

wgm_stop m
assert_eq "$STOP_RC" 0 "SIGTERM: exit 0"
t_dump_on_fail
t_done
