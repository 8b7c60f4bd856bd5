"""Back office for the promise-side configuration: two singletons, each one screen.

Saving goes through promises.services, which validates and enforces optimistic locking: the
form carries the version it was rendered with, so a stale form gets a conflict and nothing is
overwritten.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from config.admin_support import humanize_iso_duration, service_error_text
from config.errors import ServiceError
from promises import services
from promises.models import PromisesConfiguration, RoutingConfiguration
from routing.types import FENCE_NAMES, default_fences, default_ratings


class SingletonConfigurationAdmin(admin.ModelAdmin):
    """No list, no add, no delete: the changelist and change URLs all lead to one screen,
    rendered by `configuration_view` with a plain form that the service saves."""

    form_class = None
    template_name = "admin/promises/configuration.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.configuration_view)
        return [
            path("", view, name="{}_{}_changelist".format(*info)),
            path(
                "<path:object_id>/change/",
                self.redirect_to_screen,
                name="{}_{}_change".format(*info),
            ),
            path("<path:object_id>/", self.redirect_to_screen),
        ]

    def redirect_to_screen(self, request, object_id=None):
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    def get_configuration(self):
        raise NotImplementedError

    def initial_data(self, configuration):
        raise NotImplementedError

    def save(self, form, request):
        raise NotImplementedError

    def configuration_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        can_change = self.has_change_permission(request)
        configuration = self.get_configuration()
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            form = self.form_class(request.POST)
            if form.is_valid():
                try:
                    self.save(form, request)
                except ServiceError as error:
                    form.add_error(None, service_error_text(error))
                    messages.error(request, service_error_text(error))
                else:
                    messages.success(request, f"The {self.opts.verbose_name} was saved.")
                    return HttpResponseRedirect(request.path)
        else:
            form = self.form_class(initial=self.initial_data(configuration))
        if not can_change:
            for field in form.fields.values():
                field.disabled = True
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.opts.verbose_name.capitalize(),
            "form": form,
            "configuration": configuration,
            "can_change": can_change,
            "extra": self.extra_context(form, configuration),
        }
        return TemplateResponse(request, self.template_name, context)

    def extra_context(self, form, configuration):
        return {}


class PromisesConfigurationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    invalid_after_time = forms.CharField(
        label="invalidAfterTime",
        max_length=64,
        help_text="ISO 8601 duration, a multiple of 60 seconds: PT8H, PT30M, P1D.",
        widget=forms.TextInput(attrs={"size": 12}),
    )


@admin.register(PromisesConfiguration)
class PromisesConfigurationAdmin(SingletonConfigurationAdmin):
    form_class = PromisesConfigurationForm

    def get_configuration(self):
        return services.get_promises_configuration()

    def initial_data(self, configuration):
        return {
            "version": configuration.version,
            "invalid_after_time": configuration.invalid_after_time,
        }

    def save(self, form, request):
        services.update_promises_configuration(
            version=form.cleaned_data["version"],
            invalid_after_time=form.cleaned_data["invalid_after_time"].strip(),
        )

    def extra_context(self, form, configuration):
        return {"reading": humanize_iso_duration(configuration.invalid_after_time)}


class RoutingConfigurationForm(forms.Form):
    """One field per fence and rating the engine knows, so staff cannot misspell a name."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    # Ranges are the service's to enforce; the form only parses numbers.
    max_split_count = forms.IntegerField(
        label="Max split count",
        help_text="The most facilities one order may be split across.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FENCE_NAMES:
            self.fields[f"fence_{name}"] = forms.BooleanField(label=f"Fence {name}", required=False)
        for name in default_ratings():
            self.fields[f"rating_{name}_active"] = forms.BooleanField(
                label=f"Rating {name}", required=False
            )
            self.fields[f"rating_{name}_max_penalty"] = forms.FloatField(label=f"{name} maxPenalty")

    def fences(self):
        return {name: {"active": self.cleaned_data[f"fence_{name}"]} for name in FENCE_NAMES}

    def ratings(self):
        return {
            name: {
                "active": self.cleaned_data[f"rating_{name}_active"],
                "maxPenalty": self.cleaned_data[f"rating_{name}_max_penalty"],
            }
            for name in default_ratings()
        }

    def fence_fields(self):
        return [self[f"fence_{name}"] for name in FENCE_NAMES]

    def rating_rows(self):
        return [
            (name, self[f"rating_{name}_active"], self[f"rating_{name}_max_penalty"])
            for name in default_ratings()
        ]


@admin.register(RoutingConfiguration)
class RoutingConfigurationAdmin(SingletonConfigurationAdmin):
    form_class = RoutingConfigurationForm
    template_name = "admin/promises/routing_configuration.html"

    def get_configuration(self):
        return services.get_routing_configuration()

    def initial_data(self, configuration):
        initial = {
            "version": configuration.version,
            "max_split_count": configuration.max_split_count,
        }
        fences = configuration.fences or {}
        for name, default in default_fences().items():
            initial[f"fence_{name}"] = (fences.get(name) or {}).get("active", default)
        ratings = configuration.ratings or {}
        for name, default in default_ratings().items():
            stored = ratings.get(name) or {}
            initial[f"rating_{name}_active"] = stored.get("active", default.active)
            initial[f"rating_{name}_max_penalty"] = stored.get("maxPenalty", default.max_penalty)
        return initial

    def save(self, form, request):
        services.update_routing_configuration(
            version=form.cleaned_data["version"],
            max_split_count=form.cleaned_data["max_split_count"],
            fences=form.fences(),
            ratings=form.ratings(),
        )
