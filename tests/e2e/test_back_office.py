"""The back office in a real browser: headless Chromium (Debian's chromium + chromium-driver)
driven by Selenium against pytest-django's live server.

Staff log in, filter the promised orders, open one, extend it, set the promise duration to
PT30M and see PT30S refused. With DOMS_SCREENSHOTS=1 the test also writes the README's
screenshots to docs/screenshots/.
"""

import os
import random
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from orders.models import Order, OrderStatus
from promises.models import PromisesConfiguration
from promises.sql import EXPIRED_REASON
from tests.admin_helpers import PASSWORD, SOURCING_OPTION, make_order, make_staff
from tests.inventory.factories import FacilityFactory, StockFactory, WarehouseFactory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium "
        "chromium-driver); .ci/run installs them",
    ),
]


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="doms-e2e-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name, height=1000, max_height=2400):
    if os.environ.get("DOMS_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    full_height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(height, min(full_height, max_height)))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1400, 1000)


def demo_data():
    """A small network and a fortnight of promises, so the screens look like a real day."""
    amsterdam = FacilityFactory(name="Amsterdam Damrak", tenant_facility_id="STORE-AMS")
    utrecht = FacilityFactory(name="Utrecht Centraal", tenant_facility_id="STORE-UTR")
    warehouse = WarehouseFactory(name="Tilburg DC", tenant_facility_id="WH-TIL")
    StockFactory(facility=utrecht, tenant_article_id="SOLD-OUT", value=0)
    people = [
        ("Anna Jansen", "anna@example.com"),
        ("Bram de Vries", "bram@example.com"),
        ("Chloé Bakker", "chloe@example.com"),
        ("Daan Visser", "daan@example.com"),
    ]
    generator = random.Random(7)
    now = timezone.now()
    number = 0
    for days_ago in range(13, -1, -1):
        for _ in range(generator.randint(3, 7)):
            number += 1
            name, email = people[number % len(people)]
            outcome = generator.choice(["confirmed", "confirmed", "expired", "waiting"])
            if days_ago and outcome == "waiting":
                outcome = "confirmed"
            order = make_order(
                tenant_order_id=f"R-{10000 + number}",
                status=OrderStatus.PROMISED,
                facility=generator.choice([amsterdam, utrecht, warehouse]),
                collect=generator.random() < 0.3,
                lines=[("TSHIRT-W-2468", generator.randint(1, 3)), ("JEANS-32", 1)][
                    : generator.randint(1, 2)
                ],
                consumer_name=name,
                consumer_email=email,
                consumer_id=f"C-{number % len(people)}",
                order_date=now - timedelta(days=days_ago, minutes=number),
                valid_for=timedelta(hours=generator.randint(1, 8)),
                extra={"sourcingOption": SOURCING_OPTION},
            )
            updates = {"created": now - timedelta(days=days_ago, minutes=number)}
            if outcome == "confirmed":
                updates.update(status=OrderStatus.OPEN, promise_valid_until=None)
            elif outcome == "expired":
                updates.update(
                    status=OrderStatus.CANCELLED,
                    status_reasons=[{"status": "CANCELLED", "reason": EXPIRED_REASON}],
                )
            Order.objects.filter(pk=order.pk).update(**updates)
    return make_order(
        tenant_order_id="R-PROMISED-1",
        status=OrderStatus.PROMISED,
        facility=amsterdam,
        lines=[("TSHIRT-W-2468", 2), ("JEANS-32", 1)],
        consumer_name="Eva Smit",
        consumer_email="eva@example.com",
        consumer_id="C-EVA",
        valid_for=timedelta(minutes=20),
        extra={"sourcingOption": SOURCING_OPTION},
        update_details=[
            {
                "created": now.isoformat(),
                "user": "checkout",
                "comment": "consumer chose next-day delivery",
                "changes": [{"field": "preferredHandlingTime"}],
            }
        ],
    )


def click_and_wait(browser, element):
    """Click something that loads a new page and wait until the old page is gone, so the next
    lookup cannot read the page we are leaving."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def left_old_page(driver):
        # Chromium sometimes reports a detached node as "does not belong to the document"
        # rather than as a stale reference; both mean the old page is gone.
        try:
            old_page.is_enabled()
        except WebDriverException:
            return driver.execute_script("return document.readyState") == "complete"
        return False

    WebDriverWait(browser, 15).until(left_old_page)


def test_staff_filter_open_extend_and_configure(live_server, browser):
    from selenium.webdriver.common.by import By

    promised = demo_data()
    make_staff("ops", superuser=True)

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("ops")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "input[type=submit]"))
    assert browser.find_element(By.ID, "doms-dashboard").is_displayed()
    screenshot(browser, "dashboard")

    # Filter the promised orders.
    browser.get(f"{live_server.url}/admin/orders/order/")
    screenshot(browser, "order-list", max_height=1000)
    click_and_wait(
        browser,
        browser.find_element(
            By.CSS_SELECTOR, "#changelist-filter a[href*='status__exact=PROMISED']"
        ),
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    statuses = {row.find_element(By.CSS_SELECTOR, ".doms-badge").text for row in rows}
    assert statuses == {"PROMISED"}

    # Open one and extend it, confirming on the intermediate page.
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "R-PROMISED-1"))
    assert "Total penalty" in browser.page_source
    screenshot(browser, "order", height=1400)
    before = Order.objects.get(pk=promised.pk).promise_valid_until
    click_and_wait(browser, browser.find_element(By.ID, "action-extend-promise"))
    click_and_wait(browser, browser.find_element(By.ID, "confirm-action"))
    message = browser.find_element(By.CSS_SELECTOR, ".messagelist .success").text
    assert "extended" in message
    promised.refresh_from_db()
    assert promised.version == 2 and promised.promise_valid_until > before

    # Change the promise duration to PT30M, then see PT30S refused.
    browser.get(f"{live_server.url}/admin/promises/promisesconfiguration/")
    field = browser.find_element(By.NAME, "invalid_after_time")
    field.clear()
    field.send_keys("PT30M")
    click_and_wait(browser, browser.find_element(By.ID, "save-configuration"))
    assert "PT30M = 30 minutes" in browser.find_element(By.ID, "duration-reading").text
    assert PromisesConfiguration.objects.get().invalid_after_time == "PT30M"
    screenshot(browser, "promises-configuration")

    field = browser.find_element(By.NAME, "invalid_after_time")
    field.clear()
    field.send_keys("PT30S")
    click_and_wait(browser, browser.find_element(By.ID, "save-configuration"))
    error = browser.find_element(By.CSS_SELECTOR, ".errorlist").text
    assert "multiple of 60 seconds" in error
    assert PromisesConfiguration.objects.get().invalid_after_time == "PT30M"

    browser.get(f"{live_server.url}/admin/promises/routingconfiguration/")
    assert browser.find_element(By.NAME, "max_split_count").get_attribute("value") == "3"
    screenshot(browser, "routing-configuration", max_height=1600)
