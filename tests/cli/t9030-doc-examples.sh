#!/bin/bash
# The docs run: every example a reader may copy is run here, against a fresh
# twonetd holding the demo's data, so README.md and the man pages cannot
# drift from the product.  The conventions (twonet's docs follow them):
#
#  - Man pages: each .nf ... .fi block of the EXAMPLES section is one bash
#    script (troff escapes undone: \- is -, \e is \, \(aq is ', \(dq is ",
#    \& and font changes go; a trailing \e continues the line as in bash),
#    run with `bash -e -o pipefail` (every command, and every command of a
#    pipeline, must succeed) in an empty folder, with TWONET_URL set to a
#    twonetd started afresh for that block from a snapshot of the demo's data
#    (the shipped catalog; scripts/demo-setup's tokens, cases, certificates
#    and flood alerts) and TWONET_TOKEN an admin's.  It must exit 0 within
#    EXAMPLE_TIMEOUT seconds (60); whatever it left running is then killed.
#    .EX ... .EE blocks show text (output, files) and are not run.
#  - A troff comment line right before .nf changes that:
#      .\" example: as ROLE      runs with that role's token: admin, clerk (of
#                                YBJ), clerk of RSJ, applicant (李伟, who filed
#                                C00000001), applicant 张三 (the certificates'
#                                holder), applicant 老王面馆 (who filed the
#                                restaurant case C00000023), operator, sensor,
#                                issuer (of GAJ),
#                                issuer of RSJ
#      .\" example: skip REASON  not run (a block that cannot run unattended;
#                                keep these rare and say why)
#  - README.md: each indented code block is run the same way, but the blocks
#    are one session, as a reader types them into one terminal: they run in
#    order in one shell and one folder, each continuing where the one before
#    left off (variables, the server it started).  An HTML comment on the
#    line before a block, <!-- example: as ROLE --> or
#    <!-- example: skip REASON -->, is the directive there.
# Each block is its own test, named after its file and first line; a failing
# one prints its output and exit status.
# backend: sqlite (each example starts from a copy of the demo database file)
. "$(dirname "$0")/test-lib.sh"

EXAMPLE_TIMEOUT=${EXAMPLE_TIMEOUT:-60}
# the shipped rules, as twonetd runs them by default: the demo's flood alerts make
# the tasks the task examples (task-list, task-show, task-act) work on
export TWONETD_RULES="$TWONET_SHAREDIR/rules"

# ---- the demo's data, once, kept as a snapshot of the database
start_server
DEMO_DB=$TWONETD_DB
. "$TWONET_SRC/scripts/demo-setup"
mkdir -p demo
setup_rc=0
{
	demo_tokens && demo_first_case && demo_bulk_cases "$TRASH/demo" && demo_moves &&
	demo_certs && demo_zero_material && demo_workflow_case && demo_alert_tokens && demo_alerts && demo_assets &&
	ADMIN=$(demo_token admin 管理员)
} >demo/setup.log 2>&1 || setup_rc=$?
stop_server
mkdir -p snapshot && cp -a "$TWONETD_DB"* snapshot/   # twonet.db.keys/ too: the issuers' keys
# roles: "ROLE<TAB>TOKEN" lines
{
	printf 'admin\t%s\n' "${ADMIN:-}"
	printf 'clerk\t%s\nclerk of YBJ\t%s\nclerk of RSJ\t%s\n' "${CLERK:-}" "${CLERK:-}" "${RSCLERK:-}"
	printf 'applicant\t%s\napplicant 张三\t%s\napplicant 老王面馆\t%s\n' "${APPLICANT:-}" "${ZHANG:-}" "${WANG:-}"
	printf 'operator\t%s\nsensor\t%s\n' "${OPS:-}" "${SENSOR:-}"
	printf 'issuer\t%s\nissuer of GAJ\t%s\nissuer of RSJ\t%s\n' "${GA:-}" "${GA:-}" "${RS:-}"
} >roles.tsv

test_expect_success "the demo's data is in place (scripts/demo-setup)" '
	if [ "$setup_rc" != 0 ]; then cat demo/setup.log; echo "exit $setup_rc"; false; fi &&
	test -n "$ADMIN" &&
	test "$(sqlite3 snapshot/twonet.db "select count(*) from cases")" -ge 22
'

# ---- the blocks: blocks/N.sh, and blocks/index lines "N<TAB>FILE:LINE<TAB>DIRECTIVE"
# (DIRECTIVE: run, as ROLE or skip REASON); README.md's first, then the man pages
mkdir -p blocks
cat >extract.pl <<'EOF'
use strict; use warnings;
my ($src, @pages) = @ARGV;
my $n = 0;
open my $idx, '>', "blocks/index" or die "blocks/index: $!";
sub block {
	my ($where, $directive, @lines) = @_;
	$n++;
	open my $fh, '>', "blocks/$n.sh" or die "blocks/$n.sh: $!";
	print $fh map { "$_\n" } @lines;
	close $fh;
	$directive = 'run' unless defined $directive && $directive ne '';
	print $idx "$n\t$where\t$directive\n";
}
# README.md: indented code blocks
{
	open my $fh, '<', "$src/README.md" or die "README.md: $!";
	my @l = map { s/\r?\n$//r } <$fh>;
	my ($prev, $directive) = ('', undef);
	for (my $i = 0; $i < @l; $i++) {
		if ($l[$i] =~ /^(?: {4}|\t)/ && $prev =~ /^\s*$|^<!--/) {
			my $start = $i + 1;
			my @b;
			while ($i < @l && ($l[$i] =~ /^(?: {4}|\t)/ || ($l[$i] =~ /^\s*$/ && $i + 1 < @l && $l[$i + 1] =~ /^(?: {4}|\t)/))) {
				push @b, $l[$i] =~ s/^(?: {4}|\t)//r;
				$i++;
			}
			block("README.md:$start", $directive, @b);
			$directive = undef;
			$prev = '';
			$i--;
			next;
		}
		if ($l[$i] =~ /^<!--\s*example:\s*(.*?)\s*-->\s*$/) { $directive = $1; }
		elsif ($l[$i] !~ /^\s*$/) { $directive = undef; }
		$prev = $l[$i];
	}
}
# man pages: .nf/.fi blocks of EXAMPLES
my %esc = ('(aq' => "'", '(dq' => '"', '(ga' => '`', '-' => '-', '&' => '', 'e' => '\\', ' ' => ' ',
	   'fB' => '', 'fI' => '', 'fR' => '', 'fP' => '', '(em' => '—', '(en' => '–');
for my $page (@pages) {
	open my $fh, '<', $page or die "$page: $!";
	my @l = map { s/\r?\n$//r } <$fh>;
	(my $name = $page) =~ s{.*/}{man/};
	my $in = 0;
	for (my $i = 0; $i < @l; $i++) {
		if ($l[$i] =~ /^\.SH\s+"?([^"]*)"?\s*$/) { $in = ($1 =~ /^EXAMPLES?$/); next; }
		next unless $in && $l[$i] =~ /^\.nf\b/;
		my $directive;
		$directive = $1 if $i > 0 && $l[$i - 1] =~ /^\.\\"\s*example:\s*(.*?)\s*$/;
		my $start = $i + 2;
		my @b;
		for ($i++; $i < @l && $l[$i] !~ /^\.fi\b/; $i++) {
			next if $l[$i] =~ /^\.\\"/;
			push @b, $l[$i] =~ s/\\(\(aq|\(dq|\(ga|\(em|\(en|f[BIRP]|[-&e ])/$esc{$1}/gr;
		}
		block("$name:$start", $directive, @b);
	}
}
EOF
perl extract.pl "$TWONET_SRC" "$TWONET_SRC"/man/*.[1-8] 2>extract.err
extract_rc=$?

test_expect_success 'the examples are found (README.md and man/*)' '
	if [ "$extract_rc" != 0 ]; then cat extract.err; false; fi &&
	grep -q "^[0-9]*	README.md:" blocks/index &&
	grep -q "^[0-9]*	man/" blocks/index
'

# token_of ROLE: the token of a role of the demo's data (fails for an unknown one)
token_of() {
	awk -F '\t' -v r="$1" '$1 == r { print $2; found = 1 } END { exit !found }' roles.tsv
}

# run_script DIR SCRIPT TOKEN [SECONDS]: run SCRIPT in DIR as described above
# (within SECONDS, EXAMPLE_TIMEOUT by default); its output in DIR.out, its
# exit status returned; whatever it started is killed after
run_script() {
	local dir=$1 script=$2 token=$3 secs=${4:-$EXAMPLE_TIMEOUT} pid rc
	mkdir -p "$dir"
	(cd "$dir" && TWONET_TOKEN=$token exec timeout -k 5 "$secs" \
		bash -e -o pipefail "$script") >"$dir.out" 2>&1 </dev/null &
	pid=$!
	wait "$pid"
	rc=$?
	kill -TERM -- "-$pid" 2>/dev/null
	if [ "$rc" = 124 ]; then echo "(timed out after $secs s)" >>"$dir.out"; fi
	return "$rc"
}

# fresh_server: twonetd on a fresh copy of the snapshot; tried twice, a
# second later (a build relinking twonetd meanwhile); server_ok says if it runs
fresh_server() {
	local try
	server_ok=0
	for try in 1 2; do
		rm -rf "$TRASH"/twonet.db*
		cp -a snapshot/twonet.db* "$TRASH/"
		if start_server 2>"$TRASH/start.err"; then server_ok=1; return 0; fi
		sleep 1
	done
	return 1
}

# block_failed WHERE RC OUT BLOCK: print a failed block's output (its end),
# the block and its exit status
block_failed() {
	echo "output:"
	tail -n 25 "$3"
	echo "the block:"
	sed 's/^/  | /' "$4"
	echo "$1 exited $2"
	return 1
}

# ---- README.md: one session, in one shell; run at top level since it starts
# its own twonetd (killed with the session's process group at the end)
fresh_server
readme_session="$TRASH/readme-session.sh"
{
	printf 'r=%q\n' "$TRASH/readme"
	echo '__tn_at() { echo "$1" >"$r/at"; exec >"$r/out.$1" 2>&1; }'
	while IFS=$'\t' read -r n where directive; do
		case $where in README.md:*) ;; *) continue ;; esac
		case $directive in
		skip\ *|skip) continue ;;
		as\ *) tok=$(token_of "${directive#as }") || tok="unknown-role:${directive#as }"
			echo "__tn_at $n"; printf 'export TWONET_TOKEN=%q\n' "$tok" ;;
		*) echo "__tn_at $n" ;;
		esac
		cat "blocks/$n.sh"
	done <blocks/index
	echo '__tn_at done'
} >"$readme_session"
mkdir -p readme
[ "$server_ok" = 1 ] || { cp start.err readme/out.start; echo start >readme/at; }
[ "$server_ok" = 1 ] && run_script "$TRASH/readme/session" "$readme_session" "$(token_of admin)" $((EXAMPLE_TIMEOUT * 3))
readme_rc=$?
# a timeout is written after the block that was running
[ "$readme_rc" = 124 ] && [ -f readme/at ] && cat "$TRASH/readme/session.out" >>"readme/out.$(cat readme/at)" 2>/dev/null
stop_server

while IFS=$'\t' read -r n where directive; do
	case $where in README.md:*) ;; *) continue ;; esac
	case $directive in
	skip\ *|skip) test_skip "$where" "${directive#skip}"; continue ;;
	run|as\ *) ;;
	*) test_expect_success "$where" 'echo "unknown directive: example: $directive"; false'; continue ;;
	esac
	test_expect_success "$where" '
		at=$(cat readme/at 2>/dev/null || echo none) &&
		if [ "$at" = done ] || { [ "$at" -gt "$n" ] 2>/dev/null; }; then :;
		elif [ "$at" = start ]; then
			echo "twonetd did not start:"; cat readme/out.start; false
		elif [ "$at" = "$n" ]; then
			block_failed "$where" "$readme_rc" "readme/out.$n" "blocks/$n.sh"
		else
			echo "not run: the session stopped at the block of $(awk -F "\t" -v n="$at" "\$1 == n { print \$2 }" blocks/index)"; false
		fi
	'
done <blocks/index

# ---- the man pages: each block against a fresh twonetd from the snapshot
while IFS=$'\t' read -r n where directive; do
	case $where in man/*) ;; *) continue ;; esac
	case $directive in
	skip\ *|skip) test_skip "$where" "${directive#skip}"; continue ;;
	run) token=$(token_of admin) ;;
	as\ *) token=$(token_of "${directive#as }") || {
		test_expect_success "$where" 'echo "unknown role in: example: $directive"; false'
		continue; } ;;
	*) test_expect_success "$where" 'echo "unknown directive: example: $directive"; false'
	   continue ;;
	esac
	fresh_server
	test_expect_success "$where" '
		if [ "$server_ok" != 1 ]; then echo "twonetd did not start:"; cat start.err; false; fi &&
		run_script "$TRASH/run/$n" "$TRASH/blocks/$n.sh" "$token" ||
		block_failed "$where" "$?" "$TRASH/run/$n.out" "blocks/$n.sh"
	'
	stop_server
done <blocks/index

test_done
