//! Distances on the Earth and a nearest-neighbour index of sites.
//!
//! rstar works in Euclidean space with squared distances, so sites are indexed as points on
//! the unit sphere (3-D unit vectors): the straight-line (chord) distance between two such
//! points grows monotonically with their great-circle distance, so "k nearest by chord" is
//! exactly "k nearest by great circle". Reported distances are re-computed with geo's
//! haversine and multiplied by the detour factor.

use crate::ids::Km;
use geo::{Distance, Haversine, Point};
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// geo's haversine radius (GRS80 mean), so chord bounds and haversine agree.
const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Great-circle distance in km between two lon/lat points (WGS84 degrees).
pub fn great_circle_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// The point on the unit sphere for a lon/lat in degrees.
pub fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Squared chord length on the unit sphere for a great-circle distance, for rstar queries.
/// `None` when the distance spans half the globe or more (no bound at all).
pub fn chord2_for_km(km: f64) -> Option<f64> {
    let angle = km / EARTH_RADIUS_KM;
    if angle >= std::f64::consts::PI {
        return None;
    }
    let chord = 2.0 * (angle / 2.0).sin();
    // Widened a hair so rounding never drops a point the haversine re-check would keep.
    Some(chord * chord * (1.0 + 1e-9) + 1e-15)
}

/// Great-circle km between two unit-sphere points, from their chord (one `asin`).
pub fn chord_km(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let d2: f64 = (0..3).map(|i| (a[i] - b[i]).powi(2)).sum();
    2.0 * EARTH_RADIUS_KM * (d2.sqrt() / 2.0).min(1.0).asin()
}

/// A point of the index carrying the position of the thing at that site.
pub type IndexedPoint = GeomWithData<[f64; 3], u32>;

/// Builds an R-tree over `(lon, lat, payload)` points.
pub fn build_index(points: impl Iterator<Item = (f64, f64, u32)>) -> RTree<IndexedPoint> {
    RTree::bulk_load(
        points
            .map(|(lon, lat, data)| GeomWithData::new(unit_vector(lon, lat), data))
            .collect(),
    )
}

/// Road distance estimate: great circle times the detour factor.
pub fn road_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64, detour: f64) -> Km {
    Km(great_circle_km(lon1, lat1, lon2, lat2) * detour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helsinki_to_tampere_is_about_160_km() {
        // Independent figure: the great-circle distance Helsinki (24.9384, 60.1699) to Tampere
        // (23.7610, 61.4978) is about 160.6 km.
        let km = great_circle_km(24.9384, 60.1699, 23.7610, 61.4978);
        assert!((km - 160.6).abs() < 1.0, "{km}");
    }

    #[test]
    fn chord_order_matches_great_circle_order() {
        let origin = unit_vector(24.0, 60.0);
        let d2 = |p: [f64; 3]| (0..3).map(|i| (p[i] - origin[i]).powi(2)).sum::<f64>();
        let near = unit_vector(25.0, 60.0);
        let far = unit_vector(24.0, 62.0);
        assert!(great_circle_km(24.0, 60.0, 25.0, 60.0) < great_circle_km(24.0, 60.0, 24.0, 62.0));
        assert!(d2(near) < d2(far));
    }

    #[test]
    fn chord_km_agrees_with_haversine() {
        let (a, b) = (unit_vector(24.9384, 60.1699), unit_vector(23.7610, 61.4978));
        let exact = great_circle_km(24.9384, 60.1699, 23.7610, 61.4978);
        assert!((chord_km(&a, &b) - exact).abs() < 1e-6 * exact);
    }

    #[test]
    fn chord_bound_keeps_points_exactly_at_the_limit() {
        let km = great_circle_km(24.0, 60.0, 24.5, 60.3);
        let p = unit_vector(24.5, 60.3);
        let o = unit_vector(24.0, 60.0);
        let d2: f64 = (0..3).map(|i| (p[i] - o[i]).powi(2)).sum();
        assert!(d2 <= chord2_for_km(km).unwrap());
        assert!(chord2_for_km(30_000.0).is_none());
    }
}
