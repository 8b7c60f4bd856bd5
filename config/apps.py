from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Project-wide plumbing: API errors, authentication and management commands."""

    name = "config"
    verbose_name = "API access"
