"""A synthetic cross-border seller with known ground truth (see docs/simulate.md).

``World.build(seed, size)`` draws the world; its methods give the data as DataFrames
(``ad_daily``, ``orders``, ``touchpoints``, ``funnel_daily``, ``fx_rates``, ``margins``,
``lift_tests``), the truth (``daily_lines``, ``true_response``, ``true_channel_credit``,
``oracle_allocation``) and ``write(out)`` for the platform-native files.
"""

from adbudget.simulate.forms import ADSTOCKS, SATURATIONS
from adbudget.simulate.oracle import OracleAllocation, optimize
from adbudget.simulate.spec import SIZES, LineSpec, MarketSpec, SizeSpec, WorldSpec, build_spec
from adbudget.simulate.world import TrueCurves, World, period_dates
from adbudget.simulate.writer import Manifest, ManifestEntry, read_manifest, write_world

__all__ = [
    "ADSTOCKS", "SATURATIONS", "SIZES",
    "LineSpec", "Manifest", "ManifestEntry", "MarketSpec", "OracleAllocation", "SizeSpec",
    "TrueCurves", "World", "WorldSpec",
    "build_spec", "optimize", "period_dates", "read_manifest", "write_world",
]
