/* SPDX-License-Identifier: MIT */
/* Where the daemon and status get peer names (SPEC §9): the names file, then each
 * interface's wg-quick config, read through the path-safety walk with a bounded size;
 * a config's buffer is zeroed once parsed. Problems are one line each to report(). */
#ifndef NAMES_BOOK_H
#define NAMES_BOOK_H

#include <limits.h>
#include <stdbool.h>

#include "names.h"
#include "peers.h"
#include "settings.h"
#include "wg.h"

/* A bigger names file or config is refused. */
#define NAMES_FILE_MAX (4u << 20)
/* Bad lines reported per file read; the rest are counted in one more line. */
#define NAMES_WARN_MAX 20

typedef void (*names_report_fn)(void *ctx, const char *ifname, const char *msg);

struct names_conf {
	char ifname[WG_IFNAME_SIZE];
	struct names nm;
};

struct names_book {
	char file[PATH_MAX];          /* the names file; "" = none */
	char confdir[PATH_MAX];       /* WG_CONFIG_DIR; "" = configs not read */
	bool quiet_missing;           /* a config missing from confdir is not reported */
	struct names file_names;
	struct names_conf *confs;     /* every interface whose config was looked for */
	size_t nconfs, cap;
	names_report_fn report;
	void *ctx;
};

/* Sets up b (nothing read yet). quiet_missing: confdir is the default, where an
 * interface not made by wg-quick has no config. */
void names_book_init(struct names_book *b, const char *file, const char *confdir,
                     bool quiet_missing, names_report_fn report, void *ctx);
void names_book_fini(struct names_book *b);
/* Reads the names file again. */
void names_book_load_file(struct names_book *b);
/* Reads the config of each interface of snap not looked for yet (out of memory is
 * reported, and those names go unread), and forgets those of interfaces not in snap. */
void names_book_prepare(struct names_book *b, const struct wg_snapshot *snap);
/* SIGHUP: the names file and every config looked for so far, read again. */
void names_book_reload(struct names_book *b);
/* Sets b up from PEER_NAMES and WG_CONFIG_DIR (a config missing from the default
 * directory is not reported), reads the names file and makes b the namer of t. */
void names_book_open(struct names_book *b, const struct settings *s, struct peer_table *t,
                     names_report_fn report, void *ctx);
/* A peers_name_fn (ctx = b): the names file's name of key, else its interface config's,
 * else "". */
void names_book_lookup(void *ctx, const char *ifname, const uint8_t key[WG_KEY_LEN],
                       char name[PEER_NAME_SIZE]);

#endif
