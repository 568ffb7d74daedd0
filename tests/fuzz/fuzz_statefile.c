// SPDX-License-Identifier: MIT
/* libFuzzer harness for the state file: parse hostile bytes, and when they parse,
 * (a) restore them and save (the production renderer, into a private directory): the
 * file written must parse, and restoring and saving it again must write the same bytes;
 * (b) restore them into a table and run one poll that sees every restored peer again
 * (resume_peer). Built by `make fuzz` / `make fuzz-regress`. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"
#include "statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct clocks now = { 1800000000000LL, 1000 };
static const char boot[] = "0a0a0a0a-0000-4000-8000-00000000000a";
static struct statefile sf = { .dirfd = -1 };
static char dir[PATH_MAX];

static void drop_dir(void)
{
	statefile_close(&sf);
	(void)scratch_rm_tree(dir);
}

/* One directory per process (scratch.h: a run killed mid-way leaves it to the next run's
 * sweep); an ordinary exit removes it here. */
static void open_dir(void)
{
	char path[PATH_MAX + 8], err[512];
	scratch_make(dir, "state");
	snprintf(path, sizeof path, "%s/state", dir);
	if (statefile_open(&sf, path, err, sizeof err) != 0)
		abort();
	atexit(drop_dir);
}

static void ignore(void *ctx, const struct event *ev)
{
	(void)ctx;
	(void)ev;
}

/* st restored and saved; the file's bytes into *out (malloc'd, NUL-terminated). */
static size_t render(const struct saved_state *st, char **out)
{
	struct peers_config c = { .threshold_ms = st->rule.threshold * 1000LL, .interval_ms = 5000 };
	struct peer_table *t = peers_new(&c);
	char err[512];
	if (!t || peers_restore(t, st->peers, st->n, 0, true, &now) < 0 ||
	    statefile_save(&sf, t, &st->rule, &now, boot, err, sizeof err) != 0)
		abort();
	peers_free(t);
	int fd = openat(sf.dirfd, "state", O_RDONLY);
	off_t len = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	*out = malloc((size_t)len + 1);
	if (len < 0 || !*out || pread(fd, *out, (size_t)len, 0) != len)
		abort();
	close(fd);
	(*out)[len] = '\0';
	return (size_t)len;
}

/* Saved, read back, saved again: the same bytes. */
static void round_trip(const struct saved_state *st)
{
	struct saved_state again;
	char *first, *second, err[256];
	size_t n1 = render(st, &first), n2;
	char *copy = strdup(first);
	if (!copy || statefile_parse(copy, n1, &again, err, sizeof err) != 0)
		abort();
	n2 = render(&again, &second);
	if (n1 != n2 || memcmp(first, second, n1) != 0)
		abort();
	saved_state_free(&again);
	free(copy);
	free(first);
	free(second);
}

static void poll_once(const struct saved_state *st, size_t size)
{
	struct peers_config c = { .threshold_ms = 60000, .interval_ms = 5000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot snap = { 0 };
	int64_t elapsed = (int64_t)(size % 200000);
	if (t && peers_restore(t, st->peers, st->n, elapsed, st->n % 2 == 0, &now) >= 0) {
		for (size_t i = 0; i < st->n && i < 64; i++) {
			const struct peer_view *r = &st->peers[i];
			struct wg_device *d = wg_snapshot_find(&snap, r->ifname);
			if (!d)
				d = wg_snapshot_add_device(&snap, r->ifname);
			struct wg_peer *p = d ? wg_device_add_peer(d) : NULL;
			if (!p)
				break;
			memcpy(p->public_key, r->key, sizeof(p->public_key));
			p->last_handshake_sec = i % 2 ? r->handshake_ms / 1000 : 0;
			p->rx_bytes = r->rx_bytes + i;
		}
		peers_update(t, &snap, &now, ignore, NULL);
	}
	wg_snapshot_clear(&snap);
	peers_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saved_state st;
	char err[256];
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	if (sf.dirfd < 0)
		open_dir();
	memcpy(buf, data, size);
	int rc = statefile_parse(buf, size, &st, err, sizeof err);
	free(buf);
	if (rc < 0)
		return 0;
	round_trip(&st);
	poll_once(&st, size);
	saved_state_free(&st);
	return 0;
}
