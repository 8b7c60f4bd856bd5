from django.urls import path

from orders import views

urlpatterns = [
    path("orders", views.OrderCollectionView.as_view(), name="order-list"),
    # Before <order_id>, or "search" would be taken for an order id.
    path("orders/search", views.OrderSearchView.as_view(), name="order-search"),
    path("orders/actions", views.OrderBulkActionsView.as_view(), name="order-bulk-actions"),
    path("orders/<str:orderId>", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<str:orderId>/actions", views.OrderActionsView.as_view(), name="order-actions"),
    path(
        "orders/<str:orderId>/orderlineitems/<str:orderLineItemId>/actions",
        views.OrderLineItemActionsView.as_view(),
        name="order-line-item-actions",
    ),
    path(
        "configurations/ordermodification",
        views.OrderModificationConfigurationView.as_view(),
        name="order-modification-configuration",
    ),
]
