/* SPDX-License-Identifier: MIT */
/* Peer names (SPEC §9): the parsers of a names file and of a wg-quick config's comments,
 * each (buf, len) so they can be fuzzed, and the cleaning every name goes through. */
#ifndef NAMES_H
#define NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peerview.h"
#include "wg.h"

/* A name is at most this many bytes of UTF-8 (a longer one is cut at a character). */
#define NAMES_NAME_MAX (PEER_NAME_SIZE - 1)

struct names_entry {
	uint8_t key[WG_KEY_LEN];
	char name[PEER_NAME_SIZE];
	size_t lineno;             /* where it was read, for the duplicate's warning */
};

/* public key -> name, from one file; sorted by key once parsed. */
struct names {
	struct names_entry *e;
	size_t n, cap;
};

/* Told once per bad line: its number (1-based) and why; never the line's text. */
typedef void (*names_warn_fn)(void *ctx, size_t lineno, const char *why);

/* A names file: "<base64 public key> <name>" lines, '#' comments, blank lines. Adds
 * what it reads to nm (cleared first); a bad line is one warn and is skipped, and the
 * first line of a key counts. 0, or -ENOMEM (nm then empty). */
int names_parse_file(struct names *nm, const char *buf, size_t len, names_warn_fn warn,
                     void *ctx);
/* A wg-quick config: the names its comments give each [Peer] (every convention of SPEC
 * §9); other lines are skipped unread, so no key but PublicKey is ever copied. Like
 * names_parse_file otherwise. */
int names_parse_config(struct names *nm, const char *buf, size_t len, names_warn_fn warn,
                       void *ctx);

/* The name of key in nm, or NULL. */
const char *names_find(const struct names *nm, const uint8_t key[WG_KEY_LEN]);
void names_free(struct names *nm);

/* src[0..len) as a name: blanks trimmed, invalid UTF-8, control characters (C0, DEL,
 * C1) and bidirectional controls dropped, cut at a character boundary to
 * NAMES_NAME_MAX bytes. Returns strlen(out); 0 when nothing is left. */
size_t names_clean(char out[PEER_NAME_SIZE], const char *src, size_t len);

#endif
