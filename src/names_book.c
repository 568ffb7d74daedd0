// SPDX-License-Identifier: MIT
/* The names file and the interfaces' configs, read and kept as key -> name tables. A
 * config holds private and preshared keys: it is read into one buffer, never through
 * stdio, and that buffer is zeroed before it is freed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names_book.h"
#include "events.h"
#include "safepath.h"
#include "util.h"

static const struct safepath_policy names_policy = {
	.shared_dir = false, .what = "names file",
	.hint = "; keep it in a directory only root or this user may write",
};
static const struct safepath_policy conf_policy = {
	.shared_dir = false, .what = "WireGuard config",
	.hint = "; keep it in a directory only root or this user may write",
};

/* One file being read: what its warnings say and how many were said. */
struct reading {
	struct names_book *b;
	const char *path, *ifname;
	size_t warned;                /* bad lines */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(const struct reading *r, const char *fmt, ...)
{
	char msg[EVENT_MESSAGE_SIZE];
	va_list ap;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above (clang 14 false positive) */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->b->report(r->b->ctx, r->ifname, msg);
}

static void on_bad_line(void *ctx, size_t lineno, const char *why)
{
	struct reading *r = ctx;
	if (r->warned++ < NAMES_WARN_MAX)
		say(r, "%s:%zu: %s; line skipped", r->path, lineno, why);
}

/* The whole file at fd (checked by safepath_open_read) into *buf (*len bytes), at most
 * NAMES_FILE_MAX. */
static int read_all(int fd, char **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return fail_at(err, errlen, 0, -errno, "%s", strerror(errno));
	if ((uint64_t)st.st_size > NAMES_FILE_MAX)
		return fail_at(err, errlen, 0, -EFBIG, "larger than %u bytes", NAMES_FILE_MAX);
	size_t cap = (size_t)st.st_size + 1; /* one more: a file that grew is refused */
	if (!(*buf = malloc(cap)))
		return fail_at(err, errlen, 0, -ENOMEM, "out of memory");
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_at(err, errlen, 0, -errno, "%s", strerror(errno));
		if (n == 0)
			return 0;
		if ((*len += (size_t)n) == cap)
			return fail_at(err, errlen, 0, -EBADMSG, "changed while being read");
	}
}

typedef int (*parse_fn)(struct names *nm, const char *buf, size_t len, names_warn_fn warn,
                        void *ctx);

/* Reads path into nm with parse; every problem reported, never fatal (nm then empty). */
static void load(struct reading *r, const struct safepath_policy *pol, bool quiet_missing,
                 parse_fn parse, struct names *nm)
{
	char err[SAFEPATH_WHY_SIZE], *buf = NULL;
	size_t len = 0;
	int fd = safepath_open_read(r->path, pol, err, sizeof(err));
	bool opened = fd >= 0;   /* else err is safepath's, which names the path itself */
	int rc = fd < 0 ? fd : read_all(fd, &buf, &len, err, sizeof(err));
	names_free(nm);
	if (rc == 0 && parse(nm, buf, len, on_bad_line, r) < 0)
		rc = fail_at(err, sizeof(err), 0, -ENOMEM, "out of memory");
	if (buf) {
		explicit_bzero(buf, len);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	/* In the default directory a missing config is normal (an interface not made by
	 * wg-quick), and so is a root-only one for the service's unprivileged user. */
	if ((rc == -ENOENT || rc == -EACCES) && quiet_missing)
		return;
	if (rc < 0 && opened)
		say(r, "\"%s\": %s; not read, its names are not used", r->path, err);
	else if (rc < 0)
		say(r, "%s; not read, its names are not used", err);
	else if (r->warned > NAMES_WARN_MAX)
		say(r, "%s: %zu more bad lines skipped", r->path, r->warned - NAMES_WARN_MAX);
}

void names_book_init(struct names_book *b, const char *file, const char *confdir,
                     bool quiet_missing, names_report_fn report, void *ctx)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->file, sizeof(b->file), "%s", file ? file : "");
	snprintf(b->confdir, sizeof(b->confdir), "%s", confdir ? confdir : "");
	b->quiet_missing = quiet_missing;
	b->report = report;
	b->ctx = ctx;
}

void names_book_open(struct names_book *b, const struct settings *s, struct peer_table *t,
                     names_report_fn report, void *ctx)
{
	names_book_init(b, s->peer_names, s->wg_config_dir,
	                s->origin[SET_WG_CONFIG_DIR] == ORIGIN_DEFAULT, report, ctx);
	names_book_load_file(b);
	if (t)
		peers_set_namer(t, names_book_lookup, b);
}

void names_book_fini(struct names_book *b)
{
	names_free(&b->file_names);
	for (size_t i = 0; i < b->nconfs; i++)
		names_free(&b->confs[i].nm);
	free(b->confs);
	b->confs = NULL;
	b->nconfs = b->cap = 0;
}

void names_book_load_file(struct names_book *b)
{
	struct reading r = { b, b->file, NULL, 0 };
	if (b->file[0])
		load(&r, &names_policy, false, names_parse_file, &b->file_names);
}

static void load_conf(struct names_book *b, struct names_conf *c)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s.conf", b->confdir, c->ifname);
	struct reading r = { b, path, c->ifname, 0 };
	if (n > 0 && (size_t)n < sizeof(path))
		load(&r, &conf_policy, b->quiet_missing, names_parse_config, &c->nm);
	else
		say(&r, "%s/%s.conf: the path is too long", b->confdir, c->ifname);
}

static struct names_conf *find_conf(const struct names_book *b, const char *ifname)
{
	for (size_t i = 0; i < b->nconfs; i++)
		if (strcmp(b->confs[i].ifname, ifname) == 0)
			return &b->confs[i];
	return NULL;
}

/* Configs of interfaces a whole listing did not hold are forgotten: the list stays as
 * long as the interfaces are many, and an interface made again has its config read
 * again. An incomplete listing (a backend failed) proves nothing gone. */
static void forget_gone(struct names_book *b, const struct wg_snapshot *snap)
{
	for (size_t i = 0; !snap->incomplete && i < b->nconfs;) {
		if (wg_snapshot_find(snap, b->confs[i].ifname)) {
			i++;
			continue;
		}
		names_free(&b->confs[i].nm);
		b->confs[i] = b->confs[--b->nconfs];
	}
}

void names_book_prepare(struct names_book *b, const struct wg_snapshot *snap)
{
	forget_gone(b, snap);
	for (size_t i = 0; b->confdir[0] && i < snap->ndevs; i++) {
		const char *ifname = snap->devs[i].name;
		if (find_conf(b, ifname))
			continue;
		if (!array_grow((void **)&b->confs, &b->cap, b->nconfs, sizeof(*b->confs),
		                SIZE_MAX / 2)) {
			b->report(b->ctx, ifname, "out of memory: its config is not read for names");
			return;
		}
		struct names_conf *c = &b->confs[b->nconfs++];
		memset(c, 0, sizeof(*c));
		snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
		load_conf(b, c);
	}
}

void names_book_reload(struct names_book *b)
{
	names_book_load_file(b);
	for (size_t i = 0; i < b->nconfs; i++)
		load_conf(b, &b->confs[i]);
}

void names_book_lookup(void *ctx, const char *ifname, const uint8_t key[WG_KEY_LEN],
                       char name[PEER_NAME_SIZE])
{
	const struct names_book *b = ctx;
	const struct names_conf *c = find_conf(b, ifname);
	const char *found = names_find(&b->file_names, key);
	if (!found && c)
		found = names_find(&c->nm, key);
	snprintf(name, PEER_NAME_SIZE, "%s", found ? found : "");
}
