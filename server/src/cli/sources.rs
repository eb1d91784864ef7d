//! The raw public sources the binary carries, gzip-compressed from `datasets/sources/` (their
//! source, licence and checksum are in that folder's README): the NUTS 2021 level-3 polygons
//! and the GeoNames towns of Europe. They are the defaults of `split`, `outline` and
//! `generate --towns`, so those work from any folder with no path argument (about 1.5 MB of
//! the binary).

use anyhow::Context;
use optimizer::generate::Town;
use optimizer::regions::Area;
use std::io::Read;

/// What errors and help call the built-in NUTS-3 polygons.
pub const NUTS3_NAME: &str =
    "the built-in NUTS 2021 level-3 polygons (datasets/sources/nuts2021/, © EuroGeographics)";
/// What errors and help call the built-in towns.
pub const TOWNS_NAME: &str =
    "the built-in GeoNames towns of Europe (datasets/sources/geonames/, CC BY 4.0)";

const NUTS3_GZ: &[u8] =
    include_bytes!("../../../datasets/sources/nuts2021/NUTS_RG_60M_2021_4326_LEVL_3.geojson.gz");
const TOWNS_GZ: &[u8] =
    include_bytes!("../../../datasets/sources/geonames/europe_cities1000.csv.gz");

/// The built-in NUTS-3 areas (NUTS_ID, NAME_LATN), of `country` when given.
pub fn nuts3_areas(country: Option<&str>) -> anyhow::Result<Vec<Area>> {
    let mut text = String::new();
    optimizer::input::source::open_bytes(NUTS3_GZ)
        .read_to_string(&mut text)
        .with_context(|| format!("unpacking {NUTS3_NAME}"))?;
    Ok(optimizer::regions::parse_areas(
        &text,
        NUTS3_NAME,
        "NUTS_ID",
        "NAME_LATN",
        country,
    )?)
}

/// The built-in towns, of `country` and inside `bbox` when given.
pub fn europe_towns(country: Option<&str>, bbox: Option<[f64; 4]>) -> anyhow::Result<Vec<Town>> {
    Ok(optimizer::generate::read_towns(
        optimizer::input::source::open_bytes(TOWNS_GZ),
        TOWNS_NAME,
        country,
        bbox,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_sources_hold_what_their_readme_says() {
        // datasets/sources/README.md: 63,375 places, of which 61,978 give a population (a
        // town's weight; the others are skipped); NUTS 2021 has 1,514 level-3 regions, 19 of
        // them in Finland.
        assert_eq!(europe_towns(None, None).expect("towns").len(), 61_978);
        let finland = nuts3_areas(Some("FI")).expect("areas");
        assert_eq!(finland.len(), 19);
        assert!(finland.iter().any(|a| a.id == "FI1B1"));
        assert_eq!(nuts3_areas(None).expect("all areas").len(), 1_514);
    }
}
