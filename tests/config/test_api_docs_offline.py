"""The API docs load on a machine without internet: Swagger UI and ReDoc, and every script and
stylesheet they reference, come from the app itself."""

import re
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.django_db


def referenced_assets(html):
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_page_and_all_its_assets_are_served_by_the_app(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assets = referenced_assets(html)
    assert assets, "the page references its scripts and stylesheets"
    for asset in assets:
        url = urlsplit(urljoin(f"http://testserver{page}", asset))
        assert url.netloc == "testserver", f"{asset} comes from another host"
        fetched = client.get(url.path)
        assert fetched.status_code == 200, asset
        body = b"".join(fetched.streaming_content) if fetched.streaming else fetched.content
        assert body, asset
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
