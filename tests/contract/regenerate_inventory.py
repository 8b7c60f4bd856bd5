"""Regenerate tests/contract/inventory.json, the structural copy of the reference schemas the
inventory contract tests validate responses against (names, types, enums, required; no prose).

    python tests/contract/regenerate_inventory.py [path/to/reference-api-subset.openapi.json]

Reuses the orders area's stripping and allOf merging (see regenerate_orders.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regenerate_orders import DEFAULT_SOURCE, ROOT, _dump, structural  # noqa: E402

ROOTS = [
    "ManagedFacility",
    "StrippedFacilities",
    "Carrier",
    "StrippedCarriers",
    "CarrierCountryServiceMapping",
    "FacilityCarrierConnection",
    "Listing",
    "StrippedListings",
    "ListingBulkOperationResult",
    "Stock",
    "StockPaginatedResult",
    "StockUpsertOperationResult",
    "StockSummaries",
    "Reservation",
    "ReservationsPaginatedResult",
    "ApiError",
]
TARGET = ROOT / "tests" / "contract" / "inventory.json"


def main(source=DEFAULT_SOURCE):
    TARGET.write_text(_dump(structural(ROOTS, source)))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
