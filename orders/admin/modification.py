"""The back office's "Modify order" screen: line quantities and the shipping address, sent
through the PATCH's own parsing (OrderForUpdateSerializer) and service
(promises.placement.modify_order), so the order is re-routed and refused exactly as over the
API; a refusal is shown as a message and the page keeps what the user typed."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from rest_framework.exceptions import ValidationError

from config.admin_support import report_service_error
from config.api.errors import validation_errors
from config.api.validation import validated
from config.errors import ServiceError
from orders.modification import MODIFIABLE_STATUSES
from orders.serializers.requests import OrderForUpdateSerializer
from promises import placement

CHANGE_PERMISSION = "orders.change_order"
ADDRESS_FIELDS = {
    "street": "Street",
    "houseNumber": "House number",
    "postalCode": "Postal code",
    "city": "City",
    "country": "Country (ISO alpha-2)",
}


def shipping_address_index(consumer):
    """Where the order ships to: its first address that is not the invoice address."""
    for index, address in enumerate((consumer or {}).get("addresses") or []):
        if isinstance(address, dict) and address.get("addressType") != "INVOICE_ADDRESS":
            return index
    return None


class OrderModificationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(required=False, max_length=1000)

    def __init__(self, order, lines, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order, self.lines = order, lines
        for line in lines:
            self.fields[f"quantity_{line.id}"] = forms.IntegerField(
                label=f"{line.tenant_article_id} ({line.article.get('title', '')})",
                min_value=0,
                initial=line.quantity,
            )
        index = shipping_address_index(order.consumer)
        address = order.consumer["addresses"][index] if index is not None else {}
        for key, label in ADDRESS_FIELDS.items():
            self.fields[f"address_{key}"] = forms.CharField(
                label=label, required=False, initial=address.get(key, "")
            )

    def line_fields(self):
        return [self[f"quantity_{line.id}"] for line in self.lines]

    def address_fields(self):
        return [self[f"address_{key}"] for key in ADDRESS_FIELDS]

    def patch_body(self):
        """The OrderForUpdate body this form stands for (only what the user changed)."""
        data = self.cleaned_data
        body = {"version": data["version"]}
        if data["comment"]:
            body["comment"] = data["comment"]
        quantities = {str(line.id): data[f"quantity_{line.id}"] for line in self.lines}
        if any(quantities[str(line.id)] != line.quantity for line in self.lines):
            body["orderLineItems"] = [
                {"id": line_id, "quantity": quantity} for line_id, quantity in quantities.items()
            ]
        consumer = _with_shipping_address(
            self.order.consumer, {key: data[f"address_{key}"].strip() for key in ADDRESS_FIELDS}
        )
        if consumer != self.order.consumer:
            body["consumer"] = consumer
        return body


def _with_shipping_address(consumer, edited):
    consumer = dict(consumer or {})
    addresses = list(consumer.get("addresses") or [])
    index = shipping_address_index(consumer)
    current = addresses[index] if index is not None else {}
    address = {**current, **{key: value for key, value in edited.items() if value}}
    for key, value in edited.items():
        if not value:
            address.pop(key, None)
    if address == current:
        return consumer
    if index is None:
        addresses.append(address)
    else:
        addresses[index] = address
    return {**consumer, "addresses": addresses}


class OrderModificationMixin:
    """For the order ModelAdmin: the URL and view of the modification screen."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/modify/",
                self.admin_site.admin_view(self.modify_order_view),
                name="{}_{}_modify".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if request.user.has_perm(CHANGE_PERMISSION):
            extra_context["modify_url"] = reverse("admin:orders_order_modify", args=[object_id])
            extra_context["modifiable_statuses"] = MODIFIABLE_STATUSES
        return super().change_view(request, object_id, form_url, extra_context)

    def modify_order_view(self, request, object_id):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        order = self.get_object(request, object_id)
        if order is None:
            messages.error(request, "This order does not exist.")
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        lines = list(order.order_line_items.all())
        if request.method == "POST":
            form = OrderModificationForm(order, lines, request.POST)
            if form.is_valid() and _modify(request, order, form):
                return HttpResponseRedirect(change_url)
        else:
            form = OrderModificationForm(order, lines, initial={"version": order.version})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": order,
            "title": f"Modify order {order}",
            "form": form,
            "modifiable": order.status in MODIFIABLE_STATUSES,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/orders/order/modify.html", context)


def _modify(request, order, form):
    """Run the PATCH service; True when it went through."""
    body = form.patch_body()
    if set(body) <= {"version", "comment"}:
        messages.warning(request, "Nothing to change: the quantities and address are as they were.")
        return False
    try:
        placement.modify_order(
            order.pk, validated(OrderForUpdateSerializer, body), actor=request.user
        )
    except ValidationError as error:
        # Worded as the API words it: "consumer.addresses[0].country: …".
        messages.error(request, "; ".join(e["summary"] for e in validation_errors(error.detail)))
        return False
    except ServiceError as error:
        report_service_error(request, error)
        return False
    messages.success(request, f"Order {order} modified and re-routed.")
    return True
