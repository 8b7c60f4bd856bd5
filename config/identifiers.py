"""Our ids are UUIDs. A value that is not one names nothing: callers answer 404 or skip it,
never a 500 from deep inside the ORM."""

import uuid


def parse_uuid(value):
    """The UUID in `value` (a UUID, or its text in any form Python accepts), or None."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
