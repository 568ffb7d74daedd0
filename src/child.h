/* SPDX-License-Identifier: MIT */
/* An isolated child process: absolute path, no shell, a fixed environment, stdin
 * /dev/null, no inherited fds but the ones given, a time limit (SIGTERM, then SIGKILL
 * after a grace) and a cap on its output. Run it to completion, or drive it from a loop. */
#ifndef CHILD_H
#define CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CHILD_ERR_MAX     16384  /* stderr kept; the rest is read and dropped */
#define CHILD_KEEP_MAX    4      /* fds a child may inherit besides 0-2 */
#define CHILD_REAP_TICK_MS 20    /* how often to look for an exit once both pipes closed */
#define CHILD_KILL_WAIT_MS 200  /* child_free's wait for a SIGKILLed child, at most */
#define CHILD_ENV_PATH    "/usr/bin:/usr/sbin:/bin:/sbin"
#define CHILD_INPUT_MAX   4096   /* stdin given as bytes: what a pipe holds unread */

struct child_spec {
	const char *path;            /* absolute; run as is (no PATH search, no shell) */
	char *const *argv;
	char *const *envp;           /* the whole environment; NULL = PATH and LC_ALL=C only */
	const int *keep;             /* fds (>= 3) the child inherits under the same numbers */
	size_t nkeep;                /* at most CHILD_KEEP_MAX */
	int64_t deadline_ms;         /* mono_ms clock: SIGTERM then */
	int grace_ms;                /* SIGKILL this long after SIGTERM; 0: SIGKILL at once */
	size_t outmax;               /* stdout cap; more is -E2BIG and ends the child */
	bool out_null;               /* stdout to /dev/null: no pipe, outmax unused */
	const char *input;           /* stdin: these inlen bytes, then EOF; NULL: /dev/null */
	size_t inlen;                /* at most CHILD_INPUT_MAX */
	bool pidfd;                  /* open c->pidfd, so a loop can wait for the exit */
};

/* A running (or finished) child: poll out and err (and pidfd) for POLLIN, call
 * child_reap by child_next_ms. Output is zeroed when freed (it may hold secrets). */
struct child {
	pid_t pid;                   /* 0 once reaped */
	int out, err;                /* non-blocking read ends; -1 once at EOF or closed */
	int pidfd;                   /* readable once it exited; -1: not asked for, or a
	                              * kernel without pidfd_open (then reap on a tick) */
	int status;                  /* waitpid() status, once reaped */
	int fail;                    /* why it was ended: 0, -ETIMEDOUT, -E2BIG, -ENOMEM */
	int64_t deadline_ms, term_ms;/* term_ms: when SIGTERM was sent, 0 = not yet */
	int grace_ms;
	bool killed;                 /* SIGKILL sent */
	size_t outmax;
	char *outbuf;                /* stdout, outlen bytes (at most outmax) */
	size_t outlen, outcap;
	char errbuf[CHILD_ERR_MAX];  /* the first CHILD_ERR_MAX bytes of stderr */
	size_t errlen;
};

/* Starts s->path. 0, or -errno: -EINVAL for a bad spec, the execve error (-ENOENT,
 * -EACCES, ...) when the program could not be started (nothing is left running then),
 * or a pipe/fork error. On success free it with child_free. */
int child_spawn(struct child *c, const struct child_spec *s);

/* Reads what fd (c->out or c->err) holds: 0 when it read something or hit EOF (the fd is
 * then closed and set to -1), -EAGAIN when nothing is there, -E2BIG when stdout passed
 * outmax (stdout is closed and the child ended), other -errno. */
int child_on_readable(struct child *c, int fd);

/* Enforces the time limit at `now` (mono_ms) and reaps the child if it exited: 1 once
 * reaped (c->status holds its status), 0 while it runs, -errno. */
int child_reap(struct child *c, int64_t now);

/* When child_reap must next be called (mono_ms), given `now`; with a pidfd, INT64_MAX
 * once only its exit is awaited (the pidfd says when). */
int64_t child_next_ms(const struct child *c, int64_t now);

/* Runs s to completion, collecting stdout and stderr. 0 once the child exited by itself
 * (any status); -ETIMEDOUT when the time limit ended it, -E2BIG over outmax, -EINTR when
 * *stop was set by a signal (the child is killed at once), other -errno. */
int child_run(struct child *c, const struct child_spec *s, const volatile sig_atomic_t *stop);

/* Kills a child still running (SIGKILL, reaped within CHILD_KILL_WAIT_MS or left),
 * closes its pipes, zeroes and frees its output. Safe on a child that failed to spawn or was already freed. */
void child_free(struct child *c);

#endif
