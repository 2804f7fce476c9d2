/* store_ops.c — the SQLite backend's table of operations, for the dispatcher (store_ops.h). */
#include "store_int.h"

const struct store_ops store_sqlite_ops = {
#define SQLITE_OP_ENTRY(ret, name, params, args, none) .name = sqlite_##name,
	STORE_OPS(SQLITE_OP_ENTRY)
#undef SQLITE_OP_ENTRY
};
