"""Download World Bank indicators from its API (v2, JSON, paged) into bulk CSV files.

A file written here reads like a bulk download (``API_<code>_DS2_en_csv_v2.csv``: the
four-line preamble with the data source and last updated date, one column per year), so
:mod:`databoard.data.worldbank` and every dashboard reading a World Bank folder use it
unchanged. A download either completes or changes nothing: it is written to a temporary
file next to the target and renamed over it only once every page has arrived and parsed.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import TimeoutError as PoolTimeout
from urllib3.util.retry import Retry

from . import worldbank

#: The API's base address; ``databoard fetch worldbank --api-url`` changes it.
API_URL = "https://api.worldbank.org/v2"
#: Observations per page; the API serves at most a few thousand per request.
PER_PAGE = 1000
#: Names of the API's data sources by id, for the files' "Data Source" line.
SOURCES = {"2": "World Development Indicators"}

_RETRIED = (429, 500, 502, 503, 504)
_YEAR = re.compile(r"^\d{4}$")
_CODE = re.compile(r"^[A-Za-z0-9_.]+$")


class WorldBankAPIError(RuntimeError):
    """The API refused, failed or answered something that is not a page of observations."""


@dataclass(frozen=True)
class Download:
    """One indicator's observations, as the API served them.

    :param rows: ``(country name, country code, year, value)``; value ``None`` where the
        API has no number.
    """

    code: str
    name: str
    source: str
    updated: str
    rows: tuple[tuple[str, str, int, float | None], ...]


def session(retries: int = 3, backoff: float = 0.5) -> requests.Session:
    """Return a session that retries refused and failed requests with growing pauses.

    A 429 (too many requests) or 5xx answer and a dropped connection are tried again up
    to *retries* times, waiting ``backoff * 2**n`` seconds (or the server's
    ``Retry-After``) in between.
    """
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=_RETRIED,
        allowed_methods=("GET",),
        respect_retry_after_header=True,
        raise_on_status=False,  # hand back the last answer, for a message with its status
    )
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=retry))
    http.mount("https://", HTTPAdapter(max_retries=retry))
    return http


def _get_page(
    http: requests.Session, url: str, params: dict, timeout: float, retries: int
) -> tuple[dict, list]:
    """Return one page's paging header and observations, or raise a clear error."""
    where = f"{url} (page {params['page']})"
    try:
        response = http.get(url, params=params, timeout=timeout)
    except requests.exceptions.RequestException as error:
        # After retries, urllib3 reports a read timeout as the reason of a connection error.
        reason = getattr(error.args[0] if error.args else None, "reason", None)
        if isinstance(error, requests.exceptions.Timeout) or isinstance(reason, PoolTimeout):
            raise WorldBankAPIError(f"{where}: no answer within {timeout:g} s") from None
        raise WorldBankAPIError(f"{where}: {error}") from None
    if response.status_code != 200:
        raise WorldBankAPIError(
            f"{where}: HTTP {response.status_code} {response.reason}"
            + (
                f" (after {retries} retries)"
                if retries and response.status_code in _RETRIED
                else ""
            )
        )
    try:
        body = response.json()
    except ValueError:
        raise WorldBankAPIError(f"{where}: the answer is not valid JSON") from None
    if isinstance(body, list) and body and isinstance(body[0], dict) and "message" in body[0]:
        messages = body[0]["message"]
        text = "; ".join(str(m.get("value", m)) for m in messages if isinstance(m, dict))
        raise WorldBankAPIError(f"{where}: the API says: {text or messages}")
    if not (isinstance(body, list) and len(body) == 2 and isinstance(body[0], dict)):
        raise WorldBankAPIError(f"{where}: not a page of observations ([paging, rows])")
    header, rows = body
    if not rows:
        raise WorldBankAPIError(f"{where}: no observations (empty page)")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise WorldBankAPIError(f"{where}: the observations are not a list of records")
    return header, rows


def _observation(row: dict, where: str) -> tuple[str, str, str, int, float | None]:
    try:
        country = row["country"]
        code = row.get("countryiso3code") or country["id"]
        date = str(row["date"])
        value = row["value"]
        name = row["indicator"]["value"]
    except (KeyError, TypeError) as error:
        raise WorldBankAPIError(f"{where}: an observation lacks {error}") from None
    if not _YEAR.match(date):
        raise WorldBankAPIError(
            f"{where}: date {date!r} is not a year; only yearly indicators can be fetched"
        )
    if value is not None and not isinstance(value, int | float):
        raise WorldBankAPIError(f"{where}: value {value!r} is not a number")
    return name, str(country["value"]), str(code), int(date), value


def fetch(
    code: str,
    countries: Sequence[str] = ("all",),
    *,
    api_url: str = API_URL,
    timeout: float = 30,
    retries: int = 3,
    backoff: float = 0.5,
    per_page: int = PER_PAGE,
    progress: Callable[[int, int], None] | None = None,
) -> Download:
    """Download every page of indicator *code* for *countries*.

    :param countries: ISO codes (``BRA``, ``AR``) or ``all``.
    :param timeout: seconds to wait for each answer.
    :param progress: called as ``progress(page, pages)`` after each page.
    :raise WorldBankAPIError: on an HTTP error (after *retries*), a timeout, an answer
        that is not JSON or not a page of observations, or no observations at all.
    """
    if not _CODE.match(code):
        raise WorldBankAPIError(f"{code!r} is not an indicator code like SP.POP.TOTL")
    for country in countries:
        if not _CODE.match(country):
            raise WorldBankAPIError(f"{country!r} is not a country code like BRA")
    url = f"{api_url.rstrip('/')}/country/{';'.join(countries)}/indicator/{code}"
    http = session(retries, backoff)
    rows: list[tuple[str, str, int, float | None]] = []
    name = updated = source = ""
    page, pages = 1, 1
    with http:
        while page <= pages:
            params = {"format": "json", "per_page": per_page, "page": page}
            header, observations = _get_page(http, url, params, timeout, retries)
            try:
                pages = int(header.get("pages", 1))
            except (TypeError, ValueError):
                raise WorldBankAPIError(f"{url} (page {page}): bad page count") from None
            updated = updated or str(header.get("lastupdated", ""))
            source_id = str(header.get("sourceid", ""))
            source = source or SOURCES.get(source_id, f"World Bank source {source_id}")
            for row in observations:
                name, country, country_code, year, value = _observation(row, f"{url} (page {page})")
                rows.append((country, country_code, year, value))
            if progress is not None:
                progress(page, pages)
            page += 1
    return Download(code, name, source, updated, tuple(rows))


def file_name(code: str) -> str:
    """Return the bulk-download name of indicator *code*'s file."""
    return f"API_{code}_DS2_en_csv_v2.csv"


def write_bulk_csv(download: Download, folder: str | Path) -> Path:
    """Write *download* into *folder* as a bulk CSV file, atomically.

    Another bulk file of the same indicator in *folder* (an older download under a
    different name) is removed once the new one is in place, so the folder keeps one
    file per indicator as :func:`databoard.data.worldbank.scan_folder` requires.

    :return: the path written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    years = sorted({year for _, _, year, _ in download.rows})
    span = list(range(years[0], years[-1] + 1))
    table: dict[str, tuple[str, dict[int, float | None]]] = {}
    for country, code, year, value in download.rows:
        table.setdefault(code, (country, {}))[1][year] = value
    target = folder / file_name(download.code)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
            out.writerow(["Data Source", download.source, ""])
            out.writerow([])
            out.writerow(["Last Updated Date", download.updated, ""])
            out.writerow([])
            out.writerow(
                ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
                + [str(y) for y in span]
                + [""]
            )
            for code, (country, values) in sorted(table.items()):
                cells = ["" if values.get(y) is None else repr(values[y]) for y in span]
                out.writerow([country, code, download.name, download.code, *cells, ""])
        worldbank.read_bulk_csv(temporary)  # what we wrote must read back
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for older in folder.glob("API_*.csv"):
        if older != target and worldbank.is_bulk_csv(older):
            indicator = worldbank.indicator_code(older)
            if indicator == download.code:
                older.unlink()
    return target
