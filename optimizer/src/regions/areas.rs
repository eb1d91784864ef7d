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

/// The areas of a GeoJSON file (plain or gzip-compressed) whose features carry `id_key`,
/// `name_key` and `CNTR_CODE` (Eurostat's NUTS files: `NUTS_ID`, `NAME_LATN`), keeping those
/// of `country` when given.
pub fn load_areas(
    path: &Path,
    id_key: &str,
    name_key: &str,
    country: Option<&str>,
) -> Result<Vec<Area>, Error> {
    let text = crate::input::source::read_text(path)?;
    parse_areas(
        &text,
        &path.display().to_string(),
        id_key,
        name_key,
        country,
    )
}

/// [`load_areas`] from the GeoJSON text itself; `label` names it in errors.
pub fn parse_areas(
    geojson_text: &str,
    label: &str,
    id_key: &str,
    name_key: &str,
    country: Option<&str>,
) -> Result<Vec<Area>, Error> {
    let mut areas = Vec::new();
    for (i, (properties, shape)) in polygons(geojson_text, label)?.into_iter().enumerate() {
        let text_of = |key: &str| {
            properties
                .as_ref()
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let (Some(id), Some(name)) = (text_of(id_key), text_of(name_key)) else {
            return Err(invalid(
                label,
                format!("feature {i} has no {id_key} or {name_key}"),
            ));
        };
        let area_country = text_of("CNTR_CODE").unwrap_or_default();
        if country.is_some_and(|c| !c.eq_ignore_ascii_case(&area_country)) {
            continue;
        }
        let Some(bounds) = shape.bounding_rect() else {
            return Err(invalid(label, format!("area {id} is empty")));
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

/// The outlines of a GeoJSON file of polygons, whatever their properties: what a report
/// draws under a region's sites (a dataset's `outline.geojson`).
pub fn load_outline(path: &Path) -> Result<Vec<MultiPolygon<f64>>, Error> {
    let text = crate::input::source::read_text(path)?;
    Ok(polygons(&text, &path.display().to_string())?
        .into_iter()
        .map(|(_, shape)| shape)
        .collect())
}

/// The file in a dataset folder that holds the region's outline, drawn under the report's map.
pub const OUTLINE_FILE: &str = "outline.geojson";

/// The outline of the dataset in `dataset_dir` (its `outline.geojson`), empty without one.
pub fn dataset_outline(dataset_dir: &Path) -> Result<Vec<MultiPolygon<f64>>, Error> {
    let path = dataset_dir.join(OUTLINE_FILE);
    if path.is_file() {
        load_outline(&path)
    } else {
        Ok(Vec::new())
    }
}

/// Writes `areas` as a GeoJSON FeatureCollection with the NUTS property names, readable by
/// [`load_areas`] and [`load_outline`] (a dataset's `outline.geojson`).
pub fn write_outline(path: &Path, areas: &[&Area]) -> Result<(), Error> {
    let features = areas
        .iter()
        .map(|a| {
            let mut properties = geojson::JsonObject::new();
            properties.insert("NUTS_ID".into(), a.id.clone().into());
            properties.insert("NAME_LATN".into(), a.name.clone().into());
            properties.insert("CNTR_CODE".into(), a.country.clone().into());
            geojson::Feature {
                geometry: Some(geojson::Geometry::from(&a.shape)),
                properties: Some(properties),
                ..Default::default()
            }
        })
        .collect();
    let collection = geojson::FeatureCollection {
        features,
        bbox: None,
        foreign_members: None,
    };
    std::fs::write(path, geojson::GeoJson::from(collection).to_string()).map_err(|source| {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    })
}

fn invalid(label: &str, what: String) -> Error {
    Error::Io {
        path: label.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, what),
    }
}

/// A feature's properties and its shape.
type Feature = (Option<geojson::JsonObject>, MultiPolygon<f64>);

/// Every feature of a FeatureCollection of polygons.
fn polygons(text: &str, label: &str) -> Result<Vec<Feature>, Error> {
    let collection = match text.parse::<geojson::GeoJson>() {
        Ok(geojson::GeoJson::FeatureCollection(c)) => c,
        Ok(_) => return Err(invalid(label, "not a FeatureCollection".to_owned())),
        Err(e) => return Err(invalid(label, format!("not GeoJSON: {e}"))),
    };
    collection
        .features
        .into_iter()
        .enumerate()
        .map(|(i, feature)| {
            let Some(geometry) = feature.geometry else {
                return Err(invalid(label, format!("feature {i} has no geometry")));
            };
            let shape = match geo::Geometry::<f64>::try_from(geometry) {
                Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
                Ok(geo::Geometry::MultiPolygon(m)) => m,
                Ok(_) => return Err(invalid(label, format!("feature {i} is not a polygon"))),
                Err(e) => return Err(invalid(label, format!("feature {i}: {e}"))),
            };
            Ok((feature.properties, shape))
        })
        .collect()
}
