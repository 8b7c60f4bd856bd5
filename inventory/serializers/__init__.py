"""Wire shapes of the inventory API (reference names, camelCase), one module per entity; `wire`
holds the fields and bases they share.

Input serializers validate and return plain dicts for the services; output serializers render
model instances. Wire fields that have no behaviour behind them (contact, tags, customAttributes,
...) are accepted as they are, stored in the model's `extra` and echoed back unchanged. The
classes named only for the OpenAPI schema (drf-spectacular: one component per wire shape) sit at
the end of each module.
"""
