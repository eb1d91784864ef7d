//! The validated domain model: what the LP is built from. Every value here has passed the
//! checks in [`crate::input::validate`](mod@crate::input::validate); nothing downstream re-checks it.
//!
//! Units: t/yr for quantities, km for distances, the dataset's currency for costs,
//! kg CO2e for emissions, WGS84 lon/lat for coordinates.

use crate::model::ids::{
    DemandIdx, Km, MaterialId, MaterialIdx, ProcessId, ProcessIdx, SiteId, SiteIdx, SupplyIdx,
    Tonnes,
};

/// A region's enterprises, their streams and processes, with the economic parameters.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Descriptive fields.
    pub meta: DatasetMeta,
    /// Price of one tonne of CO2e in the objective (currency/t); 0 reports emissions only.
    pub co2_price: f64,
    /// Transport defaults.
    pub transport: Transport,
    /// What a flow between sites of different regions costs on top of its haul, and how far
    /// it may go (set for a federation of regions; `None` treats borders as absent).
    pub border: Option<Border>,
    /// Every material.
    pub materials: Vec<Material>,
    /// Every site.
    pub sites: Vec<Site>,
    /// Outputs and waste streams.
    pub supplies: Vec<Stream>,
    /// Input needs.
    pub demands: Vec<Stream>,
    /// Explicit substitutions; every material also substitutes itself at ratio 1.
    pub substitutions: Vec<Substitution>,
    /// Recyclers, sorters, makers and candidates.
    pub processes: Vec<Process>,
    /// Limits on new capacity as a whole (`[investment]` in `dataset.toml`).
    pub investment: Investment,
}

/// What the region may invest in new capacity in a year; nothing set means no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Investment {
    /// Currency/yr: the sum of `candidate_capex` x new capacity and the `fixed_cost` of each
    /// opened candidate.
    pub budget: Option<f64>,
    /// How many candidates may be opened.
    pub max_new_processes: Option<usize>,
}

impl Dataset {
    /// The most activity each process could run at in any plan, or `None` where nothing
    /// bounds it: its capacity (plus its largest new capacity for a candidate), or for a
    /// candidate without a largest size what its inputs could ever receive (every supply and
    /// every bounded process output that can serve them, at their ratios), worked out
    /// through chains of processes. The big-M of a decided candidate's opening comes from
    /// here, so it is as tight as the data allows.
    pub fn activity_bounds(&self) -> Vec<Option<f64>> {
        let mut bound: Vec<Option<f64>> = self
            .processes
            .iter()
            .map(|p| match p.candidate_capex {
                None => Some(p.capacity),
                Some(_) => p.max_new_capacity.map(|m| p.capacity + m),
            })
            .collect();
        let mut supplied = vec![0.0; self.materials.len()];
        for s in &self.supplies {
            supplied[s.material.get()] += s.quantity.0;
        }
        // Each pass bounds at least one more process, or none can be bounded.
        for _ in 0..=self.processes.len() {
            let mut available: Vec<Option<f64>> = supplied.iter().copied().map(Some).collect();
            for (p, b) in self.processes.iter().zip(&bound) {
                for &(m, c) in &p.outputs {
                    let a = &mut available[m.get()];
                    *a = a.zip(*b).map(|(a, b)| a + b * c);
                }
            }
            let reach = |m: MaterialIdx| -> Option<f64> {
                let mut tonnes = available[m.get()]?;
                for s in self
                    .substitutions
                    .iter()
                    .filter(|s| s.to == m && s.from != m)
                {
                    tonnes += available[s.from.get()]? * s.ratio;
                }
                Some(tonnes)
            };
            let mut changed = false;
            for (p, b) in self.processes.iter().zip(bound.iter_mut()) {
                if b.is_some() {
                    continue;
                }
                let by_inputs = p
                    .inputs
                    .iter()
                    .filter_map(|&(m, c)| reach(m).map(|t| t / c))
                    .min_by(f64::total_cmp);
                if let Some(most) = by_inputs {
                    *b = Some(most.max(p.capacity));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        bound
    }

    /// Whether opening candidate `p` is a yes/no decision of the plan: it has a start-up
    /// cost or a minimum size, or the number of openings is limited. Without any such
    /// candidate the model is a plain LP.
    pub fn opening_decided(&self, p: &Process) -> bool {
        p.candidate_capex.is_some()
            && (p.fixed_cost > 0.0
                || p.min_new_capacity > 0.0
                || self.investment.max_new_processes.is_some())
    }
}

/// Descriptive fields from `dataset.toml`.
#[derive(Clone, Debug, Default)]
pub struct DatasetMeta {
    /// A readable name.
    pub name: String,
    /// What the dataset covers.
    pub description: String,
    /// Where the data comes from (attribution).
    pub source: String,
    /// The currency of every cost.
    pub currency: String,
}

/// Dataset-wide transport defaults (a material may override cost and CO2).
#[derive(Clone, Debug)]
pub struct Transport {
    /// Currency per tonne-km.
    pub cost_per_tkm: f64,
    /// kg CO2e per tonne-km (well-to-wheel, ISO 14083 / GLEC).
    pub co2_kg_per_tkm: f64,
    /// Road distance over great-circle distance, >= 1.
    pub detour_factor: f64,
    /// Longest haul for any material without its own limit; `None` is unlimited.
    pub max_haul: Option<Km>,
}

impl Default for Transport {
    fn default() -> Self {
        Self {
            cost_per_tkm: 0.10,
            co2_kg_per_tkm: 0.10,
            detour_factor: 1.3,
            max_haul: None,
        }
    }
}

/// The rule for flows that cross a region border: between two sites whose `region`
/// differs (both set).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Border {
    /// Currency per tonne sent across (customs, permits, the transaction costs of trading
    /// with another cluster), on top of the haul; no emissions.
    pub cost_per_t: f64,
    /// Longest haul across a border; `None` keeps only the materials' own limits.
    pub max_haul: Option<Km>,
}

/// A material with what a tonne of it costs to import or dispose of.
#[derive(Clone, Debug)]
pub struct Material {
    /// The id as written in the dataset.
    pub id: MaterialId,
    /// A readable name.
    pub name: String,
    /// EWC six-digit code, when it is a waste.
    pub ewc: Option<String>,
    /// A hazardous waste.
    pub hazardous: bool,
    /// Currency per tonne delivered from outside the region.
    pub import_cost: f64,
    /// kg CO2e per tonne imported.
    pub import_co2_kg: f64,
    /// Currency per tonne landfilled/incinerated/exported (gate fee and taxes); negative = revenue.
    pub disposal_cost: f64,
    /// kg CO2e per tonne disposed of.
    pub disposal_co2_kg: f64,
    /// This material's haul limit; `None` uses the dataset's.
    pub max_haul: Option<Km>,
    /// Overrides [`Transport::cost_per_tkm`] for this material.
    pub transport_cost_per_tkm: Option<f64>,
    /// Overrides [`Transport::co2_kg_per_tkm`] for this material.
    pub transport_co2_kg_per_tkm: Option<f64>,
}

/// An enterprise or facility.
#[derive(Clone, Debug)]
pub struct Site {
    /// The id as written in the dataset.
    pub id: SiteId,
    /// A readable name.
    pub name: String,
    /// Longitude (WGS84 degrees).
    pub lon: f64,
    /// Latitude (WGS84 degrees).
    pub lat: f64,
    /// NACE activity code.
    pub nace: Option<String>,
    /// NUTS region code.
    pub region: Option<String>,
}

/// A supply (output/waste stream) or a demand (input need) of one material at one site.
#[derive(Clone, Copy, Debug)]
pub struct Stream {
    /// Where.
    pub site: SiteIdx,
    /// What.
    pub material: MaterialIdx,
    /// Tonnes per year.
    pub quantity: Tonnes,
    /// This stream's own price, overriding the material's: the disposal cost of a supply
    /// (an exchange offer's avoided disposal cost), the import cost of a demand (a request's
    /// value per tonne). Currency per t, CO2 excluded.
    pub unit_cost: Option<f64>,
    /// This stream's own haul limit (a request's maximum distance), on top of the material's.
    pub max_haul: Option<Km>,
}

impl Stream {
    /// A stream with the material's prices and haul limit.
    pub fn new(site: SiteIdx, material: MaterialIdx, quantity: Tonnes) -> Self {
        Stream {
            site,
            material,
            quantity,
            unit_cost: None,
            max_haul: None,
        }
    }

    /// A stream of zero tonnes takes part in no flow: it gets no candidate arcs.
    pub fn is_empty(&self) -> bool {
        self.quantity.0 <= 0.0
    }
}

/// One tonne of `from` serves `ratio` tonnes of demand for `to`.
#[derive(Clone, Copy, Debug)]
pub struct Substitution {
    /// The material sent.
    pub from: MaterialIdx,
    /// The material whose demand it serves.
    pub to: MaterialIdx,
    /// Tonnes of `to` served per tonne of `from`.
    pub ratio: f64,
}

/// A process (recycler, sorter, maker) turning inputs into outputs per unit of activity.
#[derive(Clone, Debug)]
pub struct Process {
    /// The id as written in the dataset.
    pub id: ProcessId,
    /// A readable name (the id when the dataset gives none).
    pub name: String,
    /// Whether running it recovers material or disposes of it, with its R/D code if given.
    pub route: Route,
    /// Where.
    pub site: SiteIdx,
    /// Existing capacity in units of activity per year.
    pub capacity: f64,
    /// Currency per unit of activity (negative = net revenue not captured by the outputs).
    pub cost_per_unit: f64,
    /// kg CO2e per unit of activity (energy, process emissions).
    pub co2_kg_per_unit: f64,
    /// Annualised currency per unit/yr of new capacity; `Some` makes the process a candidate
    /// whose extra capacity the LP sizes.
    pub candidate_capex: Option<f64>,
    /// Annualised currency per year of opening a candidate (paid once it gets any new
    /// capacity); 0 for none.
    pub fixed_cost: f64,
    /// New capacity is 0 or at least this, units/yr.
    pub min_new_capacity: f64,
    /// New capacity is at most this, units/yr; `None` for no limit.
    pub max_new_capacity: Option<f64>,
    /// Tonnes of each material consumed per unit of activity.
    pub inputs: Vec<(MaterialIdx, f64)>,
    /// Tonnes of each material produced per unit of activity.
    pub outputs: Vec<(MaterialIdx, f64)>,
}

/// What a process does with the waste it takes in, in the terms of the EU Waste Framework
/// Directive (2008/98/EC, Annexes I and II): recovery operations are R1-R13, disposal
/// operations D1-D15. Only recovery counts as diverted from disposal in the KPIs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    /// Recovery or disposal.
    pub kind: RouteKind,
    /// The operation code (`R3`, `D9`, ...), when the dataset gives one.
    pub code: Option<String>,
}

/// The two kinds of waste operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RouteKind {
    /// Material or energy recovery (R codes): recycling, sorting for recycling, reuse as fuel.
    #[default]
    Recovery,
    /// Disposal (D codes): landfill, stabilisation, incineration without energy recovery.
    Disposal,
}

impl Route {
    /// Reads `recovery`, `disposal` or an operation code `R1`-`R13` / `D1`-`D15`
    /// (case-insensitive); `None` for anything else.
    pub fn parse(text: &str) -> Option<Route> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "recovery" => return Some(Route::default()),
            "disposal" => {
                return Some(Route {
                    kind: RouteKind::Disposal,
                    code: None,
                });
            }
            _ => {}
        }
        let (letter, number) = t.split_at_checked(1)?;
        let number: u8 = number.parse().ok()?;
        let kind = match letter.to_ascii_uppercase().as_str() {
            "R" if (1..=13).contains(&number) => RouteKind::Recovery,
            "D" if (1..=15).contains(&number) => RouteKind::Disposal,
            _ => return None,
        };
        Some(Route {
            kind,
            code: Some(format!("{}{number}", letter.to_ascii_uppercase())),
        })
    }

    /// The code if known, else `recovery` or `disposal`: how the dataset writes it back.
    pub fn label(&self) -> String {
        match (&self.code, self.kind) {
            (Some(code), _) => code.clone(),
            (None, RouteKind::Recovery) => "recovery".into(),
            (None, RouteKind::Disposal) => "disposal".into(),
        }
    }
}

impl Dataset {
    /// A copy with the same sites, materials and parameters but no streams or processes.
    pub fn clone_without_streams(&self) -> Dataset {
        Dataset {
            meta: self.meta.clone(),
            co2_price: self.co2_price,
            transport: self.transport.clone(),
            border: self.border,
            investment: self.investment,
            materials: self.materials.clone(),
            sites: self.sites.clone(),
            substitutions: self.substitutions.clone(),
            supplies: Vec::new(),
            demands: Vec::new(),
            processes: Vec::new(),
        }
    }

    /// Material `m`.
    pub fn material(&self, m: MaterialIdx) -> &Material {
        &self.materials[m.get()]
    }

    /// Site `s`.
    pub fn site(&self, s: SiteIdx) -> &Site {
        &self.sites[s.get()]
    }

    /// Supply `s`.
    pub fn supply(&self, s: SupplyIdx) -> &Stream {
        &self.supplies[s.get()]
    }

    /// Demand `d`.
    pub fn demand(&self, d: DemandIdx) -> &Stream {
        &self.demands[d.get()]
    }

    /// Process `p`.
    pub fn process(&self, p: ProcessIdx) -> &Process {
        &self.processes[p.get()]
    }

    /// The longest haul allowed for material `m`, `None` for unlimited.
    pub fn max_haul(&self, m: MaterialIdx) -> Option<Km> {
        self.material(m).max_haul.or(self.transport.max_haul)
    }

    /// Whether a flow from site `a` to site `b` crosses a border with a rule.
    pub fn crosses_border(&self, a: SiteIdx, b: SiteIdx) -> bool {
        self.border.is_some()
            && matches!(
                (&self.site(a).region, &self.site(b).region),
                (Some(ra), Some(rb)) if ra != rb
            )
    }

    /// Currency per kg CO2e in the objective.
    pub fn co2_price_per_kg(&self) -> f64 {
        self.co2_price / 1000.0
    }

    /// `(to, ratio)` for every material `from` can serve, itself first at ratio 1.
    pub fn substitutes_of(&self, from: MaterialIdx) -> Vec<(MaterialIdx, f64)> {
        let mut out = vec![(from, 1.0)];
        out.extend(
            self.substitutions
                .iter()
                .filter(|s| s.from == from)
                .map(|s| (s.to, s.ratio)),
        );
        out
    }
}
