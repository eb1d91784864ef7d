//! The changes a what-if session takes ([`Change`]), checked and applied to a dataset, and
//! what a revision changed in the plan ([`PlanChanges`]). A change names what it touches
//! by the dataset's own ids and stream positions; each bad value is reported with its
//! place in the list (`changes[2].tonnes`), and a list with any bad change changes nothing.

use crate::input::limits::{LATITUDE, LONGITUDE, MONEY_PER_UNIT, PRICE, Range, TONNES};
use crate::model::domain::{Dataset, Site, Stream};
use crate::model::error::{Error, FieldErrors, Location};
use crate::model::ids::{MaterialId, MaterialIdx, SiteId, SiteIdx, Tonnes};
use crate::report::{Flow, SolveResult};
use serde::Serialize;
// foldhash: the maps key a plan's flows by their ends (100k flows on the 100k instance).
use foldhash::HashMap;

/// Which list of streams a change reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    /// A supply (waste or by-product offered; an exchange offer).
    Supply,
    /// A demand (an input needed; an exchange request).
    Demand,
}

/// One change to a session's dataset.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// The CO2 price, currency per t CO2e.
    Co2Price(f64),
    /// The trucking cost per tonne-km of every material (their own costs give way to it).
    TransportCost(f64),
    /// A material's import cost or disposal cost per tonne (`None` keeps it).
    MaterialPrice {
        /// The material.
        material: MaterialId,
        /// New import cost per tonne.
        import_cost: Option<f64>,
        /// New disposal cost per tonne.
        disposal_cost: Option<f64>,
    },
    /// A stream's tonnes.
    Quantity {
        /// Supplies or demands.
        kind: StreamKind,
        /// 0-based position in that list.
        index: usize,
        /// New tonnes per year.
        tonnes: f64,
    },
    /// A stream's own price per tonne (an offer's avoided disposal cost, a request's value);
    /// `None` falls back to its material's.
    StreamPrice {
        /// Supplies or demands.
        kind: StreamKind,
        /// 0-based position in that list.
        index: usize,
        /// New price per tonne.
        price: Option<f64>,
    },
    /// A stream taken away (its tonnes set to 0; its position stays, so later changes
    /// name the same streams).
    Remove {
        /// Supplies or demands.
        kind: StreamKind,
        /// 0-based position in that list.
        index: usize,
    },
    /// A site closed: its streams at 0 t, its processes at no capacity and no new capacity.
    CloseSite(SiteId),
    /// A new site (where an added stream may be).
    AddSite {
        /// Unique among the sites.
        id: SiteId,
        /// Longitude, WGS84 degrees.
        lon: f64,
        /// Latitude, WGS84 degrees.
        lat: f64,
    },
    /// A new stream at the end of its list.
    Add {
        /// Supplies or demands.
        kind: StreamKind,
        /// Its site.
        site: SiteId,
        /// Its material.
        material: MaterialId,
        /// Tonnes per year.
        tonnes: f64,
        /// Its own price per tonne, if any.
        price: Option<f64>,
    },
}

impl Change {
    /// Whether the change adds rows or columns to the LP (the model is then built again
    /// on the revised dataset; every other change keeps its rows and columns).
    pub fn changes_structure(&self) -> bool {
        matches!(self, Change::Add { .. })
    }
}

/// `ds` with `changes` applied in order, or every problem found, each at its change's
/// place in the list.
pub fn apply(ds: &Dataset, changes: &[Change]) -> Result<Dataset, Error> {
    let mut out = ds.clone();
    let mut errors = FieldErrors::default();
    let mut ids = Ids::of(ds);
    for (i, change) in changes.iter().enumerate() {
        let at = Location {
            index: Some(i),
            ..Location::table("changes")
        };
        apply_one(&mut out, &mut ids, change, &at, &mut errors);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Sites and materials by id: a batch of added listings names thousands of sites, each
/// looked up here rather than by a scan of every site.
struct Ids {
    sites: HashMap<SiteId, SiteIdx>,
    materials: HashMap<MaterialId, MaterialIdx>,
}

impl Ids {
    fn of(ds: &Dataset) -> Self {
        Ids {
            sites: ds
                .sites
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.clone(), SiteIdx::new(i)))
                .collect(),
            materials: ds
                .materials
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id.clone(), MaterialIdx::new(i)))
                .collect(),
        }
    }

    fn site(&self, site: &SiteId, at: &Location, errors: &mut FieldErrors) -> Option<SiteIdx> {
        let found = self.sites.get(site).copied();
        if found.is_none() {
            errors.push(at.column("site"), format!("unknown site `{site}`"));
        }
        found
    }

    fn material(
        &self,
        material: &MaterialId,
        at: &Location,
        errors: &mut FieldErrors,
    ) -> Option<MaterialIdx> {
        let found = self.materials.get(material).copied();
        if found.is_none() {
            errors.push(
                at.column("material"),
                format!("unknown material `{material}`"),
            );
        }
        found
    }
}

fn apply_one(
    ds: &mut Dataset,
    ids: &mut Ids,
    change: &Change,
    at: &Location,
    errors: &mut FieldErrors,
) {
    let mut check = |field: &str, x: f64, range: Range| {
        let ok = range.contains(x);
        if !ok {
            errors.push(at.column(field), format!("must be {}", range.describe()));
        }
        ok
    };
    match *change {
        Change::Co2Price(p) => {
            if check("co2_price", p, PRICE) {
                ds.co2_price = p;
            }
        }
        Change::TransportCost(c) => {
            if check("transport_cost_per_tkm", c, PRICE) {
                ds.transport.cost_per_tkm = c;
                for m in &mut ds.materials {
                    m.transport_cost_per_tkm = None;
                }
            }
        }
        Change::MaterialPrice {
            ref material,
            import_cost,
            disposal_cost,
        } => {
            let ok_import = import_cost.is_none_or(|c| check("import_cost", c, MONEY_PER_UNIT));
            let ok_disposal =
                disposal_cost.is_none_or(|c| check("disposal_cost", c, MONEY_PER_UNIT));
            let Some(m) = ids.material(material, at, errors) else {
                return;
            };
            let m = &mut ds.materials[m.get()];
            if let (Some(c), true) = (import_cost, ok_import) {
                m.import_cost = c;
            }
            if let (Some(c), true) = (disposal_cost, ok_disposal) {
                m.disposal_cost = c;
            }
        }
        Change::Quantity {
            kind,
            index,
            tonnes,
        } => {
            let ok = check("tonnes", tonnes, TONNES);
            if let Some(stream) = stream_mut(ds, kind, index, at, errors)
                && ok
            {
                stream.quantity = Tonnes(tonnes);
            }
        }
        Change::StreamPrice { kind, index, price } => {
            let ok = price.is_none_or(|p| check("price", p, MONEY_PER_UNIT));
            if let Some(stream) = stream_mut(ds, kind, index, at, errors)
                && ok
            {
                stream.unit_cost = price;
            }
        }
        Change::Remove { kind, index } => {
            if let Some(stream) = stream_mut(ds, kind, index, at, errors) {
                stream.quantity = Tonnes(0.0);
            }
        }
        Change::CloseSite(ref site) => {
            let Some(s) = ids.site(site, at, errors) else {
                return;
            };
            for stream in ds.supplies.iter_mut().chain(ds.demands.iter_mut()) {
                if stream.site == s {
                    stream.quantity = Tonnes(0.0);
                }
            }
            for p in ds.processes.iter_mut().filter(|p| p.site == s) {
                p.capacity = 0.0;
                // A smallest size stays: it makes opening a yes/no decision, which a closed
                // site's empty range then answers no.
                p.max_new_capacity = Some(0.0);
            }
        }
        Change::AddSite { ref id, lon, lat } => {
            let ok = check("lon", lon, LONGITUDE) & check("lat", lat, LATITUDE);
            if id.as_str().is_empty() {
                errors.push(at.column("site"), "is required");
            } else if ids.sites.contains_key(id) {
                errors.push(at.column("site"), format!("site `{id}` exists already"));
            } else if ok {
                ids.sites.insert(id.clone(), SiteIdx::new(ds.sites.len()));
                ds.sites.push(Site {
                    id: id.clone(),
                    name: id.as_str().to_owned(),
                    lon,
                    lat,
                    nace: None,
                    region: None,
                });
            }
        }
        Change::Add {
            kind,
            ref site,
            ref material,
            tonnes,
            price,
        } => {
            let ok = check("tonnes", tonnes, TONNES)
                & price.is_none_or(|p| check("price", p, MONEY_PER_UNIT));
            let site = ids.site(site, at, errors);
            let material = ids.material(material, at, errors);
            let (Some(site), Some(material), true) = (site, material, ok) else {
                return;
            };
            let mut stream = Stream::new(site, material, Tonnes(tonnes));
            stream.unit_cost = price;
            match kind {
                StreamKind::Supply => ds.supplies.push(stream),
                StreamKind::Demand => ds.demands.push(stream),
            }
        }
    }
}

fn stream_mut<'a>(
    ds: &'a mut Dataset,
    kind: StreamKind,
    index: usize,
    at: &Location,
    errors: &mut FieldErrors,
) -> Option<&'a mut Stream> {
    let list = match kind {
        StreamKind::Supply => &mut ds.supplies,
        StreamKind::Demand => &mut ds.demands,
    };
    let len = list.len();
    let found = list.get_mut(index);
    if found.is_none() {
        let what = match kind {
            StreamKind::Supply => "supplies",
            StreamKind::Demand => "demands",
        };
        errors.push(
            at.column("index"),
            format!("no stream {index} among the {len} {what}"),
        );
    }
    found
}

/// What a revision changed in the plan: flows that appeared, went, or changed their
/// tonnes, keyed by their ends and materials, and the objective's change.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PlanChanges {
    /// Flows of the new plan that the old one did not have.
    pub added: Vec<Flow>,
    /// Flows of the old plan that the new one dropped.
    pub removed: Vec<Flow>,
    /// Flows of both whose tonnes changed: the new flow and its old tonnes sent.
    pub resized: Vec<(Flow, f64)>,
    /// New objective less the old one (`None` when either has no objective).
    pub objective_delta: Option<f64>,
}

/// Tonnes that count as a change: a billionth of the larger flow, so rounding in the
/// engines is not reported as a change.
const RELATIVE_TONNES: f64 = 1e-9;

/// What changed from `old` to `new`.
pub fn plan_changes(old: &SolveResult, new: &SolveResult) -> PlanChanges {
    type Key<'a> = (
        &'a str,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
        &'a str,
        &'a str,
    );
    fn key(f: &Flow) -> Key<'_> {
        (
            f.from_site.as_str(),
            f.from_process.as_ref().map(|p| p.as_str()),
            f.to_site.as_str(),
            f.to_process.as_ref().map(|p| p.as_str()),
            f.material_sent.as_str(),
            f.material_served.as_str(),
        )
    }
    let before: HashMap<Key<'_>, &Flow> = old.flows.iter().map(|f| (key(f), f)).collect();
    let after: foldhash::HashSet<Key<'_>> = new.flows.iter().map(key).collect();
    let mut changes = PlanChanges {
        objective_delta: old.objective.zip(new.objective).map(|(a, b)| b - a),
        ..PlanChanges::default()
    };
    for f in &new.flows {
        match before.get(&key(f)) {
            None => changes.added.push(f.clone()),
            Some(was) => {
                let scale = f.tonnes_sent.abs().max(was.tonnes_sent.abs());
                if (f.tonnes_sent - was.tonnes_sent).abs() > RELATIVE_TONNES * scale {
                    changes.resized.push((f.clone(), was.tonnes_sent));
                }
            }
        }
    }
    changes.removed = old
        .flows
        .iter()
        .filter(|f| !after.contains(&key(f)))
        .cloned()
        .collect();
    changes
}
