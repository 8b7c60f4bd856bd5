"""ISO 8601 durations as the promises configuration accepts them."""

import re
from datetime import timedelta

from config.errors import InvalidInput

# The contract's pattern for `invalidAfterTime`.
DURATION_PATTERN = re.compile(r"^P(?:(\d+W)|(\d+Y)?(\d+M)?(\d+D)?(?:T(\d+H)?(\d+M)?(\d+S)?)?)$")


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
            f"invalidAfterTime: {value!r} is not an ISO 8601 duration.",
            "Use the form PnW or PnDTnHnMnS, for example PT8H, PT30M or P1D.",
        )
    weeks, years, months, days, hours, minutes, seconds = match.groups()
    if years or months:
        raise InvalidInput(
            f"invalidAfterTime: {value!r} uses years or months.",
            "Years and months have no fixed length; use weeks, days, hours, minutes or seconds.",
        )
    duration = timedelta(
        weeks=_number(weeks),
        days=_number(days),
        hours=_number(hours),
        minutes=_number(minutes),
        seconds=_number(seconds),
    )
    total_seconds = int(duration.total_seconds())
    if total_seconds <= 0 or total_seconds % 60:
        raise InvalidInput(
            f"invalidAfterTime: {value!r} must be a positive multiple of 60 seconds.",
            "For example PT1M, PT90M or PT8H.",
        )
    return duration
