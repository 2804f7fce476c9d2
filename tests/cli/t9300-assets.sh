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

test_done
