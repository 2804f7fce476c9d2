/* test_srv_routes.c — twonetd's route table (route_table) is well formed: methods, paths, roles, details, no row hidden by another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "twonetd.h"

static int is_role(const char *s, size_t len)
{
	for (size_t i = 0; twonetd_roles[i]; i++)
		if (strlen(twonetd_roles[i]) == len && strncmp(twonetd_roles[i], s, len) == 0)
			return 1;
	return 0;
}

static void test_rows(void **state)
{
	size_t n;
	const struct route *t = route_table(&n);

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &t[i];
		const char *p;

		assert_non_null(r->method);
		assert_non_null(r->path);
		assert_non_null(r->roles);
		assert_non_null(r->scope);
		assert_non_null(r->fn);
		if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "POST") != 0) {
			print_error("row %zu: method '%s'\n", i, r->method);
			fail();
		}
		/* "/v1/name/{arg}/name": no empty segment, no trailing slash, {} whole segments */
		assert_int_equal(strncmp(r->path, "/v1/", 4), 0);
		assert_null(strstr(r->path, "//"));
		assert_true(r->path[strlen(r->path) - 1] != '/');
		for (p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
			const char *close = strchr(p, '}');

			assert_non_null(close);
			assert_int_equal(p[-1], '/');
			assert_true(close[1] == '\0' || close[1] == '/');
			assert_true(close > p + 1);
		}
		/* roles: public, any, or known roles between bars */
		if (strcmp(r->roles, ROUTE_PUBLIC) != 0 && strcmp(r->roles, ROUTE_ANY) != 0) {
			for (p = r->roles; *p;) {
				size_t len = strcspn(p, "|");

				if (!is_role(p, len)) {
					print_error("row %s %s: role '%.*s' is not one of twonetd_roles\n",
						    r->method, r->path, (int)len, p);
					fail();
				}
				p += len + (p[len] == '|');
			}
		}
		/* the 403's detail: at most one conversion, and that a %s */
		if (r->deny) {
			const char *pct = strchr(r->deny, '%');

			if (pct) {
				assert_int_equal(pct[1], 's');
				assert_null(strchr(pct + 2, '%'));
			}
		}
	}
}

/* 1 when pattern `a` matches every path `b` matches (a {name} segment of b taken as any). */
static int covers(const char *a, const char *b)
{
	while (*a == '/' && *b == '/') {
		size_t la, lb;

		a++;
		b++;
		la = strcspn(a, "/");
		lb = strcspn(b, "/");
		if (a[0] != '{' && (b[0] == '{' || la != lb || strncmp(a, b, la) != 0))
			return 0;
		a += la;
		b += lb;
	}
	return *a == '\0' && *b == '\0';
}

static void test_no_row_hidden(void **state)
{
	size_t n;
	const struct route *t = route_table(&n);

	(void)state;
	/* the router takes the first row that matches: a later one must not be unreachable */
	for (size_t j = 0; j < n; j++)
		for (size_t i = 0; i < j; i++)
			if (strcmp(t[i].method, t[j].method) == 0 && covers(t[i].path, t[j].path)) {
				print_error("%s %s (row %zu) is hidden by %s (row %zu)\n", t[j].method,
					    t[j].path, j, t[i].path, i);
				fail();
			}
	assert_int_equal(covers("/v1/alerts/{id}", "/v1/alerts/stream"), 1);
	assert_int_equal(covers("/v1/alerts/stream", "/v1/alerts/{id}"), 0);
	assert_int_equal(covers("/v1/cases/{id}", "/v1/cases/{id}/events"), 0);
}

static void test_roles_list(void **state)
{
	size_t k = 0;

	(void)state;
	for (; twonetd_roles[k]; k++)
		for (size_t i = 0; i < k; i++)
			assert_true(strcmp(twonetd_roles[i], twonetd_roles[k]) != 0);
	assert_int_equal(k, 8);         /* twonetd(8): applicant, clerk, issuer, operator, sensor, admin, reader, crew */
	assert_int_equal(is_role("admin", 5), 1);
	assert_int_equal(is_role("root", 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_no_row_hidden),
		cmocka_unit_test(test_roles_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
