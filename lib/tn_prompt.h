/* tn_prompt.h — interactive case entry with readline: prompts per form field, completion, checks as typed. */
#ifndef TN_PROMPT_H
#define TN_PROMPT_H

#include <stdio.h>
#include <jv.h>

#include "tn_case.h"
#include "tn_err.h"
#include "tn_http.h"

/*
 * Check one answer against a form field's rule (`field` borrowed: the field
 * object of an ITEM, {name,label,type,required,values?,pattern?,max_length?}).
 * On TN_OK *value (owned) is the value to put in the form: a number for type
 * "number", a string otherwise, or jv_invalid() for an empty answer to an
 * optional field (leave it out).  On TN_EINVALID err says why, in words meant
 * for the person typing ("required", "not one of: a, b", "check character
 * is 'X', expected '3'", "does not match the pattern '^...$'").
 */
enum tn_code tn_prompt_check_field(jv field, const char *text, jv *value, struct tn_err *err);

/*
 * The readline history file: $XDG_STATE_HOME/twonet/history, or
 * ~/.local/state/twonet/history.  malloc'd; NULL when neither is set.
 */
char *tn_prompt_history_path(void);

/*
 * Ask for a case on the terminal: the item (tab completes the codes fetched
 * from GET /v1/items; skipped when preset->item is set), the applicant, then
 * every field of the item's form (GET /v1/items/{code}) by its label, with tab
 * completion of an enum field's values, each answer checked as it is given
 * and asked again with the reason when it is wrong; then the materials.
 * Presets in `preset` (may be NULL) are used instead of asking.  Prompts and
 * messages go to `tty` (the terminal, normally stderr) and nowhere else;
 * answers are kept in the history file.  The body (owned) in *body.
 * End of input (Ctrl-D) is TN_EINTR "cancelled"; server errors as tn_client_do.
 */
enum tn_code tn_prompt_case(struct tn_client *c, const struct tn_case_spec *preset, FILE *tty,
			    jv *body, struct tn_err *err);

/*
 * Ask a yes/no question on `tty`; an empty answer is `dflt`.
 * Returns 1 yes, 0 no, -1 at end of input.
 */
int tn_prompt_confirm(FILE *tty, const char *question, int dflt);

#endif
