"""Writes to the inventory, one module per entity: reservations (stock held for orders, under
the stock locks of inventory.locking), capacity (the daily order counters), facilities,
carriers, connections, listings, stocks and the bulk stock upsert. Each write runs in
`transaction.atomic`; `changes` holds what the API's writes share (version check, extra fields).
"""
