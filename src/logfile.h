/* SPDX-License-Identifier: MIT */
/* The log file sink (SPEC §6): path policy, O_NOFOLLOW, built-in rotation, reopen, all
 * in the directory held open from the checked walk at start (safepath.h). */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <stddef.h>
#include <stdint.h>

struct logfile;

/* Applies the path policy without creating anything: the walk of safepath.h (every
 * directory and symlink on the way owned by root or us, ...), inside /var/log, /tmp or
 * ./logs as walked (symlinks and .. resolved); last component not a symlink, a regular
 * file with one link, owned by us in a world-writable directory. Writes the resolved
 * path into resolved (may be NULL). Returns 0 or -errno with a one-line reason in err. */
int logfile_check_path(const char *path, char *resolved, size_t rsize, char *err, size_t errlen);

/* Checks the policy and opens (creating 0640, O_APPEND|O_CLOEXEC|O_NOFOLLOW), keeping
 * the walked directory open until logfile_close: every later open, rename and stat is
 * relative to it. NULL with errno and err filled on failure. */
struct logfile *logfile_open(const char *path, uint64_t max_bytes, unsigned backups,
                             char *err, size_t errlen);

enum logfile_notice { LOGFILE_NONE = 0, LOGFILE_FAILED, LOGFILE_RECOVERED };

/* check-config: exactly what logfile_open does, the open (or the creation) included,
 * without writing a byte; a file it had to create is removed again. 0 or -errno with
 * the reason in err, the one run would give. */
int logfile_try(const char *path, char *err, size_t errlen);

/* Appends line[0..len) plus '\n', rotating first when the write would take the file
 * past max_bytes. Never exits, never blocks for long. When the file's health changes
 * (it became unwritable, or writable again) returns the notice and fills msg; the caller
 * reports it once on stderr. While failing, retries at most once a second. A file
 * deleted or renamed by someone else is noticed and reopened. */
enum logfile_notice logfile_write(struct logfile *lf, const char *line, size_t len,
                                  char *msg, size_t msglen);

/* SIGHUP: close and reopen the file by name in the directory held since open (after an
 * external logrotate); a directory moved or replaced in the path is not followed. 0
 * (also for NULL) or -errno; a failure is reported, with its reason, by the next
 * logfile_write. */
int logfile_reopen(struct logfile *lf);
void logfile_close(struct logfile *lf);

/* TEST HOOK, not for daemon code: the steady clock (mono_ms) that paces the once-a-second
 * retry; mono_ms by default. Unit tests point it at a fake clock instead of sleeping. */
extern int64_t (*logfile_clock)(void);

#endif
