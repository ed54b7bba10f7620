"""``databoard fetch``: download data from a public source into files a dashboard reads."""

from __future__ import annotations

from pathlib import Path

import click

from ..data import worldbank_api


@click.group("fetch")
def fetch_command():
    """Download data from a public source into a dashboard's data folder."""


@fetch_command.command("worldbank")
@click.argument("indicators", nargs=-1, required=True)
@click.option(
    "--country",
    "countries",
    multiple=True,
    help="An ISO country code (BRA or BR); repeat for more. Default: every economy.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The folder to write the bulk CSV files into.",
)
@click.option(
    "--api-url",
    default=worldbank_api.API_URL,
    show_default=True,
    envvar="DATABOARD_WORLDBANK_API_URL",
    help="The API's base address.",
)
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait per request.")
@click.option("--retries", default=3, show_default=True, help="Tries again after 429 or 5xx.")
@click.option(
    "--backoff", default=0.5, show_default=True, help="Seconds before the first retry; doubles."
)
def worldbank(indicators, countries, out, api_url, timeout, retries, backoff):
    """Download World Bank INDICATORS (such as SP.POP.TOTL) as bulk CSV files.

    Each indicator is written to OUT/API_<code>_DS2_en_csv_v2.csv with its source and
    last updated date, replacing an older file of that indicator. Files are written only
    once every indicator has arrived, so on any error the folder is left as it was.
    """
    downloads = []
    for code in indicators:
        with click.progressbar(length=1, label=code, show_pos=True) as bar:

            def advance(page: int, pages: int, bar=bar) -> None:
                bar.length = pages
                bar.update(page - bar.pos)

            try:
                download = worldbank_api.fetch(
                    code,
                    countries or ("all",),
                    api_url=api_url,
                    timeout=timeout,
                    retries=retries,
                    backoff=backoff,
                    progress=advance,
                )
            except worldbank_api.WorldBankAPIError as error:
                raise click.ClickException(f"{code}: {error}") from None
        downloads.append(download)
    for download in downloads:
        path = worldbank_api.write_bulk_csv(download, out)
        years = sorted({row[2] for row in download.rows})
        click.echo(
            f"wrote {path} ({len(download.rows)} observations, {years[0]}-{years[-1]}, "
            f"updated {download.updated})"
        )
