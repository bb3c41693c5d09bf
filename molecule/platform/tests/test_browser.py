"""The receipt-to-expense flow as a person does it, in a real browser: headless Chromium
(Debian's chromium and chromedriver, driven by Selenium) in a container on the scenario's
network (see browser/Dockerfile for why not on this machine), the erp name resolved to the
ERP host, Odoo through the Nginx front over HTTPS. Log in, New expense, type a
description, attach a receipt photo, click "Process with OCR", wait for the job, and see
the amount the receipt says. When the test fails, the page's screenshot, its browser
console and the Odoo server's log of the last minutes are saved under .cache/screenshots/."""

import base64
import json
import os
import re
import subprocess
import time
import urllib.request

import pytest
from conftest import DOMAIN, NETWORK, address_of, https, receipt

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chromium.remote_connection import ChromiumRemoteConnection  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.file_detector import UselessFileDetector  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = os.environ["MOLECULE_PROJECT_DIRECTORY"]
SHOTS = os.path.join(ROOT, ".cache", "screenshots")
RECIPE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "browser")
BASE_IMAGE = os.environ.get("MOLECULE_DEBIAN12_IMAGE", "insightpulse/debian12:latest")
IMAGE, CONTAINER = "ipp-platform-browser:latest", "ipp-platform-browser"
SEED = 1003  # a standard VAT receipt from the OCR service's generator
BASE = f"https://erp.{DOMAIN}"


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    """A directory the browser container sees at the same path: a file input is given
    the path of a file, which chromedriver opens where Chromium runs."""
    return tmp_path_factory.mktemp("browser-uploads")


@pytest.fixture(scope="module")
def browser(erp_address, uploads):
    # Built from Docker's cache after the first time (a cold build takes under a minute).
    docker("build", "-q", "-t", IMAGE, "--build-arg", f"BASE_IMAGE={BASE_IMAGE}", RECIPE)
    subprocess.run(["docker", "rm", "-f", CONTAINER], capture_output=True, check=False)
    docker("run", "-d", "--rm", "--init", "--name", CONTAINER, "--network", NETWORK, "--shm-size=1g",
           "-v", f"{uploads}:{uploads}:ro", IMAGE)
    try:
        url = f"http://{address_of(CONTAINER)}:4444"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/status", timeout=5) as answer:  # noqa: S310 (http, built above)
                    if json.load(answer)["value"]["ready"]:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, docker("logs", CONTAINER)
            time.sleep(1)
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                    "--ignore-certificate-errors", f"--host-resolver-rules=MAP erp.{DOMAIN} {erp_address}"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        connection = ChromiumRemoteConnection(url, vendor_prefix="goog", browser_name="chrome", ignore_proxy=True)
        driver = webdriver.Remote(command_executor=connection, options=options)
        # Paths given to file inputs are the browser's own (see `uploads`), never uploaded.
        driver.file_detector = UselessFileDetector()
        driver.implicitly_wait(0)
        yield driver
        driver.quit()
    finally:
        subprocess.run(["docker", "rm", "-f", CONTAINER], capture_output=True, check=False)


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, browser, erp):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        os.makedirs(SHOTS, exist_ok=True)
        base = os.path.join(SHOTS, request.node.name)
        browser.save_screenshot(base + ".png")
        with open(base + ".console.log", "w", encoding="utf-8") as out:
            for entry in browser.execute("getLog", {"type": "browser"})["value"]:
                out.write(f"{entry.get('level')} {entry.get('message')}\n")
        server = erp.run("docker logs --since 15m $(docker ps -q --filter name=odoo-odoo) 2>&1 | grep -v /web/health")
        with open(base + ".odoo.log", "w", encoding="utf-8") as out:
            out.write(server.stdout)


def wait(driver, seconds=60):
    """A wait that counts a vanished element as "not yet": Odoo's web client renders its
    components again as data arrives, so an element found a moment ago may have been
    replaced by the time it is read or clicked (StaleElementReferenceException)."""
    return WebDriverWait(driver, seconds, poll_frequency=0.5,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def act(driver, css, action, seconds=60, hidden=False):
    """Do `action` to the element `css` names once it is shown and enabled (at once when it
    is `hidden` by design, as a file input behind a button), finding it again if the web
    client replaced it in between."""
    def attempt(driver):
        element = driver.find_element(By.CSS_SELECTOR, css)
        if not hidden and not (element.is_displayed() and element.is_enabled()):
            return False
        action(element)
        return True
    wait(driver, seconds).until(attempt)


def click(driver, css, seconds=60):
    act(driver, css, lambda element: element.click(), seconds)


def type_into(driver, css, text, seconds=60, hidden=False):
    act(driver, css, lambda element: element.send_keys(text), seconds, hidden)


def read(driver, css, attribute=None, seconds=60):
    """The text (or `attribute`) of the element `css` names, read from the element as it is
    now; waits while it is missing, replaced mid-read or empty."""
    def attempt(driver):
        element = driver.find_element(By.CSS_SELECTOR, css)
        value = element.get_attribute(attribute) if attribute else element.text
        return (value or "").strip() or False
    return wait(driver, seconds).until(attempt)


def warm_assets(address, password, jar):
    """Ask for the login page's and the web client's asset bundles (Odoo builds each one on
    its first request) with curl and a long timeout, as a person's first visit would, so
    that Chromium's waits below measure the flow and not a bundle build on a loaded machine.
    Returns the bundles' statuses."""
    fqdn = f"erp.{DOMAIN}"
    login = json.dumps({"jsonrpc": "2.0", "params": {"db": "odoo", "login": "admin", "password": password}})
    https(address, fqdn, "/web/session/authenticate", "-c", str(jar), "-H", "Content-Type: application/json",
          "-d", login, timeout=300)
    statuses = {}
    for page in ("/web/login", "/odoo"):
        _, html = https(address, fqdn, page, "-b", str(jar), timeout=600)
        for url in sorted(set(re.findall(r"/web/assets/[^\"'\s>]+", html))):
            statuses[url] = https(address, fqdn, url, "-L", "-b", str(jar), timeout=600)[0]
    return statuses


def test_receipt_photo_to_filled_expense_in_the_browser(browser, erp, erp_address, uploads, tmp_path):
    expected, jpeg = receipt(SEED)
    photo = uploads / f"receipt-{SEED}.jpg"
    photo.write_bytes(base64.b64decode(jpeg))
    password = erp.file("/etc/insightpulse/secrets/odoo_admin_password").content_string.strip()
    bundles = warm_assets(erp_address, password, tmp_path / "cookies")
    assert bundles and all(status == 200 for status in bundles.values()), bundles

    browser.get(f"{BASE}/web/login")
    # The form shows once the page's scripts ran (the first visit may build the asset bundles).
    type_into(browser, "#login", "admin", 180)
    type_into(browser, "#password", password)
    # Odoo enables the button once its scripts ran; on a loaded machine the first visit's
    # bundles may come after the fields do (a click before that submits nothing).
    click(browser, "form.oe_login_form button[type=submit]", 180)
    wait(browser, 180).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".o_main_navbar")))

    browser.get(f"{BASE}/odoo/action-hr_expense.hr_expense_actions_my_all/new")
    type_into(browser, "div[name=name] input", f"Browser receipt {SEED}", 120)
    # The form requires a category: Odoo's own "Meals" (no fixed cost, the receipt sets the amount).
    type_into(browser, "div[name=product_id] input", "Meals")
    click(browser, ".o-autocomplete--dropdown-item a")
    # Save, then attach the photo with the chatter's paperclip (its file input), and
    # reload: the form shows "Process with OCR" once the expense has a receipt.
    click(browser, ".o_form_button_save")
    wait(browser).until(ec.invisibility_of_element_located((By.CSS_SELECTOR, ".o_form_button_save")))
    type_into(browser, "input.o-mail-Chatter-fileUploader", str(photo), hidden=True)
    attached = ".o-mail-AttachmentList img, .o-mail-AttachmentCard, .o-mail-AttachmentImage"
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, attached)))
    browser.refresh()
    click(browser, "button[name=action_ocr_process]")
    clicked = time.monotonic()
    # The badge leaves "Not Processed": Queued, or already the job's result when it ran
    # before the form read the expense again.
    wait(browser).until(lambda driver: read(driver, "div[name=ocr_state]") != "Not Processed")

    # The job runs in the background: reload until its result shows. A reload that does not
    # show the expense within a minute counts as "not yet" and the next one follows: it may be
    # slow while the job holds one of the sandbox Odoo's two workers waiting for the OCR
    # service on a saturated machine.
    state = ""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        browser.refresh()
        try:
            state = read(browser, "div[name=ocr_state]")
        except TimeoutException:
            print("browser: the expense did not show within 60 s of a reload; reloading again")
            continue
        if state != "Queued":
            break
        time.sleep(2)
    seconds = time.monotonic() - clicked
    assert state in ("Done", "Needs Review", "Needs review"), state
    amount = read(browser, "div[name=total_amount_currency] input", "value")
    assert float(amount.replace(",", "")) == pytest.approx(expected["total"]), (amount, expected)
    print(f"browser: click to filled fields {seconds:.1f} s (state {state})")
