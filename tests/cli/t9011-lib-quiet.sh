#!/bin/bash
# The library keeps twonet.h's promise and its wall (issue 12 §3): no object
# of lib/ exits or writes to stdout/stderr on its own, but the command helpers
# whose job that is (cli.c, cmd.c) and the allocator's out-of-memory abort
# (buf.c), and tn_report_write_file writing to stdout when told to ("-");
# and libtwonet.so exports no libcurl name (curl_dl.c is internal).
. "$(dirname "$0")/test-lib.sh"

OBJ="$TWONET_BUILD/obj/lib"
SO="$TWONET_BUILD/lib/libtwonet.so"

if ! command -v nm >/dev/null || [ ! -d "$OBJ" ] || [ ! -f "$SO" ]; then
	test_skip 'the library stays quiet' 'no nm or no built library'
	test_done
fi

test_expect_success 'no library object exits or prints on its own' '
	for o in "$OBJ"/*.o; do
		case ${o##*/} in cli.o|cmd.o|buf.o) continue ;; esac
		nm -u "$o" | awk "{print \$2}" |
			grep -xE "exit|_exit|abort|stdout|stderr|printf|__printf_chk|puts|putchar|perror|vprintf|__vprintf_chk|err|errx|warn|warnx|error" |
			sed "s|^|${o##*/}: |"
	done | grep -vx "report.o: stdout" >calls || true &&
	grep -q "strcmp(path, \"-\") == 0" "$TWONET_SRC/lib/report.c" &&
	test_cmp /dev/null calls
'

test_expect_success 'buf.c aborts only on out of memory, through one function' '
	grep -c "abort()" "$TWONET_SRC/lib/buf.c" >n &&
	echo 1 >one && test_cmp one n &&
	grep -B4 "abort()" "$TWONET_SRC/lib/buf.c" | grep -q "^static void oom"
'

test_expect_success 'libtwonet.so exports no libcurl name (curl_dl.c is hidden)' '
	nm -D --defined-only "$SO" | awk "{print \$3}" | grep -i "^curl" >curl.names || true &&
	test_cmp /dev/null curl.names &&
	nm -D --defined-only "$SO" | grep -q " T tn_client_do$"
'

test_done
