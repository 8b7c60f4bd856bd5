from django.apps import AppConfig


class PromisesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "promises"
