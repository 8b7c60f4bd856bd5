"""A realistic demo network: stores and warehouses in the Netherlands and Germany, two carriers
with national and cross-border products, ~500 articles with listings and unevenly spread stock.

Idempotent: everything is keyed (tenantFacilityId, carrier key, facility + article), so running
it twice leaves the same rows. Existing stock values are kept on a re-run (live reservations may
hold them). Deterministic: one seeded random generator.

`--facilities N --articles M` builds a larger synthetic network (for benchmarks).
"""

import random
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    Facility,
    FacilityCarrierConnection,
    Listing,
    LocationType,
    OutOfStockBehaviour,
    Stock,
)

# (city, postal code, street, lat, lon): real city centres, approximate coordinates.
NL_STORES = [
    ("Amsterdam", "1012 JS", "Kalverstraat", 52.3731, 4.8922),
    ("Rotterdam", "3011 AD", "Lijnbaan", 51.9225, 4.4792),
    ("Den Haag", "2511 BT", "Grote Marktstraat", 52.0799, 4.3113),
    ("Utrecht", "3511 AV", "Oudegracht", 52.0907, 5.1214),
    ("Eindhoven", "5611 EM", "Demer", 51.4416, 5.4697),
    ("Groningen", "9711 LM", "Herestraat", 53.2194, 6.5665),
    ("Tilburg", "5038 BL", "Heuvelstraat", 51.5555, 5.0913),
    ("Almere", "1315 HA", "Stadhuisplein", 52.3508, 5.2647),
    ("Breda", "4811 XJ", "Ginnekenstraat", 51.5719, 4.7683),
    ("Nijmegen", "6511 PP", "Broerstraat", 51.8126, 5.8372),
    ("Haarlem", "2011 RD", "Grote Houtstraat", 52.3874, 4.6462),
    ("Arnhem", "6811 CG", "Ketelstraat", 51.9851, 5.8987),
    ("Maastricht", "6211 CS", "Grote Staat", 50.8514, 5.6910),
    ("Leiden", "2311 EZ", "Haarlemmerstraat", 52.1601, 4.4970),
    ("Zwolle", "8011 LR", "Diezerstraat", 52.5168, 6.0830),
    ("Amersfoort", "3811 HL", "Langestraat", 52.1561, 5.3878),
    ("'s-Hertogenbosch", "5211 HK", "Hinthamerstraat", 51.6978, 5.3037),
    ("Enschede", "7511 JE", "Kalanderstraat", 52.2215, 6.8937),
]
DE_STORES = [
    ("Berlin", "10117", "Friedrichstraße", 52.5200, 13.4050),
    ("Hamburg", "20095", "Mönckebergstraße", 53.5511, 9.9937),
    ("München", "80331", "Kaufingerstraße", 48.1351, 11.5820),
    ("Köln", "50667", "Hohe Straße", 50.9375, 6.9603),
    ("Frankfurt am Main", "60311", "Zeil", 50.1109, 8.6821),
    ("Düsseldorf", "40213", "Königsallee", 51.2277, 6.7735),
    ("Stuttgart", "70173", "Königstraße", 48.7758, 9.1829),
    ("Dortmund", "44137", "Westenhellweg", 51.5136, 7.4653),
    ("Essen", "45127", "Limbecker Straße", 51.4556, 7.0116),
    ("Bremen", "28195", "Obernstraße", 53.0793, 8.8017),
    ("Hannover", "30159", "Georgstraße", 52.3759, 9.7320),
    ("Leipzig", "04109", "Petersstraße", 51.3397, 12.3731),
    ("Münster", "48143", "Ludgeristraße", 51.9607, 7.6261),
    ("Aachen", "52062", "Adalbertstraße", 50.7753, 6.0839),
    ("Duisburg", "47051", "Königstraße", 51.4344, 6.7623),
]
WAREHOUSES = [
    (
        "WH-NL-AMS",
        "Warehouse Amsterdam Westpoort",
        "NL",
        "Amsterdam",
        "1047 HM",
        "Kabelweg",
        52.3890,
        4.8380,
    ),
    ("WH-NL-VLO", "Warehouse Venlo", "NL", "Venlo", "5928 RC", "Celsiusweg", 51.3704, 6.1724),
    (
        "WH-DE-HEF",
        "Lager Bad Hersfeld",
        "DE",
        "Bad Hersfeld",
        "36251",
        "Am Schwarzen Weg",
        50.8686,
        9.7070,
    ),
    ("WH-DE-DUI", "Lager Duisburg", "DE", "Duisburg", "47138", "Logport-Allee", 51.4100, 6.7300),
]
EXAMPLE_ARTICLES = {
    "TSHIRT-W-2468": ("T-shirt basic wit", Decimal("19.95")),
    "JEANS-B-2605": ("Jeans slim fit blauw", Decimal("79.95")),
    "SNEAK-W-4891": ("Sneaker leer wit", Decimal("119.00")),
}
# The documents' example order is 10 × TSHIRT, 3 × JEANS, 1 × SNEAK. No store holds 10 T-shirts,
# so no single store can serve it; the Amsterdam warehouse can, and so can a split of stores.
EXAMPLE_STOCK = {
    "WH-NL-AMS": {"TSHIRT-W-2468": 60, "JEANS-B-2605": 25, "SNEAK-W-4891": 12},
    "WH-NL-VLO": {"TSHIRT-W-2468": 35, "JEANS-B-2605": 2},
    "WH-DE-HEF": {"TSHIRT-W-2468": 40, "JEANS-B-2605": 15, "SNEAK-W-4891": 4},
    "WH-DE-DUI": {"JEANS-B-2605": 8, "SNEAK-W-4891": 3},
    "ST-NL-AMSTERDAM": {"TSHIRT-W-2468": 6, "JEANS-B-2605": 4, "SNEAK-W-4891": 2},
    "ST-NL-HAARLEM": {"TSHIRT-W-2468": 5, "JEANS-B-2605": 1},
    "ST-NL-UTRECHT": {"TSHIRT-W-2468": 4, "JEANS-B-2605": 3, "SNEAK-W-4891": 1},
    "ST-NL-ROTTERDAM": {"TSHIRT-W-2468": 3, "SNEAK-W-4891": 1},
    "ST-DE-KOELN": {"TSHIRT-W-2468": 6, "JEANS-B-2605": 2, "SNEAK-W-4891": 1},
}
EXAMPLE_MAX_PER_STORE = {"TSHIRT-W-2468": 6, "JEANS-B-2605": 4, "SNEAK-W-4891": 2}

CATEGORIES = [
    ("TSHIRT", "T-shirt", Decimal("14.95")),
    ("POLO", "Polo", Decimal("34.95")),
    ("SHIRT", "Overhemd", Decimal("49.95")),
    ("JEANS", "Jeans", Decimal("69.95")),
    ("CHINO", "Chino", Decimal("59.95")),
    ("DRESS", "Jurk", Decimal("79.95")),
    ("SKIRT", "Rok", Decimal("44.95")),
    ("SWEAT", "Sweater", Decimal("54.95")),
    ("HOODIE", "Hoodie", Decimal("64.95")),
    ("JACKET", "Jas", Decimal("129.00")),
    ("SNEAK", "Sneaker", Decimal("99.00")),
    ("BOOT", "Laars", Decimal("149.00")),
    ("SOCKS", "Sokken 3-pack", Decimal("9.95")),
    ("CAP", "Pet", Decimal("19.95")),
    ("SCARF", "Sjaal", Decimal("24.95")),
]
COLOURS = [
    ("W", "wit"),
    ("B", "blauw"),
    ("Z", "zwart"),
    ("G", "grijs"),
    ("R", "rood"),
    ("N", "navy"),
    ("K", "khaki"),
]
STORE_HOURS = {
    day: [{"start": {"hour": 9, "minute": 30}, "end": {"hour": 18, "minute": 0}, "capacity": 40}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
} | {
    "saturday": [
        {"start": {"hour": 10, "minute": 0}, "end": {"hour": 17, "minute": 0}, "capacity": 30}
    ]
}
WAREHOUSE_HOURS = {
    day: [
        {"start": {"hour": 6, "minute": 0}, "end": {"hour": 14, "minute": 0}, "capacity": 1500},
        {"start": {"hour": 14, "minute": 0}, "end": {"hour": 22, "minute": 0}, "capacity": 1500},
    ]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
} | {
    "saturday": [
        {"start": {"hour": 7, "minute": 0}, "end": {"hour": 15, "minute": 0}, "capacity": 800}
    ]
}
CLOSING_DAYS = [
    {"date": "2026-12-25T00:00:00+00:00", "reason": "Christmas Day", "recurrence": "YEARLY"},
    {"date": "2027-01-01T00:00:00+00:00", "reason": "New Year's Day", "recurrence": "YEARLY"},
]

CARRIERS = {
    "POSTNL": "PostNL",
    "DHL": "DHL Paket",
}


def _no_sundays(country, *dates):
    return {
        "country": country,
        "recurringNonDeliveryWeekdays": ["SUNDAY"],
        "nonDeliveryDays": [
            {"nonDeliveryDay": day, "nonDeliveryType": "RECURRING"} for day in dates
        ],
        "nonDeliveryDaysPerProvince": [],
    }


# The carriers' calendars, in the reference's carrier configuration shape (public holidays come
# from the `holidays` package on top): DHL does not deliver on Christmas Eve and New Year's Eve.
CARRIER_CALENDARS = {
    "POSTNL": [_no_sundays("NL"), _no_sundays("DE")],
    "DHL": [_no_sundays("DE", "2026-12-24", "2026-12-31"), _no_sundays("NL")],
}
# carrier, source, destinations, category, min days, max days, cost in EUR
MAPPINGS = [
    ("POSTNL", "NL", ["NL"], "STANDARD", 1, 1, "4.95"),
    ("POSTNL", "NL", ["NL"], "EXPRESS", 0, 1, "9.95"),
    ("POSTNL", "NL", ["DE"], "STANDARD", 2, 3, "8.95"),
    ("POSTNL", "NL", ["DE"], "EXPRESS", 1, 2, "14.95"),
    ("DHL", "DE", ["DE"], "STANDARD", 1, 2, "4.49"),
    ("DHL", "DE", ["DE"], "EXPRESS", 1, 1, "11.90"),
    ("DHL", "DE", ["NL"], "STANDARD", 2, 3, "9.49"),
    ("DHL", "DE", ["NL"], "EXPRESS", 1, 2, "16.90"),
    ("DHL", "NL", ["NL", "DE"], "STANDARD", 1, 3, "6.25"),
]


def slug(city):
    table = str.maketrans({"ö": "OE", "ü": "UE", "ä": "AE", "ß": "SS", "'": "", " ": "-"})
    return city.upper().translate(table)


def facility_row(tenant_id, name, location_type, country, city, postal_code, street, lat, lon, rng):
    store = location_type == LocationType.STORE
    return Facility(
        tenant_facility_id=tenant_id,
        name=name,
        location_type=location_type,
        address={
            "companyName": "DOMS Demo Retail",
            "street": street,
            "houseNumber": str(rng.randint(1, 180)),
            "postalCode": postal_code,
            "city": city,
            "country": country,
            "resolvedCoordinates": {"lat": lat, "lon": lon},
            "resolvedTimeZone": {
                "timeZoneId": "Europe/Amsterdam" if country == "NL" else "Europe/Berlin"
            },
        },
        country=country,
        city=city,
        postal_code=postal_code,
        latitude=lat,
        longitude=lon,
        services=[{"type": "SHIP_FROM_STORE"}, {"type": "PICKUP"}] if store else [],
        picking_times=STORE_HOURS if store else WAREHOUSE_HOURS,
        closing_days=CLOSING_DAYS,
        fulfillment_process_buffer=rng.choice([120, 180, 240]) if store else rng.choice([240, 360]),
        daily_order_capacity=30 if store else 800,
        extra={"capacityEnabled": True},
    )


def demo_facilities(rng, count=None):
    rows = [
        facility_row(
            tid, name, LocationType.WAREHOUSE, country, city, postal, street, lat, lon, rng
        )
        for tid, name, country, city, postal, street, lat, lon in WAREHOUSES
    ]
    cities = [("NL", *city) for city in NL_STORES] + [("DE", *city) for city in DE_STORES]
    stores = count - len(rows) if count else len(cities)
    for index in range(stores):
        country, city, postal, street, lat, lon = cities[index % len(cities)]
        round_ = index // len(cities)
        suffix = f"-{round_ + 1}" if round_ else ""
        if round_:  # synthetic network: more stores around the same cities
            lat, lon = lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(-0.12, 0.12)
        rows.append(
            facility_row(
                f"ST-{country}-{slug(city)}{suffix}",
                f"Store {city}{' ' + str(round_ + 1) if round_ else ''}",
                LocationType.STORE,
                country,
                city,
                postal,
                street,
                round(lat, 4),
                round(lon, 4),
                rng,
            )
        )
    return rows


def demo_articles(rng, count):
    articles = dict(EXAMPLE_ARTICLES)
    number = 1000
    while len(articles) < count + len(EXAMPLE_ARTICLES):
        code, noun, base_price = CATEGORIES[number % len(CATEGORIES)]
        colour_code, colour = COLOURS[(number // len(CATEGORIES)) % len(COLOURS)]
        article_id = f"{code}-{colour_code}-{number:04d}"
        if article_id not in articles:
            price = base_price + Decimal(rng.randint(0, 6) * 5)
            articles[article_id] = (f"{noun} {colour} {number}", price)
        number += 7
    return articles


DEMO_ADMIN = "admin"


class Command(BaseCommand):
    help = "Load (or refresh) the demo network: facilities, carriers, listings and stock."

    def add_arguments(self, parser):
        parser.add_argument("--facilities", type=int, default=None, help="synthetic: N facilities")
        parser.add_argument("--articles", type=int, default=500, help="number of articles")
        parser.add_argument("--seed", type=int, default=2468)
        parser.add_argument(
            "--with-admin",
            action="store_true",
            help="embedded default only: create (or reset) the back-office login 'admin' with a "
            "new random password, printed once",
        )

    @transaction.atomic
    def handle(self, *args, facilities=None, articles=500, seed=2468, with_admin=False, **options):
        if with_admin and connection.vendor != "sqlite":
            raise CommandError(
                "--with-admin is for the embedded SQLite default only; on a shared database "
                "create staff with `python manage.py createsuperuser`."
            )
        rng = random.Random(seed)
        facility_rows = demo_facilities(rng, facilities)
        Facility.objects.bulk_create(
            facility_rows,
            update_conflicts=True,
            unique_fields=["tenant_facility_id"],
            update_fields=[
                "name",
                "location_type",
                "address",
                "country",
                "city",
                "postal_code",
                "latitude",
                "longitude",
                "services",
                "picking_times",
                "closing_days",
                "fulfillment_process_buffer",
                "daily_order_capacity",
                "extra",
            ],
        )
        tenant_ids = [row.tenant_facility_id for row in facility_rows]
        network = {
            f.tenant_facility_id: f
            for f in Facility.objects.filter(tenant_facility_id__in=tenant_ids)
        }

        carriers = {}
        for key, name in CARRIERS.items():
            carriers[key], _ = Carrier.objects.update_or_create(
                key=key,
                defaults={
                    "name": name,
                    "extra": {"deliveryType": "DELIVERY"},
                    "configuration": {
                        "returnLabel": False,
                        "nonDeliveryDaysPerCountryAndProvince": CARRIER_CALENDARS[key],
                    },
                },
            )
        existing = {
            (
                m.carrier_id,
                m.source_country,
                tuple(m.destination_countries),
                m.carrier_product_category,
            )
            for m in CarrierCountryServiceMapping.objects.filter(carrier__in=carriers.values())
        }
        new_mappings = []
        for key, source, destinations, category, low, high, cost in MAPPINGS:
            if (carriers[key].id, source, tuple(destinations), category) in existing:
                continue
            new_mappings.append(
                CarrierCountryServiceMapping(
                    carrier=carriers[key],
                    source_country=source,
                    destination_countries=destinations,
                    carrier_product_category=category,
                    min_transit_days=low,
                    max_transit_days=high,
                    delivery_costs=[{"cost": float(cost), "currency": "EUR"}],
                    extra={"destinations": [{"countryCode": c} for c in destinations]},
                )
            )
        CarrierCountryServiceMapping.objects.bulk_create(new_mappings)

        connections = []
        for facility in network.values():
            store = facility.location_type == LocationType.STORE
            keys = ["POSTNL", "DHL"] if facility.country == "NL" else ["DHL"]
            for key in keys:
                connections.append(
                    FacilityCarrierConnection(
                        facility=facility,
                        carrier=carriers[key],
                        cutoff_hour=(16 if store else 20) - (1 if key == "DHL" else 0),
                        cutoff_minute=0 if store else 30,
                        valid_delivery_targets=["SHIP_TO_CUSTOMER", "SHIP_TO_STORE"],
                    )
                )
        FacilityCarrierConnection.objects.bulk_create(
            connections,
            update_conflicts=True,
            unique_fields=["facility", "carrier"],
            update_fields=["cutoff_hour", "cutoff_minute", "valid_delivery_targets"],
        )

        catalogue = demo_articles(rng, articles)
        backorder = set(list(catalogue)[3:][::50])  # a few articles can be sold when out of stock
        listings, stocks = [], []
        for facility in network.values():
            warehouse = facility.location_type == LocationType.WAREHOUSE
            example = EXAMPLE_STOCK.get(facility.tenant_facility_id, {})
            for article_id, (title, price) in catalogue.items():
                if article_id in EXAMPLE_ARTICLES:
                    # Other stores may hold a little, never enough for the example order alone.
                    value = example.get(
                        article_id,
                        0
                        if warehouse
                        else rng.choice([0, 0, 1, 2, EXAMPLE_MAX_PER_STORE[article_id] - 1]),
                    )
                    listed, value = True, min(value, 10**6)
                    if not warehouse and facility.tenant_facility_id not in EXAMPLE_STOCK:
                        value = min(value, EXAMPLE_MAX_PER_STORE[article_id] - 1)
                else:
                    listed = warehouse or rng.random() < 0.4
                    # Skewed: most stores hold a few units, warehouses and some stores many.
                    value = int(rng.paretovariate(1.3) * (12 if warehouse else 2)) - 1
                    if rng.random() < (0.1 if warehouse else 0.3):
                        value = 0
                if not listed:
                    continue
                listings.append(
                    Listing(
                        facility=facility,
                        tenant_article_id=article_id,
                        title=title,
                        price=price,
                        currency="EUR",
                        out_of_stock_behaviour=(
                            OutOfStockBehaviour.BACKORDER
                            if article_id in backorder
                            else OutOfStockBehaviour.NONE
                        ),
                    )
                )
                if value > 0:
                    stocks.append(
                        Stock(
                            facility=facility, tenant_article_id=article_id, value=min(value, 500)
                        )
                    )
        Listing.objects.bulk_create(
            listings,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["facility", "tenant_article_id"],
            update_fields=["title", "price", "currency", "out_of_stock_behaviour"],
        )
        # Existing stock values are kept: live reservations may hold them.
        Stock.objects.bulk_create(stocks, batch_size=2000, ignore_conflicts=True)

        self._ensure_configurations()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network: {len(network)} facilities, {len(carriers)} carriers, "
                f"{len(catalogue)} articles, {len(listings)} listings, {len(stocks)} stock rows."
            )
        )
        if with_admin:
            self._demo_admin()

    def _demo_admin(self):
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_ADMIN, defaults={"email": "admin@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.WARNING(
                f"Back office: http://127.0.0.1:8000/admin/  user {DEMO_ADMIN}  password "
                f"{password}  (shown once; `seed_demo --with-admin` again sets a new one)"
            )
        )

    @staticmethod
    def _ensure_configurations():
        from promises.models import PromisesConfiguration, RoutingConfiguration

        PromisesConfiguration.objects.get_or_create(id=1)
        RoutingConfiguration.objects.get_or_create(id=1)
