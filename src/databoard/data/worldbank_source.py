"""A dataset straight from the World Bank API: ``source: {worldbank_api: [SP.POP.TOTL]}``.

The indicators are downloaded (:mod:`.worldbank_api`) into a folder of the download cache
(``DATA_CACHE_DIR``) and read from there with the World Bank reader, like a folder of bulk
downloads. A file older than the dataset's ``refresh`` is downloaded again; if the API
fails, the files already there keep serving and the error is reported (``/readyz`` says
the dataset is stale), so an outage of the API never takes the data away.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import options, worldbank, worldbank_api
from .versions import FileProbe, ProbeError, Version

log = logging.getLogger("databoard.data")

#: Seconds between downloads when the dataset does not say: the API changes yearly.
REFRESH = 86_400.0


@dataclass(frozen=True)
class WorldBankAPI:
    """Indicators of the World Bank API, for *countries* (ISO codes) or all of them."""

    indicators: tuple[str, ...]
    countries: tuple[str, ...] = ("all",)
    refresh: float = REFRESH

    def folder(self) -> Path:
        """Return the folder these downloads are kept in (shared by equal datasets)."""
        api = options.get("WORLDBANK_API_URL")
        what = repr((api, sorted(self.indicators), sorted(self.countries)))
        name = hashlib.blake2b(what.encode(), digest_size=8).hexdigest()
        return options.cache_dir() / "worldbank" / name

    def update(self) -> str:
        """Download each indicator whose file is missing or older than ``refresh``.

        :return: why a download failed (its file, if any, is left as it was), or ``""``.
        :raise worldbank_api.WorldBankAPIError: if an indicator has no file to fall back on.
        """
        folder = self.folder()
        problems = []
        for code in self.indicators:
            path = folder / worldbank_api.file_name(code)
            if path.exists() and time.time() - path.stat().st_mtime < self.refresh:
                continue
            try:
                download = worldbank_api.fetch(
                    code, self.countries, api_url=options.get("WORLDBANK_API_URL")
                )
                worldbank_api.write_bulk_csv(download, folder)
            except (worldbank_api.WorldBankAPIError, OSError) as error:
                if not path.exists():
                    raise worldbank_api.WorldBankAPIError(f"{code}: {error}") from None
                problems.append(f"{code}: {error}")
            else:
                log.info("World Bank API: downloaded %s (updated %s)", code, download.updated)
        return "; ".join(problems)

    def read(self) -> pd.DataFrame:
        """Download what is due, then read the folder with the World Bank reader."""
        problem = self.update()
        if problem:
            log.warning("World Bank API: %s; the downloads kept earlier serve meanwhile", problem)
        return worldbank.read_folder(self.folder())


@dataclass(frozen=True)
class APIProbe:
    """Checks a World Bank API dataset: downloads what is due, then looks at its files."""

    api: WorldBankAPI

    def files(self) -> FileProbe:
        return FileProbe(self.api.folder(), ".")

    def stamp(self) -> tuple:
        problem = self.api.update()
        if problem:
            raise ProbeError(f"the World Bank API failed, the earlier download serves: {problem}")
        return self.files().stamp()

    def cut_off(self) -> str:
        return ""  # downloads are written whole and renamed into place

    def version(self, attrs: dict, stamp: tuple) -> Version:
        return self.files().version(attrs, stamp)
