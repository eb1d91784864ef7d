"""Solves the peer-comparison instance with one peer solver and prints a JSON line.

    python peer.py ortools|ortools-eur|highspy|networkx DIR [--time-limit S]
    python peer.py highspy-lp DIR/model.lp [--time-limit S]

DIR holds nodes.csv and arcs.csv written by `peer-instance` (see benches/src/peer_instance.rs).
The model is circulate's: supplies either ship along an arc or are disposed of, demands are
served by arcs or imported, both slacks unlimited. As a min-cost flow (OR-Tools, networkx) the
slacks become arcs to and from one world node; as an LP (highspy) they are columns.
Costs are integers in millionths of EUR per tonne; the objective is printed in EUR.
`ortools-eur` rounds every cost to whole EUR per tonne first (the setup of issue 5's
reference timings): OR-Tools' cost scaling needs fewer phases on smaller integers, so this
row shows its best case, on a slightly different problem (its objective differs).
"""

import argparse
import json
import sys
import time

import numpy as np


def load(directory):
    nodes = np.loadtxt(f"{directory}/nodes.csv", delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    arcs = np.loadtxt(f"{directory}/arcs.csv", delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    quantity, slack_cost = nodes[:, 0], nodes[:, 1]
    # Supplies come first (positive tonnes), then demands (negative tonnes).
    n_supply = int(np.argmax(quantity < 0)) if (quantity < 0).any() else len(quantity)
    return quantity, slack_cost, n_supply, arcs[:, 0], arcs[:, 1], arcs[:, 2]


def flow_network(quantity, slack_cost, n_supply, tail, head, cost):
    """Arrays of the min-cost flow with a world node absorbing disposal and giving imports."""
    n = len(quantity)
    world = n
    supplies = np.arange(n_supply)
    demands = np.arange(n_supply, n)
    q = np.abs(quantity)
    tails = np.concatenate([tail, supplies, np.full(len(demands), world)])
    heads = np.concatenate([head + n_supply, np.full(n_supply, world), demands])
    caps = np.concatenate([np.minimum(q[tail], q[head + n_supply]), q[supplies], q[demands]])
    costs = np.concatenate([cost, slack_cost[supplies], slack_cost[demands]])
    node_supply = np.concatenate([quantity, [-quantity.sum()]])
    return tails, heads, caps, costs, node_supply


def solve_ortools(directory, _limit, unit=1):
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    tails, heads, caps, costs, node_supply = flow_network(*load(directory))
    if unit != 1:
        costs = np.rint(costs / unit).astype(np.int64)
    loaded = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.arange(len(node_supply)), node_supply)
    status = smcf.solve()
    solved = time.perf_counter()
    ok = status == smcf.OPTIMAL
    return {
        "status": "optimal" if ok else str(status),
        "objective": smcf.optimal_cost() * unit / 1e6 if ok else None,
        "load_s": loaded - started,
        "solve_s": solved - loaded,
    }


def solve_networkx(directory, _limit):
    import networkx as nx

    started = time.perf_counter()
    tails, heads, caps, costs, node_supply = flow_network(*load(directory))
    loaded = time.perf_counter()
    g = nx.DiGraph()
    for v, b in enumerate(node_supply.tolist()):
        g.add_node(v, demand=-b)
    for t, h, c, w in zip(tails.tolist(), heads.tolist(), caps.tolist(), costs.tolist()):
        if g.has_edge(t, h):  # parallel arcs: keep the cheaper (both uncapacitated in effect)
            if g[t][h]["weight"] <= w:
                continue
        g.add_edge(t, h, capacity=c, weight=w)
    cost, _ = nx.network_simplex(g)
    solved = time.perf_counter()
    return {"status": "optimal", "objective": cost / 1e6, "load_s": loaded - started,
            "solve_s": solved - loaded}


def highs_run(h, limit):
    if limit:
        h.setOptionValue("time_limit", float(limit))
    h.setOptionValue("output_flag", False)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    optimal = h.getModelStatus() == type(h.getModelStatus()).kOptimal
    return ("optimal" if optimal else status), (h.getInfo().objective_function_value if optimal else None)


def solve_highspy(directory, limit):
    import highspy

    started = time.perf_counter()
    quantity, slack_cost, n_supply, tail, head, cost = load(directory)
    loaded = time.perf_counter()
    n, m = len(quantity), len(tail)
    lp = highspy.HighsLp()
    lp.num_row_ = n
    lp.num_col_ = n + m
    lp.row_lower_ = np.abs(quantity).astype(np.float64)
    lp.row_upper_ = lp.row_lower_
    lp.col_cost_ = np.concatenate([slack_cost, cost]).astype(np.float64) / 1e6
    lp.col_lower_ = np.zeros(n + m)
    lp.col_upper_ = np.full(n + m, highspy.kHighsInf)
    # Columns: one slack per node (its own row), then each arc (its supply and demand rows).
    start = np.concatenate([np.arange(n), n + 2 * np.arange(m + 1)])
    index = np.concatenate([np.arange(n), np.stack([tail, head + n_supply], axis=1).ravel()])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    h = highspy.Highs()
    h.passModel(lp)
    status, objective = highs_run(h, limit)
    solved = time.perf_counter()
    return {"status": status, "objective": objective, "load_s": loaded - started,
            "solve_s": solved - loaded}


def solve_highspy_lp(path, limit):
    import highspy

    started = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    loaded = time.perf_counter()
    status, objective = highs_run(h, limit)
    solved = time.perf_counter()
    return {"status": status, "objective": objective, "load_s": loaded - started,
            "solve_s": solved - loaded}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("solver", choices=["ortools", "ortools-eur", "highspy", "networkx", "highspy-lp"])
    parser.add_argument("path")
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    solve = {"ortools": solve_ortools, "highspy": solve_highspy, "networkx": solve_networkx,
             "highspy-lp": solve_highspy_lp,
             "ortools-eur": lambda d, limit: solve_ortools(d, limit, unit=1_000_000)}[args.solver]
    print(json.dumps(solve(args.path, args.time_limit)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
