import copy

import pytest

# The example order of the orders document (004_…), verbatim.
DOCUMENT_EXAMPLE_ORDER = {
    "consumer": {
        "addresses": [
            {
                "salutation": "Meneer",
                "firstName": "David",
                "lastName": "van den Boomgaard",
                "street": "Rombout Hogerbeetsstraat",
                "houseNumber": "96",
                "postalCode": "1052 XM",
                "province": "Noord-Holland",
                "city": "Amsterdam",
                "country": "NL",
            }
        ],
        "email": "[email protected]",
    },
    "tenantOrderId": "R456728546",
    "orderDate": "2024-01-19T08:45:50.525Z",
    "orderLineItems": [
        {
            "article": {"tenantArticleId": "TSHIRT-W-2468", "title": "Basic T-Shirt White"},
            "quantity": 10,
        },
        {
            "article": {"tenantArticleId": "JEANS-B-2605", "title": "Washed Slim Fit Jeans"},
            "quantity": 3,
        },
        {"article": {"tenantArticleId": "SNEAK-W-4891", "title": "White Sneakers"}, "quantity": 1},
    ],
    "deliveryPreferences": {"shipping": {"serviceLevel": "DELIVERY"}},
}


@pytest.fixture
def example_order():
    return copy.deepcopy(DOCUMENT_EXAMPLE_ORDER)
