"""Back office for the network: facilities, carriers, connections, listings, stock and
reservations. Every add, change and delete goes through inventory.services, exactly as the API's
do (so e.g. stock can never be set below what reservations hold); reserved and available come
from inventory.selectors; reservations are read-only (only the services make them).

The admins are in inventory.admin.network (facilities, carriers, connections) and
inventory.admin.stock (listings, stock, reservations), their list filters in
inventory.admin.filters; importing them here registers them.
"""

from inventory.admin import network, stock

__all__ = ["network", "stock"]
