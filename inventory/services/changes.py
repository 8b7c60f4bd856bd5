"""What the API's writes share: the optimistic version check and the merge of extra fields."""

from config.errors import VersionConflict


def check_version(entity, request_version):
    """A `version` sent with a write must be the entity's current one (none sent: no check)."""
    if request_version is not None and request_version != entity.version:
        raise VersionConflict(version=entity.version, request_version=request_version)


def merged_extra(extra, changes):
    """`extra` with `changes` applied: a value sets its field, None removes it."""
    merged = dict(extra)
    for name, value in (changes or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def apply_fields(instance, data, defaults, *, replace):
    """Set each field of `defaults` sent in `data` (None: back to its default); with
    `replace` (a PUT), a field not sent goes back to its default too."""
    for name, default in defaults.items():
        if name in data:
            setattr(instance, name, default if data[name] is None else data[name])
        elif replace:
            setattr(instance, name, default)
