/* casestate.c — a case's statuses and the actions between them, read from TN_CASE_STATES and TN_CASE_ACTIONS. */
#include <string.h>

#include "tn_case.h"

static const struct {
	const char *name, *label;
} states[] = {
#define TN_X_STATE_ROW(e, name, label, sep) { name, label },
	TN_CASE_STATES(TN_X_STATE_ROW)
#undef TN_X_STATE_ROW
};

static const struct tn_case_move moves[] = {
#define TN_X_MOVE_ROW(e, name, from, to, comment, roles, label, key, sep) \
	{ name, from, to, comment, roles, label, key },
	TN_CASE_ACTIONS(TN_X_MOVE_ROW)
#undef TN_X_MOVE_ROW
};

const char *tn_case_state_name(int state)
{
	return state >= 0 && state < TN_CASE_STATE_COUNT ? states[state].name : NULL;
}

const char *tn_case_state_label(int state)
{
	return state >= 0 && state < TN_CASE_STATE_COUNT ? states[state].label : NULL;
}

int tn_case_state_parse(const char *name)
{
	for (int i = 0; name && i < TN_CASE_STATE_COUNT; i++)
		if (!strcmp(name, states[i].name))
			return i;
	return -1;
}

int tn_case_state_open(int state)
{
	return state != TN_CASE_REJECTED && state != TN_CASE_COMPLETED;
}

int tn_case_action_parse(const char *name)
{
	for (int i = 0; name && i < TN_CASE_ACTION_COUNT; i++)
		if (!strcmp(name, moves[i].name))
			return i;
	return -1;
}

const struct tn_case_move *tn_case_move(int action)
{
	return action >= 0 && action < TN_CASE_ACTION_COUNT ? &moves[action] : NULL;
}

int tn_case_action_valid(const char *action)
{
	return tn_case_action_parse(action) >= 0;
}

/* 1 when `word` is one of the '|'-separated words of `list`. */
static int word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (*list) {
		size_t l = strcspn(list, "|");

		if (l == n && !strncmp(list, word, n))
			return 1;
		list += l;
		if (*list)
			list++;
	}
	return 0;
}

enum tn_code tn_case_action_check(const char *action, const char *role, int *act,
				  struct tn_err *err)
{
	int a = tn_case_action_parse(action);

	if (a < 0)
		return tn_err_field(err, TN_EINVALID, "action", "unknown action '%s'",
				    action ? action : "");
	if (role && !word_in(moves[a].roles, role)) {
		if (!strcmp(role, "applicant"))
			return tn_err_field(err, TN_EAUTH, "action", "an applicant may only resubmit a case");
		return tn_err_field(err, TN_EAUTH, "action", "role '%s' may not %s a case", role, action);
	}
	if (act)
		*act = a;
	return TN_OK;
}

enum tn_code tn_case_transition(const char *from, const char *action, const char *role,
				const char *comment, enum tn_case_state *to, struct tn_err *err)
{
	enum tn_code rc;
	int a, s;

	if ((rc = tn_case_action_check(action, role, &a, err)) != TN_OK)
		return rc;
	s = tn_case_state_parse(from);
	if (s < 0 || !(moves[a].from & TN_CASE_BIT(s)))
		return tn_err_set(err, TN_ECONFLICT, "cannot %s a case that is %s", action,
				  from ? from : "of no status");
	if (moves[a].needs_comment && (!comment || !*comment))
		return tn_err_field(err, TN_EINVALID, "comment", "a comment is required to %s a case",
				    action);
	if (to)
		*to = moves[a].to;
	return TN_OK;
}
