/* SPDX-License-Identifier: MIT */
/* The settings, one row each. No include guard: settings.h takes the ids from it, and
 * settings.c the rows (fields of struct setting_spec in settings_spec.h).
 *
 * Adding a setting (PEER_NAMES, METRICS_LISTEN, ON_CHANGE, ...) is exactly one row here
 * plus its field in struct settings. The row's kind parses and formats the value
 * through the field's offset; the environment, the flag, check-config, --help and the
 * unit test that round-trips every row all follow from it. A new kind of value is one
 * parse and one format function in settings_value.c. */
SETTING(LOG_PATH, .var = "LOG_PATH", .flag = "--log-path", .metavar = "PATH",
	.kind = SK_PATH, FIELD(log_path), .dflt = "/var/log/wg_monitor.log",
	.empty_note = "no log file",
	.allowed = "expected a path of at most 4095 bytes without control characters, "
	"or empty for no log file",
	.help = "log file, inside /var/log, /tmp or ./logs;\nempty: no file (stderr only)")
SETTING(INTERVAL, .var = "CHECK_INTERVAL", .flag = "--interval", .metavar = "SECONDS",
	.kind = SK_NUMBER, .min = 1, .max = 86400, FIELD(interval), .dflt = "30",
	.allowed = "expected whole seconds 1-86400",
	.help = "seconds between polls, 1-86400")
SETTING(POLL_TIMEOUT, .var = "POLL_TIMEOUT", .flag = "--poll-timeout", .metavar = "SECONDS",
	.kind = SK_NUMBER, .min = 1, .max = 86400, FIELD(poll_timeout), .dflt = "10",
	.capped = true, .cap = SET_INTERVAL,
	.allowed = "expected whole seconds 1-86400",
	.help = "time limit of one whole poll (every\ninterface and backend), 1-86400 seconds;\n"
	"default: the smaller of CHECK_INTERVAL\nand 10")
SETTING(THRESHOLD, .var = "OFFLINE_THRESHOLD", .flag = "--threshold", .metavar = "SECONDS",
	.kind = SK_NUMBER, .min = 1, .max = 604800, FIELD(threshold), .dflt = "180",
	.allowed = "expected whole seconds 1-604800",
	.help = "a peer not heard from for longer is offline,\n1-604800 seconds")
SETTING(STATS_INTERVAL, .var = "STATS_INTERVAL", .flag = "--stats-interval",
	.metavar = "SECONDS", .kind = SK_NUMBER, .min = 10, .max = 604800, .zero_ok = true,
	FIELD(stats_interval), .dflt = "3600",
	.allowed = "expected whole seconds, 0 (off) or 10-604800",
	.help = "seconds between stats lines, 0 (off) or\n10-604800")
SETTING(DEBUG, .var = "DEBUG", .flag = "--debug", .metavar = NULL, .kind = SK_BOOL,
	FIELD(debug), .dflt = "off",
	.allowed = "expected 1, true, yes, on, 0, false, no or off (any case)",
	.help = "log per-poll details; --debug=BOOL sets it\nexplicitly: 1 true yes on / "
	"0 false no off")
SETTING(INTERFACES, .var = "INTERFACES", .flag = "--interface", .metavar = "IF",
	.kind = SK_IFLIST, FIELD(interfaces), .count_offset = offsetof(struct settings,
	n_interfaces), .dflt = NULL, .empty_note = "all interfaces", .empty_word = "all",
	.allowed = "expected interface names of 1-15 characters from A-Z a-z 0-9 _ = + . -",
	.help = "watch only IF; repeatable; replaces INTERFACES\n(a list separated by spaces "
	"or commas)")
SETTING(BACKEND, .var = "BACKEND", .flag = "--backend", .metavar = "NAME", .kind = SK_WORD,
	.words = backend_names, FIELD(backend), .dflt = "auto",
	.allowed = "expected auto, netlink, uapi or wg",
	.help = "auto, netlink (kernel), uapi (userspace\nsocket) or wg (runs `wg show`)")
SETTING(LOG_FORMAT, .var = "LOG_FORMAT", .flag = "--log-format", .metavar = "FORMAT",
	.kind = SK_WORD, .words = log_format_names, FIELD(log_format), .dflt = "text",
	.allowed = "expected text or json",
	.help = "text or json (one object a line)")
SETTING(LOG_MAX_BYTES, .var = "LOG_MAX_BYTES", .flag = "--log-max-bytes", .metavar = "BYTES",
	.kind = SK_BYTES, .min = 4096, .max = 1073741824, FIELD(log_max_bytes),
	.dflt = "10485760",
	.allowed = "expected bytes 4096-1073741824, optionally with suffix K, M or G "
	"(KiB, MiB, GiB)",
	.help = "rotate before the file grows past BYTES,\n4096-1073741824; suffix K, M, G "
	"= KiB, MiB, GiB")
SETTING(LOG_BACKUPS, .var = "LOG_BACKUPS", .flag = "--log-backups", .metavar = "N",
	.kind = SK_NUMBER, .min = 0, .max = 100, FIELD(log_backups), .dflt = "5",
	.allowed = "expected a count 0-100",
	.help = "rotated files to keep, 0-100 (0: truncate)")
SETTING(LIVENESS, .var = "LIVENESS", .flag = "--liveness", .metavar = "RULE",
	.kind = SK_WORD, .words = liveness_names, FIELD(liveness), .dflt = "activity",
	.allowed = "expected activity or handshake",
	.help = "activity or handshake (see Liveness below)")
SETTING(STATE_FILE, .var = "STATE_FILE", .flag = "--state-file", .metavar = "PATH",
	.kind = SK_PATH, FIELD(state_file), .dflt = NULL, .empty_note = "no state file",
	.allowed = "expected a path of at most 4095 bytes without control characters, "
	"or empty for none",
	.help = "keep peer states across restarts here, in a\nprivate directory such as "
	"/var/lib/wg-monitor;\nempty: none. status reads it too (unset:\n"
	"/var/lib/wg-monitor/state if present)")
SETTING(PEER_NAMES, .var = "PEER_NAMES", .flag = "--names", .metavar = "FILE",
	.kind = SK_PATH, FIELD(peer_names), .dflt = NULL, .empty_note = "no names file",
	.allowed = "expected a path of at most 4095 bytes without control characters, "
	"or empty for none",
	.help = "peer names, lines \"<public key> <name>\";\nthey come before the config's "
	"comments;\nempty: none. SIGHUP reads it again")
SETTING(WG_CONFIG_DIR, .var = "WG_CONFIG_DIR", .flag = "--wg-config-dir", .metavar = "DIR",
	.kind = SK_PATH, FIELD(wg_config_dir), .dflt = "/etc/wireguard",
	.empty_note = "configs not read for names",
	.allowed = "expected a path of at most 4095 bytes without control characters, "
	"or empty for none",
	.help = "peer names from the comments of DIR/<if>.conf\n(wg-quick configs); empty: "
	"not read")
SETTING(METRICS_LISTEN, .var = "METRICS_LISTEN", .flag = "--metrics-listen",
	.metavar = "ADDR:PORT", .kind = SK_LISTEN, FIELD(metrics_listen), .dflt = NULL,
	.empty_note = "off", .empty_word = "off",
	.allowed = "expected ADDR:PORT or [ADDR6]:PORT, comma-separated, at most 255 bytes",
	.help = "serve /metrics (Prometheus) and a status page\nat / here: 127.0.0.1:9586, "
	"[::1]:9586, several\ncomma-separated; empty: off")
SETTING(METRICS_COMPAT, .var = "METRICS_COMPAT", .flag = "--metrics-compat",
	.metavar = "FAMILIES", .kind = SK_WORD, .words = metrics_compat_names,
	FIELD(metrics_compat), .dflt = "mdlayher,mindflavor",
	.allowed = "expected mdlayher,mindflavor, mdlayher, mindflavor or none",
	.help = "the exporters' metric names served besides\nwg-monitor's own: "
	"mdlayher,mindflavor (both),\nmdlayher, mindflavor or none")
SETTING(METRICS_TOKEN_FILE, .var = "METRICS_TOKEN_FILE", .flag = "--metrics-token-file",
	.metavar = "PATH", .kind = SK_PATH, FIELD(metrics_token_file), .dflt = NULL,
	.empty_note = "no token required",
	.allowed = "expected a path of at most 4095 bytes without control characters, "
	"or empty for none",
	.help = "requests must carry Authorization: Bearer\nwith the token in this file "
	"(re-read at\nSIGHUP); empty: none")
SETTING(ON_CHANGE, .var = "ON_CHANGE", .flag = "--on-change", .metavar = "PROGRAM",
	.kind = SK_PATH, FIELD(on_change), .dflt = NULL, .empty_note = "no hook",
	.allowed = "expected an absolute path of at most 4095 bytes without control "
	"characters, or empty for none",
	.help = "run PROGRAM (absolute path, no shell) on the\nevents of ON_CHANGE_EVENTS, "
	"with WG_MONITOR_*\nvariables; empty: none")
SETTING(ON_CHANGE_EVENTS, .var = "ON_CHANGE_EVENTS", .flag = "--on-change-events",
	.metavar = "EVENTS", .kind = SK_EVENTS, FIELD(on_change_events),
	.dflt = "peer_online,peer_offline",
	.allowed = "expected peer event names separated by commas, at most 255 bytes",
	.help = "the events that run the hook, comma-separated\n(peer_online, peer_offline, "
	"handshake_failing,\npeer_added, peer_removed, endpoint_changed, ...)")
SETTING(ON_CHANGE_STDIN, .var = "ON_CHANGE_STDIN", .flag = "--on-change-stdin",
	.metavar = "WHAT", .kind = SK_WORD, .words = hook_stdin_names, FIELD(on_change_stdin),
	.dflt = "none", .allowed = "expected none or json",
	.help = "the hook's stdin: none (/dev/null) or json\n(the event as one JSON object)")
SETTING(ON_CHANGE_TIMEOUT, .var = "ON_CHANGE_TIMEOUT", .flag = "--on-change-timeout",
	.metavar = "SECONDS", .kind = SK_NUMBER, .min = 1, .max = 3600,
	FIELD(on_change_timeout), .dflt = "10", .allowed = "expected whole seconds 1-3600",
	.help = "a hook still running then gets SIGTERM, and\nSIGKILL 2 s later; 1-3600 seconds")
SETTING(ON_CHANGE_MAX, .var = "ON_CHANGE_MAX", .flag = "--on-change-max", .metavar = "N",
	.kind = SK_NUMBER, .min = 1, .max = 8, FIELD(on_change_max), .dflt = "4",
	.allowed = "expected a count 1-8",
	.help = "hooks running at once, 1-8; more wait in a\nbounded queue (one peer's in order)")
SETTING(ON_CHANGE_GRACE, .var = "ON_CHANGE_GRACE", .flag = "--on-change-grace",
	.metavar = "SECONDS", .kind = SK_NUMBER, .min = 0, .max = 86400,
	FIELD(on_change_grace), .dflt = "0", .allowed = "expected whole seconds 0-86400",
	.help = "peer_online/peer_offline run the hook only once\nthe state held this long; "
	"a flap inside it runs\nnothing; 0-86400 seconds")
