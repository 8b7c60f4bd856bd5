"""Create the back-office groups with exactly their permissions. Safe to run again: each
group's permissions are reset to the list below, so a re-run also removes stray grants."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Everything staff may look at in the back office.
VIEW_APPS = ["orders", "inventory", "promises", "events"]

INVENTORY_MODELS = [
    "facility",
    "carrier",
    "carriercountryservicemapping",
    "facilitycarrierconnection",
    "listing",
    "stock",
]

ROLES = {
    "Order viewers": [],
    "Operations": [
        "orders.perform_order_actions",
        # Line quantities and the shipping address (the "Modify order" screen).
        "orders.change_order",
        "orders.change_gdprconfiguration",
        "promises.change_promisesconfiguration",
    ],
    "Inventory managers": [
        *(
            f"inventory.{action}_{model}"
            for model in INVENTORY_MODELS
            for action in ("add", "change", "delete")
        ),
        "promises.change_routingconfiguration",
    ],
}


def view_permissions():
    return Permission.objects.filter(
        content_type__app_label__in=VIEW_APPS, codename__startswith="view_"
    )


def named_permissions(names):
    permissions = []
    for name in names:
        app_label, codename = name.split(".", 1)
        try:
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist:
            raise CommandError(f"Unknown permission {name}: run migrate first.") from None
    return permissions


class Command(BaseCommand):
    help = (
        'Create or update the groups "Order viewers" (read only), "Operations" (order actions '
        'and modifications, promise duration, GDPR settings) and "Inventory managers" '
        "(facilities, carriers, listings, stock). "
        "Members also need is_staff to log in to the admin."
    )

    @transaction.atomic
    def handle(self, **options):
        viewing = list(view_permissions())
        for name, extra in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            permissions = viewing + named_permissions(extra)
            group.permissions.set(permissions)
            self.stdout.write(
                f"{'Created' if created else 'Updated'} group {name!r} "
                f"with {len(permissions)} permissions."
            )
