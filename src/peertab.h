/* SPDX-License-Identifier: MIT */
/* Open-addressing hash index over a dense array of peer records, keyed by
 * (interface, public key). Inserting may move records; removing moves the last one. */
#ifndef PEERTAB_H
#define PEERTAB_H

#include <stddef.h>
#include <stdint.h>

#include "peer_record.h"

struct peertab {
	struct peer *recs;
	size_t n, cap;
	uint32_t *slots;   /* record index + 1; 0 = empty */
	size_t nslots;     /* power of two, at least 2n */
};

struct peer *peertab_find(const struct peertab *t, const char *ifname, const uint8_t *key);
/* A zeroed record with ifname and key set; NULL with errno on ENOMEM. Invalidates
 * pointers to other records. */
struct peer *peertab_insert(struct peertab *t, const char *ifname, const uint8_t *key);
/* Removes recs[i]; the last record moves into its place. */
void peertab_remove(struct peertab *t, size_t i);
void peertab_fini(struct peertab *t);

#endif
