"""Peer-comparison harness: circulate against OR-Tools, highspy and networkx on one instance.

    python benches/peers/run.py --n 100000[,1000000] [--k 8[,32]] [--recycler] [--peers ortools,highspy]

Writes the instance with `peer-instance` (dataset folder plus plain arc list), then runs each
solver as its own process and measures its wall time and peak memory (ru_maxrss). circulate
runs end to end (`circulate solve`: read the folder, validate, build candidate arcs, solve,
write result files) on exactly the arcs the peers get (`--no-pricing`); a second circulate
run with pricing on (`--exact`, by default up to n=20000) shows the exact optimum over all
pairs. Peers are timed whole (Python start, reading the arc list, building, solving) and by
their solve call alone. `ortools-eur` is OR-Tools on costs rounded to whole EUR per tonne
(its fastest setting, a slightly different problem). Every other objective must agree within
circulate's documented rounding bound (1e-6 EUR per tonne supplied or demanded); the harness
exits 1 if they do not. Several sizes (`--n 100000,1000000`) run one after the other into one
table.
Run through `scripts/peers.sh`, which builds circulate and the pinned Python environment.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(cmd):
    """Runs `cmd`; returns (stdout, wall seconds)."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return proc.stdout, time.perf_counter() - started


def run_measured(cmd):
    """Runs `cmd` and returns (stdout, wall seconds, peak resident MB) via wait4."""
    started = time.perf_counter()
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"peers-{os.getpid()}.out"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    text = out_path.read_text()
    out_path.unlink()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(err)
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}")
    return text, wall, usage.ru_maxrss / 1024.0


def default_peers(n, k, recycler):
    """Peers run by default at size n: the slow ones only where they finish in minutes."""
    if recycler:
        return ["highspy-lp"]
    peers = ["ortools"]
    if n <= 200_000:
        peers += ["ortools-eur"]
    if n <= 200_000 and k <= 8:
        peers += ["highspy"]
    if n <= 10_000:
        peers.append("networkx")
    return peers


def run_size(args, n, k, first_k):
    """Writes and solves the instance of size n with the k nearest arcs; returns its table
    rows and check lines. The default (priced) solve does not depend on k, so it runs with
    the first k only."""
    binaries = args.bin_dir
    work = args.work or ROOT / "target" / "peers" / f"n{n}-k{k}{'-recycler' if args.recycler else ''}"
    work.mkdir(parents=True, exist_ok=True)
    instance = [binaries / "peer-instance", "--n", str(n), "--k", str(k),
                "--seed", str(args.seed), "--out", str(work)]
    if args.recycler:
        instance.append("--recycler")
    out, wall = run(instance)
    print(f"{out.strip()} in {wall:.1f} s", flush=True)

    nodes_total = 0.0
    for name in ("supplies.csv", "demands.csv"):
        with open(work / "dataset" / name) as f:
            header = f.readline().strip().split(",")
            col = header.index("quantity_t")
            nodes_total += sum(float(line.split(",")[col]) for line in f)

    rows = []

    def circulate(label, extra):
        out_dir = work / f"out-{label.split()[0]}{'-exact' if 'exact' in label else ''}"
        cmd = [binaries / "circulate", "solve", work / "dataset",
               "--out", out_dir, "--top", "0", *extra]
        out, wall, mem = run_measured(cmd)
        result = json.loads((out_dir / "result.json").read_text())
        stats = result.get("stats", {})
        # circulate's own timing of what no solve can skip (read, candidate arcs, files).
        floor = next((float(line.split()[1]) for line in out.splitlines()
                      if line.startswith("floor ")), None)
        rows.append({"n": n, "k": k, "solver": label, "wall": wall, "floor": floor,
                     "solve": stats.get("solve_seconds"),
                     "mem": mem, "objective": result.get("objective"),
                     "status": result.get("status"), "same": "exact" not in label})
        print(f"  {label}: {wall:.1f} s", flush=True)

    # On the peers' arcs; then the default solve (k = 8 start, priced until certified over
    # all pairs in range), which is what `circulate solve` and MatchBatch do unasked.
    circulate("circulate", ["--no-pricing", "--k", str(k)])
    if first_k and (args.exact == "yes" or (args.exact == "auto" and n <= 20000)):
        circulate("circulate exact (pricing)", [])

    peers = args.peers.split(",") if args.peers else default_peers(n, k, args.recycler)
    for peer in peers:
        target = work / "model.lp" if peer == "highspy-lp" else work
        cmd = [args.python, ROOT / "benches" / "peers" / "peer.py", peer, target,
               "--time-limit", str(args.time_limit)]
        out, wall, mem = run_measured(cmd)
        line = [l for l in out.splitlines() if l.startswith("{")][-1]
        r = json.loads(line)
        rows.append({"n": n, "k": k, "solver": peer, "wall": wall, "solve": r["solve_s"],
                     "mem": mem,
                     "objective": r["objective"], "status": r["status"],
                     "same": peer != "ortools-eur"})
        print(f"  {peer}: {wall:.1f} s", flush=True)

    checks = []
    same = [r for r in rows if r["same"] and r["objective"] is not None]
    tolerance = 1e-6 * nodes_total + 1e-9 * max(abs(r["objective"]) for r in same)
    spread = max(r["objective"] for r in same) - min(r["objective"] for r in same)
    checks.append(f"n={n}, k={k}: objectives on the same arcs agree within {spread:.6f} EUR "
                  f"(allowed {tolerance:.6f}: 1e-6 EUR x {nodes_total:,.0f} t)")
    agree = spread <= tolerance
    exact = next((r for r in rows if "exact" in r["solver"]), None)
    base = next(r for r in rows if r["solver"] == "circulate")
    if exact and exact["objective"] is not None and base["objective"]:
        checks.append(f"n={n}: k={k} pruning alone is "
                      f"{100 * (base['objective'] / exact['objective'] - 1):.3f} % "
                      f"above the exact optimum over all pairs")
    return rows, checks, agree


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", required=True,
                        help="supply points (and as many demands); a comma list runs each size")
    parser.add_argument("--k", default="8",
                        help="nearest arcs the peers get; a comma list runs each (8,32)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--recycler", action="store_true", help="multi-material variant with recyclers")
    parser.add_argument("--peers", default=None,
                        help="comma list of ortools,ortools-eur,highspy,networkx (default: "
                             "ortools everywhere, ortools-eur and highspy up to n=200000, "
                             "networkx up to n=10000)")
    parser.add_argument("--exact", choices=["auto", "yes", "no"], default="auto",
                        help="also run circulate with pricing (exact over all pairs); auto: n <= 20000")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds, for highspy")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--bin-dir", type=Path, default=ROOT / "target" / "release",
                        help="where circulate and peer-instance are (CI checks with debug builds)")
    args = parser.parse_args()

    sizes = [int(n) for n in args.n.split(",")]
    ks = [int(k) for k in args.k.split(",")]
    rows, checks, agree = [], [], True
    for n in sizes:
        for i, k in enumerate(ks):
            more_rows, more_checks, ok = run_size(args, n, k, i == 0)
            rows += more_rows
            checks += more_checks
            agree = agree and ok

    print()
    print(f"instance: uniform supply and demand points, k={args.k}, seed {args.seed}"
          f"{', recycler variant' if args.recycler else ''}; machine: {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| n | arcs | solver | status | wall s | solve s | floor s | wall / floor | peak MB | objective EUR | wall / OR-Tools wall |")
    print("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        reference = next((q for q in rows if q["n"] == r["n"] and q["k"] == r["k"]
                          and q["solver"] == "ortools"), None)
        ratio = f"{r['wall'] / reference['wall']:.3f}" if reference and reference["wall"] else ""
        objective = "n/a" if r["objective"] is None else f"{r['objective']:,.2f}"
        solve = "" if r["solve"] is None else f"{r['solve']:.2f}"
        arcs = "all pairs (priced)" if "exact" in r["solver"] else f"k={r['k']}"
        floor = r.get("floor")
        floor_cells = (f"{floor:.2f} | {r['wall'] / floor:.2f}" if floor else " | ")
        print(f"| {r['n']:,} | {arcs} | {r['solver']} | {r['status']} | {r['wall']:.2f} | {solve} | "
              f"{floor_cells} | {r['mem']:.0f} | {objective} | {ratio} |")
    print()
    print("floor: circulate's own timing, in the same run, of what no solve can skip: reading and "
          "checking the dataset, building the candidate arcs, writing the result files.")
    print()
    for line in checks:
        print(line)
    if not agree:
        raise SystemExit("objectives disagree")


if __name__ == "__main__":
    main()
