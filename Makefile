# SPDX-License-Identifier: MIT
# wg-monitor build. `make`, `make check`, `make install PREFIX=... DESTDIR=...`.

VERSION  ?= 0.1.0
CC       ?= cc
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share/wg-monitor
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DEFAULTDIR ?= /etc/default
DESTDIR  ?=

WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wundef -Werror
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(WARN) $(HARDEN) -D_GNU_SOURCE -DWG_MONITOR_VERSION='"$(VERSION)"' \
             -Isrc $(CFLAGS)
LDHARDEN = -pie -Wl,-z,relro,-z,now
ALL_LDFLAGS = $(LDHARDEN) $(LDFLAGS)

BUILD   ?= build
SRCS     = $(sort $(wildcard src/*.c))
OBJS     = $(SRCS:src/%.c=$(BUILD)/%.o)
LIBOBJS  = $(filter-out $(BUILD)/main.o,$(OBJS))
TESTSRCS = $(sort $(wildcard tests/unit/test_*.c))
TESTBINS = $(TESTSRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean install uninstall check unit sanitize clang analyse man-lint units-check integration integration-asan vm-test vm-service deps soak fuzz demo bench bench-netlink bench-parse
all: wg-monitor

wg-monitor: $(BUILD)/wg-monitor
	cp $< $@

$(BUILD)/wg-monitor: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(ALL_LDFLAGS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Tests link an archive, so a test pulls in only the modules it uses.
$(BUILD)/libwgm.a: $(LIBOBJS)
	rm -f $@; $(AR) rcs $@ $(LIBOBJS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libwgm.a $(wildcard tests/unit/*.h) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libwgm.a $(ALL_LDFLAGS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

unit: $(TESTBINS)
	@tests/unit/run.sh $(TESTBINS)

# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	        HARDEN="-fPIE" unit build-asan/wg-monitor

# The same tree must build warning-free with clang too (skipped when clang is absent).
clang:
	@if command -v clang >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory BUILD=build-clang CC=clang build-clang/wg-monitor; \
	else echo "SKIPPED: clang build (clang not installed)"; fi

# Static analysers over src/*.c (issue 19), each finding fails: gcc -fanalyzer (-Werror),
# clang-tidy with the checks in .clang-tidy, cppcheck. A false positive is suppressed at its
# line with a reason (NOLINT(check): why / cppcheck-suppress id). A stamp per file and tool
# (any header or .clang-tidy change redoes all); two at a time; a missing tool is SKIPPED.
# cppcheck's readdirCalled is off: readdir_r is deprecated, readdir is safe single-threaded.
CLANG_TIDY ?= $(shell command -v clang-tidy || command -v clang-tidy-14)
ANALYSE_DEFS = -D_GNU_SOURCE -DWG_MONITOR_VERSION='"$(VERSION)"' -Isrc
ANALYSE_DIR  = $(BUILD)/analyse
ANALYSE_DEPS = $(wildcard src/*.h) Makefile | $(ANALYSE_DIR)

$(ANALYSE_DIR):
	mkdir -p $@

$(ANALYSE_DIR)/%.fanalyzer: src/%.c $(ANALYSE_DEPS)
	@echo "gcc -fanalyzer $<"
	@gcc $(WARN) $(HARDEN) $(ANALYSE_DEFS) -O2 -fanalyzer -c -o /dev/null $< && touch $@

$(ANALYSE_DIR)/%.tidy: src/%.c .clang-tidy $(ANALYSE_DEPS)
	@echo "clang-tidy $<"
	@# stderr only counts the compiler warnings it hid ("N warnings generated"): shown on failure
	@$(CLANG_TIDY) --quiet $< -- -std=c11 $(ANALYSE_DEFS) 2>$@.err && touch $@ || \
		{ cat $@.err >&2; exit 1; }

analyse:
	@if gcc -fanalyzer -x c -c -o /dev/null /dev/null 2>/dev/null; then \
		$(MAKE) -s --no-print-directory -j2 $(SRCS:src/%.c=$(ANALYSE_DIR)/%.fanalyzer) || exit 1; \
		echo "analyse: gcc -fanalyzer clean"; \
	else echo "SKIPPED: gcc -fanalyzer (no gcc >= 10)"; fi
	@if [ -n "$(CLANG_TIDY)" ]; then \
		$(MAKE) -s --no-print-directory -j2 $(SRCS:src/%.c=$(ANALYSE_DIR)/%.tidy) || exit 1; \
		echo "analyse: clang-tidy clean (.clang-tidy)"; \
	else echo "SKIPPED: clang-tidy (not installed)"; fi
	@if command -v cppcheck >/dev/null 2>&1; then \
		cppcheck --std=c11 --library=posix --enable=warning,performance,portability \
			--error-exitcode=1 --inline-suppr --suppress=readdirCalled --quiet -j2 \
			$(ANALYSE_DEFS) $(SRCS) || exit 1; \
		echo "analyse: cppcheck clean"; \
	else echo "SKIPPED: cppcheck (not installed)"; fi

# The man page must render without a single groff warning.
man-lint:
	@if command -v groff >/dev/null 2>&1; then \
		out=$$(groff -mandoc -ww -z man/wg-monitor.8 2>&1); \
		if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; echo "man page: groff -ww clean"; \
	else echo "SKIPPED: man page lint (groff not installed)"; fi

# The systemd units: verify clean, nothing newer than systemd 252, exposure <= 2.0 each,
# and a line in wg-monitor.default for every setting (skipped without systemd-analyze).
units-check: wg-monitor
	@tests/units_check.sh $(CURDIR)/wg-monitor

# Two userspace WireGuard peers in namespaces of its own, watched in the foreground: a peer
# goes offline and comes back. Root; everything it made is removed, also on Ctrl-C.
demo: wg-monitor
	@./demo.sh

# libFuzzer over the parsers of outside input (clang with libFuzzer; SKIPPED without):
# each tests/fuzz/fuzz_NAME.c links the production code, built once with the sanitizers.
# fuzz-regress replays every committed corpus (tests/fuzz/corpus/NAME/) and runs each
# target FUZZ_REGRESS_SECONDS; fuzz runs each FUZZ_SECONDS on a corpus in build-fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_REGRESS_SECONDS ?= 10
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS = $(FUZZ_NAMES:%=build-fuzz/fuzz_%)
.PHONY: fuzz-regress fuzz-bins
fuzz-bins:
	$(MAKE) --no-print-directory BUILD=build-fuzz/obj CC=clang HARDEN="-fPIE" \
	        CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" build-fuzz/obj/libwgm.a
	$(MAKE) --no-print-directory $(FUZZ_BINS)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/obj/libwgm.a
	clang $(WARN) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -D_GNU_SOURCE -Isrc -o $@ $< \
	        build-fuzz/obj/libwgm.a

fuzz:
	@MAKE="$(MAKE)" FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh long $(FUZZ_NAMES)

fuzz-regress:
	@MAKE="$(MAKE)" FUZZ_REGRESS_SECONDS=$(FUZZ_REGRESS_SECONDS) tests/fuzz/run.sh regress $(FUZZ_NAMES)

# Real WireGuard (wireguard-go in network namespaces); needs root.
integration: wg-monitor
	@tests/integration/run.sh

# The same suite against the ASan+UBSan build: any sanitizer report or leak at exit makes
# the daemon's exit status non-zero, which the tests check.
integration-asan: sanitize
	@WGM_BIN=$(CURDIR)/build-asan/wg-monitor tests/integration/run.sh

# The kernel module inside a QEMU guest; needs root and qemu.
vm-test: wg-monitor
	@tests/vm/run.sh

# The units under a real systemd: the VM boots systemd as PID 1 and runs tests/vm/service.sh
# (install.sh, readiness, watchdog restart, reload, stop, an instance, uninstall); root and
# qemu, about 4 minutes (7 on a loaded machine).
vm-service: wg-monitor
	@if [ "$$(id -u)" != 0 ]; then echo "SKIPPED: systemd VM tests (need root)"; exit 0; fi; \
	tests/vm/prepare.sh; rc=$$?; \
	if [ $$rc = 3 ]; then echo "SKIPPED: systemd VM tests (no qemu or kernel, see above)"; exit 0; \
	elif [ $$rc != 0 ]; then echo "FAIL: systemd VM tests: prepare failed"; exit 1; fi; \
	VM_SKIP_PREPARE=1 tests/vm/vm-run.sh --systemd sh tests/vm/service.sh

# Installs the Debian packages the tests need (root only; says what it installs).
deps:
	@tests/deps.sh

# Performance on wireguard-go interfaces of 1,000 to 100,000 peers (root; not part of check;
# installs what it needs). BENCH_SIZES="1000 10000 65536 2x50000", BENCH_REPS, BENCH_POLLS;
# BENCH_IDLE=1: the idle cost (1,000 peers, 30 s interval, IDLE_SECONDS=300); BENCH_KERNEL=1: the
# kernel module's netlink path inside the QEMU guest, as ratios to wg there. See bench/run.sh.
bench:
	@bench/run.sh

# The kernel path's user-space cost without a kernel (issue 16 item 5): a 10,000-peer
# WG_CMD_GET_DEVICE dump cut as the kernel cuts it, parsed and applied by the production
# code under callgrind; prints instructions per peer per steady poll (BENCH_NETLINK_PEERS,
# BENCH_PROFILE=1 for the top functions). SKIPPED without valgrind.
BENCH_NETLINK_PEERS ?= 10000
$(BUILD)/bench/netlink_cost: bench/netlink_cost.c $(BUILD)/libwgm.a
	mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libwgm.a $(ALL_LDFLAGS)

bench-netlink: $(BUILD)/bench/netlink_cost
	@bench/ir_cost.sh bench-netlink $(BUILD)/bench/netlink_cost $(BENCH_NETLINK_PEERS)

# Instructions per peer of a steady UAPI poll (parser + peer table), counted by callgrind
# (SKIPPED without valgrind); BENCH_PARSE_PEERS, BENCH_PROFILE=1 for the profile.
BENCH_PARSE_PEERS ?= 10000
bench-parse: $(BUILD)/bench/parse_cost
	@bench/ir_cost.sh bench-parse $(BUILD)/bench/parse_cost $(BENCH_PARSE_PEERS) \
		'--toggle-collect=counted_*'

$(BUILD)/bench/parse_cost: bench/parse_cost.c $(BUILD)/libwgm.a
	mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libwgm.a $(ALL_LDFLAGS)

# Long liveness soak on real links (root; not part of check). SOAK_MINUTES, default 30.
soak: wg-monitor
	@bench/soak.sh

# Run it without -j: deps installs what later steps look for, and the timed integration
# tests must not share the cores with builds (make 4.3 has no .NOTPARALLEL per target).
check: deps all clang analyse man-lint units-check unit sanitize fuzz-regress integration integration-asan vm-test vm-service
	@echo "make check: done (see SKIPPED lines above, if any)"

# The units start $(SBINDIR)/wg-monitor; the defaults file is installed only where there
# is none (an administrator's is never replaced; install.sh upgrades an unedited one), and
# a pristine copy of it and the userspace drop-in go to $(DATADIR).
install: wg-monitor
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(DEFAULTDIR)
	install -m 0755 wg-monitor $(DESTDIR)$(SBINDIR)/wg-monitor
	if [ -f man/wg-monitor.8 ]; then install -m 0644 man/wg-monitor.8 $(DESTDIR)$(MANDIR)/man8/; fi
	for u in wg-monitor.service wg-monitor@.service; do \
		sed 's|^ExecStart=/usr/local/sbin/wg-monitor|ExecStart=$(SBINDIR)/wg-monitor|' \
			systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u.tmp && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 systemd/wg-monitor.default $(DESTDIR)$(DATADIR)/wg-monitor.default
	install -m 0644 systemd/wg-monitor.service.d/userspace.conf $(DESTDIR)$(DATADIR)/userspace.conf
	[ -e $(DESTDIR)$(DEFAULTDIR)/wg-monitor ] || \
		install -m 0644 systemd/wg-monitor.default $(DESTDIR)$(DEFAULTDIR)/wg-monitor

# Keeps /etc/default/wg-monitor, logs and state.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/wg-monitor $(DESTDIR)$(MANDIR)/man8/wg-monitor.8 \
		$(DESTDIR)$(UNITDIR)/wg-monitor.service $(DESTDIR)$(UNITDIR)/wg-monitor@.service \
		$(DESTDIR)$(DATADIR)/wg-monitor.default $(DESTDIR)$(DATADIR)/userspace.conf
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null

clean:
	rm -rf build build-asan build-clang build-fuzz wg-monitor

-include $(OBJS:.o=.d)
