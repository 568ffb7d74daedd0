#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds and runs the libFuzzer targets named after the mode: "regress" replays each
# committed corpus (tests/fuzz/corpus/NAME/) then fuzzes FUZZ_REGRESS_SECONDS; "long"
# fuzzes FUZZ_SECONDS on build-fuzz/corpus_NAME seeded from the committed corpus.
# Fails on any crash, leak or sanitizer report; SKIPPED when clang has no libFuzzer.
# regress runs libFuzzer with -seed=FUZZ_SEED (default 1, printed), so a failure in CI
# is reproducible: the same seed and corpus give the same inputs in the same order; long
# runs take a fresh random seed unless FUZZ_SEED is set.
set -eu
mode=$1
shift
cd "$(dirname "$0")/../.."

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
	>"$probe/p.c"
if ! command -v clang >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
	echo "SKIPPED: fuzz-$mode (clang with libFuzzer not available) ******************"
	exit 0
fi

${MAKE:-make} --no-print-directory -j2 fuzz-bins

seed=
if [ "$mode" = regress ] || [ -n "${FUZZ_SEED:-}" ]; then
	seed=${FUZZ_SEED:-1}
	case $seed in ''|*[!0-9]*) echo "FUZZ_SEED must be a number, not '$seed'" >&2; exit 2 ;; esac
	echo "fuzz-$mode: -seed=$seed (FUZZ_SEED=$seed to repeat it)"
fi

for name in "$@"; do
	bin=build-fuzz/fuzz_$name
	seeds=tests/fuzz/corpus/$name
	case $mode in
	regress)
		echo "fuzz-regress: $name: replaying $(ls "$seeds" | wc -l) committed inputs"
		"$bin" -artifact_prefix="build-fuzz/crash_${name}_" "$seeds"/* 2>"build-fuzz/replay_$name.log" ||
			{ cat "build-fuzz/replay_$name.log"; echo "fuzz-regress: $name: FAILED replay"; exit 1; }
		rm -rf "build-fuzz/regress_$name" && mkdir -p "build-fuzz/regress_$name"
		secs=${FUZZ_REGRESS_SECONDS:-10}
		;;
	long)
		mkdir -p "build-fuzz/corpus_$name"
		secs=${FUZZ_SECONDS:-60}
		;;
	*) echo "usage: $0 regress|long NAME..." >&2; exit 2 ;;
	esac
	out=build-fuzz/corpus_$name
	[ "$mode" = regress ] && out=build-fuzz/regress_$name
	log=build-fuzz/$mode-$name.log
	if ! "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="build-fuzz/crash_${name}_" \
	     ${seed:+-seed="$seed"} "$out" "$seeds" >"$log" 2>&1; then
		tail -n 60 "$log"
		echo "fuzz-$mode: $name: FAILED (reproducer: build-fuzz/crash_${name}_*${seed:+; FUZZ_SEED=$seed})"
		exit 1
	fi
	echo "fuzz-$mode: $name: $(grep -o 'number_of_executed_units: [0-9]*' "$log") in ${secs}s, $(grep '#[0-9]*.*DONE\|#[0-9]*.*cov:' "$log" | tail -n 1 | grep -o 'cov: [0-9]* ft: [0-9]*')"
done
echo "fuzz-$mode: every target clean"
