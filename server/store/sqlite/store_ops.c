/* store_ops.c — the SQLite backend's table of operations, for the dispatcher (store_ops.h). */
#include "store_int.h"

/* Every operation but the optional ones (OPT): SQLite's wake-up is the folder beside its file. */
#define SQLITE_OP_CODE(name) .name = sqlite_##name,
#define SQLITE_OP_VOID(name) SQLITE_OP_CODE(name)
#define SQLITE_OP_ZERO(name) SQLITE_OP_CODE(name)
#define SQLITE_OP_NEG(name) SQLITE_OP_CODE(name)
#define SQLITE_OP_FAIL(name) SQLITE_OP_CODE(name)
#define SQLITE_OP_HEALTH(name) SQLITE_OP_CODE(name)
#define SQLITE_OP_OPT(name)

const struct store_ops store_sqlite_ops = {
#define SQLITE_OP_ENTRY(ret, name, params, args, none) SQLITE_OP_##none(name)
	STORE_OPS(SQLITE_OP_ENTRY)
#undef SQLITE_OP_ENTRY
	/* twonetd copy (store_copy.c) */
	.dump = sqlite_dump,
	.load = sqlite_load,
};
