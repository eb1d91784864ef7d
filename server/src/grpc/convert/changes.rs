//! A `ReviseRequest`'s changes as the optimizer's [`Change`]s, and a revision's plan
//! changes as a `PlanDiff`. Streams are named by kind and position in a region session and
//! by listing id in a batch session ([`Listings`]); a new listing becomes a new site and its
//! stream there, as in `raw_match_dataset`.

use super::super::pb;
use super::super::status::violation;
use super::request::{OFFER_SITE, REQUEST_SITE};
use super::response::flows;
use optimizer::{Change, PlanChanges, StreamKind};
use std::collections::HashMap;
use tonic::Status;

/// The listing ids of a batch session, by kind, with their stream positions.
#[derive(Debug, Default)]
pub struct Listings {
    offers: HashMap<String, usize>,
    requests: HashMap<String, usize>,
}

impl Listings {
    /// The listings of a batch.
    pub fn of(batch: &pb::MatchBatchRequest) -> Self {
        let index = |ids: Vec<&String>| {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i))
                .collect()
        };
        Listings {
            offers: index(batch.offers.iter().map(|o| &o.id).collect()),
            requests: index(batch.requests.iter().map(|r| &r.id).collect()),
        }
    }

    fn of_kind(&mut self, kind: StreamKind) -> &mut HashMap<String, usize> {
        match kind {
            StreamKind::Supply => &mut self.offers,
            StreamKind::Demand => &mut self.requests,
        }
    }
}

/// What a session's changes are read against: a region's streams by position, or a
/// batch's listings by id (added ones joining `listings` and `batch` once the revision is
/// accepted).
#[derive(Debug)]
pub enum Problem {
    /// A region session.
    Region,
    /// A batch session: its listings, and the request as the answers name them.
    Batch {
        /// Listing ids to stream positions.
        listings: Listings,
        /// The batch as opened, with the listings added since (ids and materials only are
        /// read).
        batch: Box<pb::MatchBatchRequest>,
    },
}

/// The optimizer's changes for `list`, or INVALID_ARGUMENT naming the first field that
/// cannot be read.
/// Numbers are checked by the optimizer, which names each bad one.
pub fn changes(problem: &Problem, list: &[pb::Change]) -> Result<Vec<Change>, Status> {
    let mut out = Vec::with_capacity(list.len());
    // Listings added earlier in the same list, so a later change may name them.
    let mut added: HashMap<(u8, String), usize> = HashMap::new();
    let mut counts = match problem {
        Problem::Region => (0, 0),
        Problem::Batch { batch, .. } => (batch.offers.len(), batch.requests.len()),
    };
    for (i, change) in list.iter().enumerate() {
        let field = |name: &str| format!("changes[{i}].{name}");
        let Some(change) = &change.change else {
            return Err(violation(
                &field("change"),
                "one kind of change is required",
            ));
        };
        use pb::change::Change as C;
        let stream = |s: &Option<pb::StreamRef>, name: &str| {
            let s = s
                .as_ref()
                .ok_or_else(|| violation(&field(name), "is required"))?;
            stream_at(problem, &added, s, |n| field(&format!("{name}.{n}")))
        };
        match change {
            C::Co2Price(p) => out.push(Change::Co2Price(*p)),
            C::TransportCostPerTkm(c) => out.push(Change::TransportCost(*c)),
            C::MaterialPrice(m) => out.push(Change::MaterialPrice {
                material: m.material.as_str().into(),
                import_cost: m.import_cost,
                disposal_cost: m.disposal_cost,
            }),
            C::Quantity(q) => {
                let (kind, index) = stream(&q.stream, "quantity.stream")?;
                out.push(Change::Quantity {
                    kind,
                    index,
                    tonnes: q.quantity_t,
                });
            }
            C::StreamPrice(p) => {
                let (kind, index) = stream(&p.stream, "stream_price.stream")?;
                out.push(Change::StreamPrice {
                    kind,
                    index,
                    price: p.price_per_t,
                });
            }
            C::Remove(r) => {
                let (kind, index) =
                    stream_at(problem, &added, r, |n| field(&format!("remove.{n}")))?;
                out.push(Change::Remove { kind, index });
            }
            C::CloseSite(site) => match problem {
                Problem::Region => out.push(Change::CloseSite(site.as_str().into())),
                Problem::Batch { .. } => {
                    return Err(violation(
                        &field("close_site"),
                        "a batch session has listings, not sites: remove the listing",
                    ));
                }
            },
            C::Add(a) => {
                let kind = kind_of(a.kind).ok_or_else(|| {
                    violation(
                        &field("add.kind"),
                        "must be STREAM_KIND_SUPPLY or STREAM_KIND_DEMAND",
                    )
                })?;
                let site = match problem {
                    Problem::Region => a.site.as_str().into(),
                    Problem::Batch { listings, .. } => {
                        let id = &a.listing_id;
                        let key = (kind as u8, id.clone());
                        let known = match kind {
                            StreamKind::Supply => listings.offers.contains_key(id),
                            StreamKind::Demand => listings.requests.contains_key(id),
                        };
                        if id.is_empty() || known || added.contains_key(&key) {
                            return Err(violation(
                                &field("add.listing_id"),
                                &if id.is_empty() {
                                    "is required".into()
                                } else {
                                    format!("listing `{id}` exists already")
                                },
                            ));
                        }
                        let count = match kind {
                            StreamKind::Supply => &mut counts.0,
                            StreamKind::Demand => &mut counts.1,
                        };
                        added.insert(key, *count);
                        *count += 1;
                        let site = format!("{}{id}", site_prefix(kind));
                        out.push(Change::AddSite {
                            id: site.as_str().into(),
                            lon: a.lon,
                            lat: a.lat,
                        });
                        site.as_str().into()
                    }
                };
                out.push(Change::Add {
                    kind,
                    site,
                    material: a.material.as_str().into(),
                    tonnes: a.quantity_t,
                    price: a.price_per_t,
                });
            }
        }
    }
    Ok(out)
}

/// Records the listings that accepted `changes` added, so later revisions and answers name
/// them.
pub fn record_added(problem: &mut Problem, list: &[pb::Change]) {
    let Problem::Batch { listings, batch } = problem else {
        return;
    };
    for change in list {
        let Some(pb::change::Change::Add(a)) = &change.change else {
            continue;
        };
        let Some(kind) = kind_of(a.kind) else {
            continue;
        };
        let ids = listings.of_kind(kind);
        let position = ids.len();
        ids.insert(a.listing_id.clone(), position);
        match kind {
            StreamKind::Supply => batch.offers.push(pb::Offer {
                id: a.listing_id.clone(),
                material: a.material.clone(),
                quantity_t: a.quantity_t,
                lon: a.lon,
                lat: a.lat,
                disposal_cost_avoided: a.price_per_t,
            }),
            StreamKind::Demand => batch.requests.push(pb::Request {
                id: a.listing_id.clone(),
                material: a.material.clone(),
                quantity_t: a.quantity_t,
                lon: a.lon,
                lat: a.lat,
                max_km: None,
                value_per_t: a.price_per_t,
            }),
        }
    }
}

fn site_prefix(kind: StreamKind) -> &'static str {
    match kind {
        StreamKind::Supply => OFFER_SITE,
        StreamKind::Demand => REQUEST_SITE,
    }
}

fn kind_of(kind: i32) -> Option<StreamKind> {
    match pb::StreamKind::try_from(kind).ok()? {
        pb::StreamKind::Supply => Some(StreamKind::Supply),
        pb::StreamKind::Demand => Some(StreamKind::Demand),
        pb::StreamKind::Unspecified => None,
    }
}

/// The stream `s` names: its kind and position.
fn stream_at(
    problem: &Problem,
    added: &HashMap<(u8, String), usize>,
    s: &pb::StreamRef,
    field: impl Fn(&str) -> String,
) -> Result<(StreamKind, usize), Status> {
    let kind = kind_of(s.kind).ok_or_else(|| {
        violation(
            &field("kind"),
            "must be STREAM_KIND_SUPPLY or STREAM_KIND_DEMAND",
        )
    })?;
    match problem {
        Problem::Region if s.listing_id.is_empty() => Ok((kind, s.index as usize)),
        Problem::Region => Err(violation(
            &field("listing_id"),
            "names listings of a batch session; a region's streams go by index",
        )),
        Problem::Batch { listings, .. } => {
            let id = &s.listing_id;
            let known = match kind {
                StreamKind::Supply => listings.offers.get(id),
                StreamKind::Demand => listings.requests.get(id),
            };
            known
                .or_else(|| added.get(&(kind as u8, id.clone())))
                .map(|&i| (kind, i))
                .ok_or_else(|| {
                    violation(
                        &field("listing_id"),
                        &if id.is_empty() {
                            "is required in a batch session".into()
                        } else {
                            format!("no listing `{id}` of this kind in the session")
                        },
                    )
                })
        }
    }
}

/// A revision's plan changes as a `PlanDiff`.
pub fn plan_diff(changes: &PlanChanges, start: &str, seconds: f64) -> pb::PlanDiff {
    pb::PlanDiff {
        added: flows(&changes.added),
        removed: flows(&changes.removed),
        resized: flows(
            &changes
                .resized
                .iter()
                .map(|(f, _)| f.clone())
                .collect::<Vec<_>>(),
        ),
        resized_from_t: changes.resized.iter().map(|&(_, was)| was).collect(),
        objective_delta: changes.objective_delta,
        start: start.to_owned(),
        seconds,
    }
}
