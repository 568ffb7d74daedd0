/* SPDX-License-Identifier: MIT */
/* Small enums shared by the layers (log format, liveness rule, backend), each with its
 * words beside it, so that the logger, the state machine and the source need not include
 * settings.h, and parsing and printing read the same words. */
#ifndef KINDS_H
#define KINDS_H

enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };
enum liveness { LIVENESS_ACTIVITY = 0, LIVENESS_HANDSHAKE };
enum backend { BACKEND_AUTO = 0, BACKEND_NETLINK, BACKEND_UAPI, BACKEND_WG };
enum hook_stdin { HOOK_STDIN_NONE = 0, HOOK_STDIN_JSON };

/* NULL-terminated; the index of a word is its enum value. */
extern const char *const log_format_names[];
extern const char *const liveness_names[];
extern const char *const backend_names[];
extern const char *const hook_stdin_names[];

/* words[v], or "?" for a value past the list's end. */
const char *enum_word(const char *const *words, unsigned v);
/* The word for a value; "?" for a value out of range. */
const char *log_format_name(enum log_format f);
const char *liveness_name(enum liveness l);
const char *backend_name(enum backend b);

#endif
