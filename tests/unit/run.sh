#!/bin/sh
# Runs every unit-test binary given, prints each summary and a total; fails if any failed.
total=0; failed=0; bad=""; nbin=$#
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^FAIL|^SKIPPED|checks, [0-9]+ failed$' || true
	line=$(printf '%s\n' "$out" | grep -E 'checks, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		echo "ERROR: $t printed no summary (crashed? exit $rc)"
		printf '%s\n' "$out" | tail -n 20; bad="$bad $t"; continue
	fi
	c=$(printf '%s' "$line" | sed 's/.*: \([0-9]*\) checks, .*/\1/')
	f=$(printf '%s' "$line" | sed 's/.* checks, \([0-9]*\) failed$/\1/')
	total=$((total + c)); failed=$((failed + f))
	[ "$rc" -eq 0 ] || bad="$bad $t"
done
echo "unit tests: $total checks, $failed failed, in $nbin binaries"
[ -z "$bad" ] || { echo "unit tests FAILED:$bad"; exit 1; }
