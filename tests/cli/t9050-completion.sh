#!/bin/bash
# Completion completes values, not only option names: the bash functions of
# completions/bash are called with COMP_WORDS and COMP_CWORD set, as bash
# does on TAB, and their COMPREPLY compared.  Formats and period words come
# from the commands' --help (scripts/gen-completions), item, workflow,
# department, status and district codes and a form's field names from
# `catalog words` at completion time (the shipped catalog, TWONET_SHAREDIR).
# zsh: each file parses and loads under compinit, and zsh's own completion is
# driven in a pseudo-terminal (zsh/zpty): TAB at the end of a line, with
# compadd wrapped to print the matches it is given.
. "$(dirname "$0")/test-lib.sh"

C="$TWONET_SRC/completions"

# complete CMD WORD... : COMPREPLY, one a line, sorted, for the last WORD
# being completed (give '' to complete an empty word)
complete_words() {
	bash -c '
		. "$1/bash/$2" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' complete "$C" "$@" | sed "/^$/d" | sort
}

# expect CMD WORD... -- WANT... : COMPREPLY is exactly WANT (sorted)
expect() {
	local args=() want
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	printf '%s\n' "$@" | sed '/^$/d' | sort >want
	complete_words "${args[@]}" >got
	test_cmp want got
}

test_expect_success '--format completes the formats of the help' '
	expect case-list --format "" -- json ndjson table csv tsv &&
	expect alert-tail --format "" -- ndjson json table cap &&
	expect case-report --format t -- table tsv
'

test_expect_success 'a choice whose help has two lists completes the words of both (case-report --by)' '
	expect case-report --by "" -- department item workflow day week month kind severity district &&
	expect case-report --by s -- severity
'

test_expect_success '--from, --to complete period words; --since a date' '
	expect case-report --from last- -- last-week last-month last-year &&
	expect case-report --from 2026-11 --to this- -- this-week this-month this-year &&
	expect case-report --from y -- yesterday &&
	expect case-list --since "" -- "$(date +%Y-%m-%d)"
'

test_expect_success '--item completes item codes from the catalog' '
	expect case-submit --item 310000-YB- -- 310000-YB-001 310000-YB-002 310000-YB-003 &&
	expect case-list --item 310000-SCJG- -- 310000-SCJG-001 310000-SCJG-002 &&
	catalog words items | cut -f1 | sort >all &&
	complete_words case-submit --item "" >got &&
	test_cmp all got
'

test_expect_success '--workflow, --department and --status complete the catalog'"'"'s codes' '
	expect case-submit --workflow rest -- restaurant &&
	expect case-list --department YB -- YBJ &&
	expect case-list --status sub -- submitted &&
	expect case-list -s re -- returned resubmitted rejected &&
	expect alert-tail --district 31011 -- 310110 310112 310113 310114 310115 310116 310117 310118
'

test_expect_success '--field completes the field names of the item on the line, as NAME=' '
	expect case-submit --item 310000-YB-001 --field hosp -- hospital= &&
	expect case-submit --item 310000-YB-001 --applicant-name 李伟 --field bank -- bank_account= &&
	catalog words fields 310000-YB-001 | cut -f1 | sed "s/\$/=/" | sort >all &&
	complete_words case-submit --item 310000-YB-001 --field "" >got &&
	test_cmp all got &&
	test "$(wc -l <got)" = 7
'

test_expect_success '--field without --item offers nothing' '
	expect case-submit --field hosp --
'

test_expect_success 'operands: workflow-merge takes workflows and items, case-act its actions' '
	expect workflow-merge rest -- restaurant &&
	expect workflow-merge restaurant 310000-XF- -- 310000-XF-001 310000-XF-002 &&
	expect case-act ap -- approve
'

test_expect_success 'no catalog at hand: --status falls back to the help'"'"'s list, --item offers nothing' '
	(
		export TWONET_SHAREDIR=$TRASH/none PATH=/usr/bin:/bin
		expect case-list --status "" -- submitted accepted returned resubmitted approved rejected completed &&
		expect case-list --item 3100 --
	)
'

test_expect_success 'every bash file parses and names its function' '
	for f in "$C"/bash/*; do
		bash -n "$f" || { echo "$f"; exit 1; }
		grep -q "^complete -F " "$f" || { echo "$f: no complete -F"; exit 1; }
	done
'

if command -v zsh >/dev/null 2>&1; then
	test_expect_success 'zsh: every file parses, and compinit finds each command' '
		for f in "$C"/zsh/_*; do zsh -n "$f" || { echo "$f"; exit 1; }; done &&
		zsh -f -c "fpath=(\"$C/zsh\" \$fpath); autoload -Uz compinit; compinit -u -d \"$TRASH/zcompdump\";
			for c in case-submit case-list case-report workflow-merge alert-tail; do
				[[ \${_comps[\$c]} = _\$c ]] || { print -- \"\$c: \${_comps[\$c]:-none}\"; exit 1; }
			done" &&
		grep -q "{_twonet_words items}" "$C/zsh/_case-submit" &&
		grep -q "{_twonet_fields}" "$C/zsh/_case-submit" &&
		grep -q "(today yesterday this-week" "$C/zsh/_case-report" &&
		grep -q ":FMT:(json ndjson table csv tsv)" "$C/zsh/_case-list"
	'
	test_expect_success 'zsh: _twonet_words describes each code by its label' '
		sed -n "/^_twonet_words() {/,/^}/p" "$C/zsh/_case-submit" >words.zsh &&
		zsh -f -c "_describe() { print -rl -- \${(P)4}; }; . ./words.zsh; _twonet_words departments" >zsh.out &&
		grep -qx "YBJ:医疗保障局" zsh.out
	'

	# zcomplete LINE: the matches zsh offers on TAB at the end of LINE, sorted
	cat >zcap.zsh <<-\EOF
	zmodload zsh/zpty
	zpty z zsh -f -i
	zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
	zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
	zpty -w z 'comppostfuncs=(__end); __end() { zle -I; print -r -- "<E""OC>"; exit; }'
	zpty -w z 'compprefuncs=(__setup); __setup() { compadd() { local -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) && print -rl -- "<""M>"${^__hits}; builtin compadd "$@"; }; }'
	zpty -w z 'bindkey "^I" complete-word'
	zpty -n -w z "$2"$'\t'
	local out
	zpty -r -m z out '*<EOC>*' || exit 1
	print -rl -- ${${${(M)${(f)out}:#*<M>*}##*<M>}%%$'\r'}
	zpty -d z
	EOF
	zcomplete() {
		timeout 30 zsh -f "$TRASH/zcap.zsh" "$C/zsh" "$1" | sed "/^$/d" | sort -u
	}
	# zexpect LINE WANT...: zsh offers exactly WANT
	zexpect() {
		local line=$1
		shift
		printf "%s\n" "$@" | sed "/^$/d" | sort >want
		zcomplete "$line" >got
		test_cmp want got
	}

	test_expect_success 'zsh: --format, period words and catalog codes complete' '
		zexpect "case-list --format " json ndjson table csv tsv &&
		zexpect "case-report --from last-" last-week last-month last-year &&
		zexpect "case-submit --item 310000-YB-" 310000-YB-001 310000-YB-002 310000-YB-003 &&
		zexpect "case-list --department YB" YBJ &&
		zexpect "case-list --status sub" submitted &&
		zexpect "workflow-merge rest" restaurant &&
		zexpect "case-report --by d" department day district
	'

	test_expect_success 'zsh: --field completes the fields of the item on the line, and nothing without one' '
		zexpect "case-submit --item 310000-YB-001 --field hosp" hospital &&
		zexpect "case-submit --field hosp"
	'
else
	test_skip 'zsh completions' 'zsh is not installed (scripts/install-deps installs it)'
fi

test_done
