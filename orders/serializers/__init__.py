"""Wire shapes of the orders API (camelCase, as the reference API names them): the pieces
requests and responses share (`pieces.py`), the request bodies (`requests.py`) and the
order as we render it (`representation.py`, `ORDER_WIRE_FIELDS`).

Request serializers keep the wire names in `validated_data`: services receive a validated wire
dict. Nested structures are stored as JSON in that same shape, so response serializers pass
them through and only name them for the OpenAPI schema.
"""
