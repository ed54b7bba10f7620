"""A test dashboard with series long enough to be downsampled, written on the public API.

Two sensors, 5,000 readings each: a line with a gap, one spike up and one down at known
places, and a scatter of unsorted points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from databoard import Dashboard, Line, MultiSelect, Range, Scatter

PER_SENSOR = 5000
#: positions (within each sensor's rows) of the highest and lowest reading
PEAK, TROUGH = 1234, 3721
#: rows (within each sensor) without a reading
GAP = slice(2500, 2600)

board = Dashboard("big", title="Long series")


@board.dataset
def readings() -> pd.DataFrame:
    """Return the readings, sorted by sensor and minute."""
    rng = np.random.default_rng(5)
    frames = []
    for number, sensor in enumerate(["a", "b"]):
        level = np.sin(np.arange(PER_SENSOR) / 200) + rng.normal(0, 0.1, PER_SENSOR)
        level[PEAK] = 50 + number
        level[TROUGH] = -50 - number
        level[GAP] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "sensor": sensor,
                    "minute": np.arange(PER_SENSOR),
                    "level": level,
                    "load": rng.gamma(2.0, 5.0, PER_SENSOR),
                    "temperature": rng.normal(15, 5, PER_SENSOR),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["sensor"] = frame["sensor"].astype("category")
    return frame


board.add_filter(MultiSelect("sensor", "sensor"))
board.add_filter(Range("minute", "minute", params=("from", "to")))
board.add_chart("level", "Level", kind=Line(x="minute", y="level", color="sensor"))
board.add_chart(
    "load", "Load against temperature", kind=Scatter(x="temperature", y="load", color="sensor")
)
