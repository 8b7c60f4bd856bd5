"""Regenerate tests/contract/operations.json: every operation of the reference subset (path and
method), the status codes it documents and the schema of each 2xx body, with the structural
copy of the schemas those name (names, types, enums, required; no prose). The contract test
tests/contract/test_reference_operations.py calls every one of them.

    python tests/contract/regenerate_operations.py [path/to/reference-api-subset.openapi.json]

Uses the same structural extraction as regenerate_orders.py (allOf bases merged).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regenerate_orders import (  # noqa: E402
    DEFAULT_SOURCE,
    ROOT,
    _dump,
    _merge_all_of,
    _references,
    _strip,
    structural,
)

METHODS = ("get", "post", "put", "patch", "delete")
TARGET = ROOT / "tests" / "contract" / "operations.json"


def operations(spec):
    """{"METHOD /path": {status: 2xx body schema, or None}} of every operation."""
    schemas = {name: _strip(schema) for name, schema in spec["components"]["schemas"].items()}
    found = {}
    for path, methods in spec["paths"].items():
        for method in METHODS:
            if method not in methods:
                continue
            responses = {}
            for status, response in methods[method]["responses"].items():
                content = (response.get("content") or {}).get("application/json", {})
                body = content.get("schema") if status.startswith("2") else None
                responses[status] = _merge_all_of(_strip(body), schemas) if body else None
            found[f"{method.upper()} {path}"] = responses
    return found


def main(source=DEFAULT_SOURCE):
    spec = json.loads(Path(source).read_text())
    found = operations(spec)
    roots = set()
    _references(found, roots)
    document = {"operations": found, **structural(sorted(roots), source)}
    TARGET.write_text(_dump(document))
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(found)} operations)")


if __name__ == "__main__":
    main(*sys.argv[1:])
