// SPDX-License-Identifier: MIT
/* The words of the shared enums: what settings accept and what logs and status print. */
#include <stddef.h>

#include "kinds.h"

const char *const log_format_names[] = { "text", "json", NULL };
const char *const liveness_names[] = { "activity", "handshake", NULL };
const char *const backend_names[] = { "auto", "netlink", "uapi", "wg", NULL };
const char *const hook_stdin_names[] = { "none", "json", NULL };

const char *enum_word(const char *const *words, unsigned v)
{
	for (unsigned i = 0; words[i]; i++)
		if (i == v)
			return words[i];
	return "?";
}

const char *log_format_name(enum log_format f)
{
	return enum_word(log_format_names, (unsigned)f);
}

const char *liveness_name(enum liveness l)
{
	return enum_word(liveness_names, (unsigned)l);
}

const char *backend_name(enum backend b)
{
	return enum_word(backend_names, (unsigned)b);
}
