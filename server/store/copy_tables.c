/* copy_tables.c — the tables 'twonetd copy' moves (copy_tables.h), shared by both backends' dump and load. */
#include <string.h>

#include "tn_buf.h"
#include "copy_tables.h"

const struct copy_table copy_tables[COPY_TABLES_N] = {
	{ "tokens", "id, hash, name, role, dept, subject, created_at, expires_at, revoked_at, "
	  "last_used_at", "id", "id", 0, NULL },
	{ "departments", "code, name, doc", "code", NULL, 0, NULL },
	{ "items", "code, name, department, legal_days, promised_days, doc", "code", NULL, 0, NULL },
	{ "workflows", "code, doc", "code", NULL, 0, NULL },
	{ "cases", "seq, item, department, status, applicant_id, applicant_name, submitted_at, "
	  "deadline, version, submitted_by, token_id, idem_key, idem_hash, doc, r_day, r_workflow, "
	  "r_legal, r_legal_days, r_accepted, r_returned, r_done, r_mat, r_exempt, workflow, "
	  "parent_seq, deadline_from, deadline_days, legal_days, deadline_provisional",
	  "seq", "seq", 0, NULL },
	{ "events", "case_seq, seq, at, actor, role, action, from_status, to_status, comment, "
	  "version", "case_seq, seq", NULL, 0, NULL },
	{ "issuers", "key_id, dept, uscc, public_key, created_at, retired_at", "key_id", NULL, 0,
	  NULL },
	{ "cert_serials", "kind, issuer, year, last", "kind, issuer, year", NULL, 0, NULL },
	{ "certs", "id, kind, holder, dept, status, revoked_at, revoke_reason, token_id, idem_key, "
	  "idem_hash, doc", "id", NULL, 0, NULL },
	{ "consents", "id, hash, holder, scenario, expires_at, expires_epoch, created_at, "
	  "created_by, kinds, revoked_at", "id", "id", 0, "id" },
	{ "consent_codes", "hash, holder, created_at, created_by, expires_epoch, used_by, "
	  "used_dept, used_epoch", "hash", NULL, 0, NULL },
	{ "audit", "seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, hash", "seq",
	  NULL, 0, NULL },
	{ "audit_head", "id, seq, hash", "id", NULL, 1, NULL },
	{ "alerts", "id, source, source_id, kind, severity, district, status, raised_at, seq, doc",
	  "id", NULL, 0, NULL },
	{ "alert_events", "seq, alert_id, event, at, severity, district, kind, action, actor, "
	  "comment, data, task_id", "seq", "seq", 0, NULL },
	{ "tasks", "id, rule, dkey, status, open, kind, severity, priority, department, district, "
	  "crew, generated_at, next_due, version, doc", "id", NULL, 0, NULL },
	{ "task_alerts", "task_id, alert_id", "task_id, alert_id", NULL, 0, NULL },
	{ "assets", "id, kind, name, district, street, department, lat, lon, state, version, doc",
	  "id", NULL, 0, NULL },
	{ "workdays", "day, idx, work", "day", NULL, 0, NULL },
	{ "calendar_years", "year, source, loaded_at", "year", NULL, 0, NULL },
	{ "calendar_days", "day, work, name", "day", NULL, 0, NULL },
	{ "calendar_state", "id, generation", "id", NULL, 1, NULL },
};

const struct copy_table *copy_table_find(const char *name)
{
	for (int i = 0; i < COPY_TABLES_N; i++)
		if (strcmp(copy_tables[i].name, name) == 0)
			return &copy_tables[i];
	return NULL;
}

int copy_table_ncols(const struct copy_table *t)
{
	int n = 1;

	for (const char *c = t->cols; *c; c++)
		n += *c == ',';
	return n;
}

/* t's columns, `rowid_as` (when not NULL) in place of t->rowid, onto b. */
static void cols_add(struct tn_buf *b, const struct copy_table *t, const char *rowid_as)
{
	const char *c = t->cols, *e;

	while (*c) {
		e = strchr(c, ',');
		if (!e)
			e = c + strlen(c);
		if (rowid_as && t->rowid && (size_t)(e - c) == strlen(t->rowid) &&
		    strncmp(c, t->rowid, (size_t)(e - c)) == 0)
			tn_buf_adds(b, rowid_as);
		else
			tn_buf_add(b, c, (size_t)(e - c));
		if (!*e)
			break;
		tn_buf_adds(b, ", ");
		c = e + 1;
		while (*c == ' ')
			c++;
	}
}

char *copy_table_select(const struct copy_table *t, const char *rowid_as)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_adds(&b, "SELECT ");
	cols_add(&b, t, rowid_as);
	tn_buf_addf(&b, " FROM %s ORDER BY %s", t->name,
		    rowid_as && t->rowid && strcmp(t->key, t->rowid) == 0 ? rowid_as : t->key);
	return tn_buf_detach(&b, NULL);
}

char *copy_table_insert(const struct copy_table *t, int dollar, const char *rowid_as)
{
	struct tn_buf b = TN_BUF_INIT;
	int n = copy_table_ncols(t);
	const char *c;

	tn_buf_addf(&b, "INSERT INTO %s (", t->name);
	cols_add(&b, t, rowid_as);
	tn_buf_adds(&b, ") VALUES (");
	for (int i = 1; i <= n; i++) {
		if (dollar)
			tn_buf_addf(&b, "%s$%d", i > 1 ? ", " : "", i);
		else
			tn_buf_adds(&b, i > 1 ? ", ?" : "?");
	}
	if (!t->singleton) {
		tn_buf_adds(&b, ") ON CONFLICT DO NOTHING");
		return tn_buf_detach(&b, NULL);
	}
	/* "id, a, b": SET a = excluded.a, b = excluded.b WHERE t.a < excluded.a */
	tn_buf_adds(&b, ") ON CONFLICT (id) DO UPDATE SET ");
	c = strchr(t->cols, ',') + 2;
	for (const char *e; *c; c = e + (*e ? 2 : 0)) {
		e = strchr(c, ',');
		if (!e)
			e = c + strlen(c);
		tn_buf_addf(&b, "%s%.*s = excluded.%.*s", c == strchr(t->cols, ',') + 2 ? "" : ", ",
			    (int)(e - c), c, (int)(e - c), c);
	}
	c = strchr(t->cols, ',') + 2;
	tn_buf_addf(&b, " WHERE %s.%.*s < excluded.%.*s", t->name, (int)strcspn(c, ","), c,
		    (int)strcspn(c, ","), c);
	return tn_buf_detach(&b, NULL);
}
