"""Checkout options: the product page's and the cart's questions answered before anything is
promised, reserving nothing (options.py: the reads; wire.py: the reference's shapes)."""
