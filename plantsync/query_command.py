"""`plantsync query "SQL"`: an analyst's query against the published warehouse."""

from __future__ import annotations

import csv
import sys

import click

MAX_CELL_CHARS = 40


@click.command()
@click.argument("sql")
@click.option("--csv", "as_csv", is_flag=True, help="Write every row as CSV to stdout.")
@click.option(
    "--max-rows",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows shown as a table (CSV writes them all).",
)
def query(sql: str, as_csv: bool, max_rows: int) -> None:
    """Run SQL against the warehouse analysts read and print the result.

    On DuckDB this is the published file, opened read-only: a running sync never waits for
    it, and it shows the last completed run. Schemas: canonical, marts (and staging, raw_*).
    """
    from plantsync.access import reading

    with reading() as warehouse:
        try:
            rows = warehouse.query(sql)
        except Exception as exc:  # noqa: BLE001 - the database's own message is the answer
            message = " ".join(str(exc).split())
            raise click.ClickException(f"query failed: {message}") from None
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(rows.columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return
    click.echo(render_table(rows.columns, rows[:max_rows]))
    more = f" (first {max_rows} shown; --max-rows or --csv for all)" if len(rows) > max_rows else ""
    click.echo(f"{len(rows):,} row{'s' if len(rows) != 1 else ''}{more}")


def render_table(columns: list[str], rows: list[tuple]) -> str:
    """Columns aligned, numbers right-aligned, NULL spelled out, long cells cut."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]
    numeric = [bool(rows) and all(_is_number(row[i]) for row in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return " | ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(columns), rule, *(line(row) for row in cells)])


def _cell(value: object) -> str:
    text = "NULL" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _is_number(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, int | float) and not isinstance(value, bool))
        or (type(value).__name__ == "Decimal")
    )
