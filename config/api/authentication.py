import copy
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def _user_with_permissions_sql():
    """The token's user and, in the same row, every permission it holds directly or through
    its groups as "app_label.codename" (PostgreSQL)."""
    user_model = get_user_model()
    user_permissions = user_model.user_permissions.through._meta.db_table
    user_groups = user_model.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return f"""
        SELECT account.*, ARRAY(
            SELECT content_type.app_label || '.' || permission.codename
            FROM {Permission._meta.db_table} AS permission
            JOIN {ContentType._meta.db_table} AS content_type
                ON content_type.id = permission.content_type_id
            WHERE permission.id IN (
                SELECT permission_id FROM {user_permissions} WHERE user_id = account.id
                UNION
                SELECT granted.permission_id FROM {group_permissions} AS granted
                JOIN {user_groups} AS membership ON membership.group_id = granted.group_id
                WHERE membership.user_id = account.id
            )
        ) AS api_permission_names
        FROM {Token._meta.db_table} AS token
        JOIN {user_model._meta.db_table} AS account ON account.id = token.user_id
        WHERE token.key = %s
    """


# token key → (monotonic expiry, user with `_api_permissions`), per process.
_recently_authenticated: dict = {}


def forget_authentications(**_signal_arguments):
    """Drop every cached authentication of this process (connected in config.apps to changes
    of tokens, users, groups and permissions)."""
    _recently_authenticated.clear()


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`; the token belongs to a Django user
    (see the create_api_token command).

    On PostgreSQL the user and its permissions come in one query (every API call pays for
    authentication, and config.api.permissions.ApiPermission reads the permissions next), and
    each process remembers the answer for `API_AUTHENTICATION_CACHE_SECONDS` (a few seconds):
    a shop sends many requests with the same token. A change to a token, user, group or
    permission clears the memory of the process that made it at once; the other processes
    follow within those seconds (docs/decisions.md, "Checkout path").
    """

    keyword = "Bearer"

    def authenticate_credentials(self, key):
        if connection.vendor != "postgresql":
            return super().authenticate_credentials(key)
        cached = _recently_authenticated.get(key)
        if cached is not None and cached[0] > time.monotonic():
            user = copy.copy(cached[1])  # each request gets its own user object
        else:
            user = self._load_user(key)
            lifetime = settings.API_AUTHENTICATION_CACHE_SECONDS
            if lifetime > 0:
                if len(_recently_authenticated) >= 10_000:
                    _recently_authenticated.clear()
                _recently_authenticated[key] = (time.monotonic() + lifetime, copy.copy(user))
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, Token(key=key, user=user)

    @staticmethod
    def _load_user(key):
        users = list(get_user_model().objects.raw(_user_with_permissions_sql(), [key]))
        if not users:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = users[0]
        # Read by config.api.permissions.api_permissions_of.
        user._api_permissions = frozenset(user.api_permission_names)
        return user
