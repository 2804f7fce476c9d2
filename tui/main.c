/* main.c — casedesk, the clerks' TUI: options, set-up, the input loop (the views and their stack are app.c's). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "casedesk.h"
#include "display.h"
#include "tn_cal.h"
#include "tn_cli.h"
#include "tn_cmd.h"
#include "tn_config.h"
#include "tn_today.h"

static const char *prog = "casedesk";

static int opt_readonly, opt_no_color, opt_no_alerts;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "casedesk options:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "readonly", &opt_readonly, NULL,
	  "look only: every action on a case, an alert or a task is refused", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-color", &opt_no_color, NULL, "no colours (as NO_COLOR does)", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-alerts", &opt_no_alerts, NULL,
	  "do not follow the alert stream (nor the task events)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static struct tn_cmd cmd = {
	"casedesk",
	"[--readonly] [--no-color] [--no-alerts] [--url URL] [--token TOKEN] [--profile NAME]",
	NULL,   /* summary(): it names the case actions */
	options, TN_CMD_SERVER
};

/* The summary of --help; the case actions named are the lib's that have a casedesk key. */
static const char *summary(void)
{
	static char text[400];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "%s",
			     "The clerks' terminal desk: the department's inbox of cases by deadline, a case with\n"
			     "its materials and history, ");
	for (int i = 0, first = 1; i < TN_CASE_ACTION_COUNT && n < sizeof(text); i++)
		if (tn_case_move(i)->key) {
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", first ? "" : "/",
					      tn_case_move(i)->name);
			first = 0;
		}
	if (n < sizeof(text))
		snprintf(text + n, sizeof(text) - n, "%s", ", e-certificate\n"
			 "look-ups, the live alert stream and the operations view of tasks with their\n"
			 "plan steps.  Press ? inside for the keys.");
	return text;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void cleanup(void)
{
	edit_shutdown();
	alerts_done();
	wall_done();
	map_done();
	task_action_done();
	task_detail_done();
	tasks_done();
	certs_done();
	case_done();
	help_done();
	pager_done();
	catalog_done();
	net_shutdown();
	rows_free(&inbox_rows);
	rows_scan_release();
	if (app.cal)
		tn_cal_free(app.cal);
	free(app.purpose);
	tn_config_release(&app.cfg);
}

static void set_today(void)
{
	struct tn_err err = TN_ERR_INIT;
	long due;

	app.today = tn_today();     /* $TWONET_TODAY as the commands and twonetd read it */
	app.due_limit = app.today + 2;
	if (app.cal && tn_cal_add_workdays(app.cal, app.today, 2, &due, NULL, &err) == TN_OK)
		app.due_limit = due;
}

static void run(void)
{
	long long last_tick = 0;

	while (!app.quit && !got_signal) {
		long long now = app_now_ms();
		int timeout;

		if (now - last_tick >= 1000) {
			last_tick = now;
			app.dirty = 1;
		}
		if (app.flash_until_ms > now)
			app.dirty = 1;
		if (app.dirty) {
			app.dirty = 0;
			app_draw();
		}
		timeout = net_timeout(app.flash_until_ms > now ? 100 : 250);
		net_poll(timeout);
		alerts_tick();
		wall_tick();
		map_tick();
		for (int i = 0, k; i < 256 && !app.quit && (k = disp_getkey()) != 0; i++)
			app_key(k);
	}
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	int status = 0;

	/* the options only: the configuration is app.cfg, the signals and the network are ours */
	cmd.summary = summary();
	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (x.nargs > 0) {
		tn_err_set(&err, TN_EUSAGE, "casedesk takes no operands ('%s')", argv[1]);
		return tn_cli_fail(prog, &err);
	}
	if (tn_config_load(&app.cfg, &x.common, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (keys_load_config(app.cfg.path, &err) != TN_OK) {
		tn_config_release(&app.cfg);
		return tn_cli_fail(prog, &err);
	}
	if (!isatty(0) || !isatty(1)) {
		tn_config_release(&app.cfg);
		tn_err_set(&err, TN_EUSAGE, "casedesk needs a terminal");
		return tn_cli_fail(prog, &err);
	}
	app.readonly = opt_readonly;
	app.no_color = opt_no_color || x.common.no_color || !app.cfg.color ||
		       (getenv("NO_COLOR") && *getenv("NO_COLOR"));
	app.no_alerts = opt_no_alerts;
	if (tn_cal_load(&app.cal, NULL, &err) != TN_OK) {
		app.cal = NULL;
		tn_err_clear(&err);
	}
	set_today();
	rows_init(&inbox_rows);
	net_init(&app.cfg);
	catch_signals();
	if (disp_init(app.no_color) != 0) {
		cleanup();
		tn_err_set(&err, TN_EUSAGE, "cannot start the terminal screen");
		return tn_cli_fail(prog, &err);
	}
	edit_init();
	app_push(&inbox_view);
	inbox_start();
	if (!app.no_alerts)
		alerts_start();
	run();
	disp_end();
	cleanup();
	if (got_signal == SIGINT)
		status = 130;
	else if (got_signal)
		status = 128 + got_signal;
	return status;
}
