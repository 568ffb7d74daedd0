/* SPDX-License-Identifier: MIT */
/* Endpoints: parsed from a source's text without any name lookup into a struct
 * wg_endpoint, and rendered back to text by the one renderer every sink's text comes from. */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "wg.h"

#define ENDPOINT_INVALID_TEXT "(invalid)"

/* Parses s[0..len): "a.b.c.d:port" or "[v6(%zone)]:port" (port 1-65535, zone an interface
 * name or number), numerically only. Anything else (a NUL inside included) makes e
 * WG_EP_INVALID and returns false: never cut, never DNS. */
bool endpoint_parse(struct wg_endpoint *e, const char *s, size_t len);

/* e's canonical text ("" when unknown, ENDPOINT_INVALID_TEXT when invalid) into out; out. */
const char *endpoint_format(char out[WG_ENDPOINT_SIZE], const struct wg_endpoint *e);

/* Whether a and b are the same endpoint (two invalid ones are). */
bool endpoint_same(const struct wg_endpoint *a, const struct wg_endpoint *b);

#endif
