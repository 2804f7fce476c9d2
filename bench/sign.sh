#!/bin/bash
# bench/sign.sh [N] — gen-certs's signing rate against openssl's, alternated
# so that the host's drift (10-40% within minutes here) falls on both sides:
# ROUNDS (default 5) times, in turn,
#   `openssl speed -seconds 2 sm2`           one core's sign/s, times the cores;
#   `openssl speed -multi CORES -seconds 2 sm2`  every core at once (what the
#                                              machine signs when all are busy);
#   twonetd-gen-certs N (default 10,000) into a scratch database, as shipped;
#   the same with TWONET_SM2_SIGN=evp (EVP_PKEY_sign, (1 + d)^-1 at every
#   signature: lib/certsm2sign.c) — the A/B of the kept inverse;
# then each round's ratios and, over the rounds, the medians and spreads.
# TWONET_BUILD=DIR takes the programs from a build folder.  Prints figures;
# asserts nothing about time.
. "$(dirname "$0")/lib.sh"
N=${1:-10000}
ROUNDS=${ROUNDS:-5}
CORES=$(nproc)
command -v openssl >/dev/null || { echo "bench/sign: needs openssl"; exit 1; }
DB=$BENCH_TMP/sign.db
twonetd init --db "$DB" >/dev/null
twonetd import catalog --db "$DB" >/dev/null
twonetd-gen-certs --db "$DB" 10 >/dev/null 2>&1      # the issuer keys, made once
echo "bench/sign: $N certificates a run, $ROUNDS rounds, $CORES cores, $(openssl version)"
speed() { openssl speed "$@" -seconds 2 sm2 2>/dev/null | awk '/bits SM2/ { print $(NF-1) }'; }
gen() { twonetd-gen-certs --db "$DB" "$N" 2>/dev/null | sed -n 's/.*s: \([0-9]*\) signatures\/s.*/\1/p'; }
printf '%5s %9s %9s %9s %9s %8s %8s %8s\n' round "1 core" "x$CORES" "-multi" gen-certs "/x$CORES" /multi "evp"
for r in $(seq "$ROUNDS"); do
	one=$(speed)
	multi=$(speed -multi "$CORES")
	own=$(gen)
	evp=$(TWONET_SM2_SIGN=evp gen)
	echo "$r $one $multi $own $evp" >>"$BENCH_TMP/rounds"
	awk -v r="$r" -v o="$one" -v m="$multi" -v g="$own" -v e="$evp" -v c="$CORES" 'BEGIN {
		printf "%5d %9.0f %9.0f %9.0f %9.0f %7.0f%% %7.0f%% %7.0f%%\n", r, o, o * c, m, g,
			100 * g / (o * c), 100 * g / m, 100 * e / (o * c) }'
done
# the medians and spreads of each ratio over the rounds
summary() {
	sort -n | awk -v what="$1" '{ v[NR] = $1 } END {
		printf "%s: median %.0f%% of %d rounds (lowest %.0f%%, highest %.0f%%)\n",
			what, v[int((NR + 1) / 2)], NR, v[1], v[NR] }'
}
awk -v c="$CORES" '{ print 100 * $4 / ($2 * c) }' "$BENCH_TMP/rounds" |
	summary "gen-certs / (openssl speed sm2 x $CORES cores)"
awk '{ print 100 * $4 / $3 }' "$BENCH_TMP/rounds" |
	summary "gen-certs / openssl speed -multi $CORES"
awk -v c="$CORES" '{ print 100 * $5 / ($2 * c) }' "$BENCH_TMP/rounds" |
	summary "TWONET_SM2_SIGN=evp gen-certs / (openssl x $CORES cores)"
awk '{ print 100 * ($4 - $5) / $5 }' "$BENCH_TMP/rounds" |
	summary "gen-certs over TWONET_SM2_SIGN=evp, same round (percent faster)"
