//! Admission by cost: before a request is converted or solved, its memory is estimated from
//! its size, its node counts and the arcs its options imply (`k` nearest both ways, grown
//! by pricing, or every pair for `exact`). Requests above the budget are refused with
//! RESOURCE_EXHAUSTED naming the limit; small ones are told apart so they run in their own
//! thread pool and never queue behind a large solve.

use super::pb;
use optimizer::DEFAULT_K;
use tonic::Status;

/// Resident bytes per byte of the decoded request message: the message, its raw and
/// validated forms and the result. Measured on MatchBatch 100k x 100k (7.6 MB): about 23.
const BYTES_PER_MESSAGE_BYTE: u64 = 24;

/// Resident bytes per source or sink (network node, LP rows, spatial index, duals, result).
/// Measured as for [`BYTES_PER_ARC`]: the peak less the arcs' share is 370 MB for 200k
/// nodes read from CSV, about 1,850 bytes each, of which reading accounts for about half.
const BYTES_PER_NODE: u64 = 1000;

/// Resident bytes per candidate arc (the arc, its LP column and the solver's copy).
/// Measured with `/usr/bin/time -f %M circulate solve` on the 100k uniform instance
/// (`make peers` data, 200k nodes) with `--no-pricing --k 8, 16, 32`: 957k, 1.83M and
/// 3.53M arcs peaked at 466, 563 and 722 MB, 100 bytes per arc; 10 % margin.
const BYTES_PER_ARC: u64 = 110;

/// How much pricing grows the arcs of the k-nearest start: 957k to 1.28M at 100k.
const PRICING_GROWTH: f64 = 1.5;

/// Requests estimated below this run in the light pool.
const LIGHT_BYTES: u64 = 64 << 20;

/// What a request may cost, and where it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Small: its own pool, never behind a large solve.
    Light,
    /// Large: the solve pool.
    Heavy,
}

/// A request's shape as far as its cost goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shape {
    /// Encoded size of the request.
    pub message_bytes: usize,
    /// Supplies (offers) plus process outputs.
    pub sources: usize,
    /// Demands (requests) plus process inputs.
    pub sinks: usize,
    /// `k` as requested (0: the default).
    pub k: u32,
    /// Every pair in range.
    pub exact: bool,
    /// Pricing off.
    pub no_pricing: bool,
    /// Near-optimal alternatives asked for: each keeps a model of its own until the answer
    /// is built.
    pub alternatives: u32,
}

impl Shape {
    /// The cost-relevant shape of an `OptimizeRequest`.
    pub fn of_optimize(request: &pb::OptimizeRequest) -> Self {
        Shape {
            message_bytes: prost::Message::encoded_len(request),
            ..Self::of_dataset(request.dataset.as_ref(), request.options)
        }
    }

    /// The cost-relevant shape of solving `dataset` with `options` (its message size as the
    /// dataset's alone).
    pub fn of_dataset(dataset: Option<&pb::Dataset>, options: Option<pb::SolveOptions>) -> Self {
        let o = options.unwrap_or_default();
        let (mut sources, mut sinks) = (0, 0);
        if let Some(ds) = dataset {
            sources = ds.supplies.len();
            sinks = ds.demands.len();
            for p in &ds.processes {
                sources += p.outputs.len();
                sinks += p.inputs.len();
            }
        }
        Shape {
            message_bytes: dataset.map_or(0, prost::Message::encoded_len),
            sources,
            sinks,
            k: o.k,
            exact: o.exact,
            no_pricing: o.no_pricing,
            alternatives: o.alternatives,
        }
    }

    /// The cost-relevant shape of a `MatchBatchRequest`.
    pub fn of_match(request: &pb::MatchBatchRequest) -> Self {
        let o = request.options.unwrap_or_default();
        Shape {
            message_bytes: prost::Message::encoded_len(request),
            sources: request.offers.len(),
            sinks: request.requests.len(),
            k: o.k,
            exact: o.exact,
            no_pricing: o.no_pricing,
            alternatives: 0,
        }
    }

    /// Estimated candidate arcs.
    pub fn arcs(&self) -> f64 {
        let (s, t) = (self.sources as f64, self.sinks as f64);
        if self.exact {
            return s * t;
        }
        let k = if self.k == 0 {
            DEFAULT_K as f64
        } else {
            f64::from(self.k)
        };
        let nearest = s * k.min(t) + t * k.min(s);
        let grown = if self.no_pricing {
            nearest
        } else {
            nearest * PRICING_GROWTH
        };
        grown.min(s * t)
    }

    /// Estimated peak resident bytes of solving the request.
    pub fn bytes(&self) -> f64 {
        let model = (self.sources + self.sinks) as f64 * BYTES_PER_NODE as f64
            + self.arcs() * BYTES_PER_ARC as f64;
        self.message_bytes as f64 * BYTES_PER_MESSAGE_BYTE as f64
            + model * (1.0 + f64::from(self.alternatives))
    }
}

/// The budget every request is checked against.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Largest estimated peak of one request, bytes.
    pub max_model_bytes: u64,
}

impl Budget {
    /// The default: half the machine's memory shared by the solves that may run at once.
    pub fn default_for(max_concurrent_solves: usize) -> Self {
        let total = physical_memory_bytes().unwrap_or(4 << 30);
        Budget {
            max_model_bytes: total / 2 / max_concurrent_solves.max(1) as u64,
        }
    }

    /// Light or heavy when within the budget; RESOURCE_EXHAUSTED naming the estimate and the
    /// limit otherwise.
    pub fn admit(&self, shape: &Shape) -> Result<Weight, Status> {
        let bytes = shape.bytes();
        if bytes > self.max_model_bytes as f64 {
            let hint = if shape.exact {
                "; leave `exact` off: the default priced solve certifies the same optimum with far fewer arcs"
            } else {
                "; send a smaller batch or a smaller `k`"
            };
            return Err(Status::resource_exhausted(format!(
                "request too large: {} sources x {} sinks with these options are estimated at {} MB \
                 ({:.0} candidate arcs), above the server's limit of {} MB (--max-model-mb){hint}",
                shape.sources,
                shape.sinks,
                (bytes / 1e6).ceil(),
                shape.arcs(),
                self.max_model_bytes / 1_000_000
            )));
        }
        Ok(if bytes < LIGHT_BYTES as f64 {
            Weight::Light
        } else {
            Weight::Heavy
        })
    }
}

/// `MemTotal` of `/proc/meminfo`, where there is one.
fn physical_memory_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(n: usize, k: u32, exact: bool) -> Shape {
        Shape {
            message_bytes: n * 38,
            sources: n,
            sinks: n,
            k,
            exact,
            no_pricing: false,
            alternatives: 0,
        }
    }

    #[test]
    fn exact_or_a_huge_k_on_a_modest_batch_is_refused_with_the_limit_named() {
        let budget = Budget {
            max_model_bytes: 4 << 30,
        };
        assert_eq!(
            budget.admit(&batch(100, 0, false)).ok(),
            Some(Weight::Light)
        );
        assert_eq!(
            budget.admit(&batch(100_000, 0, false)).ok(),
            Some(Weight::Heavy)
        );
        for refused in [batch(10_000, 0, true), batch(10_000, 1_000_000, false)] {
            let e = budget.admit(&refused).expect_err("over budget");
            assert_eq!(e.code(), tonic::Code::ResourceExhausted);
            assert!(e.message().contains("--max-model-mb"), "{}", e.message());
        }
    }

    #[test]
    fn arcs_never_exceed_every_pair() {
        let s = batch(50, 1000, false);
        assert_eq!(s.arcs(), 2500.0);
    }
}
