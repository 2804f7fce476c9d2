#!/bin/bash
# The reverse of t9000: every option a man page or a completion names exists
# in the command it belongs to (the command's own option table, as its
# --list-options prints it), for every bin/ command, casedesk and each of
# twonetd's subcommands; and twonetd(8) documents every subcommand and option
# that `twonetd --help` lists.
. "$(dirname "$0")/test-lib.sh"

# opts/NAME: the options of NAME, one a line ("twonetd token add" is
# opts/twonetd_token_add)
mkdir -p opts
for src in "$TWONET_SRC"/bin/*.c; do
	cmd=$(basename "$src" .c)
	[ -x "$TWONET_BUILD/bin/$cmd" ] && "$cmd" --list-options >"opts/$cmd"
done
[ -x "$TWONET_BUILD/tui/casedesk" ] && casedesk --list-options >opts/casedesk
twonetd --help 2>/dev/null |
	sed -n 's/^\(usage\|   or\): twonetd \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\).*/\2/p' >subcommands
while read -r sub; do
	# shellcheck disable=SC2086
	twonetd $sub --list-options >"opts/twonetd_${sub// /_}" 2>/dev/null
done <subcommands

# manopts OPTSDIR PAGE [CMD]: print PAGE:LINE: OPTION is not an option of WHO
# for every option PAGE names that does not exist, and exit 1 if any.
#  - In the SYNOPSIS and in the tags of an OPTIONS section an option belongs
#    to the page's command, or to the command named before it (on that line,
#    or in the SYNOPSIS on an earlier one): "twonetd token add \-\-dept".
#    Short options are checked there too.
#  - Elsewhere (descriptions, examples) a long option belongs to the command
#    named before it on the same line ("case-list \-\-status accepted |
#    case-act approve -"); with none named, to the page's command or, failing
#    that, to any twonet command (prose about another command's option).
#  - "twonetd" alone stands for all of its subcommands.
cat >manopts.pl <<'EOF'
use strict; use warnings;
my ($dir, $page, $self) = @ARGV;
$self //= '';
my %opts;
opendir my $dh, $dir or die "$dir: $!";
for my $f (grep { !/^\./ } readdir $dh) {
	open my $fh, '<', "$dir/$f" or die "$dir/$f: $!";
	(my $cmd = $f) =~ tr/_/ /;
	while (<$fh>) { chomp; $opts{$cmd}{$_} = 1 if /^-/; }
}
my %any = map { %$_ } values %opts;
for my $c (keys %opts) {
	next unless $c =~ /^(\S+) /;
	$opts{$1}{$_} = 1 for keys %{$opts{$c}};
}
my $cmd_re = join '|', map { quotemeta } sort { length $b <=> length $a } keys %opts;
open my $ph, '<:encoding(UTF-8)', $page or die "$page: $!";
my ($section, $tag, $n, $bad, $cur) = ('', 0, 0, 0, $self);
while (my $line = <$ph>) {
	$n++;
	chomp $line;
	if ($line =~ /^\.SH\s+"?([^"]*)"?/) { ($section, $cur, $tag) = ($1, $self, 0); next; }
	if ($line =~ /^\.(TP|IP)\b/) { $tag = 1; next; }
	my $is_tag = $tag;
	$tag = 0;
	next if $line =~ /^\.\\"/;
	(my $t = $line) =~ s/\\f(\(..|\[[^]]*\]|.)//g;
	$t =~ s/\\-/-/g;
	$t =~ s/\\\(..|\\[&|^ ]/ /g;
	my $listed = $section eq 'SYNOPSIS' || ($is_tag && $section =~ /OPTIONS/);
	$cur = $self unless $section eq 'SYNOPSIS' || $is_tag;
	my $named = 0;
	while ($t =~ /(?<![\w\/.-])(?:($cmd_re)(?![\w'\/.-])|(--[a-z][a-z0-9-]*[a-z0-9])|(-[a-zA-Z0-9])(?![\w-]))/g) {
		if (defined $1) {
			# a command named by an ordinary word (catalog, token) is the command
			# only where a command line starts: at the line's start, after a
			# macro, a pipe, ';', '&&' or '$(' ("twonetd token add" stays twonetd's),
			# and followed by an option, a word or nothing ("token (one ..." is prose)
			my ($word, $pre, $post) = ($1, substr($t, 0, $-[1]), substr($t, $+[1]));
			next if $word !~ /-/ && ($pre !~ /(?:^\s*|^\.\w+\s+|[|;(]\s*|&&\s*)$/ ||
						 $post !~ /^(?:\s+[-a-z]|\s*$)/);
			($cur, $named) = ($word, 1);
			next;
		}
		my $o = $2 // $3;
		next if defined $3 && !$listed;
		my $who;
		$who = $cur if $cur ne '' && !$opts{$cur}{$o};
		$who = undef if defined $who && !$listed && !$named && $any{$o};
		$who = 'any twonet command' if $cur eq '' && !$any{$o};
		next unless defined $who;
		print "$page:$n: $o is not an option of $who\n";
		$bad++;
	}
}
exit($bad ? 1 : 0);
EOF

test_expect_success 'the option lists were read from the commands' '
	test -s opts/case-list &&
	grep -qx -- --status opts/case-list &&
	if [ -x "$TWONET_BUILD/server/twonetd" ]; then
		grep -qx "token add" subcommands &&
		grep -qx -- --dept opts/twonetd_token_add
	fi
'

test_expect_success 'the check fails on options a page invents' '
	cat >bogus.1 <<-\EOT &&
	.SH SYNOPSIS
	.B case-list
	.RB [ \-\-no\-such ] [ \-Z ]
	.SH DESCRIPTION
	Prose may name \fB\-\-url\fR, and
	.B case-act \-\-status
	is not an option of case-act.
	.SH OPTIONS
	.TP
	.BR \-s ", " \-\-status " \fISTATUS\fR"
	.TP
	.BI \-\-frobnicate " N"
	Like \-\-invented\-here.
	EOT
	test_expect_exit 1 perl manopts.pl opts bogus.1 case-list >out &&
	cat >expect <<-\EOT &&
	bogus.1:3: --no-such is not an option of case-list
	bogus.1:3: -Z is not an option of case-list
	bogus.1:6: --status is not an option of case-act
	bogus.1:12: --frobnicate is not an option of case-list
	bogus.1:13: --invented-here is not an option of case-list
	EOT
	test_cmp expect out
'

for page in "$TWONET_SRC"/man/*.[1-8]; do
	name=$(basename "$page")
	cmd=${name%.*}
	[ -f "opts/$cmd" ] || [ "$cmd" = twonetd ] || cmd=
	test_expect_success "man/$name names only options that exist${cmd:+ (in $cmd)}" '
		perl manopts.pl opts "$page" $cmd
	'
done

for cmd in $(cd opts && ls | grep -v _); do
	z="$TWONET_SRC/completions/zsh/_$cmd"
	[ -f "$z" ] || continue
	test_expect_success "$cmd: zsh completion offers no option the command lacks" '
		extra="" &&
		for o in $(grep -o -e "--[a-z][a-z0-9-]*" -e "[{,(]-[a-zA-Z0-9][],} ]" "$z" | tr -d "{},() ]" | sort -u); do
			grep -qx -e "$o" "opts/$cmd" || extra="$extra $o"
		done &&
		if [ -n "$extra" ]; then echo "zsh completion offers:$extra"; false; fi
	'
done

test_expect_success 'casedesk: man page and completions name every option of --help' '
	test -f opts/casedesk || exit 0
	missing="" &&
	while read -r o; do
		case $o in --*) ;; *) continue ;; esac
		man_o=$(printf "%s" "$o" | sed "s/-/\\\\\\\\-/g")
		grep -q -e "$man_o" -e "$o" "$TWONET_SRC/man/casedesk.1" || missing="$missing man:$o"
		grep -q -e "$o" "$TWONET_SRC/completions/bash/casedesk" || missing="$missing bash:$o"
		grep -q -e "$o" "$TWONET_SRC/completions/zsh/_casedesk" || missing="$missing zsh:$o"
	done <opts/casedesk &&
	if [ -n "$missing" ]; then echo "missing:$missing"; false; fi
'

test_expect_success 'twonetd(8) documents every subcommand of twonetd --help and its options' '
	test -s subcommands || exit 0
	missing="" &&
	while read -r sub; do
		man_sub=$(printf "%s" "$sub" | sed "s/-/\\\\\\\\-/g")
		grep -q -e "$man_sub" -e "$sub" "$TWONET_SRC/man/twonetd.8" || missing="$missing $sub"
		while read -r o; do
			case $o in --*) ;; *) continue ;; esac
			man_o=$(printf "%s" "$o" | sed "s/-/\\\\\\\\-/g")
			grep -q -e "$man_o" "$TWONET_SRC/man/twonetd.8" || missing="$missing $sub:$o"
		done <"opts/twonetd_${sub// /_}"
	done <subcommands &&
	if [ -n "$missing" ]; then echo "not in twonetd.8:$missing"; false; fi
'

test_done
