/* common.c — the storage wall's functions that take no store: the same for every backend. */
#include <stdlib.h>
#include <string.h>

#include "store.h"

void store_token_release(struct store_token *tok)
{
	free(tok->name);
	free(tok->role);
	free(tok->dept);
	free(tok->subject);
	memset(tok, 0, sizeof(*tok));
}
