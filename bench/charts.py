"""The charts of a run: latency and throughput against scale, and first-time queries side by side.

The second one is the README's: what a portal's users meet most (a new query text each request, so
no cache answers it), lodpub against the same engine behind a bare WSGI function and against Virtuoso.
"""

from __future__ import annotations

import math
from pathlib import Path

from .targets import PEERS_HTTP

FIRST_TIME = ("limit10 (distinct)", "lookup (distinct)")  # the workloads with a new text per request
SYSTEMS = ("lodpub", *PEERS_HTTP)


def _pyplot():
    """matplotlib's pyplot without a display, or None where it is not installed (no chart then)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def chart(run: dict, path: Path) -> bool:
    """Latency and throughput against scale; whether a chart was drawn (not for the remote stores alone)."""
    plt = _pyplot()
    if plt is None:
        return False
    scales = [s for s in run["scales"] if s["name"] != "heidelberg"] or run["scales"]
    xs = [max(s["triples"], 1) for s in scales]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for system in SYSTEMS:
        lat = [_http(s, "lookup", system, 1, "p50_ms") for s in scales]
        rps = [_http(s, "limit10", system, 16, "rps") for s in scales]
        if any(v > 0 for v in lat):  # nan (not measured) compares false
            left.plot(xs, lat, marker="o", label=f"{system} (HTTP, c=1)")
        if any(v > 0 for v in rps):
            right.plot(xs, rps, marker="o", label=f"{system} (c=16)")
    for system in ("pyoxigraph", "rdflib"):
        lat = [
            (s["inproc"].get(system, {}).get("lookup", {}).get("median") or math.nan) * 1000 for s in scales
        ]
        if any(v > 0 for v in lat):
            left.plot(xs, lat, marker="s", linestyle="--", label=f"{system} (in-process)")
    if not left.lines or not right.lines:  # a run of the remote stores alone: no chart to draw
        plt.close(fig)
        return False
    left.set(
        xscale="log",
        yscale="log",
        xlabel="triples",
        ylabel="median latency, ms",
        title="lookup of one resource",
    )
    right.set(xscale="log", xlabel="triples", ylabel="requests/s", title="SELECT … LIMIT 10, 16 connections")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def first_time_chart(run: dict, path: Path) -> bool:
    """Requests per second at 16 connections for each first-time workload and scale: lodpub, the bare
    WSGI function over the same store, Virtuoso. Whether a chart was drawn (a run needs lodpub and a
    peer on at least one such workload)."""
    plt = _pyplot()
    groups = [
        (f"{query.removesuffix(' (distinct)')}\n{scale['name']}", query, scale)
        for scale in run["scales"]
        for query in FIRST_TIME
        if _http(scale, query, "lodpub", 16, "rps") > 0
        and any(_http(scale, query, peer, 16, "rps") > 0 for peer in PEERS_HTTP)
    ]
    if plt is None or not groups:
        return False
    fig, axis = plt.subplots(figsize=(max(6.0, 1.1 * len(groups) + 2), 4.2))
    width = 0.8 / len(SYSTEMS)
    for i, system in enumerate(SYSTEMS):
        heights = [_http(scale, query, system, 16, "rps") for _label, query, scale in groups]
        offsets = [g + (i - (len(SYSTEMS) - 1) / 2) * width for g in range(len(groups))]
        axis.bar(offsets, [0 if math.isnan(h) else h for h in heights], width, label=system)
    axis.set_xticks(range(len(groups)), [label for label, _q, _s in groups], fontsize=8)
    axis.set(ylabel="requests/s, 16 connections", title="First-time queries (a new query text each request)")
    axis.grid(True, axis="y", alpha=0.3)
    axis.set_ylim(top=axis.get_ylim()[1] * 1.15)  # room for the legend above the bars
    axis.legend(fontsize=8, ncols=len(SYSTEMS), loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _http(scale: dict, query: str, system: str, c: int, key: str) -> float:
    figure = scale["http"].get(query, {}).get(system, {}).get(str(c))
    return figure[key] if figure else math.nan
