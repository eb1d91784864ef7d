# The README's two commands. Both install missing build prerequisites first.
.PHONY: run test prereqs lint bench peers load eu-regions

DATASET ?= datasets/finland-2023

run: prereqs
	cargo run --release -p circulate -- solve $(DATASET) --out out/$(notdir $(DATASET))

test:
	@bash scripts/prereqs.sh --test
	cargo test --workspace --release

prereqs:
	@bash scripts/prereqs.sh

lint: prereqs
	cargo fmt --all -- --check
	cargo clippy --release --workspace --all-targets -- -D warnings

bench: prereqs
	cargo run --release -p circulate-benches --bin scale -- --sites 10000

# Peer comparison (OR-Tools, highspy, networkx); see docs/performance.md "Against other solvers".
N ?= 100000
K ?= 8,32
peers: prereqs
	bash scripts/peers.sh --n $(N) --k $(K) --exact yes

# Bounded load test of the server (loopback only, stops by itself); see README "The gRPC API".
SECONDS_LOADED ?= 60
load: prereqs
	cargo build --release -p circulate -p circulate-benches
	target/release/load --seconds $(SECONDS_LOADED)

# Every NUTS-3 region of the EU/EEA as a synthetic 2,000-site region, solved as one batch.
eu-regions: prereqs
	cargo run --release -p circulate-benches --bin eu-regions -- --out target/eu-regions
