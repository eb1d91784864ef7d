//! Statistical areas (NUTS regions and the like) from a GeoJSON FeatureCollection of
//! polygons in lon/lat, with the id, name and country each feature carries.

use crate::model::error::Error;
use geo::{BoundingRect, MultiPolygon, Rect};
use std::path::Path;

/// One area.
#[derive(Clone, Debug)]
pub struct Area {
    /// Its code (`FI1B1`).
    pub id: String,
    /// Its name (`Helsinki-Uusimaa`).
    pub name: String,
    /// Its country code (`FI`).
    pub country: String,
    /// Its outline, lon/lat.
    pub shape: MultiPolygon<f64>,
    /// The outline's bounding box, to skip most areas cheaply.
    pub bounds: Rect<f64>,
}

/// The areas of a GeoJSON file whose features carry `id_key`, `name_key` and `CNTR_CODE`
/// (Eurostat's NUTS files: `NUTS_ID`, `NAME_LATN`), keeping those of `country` when given.
pub fn load_areas(
    path: &Path,
    id_key: &str,
    name_key: &str,
    country: Option<&str>,
) -> Result<Vec<Area>, Error> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    let bad = |what: String| io(std::io::Error::new(std::io::ErrorKind::InvalidData, what));
    let collection = match text.parse::<geojson::GeoJson>() {
        Ok(geojson::GeoJson::FeatureCollection(c)) => c,
        Ok(_) => return Err(bad("not a FeatureCollection".to_owned())),
        Err(e) => return Err(bad(format!("not GeoJSON: {e}"))),
    };
    let mut areas = Vec::new();
    for (i, feature) in collection.features.into_iter().enumerate() {
        let text_of = |key: &str| {
            feature
                .property(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let (Some(id), Some(name)) = (text_of(id_key), text_of(name_key)) else {
            return Err(bad(format!("feature {i} has no {id_key} or {name_key}")));
        };
        let area_country = text_of("CNTR_CODE").unwrap_or_default();
        if country.is_some_and(|c| !c.eq_ignore_ascii_case(&area_country)) {
            continue;
        }
        let Some(geometry) = feature.geometry else {
            return Err(bad(format!("area {id} has no geometry")));
        };
        let shape = match geo::Geometry::<f64>::try_from(geometry) {
            Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
            Ok(geo::Geometry::MultiPolygon(m)) => m,
            Ok(_) => return Err(bad(format!("area {id} is not a polygon"))),
            Err(e) => return Err(bad(format!("area {id}: {e}"))),
        };
        let Some(bounds) = shape.bounding_rect() else {
            return Err(bad(format!("area {id} is empty")));
        };
        areas.push(Area {
            id,
            name,
            country: area_country,
            shape,
            bounds,
        });
    }
    Ok(areas)
}
