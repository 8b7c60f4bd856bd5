"""The order actions of the back office: one table (ORDER_ACTIONS), the buttons of the change
page and the bulk actions of the list. Each calls the service the API calls; a refusal
(config.errors.ServiceError) is shown to the user as a message."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from config.admin_support import report_service_error, service_error_text
from config.errors import ServiceError
from orders import modification
from orders import services as order_services
from promises import placement
from promises import services as promise_services

ACTION_PERMISSION = "orders.perform_order_actions"

# Each order is its own service call and transaction; keep a bulk action to a screenful.
BULK_ACTION_LIMIT = 100

ORDER_ACTIONS = {
    "confirm-promise": {
        "slug": "confirm-promise",
        "label": "Confirm promise",
        "service": promise_services.confirm_promise,
        "statuses": promise_services.PROMISE_ACTION_STATUSES,
        "question": "The order becomes OPEN and its reservations become permanent.",
        "inputs": {"tenant_order_id": "tenant_order_id"},
        "done": "Promise {order} confirmed.",
    },
    "extend-promise": {
        "slug": "extend-promise",
        "label": "Extend promise",
        "service": promise_services.extend_promise,
        "statuses": promise_services.PROMISE_ACTION_STATUSES,
        "question": "The promise and its reservations are kept for another full promise "
        "duration from now.",
        "inputs": {},
        "done": "Promise {order} extended.",
    },
    "cancel": {
        "slug": "cancel",
        "label": "Cancel order",
        "service": order_services.cancel_order,
        "statuses": order_services.CANCELLABLE_STATUSES,
        "question": "The order is cancelled and its reserved stock released.",
        "inputs": {"reason": "reason"},
        "done": "Order {order} cancelled.",
    },
    "reroute": {
        "slug": "reroute",
        "label": "Re-route order",
        "service": placement.reroute_order,
        "statuses": modification.MODIFIABLE_STATUSES,
        "question": "The order's reservations are released and it is routed again as it stands "
        "now; the new decision is kept beside the old one. If the network cannot serve it, "
        "nothing changes.",
        "inputs": {},
        "done": "Order {order} re-routed.",
    },
}


class OrderActionsMixin:
    """For the order ModelAdmin: the action URLs and views, and the list's bulk actions (same
    services, same confirmation step)."""

    actions = ["extend_selected_promises", "cancel_selected_orders"]

    def get_urls(self):
        urls = super().get_urls()
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/actions/<slug:action>/",
                self.admin_site.admin_view(self.order_action_view),
                name="{}_{}_action".format(*info),
            ),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context.setdefault("title", "Order")
        extra_context["order_actions"] = (
            ORDER_ACTIONS if request.user.has_perm(ACTION_PERMISSION) else {}
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_perform_order_actions_permission(self, request):
        return request.user.has_perm(ACTION_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        # Every list action acts on orders: refuse it outright, rather than Django's
        # "no action selected" page, for users who may not act.
        if (
            request.method == "POST"
            and "action" in request.POST
            and not self.has_perform_order_actions_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    # --- bulk actions on the list ---------------------------------------------------------

    @admin.action(description="Extend selected promises", permissions=["perform_order_actions"])
    def extend_selected_promises(self, request, queryset):
        return self._bulk_order_action(request, queryset, "extend-promise")

    @admin.action(description="Cancel selected orders", permissions=["perform_order_actions"])
    def cancel_selected_orders(self, request, queryset):
        return self._bulk_order_action(request, queryset, "cancel")

    def _bulk_order_action(self, request, queryset, slug):
        """First call: a confirmation page listing the orders with the versions shown. Second
        call (post=yes): the service for each order with the version the user confirmed."""
        spec = ORDER_ACTIONS[slug]
        orders = list(queryset.order_by("-order_date", "-id")[: BULK_ACTION_LIMIT + 1])
        if len(orders) > BULK_ACTION_LIMIT:
            messages.error(request, f"Select at most {BULK_ACTION_LIMIT} orders at a time.")
            return None
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{spec['label']}: {len(orders)} orders",
                "action": spec,
                "action_name": request.POST.get("action"),
                "orders": orders,
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(
                request, "admin/orders/order/bulk_action_confirmation.html", context
            )
        _run_bulk_order_action(request, spec, orders)
        return None

    # --- one order, from the change page --------------------------------------------------

    def order_action_view(self, request, object_id, action):
        if not request.user.has_perm(ACTION_PERMISSION):
            raise PermissionDenied
        spec = ORDER_ACTIONS.get(action)
        if spec is None:
            raise PermissionDenied
        order = self.get_object(request, object_id)
        if order is None:
            messages.error(request, "This order does not exist.")
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        if request.method == "POST":
            _run_order_action(request, spec, order)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": order,
            "title": f"{spec['label']}: {order}",
            "action": spec,
            "version": request.GET.get("version", order.version),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/orders/order/action_confirmation.html", context)


def _run_bulk_order_action(request, spec, orders):
    """Each order succeeds or fails on its own, and both are reported."""
    service = spec["service"]
    done, refused = [], []
    for order in orders:
        try:
            version = int(request.POST.get(f"version_{order.pk}", ""))
            service(order.pk, version=version, actor=request.user)
        except ValueError:
            refused.append(f"{order}: the page did not send its version")
        except ServiceError as error:
            refused.append(f"{order}: {service_error_text(error)}")
        else:
            done.append(str(order))
    if done:
        messages.success(request, f"{spec['label']}: done for {', '.join(done)}.")
    for text in refused:
        messages.error(request, text)


def _run_order_action(request, spec, order):
    """The confirmed action on one order, with the version and inputs the page sent."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "The page did not send the order's version; reload it.")
        return
    arguments = {"version": version, "actor": request.user}
    for form_field, argument in spec["inputs"].items():
        value = request.POST.get(form_field, "").strip()
        if value:
            arguments[argument] = value
    try:
        spec["service"](order.pk, **arguments)
    except ServiceError as error:
        report_service_error(request, error)
    else:
        messages.success(request, spec["done"].format(order=order))
