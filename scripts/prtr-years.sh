#!/usr/bin/env bash
# Finland year by year: imports each PRTR reporting year 2017-2023 and solves them as one
# batch, so OUT/summary.csv has one row per year (cost, savings, KPIs) and a planner sees the
# trend. Usage: scripts/prtr-years.sh [OUT] (default out/finland-years).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/finland-years}
data=datasets/sources/prtr-finland
cargo build --release -q -p circulate
for year in 2017 2018 2019 2020 2021 2022 2023; do
  target/release/circulate import prtr --facilities "$data/facilities.csv.gz" \
    --transfers "$data/waste_transfers.csv.gz" --year "$year" --out "$out/datasets/$year" >/dev/null
done
target/release/circulate batch "$out/datasets" --out "$out/solved"
column -s, -t "$out/solved/summary.csv" | cut -c1-160
