"""Reads of the inventory, one module per concern: availability (the one place "value minus
active reservations" is computed), the daily order counters (capacity), paging, and the API's
reads of facilities, carriers, listings, stocks and reservations."""
