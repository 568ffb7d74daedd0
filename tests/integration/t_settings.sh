#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad settings stop start-up with exit 2 and one sanitized line naming the flag or variable
# (§3), for `run` and `check-config`; good ones follow default < environment < flag.
. "$(dirname "$0")/lib.sh"
t_common
ns_add "$NS_N" "$VIEW_N"

# bad NAME "ENV=..." ARGS...: exit 2, a single stderr line containing NAME (both commands).
bad_setting() {
	local name=$1 envs=$2 cmd rc lines; shift 2
	for cmd in check-config run; do
		# shellcheck disable=SC2086
		env LOG_PATH= $envs timeout 3 ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" \
			"$WGM_BIN" $cmd "$@" </dev/null >"$T_DIR/out" 2>"$T_DIR/err"
		rc=$?
		lines=$(wc -l <"$T_DIR/err")
		if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -qF -- "$name" "$T_DIR/err"; then
			ok "$cmd ${envs:+$envs }$*: exit 2, names $name"
		else
			bad "$cmd ${envs:+$envs }$*: exit $rc (want 2), $lines lines (want 1) naming '$name': $(head -n 2 "$T_DIR/err" | tr '\n' '|')"
		fi
	done
}
bad_setting CHECK_INTERVAL CHECK_INTERVAL=0
bad_setting CHECK_INTERVAL CHECK_INTERVAL=86401
bad_setting CHECK_INTERVAL CHECK_INTERVAL=5s
bad_setting --threshold "" --threshold abc
bad_setting --threshold "" --threshold 0
bad_setting --threshold "" --threshold 604801
bad_setting OFFLINE_THRESHOLD OFFLINE_THRESHOLD=-1
bad_setting --interval "" --interval
bad_setting --bogus-flag "" --bogus-flag
bad_setting --stats-interval "" --stats-interval 5
bad_setting DEBUG DEBUG=maybe
bad_setting --backend "" --backend foo
bad_setting LOG_FORMAT LOG_FORMAT=xml
bad_setting --log-max-bytes "" --log-max-bytes 4095
bad_setting --log-backups "" --log-backups 101
bad_setting --interface "" --interface bad/name
# Control bytes and backslashes in a value are escaped once on the terminal, never twice
# (a message holds raw bytes; text_complain escapes it as it prints).
bad_setting '--interval "5\x01\x5c"' "" --interval "$(printf '5\001\\')"
bad_setting '--on-change-events "peer\x1b"' "" --on-change /bin/true --on-change-events "$(printf 'peer\033')"
bad_setting '"a\x5cb:1" is not ADDR:PORT' "" --metrics-listen 'a\b:1'
bad_setting --interface "" --interface 0123456789abcdef
bad_setting --liveness "" --liveness sometimes
bad_setting POLL_TIMEOUT POLL_TIMEOUT=0
bad_setting --poll-timeout "" --poll-timeout 86401 --interval 86400
bad_setting --debug "DEBUG=1" --debug=   # empty, as for every other flag: not "off"
# A token file is read with a listener only; then check-config refuses a missing one as run
# does (without one, check-config refused what run never reads).
bad_setting METRICS_TOKEN_FILE "METRICS_LISTEN=127.0.0.1:1 METRICS_TOKEN_FILE=$T_DIR/none"
# Of several bad ones, both commands name the first that run checks: the state file, the
# log file, the listener and its token, the hook.
mkdir -m 0777 "$T_DIR/ww" && chmod 0777 "$T_DIR/ww"
BAD_TOKEN="METRICS_LISTEN=127.0.0.1:1 METRICS_TOKEN_FILE=$T_DIR/none ON_CHANGE=$T_DIR/none"
bad_setting STATE_FILE "STATE_FILE=$T_DIR/ww/state LOG_PATH=$T_DIR/ww $BAD_TOKEN"
bad_setting LOG_PATH "LOG_PATH=$T_DIR/ww $BAD_TOKEN"
bad_setting METRICS_TOKEN_FILE "$BAD_TOKEN"

# Every setting --help lists (the rows of settings_table.h), by variable and by --flag=V,
# given each hostile value: exit 2 and one stderr line naming it, control bytes escaped;
# or exit 0, nothing on stderr, and check-config showing the value exactly as given.
# test_settings_hostile says per kind which values are taken and why (and tries --flag V);
# here keywords and numbers take none (an empty variable is unset), names and paths may,
# as the start checks decide. Run in a private directory: a relative path lands there.
shown() {   # the value as wg-monitor escapes it (text.c sanitize)
	local LC_ALL=C s=$1 out= c h i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		printf -v h '%02x' "'$c"
		if [[ $c == [\ -~] && $c != '\' ]]; then out+=$c; else out+="\\x${h: -2}"; fi
	done
	printf '%s' "$out"
}
mapfile -t ROWS < <(timeout 3 "$WGM_BIN" --help | awk '
	/^  --[a-z]/ { flag = $1; meta = $2 ~ /^[A-Z:]+$/ ? $2 : "-" }
	{ for (i = 1; i < NF; i++) if (flag != "" && $i ~ /^[A-Z_]+,$/ && $(i + 1) == "default") {
		v = $i; sub(/,$/, "", v); f = flag; sub(/\[=BOOL\]$/, "", f); print v, f, meta; flag = "" } }')
n_vars=$(env -i LOG_PATH= timeout 3 "$WGM_BIN" check-config 2>/dev/null | grep -cE '^[A-Z_]+=')
check "hostile values: --help lists every setting check-config shows (${#ROWS[@]} of $n_vars)" \
	test "${#ROWS[@]}" = "$n_vars" -a "$n_vars" -gt 20
HOSTILE=("" -1 99999999999999999999 5x $'\xef\xbc\x95' $'\xc3\xa9' $'\x01' $'5\n' $'\e[2J'
	"$(head -c 65536 /dev/zero | tr '\0' 5)")
mkdir -m 0700 "$T_DIR/cwd"
for row in "${ROWS[@]}"; do unset "${row%% *}"; done   # none from the caller
# hostile_case VAR NAME META VALUE ENV ARGS...: one check-config run, judged with builtins
# only, and no timeout or env process (480 runs, on 2 cores: run.sh's limit catches a
# hang); a value refused at start, not when parsed, is given to run too (in the empty
# namespace, with a timeout: a run that took it would keep running). Sets why to what is
# wrong, empty when right.
hostile_case() {
	local LC_ALL=C var=$1 name=$2 meta=$3 v=$4 env=$5 rc line origin out err; shift 5
	(cd "$T_DIR/cwd" && export LOG_PATH= "$env" && exec "$WGM_BIN" check-config "$@" \
		</dev/null >"$T_DIR/h.out" 2>"$T_DIR/h.err")
	rc=$? why=
	mapfile -t err <"$T_DIR/h.err"
	if [ "$rc" = 2 ]; then
		[ "${#err[@]}" = 1 ] || why+=" ${#err[@]} lines;"
		[[ ${err[0]} == *"$name"* ]] || why+=" does not name $name;"
		[[ ! ${err[*]} =~ [^\ -~] ]] || why+=" a raw control or non-ASCII byte;"
		[[ $v != *[$'\x01'-$'\x1f']* || ${err[0]} == *"\"$(shown "$v")\""* ]] ||
			why+=" the value not quoted escaped;"
		# Refused at start, not when parsed: run must refuse it with the same line.
		[[ ${err[0]} != "wg-monitor: invalid $name \""* ]] || return
		(cd "$T_DIR/cwd" && export LOG_PATH= "$env" && exec timeout 5 ip netns exec "$NS_N" \
			/bin/sh -c "$NS_VIEW_SH" "$VIEW_N" "$WGM_BIN" run "$@" </dev/null >/dev/null \
			2>"$T_DIR/h.run")
		rc=$?
		mapfile -t out <"$T_DIR/h.run"
		[[ $rc == 2 && ${#out[@]} == 1 && ${out[0]} == "${err[0]}" ]] ||
			why+=" run: exit $rc, '${out[*]:0:3}' (check-config: '${err[0]}');"
		hostile_run=$((hostile_run + 1))
		return
	fi
	[ "$rc" = 0 ] || { why="exit $rc"; return; }
	[ "${#err[@]}" = 0 ] || why+=" exit 0 but stderr: ${err[0]:0:200};"
	mapfile -t out <"$T_DIR/h.out"
	for line in "${out[@]}"; do [[ $line != "$var="* ]] || break; done
	origin=${line##*origin: }
	[[ -n $v || $name != "$var" || $origin != "default)" ]] || return   # "" is unset
	case $meta in PATH|FILE|DIR|PROGRAM|ADDR:PORT|IF) ;; *) why+=" taken: $line"; return;; esac
	line=${line%%  (*}
	line=${line%"${line##*[! ]}"}
	[ "$line" = "$var=$(shown "$v")" ] || why+=" shown as '$line';"
	[[ $origin == "environment)" || $origin == "flag $name)" ]] || why+=" origin $origin;"
}
hostile_total=0 hostile_run=0
for row in "${ROWS[@]}"; do
	read -r var flag meta <<<"$row"
	fails=
	for v in "${HOSTILE[@]}"; do
		hostile_case "$var" "$var" "$meta" "$v" "$var=$v"
		[ -z "$why" ] || fails+=" [$var='$(shown "${v:0:20}")':$why]"
		hostile_case "$var" "$flag" "$meta" "$v" "UNRELATED=" "$flag=$v"
		[ -z "$why" ] || fails+=" [$flag='$(shown "${v:0:20}")':$why]"
		hostile_total=$((hostile_total + 2))
	done
	if [ -z "$fails" ]; then ok "hostile values: $var / $flag"; else bad "hostile values: $var / $flag:$fails"; fi
done
check "hostile values: $hostile_total cases run, $hostile_run refused at start also by run" \
	test "$hostile_total" = $((${#ROWS[@]} * ${#HOSTILE[@]} * 2)) -a "$hostile_run" -ge 10

# check-config tries what run does: as a user who may not create the default log file
# (/var/log/wg_monitor.log), both refuse it, with the same line (check-config accepted it).
if command -v setpriv >/dev/null; then
	for cmd in check-config run; do
		(cd / && env -u LOG_PATH -u STATE_FILE timeout 3 setpriv --reuid=65534 --regid=65534 \
			--clear-groups "$WGM_BIN" $cmd </dev/null >/dev/null 2>"$T_DIR/$cmd.err")
		echo "$?" >"$T_DIR/$cmd.rc"
	done
	check "unwritable default log: check-config exit 2 like run ($(cat "$T_DIR/check-config.rc"), $(cat "$T_DIR/run.rc"))" \
		test "$(cat "$T_DIR/check-config.rc")" = 2 -a "$(cat "$T_DIR/run.rc")" = 2
	check "unwritable default log: the same line from both" cmp -s "$T_DIR/check-config.err" "$T_DIR/run.err"
	check "unwritable default log: the line names it" grep -qF 'cannot open log file "/var/log/wg_monitor.log"' "$T_DIR/check-config.err"
fi

# A poll timeout given above the interval is kept: a slow poll overruns into the next.
out=$(env LOG_PATH= timeout 3 "$WGM_BIN" check-config --interval 5 --poll-timeout 6 2>&1)
check "--poll-timeout above --interval is kept" grep -qE '^POLL_TIMEOUT=6 +\(origin: flag --poll-timeout\)$' <<<"$out"

# The bad value is echoed sanitized: no escape byte reaches the terminal.
env LOG_PATH= CHECK_INTERVAL=$'7\e[31mred\n' timeout 3 "$WGM_BIN" check-config >/dev/null 2>"$T_DIR/err"
rc=$?
assert_eq "$rc" 2 "control bytes in a value: exit 2"
check "control bytes in a value: not echoed raw" test "$(tr -d '\n' <"$T_DIR/err" | LC_ALL=C grep -c $'\e')" = 0
assert_eq "$(wc -l <"$T_DIR/err")" 1 "control bytes in a value: one line"
timeout 3 "$WGM_BIN" check-config --threshold abc >/dev/null 2>"$T_DIR/err"
check "the bad value is named in the message" grep -qF abc "$T_DIR/err"

# Precedence: default < environment < flag, as check-config prints it.
out=$(env LOG_PATH= CHECK_INTERVAL=5 OFFLINE_THRESHOLD=77 timeout 3 "$WGM_BIN" check-config --interval 9 2>&1)
rc=$?
assert_eq "$rc" 0 "check-config with good settings: exit 0"
check "flag beats environment (interval 9)" grep -qiE '^(CHECK_INTERVAL|interval)[=: ]+9([^0-9]|$)' <<<"$out"
check "environment beats default (threshold 77)" grep -qiE '^(OFFLINE_THRESHOLD|threshold)[=: ]+77([^0-9]|$)' <<<"$out"
out=$(env LOG_PATH= timeout 3 "$WGM_BIN" check-config 2>&1)
check "default threshold 180" grep -qiE '^(OFFLINE_THRESHOLD|threshold)[=: ]+180([^0-9]|$)' <<<"$out"
check "POLL_TIMEOUT defaults to 10 at the default interval" grep -qE '^POLL_TIMEOUT=10 +\(origin: default\)$' <<<"$out"
out=$(env LOG_PATH= CHECK_INTERVAL=4 timeout 3 "$WGM_BIN" check-config 2>&1)
check "POLL_TIMEOUT follows a shorter interval (4)" grep -qE '^POLL_TIMEOUT=4 +\(origin: default\)$' <<<"$out"
out=$(env LOG_PATH= POLL_TIMEOUT=3 timeout 3 "$WGM_BIN" check-config --poll-timeout 7 2>&1)
check "--poll-timeout beats POLL_TIMEOUT" grep -qE '^POLL_TIMEOUT=7 +\(origin: flag --poll-timeout\)$' <<<"$out"
timeout 3 "$WGM_BIN" --help >"$T_DIR/out" 2>&1
rc=$?
check "--help: exit 0 with usage on stdout ($rc)" test "$rc" = 0 -a -s "$T_DIR/out"
timeout 3 "$WGM_BIN" --version >"$T_DIR/out" 2>/dev/null
rc=$?
check "--version: exit 0 ($rc)" test "$rc" = 0 -a -s "$T_DIR/out"
t_done
