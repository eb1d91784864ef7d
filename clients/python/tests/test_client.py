"""The installed client against a real `circulate serve` (address in CIRCULATE_ADDR):
Optimize equals `circulate solve` on the example, every dataset column is carried, and a
match batch accounts for every tonne, a retried request id is answered once."""

import json
import os
import pathlib
import subprocess
import uuid

import grpc
import pandas as pd
import pytest

from circulate_client import Client, load_dataset

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "datasets" / "example"
ADDR = os.environ.get("CIRCULATE_ADDR", "127.0.0.1:50051")


@pytest.fixture(scope="module")
def client():
    with Client(ADDR, timeout=60) as c:
        yield c


def test_optimize_equals_the_cli(client):
    plan = client.optimize(EXAMPLE)
    cli = json.loads(subprocess.run(
        [str(ROOT / "target" / "release" / "circulate"), "solve", str(EXAMPLE), "--json"],
        check=True, capture_output=True, text=True).stdout)
    assert plan.status == "SOLVE_STATUS_OPTIMAL"
    assert plan.objective == pytest.approx(cli["objective"], rel=1e-9)
    assert isinstance(plan.flows, pd.DataFrame)
    assert len(plan.flows) == len(cli["flows"])
    assert plan.flows["tonnes_sent"].sum() == pytest.approx(sum(f["tonnes_sent"] for f in cli["flows"]))


def test_every_column_is_carried(tmp_path):
    for f in EXAMPLE.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    supplies = (tmp_path / "supplies.csv").read_text().splitlines()
    header = supplies[0] + ",unit_cost,max_haul_km"
    first = supplies[1] + ",12.5,33"
    (tmp_path / "supplies.csv").write_text("\n".join([header, first] + [s + ",," for s in supplies[2:]]) + "\n")
    ds = load_dataset(tmp_path)
    assert ds.supplies[0].unit_cost == 12.5
    assert ds.supplies[0].max_haul_km == 33
    assert not ds.supplies[1].HasField("unit_cost")


def test_match_batch_accounts_for_every_tonne(client):
    offers = pd.DataFrame([{"id": "o1", "material": "pallets", "quantity_t": 10, "lon": 24.9, "lat": 60.2},
                           {"id": "o2", "material": "pallets", "quantity_t": 5, "lon": 25.4, "lat": 60.9}])
    requests = [{"id": "r1", "material": "pallets", "quantity_t": 6, "lon": 25.0, "lat": 60.2}]
    materials = [{"id": "pallets", "import_cost": 50, "disposal_cost": 10}]
    m = client.match_batch(offers, requests, materials)
    assert m.status == "SOLVE_STATUS_OPTIMAL"
    assert m.matches["quantity_t"].sum() == pytest.approx(6)
    assert m.unmatched_offers["quantity_t"].sum() == pytest.approx(9)


def test_a_retry_with_a_request_id_is_answered_from_the_first_solve(client):
    offers = [{"id": f"o{i}", "material": "pallets", "quantity_t": 3 + i, "lon": 24.9 + i / 50, "lat": 60.2} for i in range(30)]
    requests = [{"id": f"r{i}", "material": "pallets", "quantity_t": 4, "lon": 24.95 + i / 40, "lat": 60.3} for i in range(30)]
    materials = [{"id": "pallets", "import_cost": 50, "disposal_cost": 10}]
    rid = str(uuid.uuid4())
    first = client.match_batch(offers, requests, materials, request_id=rid)
    again = client.match_batch(offers, requests, materials, request_id=rid)
    # The same answer to the byte, solve timings included: the retry was not solved again.
    assert again.response.SerializeToString() == first.response.SerializeToString()
    fresh = client.match_batch(offers, requests, materials)
    assert fresh.response.summary.stats != first.response.summary.stats
    offers[0]["quantity_t"] += 1
    with pytest.raises(grpc.RpcError) as refused:
        client.match_batch(offers, requests, materials, request_id=rid)
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_investment_decisions_match_the_cli(client, tmp_path):
    """A start-up cost on the example's candidate line and an [investment] budget: the
    client carries both, and its plan (which opens the line or not) is the CLI's."""
    for f in EXAMPLE.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    rows = (tmp_path / "processes.csv").read_text().splitlines()
    rows = [rows[0] + ",fixed_cost"] + [r + (",1000" if r.split(",")[6] else ",") for r in rows[1:]]
    (tmp_path / "processes.csv").write_text("\n".join(rows) + "\n")
    with open(tmp_path / "dataset.toml", "a") as f:
        f.write("\n[investment]\nbudget = 100_000\nmax_new_processes = 1\n")
    ds = load_dataset(tmp_path)
    assert ds.investment.budget == 100_000 and ds.investment.max_new_processes == 1
    plan = client.optimize(tmp_path)
    cli = json.loads(subprocess.run(
        [str(ROOT / "target" / "release" / "circulate"), "solve", str(tmp_path), "--json"],
        check=True, capture_output=True, text=True).stdout)
    assert plan.objective == pytest.approx(cli["objective"], rel=1e-9)
    opened = {p["id"]: p.get("opened") for p in cli["processes"]}
    assert True in opened.values()
    got = dict(zip(plan.processes["id"], plan.processes["opened"]))
    assert got["kujala-plastics-line-2"] == opened["kujala-plastics-line-2"]
    assert plan.stats["mip_gap"] <= 1e-4


def test_a_session_revises_like_a_cold_optimize(client):
    with client.open_session(EXAMPLE) as session:
        assert session.opened.diff["start"] == "opened"
        revised = session.revise(co2_price=250)
        ds = load_dataset(EXAMPLE)
        ds.co2_price = 250
        cold = client.optimize(ds)
        assert revised.plan.objective == pytest.approx(cold.objective, rel=1e-6)
        assert revised.diff["start"] != "rebuilt"
        assert revised.revision == 1
        removed = session.revise([{"remove": {"kind": "STREAM_KIND_SUPPLY", "index": 0}}])
        ds.supplies[0].quantity_t = 0
        assert removed.plan.objective == pytest.approx(client.optimize(ds).objective, rel=1e-6)


def test_operations_answer_as_the_unary_calls(client):
    """A submitted match batch and a submitted sweep come back as MatchBatch and Optimize
    answer; progress shows the regions done."""
    offers = [{"id": "o1", "material": "pallets", "quantity_t": 10, "lon": 24.9, "lat": 60.2}]
    requests = [{"id": "r1", "material": "pallets", "quantity_t": 6, "lon": 25.0, "lat": 60.2}]
    materials = [{"id": "pallets", "import_cost": 50, "disposal_cost": 10}]
    name = client.submit_match_batch(offers, requests, materials)
    assert name.startswith("operations/")
    matched = client.wait(name, timeout=60)
    assert matched.objective == pytest.approx(client.match_batch(offers, requests, materials).objective)
    assert client.progress(name)["state"] == "OPERATION_STATE_SUCCEEDED"
    name = client.submit_batch([EXAMPLE], co2_prices=[0, 250])
    results = client.wait(name, timeout=120)
    assert len(results) == 2
    ds = load_dataset(EXAMPLE)
    ds.co2_price = 250
    assert results[1][1].objective == pytest.approx(client.optimize(ds).objective, rel=1e-9)
    progress = client.progress(name)
    assert (progress["regions_total"], progress["regions_done"]) == (2, 2)


def test_geoparquet_flows_read_as_flows_csv(tmp_path):
    """flows.parquet of `circulate solve --out`, read with geopandas, holds flows.csv's rows
    and columns (numbers at full precision) and each flow's line between its sites."""
    from circulate_client import read_flows

    out = tmp_path / "out"
    subprocess.run([str(ROOT / "target" / "release" / "circulate"), "solve", str(EXAMPLE),
                    "--out", str(out), "--formats", "csv,parquet"], check=True, capture_output=True)
    assert not (out / "flows.geojson").exists()
    flows = read_flows(out / "flows.parquet")
    csv = pd.read_csv(out / "flows.csv", dtype={c: str for c in ["from_site", "to_site", "from_process", "to_process"]},
                      keep_default_na=False)
    assert list(flows.columns) == list(csv.columns) + ["geometry"]
    assert len(flows) == len(csv) > 0
    assert flows.crs is not None and flows.crs.to_epsg() in (4326, None)
    for column in ["from_site", "to_site", "material_sent", "material_served"]:
        assert list(flows[column]) == list(csv[column])
    assert list(flows["to_process"].fillna("")) == list(csv["to_process"])
    for column in ["tonnes_sent", "tonnes_served", "km", "cost", "co2_kg"]:
        assert flows[column].to_numpy() == pytest.approx(csv[column].to_numpy(), abs=0.051)
    result = json.loads(subprocess.run(
        [str(ROOT / "target" / "release" / "circulate"), "solve", str(EXAMPLE), "--json"],
        check=True, capture_output=True, text=True).stdout)
    for geometry, flow, tonnes in zip(flows.geometry, result["flows"], flows["tonnes_sent"]):
        assert tonnes == flow["tonnes_sent"]
        start = (flow["from_lon"], flow["from_lat"])
        assert geometry.coords[0] == pytest.approx(start)
        if flow["from_site"] != flow["to_site"]:
            assert geometry.coords[-1] == pytest.approx((flow["to_lon"], flow["to_lat"]))
