/* SPDX-License-Identifier: MIT */
/* Endpoint text from UAPI replies and `wg` output, normalised without any name lookup. */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* Parses "a.b.c.d:port" or "[v6(%zone)]:port" (port 1-65535) numerically and writes the
 * canonical form to out (size outsize > 0). Anything else is copied as it is, up to a NUL
 * or the size, and false is returned: never DNS. out is always NUL-terminated; only a
 * true return makes it printable (sinks escape it; the state file refuses it). */
bool endpoint_normalize(char *out, size_t outsize, const char *s, size_t len);

#endif
