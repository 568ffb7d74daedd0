/* SPDX-License-Identifier: MIT */
/* What one run of the hook is given (SPEC §11): a program path checked for who may
 * change it, an environment of WG_MONITOR_* variables and PATH only, and the event as
 * one JSON object for its stdin. */
#ifndef HOOK_EXEC_H
#define HOOK_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

#define HOOK_ENV_VARS 15       /* PATH and the 14 WG_MONITOR_* variables */
#define HOOK_ENV_BUF  4096

struct hook_env {
	char *envp[HOOK_ENV_VARS + 1];   /* NULL-terminated, pointing into buf */
	char buf[HOOK_ENV_BUF];
};

/* The program: an absolute path to a regular, executable file owned by root or the
 * running user and not writable by group or others, in a directory reached by the
 * path-safety walk (safepath.c). 0 or -errno with a one-line reason in err. */
int hook_check(const char *path, char *err, size_t errlen);

/* The environment for the hook of ev, the seq-th event given to hooks: the peer's
 * public key and nothing secret; a value that does not apply is empty. */
void hook_env_build(struct hook_env *e, const struct event *ev, uint64_t seq);

/* ev as one JSON object and a newline (the log's JSON line, at most size - 1 bytes) into
 * buf (size > 0), NUL-terminated when there is room; its length, newline included. */
size_t hook_json(char *buf, size_t size, const struct event *ev);

/* A bitmask of event types from "word,word" (SPEC §5 words of peer events only). 0 or
 * -EINVAL with the bad word in err. */
int hook_events_parse(const char *list, uint64_t *mask, char *err, size_t errlen);

#endif
