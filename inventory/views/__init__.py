"""Inventory API views, one module per entity: parse, call a selector or service, render. No
business rules here. `shared` holds the permissions table helper, the facility a list is
filtered by and the page info; the query parameters each list accepts are its serializer in
inventory/serializers/queries.py; inventory/urls.py routes to the views."""
