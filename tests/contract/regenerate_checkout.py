"""Regenerate tests/contract/checkout.json, the structural copy of the schemas the checkout
options' contract tests validate against (names, types, enums, required; no prose).

    python tests/contract/regenerate_checkout.py [path/to/reference-api-subset.openapi.json]

Uses the same structural extraction as regenerate_orders.py (allOf bases merged).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regenerate_orders import DEFAULT_SOURCE, ROOT, _dump, structural  # noqa: E402

ROOTS = [
    "CheckoutOptionsInput",
    "ResponseForSFSCheckoutOptions",
    "ResponseForCNCCheckoutOptions",
    "CheckoutOptionsDeliveryEarliestRequest",
    "CheckoutOptionsDeliveryEarliestResponse",
    "CheckoutOptionsDeliveryTimePeriodRequest",
    "CheckoutOptionsDeliveryTimePeriodResponse",
    "CheckoutOptionsDeliveryTimePointRequest",
    "CheckoutOptionsDeliveryTimePointResponse",
    "CheckoutOptionsCollectEarliestRequest",
    "CheckoutOptionsCollectEarliestResponse",
    "ApiError",
]
TARGET = ROOT / "tests" / "contract" / "checkout.json"


def main(source=DEFAULT_SOURCE):
    TARGET.write_text(_dump(structural(ROOTS, source)))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
