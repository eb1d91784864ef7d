"""Example Python client for circulate's gRPC API.

Loads a dataset folder (the DESIGN.md CSV format), calls Optimize and prints a summary, then
sends the same streams as an exchange batch to MatchBatch and prints the matching outcome.

    pip install -r clients/python/requirements.txt
    python clients/python/circulate_client.py --addr 127.0.0.1:50051 --dataset datasets/example

Stubs are generated from proto/ with grpcio-tools on first use (into clients/python/generated/).
"""

import argparse
import csv
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
PROTO_ROOT = HERE.parent.parent / "proto"
GENERATED = HERE / "generated"


def stubs():
    """Generates (if needed) and imports the circulate.v1 stubs."""
    target = GENERATED / "circulate" / "v1" / "circulate_pb2_grpc.py"
    proto = PROTO_ROOT / "circulate" / "v1" / "circulate.proto"
    if not target.exists() or target.stat().st_mtime < proto.stat().st_mtime:
        GENERATED.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_ROOT}",
             f"--python_out={GENERATED}", f"--grpc_python_out={GENERATED}", str(proto)],
            check=True,
        )
    sys.path.insert(0, str(GENERATED))
    from circulate.v1 import circulate_pb2, circulate_pb2_grpc  # noqa: E402
    return circulate_pb2, circulate_pb2_grpc


def rows(folder, name):
    path = folder / name
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if any(v.strip() for v in r.values())]


def num(value):
    return float(value) if value not in (None, "") else None


def load_dataset(pb, folder):
    """A dataset folder as a circulate.v1.Dataset message."""
    import tomllib
    config = {}
    if (folder / "dataset.toml").exists():
        config = tomllib.loads((folder / "dataset.toml").read_text(encoding="utf-8"))
    ds = pb.Dataset(name=config.get("name", folder.name), currency=config.get("currency", ""))
    if "co2_price" in config:
        ds.co2_price = float(config["co2_price"])
    for key, value in config.get("transport", {}).items():
        setattr(ds.transport, key, float(value))
    for m in rows(folder, "materials.csv"):
        msg = pb.Material(id=m["id"], name=m.get("name") or "", ewc=m.get("ewc") or "",
                          hazardous=(m.get("hazardous") or "").lower() in ("true", "1", "yes"))
        for field in ("import_cost", "import_co2", "disposal_cost", "disposal_co2", "max_haul_km",
                      "transport_cost_per_tkm", "transport_co2_kg_per_tkm"):
            if num(m.get(field)) is not None:
                setattr(msg, field, num(m[field]))
        ds.materials.append(msg)
    for s in rows(folder, "sites.csv"):
        ds.sites.append(pb.Site(id=s["id"], name=s.get("name") or "", lon=float(s["lon"]),
                                lat=float(s["lat"]), nace=s.get("nace") or "",
                                region=s.get("region") or ""))
    for s in rows(folder, "supplies.csv"):
        ds.supplies.append(pb.Stream(site=s["site"], material=s["material"],
                                     quantity_t=float(s["quantity_t"])))
    for d in rows(folder, "demands.csv"):
        ds.demands.append(pb.Stream(site=d["site"], material=d["material"],
                                    quantity_t=float(d["quantity_t"])))
    for s in rows(folder, "substitutions.csv"):
        ds.substitutions.append(pb.Substitution(**{"from": s["from"]}, to=s["to"],
                                                ratio=float(s["ratio"])))
    processes = {}
    for p in rows(folder, "processes.csv"):
        msg = pb.Process(id=p["id"], site=p["site"], capacity=float(p["capacity"]))
        if num(p.get("cost_per_unit")) is not None:
            msg.cost_per_unit = num(p["cost_per_unit"])
        for field in ("candidate_capex", "co2_kg_per_unit"):
            if num(p.get(field)) is not None:
                setattr(msg, field, num(p[field]))
        processes[p["id"]] = msg
    for f in rows(folder, "process_flows.csv"):
        flow = pb.ProcessFlow(material=f["material"], coefficient=float(f["coefficient"]))
        target = processes[f["process"]].inputs if f["direction"] == "in" else processes[f["process"]].outputs
        target.append(flow)
    ds.processes.extend(processes.values())
    return ds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:50051")
    parser.add_argument("--dataset", default="datasets/example")
    parser.add_argument("--timeout", type=float, default=60.0, help="deadline per call, s")
    args = parser.parse_args()

    import grpc
    pb, pb_grpc = stubs()
    stub = pb_grpc.CirculateStub(grpc.insecure_channel(args.addr))
    dataset = load_dataset(pb, pathlib.Path(args.dataset))

    r = stub.Optimize(pb.OptimizeRequest(dataset=dataset), timeout=args.timeout)
    print(f"Optimize: status {pb.SolveStatus.Name(r.status)}")
    print(f"  objective {r.objective:,.0f} {r.currency}/yr, baseline {r.baseline:,.0f}, "
          f"saved {r.kpis.cost_saved:,.0f}")
    print(f"  diverted {r.kpis.diverted_from_disposal_t:,.1f} t/yr, substituted "
          f"{r.kpis.imports_substituted_t:,.1f} t/yr, circularity {r.kpis.circularity_rate:.1%}")
    for f in list(r.flows)[:5]:
        print(f"  flow {f.from_name} -> {f.to_name}: {f.tonnes_sent:,.1f} t {f.material_sent}, {f.km:.1f} km")
    for t in list(r.targets)[:3]:
        print(f"  target {t.rank}: {t.material} substituted {t.substituted_t:,.1f} t, net savings {t.net_savings:,.0f}")

    site = {s.id: s for s in dataset.sites}
    batch = pb.MatchBatchRequest(materials=dataset.materials, substitutions=dataset.substitutions)
    for i, s in enumerate(dataset.supplies):
        batch.offers.append(pb.Offer(id=f"offer-{i}", material=s.material, quantity_t=s.quantity_t,
                                     lon=site[s.site].lon, lat=site[s.site].lat))
    for i, d in enumerate(dataset.demands):
        batch.requests.append(pb.Request(id=f"request-{i}", material=d.material, quantity_t=d.quantity_t,
                                         lon=site[d.site].lon, lat=site[d.site].lat))
    m = stub.MatchBatch(batch, timeout=args.timeout)
    print(f"MatchBatch: status {pb.SolveStatus.Name(m.summary.status)}, {m.summary.matches} matches, "
          f"{m.summary.matched_t:,.1f} t matched, {m.summary.unmatched_offers} offers and "
          f"{m.summary.unmatched_requests} requests (partly) unmatched")
    for u in list(m.unmatched_offers)[:3]:
        print(f"  unmatched {u.id}: {u.quantity_t:,.1f} t ({pb.UnmatchedReason.Name(u.reason)})")


if __name__ == "__main__":
    main()
