#!/bin/bash
# SPDX-License-Identifier: MIT
# §12 the state file's directory removed while the daemon runs (issue 19 item 8): a save
# into a directory made again goes there (the path walked again, the lock retaken); while
# it is gone the failure is said once, and state_write_recovered once it is back.
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
state_dir_new
ON_RE=$(peer_re peer_online "$FAR_PUB")
OFF_RE=$(peer_re peer_offline "$FAR_PUB")

wgm_start m --interval 1 --threshold 5 --state-file "$SF"
M=${WGM_ERR[m]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 "$M" || die "no peer_initial"

# Gone: the save after peer_offline fails, said once, and retried every poll.
rm -rf "$SD"
far_down
wait_for_log "$OFF_RE" 15 "$M" || die "no peer_offline after the far side stopped"
expect_log "directory gone: state_write_failed" 'event=state_write_failed' 5 "$M"
sleep 2 # a few polls of retries while it is gone
assert_eq "$(count_re 'event=state_write_failed' "$M")" 1 "directory gone: said once"

# Back: the next retry walks the path again.
mkdir -m 0700 "$SD" || die "mkdir $SD again"
expect_log "directory back: state_write_recovered" 'event=state_write_recovered' 5 "$M"
check "directory back: the file is in the new directory" test -f "$SF"
check "directory back: so is the lock" test -f "$SF.lock"
assert_eq "$(state_peer "$SF" "$FAR_PUB" | cut -d' ' -f1)" offline "directory back: far peer saved offline"

# Removed and made again between two saves: no failure at all, the save lands in the new one.
rm -rf "$SD"
mkdir -m 0700 "$SD" || die "re-make $SD"
far_up
wait_for_log "$ON_RE" 15 "$M" || die "no peer_online after the far side came back"
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
assert_eq "$(count_re 'event=state_write_failed' "$M")" 1 "re-made at once: no second state_write_failed"
assert_eq "$(state_peer "$SF" "$FAR_PUB" | cut -d' ' -f1)" online "re-made at once: far peer saved online"
t_done
