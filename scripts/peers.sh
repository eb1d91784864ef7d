#!/usr/bin/env bash
# Peer comparison: builds circulate (release) and a pinned Python environment with OR-Tools,
# highspy and networkx, then runs benches/peers/run.py with the given arguments.
#   scripts/peers.sh --n 100000 --k 8,32 --exact yes   # table of docs/performance.md "Against other solvers"
#   scripts/peers.sh --n 20000 --recycler  # multi-material variant (circulate vs highspy)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh
# Release builds, shared with `make run` and `make test` (HiGHS compiles once).
profile=release
cargo build --release -p circulate -p circulate-benches
venv=target/peers-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet -r benches/peers/requirements.txt
exec "$venv/bin/python" benches/peers/run.py --bin-dir "target/$profile" "$@"
