from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Project-wide plumbing: API errors, authentication, unreadable stored values and
    management commands."""

    name = "config"
    verbose_name = "API access"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from rest_framework.authtoken.models import Token

        from config import unreadable
        from config.api.authentication import forget_authentications
        from config.api.throttling import check_rate_settings

        unreadable.install()
        check_rate_settings()

        user_model = get_user_model()
        # Whatever could change who a token is or what it may do.
        for model in (Token, user_model, Group, Permission):
            post_save.connect(forget_authentications, sender=model, weak=False)
            post_delete.connect(forget_authentications, sender=model, weak=False)
        for through in (
            user_model.user_permissions.through,
            user_model.groups.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(forget_authentications, sender=through, weak=False)
