"""Regenerate tests/contract/deliverypromise_schema.json, the structural copy of the schemas the
promises area's contract tests validate against (names, types, enums, required; no prose).

    python tests/contract/regenerate_deliverypromise.py [path/to/reference-api-subset.openapi.json]

The reference subset is the source: it is newer than deliverypromise.openapi.json and wins where
they differ (e.g. additionalInfo.resourceInvestment). `allOf` bases are merged into the schemas
extending them (see regenerate_orders.py), so a plain JSON Schema validator accepts valid
documents.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regenerate_orders import DEFAULT_SOURCE, ROOT, _dump, structural  # noqa: E402

ROOTS = ["PromiseRequest", "ResponseForDeliveryPromise", "PromisesConfiguration", "ApiError"]
TARGET = ROOT / "tests" / "contract" / "deliverypromise_schema.json"


def main(source=DEFAULT_SOURCE):
    TARGET.write_text(_dump(structural(ROOTS, source)))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
