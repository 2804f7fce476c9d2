#!/bin/bash
# Every command ships whole: --help, --version, a man page, bash and zsh
# completions and a README line, and all of them name the same options.
# The other way round (every option a man page or completion names exists in
# its command, twonetd's subcommands and casedesk included) is t9001.
. "$(dirname "$0")/test-lib.sh"

for src in "$TWONET_SRC"/bin/*.c; do
	cmd=$(basename "$src" .c)
	[ -x "$TWONET_BUILD/bin/$cmd" ] || continue

	test_expect_success "$cmd: --help and --version exit 0 and say who they are" '
		"$cmd" --help >help.out &&
		grep -q "^usage: $cmd" help.out &&
		"$cmd" --version >version.out &&
		grep -q "^$cmd (twonet) [0-9]" version.out
	'

	test_expect_code 2 "$cmd: an unknown option is a usage error (exit 2)" '
		"$cmd" --no-such-option-here 2>err.out
	'

	test_expect_success "$cmd: man page, completions and README exist" '
		test -f "$TWONET_SRC/man/$cmd.1" &&
		test -f "$TWONET_SRC/completions/bash/$cmd" &&
		test -f "$TWONET_SRC/completions/zsh/_$cmd" &&
		grep -q "$cmd" "$TWONET_SRC/README.md"
	'

	test_expect_success "$cmd: man page and completions name every option of --help" '
		"$cmd" --list-options >opts &&
		test -s opts &&
		missing="" &&
		while read -r o; do
			case $o in --*) ;; *) continue ;; esac
			man_o=$(printf "%s" "$o" | sed "s/-/\\\\\\\\-/g")
			grep -q -e "$man_o" -e "$o" "$TWONET_SRC/man/$cmd.1" || missing="$missing man:$o"
			grep -q -e "$o" "$TWONET_SRC/completions/bash/$cmd" || missing="$missing bash:$o"
			grep -q -e "$o" "$TWONET_SRC/completions/zsh/_$cmd" || missing="$missing zsh:$o"
		done <opts &&
		if [ -n "$missing" ]; then echo "missing:$missing"; false; fi
	'

	test_expect_success "$cmd: completions name no option the command lacks" '
		"$cmd" --list-options >opts &&
		extra="" &&
		for o in $(grep -o -e "--[a-z][a-z0-9-]*" "$TWONET_SRC/completions/bash/$cmd" | sort -u); do
			grep -qx -e "$o" opts || extra="$extra $o"
		done &&
		if [ -n "$extra" ]; then echo "bash completion offers:$extra"; false; fi
	'

	test_expect_success "$cmd: bash completion loads and completes options" '
		bash -c ". \"$TWONET_SRC/completions/bash/$cmd\" &&
			COMP_WORDS=($cmd --) && COMP_CWORD=1 && COMP_LINE=\"$cmd --\" && COMP_POINT=\${#COMP_LINE} &&
			fn=\$(complete -p $cmd | sed -n \"s/.*-F \\([^ ]*\\) .*/\\1/p\") &&
			\$fn $cmd -- $cmd && printf \"%s\\n\" \"\${COMPREPLY[@]}\"" >compl &&
		grep -qx -- --help compl
	'
done

test_expect_success 'twonet(7), twonet-api(7) and twonetd(8) exist and render' '
	for m in twonet.7 twonet-api.7 twonetd.8; do
		test -f "$TWONET_SRC/man/$m" || { echo "no man/$m"; exit 1; }
		MANWIDTH=80 man -l "$TWONET_SRC/man/$m" >/dev/null 2>man.err || { cat man.err; exit 1; }
	done
'

test_expect_success 'twonet-api(7) is up to date with the contract documents (make api-man)' '
	docs=$(sed -n "s/^API_DOCS *:= *\$(wildcard \(.*\))$/\1/p" "$TWONET_SRC/Makefile") &&
	test -n "$docs" &&
	(cd "$TWONET_SRC" && for d in $docs; do test -f "$d" && echo "$d"; done | xargs scripts/md2man) >api.7 &&
	test_cmp "$TWONET_SRC/man/twonet-api.7" api.7
'

test_expect_success 'every man page renders without warnings' '
	for m in "$TWONET_SRC"/man/*.[1-8]; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" >/dev/null 2>man.err || { echo "$m"; cat man.err; exit 1; }
		if [ -s man.err ]; then echo "$m:"; cat man.err; exit 1; fi
	done
'

test_expect_success 'twonet(7) lists every exit code the library defines' '
	for code in 0 1 2 3 4 5 6 7 8 130; do
		grep -qx "\.B $code" "$TWONET_SRC/man/twonet.7" || { echo "exit $code not in twonet.7"; exit 1; }
	done
'

# The case states and actions are one list in the library (TN_CASE_STATES,
# TN_CASE_ACTIONS in lib/tn_case.h); the programs print it, the docs follow.
states=$(case-list --help | sed -n "s/.*only cases in STATUS: \([a-z|]*\)$/\1/p" | tr "|" " ")
actions=$(case-act 2>&1 | sed -n "s/.*no action given (one of \([a-z|]*\))$/\1/p" | tr "|" " ")

test_expect_success 'case-list and case-act print the lib'"'"'s lists of states and actions' '
	test -n "$states" && test -n "$actions" &&
	for s in $states; do case " $actions " in *" $s "*) exit 1 ;; esac; done &&
	set -- $states && test $# -ge 5 &&
	set -- $actions && test $# -ge 5
'

test_expect_success 'case-list(1) names every case state' '
	missing="" &&
	for s in $states; do
		grep -qw -e "$s" "$TWONET_SRC/man/case-list.1" || missing="$missing $s"
	done &&
	if [ -n "$missing" ]; then echo "case-list.1 lacks:$missing"; false; fi
'

test_expect_success 'case-act(1) names every case action' '
	missing="" &&
	for a in $actions; do
		grep -q -e "\\\\fB$a\\\\fR" "$TWONET_SRC/man/case-act.1" || missing="$missing $a"
	done &&
	if [ -n "$missing" ]; then echo "case-act.1 lacks:$missing"; false; fi
'

# NAME KEY of each action of TN_CASE_ACTIONS that has a casedesk key (its key column).
case_action_keys() {
	awk '/^#define TN_CASE_ACTIONS\(X\)/ { on = 1 }
	     on && /^$/ { on = 0 }
	     on && /X\(TN_CASE_[A-Z_]+, *"[a-z]+"/ {
		name = $0; sub(/^.*X\(TN_CASE_[A-Z_]+, *"/, "", name); sub(/".*$/, "", name); print name " -"
	     }
	     on && /, '"'"'.'"'"', "\|?"\)/ {
		key = $0; sub(/^.*, '"'"'/, "", key); print name " " substr(key, 1, 1)
	     }' "$TWONET_SRC/lib/tn_case.h"
}

test_expect_success 'casedesk --help and casedesk(1) name each case action and its key' '
	case_action_keys >keys.all &&
	awk "{ print \$1 }" keys.all | sort -u >names.lib &&
	printf "%s\n" $actions | sort >names.list &&
	test_cmp names.list names.lib &&
	awk "\$2 != \"-\"" keys.all >keys &&
	test $(wc -l <keys) -ge 5 &&
	casedesk --help >help.out &&
	tr "\n" " " <"$TWONET_SRC/man/casedesk.1" >man.txt &&
	missing="" &&
	while read -r name key; do
		grep -qw -e "$name" help.out || missing="$missing help:$name" &&
		grep -q -e "\\\\fB$key\\\\fR $name" man.txt || missing="$missing man:$key=$name"
	done <keys &&
	if [ -n "$missing" ]; then echo "missing:$missing"; false; fi
'

test_done
