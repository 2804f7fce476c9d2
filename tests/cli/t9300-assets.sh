#!/bin/bash
# The asset register (issue 17): twonetd import assets (every feature checked,
# FILE:LINE errors with nothing written, a re-import changes nothing, a changed
# feature is updated at version + 1 keeping its live state), GET /v1/assets
# with its filters, bounding box and pages, one asset, its state set under
# If-Match (412 when stale), the roles; asset-list, asset-show, asset-act.
. "$(dirname "$0")/test-lib.sh"

DATA="$TWONET_SRC/tests/data/assets"
start_server
OP=$(make_token operator op-1)
SENSOR=$(make_token sensor gauge-1)
CREW=$(twonetd token add --db "$TWONETD_DB" --role crew --name pt-1 --crew 泵车队-1)
APPL=$(make_token applicant ap-1)
ADMIN=$(make_token admin root)

# assets QUERY: the ids of GET /v1/assets?QUERY (every page), one a line
assets() {
	curl -sS -H "Authorization: Bearer $OP" "$TWONET_URL/v1/assets?$1" | jq -r ".items[].id"
}
count() { db_sql "SELECT count(*) FROM assets"; }

test_expect_success 'import assets: every feature, its district as a code and its kind props' '
	twonetd import assets --db "$TWONETD_DB" "$DATA/small.geojson" >out &&
	echo "7 added, 0 updated, 0 unchanged" >want && test_cmp want out &&
	test "$(count)" = 7 &&
	test "$(api GET /v1/assets/FP-01 "$OP")" = 200 &&
	json_eq .district 310115 <out.json &&
	json_eq .district_name 浦东新区 <out.json &&
	json_eq .state null <out.json &&
	json_eq .props.passable_depth_cm 25 <out.json &&
	json_eq .version 1 <out.json &&
	grep -qi "^etag: \"1\"" headers.txt &&
	test "$(api GET /v1/assets/PS-0001 "$OP")" = 200 &&
	json_eq .state running <out.json &&
	json_eq .lon 121.4905 <out.json &&
	test "$(api GET /v1/assets/VH-001 "$OP")" = 200 &&
	json_eq .state free <out.json &&
	json_eq .props.type pump_truck <out.json &&
	json_eq .props.capacity_m3h 3000 <out.json
'

test_expect_success 'the same file again changes nothing, not even a version' '
	db_sql "SELECT id, version, doc FROM assets ORDER BY id" >before &&
	twonetd import assets --db "$TWONETD_DB" "$DATA/small.geojson" >out &&
	echo "0 added, 0 updated, 7 unchanged" >want && test_cmp want out &&
	db_sql "SELECT id, version, doc FROM assets ORDER BY id" >after &&
	test_cmp before after
'

test_expect_success 'faulty features: FILE:LINE: field: what for each, exit 7, nothing written' '
	db_sql "SELECT id, version, doc FROM assets ORDER BY id" >before &&
	test_expect_exit 7 twonetd import assets --db "$TWONETD_DB" "$DATA/bad.geojson" 2>err &&
	grep -q "^$DATA/bad.geojson:3: kind: '"'"'pump'"'"' is not one of pump_station|" err &&
	grep -q "^$DATA/bad.geojson:4: geometry: 116.400000,39.900000 (lon,lat) is outside Shanghai" err &&
	grep -q "^$DATA/bad.geojson:5: district: '"'"'海淀区'"'"' is not one of Shanghai" err &&
	grep -q "^$DATA/bad.geojson:7: state: '"'"'broken'"'"' is not one of a vehicle" err &&
	grep -q "4 of 5 features in .* are not valid; nothing imported" err &&
	db_sql "SELECT id, version, doc FROM assets ORDER BY id" >after &&
	test_cmp before after &&
	test_must_fail twonetd import assets --db "$TWONETD_DB" "$DATA/nonexistent.geojson" 2>err &&
	grep -q "cannot open" err &&
	printf "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\",\n" >cut.geojson &&
	test_expect_exit 7 twonetd import assets --db "$TWONETD_DB" cut.geojson 2>err &&
	grep -q "cut.geojson:2: not JSON" err &&
	echo "[1, 2]" >arr.geojson &&
	test_expect_exit 7 twonetd import assets --db "$TWONETD_DB" arr.geojson 2>err &&
	grep -q "arr.geojson:1: not a GeoJSON FeatureCollection" err &&
	test "$(count)" = 7
'

test_expect_success 'a changed feature is updated at version + 1; its live state is kept' '
	sed "s/\"capacity_m3s\": 2}/\"capacity_m3s\": 3, \"state\": \"running\"}/" \
		"$DATA/small.geojson" >changed.geojson &&
	twonetd import assets --db "$TWONETD_DB" changed.geojson >out &&
	echo "0 added, 1 updated, 6 unchanged" >want && test_cmp want out &&
	test "$(api GET /v1/assets/PS-0002 "$OP")" = 200 &&
	json_eq .version 2 <out.json &&
	json_eq .props.capacity_m3s 3 <out.json &&
	json_eq .state fault <out.json
'

test_expect_success 'GET /v1/assets: filters by kind, district (code or name), state' '
	test "$(assets "kind=pump_station" | tr "\n" " ")" = "PS-0001 PS-0002 " &&
	test "$(assets "kind=vehicle,team" | tr "\n" " ")" = "TM-01 VH-001 VH-002 " &&
	test "$(assets "district=黄浦区" | tr "\n" " ")" = "EP-001 PS-0001 " &&
	test "$(assets "district=310104&kind=vehicle")" = VH-001 &&
	test "$(assets "state=fault")" = PS-0002 &&
	test "$(api GET "/v1/assets?kind=pump" "$OP")" = 400 &&
	json_eq .field kind <out.json &&
	test "$(api GET "/v1/assets?district=北京" "$OP")" = 400 &&
	test "$(api GET "/v1/assets?colour=red" "$OP")" = 400
'

test_expect_success 'GET /v1/assets?bbox=minlon,minlat,maxlon,maxlat: inside it, edges included' '
	test "$(assets "bbox=121.47,31.22,121.50,31.24" | tr "\n" " ")" = "EP-001 PS-0001 " &&
	test "$(assets "bbox=121.4905,31.2397,121.4905,31.2397")" = PS-0001 &&
	test "$(assets "bbox=121.40,31.18,121.46,31.23&kind=vehicle")" = VH-001 &&
	test -z "$(assets "bbox=120.9,30.7,121.0,30.8")" &&
	for b in "121.5,31.2,121.4,31.3" "121.4,31.2,121.5" "a,b,c,d" "121,31,122,91"; do
		test "$(api GET "/v1/assets?bbox=$b" "$OP")" = 400 || return 1
	done &&
	json_eq .field bbox <out.json
'

test_expect_success 'pages: limit and cursor walk every asset once, in id order' '
	test "$(api GET "/v1/assets?limit=3" "$OP")" = 200 &&
	jq -r ".items[].id" out.json >all &&
	next=$(jq -r .next out.json) &&
	while [ "$next" != null ]; do
		test "$(api GET "/v1/assets?limit=3&cursor=$next" "$OP")" = 200 || return 1
		jq -r ".items[].id" out.json >>all
		next=$(jq -r .next out.json)
	done &&
	test "$(wc -l <all)" = 7 &&
	sort all | test_cmp all - &&
	test "$(api GET "/v1/assets?cursor=zz" "$OP")" = 400 &&
	json_eq .field cursor <out.json
'

test_expect_success 'POST /v1/assets/{id}/state under If-Match: the state, version + 1; 412 when stale' '
	test "$(api POST /v1/assets/VH-002/state "$OP" -H "If-Match: \"1\"" \
		-d "{\"state\": \"en_route\"}")" = 200 &&
	json_eq .state en_route <out.json &&
	json_eq .version 2 <out.json &&
	grep -qi "^etag: \"2\"" headers.txt &&
	test "$(api POST /v1/assets/VH-002/state "$OP" -H "If-Match: 1" \
		-d "{\"state\": \"on_site\"}")" = 412 &&
	grep -q "asset VH-002 is at version 2, not 1" out.json &&
	test "$(api POST /v1/assets/VH-002/state "$OP" -d "{\"state\": \"en_route\"}")" = 200 &&
	json_eq .version 2 <out.json &&
	test "$(api POST /v1/assets/VH-002/state "$OP" -d "{\"state\": \"fault\"}")" = 422 &&
	json_eq .field state <out.json &&
	test "$(api POST /v1/assets/FP-01/state "$OP" -d "{\"state\": \"free\"}")" = 422 &&
	test "$(api POST /v1/assets/PS-0001/state "$OP" -d "{\"state\": \"fault\"}")" = 200 &&
	test "$(api POST /v1/assets/NOPE-1/state "$OP" -d "{\"state\": \"free\"}")" = 404 &&
	test "$(api POST /v1/assets/VH-002/state "$OP" -d "{\"state\": \"free\", \"x\": 1}")" = 400 &&
	test "$(api POST /v1/assets/VH-002/state "$OP" -H "If-Match: v2" \
		-d "{\"state\": \"free\"}")" = 400 &&
	test "$(assets "state=fault" | tr "\n" " ")" = "PS-0001 PS-0002 "
'

test_expect_success 'an import after a state change keeps the live state' '
	twonetd import assets --db "$TWONETD_DB" changed.geojson >out &&
	echo "0 added, 0 updated, 7 unchanged" >want && test_cmp want out &&
	test "$(api GET /v1/assets/VH-002 "$OP")" = 200 &&
	json_eq .state en_route <out.json
'

test_expect_success 'roles: a crew reads the register and sets its own vehicle only; others none' '
	test "$(api GET /v1/assets "$CREW")" = 200 &&
	test "$(api GET /v1/assets/PS-0001 "$CREW")" = 200 &&
	test "$(api POST /v1/assets/VH-001/state "$CREW" -d "{\"state\": \"en_route\"}")" = 200 &&
	json_eq .state en_route <out.json &&
	test "$(api POST /v1/assets/VH-002/state "$CREW" -d "{\"state\": \"free\"}")" = 403 &&
	test "$(api POST /v1/assets/PS-0001/state "$CREW" -d "{\"state\": \"running\"}")" = 403 &&
	test "$(api GET /v1/assets "$SENSOR")" = 403 &&
	test "$(api GET /v1/assets/VH-001 "$APPL")" = 403 &&
	test "$(api POST /v1/assets/VH-001/state "$SENSOR" -d "{\"state\": \"free\"}")" = 403 &&
	test "$(api GET /v1/assets "")" = 401 &&
	test "$(api GET /v1/assets "$ADMIN")" = 200
'

test_expect_success 'asset-list: NDJSON on a pipe, the filters and the box as the API, --jq, --all' '
	asset-list --token "$OP" --kind vehicle >out &&
	test "$(jq -r .id out | tr "\n" " ")" = "VH-001 VH-002 " &&
	asset-list --token "$OP" --district 黄浦区 --bbox 121.47,31.22,121.50,31.24 --jq .id >out &&
	printf "EP-001\nPS-0001\n" >want && test_cmp want out &&
	asset-list --token "$OP" --state fault,en_route --jq .id >out &&
	test "$(tr "\n" " " <out)" = "PS-0001 PS-0002 VH-001 VH-002 " &&
	asset-list --token "$OP" -n 2 >out 2>err &&
	test "$(wc -l <out)" = 2 && grep -q "more exist" err &&
	asset-list --token "$OP" --all -n 2 >out &&
	test "$(wc -l <out)" = 7 &&
	asset-list --token "$OP" --format table --kind pump_station >out &&
	head -n 1 out | grep -q "^ID *KIND *STATE" &&
	grep -q "PS-0002 *pump_station *fault" out
'

test_expect_success 'asset-list refuses bad filters before sending: exit 7 or 2' '
	test_expect_exit 7 asset-list --token "$OP" --kind pump_statoin 2>err &&
	grep -q "did you mean" err &&
	test_expect_exit 7 asset-list --token "$OP" --district 北京 2>err &&
	test_expect_exit 2 asset-list --token "$OP" --bbox 121.5,31.2,121.4 2>err &&
	grep -q "MINLON,MINLAT,MAXLON,MAXLAT" err
'

test_expect_success 'asset-show: the asset as JSON, several, one missing (exit 3)' '
	asset-show --token "$OP" PS-0002 >out &&
	json_eq .props.capacity_m3s 3 <out &&
	asset-show --token "$OP" PS-0001 FP-01 >out &&
	test "$(jq -r .id out | tr "\n" " ")" = "PS-0001 FP-01 " &&
	test_expect_exit 3 asset-show --token "$OP" NOPE-9 2>err &&
	grep -q "asset NOPE-9 not found" err &&
	test_expect_exit 7 asset-show --token "$OP" "bad id" 2>err
'

test_expect_success 'asset-act state: under the version read, a stale one exit 5, a state the kind has not exit 7' '
	asset-act --token "$OP" state --to on_site VH-002 >out &&
	json_eq .state on_site <out &&
	v=$(jq .version out) &&
	test_expect_exit 5 asset-act --token "$OP" state --to free --if-version $((v - 1)) VH-002 2>err &&
	grep -q "is at version $v" err &&
	test_expect_exit 7 asset-act --token "$OP" state --to fault VH-002 2>err &&
	grep -q "state: .fault. is not one of a vehicle" err &&
	test_expect_exit 7 asset-act --token "$OP" state --to flying VH-002 2>err &&
	test_expect_exit 2 asset-act --token "$OP" state VH-002 2>err &&
	grep -q "needs --to" err &&
	test_expect_exit 4 asset-act --token "$CREW" state --to free VH-002 2>err
'

test_expect_success 'asset-list | asset-act state - : each listed vehicle, at the version listed' '
	asset-list --token "$OP" --kind vehicle | asset-act --token "$OP" state --to free - >out 2>err &&
	test "$(jq -r .state out | sort -u)" = free &&
	grep -q "state: 2 done" err &&
	test "$(assets "state=free" | tr "\n" " ")" = "VH-001 VH-002 "
'

test_expect_success 'the shipped register: the article counts, every feature valid, a second import changes nothing' '
	data="$TWONET_SRC/share/twonet/assets/shanghai.geojson" &&
	{ test -f "$data" || gen-assets --out "$data"; } &&
	twonetd import assets --db "$TWONETD_DB" "$data" >out &&
	echo "16352 added, 6 updated, 0 unchanged" >want && test_cmp want out &&
	twonetd import assets --db "$TWONETD_DB" "$data" >out &&
	echo "0 added, 0 updated, 16358 unchanged" >want && test_cmp want out &&
	asset-list --token "$OP" --all --jq .kind | sort | uniq -c | awk "{print \$2, \$1}" >got &&
	printf "compound 14020\nevacuation_point 736\nflood_point 65\npump_station 1418\nteam 40\nvehicle 80\n" >want &&
	test_cmp want got &&
	asset-list --token "$OP" --kind flood_point --district 310104 --jq .name >names &&
	test "$(wc -l <names)" = 4 &&
	! grep -v "^徐汇区.*易涝点$" names
'

test_expect_success 'flood-sim --assets: the alerts at the register flood points and pump stations' '
	data="$TWONET_SRC/share/twonet/assets/shanghai.geojson" &&
	flood-sim --dry-run --rate 50 --duration 2 --seed 3 --run reg --assets "$data" >sim.ndjson &&
	test "$(wc -l <sim.ndjson)" = 100 &&
	jq -r "[.source, .kind] | @tsv" sim.ndjson | sort -u >sources &&
	! grep -v -E "^(FP-[0-9]{3}	water_depth|PS-[0-9]{4}	pump_fault)$" sources &&
	grep -q "pump_fault" sources &&
	jq -c "{source, district, lat: .location.lat, lon: .location.lon, name: .location.address}" \
		sim.ndjson | sort -u >placed &&
	while read -r a; do
		id=$(echo "$a" | jq -r .source) &&
		asset-show --token "$OP" "$id" \
			--jq "{source: .id, district, lat, lon, name}" >one || return 1
		test "$(jq -c . one)" = "$a" || { echo "$a != $(cat one)"; return 1; }
	done <placed &&
	flood-sim --rate 50 --duration 1 --seed 3 --run reg-post --assets "$data" --token "$SENSOR" 2>err &&
	grep -q "sent 50 alerts" err &&
	test "$(alert-list --token "$OP" --all --jq .source | grep -c -E "^(FP|PS)-")" = 50 &&
	test_expect_exit 2 flood-sim --dry-run --assets nonexistent.geojson 2>err &&
	grep -q "cannot read" err &&
	flood-sim --dry-run --rate 5 --duration 1 --seed 7 --run x >plain &&
	! grep -q "\"source\":\"[FP][PS]-" plain
'

test_expect_success 'the store unit tests of the register on this backend' '
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		U=$(pg_createdb assetsunit) && twonetd init --db "$U" >/dev/null
	else
		U=
	fi &&
	TWONET_PG_URI=$U CMOCKA_MESSAGE_OUTPUT=TAP "$TWONET_BUILD/tests/unit/test_srv_assets" >unit.out 2>&1 ||
		{ cat unit.out; false; }
'

test_done
