#!/bin/bash
# "Did you mean": a mistyped option, option value, subcommand or action is a
# usage error (exit 2) that names the closest known word, and none when nothing is close.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'a mistyped long option names the closest one (exit 2)' '
	test_expect_exit 2 case-list --stauts submitted 2>err &&
	grep -qx "case-list: error: unknown option '"'"'--stauts'"'"'; did you mean '"'"'--status'"'"'?" err &&
	test_expect_exit 2 case-act accept --coment x C00000001 2>err &&
	grep -q "did you mean '"'"'--comment'"'"'?" err &&
	test_expect_exit 2 cert-fetch --hodler 110101199003070003 2>err &&
	grep -q "did you mean '"'"'--holder'"'"'?" err &&
	test_expect_exit 2 alert-post --sevrity red 2>err &&
	grep -q "did you mean '"'"'--severity'"'"'?" err
'

test_expect_success 'a common option is suggested too (--fromat, --tokn)' '
	test_expect_exit 2 case-list --fromat json 2>err &&
	grep -q "did you mean '"'"'--format'"'"'?" err &&
	test_expect_exit 2 case-show --tokn x C00000001 2>err &&
	grep -q "did you mean '"'"'--token'"'"'?" err
'

test_expect_success 'nothing close: the error alone, no suggestion' '
	test_expect_exit 2 case-list --zzzzzz 2>err &&
	grep -qx "case-list: error: unknown option '"'"'--zzzzzz'"'"'" err &&
	! grep -q "did you mean" err
'

test_expect_success 'a value outside an option'"'"'s choices: --status (a filter: exit 7), --format (2)' '
	test_expect_exit 7 case-list --status acepted 2>err &&
	grep -q "not '"'"'acepted'"'"'; did you mean '"'"'accepted'"'"'?" err &&
	test_expect_exit 2 case-list --format jsno 2>err &&
	grep -q "not '"'"'jsno'"'"'; did you mean '"'"'json'"'"'?" err &&
	test_expect_exit 7 case-list --status lost 2>err &&
	! grep -q "did you mean" err
'

test_expect_success 'case-act: a mistyped action' '
	test_expect_exit 2 case-act acept C00000001 2>err &&
	grep -q "^case-act: error: unknown action '"'"'acept'"'"' .*; did you mean '"'"'accept'"'"'?$" err &&
	test_expect_exit 2 case-act aprove C00000001 2>err &&
	grep -q "did you mean '"'"'approve'"'"'?" err &&
	test_expect_exit 2 case-act frobnicate C00000001 2>err &&
	! grep -q "did you mean" err
'

test_expect_success 'cert-consent: a mistyped subcommand' '
	test_expect_exit 2 cert-consent cdoe 2>err &&
	grep -q "unknown subcommand '"'"'cdoe'"'"' (known: code, grant, list, revoke); did you mean '"'"'code'"'"'?" err &&
	test_expect_exit 2 cert-consent grant 2>err &&
	! grep -q "did you mean" err
'

test_expect_success 'twonetd: a mistyped option of a subcommand' '
	test_expect_exit 2 twonetd serve --lisen 127.0.0.1:0 --db x.db 2>err &&
	grep -q "did you mean '"'"'--listen'"'"'?" err
'

test_expect_success 'twonetd: a mistyped command or subcommand' '
	test_expect_exit 2 twonetd sevre 2>err &&
	grep -q "^twonetd: error: unknown command '"'"'sevre'"'"'; did you mean '"'"'serve'"'"'?" err &&
	test_expect_exit 2 twonetd calendar imprt 2>err &&
	grep -q "did you mean '"'"'import'"'"'?" err &&
	test_expect_exit 2 twonetd audit verfy 2>err &&
	grep -q "did you mean '"'"'verify'"'"'?" err &&
	test_expect_exit 2 twonetd token ad 2>err &&
	grep -q "did you mean '"'"'add'"'"'?" err &&
	test_expect_exit 2 twonetd issuer ad 2>err &&
	grep -q "did you mean '"'"'add'"'"'?" err &&
	test_expect_exit 2 twonetd import catalg 2>err &&
	grep -q "did you mean '"'"'catalog'"'"'?" err &&
	test_expect_exit 2 twonetd zzzzzz 2>err &&
	! grep -q "did you mean" err
'

test_done
