/* test_config.c — config precedence (flags > env > profile > defaults), the permission refusal, YAML errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_config.h"

static char dir[64];
static char cfgpath[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_config.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.yaml", dir);
	unsetenv("TWONET_CONFIG");
	unsetenv("TWONET_URL");
	unsetenv("TWONET_TOKEN");
	unsetenv("TWONET_PROFILE");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("NO_COLOR");
	setenv("HOME", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	struct tn_buf cmd = TN_BUF_INIT;

	tn_buf_addf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
	tn_buf_release(&cmd);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

/* Flags as tn_cli_parse leaves them when none is given. */
static struct tn_common no_flags(void)
{
	struct tn_common c;

	memset(&c, 0, sizeof(c));
	c.retries = -1;
	return c;
}

static const char two_profiles[] =
	"# twonet client config\n"
	"default: prod\n"
	"profiles:\n"
	"  prod:\n"
	"    url: https://twonet.example.gov.cn\n"
	"    token: prod-token\n"
	"    purpose: 办件审核\n"
	"    timeout: 60\n"
	"    retries: 2\n"
	"    format: csv\n"
	"    color: false\n"
	"  test:\n"
	"    url: http://test.local:8642\n"
	"    token: test-token\n"
	"  empty:\n";

static void test_defaults_without_file(void **state)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_config_load(&cfg, NULL, &err), TN_OK);
	assert_string_equal(cfg.url, "http://127.0.0.1:8642");
	assert_null(cfg.token);
	assert_null(cfg.profile);
	assert_null(cfg.path);
	assert_null(cfg.format);
	assert_int_equal(cfg.timeout_s, 30);
	assert_int_equal(cfg.connect_timeout_s, 5);
	assert_int_equal(cfg.retries, 4);
	assert_int_equal(cfg.color, 1);
	tn_config_release(&cfg);
}

/* TWONET_RETRIES sits between the flag and the profile, like the other variables */
static void test_retries_env(void **state)
{
	struct tn_config cfg;
	struct tn_common common;
	struct tn_err err = TN_ERR_INIT;

	memset(&common, 0, sizeof(common));
	common.retries = -1;
	setenv("TWONET_RETRIES", "1", 1);
	assert_int_equal(tn_config_load(&cfg, &common, &err), TN_OK);
	assert_int_equal(cfg.retries, 1);
	tn_config_release(&cfg);
	common.retries = 7;
	assert_int_equal(tn_config_load(&cfg, &common, &err), TN_OK);
	assert_int_equal(cfg.retries, 7);
	tn_config_release(&cfg);
	setenv("TWONET_RETRIES", "many", 1);   /* not a number: the default */
	common.retries = -1;
	assert_int_equal(tn_config_load(&cfg, &common, &err), TN_OK);
	assert_int_equal(cfg.retries, 4);
	tn_config_release(&cfg);
	unsetenv("TWONET_RETRIES");
}

static void test_default_profile(void **state)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;
	struct tn_common c = no_flags();

	setenv("TWONET_CONFIG", cfgpath, 1);
	write_file(cfgpath, two_profiles, 0600);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.url, "https://twonet.example.gov.cn");
	assert_string_equal(cfg.token, "prod-token");
	assert_string_equal(cfg.profile, "prod");
	assert_string_equal(cfg.purpose, "办件审核");
	assert_string_equal(cfg.format, "csv");
	assert_string_equal(cfg.path, cfgpath);
	assert_int_equal(cfg.timeout_s, 60);
	assert_int_equal(cfg.connect_timeout_s, 5);
	assert_int_equal(cfg.retries, 2);
	assert_int_equal(cfg.color, 0);
	tn_config_release(&cfg);

	/* an empty profile takes the defaults */
	c.profile = "empty";
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.url, TN_DEFAULT_URL);
	assert_null(cfg.token);
	assert_int_equal(cfg.retries, 4);
	assert_int_equal(cfg.color, 1);
	tn_config_release(&cfg);
}

static void test_precedence(void **state)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;
	struct tn_common c = no_flags();

	setenv("TWONET_CONFIG", cfgpath, 1);
	write_file(cfgpath, two_profiles, 0600);

	/* profile: env over the file's default, flag over env */
	setenv("TWONET_PROFILE", "test", 1);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.profile, "test");
	assert_string_equal(cfg.url, "http://test.local:8642");
	assert_string_equal(cfg.token, "test-token");
	assert_int_equal(cfg.timeout_s, 30);
	tn_config_release(&cfg);
	c.profile = "prod";
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.profile, "prod");
	assert_string_equal(cfg.token, "prod-token");
	tn_config_release(&cfg);

	/* url and token: env over profile */
	setenv("TWONET_URL", "http://env.local:1", 1);
	setenv("TWONET_TOKEN", "env-token", 1);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.url, "http://env.local:1");
	assert_string_equal(cfg.token, "env-token");
	assert_int_equal(cfg.timeout_s, 60);            /* the rest still from the profile */
	tn_config_release(&cfg);

	/* flags over env */
	c.url = "http://flag.local:2";
	c.token = "flag-token";
	c.timeout_s = 7;
	c.retries = 0;                                  /* 0 is a real value: no retries */
	c.format = "tsv";
	c.no_color = 1;
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.url, "http://flag.local:2");
	assert_string_equal(cfg.token, "flag-token");
	assert_int_equal(cfg.timeout_s, 7);
	assert_int_equal(cfg.connect_timeout_s, 5);
	assert_int_equal(cfg.retries, 0);
	assert_string_equal(cfg.format, "tsv");
	assert_int_equal(cfg.color, 0);
	tn_config_release(&cfg);

	/* env without any file */
	unlink(cfgpath);
	c = no_flags();
	unsetenv("TWONET_PROFILE");
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.url, "http://env.local:1");
	assert_string_equal(cfg.token, "env-token");
	assert_null(cfg.path);
	tn_config_release(&cfg);
	unsetenv("TWONET_URL");
	unsetenv("TWONET_TOKEN");

	/* NO_COLOR */
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_int_equal(cfg.color, 0);
	tn_config_release(&cfg);
}

static void test_xdg_and_home(void **state)
{
	struct tn_buf p = TN_BUF_INIT, sub = TN_BUF_INIT;
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;

	/* ~/.config/twonet/config.yaml when XDG_CONFIG_HOME is not set */
	tn_buf_addf(&sub, "%s/.config", dir);
	assert_int_equal(mkdir(sub.buf, 0700), 0);
	tn_buf_adds(&sub, "/twonet");
	assert_int_equal(mkdir(sub.buf, 0700), 0);
	tn_buf_addf(&p, "%s/config.yaml", sub.buf);
	write_file(p.buf, "profiles:\n  home: {url: 'http://home:1'}\ndefault: home\n", 0644);
	assert_int_equal(tn_config_load(&cfg, NULL, &err), TN_OK);
	assert_string_equal(cfg.url, "http://home:1");
	assert_string_equal(cfg.path, p.buf);
	tn_config_release(&cfg);

	/* $XDG_CONFIG_HOME/twonet/config.yaml wins over ~/.config */
	tn_buf_reset(&sub);
	tn_buf_addf(&sub, "%s/xdg", dir);
	assert_int_equal(mkdir(sub.buf, 0700), 0);
	setenv("XDG_CONFIG_HOME", sub.buf, 1);
	tn_buf_adds(&sub, "/twonet");
	assert_int_equal(mkdir(sub.buf, 0700), 0);
	tn_buf_reset(&p);
	tn_buf_addf(&p, "%s/config.yaml", sub.buf);
	write_file(p.buf, "default: x\nprofiles:\n  x:\n    url: http://xdg:2\n", 0644);
	assert_int_equal(tn_config_load(&cfg, NULL, &err), TN_OK);
	assert_string_equal(cfg.url, "http://xdg:2");
	tn_config_release(&cfg);

	/* $TWONET_CONFIG wins over both */
	setenv("TWONET_CONFIG", cfgpath, 1);
	write_file(cfgpath, "default: y\nprofiles:\n  y:\n    url: http://explicit:3\n", 0644);
	assert_int_equal(tn_config_load(&cfg, NULL, &err), TN_OK);
	assert_string_equal(cfg.url, "http://explicit:3");
	tn_config_release(&cfg);
	tn_buf_release(&p);
	tn_buf_release(&sub);
}

static void test_permission_refusal(void **state)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;
	char want[512];
	struct tn_common c = no_flags();

	setenv("TWONET_CONFIG", cfgpath, 1);
	snprintf(want, sizeof(want),
		 "config '%s' holds a token and is readable by others; run: chmod 600 %s",
		 cfgpath, cfgpath);
	write_file(cfgpath, two_profiles, 0644);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EAUTH);
	assert_string_equal(err.message, want);
	write_file(cfgpath, two_profiles, 0640);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EAUTH);
	write_file(cfgpath, two_profiles, 0604);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EAUTH);
	/* refused even when the token used comes from elsewhere: the file leaks it */
	c.token = "flag-token";
	c.profile = "empty";
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EAUTH);
	c = no_flags();
	/* group-writable but not readable is not a leak */
	write_file(cfgpath, two_profiles, 0620);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	tn_config_release(&cfg);
	write_file(cfgpath, two_profiles, 0600);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	assert_string_equal(cfg.token, "prod-token");
	tn_config_release(&cfg);
	/* no token: any mode is fine */
	write_file(cfgpath, "default: a\nprofiles:\n  a:\n    url: http://a:1\n", 0644);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_OK);
	tn_config_release(&cfg);
}

/* Load `text` as the config; expect `code` and a message equal to "PATH" + suffix. */
static void expect_error(const char *text, enum tn_code code, const char *suffix)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;
	char want[512];

	setenv("TWONET_CONFIG", cfgpath, 1);
	write_file(cfgpath, text, 0600);
	snprintf(want, sizeof(want), "%s%s", cfgpath, suffix);
	if (tn_config_load(&cfg, NULL, &err) != code || strcmp(err.message, want)) {
		print_error("config:\n%s\ngot code %d '%s'\nwant code %d '%s'\n", text, err.code,
			    err.message, code, want);
		fail();
	}
}

static void test_yaml_errors(void **state)
{
	expect_error("default: a\nprofiles:\n  a:\n    url: \"http://x\n",
		     TN_EINVALID, ":5:1: found unexpected end of stream while scanning a quoted scalar");
	expect_error("profiles:\n\ta:\n", TN_EINVALID,
		     ":2:1: found character that cannot start any token while scanning for the next token");
	expect_error("profiles:\n  a:\n    url: http://a\n   token: t\n", TN_EINVALID,
		     ":4:4: did not find expected key while parsing a block mapping");
	expect_error("default: a\nprofiles:\n  a:\n    url: http://a\n    tokn: t\n", TN_EINVALID,
		     ":5:5: unknown key 'tokn' in profile 'a' (known: url, token, purpose, timeout, connect_timeout, retries, format, color)");
	expect_error("defaults: a\n", TN_EINVALID, ":1:1: unknown key 'defaults' (known: default, profiles)");
	expect_error("profiles:\n  a:\n    timeout: soon\n", TN_EINVALID,
		     ":3:14: 'timeout' must be a whole number of 0 or more, not 'soon'");
	expect_error("profiles:\n  a:\n    retries: -1\n", TN_EINVALID,
		     ":3:14: 'retries' must be a whole number of 0 or more, not '-1'");
	expect_error("profiles:\n  a:\n    color: maybe\n", TN_EINVALID,
		     ":3:12: 'color' must be true or false, not 'maybe'");
	expect_error("profiles:\n  a:\n    url: [1, 2]\n", TN_EINVALID,
		     ":3:10: 'url' must be a plain value");
	expect_error("profiles:\n  a: http://a\n", TN_EINVALID,
		     ":2:6: profile 'a' must be a mapping of keys");
	expect_error("- a\n- b\n", TN_EINVALID,
		     ":1:1: the config must be a mapping with 'default' and 'profiles'");
	expect_error("default: nope\nprofiles:\n  a: {url: 'http://a'}\n", TN_EINVALID,
		     ":1: default profile 'nope' is not defined");
}

/* Aliases and anchors, nesting, sizes and a second document: refused with the file and line (tn_yaml_load). */
static void test_yaml_hostile(void **state)
{
	struct tn_buf big = TN_BUF_INIT, deep = TN_BUF_INIT;

	expect_error("x: &a {url: 'http://a'}\nprofiles:\n  a: *a\n", TN_EINVALID,
		     ":1:4: anchors (&a) are not allowed: write the value out");
	expect_error("profiles:\n  a: {url: 'http://a'}\n  b:\n    <<: *a\n", TN_EINVALID,
		     ":4:9: aliases (*a) are not allowed: write the value out");
	expect_error("profiles: {}\n---\nprofiles: {}\n", TN_EINVALID,
		     ":2:1: more than one document ('---'): one is read");
	tn_buf_adds(&deep, "profiles: ");
	for (int i = 0; i < 40; i++)
		tn_buf_addch(&deep, '[');
	expect_error(deep.buf, TN_EINVALID, ":1:42: nested more than 32 deep");
	tn_buf_adds(&big, "profiles:\n  a: {url: '");
	for (int i = 0; i < 70 * 1024; i++)
		tn_buf_addch(&big, 'x');
	tn_buf_adds(&big, "'}\n");
	expect_error(big.buf, TN_EINVALID, ":2:12: a value longer than 65536 bytes");
	tn_buf_reset(&big);
	while (big.len <= 1024 * 1024)
		tn_buf_adds(&big, "# a comment line to make the file larger than a mebibyte\n");
	expect_error(big.buf, TN_EINVALID, ": larger than 1048576 bytes");
	tn_buf_release(&big);
	tn_buf_release(&deep);
}

static void test_empty_file(void **state)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;

	setenv("TWONET_CONFIG", cfgpath, 1);
	write_file(cfgpath, "# nothing yet\n", 0644);
	assert_int_equal(tn_config_load(&cfg, NULL, &err), TN_OK);
	assert_string_equal(cfg.url, TN_DEFAULT_URL);
	tn_config_release(&cfg);
	setenv("TWONET_CONFIG", dir, 1);         /* a directory */
	assert_int_equal(tn_config_load(&cfg, NULL, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "is a directory"));
}

static void test_unknown_profile(void **state)
{
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;
	struct tn_common c = no_flags();
	char want[512];

	setenv("TWONET_CONFIG", cfgpath, 1);
	write_file(cfgpath, two_profiles, 0600);
	c.profile = "staging";
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EUSAGE);
	snprintf(want, sizeof(want), "unknown profile 'staging' (config '%s' has: prod, test, empty)",
		 cfgpath);
	assert_string_equal(err.message, want);
	c.profile = NULL;
	setenv("TWONET_PROFILE", "staging", 1);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EUSAGE);
	assert_string_equal(err.message, want);
	/* no config file at all */
	unlink(cfgpath);
	assert_int_equal(tn_config_load(&cfg, &c, &err), TN_EUSAGE);
	assert_non_null(strstr(err.message, "unknown profile 'staging' (no config file at"));
	unsetenv("TWONET_PROFILE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_without_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_and_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_profile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
