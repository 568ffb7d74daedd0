// SPDX-License-Identifier: MIT
/* Settings as text: check-config's listing and --help, both generated from the table
 * (settings_table.h) so that neither can forget a setting. */
#include <string.h>

#include "settings_spec.h"
#include "util.h"

#define VALUE_SIZE (PATH_MAX * 4)   /* a sanitized path may grow fourfold */
#define PAD_MAX 36                  /* check-config aligns origins up to this column */
#define HELP_INDENT 28

void settings_format_value(const struct settings *s, enum setting_id id, char *buf,
                           size_t size)
{
	const struct setting_spec *sp = &setting_specs[id];
	setting_kinds[sp->kind].format(s, sp, buf, size);
}

/* The row's note for an empty value ("no log file; "), then where the value came from. */
static void print_origin(const struct settings *s, enum setting_id id, const char *value,
                         FILE *out)
{
	if (!value[0] && setting_specs[id].empty_note)
		fprintf(out, "%s; ", setting_specs[id].empty_note);
	switch (s->origin[id]) {
	case ORIGIN_ENV: fputs("origin: environment", out); break;
	case ORIGIN_FLAG: fprintf(out, "origin: flag %s", setting_specs[id].flag); break;
	default: fputs("origin: default", out); break;
	}
}

/* check-config says in plain words what the effective liveness rule means. */
static const char liveness_activity_note[] =
	"# LIVENESS=activity: a peer is online while it was heard from within\n"
	"# OFFLINE_THRESHOLD: its latest handshake, or received bytes while a session\n"
	"# could carry data. Peers this host keeps alive get a renewal grace of\n"
	"# 165 s + keepalive + 6 s after their handshake (threshold >= 120 s).\n";
static const char liveness_handshake_note[] =
	"# LIVENESS=handshake: a peer is online while its latest handshake is at most\n"
	"# OFFLINE_THRESHOLD old. Below ~150 s this reports busy peers offline between\n"
	"# WireGuard's session renewals (about every 2 minutes).\n";

/* NAME=value  (origin: ...), the values as /etc/default/wg-monitor would spell them. */
void settings_print(const struct settings *s, FILE *out)
{
	char value[VALUE_SIZE];
	int width = 0;
	for (int id = 0; id < SET__COUNT; id++) {
		settings_format_value(s, (enum setting_id)id, value, sizeof value);
		int w = (int)(strlen(setting_specs[id].var) + 1 + strlen(value));
		if (w > width && w <= PAD_MAX)
			width = w;
	}
	for (int id = 0; id < SET__COUNT; id++) {
		settings_format_value(s, (enum setting_id)id, value, sizeof value);
		int w = (int)(strlen(setting_specs[id].var) + 1 + strlen(value));
		fprintf(out, "%s=%s%*s  (", setting_specs[id].var, value, w < width ? width - w : 0,
		        "");
		print_origin(s, (enum setting_id)id, value, out);
		fputs(")\n", out);
	}
	fputs(s->liveness == LIVENESS_ACTIVITY ? liveness_activity_note : liveness_handshake_note,
	      out);
}

/* Each line of text ('\n'-separated) indented to the help column. */
static void print_indented(FILE *out, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		fprintf(out, "%*s%.*s\n", HELP_INDENT, "", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

void settings_usage_item(FILE *out, const char *left, const char *text)
{
	size_t n = strcspn(text, "\n");
	fprintf(out, "  %-*s%.*s\n", HELP_INDENT - 2, left, (int)n, text);
	print_indented(out, text + n + (text[n] == '\n'));
}

/* "  --interval SECONDS       CHECK_INTERVAL, default 30", then the indented help. */
static void usage_option(const struct settings *def, enum setting_id id, FILE *out)
{
	const struct setting_spec *sp = &setting_specs[id];
	char flag[64], dflt[64];
	snprintf(flag, sizeof flag, "%s%s%s", sp->flag, sp->metavar ? " " : "",
	         sp->metavar ? sp->metavar : "[=BOOL]");
	settings_format_value(def, id, dflt, sizeof dflt);
	if (!dflt[0])
		snprintf(dflt, sizeof dflt, "%s", sp->empty_word ? sp->empty_word : "none");
	if (strlen(flag) >= HELP_INDENT - 3) { /* no room for a space: a line of its own */
		fprintf(out, "  %s\n", flag);
		flag[0] = '\0';
	}
	fprintf(out, "  %-*s%s, default %s\n", HELP_INDENT - 2, flag, sp->var, dflt);
	print_indented(out, sp->help);
}

static const char usage_head[] =
	"Usage: wg-monitor [COMMAND] [OPTION]...\n"
	"Watches every WireGuard peer on this host and logs each change of state.\n"
	"\n"
	"Commands:\n";

static const char usage_settings[] =
	"\n"
	"Settings (an option overrides its environment variable, which overrides the\n"
	"default):\n";

static const char usage_tail[] =
	"\n"
	"Other options:\n"
	"  --json                    with status: print a JSON array instead of a table\n"
	"  -h, --help                print this help and exit\n"
	"  -V, --version             print the version and exit\n"
	"\n"
	"Options may come before or after the command; VALUE may also be given as\n"
	"--option=VALUE. An environment variable set to the empty string counts as\n"
	"unset, except LOG_PATH, STATE_FILE, PEER_NAMES, WG_CONFIG_DIR,\n"
	"METRICS_LISTEN, METRICS_TOKEN_FILE and ON_CHANGE, where empty means none\n"
	"(no file, no listener, no token, no hook). Keywords (json, netlink, on, off,\n"
	"...) may be written in any case. INTERFACES separates names with spaces or\n"
	"commas.\n"
	"\n"
	"Liveness:\n"
	"  activity   A peer is online while it was heard from within the threshold:\n"
	"             its latest handshake, or a poll at which its received bytes rose\n"
	"             while a session could carry data. A peer this host sends\n"
	"             persistent keepalives to is given a renewal grace of 165 s +\n"
	"             keepalive + 6 s after its handshake (threshold 120 s or more).\n"
	"  handshake  A peer is online while its latest handshake is at most the\n"
	"             threshold old. WireGuard renews sessions only every ~2 minutes,\n"
	"             so thresholds under ~150 s report busy peers offline between\n"
	"             renewals.\n"
	"\n"
	"Exit status: 0 on success, 2 on an invalid setting, option or command.\n";

void settings_usage(FILE *out, void (*list_commands)(FILE *out))
{
	struct settings def;
	settings_defaults(&def);
	fputs(usage_head, out);
	list_commands(out);
	fputs(usage_settings, out);
	for (int id = 0; id < SET__COUNT; id++)
		usage_option(&def, (enum setting_id)id, out);
	fputs(usage_tail, out);
}
