from django import template

from config import admin_dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def backoffice_dashboard(context):
    """The dashboard figures, or None for a user who may not see orders."""
    request = context.get("request")
    if request is None or not request.user.has_perm("orders.view_order"):
        return None
    figures = admin_dashboard.dashboard()
    return {"figures": figures, "chart": admin_dashboard.funnel_chart(figures.funnel)}


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.0f} %"
