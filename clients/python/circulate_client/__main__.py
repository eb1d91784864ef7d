"""`python -m circulate_client`: the API from a shell, for machines without grpcurl.

    python -m circulate_client optimize datasets/example [--addr HOST:PORT] [--out DIR]
    python -m circulate_client match OFFERS.csv REQUESTS.csv MATERIALS.csv [--out DIR]

`--token` (or CIRCULATE_TOKEN) sends a bearer token; `--ca FILE` turns on TLS."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

import grpc
import pandas as pd

from . import Client


def _client(args: argparse.Namespace) -> Client:
    ca = pathlib.Path(args.ca).read_bytes() if args.ca else None
    return Client(args.addr, token=args.token, root_certificates=ca, timeout=args.timeout)


def _write(out: str | None, tables: dict[str, pd.DataFrame]) -> None:
    if not out:
        return
    folder = pathlib.Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    print(f"wrote {', '.join(f'{n}.csv' for n in tables)} to {folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m circulate_client", description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:50051")
    parser.add_argument("--token", default=os.environ.get("CIRCULATE_TOKEN"))
    parser.add_argument("--ca", help="CA certificate (PEM) for TLS")
    parser.add_argument("--timeout", type=float, default=120.0, help="deadline per call, s")
    sub = parser.add_subparsers(dest="command", required=True)
    opt = sub.add_parser("optimize", help="solve a dataset folder")
    opt.add_argument("dataset")
    opt.add_argument("--out")
    match = sub.add_parser("match", help="match offers with requests (CSV files)")
    match.add_argument("offers")
    match.add_argument("requests")
    match.add_argument("materials")
    match.add_argument("--out")
    args = parser.parse_args(argv)
    try:
        with _client(args) as client:
            if args.command == "optimize":
                plan = client.optimize(args.dataset)
                print(f"status {plan.status}")
                if plan.objective is not None:
                    print(f"objective {plan.objective:,.0f} {plan.currency}/yr, baseline "
                          f"{plan.baseline:,.0f}, saved {plan.kpis['cost_saved']:,.0f}")
                print(f"secondary input rate {plan.kpis['secondary_input_rate']:.1%}, "
                      f"{len(plan.flows)} flows, {len(plan.targets)} targets")
                for f in plan.flows.head(5).itertuples():
                    print(f"  flow {f.from_name} -> {f.to_name}: {f.tonnes_sent:,.1f} t "
                          f"{f.material_sent}, {f.km:.1f} km")
                _write(args.out, {"flows": plan.flows, "imports": plan.imports,
                                  "targets": plan.targets})
            else:
                read = lambda p: pd.read_csv(p, dtype={"id": str})  # noqa: E731
                m = client.match_batch(read(args.offers), read(args.requests), read(args.materials))
                print(f"status {m.status}, {m.summary['matches']} matches, "
                      f"{m.summary['matched_t']:,.1f} t matched")
                _write(args.out, {"matches": m.matches, "unmatched_offers": m.unmatched_offers,
                                  "unmatched_requests": m.unmatched_requests})
    except grpc.RpcError as e:
        print(f"error: {e.code().name}: {e.details()}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
