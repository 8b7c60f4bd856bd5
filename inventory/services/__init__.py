"""Writes to the inventory, one module per entity: reservations (stock held for orders, under
the stock locks of inventory.locking) and the actions that remove them, capacity (the daily
order counters), facilities, carriers (and their configuration), connections, listings (and
partial stocks), stocks, the bulk stock upsert and the stock actions. Each write runs in
`transaction.atomic`; `changes` holds what the API's writes share (version check, extra fields).
"""
