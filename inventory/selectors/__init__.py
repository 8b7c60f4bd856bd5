"""Reads of the inventory, one module per concern: availability (the one place "value minus
active reservations minus safety stock" is computed), the daily order counters (capacity),
paging, the searches (search), and the API's reads of facilities, carriers (and their
prioritisation), listings, stocks and reservations."""
