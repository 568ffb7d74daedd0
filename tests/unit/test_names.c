// SPDX-License-Identifier: MIT
/* Peer names: the cleaning, the names file, every config convention (a name above
 * [Peer] attaching to the peer below it), the table's naming and peer_renamed, and
 * hostile names through a text log line, a JSON log line and status --json. */
#include <stdlib.h>

#include "harness.h"
#include "names.h"
#include "names_book.h"
#include "peerfix.h"
#include "sink_log.h"
#include "status.h"
#include "tmpdir.h"
#include "util.h"

#define KEY_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define KEY_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA="
#define KEY_C "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA="
/* A private key: it must never reach a name. */
#define PRIV  "cPrivateKeyMustNeverBeCopiedAnywhereXXXXXXA="

/* Bad lines told by a parser, one number each. */
struct warns {
	size_t n, line[64];
	char why[64][128];
};

static void on_warn(void *ctx, size_t lineno, const char *why)
{
	struct warns *w = ctx;
	if (w->n < 64) {
		w->line[w->n] = lineno;
		snprintf(w->why[w->n], sizeof(w->why[0]), "%s", why);
	}
	w->n++;
}

static const char *name_of(const struct names *nm, const char *b64)
{
	uint8_t key[WG_KEY_LEN];
	if (!key_from_base64(key, b64, strlen(b64)))
		return "(bad test key)";
	const char *n = names_find(nm, key);
	return n ? n : "(none)";
}

static int parse_file(struct names *nm, const char *text, struct warns *w)
{
	memset(w, 0, sizeof(*w));
	return names_parse_file(nm, text, strlen(text), on_warn, w);
}

static int parse_conf(struct names *nm, const char *text, struct warns *w)
{
	memset(w, 0, sizeof(*w));
	return names_parse_config(nm, text, strlen(text), on_warn, w);
}

/* How often needle occurs in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_clean(void)
{
	char out[PEER_NAME_SIZE];
	CHECK_INT(names_clean(out, "  alice  ", 9), 5);
	CHECK_STR(out, "alice");
	CHECK_INT(names_clean(out, "a\x1b[31mb\r\n\tc\x7f", 13), 7);
	CHECK_STR(out, "a[31mbc");
	CHECK_INT(names_clean(out, "\xe2\x80\xae" "evil\xe2\x80\xac\xe2\x81\xa6x\xe2\x81\xa9", 17), 5);
	CHECK_STR(out, "evilx");                            /* RLO, PDF, LRI, PDI gone */
	CHECK_INT(names_clean(out, "a\xc2\x9b" "b\xc2\x85", 6), 2); /* C1 controls */
	CHECK_STR(out, "ab");
	CHECK_INT(names_clean(out, "caf\xc3\xa9", 5), 5);  /* UTF-8 stays */
	CHECK_STR(out, "caf\xc3\xa9");
	CHECK_INT(names_clean(out, "x\xff\xc0\xaf\xed\xa0\x80y", 8), 2); /* invalid, overlong, surrogate */
	CHECK_STR(out, "xy");
	CHECK_INT(names_clean(out, "a\0b", 3), 2);
	CHECK_INT(names_clean(out, " \t\x01 ", 4), 0);
	/* 64 bytes at most, cut before a character that would not fit whole */
	char in[80];
	memset(in, 'x', 63);
	memcpy(in + 63, "\xc3\xa9z", 3);
	CHECK_INT(names_clean(out, in, 66), 63);
	memcpy(in + 62, "\xc3\xa9z", 3);
	CHECK_INT(names_clean(out, in, 65), 64);
	CHECK(memcmp(out + 62, "\xc3\xa9", 3) == 0);
}

static void test_file(void)
{
	struct names nm = { 0 };
	struct warns w;
	CHECK_INT(parse_file(&nm, "# names\n\n" KEY_A " Alice Smith \r\n"
	                     "  " KEY_B "\tbob # not a comment\n"
	                     KEY_A " again\n"                       /* 5: duplicate */
	                     "AAAA short\n"                         /* 6: not a key */
	                     KEY_C "\n"                             /* 7: no name */
	                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB= x\n" /* 8: 33 bytes */
	                     KEY_C " \x1b\x07\n"                    /* 9: empty once cleaned */
	                     "   # indented comment", &w), 0);
	CHECK_INT(nm.n, 2);
	CHECK_STR(name_of(&nm, KEY_A), "Alice Smith");
	CHECK_STR(name_of(&nm, KEY_B), "bob # not a comment");
	CHECK_STR(name_of(&nm, KEY_C), "(none)");
	CHECK_INT(w.n, 5);
	size_t want[] = { 6, 7, 8, 9, 5 }; /* line order, then the duplicates */
	for (size_t i = 0; i < 5 && i < w.n; i++)
		CHECK_INT(w.line[i], want[i]);
	CHECK_CONTAINS(w.why[4], "named before");
	/* A NUL inside a line, no newline at the end. */
	CHECK_INT(names_parse_file(&nm, KEY_A " a\0b\n" KEY_B " c", 44 + 5 + 44 + 2, on_warn, &w), 0);
	CHECK_STR(name_of(&nm, KEY_A), "ab");
	CHECK_STR(name_of(&nm, KEY_B), "c");
	names_free(&nm);
}

static void test_huge_line(void)
{
	size_t big = 1u << 20;
	char *buf = malloc(2 * big + 200);
	struct names nm = { 0 };
	struct warns w;
	size_t o = (size_t)sprintf(buf, "%s ", KEY_A);
	memset(buf + o, 'n', big);
	o += big;
	buf[o++] = '\n';
	memset(buf + o, '=', big); /* one 1 MiB line of nothing */
	o += big;
	o += (size_t)sprintf(buf + o, "\n%s b\n", KEY_B);
	memset(&w, 0, sizeof(w));
	CHECK_INT(names_parse_file(&nm, buf, o, on_warn, &w), 0);
	CHECK_INT(strlen(name_of(&nm, KEY_A)), NAMES_NAME_MAX);
	CHECK_STR(name_of(&nm, KEY_B), "b");
	CHECK_INT(w.n, 1);
	CHECK_INT(w.line[0], 2);
	names_free(&nm);
	free(buf);
}

/* Every convention, each peer named by the comments that belong to it. */
static void test_conventions(void)
{
	struct names nm = { 0 };
	struct warns w;
	static const struct { const char *conf, *name; } c[] = {
		{ "[Peer]\n# Name = inside one\nPublicKey = " KEY_A "\n", "inside one" },
		{ "[Peer]\nPublicKey = " KEY_A "\n# friendly_name = exporter\n", "exporter" },
		{ "[Peer]\n#+Name = wg-meta\nPublicKey = " KEY_A "\n", "wg-meta" },
		{ "# ID: 1\n# Name:   ui name\n# Email: a@b\n[Peer]\nPublicKey = " KEY_A "\n",
		  "ui name" },
		{ "# Client: phone (3f2a-11)\n[Peer]\nPublicKey = " KEY_A "\n", "phone" },
		{ "### Client laptop\n[Peer]\nPublicKey = " KEY_A "\n", "laptop" },
		{ "# BEGIN_PEER nyr\n[Peer]\nPublicKey = " KEY_A "\n# END_PEER nyr\n", "nyr" },
		{ "# client: lower\n[peer]\npublickey=" KEY_A " # a comment\n", "lower" },
		{ "# Name: above\n[Peer]\n# Name = inside wins\nPublicKey = " KEY_A "\n",
		  "inside wins" },
		{ "# Name: a\nMTU = 1420\n[Peer]\nPublicKey = " KEY_A "\n", "(none)" },
		{ "[Interface]\n# Name = iface\nPrivateKey = " PRIV "\n[Peer]\nPublicKey = " KEY_A
		  "\n", "(none)" },
		{ "# Client x\n[Peer]\nPublicKey = " KEY_A "\n", "(none)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		CHECK_INT(parse_conf(&nm, c[i].conf, &w), 0);
		CHECK_STR(name_of(&nm, KEY_A), c[i].name);
		CHECK_INT(w.n, 0);
	}
	names_free(&nm);
}

/* prometheus_wireguard_exporter reads a comment after a peer's lines as that peer's:
 * a name written above the next [Peer] must go to the next peer. */
static void test_above_attaches_below(void)
{
	struct names nm = { 0 };
	struct warns w;
	CHECK_INT(parse_conf(&nm,
	          "[Interface]\nPrivateKey = " PRIV "\nListenPort = 51820\n\n"
	          "# Client: first (id-1)\n[Peer]\nPublicKey = " KEY_A "\n"
	          "PresharedKey = " PRIV "\nAllowedIPs = 10.0.0.2/32\n\n"
	          "# Client: second (id-2)\n[Peer]\nPublicKey = " KEY_B "\n"
	          "AllowedIPs = 10.0.0.3/32\n"
	          "### Client third\n[Peer]\nPublicKey = " KEY_C "\n", &w), 0);
	CHECK_STR(name_of(&nm, KEY_A), "first");
	CHECK_STR(name_of(&nm, KEY_B), "second");
	CHECK_STR(name_of(&nm, KEY_C), "third");
	CHECK_INT(nm.n, 3);
	for (size_t i = 0; i < nm.n; i++)
		CHECK(!strstr(nm.e[i].name, "Private") && !strstr(nm.e[i].name, "cPriv"));
	CHECK_INT(w.n, 0);
	names_free(&nm);
}

static void test_conf_bad_lines(void)
{
	struct names nm = { 0 };
	struct warns w;
	CHECK_INT(parse_conf(&nm,
	          "# Name: nokey\n[Peer]\nAllowedIPs = 10.0.0.2/32\n"   /* 2: named, no key */
	          "[Peer]\nPublicKey = " PRIV "x\n# Name = bad key\n"  /* 5: bad key */
	          "[Peer]\n# Name = \x1b\x1b\n#+Name = first\n"      /* 8: empty name */
	          "PublicKey = " KEY_A "\n"
	          "# Name: dup\n[Peer]\nPublicKey = " KEY_A "\n", &w), 0); /* 12: duplicate */
	CHECK_INT(w.n, 5);
	size_t want[] = { 2, 5, 4, 8, 12 };
	for (size_t i = 0; i < 5 && i < w.n; i++)
		CHECK_INT(w.line[i], want[i]);
	for (size_t i = 0; i < w.n && i < 64; i++)
		CHECK(!strstr(w.why[i], "cPriv"));
	CHECK_STR(name_of(&nm, KEY_A), "first");
	names_free(&nm);
}

/* ---- through the table and the sinks ------------------------------------------------ */

struct book {
	const char *name[4]; /* by the test peer's first key byte */
	struct event last;
	size_t renamed;
};

static void namer(void *ctx, const char *ifname, const uint8_t key[WG_KEY_LEN],
                  char name[PEER_NAME_SIZE])
{
	const struct book *b = ctx;
	(void)ifname;
	names_clean(name, b->name[key[0] & 3], strlen(b->name[key[0] & 3]));
}

static void keep_event(void *ctx, const struct event *ev)
{
	struct book *b = ctx;
	b->last = *ev;
	b->renamed += ev->type == EV_PEER_RENAMED;
}

static void test_table_names(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct book b = { { "zero", "one", "", "" }, .renamed = 0 };
	struct clocks now = { 1795643712000LL, 5000000 };
	fix_peer(&s, "wg0", 0);
	fix_peer(&s, "wg0", 1);
	peers_set_namer(t, namer, &b);
	CHECK_INT(peers_update(t, &s, &now, keep_event, &b), 0);
	CHECK_INT(b.last.type, EV_PEER_INITIAL);
	CHECK_STR(b.last.peer.v.name, "one");
	struct peer_view v;
	CHECK(view_of_id(t, 0, &now, &v) && strcmp(v.name, "zero") == 0);
	b.name[1] = "uno";
	peers_rename(t, &now, keep_event, &b);
	CHECK_INT(b.renamed, 1);
	CHECK_INT(b.last.type, EV_PEER_RENAMED);
	CHECK_STR(b.last.peer.v.name, "uno");
	CHECK_STR(b.last.peer.old_name, "one");
	peers_rename(t, &now, keep_event, &b); /* nothing changed: nothing said */
	CHECK_INT(b.renamed, 1);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* A text line is key=value pairs (values bare or quoted with \" escapes) after the time
 * and level; counts the keys equal to key, -1 when the line does not parse. */
static int text_keys(const char *line, const char *key)
{
	int n = 0, field = 0;
	for (const char *p = line; *p;) {
		const char *start = p;
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return -1;
		while (*p && *p != ' ' && *p != '=')
			p++;
		size_t klen = (size_t)(p - start);
		if (field++ >= 2) {
			if (*p++ != '=')
				return -1;
			n += klen == strlen(key) && strncmp(start, key, klen) == 0;
			if (*p == '"') {
				for (p++; *p && *p != '"'; p++)
					if (*p == '\\' && !*++p)
						return -1;
				if (*p++ != '"')
					return -1;
			}
			while (*p && *p != ' ')
				if (*p++ == '"')
					return -1;
		}
		if (*p == ' ')
			p++;
	}
	return n;
}

/* A flat JSON object of strings and numbers; counts the keys equal to key, -1 when it
 * is not one. */
static int json_keys(const char *s, const char *key)
{
	int n = 0;
	if (*s++ != '{')
		return -1;
	for (;;) {
		const char *k = s + 1;
		if (*s != '"')
			return -1;
		for (s++; *s != '"'; s++)
			if (!*s || (unsigned char)*s < 0x20 || (*s == '\\' && !strchr("\"\\", *++s)))
				return -1;
		n += (size_t)(s - k) == strlen(key) && strncmp(k, key, strlen(key)) == 0;
		if (*++s != ':')
			return -1;
		if (*++s == '"') {
			for (s++; *s != '"'; s++)
				if (!*s || (unsigned char)*s < 0x20 || (*s == '\\' && !strchr("\"\\", *++s)))
					return -1;
			s++;
		} else if (*s == '[') {   /* an array of plain strings (status's allowed_ips) */
			for (s++; *s == '"'; s += *s == ',') {
				for (s++; *s != '"'; s++)
					if (!*s || (unsigned char)*s < 0x20 || *s == '\\')
						return -1;
				s++;
			}
			if (*s++ != ']')
				return -1;
		} else {
			while (*s == '-' || (*s >= '0' && *s <= '9'))
				s++;
		}
		if (*s == '}')
			return s[1] == '\0' || s[1] == ',' || s[1] == '\n' ? n : -1;
		if (*s++ != ',')
			return -1;
	}
}

static const char *const hostile[] = {
	"\x1b]0;owned\x07\x1b[2Jclear",
	"cr\rlf\nnul",
	"q\"uote\\d 'single'",
	"\xe2\x80\xaegnp.exe\xe2\x80\xac",
	"x state=online peer=" KEY_B " name=evil",
	"\", \"state\": \"online",
	"} {\"event\":\"peer_online\"",
};

static void test_hostile_through_sinks(void)
{
	/* the checkers themselves: an injected key and a broken quote are seen */
	CHECK_INT(text_keys("t INFO event=x name=a state=b state=c", "state"), 2);
	CHECK_INT(text_keys("t INFO event=x name=\"a\" b\" state=c", "state"), -1);
	CHECK_INT(json_keys("{\"name\":\"a\",\"name\":1}", "name"), 2);
	CHECK_INT(json_keys("{\"name\":\"a\"b\"}", "name"), -1);
	CHECK_INT(json_keys("{\"name\":\"a\x1b\"}", "name"), -1);
	CHECK_INT(json_keys("{\"a\":[],\"name\":[\"x\",\"y\"]}", "name"), 1);
	CHECK_INT(json_keys("{\"name\":[\"x\"}", "name"), -1);
	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		struct event ev = event_new(EV_PEER_RENAMED, 1795643712000LL, "wg0");
		names_clean(ev.peer.v.name, hostile[i], strlen(hostile[i]));
		names_clean(ev.peer.old_name, hostile[i], strlen(hostile[i]));
		struct sink_log sl;
		struct logline l;
		sink_log_init(&sl, LOG_FORMAT_TEXT);
		sink_log_format(&sl, &l, &ev);
		const char *line = logline_finish(&l);
		CHECK_INT(text_keys(line, "name"), 1);
		CHECK_INT(text_keys(line, "peer"), 1);
		CHECK_INT(text_keys(line, "state"), 1);
		sink_log_init(&sl, LOG_FORMAT_JSON);
		sink_log_format(&sl, &l, &ev);
		line = logline_finish(&l);
		CHECK_INT(json_keys(line, "name"), 1);
		CHECK_INT(json_keys(line, "state"), 1);
		CHECK_INT(json_keys(line, "event"), 1);
	}
}

static void test_hostile_status_json(void)
{
	struct peers_config c = { .threshold_ms = 180000, .interval_ms = 30000 };
	struct peer_table *t = peers_new(&c);
	struct wg_snapshot s = { 0 };
	struct book b = { { hostile[0], hostile[2], hostile[4], hostile[6] }, .renamed = 0 };
	struct clocks now = { 1795643712000LL, 5000000 };
	for (uint8_t id = 0; id < 4; id++)
		fix_peer(&s, "wg0", id);
	peers_set_namer(t, namer, &b);
	CHECK_INT(peers_update(t, &s, &now, keep_event, &b), 0);
	FILE *f = tmpfile();
	status_print(t, &now, true, false, f);
	rewind(f);
	char line[4096];
	size_t rows = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] != '{')
			continue;
		rows++;
		CHECK_INT(json_keys(line, "name"), 1);
		CHECK_INT(json_keys(line, "state"), 1);
	}
	CHECK_INT(rows, 4);
	fclose(f);
	wg_snapshot_clear(&s);
	peers_free(t);
}

/* ---- reading the files -------------------------------------------------------------- */

struct said {
	size_t n;
	char last[EVENT_MESSAGE_SIZE], all[8192];
};

static void on_report(void *ctx, const char *ifname, const char *msg)
{
	struct said *r = ctx;
	(void)ifname;
	r->n++;
	snprintf(r->last, sizeof(r->last), "%s", msg);
	size_t o = strlen(r->all);
	snprintf(r->all + o, sizeof(r->all) - o, "%s\n", msg);
}

static const char *lookup(struct names_book *b, const char *ifname, const char *b64)
{
	static char name[PEER_NAME_SIZE];
	uint8_t key[WG_KEY_LEN];
	if (!key_from_base64(key, b64, strlen(b64)))
		return "(bad test key)";
	names_book_lookup(b, ifname, key, name);
	return name;
}

static struct wg_snapshot *snap_of(struct wg_snapshot *s, const char *ifname)
{
	memset(s, 0, sizeof(*s));
	wg_snapshot_add_device(s, ifname);
	return s;
}

static void test_book(void)
{
	char dir[PATH_MAX], names[PATH_MAX], conf[PATH_MAX];
	struct said r = { 0 };
	struct names_book b;
	struct wg_snapshot s;
	if (!tdir_make(dir, "/tmp"))
		abort();
	tpath(names, dir, "names");
	tpath(conf, dir, "wg0.conf");
	CHECK(twrite(names, KEY_A " from-file\n"));
	CHECK(twrite(conf, "[Interface]\nPrivateKey = " PRIV "\n# Name: conf-a\n[Peer]\n"
	             "PublicKey = " KEY_A "\n# Name: conf-b\n[Peer]\nPublicKey = " KEY_B "\n"));
	names_book_init(&b, names, dir, false, on_report, &r);
	names_book_load_file(&b);
	names_book_prepare(&b, snap_of(&s, "wg0"));
	wg_snapshot_clear(&s);
	CHECK_INT(r.n, 0);
	CHECK_STR(lookup(&b, "wg0", KEY_A), "from-file");     /* the file first */
	CHECK_STR(lookup(&b, "wg0", KEY_B), "conf-b");
	CHECK_STR(lookup(&b, "wg1", KEY_B), "");              /* another interface's config */
	/* a reload sees the changes; a file made group-writable is refused, not fatal */
	CHECK(twrite(names, KEY_A " renamed\n"));
	CHECK_INT(chmod(conf, 0620), 0);
	names_book_reload(&b);
	CHECK_STR(lookup(&b, "wg0", KEY_A), "renamed");
	CHECK_STR(lookup(&b, "wg0", KEY_B), "");
	CHECK_INT(r.n, 1);
	CHECK_CONTAINS(r.last, "wg0.conf\": writable by group or others (mode 0620");
	CHECK_CONTAINS(r.last, "; not read, its names are not used");
	CHECK_INT(count_of(r.last, "wg0.conf"), 1);   /* the path named once */
	/* missing: a warning, unless quiet; a config of a new interface is read once */
	unlink(names);
	names_book_reload(&b);
	CHECK_INT(r.n, 3);
	CHECK_CONTAINS(r.all, "/names\": No such file or directory; not read");
	names_book_fini(&b);
	r.n = 0;
	names_book_init(&b, "", dir, true, on_report, &r);
	names_book_prepare(&b, snap_of(&s, "wg9"));
	names_book_prepare(&b, &s);
	wg_snapshot_clear(&s);
	CHECK_INT(r.n, 0);
	names_book_fini(&b);
	tdir_remove(dir);
}

/* An interface that went away and came back has its config read again; configs of
 * interfaces that are gone are not kept. */
static void test_book_recreated(void)
{
	char dir[PATH_MAX], conf[PATH_MAX], ifname[16];
	struct said r = { 0 };
	struct names_book b;
	struct wg_snapshot s;
	if (!tdir_make(dir, "/tmp"))
		abort();
	tpath(conf, dir, "wg0.conf");
	CHECK(twrite(conf, "# Name: before\n[Peer]\nPublicKey = " KEY_A "\n"));
	names_book_init(&b, "", dir, true, on_report, &r);
	names_book_prepare(&b, snap_of(&s, "wg0"));
	wg_snapshot_clear(&s);
	CHECK_STR(lookup(&b, "wg0", KEY_A), "before");
	CHECK(twrite(conf, "# Name: after\n[Peer]\nPublicKey = " KEY_A "\n"));
	names_book_prepare(&b, snap_of(&s, "wg0"));          /* still there: not read again */
	wg_snapshot_clear(&s);
	CHECK_STR(lookup(&b, "wg0", KEY_A), "before");
	snap_of(&s, "wg1")->incomplete = true;                 /* wg0 maybe unread: kept */
	names_book_prepare(&b, &s);
	wg_snapshot_clear(&s);
	CHECK_INT(b.nconfs, 2);
	for (int i = 0; i < 100; i++) {                        /* 100 interfaces come and go */
		snprintf(ifname, sizeof(ifname), "tmp%d", i);
		names_book_prepare(&b, snap_of(&s, ifname));
		wg_snapshot_clear(&s);
		CHECK(b.nconfs <= 1);
	}
	names_book_prepare(&b, snap_of(&s, "wg0"));          /* wg0 made again */
	wg_snapshot_clear(&s);
	CHECK_STR(lookup(&b, "wg0", KEY_A), "after");
	CHECK_INT(b.nconfs, 1);
	CHECK_INT(r.n, 0);
	names_book_fini(&b);
	tdir_remove(dir);
}

static void test_book_bounds(void)
{
	char dir[PATH_MAX], names[PATH_MAX];
	struct said r = { 0 };
	struct names_book b;
	if (!tdir_make(dir, "/tmp"))
		abort();
	tpath(names, dir, "names");
	char text[4096] = "";
	for (int i = 0; i < 30; i++)
		strcat(text, "bad line\n");
	CHECK(twrite(names, text));
	names_book_init(&b, names, "", false, on_report, &r);
	names_book_load_file(&b);
	CHECK_INT(r.n, NAMES_WARN_MAX + 1);
	CHECK_CONTAINS(r.all, "names:1: not a public key");
	CHECK_CONTAINS(r.last, ": 10 more bad lines skipped");
	/* past the size bound: refused whole */
	r.n = 0;
	int fd = open(names, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)NAMES_FILE_MAX + 1) == 0);
	close(fd);
	names_book_load_file(&b);
	CHECK_INT(r.n, 1);
	CHECK_CONTAINS(r.last, "larger than");
	names_book_fini(&b);
	tdir_remove(dir);
}

/* Loads path as the names file: the n-th report says why, naming the path once, and
 * no name is used. */
static void refused(const char *path, struct said *r, size_t n, const char *why)
{
	struct names_book b;
	names_book_init(&b, path, "", false, on_report, r);
	names_book_load_file(&b);
	CHECK_INT(r->n, n);
	CHECK_CONTAINS(r->last, why);
	CHECK_CONTAINS(r->last, "; not read, its names are not used");
	CHECK_INT(count_of(r->last, path), 1);
	CHECK_STR(lookup(&b, "wg0", KEY_A), "");
	names_book_fini(&b);
}

/* The names file goes through the safepath walk: a symlink (even to a good file), a
 * directory others may write, a file of another user, a FIFO are each refused with one
 * clear warning naming the file, and its names are not used. */
static void test_book_hostile_paths(void)
{
	char dir[PATH_MAX], good[PATH_MAX], link[PATH_MAX], open_dir[PATH_MAX], p[PATH_MAX];
	struct said r = { 0 };
	struct names_book b;
	if (!tdir_make(dir, "/tmp"))
		abort();
	CHECK(twrite(tpath(good, dir, "names"), KEY_A " good\n"));
	CHECK_INT(symlink(good, tpath(link, dir, "link")), 0);
	names_book_init(&b, link, "", false, on_report, &r);
	names_book_load_file(&b);
	CHECK_INT(r.n, 1);
	CHECK_CONTAINS(r.last, "link\": a symlink; give the file's real path");
	CHECK_CONTAINS(r.last, "; not read, its names are not used");
	CHECK_STR(lookup(&b, "wg0", KEY_A), "");
	names_book_fini(&b);

	CHECK(mkdir(tpath(open_dir, dir, "open"), 0777) == 0 && chmod(open_dir, 0777) == 0);
	CHECK(twrite(tpath(p, open_dir, "names"), KEY_A " planted\n"));
	refused(p, &r, 2, "is writable by others");

	CHECK(mkfifo(tpath(p, dir, "fifo"), 0600) == 0);   /* and no reader blocked on it */
	refused(p, &r, 3, "fifo\": not a regular file");

	if (geteuid() == 0) {   /* only root can give a file away */
		CHECK(chown(good, 65534, 65534) == 0);
		refused(good, &r, 4, "owned by uid 65534, neither root nor the running user");
	} else {
		printf("SKIPPED %s (foreign owner): needs root to chown\n", __func__);
	}
	tdir_remove(dir);
}

TEST_MAIN(test_clean, test_file, test_huge_line, test_conventions, test_above_attaches_below,
          test_conf_bad_lines, test_table_names, test_hostile_through_sinks,
          test_hostile_status_json, test_book, test_book_recreated, test_book_bounds,
          test_book_hostile_paths)
