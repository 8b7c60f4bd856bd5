"""Regenerate tests/contract/events.json, the structural copy of the reference schemas the
events contract tests use (names, types, enums, required; no prose).

    python tests/contract/regenerate_events.py [path/to/reference-api-subset.openapi.json]

Reuses the orders area's stripping and allOf merging (see regenerate_orders.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regenerate_orders import DEFAULT_SOURCE, ROOT, _dump, structural  # noqa: E402

CONTRACT_ROOTS = [
    "Subscription",
    "Subscriptions",
    "SubscriptionForCreation",
    "SupportedEvents",
    "ApiError",
]


def main(source=DEFAULT_SOURCE):
    target = ROOT / "tests" / "contract" / "events.json"
    target.write_text(_dump(structural(CONTRACT_ROOTS, source)))
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
