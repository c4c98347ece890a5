"""The clinician's page in Debian's Chromium: sign-in, cohort, athlete with both charts, what-if, recording an
injury, sign-out, a revoked key, the database-unavailable state and an accessibility scan of each view."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.service.web.conftest import Site, screenshot


def sign_in(page: Page, site: Site, key: str | None = None) -> None:
    page.goto(f"{site.url}/app/")
    page.get_by_label("API key").fill(key or site.clinician_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("table.cohort tbody tr").first).to_be_visible()


def test_a_wrong_key_is_refused_with_a_message_and_a_right_one_opens_the_cohort(page: Page, site: Site):
    page.goto(f"{site.url}/app/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "01-sign-in")
    page.get_by_label("API key").fill("ir_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#key-error")).to_contain_text("was not accepted: it is unknown")
    screenshot(page, "02-sign-in-wrong-key")
    sign_in(page, site)
    expect(page.locator("table.cohort tbody tr")).to_have_count(20)
    assert page.evaluate("sessionStorage.length") == 1
    assert site.clinician_key not in page.url and page.context.cookies() == []
    screenshot(page, "03-cohort")


def test_cohort_filters_by_injury_and_band_searches_and_pages(page: Page, site: Site):
    sign_in(page, site)
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator("table.cohort tbody tr")).to_have_count(len(site.athletes) - 20)
    page.get_by_label("Injury").select_option("achilles")
    page.get_by_label("Band").select_option("high")
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    rows = page.locator("table.cohort tbody tr")
    expect(rows.first).to_be_visible()
    bands = page.locator("table.cohort tbody td.sorted .band").all_inner_texts()
    assert bands and set(bands) <= {"High", "Very high"}, bands
    screenshot(page, "04-cohort-achilles-high")
    page.get_by_label("Injury").select_option("")
    page.get_by_label("Band").select_option("")
    wanted = sorted(site.athletes)[3]
    page.get_by_label("Search by external id").fill(wanted.lower())
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text(wanted)
    page.get_by_label("Search by external id").fill("no-such-runner")
    expect(page.get_by_role("heading", name="No athlete matches")).to_be_visible()


def open_athlete(page: Page, site: Site) -> str:
    """The first athlete of the cohort (the highest risk), opened from the list; its external id."""
    sign_in(page, site)
    link = page.locator("table.cohort tbody tr").first.get_by_role("link")
    external_id = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(external_id)
    expect(page.locator(".risk-card")).to_have_count(4)
    return external_id


def test_athlete_page_shows_risks_drivers_both_charts_exercises_and_guidance(page: Page, site: Site):
    open_athlete(page, site)
    expect(page.locator(".drivers li").first).to_be_visible()
    risk_points = page.locator("#risk-chart .series circle")
    expect(risk_points.first).to_be_attached()
    assert risk_points.count() >= 4 * 50  # eight weeks of daily assessments, four injuries
    bars = page.locator("#load-chart rect.bar")
    assert bars.count() >= 20
    assert page.locator("#load-chart polyline.ratio-line").get_attribute("points").count(",") >= 20
    assert page.locator("#load-chart .spikes").get_attribute("data-spikes") is not None
    expect(page.get_by_role("heading", name="Recommended exercises")).to_be_visible()
    expect(page.get_by_role("heading", name="Next week's running")).to_be_visible()
    screenshot(page, "05-athlete")


def test_what_if_shows_the_api_message_by_the_field_then_risk_with_and_without_the_plan(page: Page, site: Site):
    open_athlete(page, site)
    distance = page.locator("#plan-km-3")
    distance.fill("250")
    page.get_by_role("button", name="Show the risk").click()
    expect(page.locator("#plan-km-3-error")).to_contain_text("less than or equal to 200")
    distance.fill("18")
    page.get_by_role("button", name="Show the risk").click()
    table = page.locator("table.what-if")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("caption")).to_contain_text("the plan's last day")
    table.scroll_into_view_if_needed()
    screenshot(page, "06-what-if")


def test_recording_an_injury_shows_the_api_message_by_the_field_then_records_it(page: Page, site: Site):
    open_athlete(page, site)
    form = page.locator("form.injury-form")
    form.get_by_label("Injury").select_option("mtss")
    form.get_by_label("Side").select_option("left")
    form.get_by_label("Onset").fill(site.as_of.isoformat())
    form.get_by_label("Resolved").fill("2020-01-01")
    form.get_by_role("button", name="Record injury").click()
    expect(page.locator("#injury-resolved-error")).to_contain_text("resolved is before onset")
    expect(form.get_by_label("Resolved")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "07-injury-validation")
    form.get_by_label("Resolved").fill("")
    form.get_by_role("button", name="Record injury").click()
    expect(page.locator(".injury-list")).to_contain_text("Shin splints (left)")
    expect(page.locator(".risk-card[data-injury=mtss]")).to_contain_text("Currently injured")
    expect(page.get_by_role("heading", name=re.compile("Return to run: Shin splints"))).to_be_visible()


def test_sign_out_forgets_the_key(page: Page, site: Site):
    sign_in(page, site)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    assert page.evaluate("sessionStorage.length") == 0
    page.goto(f"{site.url}/app/#/cohort")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_key_revoked_while_signed_in_returns_to_sign_in_saying_why(page: Page, site: Site):
    key_id, key = site.new_key()
    sign_in(page, site, key)
    site.revoke(key_id)
    page.locator("table.cohort tbody tr").first.get_by_role("link").click()
    expect(page.locator("#key-error")).to_contain_text("not accepted: it is unknown or revoked")
    assert page.evaluate("sessionStorage.length") == 0
    screenshot(page, "08-revoked-key")


def test_unreachable_database_shows_the_unavailable_state(page: Page, site: Site):
    with site.serving_without_database() as url:
        page.add_init_script("sessionStorage.setItem('injury-risk.api-key', 'ir_any-key')")
        page.goto(f"{url}/app/#/cohort")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Service unavailable")
        expect(alert).to_contain_text("try again in")
        screenshot(page, "09-database-unavailable")


def test_a_tenant_without_athletes_and_an_athlete_without_assessment_look_deliberate(page: Page, site: Site):
    _, key = site.new_key(tenant="new-clinic")
    page.goto(f"{site.url}/app/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="No athletes yet")).to_be_visible()
    screenshot(page, "10-no-athletes")
    athlete_id = site.add_unassessed_athlete("new-clinic", "walk-in")
    page.goto(f"{site.url}/app/#/athletes/{athlete_id}")
    expect(page.get_by_role("heading", name="No assessment yet").first).to_be_visible()
    expect(page.get_by_role("button", name="Assess")).to_be_visible()
    screenshot(page, "11-no-assessment")


@pytest.mark.parametrize("view", ["sign-in", "cohort", "athlete"])
def test_no_serious_or_critical_accessibility_violation(page: Page, site: Site, view: str):
    if view == "sign-in":
        page.goto(f"{site.url}/app/")
        expect(page.get_by_label("API key")).to_be_visible()
    elif view == "cohort":
        sign_in(page, site)
    else:
        open_athlete(page, site)
        expect(page.locator("#load-chart")).to_be_visible()
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious]


def test_athlete_page_fits_a_tablet_without_sideways_scrolling(browser: Browser, site: Site):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        open_athlete(page, site)
        expect(page.locator("#load-chart")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 768
        screenshot(page, "12-athlete-tablet")
    finally:
        context.close()
