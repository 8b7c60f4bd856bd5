"""The reference's search endpoints (`POST /api/<entities>/search`), shared by every app: the
payload (`payload`: filter operators, nested `and` / `or`, sort, page size and cursors), how a
validated query becomes a `Q` (`filters`: a table of wire name → column and operator kind) and
keyset pagination (`pages`: `search_page` and the rendered `…PaginatedResult`). Each entity
declares its query serializer, its filter table and its sort keys.
"""
