"""Reads a dataset folder (the CSV format of circulate's README) into a circulate.v1.Dataset.

Columns are matched to message fields by name and converted by the field's type, so every
column the proto carries is sent, and a new one needs no change here."""

from __future__ import annotations

import csv
import pathlib
import tomllib
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from ._gen.circulate.v1 import circulate_pb2 as pb

_TRUE = {"true", "yes", "1", "y"}


def _rows(folder: pathlib.Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if any((v or "").strip() for v in r.values())]


def fill(message: Any, row: dict[str, Any], skip: tuple[str, ...] = ()) -> Any:
    """Sets each field of `message` named by a non-empty cell of `row`."""
    for field in message.DESCRIPTOR.fields:
        if field.name in skip:
            continue
        value = row.get(field.name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue
        if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            value = float(value)
        elif field.type == FieldDescriptor.TYPE_BOOL:
            value = value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
        elif field.type in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64,
                            FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64):
            value = int(value)
        elif field.type == FieldDescriptor.TYPE_STRING:
            value = str(value)
        else:
            continue
        setattr(message, field.name, value)
    return message


def load_dataset(folder: str | pathlib.Path) -> pb.Dataset:
    """The dataset folder as a message; raises FileNotFoundError when it is no folder."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a dataset folder")
    config: dict[str, Any] = {}
    if (folder / "dataset.toml").exists():
        config = tomllib.loads((folder / "dataset.toml").read_text(encoding="utf-8"))
    tables = ("transport", "investment")
    ds = fill(pb.Dataset(), {k: v for k, v in config.items() if k not in tables})
    if not ds.name:
        ds.name = folder.name
    fill(ds.transport, config.get("transport", {}))
    if "investment" in config:
        fill(ds.investment, config["investment"])
    ds.materials.extend(fill(pb.Material(), r) for r in _rows(folder, "materials.csv"))
    ds.sites.extend(fill(pb.Site(), r) for r in _rows(folder, "sites.csv"))
    ds.supplies.extend(fill(pb.Stream(), r) for r in _rows(folder, "supplies.csv"))
    ds.demands.extend(fill(pb.Stream(), r) for r in _rows(folder, "demands.csv"))
    for r in _rows(folder, "substitutions.csv"):
        s = pb.Substitution(to=r["to"], ratio=float(r["ratio"]))
        setattr(s, "from", r["from"])  # `from` is a Python keyword
        ds.substitutions.append(s)
    processes = {r["id"]: fill(pb.Process(), r) for r in _rows(folder, "processes.csv")}
    for r in _rows(folder, "process_flows.csv"):
        process = processes.get(r["process"])
        if process is None:
            raise ValueError(f"process_flows.csv: unknown process {r['process']!r}")
        side = process.inputs if r["direction"].strip().lower() == "in" else process.outputs
        side.append(fill(pb.ProcessFlow(), r))
    ds.processes.extend(processes.values())
    return ds
