#!/usr/bin/env bash
# End-to-end check of the gRPC server with the Python client package: installs
# clients/python into a venv (stubs generated at build time), starts the real `circulate
# serve` on 127.0.0.1, runs the package's tests and its command line against it. Run by
# .ci/run after the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-client-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "./clients/python[test,geo]" "openapi-spec-validator>=0.7" "PyLD>=2"

cargo build --release -q -p circulate
port=50071
http_port=50072
target/release/circulate serve --addr 127.0.0.1:$port --http-addr 127.0.0.1:$http_port \
  --max-concurrent-solves 2 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  target/release/circulate health --addr 127.0.0.1:$port >/dev/null 2>&1 && break
  sleep 0.2
done

# Run from outside the source tree, so the installed package (with its stubs) is imported.
(cd target && CIRCULATE_ADDR=127.0.0.1:$port "../$venv/bin/python" -m pytest -q ../clients/python/tests)

out=$("$venv/bin/python" -m circulate_client --addr 127.0.0.1:$port optimize datasets/example)
echo "$out"
grep -q "status SOLVE_STATUS_OPTIMAL" <<<"$out"

# The client's plan is the CLI's: `circulate solve --json` on the same dataset gives the same
# objective, baseline and flows (site pairs, materials and tonnes), compared as numbers.
target/release/circulate solve datasets/example --json > target/python-client-cli.json
CIRCULATE_ADDR=127.0.0.1:$port "$venv/bin/python" - target/python-client-cli.json <<'PY'
import json, math, os, sys
from circulate_client import Client

cli = json.load(open(sys.argv[1]))
with Client(os.environ["CIRCULATE_ADDR"]) as client:
    plan = client.optimize("datasets/example")

def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)

assert plan.status == "SOLVE_STATUS_OPTIMAL", plan.status
assert close(plan.objective, cli["objective"]), (plan.objective, cli["objective"])
assert close(plan.baseline, cli["baseline"]), (plan.baseline, cli["baseline"])
# A flow is its ends (a site, and a process there or none) and its material.
key = lambda f: tuple(f[c] or "" for c in ("from_site", "from_process", "to_site", "to_process", "material_sent"))
ours = {key(f): f["tonnes_sent"] for f in plan.flows.to_dict("records")}
theirs = {key(f): f["tonnes_sent"] for f in cli["flows"]}
assert ours.keys() == theirs.keys(), sorted(set(ours) ^ set(theirs))
assert all(close(ours[k], theirs[k]) for k in ours), "tonnes differ"
print(f"python client: objective {plan.objective:,.2f} and {len(ours)} flows equal the CLI's")
PY

# The REST API: its OpenAPI document validates as OpenAPI 3.1, and a MatchBatch posted as
# JSON (with nothing but the standard library) matches what the gRPC client gets.
CIRCULATE_ADDR=127.0.0.1:$port CIRCULATE_HTTP=http://127.0.0.1:$http_port "$venv/bin/python" - <<'PY'
import json, os, urllib.request
from openapi_spec_validator import validate
from circulate_client import Client

base = os.environ["CIRCULATE_HTTP"]
doc = json.load(urllib.request.urlopen(f"{base}/v1/openapi.json"))
validate(doc)
operations = sorted(op["operationId"] for path in doc["paths"].values() for op in path.values())
print(f"rest: the OpenAPI document validates ({len(operations)} operations: {', '.join(operations)})")
materials = [{"id": "pallets", "importCost": 50, "disposalCost": 10}]
offers = [{"id": f"o{i}", "material": "pallets", "quantityT": 10 + i, "lon": 24.9 + i / 100, "lat": 60.2} for i in range(20)]
requests = [{"id": f"r{i}", "material": "pallets", "quantityT": 12, "lon": 24.95 + i / 90, "lat": 60.25} for i in range(15)]
body = json.dumps({"materials": materials, "offers": offers, "requests": requests}).encode()
call = urllib.request.Request(f"{base}/v1/match-batch", data=body, headers={"content-type": "application/json"})
rest = json.load(urllib.request.urlopen(call))
snake = lambda rows: [{k[0].lower() + "".join("_" + c.lower() if c.isupper() else c for c in k[1:]): v for k, v in r.items()} for r in rows]
with Client(os.environ["CIRCULATE_ADDR"]) as client:
    grpc = client.match_batch(snake(offers), snake(requests), snake(materials))
pairs = lambda rows: sorted((m["offerId"], m["requestId"], round(m["quantityT"], 9)) for m in rows)
ours = sorted((m["offer_id"], m["request_id"], round(m["quantity_t"], 9)) for m in grpc.matches.to_dict("records"))
assert pairs(rest["matches"]) == ours, (pairs(rest["matches"]), ours)
print(f"rest: MatchBatch over JSON gives the gRPC client's {len(ours)} matches")
PY

# The Valueflows export read by a JSON-LD processor (PyLD, with every remote load refused: the
# context is in the file): every flow's tonnes come back from the expanded graph.
target/release/circulate solve datasets/example --out target/python-client-vf > /dev/null
"$venv/bin/python" - target/python-client-vf <<'PY'
import json, math, sys
from pyld import jsonld

def offline(url, options=None):
    raise RuntimeError(f"plan.vf.jsonld made the processor load {url}")
jsonld.set_document_loader(offline)
VF = "https://w3id.org/valueflows/ont/vf#"
out = sys.argv[1]
expanded = jsonld.expand(json.load(open(f"{out}/plan.vf.jsonld")))
def value(node, term):
    return node[VF + term][0].get("@value", node[VF + term][0].get("@id"))
transfers = [n for n in expanded if VF + "Commitment" in n.get("@type", [])
             and value(n, "action") == VF + "transfer"]
back = sorted(value(c[VF + "resourceQuantity"][0], "hasNumericalValue") for c in transfers)
flows = sorted(f["tonnes_sent"] for f in json.load(open(f"{out}/result.json"))["flows"])
assert len(back) == len(flows) and all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(back, flows)), (back, flows)
units = {c[VF + "resourceQuantity"][0][VF + "hasUnit"][0]["@id"] for c in transfers}
assert units == {"http://www.ontology-of-units-of-measure.org/resource/om-2/tonne"}, units
kinds = {t for n in expanded for t in n.get("@type", [])}
for k in ["Plan", "Organization", "ResourceSpecification", "Intent", "Proposal", "Commitment", "Process"]:
    assert VF + k in kinds, k
print(f"valueflows: {len(transfers)} transfer commitments expand with every flow's tonnes ({sum(back):,.1f} t)")
PY

kill -TERM $server
wait $server
trap - EXIT
echo "python client: passed"
