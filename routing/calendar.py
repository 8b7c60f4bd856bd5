"""Public holidays per country and subdivision, from the `holidays` package (offline data that
ships with the package; nothing is fetched). Pure Python, no Django: the adapter side calls it
to fill the engine's plain data (`Facility.closing_days`, `ShippingDestination.public_holidays`);
the engine itself only reads those sets.

Answers are kept per process (`lru_cache`): a checkout looks a region up in a dictionary.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

# A checkout looks at most a few weeks ahead (routing.delivery.HORIZON_DAYS); this year and the
# next cover every estimate made in late December.
YEARS_AHEAD = 2


@lru_cache(maxsize=256)
def _country(country: str):
    """The `holidays` class of `country`, or None when the package does not know it."""
    try:
        return holidays.country_holidays(country).__class__
    except NotImplementedError:
        return None


@lru_cache(maxsize=1024)
def subdivision_code(country: str, province: str) -> str:
    """The `holidays` code of the subdivision `province` names in `country` ("NW" for
    "Nordrhein-Westfalen", "nw" or "NW"); "" when it names none."""
    kind = _country(country)
    wanted = (province or "").strip().casefold()
    if kind is None or not wanted:
        return ""
    for code in kind.subdivisions:
        if code.casefold() == wanted:
            return code
    for alias, code in getattr(kind, "subdivisions_aliases", {}).items():
        if alias.casefold() == wanted:
            return code
    return ""


@lru_cache(maxsize=1024)
def public_holidays(country: str, subdivision: str, first_year: int) -> frozenset[dt.date]:
    """The public holidays of `country` (national, plus those of `subdivision` when given) in
    `first_year` and the following year; empty for a country the package does not know."""
    if _country(country) is None:
        return frozenset()
    years = range(first_year, first_year + YEARS_AHEAD)
    try:
        days = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    except NotImplementedError:  # an unknown subdivision: the national holidays
        days = holidays.country_holidays(country, years=years)
    return frozenset(days)
