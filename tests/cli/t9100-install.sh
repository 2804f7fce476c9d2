#!/bin/bash
# make install honours PREFIX and DESTDIR and installs a usable library:
# a program built with `pkg-config twonet` from the installed files runs.
. "$(dirname "$0")/test-lib.sh"

O_REL=${TWONET_BUILD#"$TWONET_SRC"}
O_REL=${O_REL#/}
O_ARG=${O_REL:-.}

test_expect_success 'make install DESTDIR=... PREFIX=/opt/twonet puts every part in place' '
	make -s -C "$TWONET_SRC" O="$O_ARG" SAN="${SAN:-}" install DESTDIR="$TRASH/root" PREFIX=/opt/twonet >install.log 2>&1 &&
	R="$TRASH/root/opt/twonet" &&
	for c in "$TWONET_SRC"/bin/*.c; do
		c=$(basename "$c" .c)
		test -x "$R/bin/$c" || { echo "no bin/$c"; exit 1; }
		test -f "$R/share/man/man1/$c.1" || { echo "no man1/$c.1"; exit 1; }
		test -f "$R/share/bash-completion/completions/$c" || { echo "no bash completion $c"; exit 1; }
		test -f "$R/share/zsh/site-functions/_$c" || { echo "no zsh completion $c"; exit 1; }
	done &&
	test -x "$R/sbin/twonetd" &&
	test -f "$R/lib/libtwonet.a" &&
	test -f "$R/lib/libtwonet.so.0" &&
	test -f "$R/include/twonet/twonet.h" &&
	test -f "$R/share/man/man7/twonet.7" &&
	test -f "$R/share/man/man8/twonetd.8" &&
	test -d "$R/share/twonet/catalog" &&
	test -f "$R/share/twonet/calendar/cn.txt" &&
	grep -q "^prefix=/opt/twonet$" "$R/lib/pkgconfig/twonet.pc"
'

test_expect_success 'a program builds against the installed library with pkg-config and runs' '
	R="$TRASH/root/opt/twonet" &&
	cat >prog.c <<-\EOC &&
	#include <stdio.h>
	#include <twonet.h>
	int main(void)
	{
		struct tn_err err = TN_ERR_INIT;
		if (tn_id_check_resident("11010519491231002X", &err) != TN_OK)
			return 1;
		if (tn_id_check_resident("110105194912310021", &err) != TN_EINVALID)
			return 2;
		printf("%s\n", err.message);
		return 0;
	}
	EOC
	sed -i "s|^prefix=.*|prefix=$R|" "$R/lib/pkgconfig/twonet.pc" &&
	PKG_CONFIG_PATH="$R/lib/pkgconfig" &&
	export PKG_CONFIG_PATH &&
	cc -o prog prog.c $(pkg-config --cflags --libs twonet) -Wl,-rpath,"$R/lib" \
		-fsanitize=address,undefined 2>cc.err || { cat cc.err; exit 1; } &&
	ldd ./prog | grep -q "libtwonet.so.0 => $R/lib/" &&
	./prog >out &&
	grep -q "check character" out
'

test_expect_success 'the shared library still exports the buffer appends tn_buf.h inlines' '
	# programs built before the appends were inline call them by name
	R="$TRASH/root/opt/twonet" &&
	nm -D --defined-only "$R/lib/libtwonet.so.0" >syms &&
	for f in tn_buf_add tn_buf_adds tn_buf_addch tn_buf_addu tn_buf_grow; do
		grep -q " T $f\$" syms || { echo "missing: $f"; exit 1; }
	done
'

test_done
