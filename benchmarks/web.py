"""Bounded loopback load on the dashboard's plan API: N concurrent clients for T seconds.

The server runs in a child process (uvicorn, one worker, as ``adbudget serve`` runs it) over a
small workspace; the clients are asyncio + httpx in this process. Reports p50/p90/p99 latency,
throughput and errors per endpoint. Target: p99 < 200 ms and zero errors.

    .venv/bin/python benchmarks/web.py                      # 50 clients, 20 s, GET /api/plan
    .venv/bin/python benchmarks/web.py --replan             # + POST /api/plan (re-plan)
    .venv/bin/python benchmarks/web.py --workspace DIR      # an existing workspace instead

``--replan`` on the built-in workspace uses a stand-in planner (scales the stored plan to the
budget, same contract) so it measures the web layer; on a fitted workspace it calls the real
``ws.plan`` and then measures the planner too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(workspace: str, port: int, stand_in: bool) -> None:
    """Child process: open the workspace and serve it on loopback."""
    import logging

    import uvicorn

    from adbudget.web import create_app
    from adbudget.workspace import Workspace

    logging.disable(logging.WARNING)
    cls = Workspace
    if stand_in:
        from tests.web.conftest import planning_class

        cls = planning_class()
    ws = cls.open(workspace)
    app = create_app(ws)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _build_workspace(folder: Path) -> Path:
    from tests.web.data import make_workspace

    root = folder / "ws"
    make_workspace(root).close()
    return root


async def _client(http, deadline: float, method: str, path: str, body_fn, out: list, errors: list
                  ) -> None:
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            if method == "GET":
                r = await http.get(path)
            else:
                r = await http.post(path, json=body_fn())
            ok = r.status_code == 200 and r.content[:1] == b"{"
        except Exception as exc:  # noqa: BLE001 - every failure counts as an error
            ok = False
            errors.append(type(exc).__name__)
        else:
            if not ok:
                errors.append(str(r.status_code))
        out.append(time.perf_counter() - t0)


async def _load(base: str, clients: int, seconds: float, method: str, path: str, body_fn
                ) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as http:
        r = await http.get(path) if method == "GET" else await http.post(path, json=body_fn())
        if r.status_code != 200:
            return {"endpoint": f"{method} {path}", "error": f"warm-up got {r.status_code}: "
                    f"{r.text[:200]}"}
        lat: list[float] = []
        errors: list[str] = []
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(*[_client(http, deadline, method, path, body_fn, lat, errors)
                               for _ in range(clients)])
        wall = time.perf_counter() - start
    lat.sort()

    def q(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

    return {"endpoint": f"{method} {path}", "clients": clients, "seconds": round(wall, 1),
            "requests": len(lat), "rps": round(len(lat) / wall, 1), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5], "p50_ms": round(q(0.50), 1),
            "p90_ms": round(q(0.90), 1), "p99_ms": round(q(0.99), 1),
            "max_ms": round(lat[-1] * 1000, 1), "mean_ms": round(statistics.fmean(lat) * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--replan", action="store_true", help="also load POST /api/plan")
    parser.add_argument("--get", action="append", default=None, metavar="PATH",
                        help="GET paths to load (default /api/plan; repeatable)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="adbudget-webbench-")
    stand_in = args.workspace is None
    workspace = args.workspace or _build_workspace(Path(tmp.name))
    port = _free_port()
    ctx = mp.get_context("spawn")
    server = ctx.Process(target=_serve, args=(str(workspace), port, stand_in), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or not server.is_alive():
                print("server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        results = [asyncio.run(_load(base, args.clients, args.seconds, "GET", path, lambda: None))
                   for path in (args.get or ["/api/plan"])]
        if args.replan:
            rng = random.Random(0)
            results.append(asyncio.run(_load(
                base, args.clients, args.seconds, "POST", "/api/plan",
                lambda: {"budget": round(rng.uniform(10_000, 30_000), 2), "period": "2025-03"})))
    finally:
        server.terminate()
        server.join(10)
        tmp.cleanup()
    meta = {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
            "workspace": "built-in small (stand-in planner)" if stand_in else str(workspace)}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
    else:
        print(f"cpus={meta['cpus']} load_avg_1m={meta['load_avg_1m']} workspace={meta['workspace']}")
        for r in results:
            if "error" in r:
                print(f"{r['endpoint']}: {r['error']}")
                continue
            print(f"{r['endpoint']}: {r['clients']} clients x {r['seconds']} s -> {r['requests']} "
                  f"requests ({r['rps']}/s), errors {r['errors']} {r['error_kinds'] or ''}; "
                  f"p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, p99 {r['p99_ms']} ms, "
                  f"max {r['max_ms']} ms")
    return 0 if all(r.get("errors", 1) == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
