"""The plant report: OEE and spend charts drawn from the marts, as SVG for each mart's page in
Dagster and as one HTML file that opens offline.

Plain Python over an open `warehouse.connections.Warehouse` (DuckDB, PostgreSQL, Snowflake);
no Dagster here. `build_report(warehouse, out_dir)` writes the page, `mart_chart(warehouse, fqn)`
draws one mart's chart (`mart_figures` reads what it shows, `.svg()` draws it).
"""

from report.build import CHARTS_BY_MART, ChartFigures, build_report, mart_chart, mart_figures

__all__ = ["CHARTS_BY_MART", "ChartFigures", "build_report", "mart_chart", "mart_figures"]
