"""``databoard new``: a working dashboard folder to start from."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from .slugs import slugify

TEMPLATES = files("databoard.authoring") / "scaffold"
FORMATS = {"yaml": "dashboard.yaml", "python": "dashboard.py"}


def sample_sales(seed: int = 7) -> pd.DataFrame:
    """Return two years of made-up monthly sales for four regions and three products."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    regions = {"North": 1.2, "South": 0.9, "East": 1.0, "West": 0.7}
    products = {"Basic": 20.0, "Plus": 45.0, "Pro": 90.0}
    rows = []
    for i, month in enumerate(months):
        season = 1 + 0.15 * np.sin(2 * np.pi * (month.month - 3) / 12)
        for region, weight in regions.items():
            for product, price in products.items():
                units = int(rng.poisson(120 * weight * season * (1 + i / 40) * 20 / price))
                paid = round(price * rng.uniform(0.9, 1.05), 2)
                rows.append((month.date().isoformat(), region, product, units, paid))
    frame = pd.DataFrame(rows, columns=["month", "region", "product", "units", "price"])
    frame["revenue"] = (frame["units"] * frame["price"]).round(2)
    return frame


def create(folder: Path, format: str = "yaml") -> list[Path]:
    """Write a dashboard folder: sample data, a dashboard file and a README.

    :raise FileExistsError: if *folder* exists and is not empty.
    """
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} already exists and is not empty")
    name = folder.resolve().name
    slug = slugify(name)
    fields = {
        "title": name.replace("-", " ").replace("_", " ").strip().capitalize() or "Dashboard",
        "slug": slug,
        "folder": folder.name,
        "dashboard_file": FORMATS[format],
    }
    (folder / "data").mkdir(parents=True, exist_ok=True)
    written = [folder / "data" / "sales.csv", folder / FORMATS[format], folder / "README.md"]
    sample_sales().to_csv(written[0], index=False)
    for path in written[1:]:
        text = (TEMPLATES / path.name).read_text(encoding="utf-8")
        path.write_text(text.format(**fields), encoding="utf-8")
    return written
