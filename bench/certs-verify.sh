#!/bin/bash
# bench/certs-verify.sh [N] — the client's SM2 verification rate against the
# machine's: `openssl speed -seconds 3 sm2` (one core) times the cores, beside
#   1. the bulk signer (tn_cert_sign_many) alone, then making N signed
#      certificates (default 10,000),
#   2. the bulk verifier (tn_cert_batch: canonical JSON on the main thread,
#      SM2 on every core, over fixed-base tables from a key's 8th signature:
#      lib/certsm2fixed.c) over them, and again with TWONET_SM2_TABLES=0,
#   3. `cert-fetch --verify` end to end (parse, verify, write NDJSON),
#   4. the same file twice: deduplication means no more SM2 work.
# TWONET_BUILD=DIR takes the commands from a build folder (default: the tree).
# Prints the figures and the ratios; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
N=${1:-10000}
CORES=$(nproc)
BUILD=${TWONET_BUILD:-$TOP}
export PATH="$BUILD/bin:$PATH"
TOOL="$BUILD/tests/unit/test_certtool"
[ -x "$TOOL" ] || { echo "build first: make tests/unit/test_certtool"; exit 1; }

echo "bench/certs-verify: $N certificates, $CORES cores, $(openssl version)"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg): other work on the machine lowers the wall-clock figures"
speed=$(openssl speed -seconds 3 sm2 2>/dev/null | awk '/SM2/ { print $(NF-1), $NF }')
sign1=${speed% *}
verify1=${speed#* }
printf 'openssl speed sm2 (1 core): %.0f sign/s, %.0f verify/s; x %d cores = %.0f sign/s, %.0f verify/s\n' \
	"$sign1" "$verify1" "$CORES" "$(echo "$sign1 * $CORES" | bc -l)" "$(echo "$verify1 * $CORES" | bc -l)"

cd "$BENCH_TMP"
"$TOOL" genkey ZJW 113100000024017134 zjw.key > item.json
jq -c '{items: [.]}' item.json > issuers.json

read -r _ _ _ ssecs _ srate _ _ _ scpu < <("$TOOL" bench-sign "$N" 0)
printf 'bulk signer alone (tn_cert_sign_many, %d threads): %d in %.2f s = %.0f sign/s = %.0f%% of openssl x cores\n' \
	"$CORES" "$N" "$ssecs" "$srate" "$(echo "100 * $srate / ($sign1 * $CORES)" | bc -l)"
# openssl speed divides by its CPU time, so other work on the machine does not
# lower its figure; the same per CPU second of ours shows the cost of a signature
[ -z "${scpu:-}" ] || printf '  per CPU second (load aside): %.0f sign/s = %.0f%% of openssl on one core (%.2f CPU s)\n' \
	"$(echo "$N / $scpu" | bc -l)" "$(echo "100 * $N / $scpu / $sign1" | bc -l)" "$scpu"

t0=$(now)
"$TOOL" gen "$N" zjw.key ZJW 113100000024017134 113100000024017134001 > certs.ndjson
t1=$(now)
gen_rate=$(echo "$N / ($t1 - $t0)" | bc -l)
printf 'signed certificates (JSON building and writing on one thread included): %d in %.2f s = %.0f sign/s = %.0f%% of openssl x cores\n' \
	"$N" "$(echo "$t1 - $t0" | bc -l)" "$gen_rate" "$(echo "100 * $gen_rate / ($sign1 * $CORES)" | bc -l)"

read -r _ _ _ secs _ rate _ threads _ sm2 _ invalid _ vcpu < <("$TOOL" bench-verify certs.ndjson issuers.json)
printf 'bulk verifier (%d threads): %d in %.2f s = %.0f verify/s = %.0f%% of openssl x cores (%d SM2, %d invalid)\n' \
	"$threads" "$N" "$secs" "$rate" "$(echo "100 * $rate / ($verify1 * $CORES)" | bc -l)" "$sm2" "$invalid"
[ -z "${vcpu:-}" ] || printf '  per CPU second (load aside): %.0f verify/s = %.0f%% of openssl on one core (%.2f CPU s, JSON included)\n' \
	"$(echo "$N / $vcpu" | bc -l)" "$(echo "100 * $N / $vcpu / $verify1" | bc -l)" "$vcpu"
read -r _ _ _ esecs _ erate _ _ _ _ _ _ _ ecpu < <(TWONET_SM2_TABLES=0 "$TOOL" bench-verify certs.ndjson issuers.json)
printf '  the same without the fixed-base tables (TWONET_SM2_TABLES=0, EVP_PKEY_verify): %.2f s = %.0f verify/s = %.0f%% of openssl x cores\n' \
	"$esecs" "$erate" "$(echo "100 * $erate / ($verify1 * $CORES)" | bc -l)"

t0=$(now)
cert-fetch --verify certs.ndjson --issuers issuers.json --date 2026-06-01 --format ndjson > out.ndjson
t1=$(now)
e2e=$(echo "$N / ($t1 - $t0)" | bc -l)
valid=$(grep -c '"verification":{"valid":true}' out.ndjson || true)
printf 'cert-fetch --verify (parse + verify + output): %.2f s = %.0f certs/s = %.0f%% of openssl x cores (%d valid)\n' \
	"$(echo "$t1 - $t0" | bc -l)" "$e2e" "$(echo "100 * $e2e / ($verify1 * $CORES)" | bc -l)" "$valid"

cat certs.ndjson certs.ndjson > twice.ndjson
t0=$(now)
cert-fetch -v --verify twice.ndjson --issuers issuers.json --date 2026-06-01 --format ndjson > /dev/null 2> twice.err
t1=$(now)
printf 'cert-fetch --verify, every certificate twice: %.2f s; %s\n' "$(echo "$t1 - $t0" | bc -l)" \
	"$(sed 's/^cert-fetch: //' twice.err)"
