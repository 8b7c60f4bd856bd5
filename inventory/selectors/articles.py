"""Which articles the network knows at all: listed or stocked at some facility."""

from inventory.models import Listing, Stock


def known_articles(tenant_article_ids):
    """The subset of `tenant_article_ids` some facility lists or stocks (two index lookups)."""
    wanted = set(tenant_article_ids)
    if not wanted:
        return set()
    listed = set(
        Listing.objects.filter(tenant_article_id__in=wanted).values_list(
            "tenant_article_id", flat=True
        )
    )
    unlisted = wanted - listed
    stocked = set(
        Stock.objects.filter(tenant_article_id__in=unlisted).values_list(
            "tenant_article_id", flat=True
        )
        if unlisted
        else ()
    )
    return listed | stocked
