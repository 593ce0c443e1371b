"""The results of one run as Markdown (a table per scale, ratios to each peer, the targets) and a chart."""

from __future__ import annotations

import math

from .gaps import GAP_NOTES

PEERS_HTTP = ("bare WSGI", "Virtuoso")
MB = 1024 * 1024
BULK_LOAD_SCALE = 1_000_000


# --- Markdown -----------------------------------------------------------------------------------


def markdown(run: dict, chart_name: str, first_time_chart: str | None = None) -> str:
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
        f"![latency and throughput against scale]({chart_name})",
        "",
    ]
    if first_time_chart:
        out += [f"![first-time queries: lodpub, the bare WSGI function and Virtuoso]({first_time_chart})", ""]
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


def targets(run: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, scale, met) for each target the run measured."""
    rows: list[tuple[str, str, str, bool | None]] = []
    by_name = {s["name"]: s for s in run["scales"]}
    hd = by_name.get("heidelberg")
    if hd:
        rows += _throughput_targets(hd)
    large = by_name.get("1m") or next((s for s in reversed(run["scales"]) if s["name"] != "heidelberg"), None)
    if large:
        rows += _scale_targets(large)
    return rows


def _rps(scale: dict, query: str, system: str, c: int = 16) -> float | None:
    figure = scale["http"].get(query, {}).get(system, {}).get(str(c))
    return figure["rps"] if figure and not figure["errors"] else None


def _geomean(values: list[float]) -> float | None:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _throughput_targets(hd: dict) -> list:
    rows = []
    for peer, goal in (("Virtuoso", 1.5), ("bare WSGI", 0.6)):
        ratios = [
            mine / theirs
            for query in hd["http"]
            if (mine := _rps(hd, query, "lodpub")) and (theirs := _rps(hd, query, peer))
        ]
        limit = (_rps(hd, "limit10", "lodpub") or 0) / (_rps(hd, "limit10", peer) or math.inf)
        mean = _geomean(ratios)
        if mean is None:
            rows.append((f"/sparql req/s >= {goal}x {peer} (c=16)", "peer not measured", "heidelberg", None))
            continue
        rows.append(
            (
                f"/sparql req/s >= {goal}x {peer} (c=16)",
                f"{limit:.2f}x on LIMIT 10; {mean:.2f}x geometric mean over {len(ratios)} queries",
                "heidelberg",
                mean >= goal and limit >= goal,
            )
        )
    ceiling = _rps(hd, "limit10", "bare WSGI")
    for page in ("html", "jsonld"):
        figure = hd.get("pages", {}).get(page, {}).get("16")
        if not figure:
            continue
        if ceiling:
            ratio = figure["rps"] / ceiling
            rows.append((f"page {page} req/s >= 0.5x bare WSGI", f"{ratio:.2f}x", "heidelberg", ratio >= 0.5))
        rows.append(
            (
                f"page {page} p99 < 20 ms (c=16)",
                f"{figure['p99_ms']:.1f} ms",
                "heidelberg",
                figure["p99_ms"] < 20,
            )
        )
    p99s = [(q, s["lodpub"]["16"]["p99_ms"]) for q, s in hd["http"].items() if "16" in s.get("lodpub", {})]
    if p99s:
        worst = max(p99s, key=lambda x: x[1])
        rows.append(
            (
                "/sparql p99 < 20 ms (c=16), worst query",
                f"{worst[1]:.1f} ms ({worst[0]})",
                "heidelberg",
                worst[1] < 20,
            )
        )
    return rows


def _scale_targets(scale: dict) -> list:
    name, rows = scale["name"], []
    ours, floor = scale["load"].get("lodpub", {}), scale["load"].get("pyoxigraph", {})
    if ours.get("seconds") and floor.get("seconds"):
        ratio = ours["seconds"] / floor["seconds"]
        measured = (
            f"{ratio:.2f}x ({ours['seconds']:.1f} s vs {floor['seconds']:.1f} s; "
            "lodpub's figure includes starting the server)"
        )
        at_scale = scale.get("triples", 0) >= BULK_LOAD_SCALE  # below, starting the server dominates
        if not at_scale:
            measured += f"; the target is for {BULK_LOAD_SCALE:,} triples"
        met = ratio <= 1.5 if at_scale else None
        rows.append(("bulk load <= 1.5x pyoxigraph bulk_load", measured, name, met))
    oxi, rdf = scale["inproc"].get("pyoxigraph", {}), scale["inproc"].get("rdflib", {})
    for query, flags in scale.get("queries", {}).items():
        lodpub = scale["http"].get(query, {}).get("lodpub", {})
        distinct = scale["http"].get(query + " (distinct)", {}).get("lodpub", {}).get("1")
        if flags["selective"] and "median" in oxi.get(query, {}):
            bound = oxi[query]["median"] * 1000 * 1.2 + 1
            mine, how = (
                (distinct, "new query text each time") if distinct else (lodpub.get("1"), "answer cache hit")
            )
            if mine:
                measured = f"{mine['p50_ms']:.2f} ms ({how}) vs bound {bound:.2f} ms"
                rows.append(
                    (f"{query}: p50 <= 1.2x pyoxigraph + 1 ms", measured, name, mine["p50_ms"] <= bound)
                )
        if flags["joins"] and query in rdf and "median" in oxi.get(query, {}):
            figure, floor_ms = rdf[query], oxi[query]["median"] * 1000
            slow = figure["median"] * 1000 if "median" in figure else figure.get("timeout", 0) * 1000
            if not slow:
                continue
            engine = slow / floor_ms
            cached = lodpub.get("1")
            extra = (
                f"; repeated through lodpub (answer cache): {slow / cached['p50_ms']:.0f}x"
                if cached and cached["p50_ms"]
                else ""
            )
            more = ">" if "timeout" in figure else ""
            measured = (
                f"{more}{engine:.1f}x uncached (rdflib {slow:.0f} ms, pyoxigraph {floor_ms:.1f} ms){extra}"
            )
            rows.append((f"{query}: >= 20x faster than rdflib", measured, name, engine >= 20))
    if ours.get("peak_rss"):
        rss = ours["peak_rss"] / MB
        rows.append(("server RSS < 1.5 GB (all processes)", f"{rss:.0f} MB", name, rss < 1536))
    if "restart_s" in scale:
        rows.append(
            (
                "restart on the on-disk store < 2 s",
                f"{scale['restart_s']:.2f} s",
                name,
                scale["restart_s"] < 2,
            )
        )
    writer = scale.get("dumps", {}).get("writer", {})
    if "seconds" in writer:
        speed = writer["triples"] / writer["seconds"]
        growth = writer["rss_growth"] / MB
        rows.append(("N-Triples dump >= 300k triples/s", f"{speed:,.0f} triples/s", name, speed >= 300_000))
        rows.append(("dump memory growth < 100 MB", f"{growth:.1f} MB", name, growth < 100))
    return rows


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
