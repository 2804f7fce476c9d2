/* report_lang.c — a report in its reader's language: headings, row labels, notes and footnotes (see tn_report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_jv.h"
#include "tn_out.h"
#include "tn_report.h"

/* The Chinese of TN_PROVISIONAL_NOTE. */
#define TN_REPORT_PROVISIONAL_ZH "所在年份的工作日历尚未发布，按周一至周五计算"

enum tn_code tn_report_lang_parse(const char *name, enum tn_report_lang *lang,
				  struct tn_err *err)
{
	if (name && (strcmp(name, "zh") == 0 || strcmp(name, "zh-CN") == 0 ||
		     strcmp(name, "zh_CN") == 0)) {
		*lang = TN_REPORT_ZH;
		return TN_OK;
	}
	if (name && strcmp(name, "en") == 0) {
		*lang = TN_REPORT_EN;
		return TN_OK;
	}
	return tn_err_set(err, TN_EUSAGE, "invalid --lang '%s' (zh, en)", name ? name : "");
}

/* The groupings: what the group column reads, in a table and in a CSV (code, name). */
static const struct {
	const char *by, *zh, *zh_code, *zh_name;
} groupings[] = {
	{ "department", "部门", "部门代码", "部门名称" },
	{ "item", "事项", "事项编码", "事项名称" },
	{ "workflow", "一件事", "一件事代码", "一件事名称" },
	{ "district", "区", "区划代码", "区名称" },
	{ "kind", "告警类型", "告警类型", "名称" },
	{ "severity", "级别", "级别", "名称" },
	{ "day", "日期", "日期", "名称" },
	{ "week", "周", "周", "周一" },
	{ "month", "月份", "月份", "名称" },
};

/* Headings: member, kind (-1 both), Chinese, English for HTML. */
static const struct {
	const char *col;
	int kind;
	const char *zh, *en;
} headings[] = {
	{ "received", -1, "收件", "Received" },
	{ "accepted", -1, "受理", "Accepted" },
	{ "returned", -1, "退回补正", "Returned" },
	{ "rejected", -1, "不予批准", "Rejected" },
	{ "completed", -1, "办结", "Completed" },
	{ "open", TN_REPORT_CASES, "在办", "Open" },
	{ "open_overdue", -1, "在办超期", "Open past deadline" },
	{ "backlog", -1, "期末积压", "Backlog at end" },
	{ "backlog_overdue", -1, "积压超期", "of which overdue" },
	{ "backlog_at", -1, "积压截至", "Backlog on" },
	{ "on_time", -1, "按时办结", "On time" },
	{ "late", -1, "超期", "Late" },
	{ "on_time_rate", -1, "按时率(承诺)%", "On time (promised) %" },
	{ "on_time_legal", -1, "按时办结(法定)", "On time (legal)" },
	{ "late_legal", -1, "超期(法定)", "Late (legal)" },
	{ "on_time_legal_rate", -1, "按时率(法定)%", "On time (legal) %" },
	{ "days_n", -1, "办结件数", "Completed, with working days" },
	{ "days_mean", -1, "平均工作日", "Working days, mean" },
	{ "days_median", -1, "工作日中位数", "median" },
	{ "days_p90", -1, "工作日P90", "p90" },
	{ "legal_days_mean", -1, "平均法定时限", "Legal days, mean" },
	{ "time_saving_pct", -1, "时限压缩%", "Time saved %" },
	{ "materials", -1, "材料", "Materials" },
	{ "materials_exempted", -1, "免交材料", "Exempted" },
	{ "materials_asked", -1, "需交材料", "Asked" },
	{ "materials_saving_pct", -1, "材料免交率%", "Materials saved %" },
	{ "provisional_deadlines", -1, "暂定期限", "Provisional deadlines" },
	{ "raised", -1, "告警", "Raised" },
	{ "dispatched", -1, "已派单", "Dispatched" },
	{ "closed", -1, "已关闭", "Closed" },
	{ "open", TN_REPORT_ALERTS, "未关闭", "Open" },
	{ "open_past_target", -1, "未关闭超时", "Open past target" },
	{ "closed_in_target", -1, "按时关闭", "Closed in target" },
	{ "closed_in_target_rate", -1, "按时关闭率%", "Closed in target %" },
	{ "dispatch_min_n", -1, "派单数", "Dispatched, timed" },
	{ "dispatch_min_mean", -1, "派单平均分钟", "Minutes to dispatch, mean" },
	{ "dispatch_min_median", -1, "派单分钟中位数", "Minutes to dispatch, median" },
	{ "dispatch_min_p90", -1, "派单分钟P90", "p90" },
	{ "close_min_n", -1, "关闭数", "Closed, timed" },
	{ "close_min_mean", -1, "关闭平均分钟", "Minutes to close, mean" },
	{ "close_min_median", -1, "关闭分钟中位数", "Minutes to close, median" },
	{ "close_min_p90", -1, "关闭分钟P90", "p90" },
	{ "kind", TN_REPORT_TASKS, "告警类型", "Kind" },
	{ "district", TN_REPORT_TASKS, "区划代码", "District code" },
	{ "district_name", TN_REPORT_TASKS, "区", "District" },
	{ "department", TN_REPORT_TASKS, "部门", "Department" },
	{ "generated", -1, "生成任务", "Tasks generated" },
	{ "open", TN_REPORT_TASKS, "未办结", "Open" },
	{ "resolved", -1, "已处置", "Resolved" },
	{ "evaluated", -1, "已评价", "Evaluated" },
	{ "dispatch_in_target", -1, "按时派单", "Dispatched in target" },
	{ "dispatch_past_target", -1, "派单超时", "Dispatched past target" },
	{ "dispatch_in_target_rate", -1, "按时派单率%", "Dispatched in target %" },
	{ "acknowledge_min_n", -1, "签收数", "Acknowledged, timed" },
	{ "acknowledge_min_median", -1, "签收分钟中位数", "Minutes to acknowledge, median" },
	{ "acknowledge_min_p90", -1, "签收分钟P90", "p90" },
	{ "acknowledge_in_target", -1, "按时签收", "Acknowledged in target" },
	{ "acknowledge_past_target", -1, "签收超时", "Acknowledged past target" },
	{ "acknowledge_in_target_rate", -1, "按时签收率%", "Acknowledged in target %" },
	{ "resolve_min_n", -1, "处置数", "Resolved, timed" },
	{ "resolve_min_median", -1, "处置分钟中位数", "Minutes to resolve, median" },
	{ "resolve_min_p90", -1, "处置分钟P90", "p90" },
	{ "resolve_in_target", -1, "按时处置", "Resolved in target" },
	{ "resolve_past_target", -1, "处置超时", "Resolved past target" },
	{ "resolve_in_target_rate", -1, "按时处置率%", "Resolved in target %" },
	{ "escalations", -1, "升级次数", "Escalations" },
	{ "escalated", -1, "升级任务", "Tasks escalated" },
	{ "steps", -1, "预案步骤", "Plan steps" },
	{ "steps_late", -1, "预案步骤超时", "Plan steps late" },
	{ "score_mean", -1, "平均评分", "Mean score" },
};

const char *tn_report_heading(const char *col, enum tn_report_kind kind, const char *by,
			      enum tn_report_lang lang, int html)
{
	int is_group = strcmp(col, "group") == 0, is_name = strcmp(col, "name") == 0;

	if (is_group || is_name) {
		if (lang == TN_REPORT_EN)
			return html != 1 ? col : is_group ? "Group" : "Name";
		for (size_t i = 0; by && i < sizeof(groupings) / sizeof(groupings[0]); i++)
			if (strcmp(groupings[i].by, by) == 0)
				return is_name ? groupings[i].zh_name :
				       html == 2 ? groupings[i].zh_code : groupings[i].zh;
		return is_group ? "分组" : "名称";
	}
	if (lang == TN_REPORT_EN && html != 1)
		return col;
	for (size_t i = 0; i < sizeof(headings) / sizeof(headings[0]); i++)
		if (strcmp(headings[i].col, col) == 0 &&
		    (headings[i].kind < 0 || headings[i].kind == (int)kind))
			return lang == TN_REPORT_ZH ? headings[i].zh : headings[i].en;
	return col;
}

const char *tn_report_total_word(enum tn_report_lang lang)
{
	return lang == TN_REPORT_ZH ? "合计" : "total";
}

const char *tn_report_label(jv row, const char *by)
{
	const char *name = tn_jv_str(row, "name"), *group = tn_jv_str(row, "group");
	int named = by && (strcmp(by, "department") == 0 || strcmp(by, "item") == 0 ||
			   strcmp(by, "workflow") == 0 || strcmp(by, "district") == 0 ||
			   strcmp(by, "kind") == 0);

	if (named && name && *name)
		return name;
	return group ? group : "-";
}

jv tn_report_display_row(jv row, const char *const *cols, enum tn_report_kind kind,
			 const char *by, enum tn_report_lang lang, int label)
{
	jv out = jv_object();
	int total = tn_jv_is(row, "group", "total") && !tn_jv_str(row, "name");

	for (int i = 0; cols[i]; i++) {
		const char *key = tn_report_heading(cols[i], kind, by, lang, label ? 0 : 2);
		jv v;

		if (strcmp(cols[i], "group") == 0)
			v = jv_string(total ? tn_report_total_word(lang) :
				      label ? tn_report_label(row, by) : tn_jv_str_or(row, "group", "-"));
		else
			v = tn_jv_get(row, cols[i]);
		if (jv_get_kind(v) == JV_KIND_INVALID) {
			jv_free(v);
			v = jv_null();
		}
		out = jv_object_set(out, jv_string(key), v);
	}
	jv_free(row);
	return out;
}

/* The total's whole number at `key` of a report (borrowed); 0 when none. */
static long count_of(jv report, const char *key)
{
	jv t = tn_jv_get(report, "total");
	long n = tn_jv_long(t, key, 0);

	jv_free(t);
	return n > 0 ? n : 0;
}

long tn_report_provisional_note_in(struct tn_buf *out, jv report, enum tn_report_lang lang)
{
	long n = tn_report_provisional(report), of;

	if (lang == TN_REPORT_EN)
		return tn_report_provisional_note(out, report);
	if (n <= 0)
		return 0;
	of = count_of(report, "received");
	if (of > n)
		tn_buf_addf(out, "共 %ld 件中有 %ld 件", of, n);
	else if (n > 1)
		tn_buf_addf(out, "全部 %ld 件", n);
	else
		tn_buf_adds(out, "1 件");
	tn_buf_adds(out, "的期限为暂定：" TN_REPORT_PROVISIONAL_ZH);
	return n;
}

/* The target of severity `sev` in minutes, from the report's targets_min (borrowed); 0: none. */
static long target(jv report, const char *sev)
{
	jv t = tn_jv_get(report, "targets_min");
	long n = tn_jv_long(t, sev, 0);

	jv_free(t);
	return n;
}

static void case_notes(struct tn_buf *out, jv report, enum tn_report_lang lang)
{
	int zh = lang == TN_REPORT_ZH;

	tn_buf_adds(out, zh ?
		    "按时：在期限当日或之前办结；按时率的分母为已办结的案件加上已过期限仍在办的案件。"
		    "期限取承诺时限，法定时限更早时取法定时限。\n" :
		    "On time: completed on or before the deadline, out of the cases completed and "
		    "those still open past it; the deadline is the promised one, or the legal one "
		    "when that is earlier.\n");
	tn_buf_adds(out, zh ?
		    "工作日：自提交次日起至办结之日，按工作日历（法定节假日和调休上班日）计算。\n" :
		    "Working days count from submission to completion, by the working-day calendar "
		    "(public holidays and working weekend days).\n");
	tn_buf_adds(out, zh ?
		    "期末积压：统计期最后一天结束时（按日、周、月分组时为该日、周、月的最后一天）仍在办的"
		    "案件，不论何时收件；积压超期：其中当时已过期限的。\n" :
		    "Backlog: the cases still open at the end of the period's last day (of the "
		    "day, week or month of the row when grouped so), whenever they were received; "
		    "overdue: those of them past their deadline then.\n");
	tn_buf_adds(out, zh ?
		    "材料免交率：事项要求的材料中，申请人已有电子证照因而免于提交的比例。\n" :
		    "Materials saved: the share of the materials the items ask for that the "
		    "applicants were not asked for, held as e-certificates.\n");
	if (tn_report_provisional(report) > 0)
		tn_buf_adds(out, zh ? "*：该行有期限为暂定的案件，" TN_REPORT_PROVISIONAL_ZH "。\n" :
			    "*: the row has cases with a provisional deadline, "
			    TN_PROVISIONAL_NOTE ".\n");
}

static void alert_notes(struct tn_buf *out, jv report, enum tn_report_lang lang)
{
	int zh = lang == TN_REPORT_ZH;

	if (zh)
		tn_buf_addf(out, "按时关闭：告警自发生起在其级别的目标时间内关闭（红色 %ld 分钟、"
			    "橙色 %ld 分钟、黄色 %ld 分钟、蓝色 %ld 分钟）；按时关闭率的分母为已关闭的"
			    "告警。\n", target(report, "red"), target(report, "orange"),
			    target(report, "yellow"), target(report, "blue"));
	else
		tn_buf_addf(out, "Closed in target: closed within the target of its severity after "
			    "being raised (red %ld minutes, orange %ld, yellow %ld, blue %ld), out of "
			    "the alerts closed.\n", target(report, "red"), target(report, "orange"),
			    target(report, "yellow"), target(report, "blue"));
	tn_buf_adds(out, zh ?
		    "派单、关闭分钟：自告警发生起的整分钟数，取中位数和第 90 百分位数。\n" :
		    "Minutes to dispatch and to close: whole minutes from raising, the median and "
		    "the 90th percentile.\n");
	tn_buf_adds(out, zh ? "未关闭超时：尚未关闭、且发生至今已超过目标时间的告警。\n" :
		    "Open past target: not closed, and raised longer ago than its target.\n");
}

static void task_notes(struct tn_buf *out, enum tn_report_lang lang)
{
	int zh = lang == TN_REPORT_ZH;

	tn_buf_adds(out, zh ?
		    "派单、签收、处置分钟：自任务生成起的分钟数，取中位数和第 90 百分位数。\n" :
		    "Minutes to dispatch, acknowledge and resolve: from the task's generation, the "
		    "median and the 90th percentile.\n");
	tn_buf_adds(out, zh ?
		    "按时率：在该任务类型和级别的目标时间内完成的比例；分母为已完成的任务加上已过目标时间"
		    "仍未完成的任务。\n" :
		    "In target: done within the target of the task's kind and severity, out of the "
		    "tasks done and those still not done past it.\n");
	tn_buf_adds(out, zh ?
		    "预案步骤超时：晚于期限完成的步骤，以及已过期限仍未完成的步骤。\n" :
		    "Plan steps late: done after their due time, or still pending past it.\n");
}

void tn_report_footnotes(struct tn_buf *out, jv report, enum tn_report_lang lang)
{
	enum tn_report_kind kind = tn_report_kind_of(report);

	if (kind == TN_REPORT_ALERTS)
		alert_notes(out, report, lang);
	else if (kind == TN_REPORT_TASKS)
		task_notes(out, lang);
	else
		case_notes(out, report, lang);
}
