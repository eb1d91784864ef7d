"""circulate's gRPC API from Python: `Client(addr).optimize(folder_or_dataset)`,
`Client(addr).match_batch(offers, requests, materials)`, what-if sessions
(`Client(addr).open_session(...)`, then `session.revise(...)`) and long-running operations
(`client.submit_match_batch(...)` or `client.submit_batch(...)`, then `client.wait(name)`),
with results as pandas DataFrames (GeoDataFrames when geopandas is installed)."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

import grpc
import pandas as pd
from google.longrunning import operations_proto_pb2 as lro
from google.longrunning import operations_pb2_grpc as lro_grpc
from google.protobuf.json_format import MessageToDict, ParseDict

from ._dataset import fill, load_dataset
from ._gen.circulate.v1 import circulate_pb2 as pb
from ._gen.circulate.v1 import circulate_pb2_grpc as pb_grpc

__all__ = ["Client", "Plan", "Matching", "Session", "Revision", "load_dataset", "read_flows", "pb"]


def read_flows(path: Union[str, pathlib.Path]) -> Any:
    """`flows.parquet` (GeoParquet, written by `circulate solve --out` and `batch`) as a
    geopandas GeoDataFrame: the columns of flows.csv, typed and at full precision, and each
    flow's line (a point for a flow within one site) in WGS84 lon/lat. Needs the `geo`
    extra (geopandas, pyarrow)."""
    import geopandas

    return geopandas.read_parquet(path)


def _frame(messages: Iterable[Any]) -> pd.DataFrame:
    rows = [MessageToDict(m, preserving_proto_field_name=True,
                          always_print_fields_with_no_presence=True) for m in messages]
    return pd.DataFrame(rows)


@dataclass
class Plan:
    """An Optimize answer: status, objective, KPIs and the plan's tables."""

    status: str
    objective: Optional[float]
    baseline: float
    currency: str
    kpis: dict
    flows: pd.DataFrame
    imports: pd.DataFrame
    disposals: pd.DataFrame
    processes: pd.DataFrame
    targets: pd.DataFrame
    stats: dict
    response: Any = field(repr=False)

    def flows_geo(self):
        """The flows as a GeoDataFrame of LineStrings (EPSG:4326); needs geopandas."""
        import geopandas as gpd
        from shapely.geometry import LineString

        lines = [LineString([(r.from_lon, r.from_lat), (r.to_lon, r.to_lat)])
                 for r in self.flows.itertuples()]
        return gpd.GeoDataFrame(self.flows, geometry=lines, crs="EPSG:4326")


@dataclass
class Matching:
    """A MatchBatch answer."""

    status: str
    objective: Optional[float]
    summary: dict
    matches: pd.DataFrame
    unmatched_offers: pd.DataFrame
    unmatched_requests: pd.DataFrame
    response: Any = field(repr=False)


@dataclass
class Revision:
    """A what-if session's answer: the plan (a Plan for a region, a Matching for a batch) and
    what changed: `diff` holds the flows added, removed and resized, `objective_delta` and
    `start` (how the solve started: "opened", "kept", "extended", ...)."""

    plan: Union[Plan, Matching]
    diff: dict
    revision: int
    response: Any = field(repr=False)


Table = Union[pd.DataFrame, Iterable[dict]]


def _plan(r: Any) -> Plan:
    return Plan(
        status=pb.SolveStatus.Name(r.status),
        objective=r.objective if r.HasField("objective") else None,
        baseline=r.baseline,
        currency=r.currency,
        kpis=MessageToDict(r.kpis, preserving_proto_field_name=True,
                           always_print_fields_with_no_presence=True),
        flows=_frame(r.flows),
        imports=_frame(r.imports),
        disposals=_frame(r.disposals),
        processes=_frame(r.processes),
        targets=_frame(r.targets),
        stats=MessageToDict(r.stats, preserving_proto_field_name=True),
        response=r,
    )


def _matching(r: Any) -> Matching:
    summary = MessageToDict(r.summary, preserving_proto_field_name=True,
                            always_print_fields_with_no_presence=True)
    return Matching(
        status=pb.SolveStatus.Name(r.summary.status),
        objective=r.summary.objective if r.summary.HasField("objective") else None,
        summary=summary,
        matches=_frame(r.matches),
        unmatched_offers=_frame(r.unmatched_offers),
        unmatched_requests=_frame(r.unmatched_requests),
        response=r,
    )


def _revision(r: Any) -> Revision:
    plan = _plan(r.optimize) if r.WhichOneof("plan") == "optimize" else _matching(r.batch)
    diff = MessageToDict(r.diff, preserving_proto_field_name=True)
    return Revision(plan=plan, diff=diff, revision=r.revision, response=r)


class Session:
    """A what-if session on the server: `revise` applies changes and solves on from the
    kept basis; `close` frees it (also on leaving a `with` block)."""

    def __init__(self, client: "Client", opened: Any):
        self._client = client
        self.id = opened.session_id
        self.opened = _revision(opened)

    def revise(self, changes: Iterable[dict] = (), *, co2_price: Optional[float] = None,
               transport_cost_per_tkm: Optional[float] = None,
               time_limit_s: Optional[float] = None, request_id: str = "") -> Revision:
        """Applies `changes` (dicts in the proto's JSON form, e.g.
        `{"quantity": {"stream": {"kind": "STREAM_KIND_SUPPLY", "listing_id": "o1"},
        "quantity_t": 5}}`), after a new CO2 price or transport cost when given."""
        listed = []
        if co2_price is not None:
            listed.append({"co2_price": co2_price})
        if transport_cost_per_tkm is not None:
            listed.append({"transport_cost_per_tkm": transport_cost_per_tkm})
        listed.extend(changes)
        request = ParseDict({"session_id": self.id, "changes": listed,
                             "request_id": request_id}, pb.ReviseRequest())
        if time_limit_s is not None:
            request.time_limit_s = time_limit_s
        c = self._client
        return _revision(c._stub.Revise(request, timeout=c.timeout, metadata=c._metadata))

    def close(self) -> int:
        """Frees the session; returns how many revisions it took."""
        c = self._client
        r = c._stub.CloseSession(pb.CloseSessionRequest(session_id=self.id),
                                 timeout=c.timeout, metadata=c._metadata)
        return r.revisions

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _records(table: Table) -> list[dict]:
    if isinstance(table, pd.DataFrame):
        return table.to_dict("records")
    return list(table)


class Client:
    """A connection to `circulate serve`.

    `token` is sent as `authorization: Bearer <token>`; `root_certificates` (PEM bytes)
    turns on TLS; `timeout` is each call's deadline in seconds, which the server turns into
    its solver's time limit."""

    def __init__(self, addr: str = "127.0.0.1:50051", token: Optional[str] = None,
                 root_certificates: Optional[bytes] = None, timeout: float = 120.0):
        options = [("grpc.max_receive_message_length", 256 << 20),
                   ("grpc.max_send_message_length", 256 << 20)]
        if root_certificates is not None:
            creds = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.secure_channel(addr, creds, options=options)
        else:
            self._channel = grpc.insecure_channel(addr, options=options)
        self._stub = pb_grpc.CirculateStub(self._channel)
        self._operations = lro_grpc.OperationsStub(self._channel)
        self._metadata = [("authorization", f"Bearer {token}")] if token else []
        self.timeout = timeout

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def optimize(self, dataset: Union[str, pathlib.Path, Any], *, k: int = 0,
                 exact: bool = False, no_pricing: bool = False,
                 time_limit_s: Optional[float] = None, request_id: str = "") -> Plan:
        """Solves a dataset folder (or a circulate.v1.Dataset message). A `request_id` (a
        UUID, say) makes a retry safe: the server answers a repeat from its first solve."""
        if not isinstance(dataset, pb.Dataset):
            dataset = load_dataset(dataset)
        options = pb.SolveOptions(k=k, exact=exact, no_pricing=no_pricing)
        if time_limit_s is not None:
            options.time_limit_s = time_limit_s
        r = self._stub.Optimize(pb.OptimizeRequest(dataset=dataset, options=options,
                                                   request_id=request_id),
                                timeout=self.timeout, metadata=self._metadata)
        return _plan(r)

    def match_batch(self, offers: Table, requests: Table, materials: Table, *,
                    substitutions: Table = (), transport: Optional[dict] = None,
                    co2_price: Optional[float] = None, k: int = 0, exact: bool = False,
                    no_pricing: bool = False,
                    time_limit_s: Optional[float] = None, request_id: str = "") -> Matching:
        """Matches offers with requests (columns as the proto's Offer, Request, Material)."""
        request = self._match_request(offers, requests, materials, substitutions=substitutions,
                                      transport=transport, co2_price=co2_price, k=k,
                                      exact=exact, no_pricing=no_pricing,
                                      time_limit_s=time_limit_s, request_id=request_id)
        r = self._stub.MatchBatch(request, timeout=self.timeout, metadata=self._metadata)
        return _matching(r)

    def submit_match_batch(self, offers: Table, requests: Table, materials: Table,
                           **options: Any) -> str:
        """`match_batch` as a long-running operation: returns its name at once; `wait(name)`
        gives the Matching, `progress(name)` how far it has come."""
        request = self._match_request(offers, requests, materials, **options)
        op = self._stub.SubmitMatchBatch(request, timeout=self.timeout, metadata=self._metadata)
        return op.name

    def submit_batch(self, datasets: Iterable[Union[str, pathlib.Path, Any]], *,
                     co2_prices: Iterable[float] = (),
                     transport_costs_per_tkm: Iterable[float] = (),
                     request_id: str = "") -> str:
        """Solves dataset folders (or circulate.v1.Dataset messages) one after another as a
        long-running operation, or one dataset under every combination of the sweep's
        values; returns the operation's name. `wait(name)` gives a list of (name, Plan)."""
        request = pb.BatchRequest(
            datasets=[d if isinstance(d, pb.Dataset) else load_dataset(d) for d in datasets],
            sweep=pb.Sweep(co2_prices=list(co2_prices),
                           transport_costs_per_tkm=list(transport_costs_per_tkm)),
            request_id=request_id)
        op = self._stub.SubmitBatch(request, timeout=self.timeout, metadata=self._metadata)
        return op.name

    def progress(self, name: str) -> dict:
        """An operation's progress (OperationProgress as a dict) and whether it is done."""
        op = self._operations.GetOperation(lro.GetOperationRequest(name=name),
                                           timeout=self.timeout, metadata=self._metadata)
        meta = pb.OperationProgress()
        op.metadata.Unpack(meta)
        out = MessageToDict(meta, preserving_proto_field_name=True)
        out["done"] = op.done
        return out

    def wait(self, name: str, timeout: Optional[float] = None) -> Any:
        """Waits for operation `name` and returns its answer: a Matching for a match batch,
        a list of (name, Plan) for a batch. A failed or cancelled operation raises
        RuntimeError with its status; TimeoutError when `timeout` seconds pass first."""
        import time
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 30.0 if deadline is None else max(0.0, min(30.0, deadline - time.monotonic()))
            request = lro.WaitOperationRequest(name=name)
            request.timeout.FromNanoseconds(int(left * 1e9))
            op = self._operations.WaitOperation(request, timeout=left + 10,
                                                metadata=self._metadata)
            if op.done:
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"{name} is not done after {timeout} s")
        if op.HasField("error"):
            raise RuntimeError(f"{name} ended with code {op.error.code}: {op.error.message}")
        if op.response.Is(pb.MatchBatchResponse.DESCRIPTOR):
            r = pb.MatchBatchResponse()
            op.response.Unpack(r)
            return _matching(r)
        r = pb.BatchResponse()
        op.response.Unpack(r)
        return [(b.name, _plan(b.result)) for b in r.results]

    def cancel(self, name: str) -> None:
        """Asks operation `name` to stop; it then ends CANCELLED."""
        self._operations.CancelOperation(lro.CancelOperationRequest(name=name),
                                         timeout=self.timeout, metadata=self._metadata)

    def _match_request(self, offers: Table, requests: Table, materials: Table, *,
                       substitutions: Table = (), transport: Optional[dict] = None,
                       co2_price: Optional[float] = None, k: int = 0, exact: bool = False,
                       no_pricing: bool = False, time_limit_s: Optional[float] = None,
                       request_id: str = "") -> Any:
        request = pb.MatchBatchRequest(
            offers=[fill(pb.Offer(), r) for r in _records(offers)],
            requests=[fill(pb.Request(), r) for r in _records(requests)],
            materials=[fill(pb.Material(), r) for r in _records(materials)],
            options=pb.MatchOptions(k=k, exact=exact, no_pricing=no_pricing),
            request_id=request_id,
        )
        for r in _records(substitutions):
            s = request.substitutions.add(to=r["to"], ratio=float(r["ratio"]))
            setattr(s, "from", r["from"])
        if transport:
            fill(request.transport, transport)
        if co2_price is not None:
            request.co2_price = co2_price
        if time_limit_s is not None:
            request.options.time_limit_s = time_limit_s
        return request

    def open_session(self, dataset: Union[str, pathlib.Path, Any] = None, *,
                     batch: Any = None) -> Session:
        """Opens a what-if session on a dataset folder (or a circulate.v1.Dataset message),
        or on `batch`, a circulate.v1.MatchBatchRequest."""
        if batch is not None:
            request = pb.OpenSessionRequest(batch=batch)
        else:
            if not isinstance(dataset, pb.Dataset):
                dataset = load_dataset(dataset)
            request = pb.OpenSessionRequest(optimize=pb.OptimizeRequest(dataset=dataset))
        opened = self._stub.OpenSession(request, timeout=self.timeout, metadata=self._metadata)
        return Session(self, opened)
