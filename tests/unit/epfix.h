/* SPDX-License-Identifier: MIT */
/* Endpoints in tests: a snapshot peer's endpoint set from text and read back as text
 * through the one renderer (endpoint.h). */
#ifndef EPFIX_H
#define EPFIX_H

#include <string.h>

#include "endpoint.h"

static inline void ep_set(struct wg_endpoint *e, const char *text)
{
	endpoint_parse(e, text, strlen(text));
}

/* e as text, in one of a few rotating buffers so that two fit in one CHECK_STR. */
static inline const char *ep_str(const struct wg_endpoint *e)
{
	static char buf[4][WG_ENDPOINT_SIZE];
	static unsigned next;
	return endpoint_format(buf[next++ % 4], e);
}

#endif
