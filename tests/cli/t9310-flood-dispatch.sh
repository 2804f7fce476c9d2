#!/bin/bash
# flood-dispatch offline on a small graph with known answers: the nearest
# truck by travel time (not as the crow flies), a closed road forcing the
# detour, a point no truck is left for, replan when water closes the route in
# use, predeploy's ranking and staging, the graph file's FILE:LINE errors and
# usage errors; --geojson; the shipped Shanghai graph loads and answers.
# Against a server: the flood tasks and depth alerts read from it (a task
# without a place left out), predeploy's history counted from the alerts,
# --apply dispatching the task with the register's nearest free truck as its
# crew and marking the truck en route.
. "$(dirname "$0")/test-lib.sh"

# P the flooded point; A 780 m north across a river, 8.5 km by road (round by
# X and B); B 1.9 km east on the expressway (2 km at 60 km/h: 120 s); C a
# slower way round from P to B (2 x 1.2 km at 30 km/h: 288 s).
cat >small.graph <<'EOF'
# a small test graph
N P 31.200 121.400
N A 31.207 121.400
N B 31.200 121.420
N X 31.207 121.430
N C 31.195 121.410
E P B 2000 60 东西快速路
E B X 1500 40 北路
E X A 3000 40 滨江路
E P C 1200 30 南支路
E C B 1200 30 南支路
EOF
cat >trucks.ndjson <<'EOF'
{"id":"PT-A","lat":31.207,"lon":121.400,"capacity_m3h":300}
{"id":"PT-B","lat":31.200,"lon":121.420,"capacity_m3h":300}
EOF
echo '{"id":"FP-P","lat":31.200,"lon":121.400,"depth_m":0.45,"priority":1}' >points.ndjson
echo '{"lat":31.2001,"lon":121.410,"depth_m":0.5}' >water.ndjson
fd() { flood-dispatch --graph small.graph "$@"; }

test_expect_success 'plan: the nearest truck by travel time, with its route' '
	fd --trucks trucks.ndjson --points points.ndjson >out &&
	test $(wc -l <out) = 1 &&
	json_eq "[.point, .truck, .eta_s, .length_m, .detour_s, (.roads | join(\",\"))] | join(\" \")" \
		"FP-P PT-B 120 2000 0 东西快速路" <out &&
	json_eq ".route | [.type, (.coordinates | map(map(tostring) | join(\",\")) | join(\" \"))] | join(\" \")" \
		"LineString 121.42,31.2 121.4,31.2" <out
'

test_expect_success 'plan and replan: --geojson writes the routes as one FeatureCollection' '
	fd --trucks trucks.ndjson --points points.ndjson --geojson routes.geojson >out &&
	jq -r ".type, (.features[] | [.type, .geometry.type, .properties.point, .properties.truck, .properties.eta_s] | join(\" \"))" \
		routes.geojson >got &&
	printf "FeatureCollection\nFeature LineString FP-P PT-B 120\n" >expect &&
	test_cmp expect got &&
	test_expect_exit 2 fd predeploy --forecast /dev/null --geojson x.geojson 2>err
'

test_expect_success 'plan: water on the expressway closes it, the detour and what it avoids' '
	fd --trucks trucks.ndjson --points points.ndjson --closures water.ndjson >out &&
	json_eq "[.truck, .eta_s, .detour_s, (.roads | join(\",\")), (.avoided[0] | .from + \"-\" + .to + \" \" + .name)] | join(\" \")" \
		"PT-B 288 168 南支路 P-B 东西快速路" <out &&
	echo "{\"lat\":31.2001,\"lon\":121.410,\"depth_m\":0.25}" >shallow.ndjson &&
	fd --trucks trucks.ndjson --points points.ndjson --closures shallow.ndjson >out &&
	json_eq .eta_s 120 <out &&
	fd --trucks trucks.ndjson --points points.ndjson --closures shallow.ndjson --passable 0.2 >out &&
	json_eq .eta_s 288 <out
'

test_expect_success 'plan: no free truck left for the second point says so; a table on request' '
	echo "{\"id\":\"FP-X\",\"lat\":31.207,\"lon\":121.430,\"depth_m\":0.3,\"priority\":2}" >>points.ndjson &&
	head -1 trucks.ndjson >a.ndjson &&
	tail -1 trucks.ndjson >b.ndjson &&
	fd --trucks b.ndjson --points points.ndjson >out &&
	test $(wc -l <out) = 2 &&
	json_eq "select(.point == \"FP-P\") | .truck" PT-B <out &&
	json_eq "select(.point == \"FP-X\") | [.truck, .reason] | map(tostring) | join(\" \")" \
		"null no free truck left: every one is sent to a point before it, or none is free" <out &&
	fd --trucks trucks.ndjson --points points.ndjson --format table >table &&
	head -1 table | grep -q "^POINT *PRIORITY *DEPTH_M *TRUCK *ETA_S *LENGTH_M *DETOUR_S *ROADS" &&
	grep -q "^FP-P *1 *0.45 *PT-B *120 *2000 *0 " table &&
	grep -q "^FP-X *2 *0.3 *PT-A *270 " table
'

test_expect_success 'replan: the route in use floods, rerouted; cut off, stranded' '
	head -1 points.ndjson >p.ndjson &&
	fd --trucks b.ndjson --points p.ndjson >accepted.ndjson &&
	fd replan --accepted accepted.ndjson --trucks a.ndjson --closures /dev/null >out &&
	test ! -s out &&
	fd replan --accepted accepted.ndjson --trucks a.ndjson --closures water.ndjson >out &&
	json_eq "[.action, .point, .truck, .was_eta_s, .eta_s, .closed[0].name] | join(\" \")" \
		"rerouted FP-P PT-B 120 288 东西快速路" <out &&
	echo "{\"lat\":31.1975,\"lon\":121.405,\"depth_m\":0.8}" >>water.ndjson &&
	fd replan --accepted accepted.ndjson --trucks a.ndjson --closures water.ndjson >out &&
	json_eq "[.action, .was_truck, (.truck | tostring)] | join(\" \")" "stranded PT-B null" <out
'

test_expect_success 'replan: a truck cut off gives way to a free one that gets through' '
	cat >more.graph <<-EOF &&
	$(cat small.graph)
	N D 31.190 121.400
	E D P 1110 40 西路
	EOF
	echo "{\"id\":\"PT-D\",\"lat\":31.190,\"lon\":121.400}" >d.ndjson &&
	flood-dispatch --graph more.graph replan --accepted accepted.ndjson --trucks d.ndjson \
		--closures water.ndjson >out &&
	json_eq "[.action, .was_truck, .truck, .eta_s] | join(\" \")" "reassigned PT-B PT-D 100" <out
'

cat >forecast.ndjson <<'EOF'
{"district":"310101","hour":"14:00","mm":20}
{"district":"310101","hour":"15:00","mm":72}
{"district":"310115","hour":"15:00","mm":36}
EOF
cat >history.ndjson <<'EOF'
{"point":"FP-1","district":"310115","lat":31.207,"lon":121.430,"count":10,"max_depth_m":0.5}
{"point":"FP-2","district":"310101","lat":31.200,"lon":121.400,"count":1,"max_depth_m":0.3}
{"point":"FP-3","district":"310104","lat":31.195,"lon":121.410,"count":8,"max_depth_m":0.6}
EOF

test_expect_success 'predeploy: the ranking with reasons, trucks staged deepest first' '
	fd predeploy --forecast forecast.ndjson --history history.ndjson --trucks trucks.ndjson >out &&
	jq -r "[.rank, .point, .expected_depth_m, .staged, (.truck | tostring), (.eta_s | tostring)] | join(\" \")" <out >got &&
	cat >expect <<-EOF &&
	1 FP-1 0.5 true PT-B 135
	2 FP-2 0.3 true PT-A 525
	3 FP-3 0 false null null
	EOF
	test_cmp expect got &&
	json_eq "select(.point == \"FP-2\") | .reasons | join(\"; \")" \
		"peak 72 mm/h at 15:00 in 310101: 2.0 times the 36 mm/h the drains take; flooded 1 time before, 0.30 m at the deepest; 92 mm in all over 2 hours" <out &&
	fd predeploy --forecast forecast.ndjson --history history.ndjson --trucks trucks.ndjson \
		--stage-depth 0.4 --drain-mmh 30 --jq "select(.staged) | .point" >got &&
	echo FP-1 >expect && test_cmp expect got
'

test_expect_success 'the graph file: FILE:LINE on a bad line (7), missing (3)' '
	printf "N P 31.2 121.4\nN Q 31.3 121.4\n# ok so far\nE P Q 100 400 某路\n" >bad.graph &&
	test_expect_exit 7 flood-dispatch --graph bad.graph --trucks trucks.ndjson --points p.ndjson 2>err &&
	grep -qx "flood-dispatch: error: bad.graph:4: edge P-Q: speed .400. is not 1 to 200 km/h" err &&
	test_expect_exit 3 flood-dispatch --graph nothing.graph --trucks trucks.ndjson --points p.ndjson 2>err &&
	grep -q "cannot open road graph .nothing.graph." err
'

test_expect_success 'bad input lines name FILE:LINE (7); usage errors (2)' '
	printf "{\"id\":\"PT-1\",\"lat\":31.2,\"lon\":121.4}\n{\"id\":\"PT-2\"}\n" >t2.ndjson &&
	test_expect_exit 7 fd --trucks t2.ndjson --points p.ndjson 2>err &&
	grep -qx "flood-dispatch: error: t2.ndjson:2: truck .PT-2. has no position (lat, lon)" err &&
	echo "{\"district\":\"310101\",\"hour\":1,\"mm\":-3}" >f2.ndjson &&
	test_expect_exit 7 fd predeploy --forecast f2.ndjson --history history.ndjson --trucks trucks.ndjson 2>err &&
	grep -q "f2.ndjson:1: mm is not rain in mm" err &&
	test_expect_exit 2 fd replan --points p.ndjson --accepted accepted.ndjson 2>err &&
	grep -q "points goes with plan only" err &&
	test_expect_exit 2 fd replan --trucks trucks.ndjson 2>err &&
	test_expect_exit 2 fd predeploy 2>err &&
	test_expect_exit 2 fd sideways 2>err &&
	grep -q "unknown subcommand .sideways." err &&
	test_expect_exit 2 fd --apply --dry-run --trucks trucks.ndjson --points p.ndjson 2>err &&
	test_expect_exit 2 fd --passable deep --trucks trucks.ndjson --points p.ndjson 2>err &&
	grep -q "passable takes a number" err
'

test_expect_success 'the shipped Shanghai graph: loads, and a truck across the Huangpu comes by a crossing' '
	echo "{\"id\":\"PT-PD\",\"lat\":31.2350,\"lon\":121.5200}" >pd.ndjson &&
	echo "{\"id\":\"FP-B\",\"lat\":31.2300,\"lon\":121.4750,\"depth_m\":0.4}" >bund.ndjson &&
	flood-dispatch --trucks pd.ndjson --points bund.ndjson >out &&
	json_eq ".truck" PT-PD <out &&
	jq -e ".eta_s > 0 and .length_m > 4000 and (.route.coordinates | length) > 3" <out >/dev/null
'

# ---- against a server ----
cat >rules.yaml <<'EOF'
rules:
  - id: flood
    name: 积水测试
    kinds: [water_depth]
    when: '.value >= 0.3'
    key: '.district + "/" + .source'
    dedupe: 2h
    task: {department: SHSW, crew_pool: 泵车队, priority: 2, title: '积水{{value}}米'}
EOF
start_server --rules rules.yaml || exit 1
SENSOR=$(make_token sensor gauges)
export TWONET_TOKEN=$(make_token operator duty-1)
# a flood alert at P (a task), water on the expressway (no task: too shallow for the rule, deep
# for a car), and a flood reported without a place (a task no truck can be routed to)
{
	echo '{"source":"g-p","source_id":"1","kind":"water_depth","severity":"red","district":"310101","value":0.45,"unit":"m","location":{"lat":31.200,"lon":121.400},"headline":"积水0.45米"}'
	echo '{"source":"g-e","source_id":"1","kind":"water_depth","severity":"yellow","district":"310101","value":0.28,"unit":"m","location":{"lat":31.2001,"lon":121.410},"headline":"积水0.28米"}'
	echo '{"source":"g-x","source_id":"1","kind":"water_depth","severity":"orange","district":"310101","value":0.5,"unit":"m","headline":"积水0.5米"}'
} | alert-post --bulk --token "$SENSOR" >/dev/null 2>post.err

test_expect_success 'server: the flood tasks and depth alerts read from it (trucks from a file)' '
	test $(task-list --jq .id | wc -l) = 2 &&
	fd --trucks trucks.ndjson --passable 0.25 >out 2>err &&
	test $(wc -l <out) = 1 &&
	grep -qx "flood-dispatch: 1 flood task without a place (its alert has no location): left out" err &&
	json_eq "[.task, .priority, .depth_m, .truck, .eta_s, .avoided[0].name] | map(tostring) | join(\" \")" \
		"1 2 0.45 PT-B 288 东西快速路" <out
'

test_expect_success 'server: predeploy counts the flood history from the alerts, by source' '
	fd predeploy --forecast forecast.ndjson --trucks trucks.ndjson >out &&
	jq -r "[.rank, .point, .district, .expected_depth_m, (.truck | tostring)] | join(\" \")" <out >got &&
	printf "1 g-p 310101 0.45 PT-B\n2 g-e 310101 0.28 PT-A\n" >expect &&
	test_cmp expect got
'

cat >fleet.geojson <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[121.400,31.207]},"properties":{"id":"PT-A","kind":"vehicle","name":"泵车A","district":"310101","department":"SHSW","state":"free","type":"pump_truck","capacity_m3h":300}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[121.420,31.200]},"properties":{"id":"PT-B","kind":"vehicle","name":"泵车B","district":"310101","department":"SHSW","state":"free","type":"pump_truck","capacity_m3h":300}}
]}
EOF
twonetd import assets --db "$TWONETD_DB" fleet.geojson >/dev/null 2>import.err

test_expect_success 'server: --apply sends the nearest free truck of the register: the task dispatched, the truck en route' '
	fd --apply >out 2>err &&
	json_eq "[.task, .truck, .truck_state] | map(tostring) | join(\" \")" "1 PT-B en_route" <out &&
	task-show 1 --jq "[.status, .crew] | join(\" \")" >got &&
	echo "dispatched PT-B" >expect && test_cmp expect got &&
	asset-show PT-B --jq .state >got &&
	echo en_route >expect && test_cmp expect got &&
	fd >out 2>/dev/null &&
	test ! -s out
'

test_done
