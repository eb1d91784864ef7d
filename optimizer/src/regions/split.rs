//! A dataset cut into one dataset per area: each site goes to the area whose outline holds
//! it, or, when none does (a coastal site outside a generalised outline, a site abroad), to
//! the nearest area by great-circle distance, counted in the report. Each part keeps its
//! sites with their streams and processes, and every material, substitution and setting.

use super::areas::Area;
use crate::model::domain::Dataset;
use crate::model::ids::SiteIdx;
use geo::{Closest, ClosestPoint, Distance, Haversine, Intersects, Point};
use serde::Serialize;

/// What the split did, per area and in total.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SplitReport {
    /// Sites in no outline, given to the nearest area.
    pub sites_outside_every_area: usize,
    /// The farthest of those from its area, km.
    pub farthest_outside_km: f64,
    /// One entry per area with sites, in area order.
    pub areas: Vec<AreaCount>,
}

/// One part of a split.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AreaCount {
    /// The area's code.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Sites in it (those given to it as the nearest included).
    pub sites: usize,
    /// Of which outside its outline.
    pub nearest_only: usize,
    /// Supplies, demands and processes at its sites.
    pub supplies: usize,
    /// Demands at its sites.
    pub demands: usize,
    /// Processes at its sites.
    pub processes: usize,
}

/// One dataset per area holding sites, with the report. Panics never: an empty `areas`
/// gives no parts.
pub fn split_by_area(ds: &Dataset, areas: &[Area]) -> (Vec<(usize, Dataset)>, SplitReport) {
    let mut report = SplitReport::default();
    let mut area_of = Vec::with_capacity(ds.sites.len());
    let mut outside = vec![false; ds.sites.len()];
    for (i, site) in ds.sites.iter().enumerate() {
        let p = Point::new(site.lon, site.lat);
        let holding = areas
            .iter()
            .position(|a| a.bounds.intersects(&p) && a.shape.intersects(&p));
        let area = holding.or_else(|| {
            let (nearest, km) = nearest_area(areas, p)?;
            outside[i] = true;
            report.sites_outside_every_area += 1;
            report.farthest_outside_km = report.farthest_outside_km.max(km);
            Some(nearest)
        });
        area_of.push(area);
    }
    let mut parts = Vec::new();
    for (a, area) in areas.iter().enumerate() {
        let sites: Vec<usize> = (0..ds.sites.len())
            .filter(|&i| area_of[i] == Some(a))
            .collect();
        if sites.is_empty() {
            continue;
        }
        let part = subset(ds, &sites, area);
        report.areas.push(AreaCount {
            id: area.id.clone(),
            name: area.name.clone(),
            sites: sites.len(),
            nearest_only: sites.iter().filter(|&&i| outside[i]).count(),
            supplies: part.supplies.len(),
            demands: part.demands.len(),
            processes: part.processes.len(),
        });
        parts.push((a, part));
    }
    (parts, report)
}

/// The area nearest to `p` and its distance, km.
fn nearest_area(areas: &[Area], p: Point<f64>) -> Option<(usize, f64)> {
    areas
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let q = match a.shape.closest_point(&p) {
                Closest::Intersection(q) | Closest::SinglePoint(q) => q,
                Closest::Indeterminate => return None,
            };
            Some((i, Haversine.distance(p, q) / 1000.0))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The part of `ds` at `sites` (positions in `ds.sites`), named after `area`.
fn subset(ds: &Dataset, sites: &[usize], area: &Area) -> Dataset {
    let mut new_index = vec![None; ds.sites.len()];
    for (new, &old) in sites.iter().enumerate() {
        new_index[old] = Some(SiteIdx(new as u32));
    }
    let moved = |s: SiteIdx| new_index[s.0 as usize];
    let streams = |streams: &[crate::model::domain::Stream]| {
        streams
            .iter()
            .filter_map(|s| {
                Some(crate::model::domain::Stream {
                    site: moved(s.site)?,
                    ..*s
                })
            })
            .collect()
    };
    let mut meta = ds.meta.clone();
    meta.name = format!("{} {} {}", ds.meta.name, area.id, area.name);
    meta.description = format!(
        "{} (the sites in NUTS region {} {})",
        ds.meta.description, area.id, area.name
    );
    Dataset {
        meta,
        co2_price: ds.co2_price,
        transport: ds.transport.clone(),
        border: ds.border,
        investment: ds.investment,
        materials: ds.materials.clone(),
        sites: sites.iter().map(|&i| ds.sites[i].clone()).collect(),
        supplies: streams(&ds.supplies),
        demands: streams(&ds.demands),
        substitutions: ds.substitutions.clone(),
        processes: ds
            .processes
            .iter()
            .filter_map(|p| {
                Some(crate::model::domain::Process {
                    site: moved(p.site)?,
                    ..p.clone()
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// The area between two longitudes, 10 degrees either side of the equator.
    fn band(id: &str, lon0: f64, lon1: f64) -> Area {
        let shape = geo::MultiPolygon(vec![polygon![
            (x: lon0, y: -10.0), (x: lon1, y: -10.0), (x: lon1, y: 10.0), (x: lon0, y: 10.0)
        ]]);
        Area {
            id: id.into(),
            name: id.into(),
            country: "XX".into(),
            bounds: geo::BoundingRect::bounding_rect(&shape).expect("not empty"),
            shape,
        }
    }

    #[test]
    fn every_site_and_stream_lands_in_exactly_one_part() {
        let ds = crate::generate::uniform::generate(200, 7, true);
        // The uniform instance spans 0..~0.26 degrees of longitude; cut it in two, and
        // leave a strip in between uncovered so some sites need the nearest area.
        let (lo, hi) = ds.sites.iter().fold((f64::MAX, f64::MIN), |(lo, hi), s| {
            (lo.min(s.lon), hi.max(s.lon))
        });
        let mid = (lo + hi) / 2.0;
        let (west, east) = (
            band("W", mid - 10.0, mid - 0.01),
            band("E", mid + 0.01, mid + 10.0),
        );
        let (parts, report) = split_by_area(&ds, &[west, east, band("far", 100.0, 101.0)]);
        assert_eq!(parts.len(), 2, "no part for an area without sites");
        let total = |f: fn(&Dataset) -> usize| parts.iter().map(|(_, d)| f(d)).sum::<usize>();
        assert_eq!(total(|d| d.sites.len()), ds.sites.len());
        assert_eq!(total(|d| d.supplies.len()), ds.supplies.len());
        assert_eq!(total(|d| d.demands.len()), ds.demands.len());
        assert_eq!(total(|d| d.processes.len()), ds.processes.len());
        assert!(
            report.sites_outside_every_area > 0,
            "the strip holds some sites"
        );
        assert!(report.farthest_outside_km < 2.0);
        for (_, part) in &parts {
            for s in part.supplies.iter().chain(&part.demands) {
                assert!(s.site.0 < part.sites.len() as u32);
            }
            let dir = tempfile::tempdir().expect("temp dir");
            crate::input::write_folder(part, dir.path()).expect("written");
            let back = crate::input::load(dir.path()).expect("a part is a valid dataset");
            assert_eq!(back.supplies.len(), part.supplies.len());
        }
    }
}
