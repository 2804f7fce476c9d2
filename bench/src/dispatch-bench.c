/* dispatch-bench.c — bench/dispatch-bench GRAPH [POINTS [TRUCKS [RUNS [CLOSURES]]]]: flood-dispatch's proposals in process over a road graph, points and trucks at fixed pseudo-random nodes, roads closed by water; prints the load time and each run's proposal time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_buf.h"
#include "tn_roadgraph.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static unsigned long long seed = 20260701;

static unsigned long rnd(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned long)(seed >> 33);
}

static long arg(int argc, char **argv, int i, long dflt)
{
	long v;

	return argc > i && tn_parse_long(argv[i], &v) == 0 && v >= 0 ? v : dflt;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct tn_roadgraph *g = NULL;
	struct tn_err err = TN_ERR_INIT;
	long np = arg(argc, argv, 2, 64), nt = arg(argc, argv, 3, 100), runs = arg(argc, argv, 4, 3);
	long nc = arg(argc, argv, 5, 20);
	double t0, lat, lon, *ms;
	struct tn_truck *trucks;
	struct tn_flood_point *pts;
	unsigned char *closed;
	char (*names)[16];
	int nn, nclosed = 0, served = 0;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: dispatch-bench GRAPH [POINTS [TRUCKS [RUNS [CLOSURES]]]]\n");
		return 2;
	}
	t0 = now_ms();
	if (tn_roadgraph_load(argv[1], &g, &err) != TN_OK) {
		fprintf(stderr, "dispatch-bench: %s\n", err.message);
		return 1;
	}
	printf("graph: %d nodes, %d edges, loaded in %.0f ms\n", tn_roadgraph_node_count(g),
	       tn_roadgraph_edge_count(g), now_ms() - t0);
	nn = tn_roadgraph_node_count(g);
	trucks = tn_xcalloc(nt + 1, sizeof(*trucks));
	pts = tn_xcalloc(np + 1, sizeof(*pts));
	names = tn_xcalloc(nt + np + 1, sizeof(*names));
	/* positions a little off the nodes, as trucks and gauges are */
	for (long i = 0; i < nt; i++) {
		tn_roadgraph_node_pos(g, (int)(rnd() % nn), &lat, &lon);
		snprintf(names[i], sizeof(names[i]), "PT-%03ld", i + 1);
		trucks[i] = (struct tn_truck){ names[i], lat + 0.0003, lon - 0.0002, 300 };
	}
	for (long i = 0; i < np; i++) {
		tn_roadgraph_node_pos(g, (int)(rnd() % nn), &lat, &lon);
		snprintf(names[nt + i], sizeof(names[0]), "FP-%02ld", i + 1);
		pts[i] = (struct tn_flood_point){ names[nt + i], lat - 0.0002, lon + 0.0003,
						  0.3 + (double)(rnd() % 50) / 100, 1 + (int)(rnd() % 3),
						  NULL, 0 };
	}
	closed = tn_roadgraph_closed_new(g);
	for (long i = 0; i < nc; i++) {
		tn_roadgraph_node_pos(g, (int)(rnd() % nn), &lat, &lon);
		nclosed += tn_roadgraph_close_near(g, closed, lat, lon, 0.6, 0.3, 30);
	}
	printf("%ld points flooded at once, %ld free trucks, %d roads closed by %ld depth alerts\n",
	       np, nt, nclosed, nc);
	ms = tn_xcalloc(runs, sizeof(double));
	for (long r = 0; r < runs; r++) {
		struct tn_proposal *p = NULL;
		int n;

		t0 = now_ms();
		n = tn_dispatch_plan(g, closed, trucks, (int)nt, pts, (int)np, NULL, &p);
		served = 0;
		for (int i = 0; i < n; i++) {
			jv j = tn_proposal_json(g, trucks, pts, &p[i]);

			served += p[i].truck >= 0;
			jv_free(j);
		}
		ms[r] = now_ms() - t0;
		tn_proposals_free(p, n);
		printf("run %ld: %.1f ms (%d points served)\n", r + 1, ms[r], served);
	}
	qsort(ms, runs, sizeof(double), dbl_cmp);
	printf("proposal time: median %.1f ms, spread %.1f to %.1f ms over %ld runs (goal: under 100 ms)\n",
	       ms[runs / 2], ms[0], ms[runs - 1], runs);
	free(ms);
	free(closed);
	free(names);
	free(pts);
	free(trucks);
	tn_roadgraph_free(g);
	return 0;
}
