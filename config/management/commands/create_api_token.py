from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Create (or reuse) an API user and print its bearer token as the last line. "
        "The user gets every API permission unless --read-only or --no-permissions is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--read-only", action="store_true", help="grant only view permissions")
        group.add_argument("--no-permissions", action="store_true", help="grant nothing")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    @transaction.atomic
    def handle(self, username, read_only, no_permissions, rotate, **options):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
            self.stdout.write(f"Created user {username}.")
        if not no_permissions:
            permissions = Permission.objects.filter(
                content_type__app_label__in=settings.API_PERMISSION_APPS
            )
            if read_only:
                permissions = permissions.filter(codename__startswith="view_")
            user.user_permissions.add(*permissions)
            self.stdout.write(
                f"Granted {permissions.count()} {'read-only ' if read_only else ''}permissions."
            )
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
