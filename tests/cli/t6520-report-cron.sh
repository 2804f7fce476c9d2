#!/bin/bash
# The cron examples run as written: scripts/cron's crontab, daily and monthly scripts and
# report-mail, the README's bsd-mailx and mutt lines, and case-report(1)'s crontab line,
# against stub mail, sendmail and mutt commands that keep what they get; each message must
# be a valid MIME message whose HTML body is the report's page.
. "$(dirname "$0")/test-lib.sh"

TWONET_TODAY=2026-11-18 start_server || exit 1
ADMIN=$(make_token admin root)
export TWONET_TOKEN=$ADMIN XDG_RUNTIME_DIR="$TRASH/run"
mkdir -p "$XDG_RUNTIME_DIR" "$TRASH/stubs" "$TRASH/mailbox"
MAILBOX=$TRASH/mailbox
export MAILBOX

# Stubs, first on PATH.  sendmail keeps its stdin and arguments; mail is bsd-mailx's
# interface (-s SUBJECT, -a HEADER repeated, addresses) and keeps the message bsd-mailx
# would hand to sendmail: To, Subject, the -a headers, a blank line, stdin as it is.
cat >"$TRASH/stubs/sendmail" <<'EOF'
#!/bin/sh
n=$(ls "$MAILBOX" | grep -c "\.msg$")
printf '%s\n' "$@" >"$MAILBOX/sendmail.$n.args"
cat >"$MAILBOX/sendmail.$n.msg"
EOF
cat >"$TRASH/stubs/mail" <<'EOF'
#!/bin/bash
subject= headers=()
while getopts "s:a:" o; do
	case $o in
	s) subject=$OPTARG ;;
	a) headers+=("$OPTARG") ;;
	*) echo "mail: bad option" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "mail: no address" >&2; exit 64; }
n=$(ls "$MAILBOX" | grep -c "\.msg$")
{
	printf 'To: %s\n' "$(IFS=,; echo "$*")"
	printf 'Subject: %s\n' "$subject"
	for h in "${headers[@]}"; do printf '%s\n' "$h"; done
	printf '\n'
	cat
} >"$MAILBOX/mail.$n.msg"
EOF
cat >"$TRASH/stubs/mutt" <<'EOF'
#!/bin/sh
n=$(ls "$MAILBOX" | grep -c "\.msg$")
printf '%s\n' "$@" >"$MAILBOX/mutt.$n.args"
cat >"$MAILBOX/mutt.$n.msg"
EOF
chmod +x "$TRASH/stubs/sendmail" "$TRASH/stubs/mail" "$TRASH/stubs/mutt"
export PATH="$TRASH/stubs:$PATH"

# check_mime MESSAGE: fail unless MESSAGE is a valid MIME message (RFC 2045/2046/2047):
# ASCII headers with MIME-Version 1.0, no line over 998 bytes, a closed multipart with
# a Content-Type on every part and base64 that decodes, or a single text part.  Prints
# "subject|SUBJECT" (decoded), then "TYPE|FILENAME|FIRST LINE" a part, and writes each
# decoded body to part.N.
check_mime() {
	perl -MMIME::Base64 -MEncode -0777 -ne '
		sub bad { print STDERR "not MIME: ", @_, "\n"; exit 1 }
		length($_) or bad("empty");
		for my $l (split /\n/) { length($l) <= 998 or bad("a line of ", length($l), " bytes") }
		my ($head, $body) = split /\n\n/, $_, 2;
		defined $body or bad("no body");
		$head =~ /[^\x00-\x7f]/ and bad("8-bit header");
		$head =~ s/\n[ \t]+/ /g;                       # unfold
		my %h;
		for (split /\n/, $head) { /^([!-9;-~]+):\s*(.*)$/ or bad("header line: $_"); $h{lc $1} = $2 }
		($h{"mime-version"} // "") =~ /^1\.0\b/ or bad("no MIME-Version: 1.0");
		my $ct = $h{"content-type"} // bad("no Content-Type");
		my $s = $h{subject} // "";
		$s =~ s/\?=\s+=\?/?==?/g;
		$s =~ s/=\?UTF-8\?B\?([A-Za-z0-9+\/=]+)\?=/decode_base64($1)/gie;
		print "subject|$s\n";
		for my $w (($h{subject} // "") =~ /(=\?[^?]+\?[BQ]\?[^?]*\?=)/gi) {
			length($w) <= 75 or bad("an encoded word of ", length($w), " characters");
		}
		my @parts;
		if ($ct =~ m{^multipart/}i) {
			my ($b) = $ct =~ /boundary="?([^";]+)"?/ or bad("multipart without boundary");
			$body =~ /^--\Q$b\E--\s*$/m or bad("multipart not closed");
			my @p = split /^--\Q$b\E(?:--)?[ \t]*\n?/m, $body, -1;
			shift @p; pop @p;
			@p or bad("no parts");
			for my $p (@p) {
				my ($ph, $pb) = split /\n\n/, $p, 2;
				defined $pb or bad("a part without a body");
				my %x;
				for (split /\n/, $ph) { /^([!-9;-~]+):\s*(.*)$/ or bad("part header: $_"); $x{lc $1} = $2 }
				push @parts, [\%x, $pb];
			}
		} else {
			push @parts, [\%h, $body];
		}
		my $n = 0;
		for (@parts) {
			my ($x, $pb) = @$_;
			my $t = $x->{"content-type"} // bad("a part without Content-Type");
			my $cte = lc($x->{"content-transfer-encoding"} // "7bit");
			my $d;
			if ($cte eq "base64") {
				for my $l (split /\n/, $pb) { $l =~ m{^[A-Za-z0-9+/=]{0,76}$} or bad("bad base64 line") }
				$d = decode_base64($pb);
			} elsif ($cte eq "8bit" || $cte eq "7bit") {
				$cte eq "7bit" && $pb =~ /[^\x00-\x7f]/ and bad("8-bit text without 8bit");
				$d = $pb;
			} else { bad("transfer encoding $cte") }
			if ($t =~ m{^text/}i) {
				$t =~ /charset="?utf-8"?/i or bad("text without charset=utf-8: $t");
				my $copy = $d;
				eval { decode("UTF-8", $copy, Encode::FB_CROAK); 1 } or bad("text not UTF-8");
			}
			open my $f, ">", "part.$n" or die; print $f $d; close $f;
			my $name = ($x->{"content-disposition"} // "") =~ /filename="([^"]+)"/ ? $1 : "";
			(my $first = (split /\n/, $d)[0] // "") =~ s/\r//;
			my ($type) = $t =~ /^([^;\s]+)/;
			print "$type|$name|", ($type =~ m{^text/} ? $first : length($d)), "\n";
			$n++;
		}' "$1"
}

# check_page FILE: the report's HTML page, in Chinese, that an XML parser reads
check_page() {
	grep -q "^<!DOCTYPE html>$" "$1" && grep -q "<html lang=\"zh-CN\">" "$1" &&
	xmllint --noout "$1"
}

test_expect_success 'set up: cases filed in October and November' '
	yb_cases 4 | case-submit --bulk >/dev/null &&
	db_sql "UPDATE cases SET submitted_at = '\''2026-10-20T09:00:00+08:00'\'',
		doc = $(db_doc_set submitted_at "'\''2026-10-20T09:00:00+08:00'\''")
		WHERE seq <= 2" &&
	test "$(db_sql "SELECT count(*) FROM cases WHERE r_day = '\''2026-10-20'\''")" = 2
'

test_expect_success 'check_mime has teeth: the old README line (no MIME-Version), a long line' '
	rm -f "$MAILBOX"/* &&
	echo "<p>中文</p>" | mail -a "Content-Type: text/html; charset=utf-8" -s x y@example.org &&
	test_must_fail check_mime "$MAILBOX/mail.0.msg" 2>err && grep -q "MIME-Version" err &&
	{ printf "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" &&
	  head -c 1200 /dev/zero | tr "\0" x && echo; } >long.msg &&
	test_must_fail check_mime long.msg 2>err && grep -q "1200 bytes" err &&
	printf "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n中文\n" >8bit.msg &&
	test_must_fail check_mime 8bit.msg 2>err && grep -q "without 8bit" err
'

test_expect_success 'the README: the bsd-mailx line, as written' '
	rm -f "$MAILBOX"/* &&
	line=$(grep "| mail -a " "$TWONET_SRC/scripts/cron/README" | sed "s/^ *//") &&
	test -n "$line" &&
	mkdir readme && (cd readme && TWONET_TODAY=2026-11-18 bash -ec "$line") &&
	msg=$(ls "$MAILBOX"/mail.*.msg) && test "$(echo "$msg" | wc -l)" = 1 &&
	check_mime "$msg" >parts &&
	grep -qx "subject|Cases, last month" parts &&
	grep -qx "text/html||<!DOCTYPE html>" parts &&
	grep -q "^To: office@example.org$" "$msg" &&
	grep -q "^Content-Transfer-Encoding: 8bit$" "$msg" &&
	check_page part.0 && grep -q "<td>医疗保障局</td>" part.0 &&
	grep -q "<title>办件报表 2026-10-01 至 2026-10-31</title>" part.0
'

test_expect_success 'the README: the mutt line, as written' '
	line=$(grep "mutt -e " "$TWONET_SRC/scripts/cron/README" | sed "s/^ *//") &&
	mkdir mutt && (cd mutt && TWONET_TODAY=2026-11-18 bash -ec "$line") &&
	check_page mutt/report.html &&
	args=$(ls "$MAILBOX"/mutt.*.args) &&
	grep -qx "set content_type=text/html" "$args" &&
	cmp mutt/report.html "${args%.args}.msg"
'

test_expect_success 'case-report(1): its crontab line, one line, its command as written' '
	entry=$(grep "^15 6 1 " "$TWONET_SRC/man/case-report.1" |
		sed -e "s/\\\\-/-/g" -e "s/\\\\(aq/'\''/g" -e "s/\\\\e/\\\\/g") &&
	test "$(echo "$entry" | wc -l)" = 1 &&
	case $entry in *"%"*) false ;; esac &&
	cmd=$(echo "$entry" | sed -E "s/^([^ ]+ +){5}//") &&
	rm -f "$MAILBOX"/* &&
	mkdir man && (cd man && TWONET_TODAY=2026-11-18 bash -ec "$cmd") &&
	msg=$(ls "$MAILBOX"/mail.*.msg) &&
	check_mime "$msg" >parts &&
	grep -qx "text/html||<!DOCTYPE html>" parts && check_page part.0
'

# the crontab's environment, PATH put after the stubs and the commands (cron's PATH
# holds installed ones), /opt/twonet the source; the profile "reports" of the config file
test_expect_success 'scripts/cron/crontab: every job runs as written' '
	mkdir -p "$XDG_CONFIG_HOME/twonet" &&
	printf "profiles:\n  reports:\n    url: %s\n    token: %s\n" "$TWONET_URL" "$ADMIN" \
		>"$XDG_CONFIG_HOME/twonet/config.yaml" &&
	chmod 600 "$XDG_CONFIG_HOME/twonet/config.yaml" &&
	tab=$TWONET_SRC/scripts/cron/crontab &&
	grep -E "^[A-Z_]+=" "$tab" >env.txt && grep -q "^TWONET_PROFILE=reports$" env.txt &&
	grep -E "^[0-9*]" "$tab" | sed -E "s/^([^ ]+ +){5}//" >jobs.txt &&
	test "$(wc -l <jobs.txt)" = 3 &&
	rm -f "$MAILBOX"/* &&
	while IFS= read -r job; do
		job=$(printf "%s" "$job" | sed -e "s|/opt/twonet|$TWONET_SRC|g" -e "s/\\\\%/%/g") &&
		env -i HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
			LC_ALL=C.UTF-8 TZ=Asia/Shanghai TWONET_TODAY=2026-11-18 MAILBOX="$MAILBOX" \
			$(sed "s/^PATH=.*//" env.txt) \
			PATH="$TRASH/stubs:$TWONET_BUILD/bin:$(sed -n "s/^PATH=//p" env.txt)" \
			sh -c "$job" </dev/null >>jobs.out 2>>jobs.err || { echo "failed: $job"; cat jobs.err; exit 1; }
	done <jobs.txt &&
	test ! -s jobs.err &&
	test "$(ls "$MAILBOX"/sendmail.*.msg | wc -l)" = 2 &&
	for m in "$MAILBOX"/sendmail.*.msg; do
		check_mime "$m" >parts &&
		grep -q "^To: office@example.org$" "$m" &&
		grep -q "^From: twonet-reports@example.org$" "$m" &&
		grep -qx "text/html||<!DOCTYPE html>" parts && check_page part.0 &&
		grep -q "^text/csv|report-[0-9-]*\.csv|部门代码,部门名称,收件," parts || exit 1
	done &&
	grep -qx -- -t "$MAILBOX"/sendmail.0.args &&
	csv=$HOME/reports/cases-$(TZ=Asia/Shanghai date -d yesterday +%Y-%m).csv &&
	head -n 1 "$csv" | grep -q "^group,name,received,"
'

test_expect_success 'the daily and monthly scripts: Chinese subjects, the page, CSV and chart' '
	rm -f "$MAILBOX"/* &&
	REPORT_TO=office@example.org TWONET_TODAY=2026-10-21 \
		"$TWONET_SRC/scripts/cron/case-report-daily" >/dev/null 2>err && test ! -s err &&
	check_mime "$MAILBOX/sendmail.0.msg" >daily &&
	grep -qx "subject|昨日办件（按部门）" daily &&
	grep -qx "text/html||<!DOCTYPE html>" daily && check_page part.0 &&
	grep -q "<p>统计期 2026-10-20 至 2026-10-20，按部门" part.0 &&
	grep -q "<td>医疗保障局</td><td class=\"n\">2</td>" part.0 &&
	grep -q "<p class=\"note\">期末积压：" part.0 &&
	if command -v rsvg-convert >/dev/null; then grep -q "^image/png|chart-" daily; fi &&
	REPORT_TO=office@example.org REPORT_ALERTS=1 TWONET_TODAY=2026-11-18 \
		"$TWONET_SRC/scripts/cron/case-report-monthly" >/dev/null 2>err && test ! -s err &&
	check_mime "$MAILBOX/sendmail.1.msg" >cases && grep -qx "subject|上月办件（按部门）" cases &&
	check_mime "$MAILBOX/sendmail.2.msg" >alerts && grep -qx "subject|上月告警（按类型）" alerts &&
	grep -qx "text/html||<!DOCTYPE html>" alerts && check_page part.0 &&
	grep -q "<title>告警报表 " part.0 && ! grep -q "期末积压" part.0 &&
	grep -q "^text/csv|report-[0-9-]*\.csv|告警类型,名称,告警," alerts
'

test_expect_success 'report-mail: a long subject in several encoded words; REPORT_LANG=en' '
	rm -f "$MAILBOX"/* &&
	subject="上海市医疗保障局、人力资源和社会保障局与市场监督管理局的上月办件、积压与超期情况汇总报表" &&
	REPORT_TO=a@example.org,b@example.org REPORT_LANG=en TWONET_TODAY=2026-11-18 \
		"$TWONET_SRC/scripts/cron/report-mail" "$subject" --from last-month >/dev/null &&
	check_mime "$MAILBOX/sendmail.0.msg" >parts &&
	grep -qx "subject|$subject" parts &&
	test "$(grep -c "=?UTF-8?B?" "$MAILBOX/sendmail.0.msg")" -ge 3 &&
	grep -q "^To: a@example.org,b@example.org$" "$MAILBOX/sendmail.0.msg" &&
	grep -q "^text/csv|report-[0-9-]*\.csv|group,name,received," parts &&
	grep -q "<html lang=\"en\">" part.0
'

test_done
