/* tn_yaml.h — YAML that users give (case files, config, catalog), loaded safely: no aliases, bounded, interruptible. */
#ifndef TN_YAML_H
#define TN_YAML_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

#include "tn_err.h"

/*
 * The limits of every YAML document the programs read (twonet(7)):
 *   a file of at most TN_YAML_MAX_FILE bytes,
 *   mappings and sequences nested at most TN_YAML_MAX_DEPTH deep,
 *   one scalar (a key or a value) of at most TN_YAML_MAX_SCALAR bytes,
 *   at most TN_YAML_MAX_NODES nodes (scalars, mappings, sequences) in all.
 * So a file of a kilobyte stays a kilobyte's worth of nodes: anchors and
 * aliases, which let a few lines stand for billions of nodes ("billion
 * laughs"), are refused outright, and so are merge keys, which need them.
 */
#define TN_YAML_MAX_FILE   (1024 * 1024)
#define TN_YAML_MAX_DEPTH  32
#define TN_YAML_MAX_SCALAR (64 * 1024)
#define TN_YAML_MAX_NODES  100000

/*
 * Load the one YAML document of `len` bytes at `text` (`name` names it in
 * messages) into *doc, a tree: every node has one parent, the root is node 1
 * (yaml_document_get_root_node), and each node's start_mark and end_mark are
 * set as libyaml's own loader sets them.  A stream with no document gives a
 * document with no root.  On TN_OK the caller frees *doc with
 * yaml_document_delete; on failure nothing is left to free.
 * Refused as TN_EINVALID with "NAME:LINE:COL: reason": malformed YAML, an
 * anchor or an alias, a second document, and anything past the limits above.
 * When tn_cli_interrupted() becomes true while parsing (SIGINT or SIGTERM
 * caught by tn_cli_catch_signals) the load stops with TN_EINTR.
 */
enum tn_code tn_yaml_load(const char *name, const char *text, size_t len, yaml_document_t *doc,
			  struct tn_err *err);

/*
 * Read `fp` (not closed) to its end, at most TN_YAML_MAX_FILE bytes, and
 * tn_yaml_load it.  TN_EIO when it cannot be read, TN_EINVALID when it is
 * larger, TN_EINTR when a signal interrupted the reading.
 */
enum tn_code tn_yaml_load_fp(const char *name, FILE *fp, yaml_document_t *doc,
			     struct tn_err *err);

/*
 * Reading a loaded document's nodes.  None of these allocate or fail; a NULL
 * node is accepted everywhere (a missing member) and every returned pointer
 * lives as long as the document.
 */

/* The text of a scalar node, or NULL when `n` is NULL or not a scalar. */
const char *tn_yaml_scalar(const yaml_node_t *n);

/* 1 when `n` is NULL or a plain (unquoted) scalar "", "~" or "null": a YAML null. */
int tn_yaml_is_null(const yaml_node_t *n);

/*
 * The value of the first pair of mapping `map` whose key is the scalar `key`;
 * NULL when there is none or `map` is NULL or not a mapping.
 */
yaml_node_t *tn_yaml_get(yaml_document_t *doc, const yaml_node_t *map, const char *key);

/* The 1-based line where `n` starts, 0 for NULL: what "FILE:LINE:" messages give. */
long tn_yaml_line(const yaml_node_t *n);

/*
 * Set `err` to TN_EINVALID with "NAME:LINE: MESSAGE" at node `n` (line 0 when
 * NULL), or "NAME:LINE:COL: MESSAGE" when `with_column`: the one shape of
 * every error about a YAML file's content.  Returns TN_EINVALID.
 */
enum tn_code tn_yaml_err(struct tn_err *err, const char *name, const yaml_node_t *n,
			 int with_column, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
enum tn_code tn_yaml_verr(struct tn_err *err, const char *name, const yaml_node_t *n,
			  int with_column, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* For each node `n` of sequence `seq` (NULL or not a sequence: none), in order. */
#define TN_YAML_SEQ_EACH(doc, seq, it, n) \
	for (yaml_node_item_t *it = ((seq) && (seq)->type == YAML_SEQUENCE_NODE) ? \
		(seq)->data.sequence.items.start : NULL; \
	     it && it < (seq)->data.sequence.items.top && \
		((n) = yaml_document_get_node((doc), *it), 1); it++)

#endif
