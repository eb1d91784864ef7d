#!/usr/bin/env bash
# Peer comparison: builds circulate (release) and a pinned Python environment with OR-Tools,
# highspy and networkx, then runs benches/peers/run.py with the given arguments.
#   scripts/peers.sh --n 100000,1000000    # table of README "Against other solvers"
#   scripts/peers.sh --n 20000 --recycler  # multi-material variant (circulate vs highspy)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh
profile=release
if [ "${PEERS_PROFILE:-release}" = debug ]; then
    # CI's agreement check: debug builds, already there after `make test`.
    profile=debug
    cargo build -p circulate -p circulate-benches
else
    cargo build --release -p circulate -p circulate-benches
fi
venv=target/peers-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet -r benches/peers/requirements.txt
exec "$venv/bin/python" benches/peers/run.py --bin-dir "target/$profile" "$@"
