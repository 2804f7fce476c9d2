/* audit_writer.h — the one process of a server that writes every worker's audit rows: its contract. */
#ifndef TWONETD_AUDIT_WRITER_H
#define TWONETD_AUDIT_WRITER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store_certs.h"

/*
 * Every certificate read is written to the hash-chained audit log before it
 * is answered (certs_audit.c).  When each worker wrote its own rows, the
 * workers took turns at the log's one write lock (each waited for the
 * other about as long as it held it), each commit dropped the other's
 * cached pages of the log, and every loop turn of every worker paid a
 * commit.  Instead `twonetd serve` starts one more process, the audit
 * writer ("twonetd-audit" in ps), beside its workers: a worker sends the
 * rows of its loop turn down a socket and goes on serving; the writer
 * takes what every worker sent since its last commit, appends it to the
 * chain in one transaction (the head read inside it, as before, so other
 * writers of the database interleave correctly), and answers each worker
 * once it is committed: only then are the replies sent.
 *
 * The sockets are AF_UNIX SOCK_SEQPACKET pairs made by the parent, one a
 * worker slot: a message is whole or not sent, so a worker that dies
 * leaves nothing half-read, and its replacement reads the answers meant for
 * it (they carry the sender's pid: the others are dropped).  A message holds
 * at most AW_MSG_MAX bytes of rows; a worker whose batch is larger sends
 * several.  The parent keeps the workers' ends (for replacements) and not
 * the writer's: when the writer ends, every worker reads the end of its
 * socket, answers 500 to the reads it had sent (their rows may or may not be
 * written; none is served unwritten), and from then on writes its rows
 * itself as before.  The writer ends when the parent, after its last worker
 * stopped, closes the workers' ends: it has then answered everything.
 *
 * The writer also runs what goes with writing the log: the signed
 * checkpoints of its head (certs_ckpt.c) and the checkpoint thread with the
 * log's index file (store_certs_checkpointer).  It ignores SIGTERM, SIGINT
 * and SIGHUP (the parent stops it as said), and dies with the parent.
 * TWONETD_AUDIT_WRITER=0 starts none: every worker writes its own rows.
 */

#define AW_MSG_MAX (60 * 1024)  /* a message's rows, encoded */
#define AW_WHY_MAX 200

/* ---- the parent (serve.c) ---- */

/*
 * Make the sockets of `workers` slots and fork the writer on database
 * `db`; `listen_fd` is closed in it; `old` is the signal mask before the
 * parent blocked its signals.  The writer's pid, or -1 when there is none
 * (TWONETD_AUDIT_WRITER=0, or it could not start: said on stderr; the
 * workers then write their own rows).
 */
pid_t aw_start(const char *db, long workers, int listen_fd, const sigset_t *old);
/* In a forked worker of `slot`: its end of the socket (-1: no writer), the others closed. */
int aw_worker_fd(long slot);
/* The parent, after its last worker stopped: close the workers' ends and wait for the writer. */
void aw_finish(pid_t pid);

/* ---- a worker (certs_audit.c) ---- */

/* The writer's answer to one message (and every earlier one of the same sender). */
struct aw_ack {
	uint64_t id;
	int ok;
	char why[AW_WHY_MAX];   /* when not ok */
};

/*
 * Send rows [0, n) as message `id`.  Returns how many rows went (the first
 * ones, as many as fit AW_MSG_MAX: send the rest next), 0 when the socket is
 * full (try again when it is writable), -1 when the writer is gone, -2 when
 * row 0 alone does not fit a message (write that one yourself).
 */
long aw_send(int fd, uint64_t id, const struct store_audit *rows, size_t n);
/* The next answer meant for this process: 1 read into *a, 0 none waiting, -1 the writer is gone. */
int aw_recv(int fd, struct aw_ack *a);
/* Wait up to `ms` for an answer to come (a worker's last flush): 1 one may be read, 0 not. */
int aw_wait(int fd, int ms);

#endif
