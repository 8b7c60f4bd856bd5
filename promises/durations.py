"""ISO 8601 durations as the promises configuration accepts them."""

import re
from datetime import timedelta

from config.errors import InvalidInput

# The contract's pattern for `invalidAfterTime`.
DURATION_PATTERN = re.compile(r"^P(?:(\d+W)|(\d+Y)?(\d+M)?(\d+D)?(?:T(\d+H)?(\d+M)?(\d+S)?)?)$")
# A promise holds stock for its customer: longer than a month is a mistake, not a checkout.
MAX_PROMISE_DURATION = timedelta(days=30)


def _number(group):
    return int(group[:-1]) if group else 0


def parse_promise_duration(value):
    """`value` as a timedelta; InvalidInput unless it is a positive multiple of 60 seconds.

    Years and months have no fixed length, so a duration using them is refused rather than
    guessed (a promise must expire at a time the client can compute).
    """
    if not isinstance(value, str):
        raise InvalidInput(
            "invalidAfterTime: must be an ISO 8601 duration string.",
            "For example PT8H, PT30M or P1D.",
        )
    match = DURATION_PATTERN.match(value)
    if not match or value.endswith("T"):
        raise InvalidInput(
            f"invalidAfterTime: {value[:64]!r} is not an ISO 8601 duration of at most 30 days.",
            "Use the form PnW or PnDTnHnMnS, for example PT8H, PT30M or P1D.",
        )
    weeks, years, months, days, hours, minutes, seconds = match.groups()
    if years or months:
        raise InvalidInput(
            f"invalidAfterTime: {value!r} uses years or months.",
            "Years and months have no fixed length; use weeks, days, hours, minutes or seconds.",
        )
    # Summed as integers: a timedelta of PT100000000000H would overflow before the comparison.
    days = _number(weeks) * 7 + _number(days)
    total_seconds = ((days * 24 + _number(hours)) * 60 + _number(minutes)) * 60 + _number(seconds)
    if total_seconds > MAX_PROMISE_DURATION.total_seconds():
        raise InvalidInput(
            f"invalidAfterTime: {value!r} is longer than 30 days.",
            "A promise holds stock for one checkout; use at most P30D.",
        )
    if total_seconds <= 0 or total_seconds % 60:
        raise InvalidInput(
            f"invalidAfterTime: {value!r} must be a positive multiple of 60 seconds.",
            "For example PT1M, PT90M or PT8H.",
        )
    return timedelta(seconds=total_seconds)
