"""Inventory API views, one module per entity: parse, call a selector or service, render. No
business rules here. `shared` holds the permissions table helper and the query parameters the
lists read; inventory/urls.py routes to the views."""
