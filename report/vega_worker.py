"""vl-convert in a process of its own (`report.vega.background_engine`): starts the JavaScript
engine at once, then renders one Vega-Lite spec per line of stdin, answering one JSON line each.

Run by path, not as a module of the `report` package, so that it imports vl-convert alone.
"""

import json
import sys

import vl_convert

vl_convert.vegalite_to_svg({"data": {"values": []}, "mark": "point"}, allowed_base_urls=[])
for line in sys.stdin:
    try:
        answer = {"svg": vl_convert.vegalite_to_svg(json.loads(line), allowed_base_urls=[])}
    except Exception as exc:  # noqa: BLE001 - the parent raises it with the spec's context
        answer = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
