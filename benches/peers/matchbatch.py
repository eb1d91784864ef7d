"""MatchBatch at platform scale: sends the uniform peer instance (a dataset folder written by
`make peers` or `target/release/peer-instance`) to a running `circulate serve` as one
MatchBatch of offers and requests with the default options (priced to the certified
optimum) and a client deadline, and prints the status, the objective, how far from certified
the plan is, and the time until the answer arrived.

    target/release/circulate serve --addr 127.0.0.1:50077 &
    target/python-client-venv/bin/python benches/peers/matchbatch.py \
        target/peers/n100000-k8/dataset 127.0.0.1:50077 120

(`scripts/python-client-test.sh` builds `target/python-client-venv`.)"""

import pathlib
import sys
import time

import pandas as pd
from circulate_client import Client


def streams(folder: pathlib.Path, name: str, sites: pd.DataFrame) -> pd.DataFrame:
    """A supplies or demands table as offers or requests, with their sites' coordinates."""
    table = pd.read_csv(folder / name).join(sites[["lon", "lat"]], on="site")
    return pd.DataFrame({
        "id": table["site"],
        "material": table["material"],
        "quantity_t": table["quantity_t"].astype(float),
        "lon": table["lon"],
        "lat": table["lat"],
    })


def main() -> None:
    folder, addr, deadline = pathlib.Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    sites = pd.read_csv(folder / "sites.csv").set_index("id")
    offers = streams(folder, "supplies.csv", sites)
    requests = streams(folder, "demands.csv", sites)
    # The instance's one material and transport (optimizer::generate::uniform).
    materials = pd.DataFrame([{"id": "m", "name": "m", "import_cost": 20.0, "disposal_cost": 20.0}])
    transport = {"cost_per_tkm": 1.0, "co2_kg_per_tkm": 0.0, "detour_factor": 1.0}
    with Client(addr, timeout=deadline) as client:
        # Timed from the call to the answer's arrival, as the deadline runs: building the
        # 200k-row request before and reading the matches into data frames after are the
        # client's own work.
        call = client._stub.MatchBatch
        timing = {}

        def timed(*args, **kwargs):
            timing["sent"] = time.perf_counter()
            response = call(*args, **kwargs)
            timing["arrived"] = time.perf_counter()
            return response

        client._stub.MatchBatch = timed
        matching = client.match_batch(offers, requests, materials, transport=transport)
    stats = matching.summary["stats"]
    gap = stats.get("optimality_gap")
    distance = "no bound yet" if gap is None else f"at most {gap:,.0f} above the optimum"
    print(f"deadline {deadline:.0f} s: {matching.status} after {timing['arrived'] - timing['sent']:.1f} s, "
          f"objective {matching.objective:,.0f}, {distance}, "
          f"{stats.get('pricing_rounds')} pricing rounds, {len(matching.matches):,} matches")


if __name__ == "__main__":
    main()
