"""Shared fixtures: API clients that authenticate with a real bearer token."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def make_token_client(username, permissions="all"):
    """An APIClient sending `Authorization: Bearer <token>` for a user with the given
    permissions: "all" (every API permission), "view" (read only), or a list of
    "app_label.codename" strings."""
    user = get_user_model().objects.create(username=username)
    api_permissions = Permission.objects.filter(
        content_type__app_label__in=settings.API_PERMISSION_APPS
    )
    if permissions == "all":
        user.user_permissions.add(*api_permissions)
    elif permissions == "view":
        user.user_permissions.add(*api_permissions.filter(codename__startswith="view_"))
    else:
        for name in permissions:
            app_label, codename = name.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    client.user = user
    return client


@pytest.fixture
def api_client(db):
    return make_token_client("api-user")


@pytest.fixture
def read_only_client(db):
    return make_token_client("viewer", permissions="view")


@pytest.fixture
def anonymous_client():
    return APIClient()
