"""The clinician's page in Debian's Chromium: sign-in, cohort, athlete with both charts, what-if, recording an
injury, sign-out, a revoked key, the database-unavailable state and an accessibility scan of each view."""

from __future__ import annotations

from playwright.sync_api import Page, expect

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
