/* tn_asset.h — the city's asset register: kinds, live states, a GeoJSON feature checked and made an ASSET, the file read one feature at a time. */
#ifndef TN_ASSET_H
#define TN_ASSET_H

#include <stdio.h>
#include <jv.h>

#include "tn_err.h"

/*
 * An ASSET (doc/api-assets.md) is what the city governs at a place: a pump
 * station, a flood-prone point, an evacuation point, a residential
 * compound, a team or a vehicle.  Its JSON: {"id", "kind", "name",
 * "district" (six digits), "district_name", "street" (nine digits or null),
 * "street_name", "department", "lat", "lon", "state", "props" {...the
 * kind's own...}} and, once stored, "version" and "updated_at".
 */
#define TN_ASSET_KINDS "pump_station|flood_point|evacuation_point|compound|team|vehicle"
#define TN_ASSET_VEHICLE_STATES "free|en_route|on_site|out_of_service"
#define TN_ASSET_PUMP_STATES "running|fault|idle"

/* Shanghai's bounding box: every asset's position lies inside it. */
#define TN_ASSET_MIN_LON 120.85
#define TN_ASSET_MAX_LON 122.20
#define TN_ASSET_MIN_LAT 30.66
#define TN_ASSET_MAX_LAT 31.90

/* 1 when `kind` is one of TN_ASSET_KINDS. */
int tn_asset_kind_valid(const char *kind);

/*
 * The states an asset of `kind` may be in ('|'-separated), NULL for a kind
 * without a live state (points, compounds, teams).
 */
const char *tn_asset_states(const char *kind);

/* The state a new asset of `kind` starts in when its feature names none (NULL: none). */
const char *tn_asset_state_default(const char *kind);

/*
 * Whether `state` is one for `kind`: TN_OK, or TN_EINVALID naming the
 * kind's states (field "state").  state NULL: TN_OK for a kind without states.
 */
enum tn_code tn_asset_state_check(const char *kind, const char *state, struct tn_err *err);

/*
 * A bounding box "MINLON,MINLAT,MAXLON,MAXLAT" (degrees) into box[4] in that
 * order: 0, or -1 when it is not four numbers, min after max or off the globe.
 */
int tn_asset_bbox_parse(const char *s, double box[4]);

/* 1 when `id` is 1..64 of [A-Za-z0-9_.-], starting with a letter or digit. */
int tn_asset_id_valid(const char *id);

/*
 * A GeoJSON Feature (borrowed) made an ASSET (*asset, the caller's): a
 * Point geometry [lon, lat] inside Shanghai's box, properties id, kind,
 * name, district (a code, a name or pinyin: stored as its code), street
 * (nine digits under that district, optional), department (optional),
 * state (one of the kind's, default tn_asset_state_default) and the kind's
 * own properties (every other property, into "props": a vehicle's type and
 * capacity_m3h are required; numbers where the register expects them).
 * TN_EINVALID with err->field (the property, "geometry" or "type") and a
 * message "FIELD: what" on the first fault.
 */
enum tn_code tn_asset_from_feature(jv feature, jv *asset, struct tn_err *err);

/*
 * A GeoJSON FeatureCollection read one feature at a time, in memory the
 * size of one feature whatever the file's: open FILE (its name kept for
 * messages), then tn_asset_reader_next until it returns 0.
 */
struct tn_asset_reader;

/* Open `path` ("-": stdin).  TN_EIO naming the file when it cannot be opened. */
enum tn_code tn_asset_reader_open(struct tn_asset_reader **r, const char *path,
				  struct tn_err *err);

/*
 * The next feature: 1 with *feature (the caller's) and *line (the line its
 * first member is on), 0 at the end of the file, -1 when the file is not a
 * FeatureCollection of features (err "FILE:LINE: what", TN_EINVALID; a read
 * error TN_EIO): nothing after it can be read.
 */
int tn_asset_reader_next(struct tn_asset_reader *r, jv *feature, long *line, struct tn_err *err);

/* The file's name as messages show it. */
const char *tn_asset_reader_name(const struct tn_asset_reader *r);

void tn_asset_reader_close(struct tn_asset_reader *r);

#endif
