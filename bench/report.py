"""The results of one run as Markdown: a table per scale, ratios to each peer, the targets (`targets`)."""

from __future__ import annotations

from .gaps import GAP_NOTES
from .targets import MB, PEERS_HTTP, targets

# --- Markdown -----------------------------------------------------------------------------------


def markdown(run: dict, chart_name: str | None, first_time_chart: str | None = None) -> str:
    m = run["machine"]
    out = [
        f"# lodpub benchmark, {run['started']}{' (quick)' if run['quick'] else ''}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}; Python {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}, gunicorn {m['gunicorn']}; "
        f"Virtuoso: {m['virtuoso']}; load generator: {m['wrk']}.",
        "",
        "Servers: lodpub (`lodpub serve`, 2 gthread workers x 4 threads, on-disk store, 2 query executors "
        "per "
        "worker), the same store behind a bare WSGI function under the same gunicorn settings (the ceiling), "
        "Virtuoso on loopback. In-process: pyoxigraph (on-disk store, bulk loader; results serialized as "
        "SPARQL JSON) and rdflib (in-memory Graph). Ratios are lodpub's figure over the peer's for "
        "throughput (higher is better for lodpub) and the peer's over lodpub's for latency. Latency is "
        "wrk's per-request latency at the given number of connections; in-process figures are per query, "
        "one at a time. Each HTTP run repeats one query, so lodpub answers it from its caches (whole "
        "responses and answers up to 1 MB, per worker); the `(distinct)` rows send a new query text each "
        "time, so nothing is cached.",
        "",
    ]
    if chart_name:
        out += [f"![latency and throughput against scale]({chart_name})", ""]
    if first_time_chart:
        out += [f"![first-time queries: lodpub, the bare WSGI function and Virtuoso]({first_time_chart})", ""]
    if run.get("notes"):  # added by hand after the run: what was measured or changed since
        out += ["## Since this run", "", *(f"- {note}" for note in run["notes"]), ""]
    for scale in run["scales"]:
        out += _scale(scale)
    out += _targets(run)
    if run.get("soak"):
        from .soak import markdown as soak_markdown

        out += soak_markdown(run["soak"])
    if run.get("startup"):
        out += ["## Startup (`bench/startup.py`)", "", run["startup"].strip(), ""]
    return "\n".join(out) + "\n"


def _scale(scale: dict) -> list[str]:
    out = [f"## {scale['name']}: {scale['triples']:,} triples", ""]
    for peer, why in scale["skipped"].items():
        out.append(f"- {peer} skipped: {why}")
    out += ["", "| system | load s | peak RSS MB |", "|---|---|---|"]
    for system, figures in scale["load"].items():
        seconds = figures.get("seconds")
        rss = figures.get("peak_rss")
        out.append(f"| {system} | {_num(seconds, 2)} | {_num(rss / MB if rss else None, 0)} |")
    if "restart_s" in scale:
        out.append(f"| lodpub restart (filled store) | {scale['restart_s']:.2f} | |")
    out += [
        "",
        "| query | c | lodpub p50 ms | p99 ms | req/s | bare WSGI req/s | p99 ms | lodpub/bare "
        "| Virtuoso req/s | p99 ms | lodpub/Virtuoso | pyoxigraph p50 ms | pyox/lodpub | rdflib p50 ms "
        "| rdflib/lodpub |",
        "|---" * 15 + "|",
    ]
    for query, systems in scale["http"].items():
        ours = systems.get("lodpub", {})
        levels = sorted({int(c) for s in systems.values() for c in s if c != "error"})
        for c in levels:
            mine = ours.get(str(c))
            row = [query, str(c)]
            if mine:
                row += [f"{mine['p50_ms']:.2f}", f"{mine['p99_ms']:.2f}", f"{mine['rps']:.0f}"]
            else:
                row += [ours.get("error", "–")[:40], "", ""]
            for peer in PEERS_HTTP:
                theirs = systems.get(peer, {})
                figure = theirs.get(str(c))
                if figure:
                    ratio = mine["rps"] / figure["rps"] if mine and figure["rps"] else None
                    row += [f"{figure['rps']:.0f}", f"{figure['p99_ms']:.2f}", _ratio(ratio)]
                else:
                    row += [theirs.get("error", "–")[:40].replace("|", "/"), "", ""]
            for peer in ("pyoxigraph", "rdflib"):
                figure = scale["inproc"].get(peer, {}).get(query)
                if c != 1 or not figure:
                    row += ["", ""]
                elif "median" in figure:
                    ms = figure["median"] * 1000
                    ratio = (
                        (ms / mine["p50_ms"]) if mine and mine["p50_ms"] else None
                    )  # 0: no request finished
                    row += [f"{ms:.2f}", _ratio(ratio)]
                else:
                    row += [f"timeout >{figure['timeout']:.0f} s" if "timeout" in figure else "error", ""]
            out.append("| " + " | ".join(row) + " |")
    for name, levels in scale.get("pages", {}).items():
        for c, figure in levels.items():
            if c == "error":
                continue
            out.append(
                f"| page {name} | {c} | {figure['p50_ms']:.2f} | {figure['p99_ms']:.2f} "
                f"| {figure['rps']:.0f} " + "| " * 10 + "|"
            )
    out += _balance(scale)
    dumps = scale.get("dumps")
    if dumps:
        out += ["", _dump_line(dumps, scale["triples"])]
    from .remote import markdown as remote_markdown

    return [*out, "", *remote_markdown(scale)]


def _balance(scale: dict) -> list[str]:
    """How evenly each server's workers shared the CPU (16 connections, a new query text each time)."""
    lines = []
    for query, systems in scale["http"].items():
        for system, levels in systems.items():
            used = levels.get("16", {}).get("worker_cpu_s") if isinstance(levels, dict) else None
            if used and len(used) > 1 and min(used) > 0:
                each = " / ".join(f"{u:.1f}" for u in used)
                spread = max(used) / min(used)
                lines.append(f"- {query}, {system}: {each} s (busiest / least busy: {spread:.1f})")
    return ["", "CPU per worker (16 connections, a new query text each time):", "", *lines] if lines else []


def _dump_line(dumps: dict, triples: int) -> str:
    writer = dumps.get("writer", {})
    parts = []
    if "seconds" in writer:
        parts.append(
            f"N-Triples dump writer (plain + gzip): {writer['triples']:,} triples "
            f"in {writer['seconds']:.2f} s "
            f"= {writer['triples'] / writer['seconds']:,.0f} triples/s, memory growth "
            f"{writer['rss_growth'] / MB:.1f} MB"
        )
    else:
        parts.append(f"dump writer: {writer.get('error', 'not run')}")
    download = dumps.get("download", {})
    if "seconds" in download:
        parts.append(
            f"all dumps generated on first request in {dumps['generate_all_s']:.2f} s; N-Triples download "
            f"{download['bytes'] / MB:.1f} MB in {download['seconds']:.2f} s "
            f"= {download['triples'] / download['seconds']:,.0f} triples/s; server RSS growth "
            f"{dumps['server_rss_growth'] / MB:.1f} MB"
        )
    else:
        parts.append(f"download: {download.get('error', 'not run')}")
    return "Dumps: " + "; ".join(parts) + "."


def _num(value, digits: int) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(value) -> str:
    return "–" if value is None else f"{value:.2f}x"


# --- targets ------------------------------------------------------------------------------------


def _targets(run: dict) -> list[str]:
    out = ["## Targets", "", "| target | measured | scale | met |", "|---|---|---|---|"]
    missed = []
    for target, measured, scale, met in targets(run):
        mark = "–" if met is None else ("met" if met else "**missed**")
        out.append(f"| {target} | {measured} | {scale} | {mark} |")
        if met is False:
            missed.append(target)
    notes = [text for prefix, text in GAP_NOTES.items() if any(prefix in t for t in missed)]
    if notes:
        out += ["", "### Why the missed targets are missed, and what would close them", ""]
        out += [f"- {text}" for text in notes]
    loads = [f"{s['name']} {s['loadavg']:.1f}" for s in run["scales"] if "loadavg" in s]
    if loads:
        out += [
            "",
            f"Load average of the machine when each scale started: {', '.join(loads)} (2 cores). Above ~1, "
            "other work shared the CPU with the run and every figure is noisy: compare ratios, rerun on an "
            "idle machine.",
        ]
    return [*out, ""]
