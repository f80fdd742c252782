"""Benchmark: does the pre-fit check tell informative platform claims from claims that say nothing?

    nice .venv/bin/python benchmarks/claims_check.py [--size small] [--seeds 0,1,7] \\
        [--modes informative,noise,organic]

Per simulated world and claims mode (``WorldSpec.claims``): each platform's pooled
elasticity of its claims to its own spend, peers and weekday held fixed
(``response.claims.claims_response``), and which platforms the check leaves out of the
fit (``uninformative_channels``). Informative claims should all stay in; noise should all
go; claims that follow demand only are the hard case (docs/response.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile


def check(seed: int, size: str, mode: str) -> tuple[dict[str, tuple[float, float]], list[str]]:
    from adbudget.response import claims as cm
    from adbudget.response.data import prepare_data
    from adbudget.simulate import World
    from adbudget.workspace import Workspace
    from adbudget.workspace.simulate import world_settings

    world = World.build(seed, size)
    if mode != "informative":
        world = World(dataclasses.replace(world.spec, claims=mode))
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.init(folder, world_settings(world))
        ws.load_world(world)
        settings = ws.settings.response.model_copy(update={"claims_check": False})
        data = prepare_data(settings=settings, **ws._response_inputs(None))
        ws.store.close()
    peers = cm.peer_claims(data.claims, data.claims_mask, data.line_market)
    response = cm.claims_response(data.claims, data.spend, data.claims_mask, peers,
                                  data.claims_unit, data.dates.day_of_week.to_numpy())
    pooled = cm.pooled_by_channel(response, data.line_channel, data.channels)
    dropped = sorted(cm.uninformative_channels(response, data.line_channel, data.channels))
    return pooled, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--seeds", default="0,1,7")
    parser.add_argument("--modes", default="informative,noise,organic")
    args = parser.parse_args()
    for seed in (int(s) for s in args.seeds.split(",")):
        for mode in args.modes.split(","):
            pooled, dropped = check(seed, args.size, mode)
            cells = " ".join(f"{k} {b:+.2f}±{se:.2f}" for k, (b, se) in pooled.items())
            print(f"{args.size} {seed} {mode:<11} {cells}")
            print(f"{'':>8} {'left out:':<11} {', '.join(dropped) or '-'} "
                  f"({len(dropped)} of {len(pooled)})", flush=True)


if __name__ == "__main__":
    main()
