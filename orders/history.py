"""Who changed an order, and what: one `updateDetails` entry per change, written by every service
that changes an order (create, PATCH, every action, re-routing, the expiry sweep).

`updateDetails[].user` names the actor only when the GDPR configuration's `actorAnonymization`
is false (the documents); by default it is left out. The actor is the API user or the staff
member (a Django user), or `SYSTEM_ACTOR` for the product's own tasks. `changes` holds what the
client changed in the reference's own keys (`customAttributes`, `preferredHandlingTime`,
`orderLineItems`, `consumer`) plus, where no client body says it, `action` (the action's wire
name, e.g. `CANCEL`), `status` (the status the change set) and `routing` (old → new facilities).
"""

from config import clock
from config.api.fields import format_wire_datetime
from orders.models import GdprConfiguration

# The actor of the expiry sweep and the routing retry.
SYSTEM_ACTOR = "system"


def actor_anonymization():
    """The stored setting, True when never configured (one query, no write)."""
    stored = GdprConfiguration.objects.filter(pk=1).values_list("actor_anonymization", flat=True)
    value = stored.first()
    return True if value is None else value


def actor_name(actor):
    """The API user's or staff member's e-mail, else the username; a system actor's name."""
    if actor is None:
        return None
    if isinstance(actor, str):
        return actor
    if not getattr(actor, "is_authenticated", False):
        return None
    return getattr(actor, "email", "") or actor.get_username() or None


def update_detail(actor, changes, *, comment=None, anonymize=None):
    """One `OrderUpdateDetail`. `anonymize` is the GDPR setting when the caller already read it
    (the checkout reads it with its snapshot); None reads it."""
    if anonymize is None:
        anonymize = actor_anonymization()
    detail = {"created": format_wire_datetime(clock.now())}
    user = None if anonymize else actor_name(actor)
    if user:
        detail["user"] = user
    if comment is not None:
        detail["comment"] = comment
    detail["changes"] = changes
    return detail


def record_update(order, actor, changes, *, comment=None, anonymize=None):
    """Append the entry to the order (the caller saves it with the change)."""
    order.update_details = [
        *(order.update_details or []),
        update_detail(actor, changes, comment=comment, anonymize=anonymize),
    ]
    return order
