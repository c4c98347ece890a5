"""The real app behind uvicorn on a cohort loaded through the API and scored by the batch job into the database,
and Debian's Chromium driven by Playwright (no browser is downloaded)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest

from service.app import create_app
from service.batch.job import BatchRequest, run_batch
from service.db.migrate import upgrade
from service.db.session import Database
from service.repositories.keys import create_key, tenant_named
from service.security import Role
from tests.conftest import Trained
from tests.factories import request_for
from tests.live_server import serving
from tests.tcp_proxy import free_port
from training.settings import Settings

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "data" / "screenshots"
# More than one page of the cohort view (20 a page), few enough to load and score in seconds.
ATHLETES = 24
# Every day of the last 8 weeks is scored, so the risk chart has a history.
SCORED_DAYS = 56


@dataclass(frozen=True)
class Site:
    url: str
    settings: Settings
    tenant: str
    clinician_key: str
    clinician_key_id: int
    athletes: dict[str, str]  # external id -> service id
    as_of: dt.date

    def new_key(self, role: Role = Role.clinician, tenant: str | None = None) -> tuple[int, str]:
        database = Database(self.settings)
        try:
            with database.session() as session:
                row, key = create_key(session, tenant_named(session, tenant or self.tenant).id, role)
                session.commit()
                return row.id, key
        finally:
            database.dispose()

    def revoke(self, key_id: int) -> None:
        """Revoked by the tenant's admin through the API, as a clinic would: refused from the next request on."""
        _, admin_key = self.new_key(Role.admin)
        revoked = httpx.delete(f"{self.url}/v1/keys/{key_id}", headers={"Authorization": f"Bearer {admin_key}"})
        assert revoked.status_code == 200, revoked.text

    def add_unassessed_athlete(self, tenant: str, external_id: str) -> str:
        _, key = self.new_key(Role.platform, tenant)
        body = {"external_id": external_id, "profile": {"age": 41, "sex": "M", "years_running": 0.5}}
        created = httpx.post(f"{self.url}/v1/athletes", json=body, headers={"Authorization": f"Bearer {key}"})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    @contextmanager
    def serving_without_database(self) -> Iterator[str]:
        """The same app and model over a PostgreSQL address nothing listens on: every database call fails."""
        gone = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"
        with serving(create_app(self.settings.model_copy(update={"database_url": gone}))) as (url, _):
            yield url


def _load_cohort(base: str, platform_key: str, trained: Trained) -> tuple[dict[str, str], pd.Timestamp]:
    cohort = trained.simulation.cohort
    as_of = cohort.runs["date"].max()
    injured = set(cohort.injuries["athlete_id"])
    # Athletes with injuries first, so the charts have injuries to show.
    order = sorted(cohort.profiles["athlete_id"], key=lambda a: (a not in injured, a))[:ATHLETES]
    ids = {}
    headers = {"Authorization": f"Bearer {platform_key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for external_id in order:
            body = request_for(cohort, external_id, as_of)
            created = client.post("/v1/athletes", json={"external_id": external_id, "profile": body["athlete"]})
            assert created.status_code == 201, created.text
            athlete_id = created.json()["id"]
            rows = [{**run, "kind": "run"} for run in body["runs"]]
            rows += [{**s, "kind": "strength"} for s in body["strength_sessions"]]
            stored = client.post(f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": rows})
            assert stored.status_code == 200, stored.text
            for i, injury in enumerate(body["injuries"]):
                put = client.put(f"/v1/athletes/{athlete_id}/injuries/sim-{i}", json=injury)
                assert put.status_code == 201, put.text
            ids[external_id] = athlete_id
    return ids, as_of


@pytest.fixture(scope="session")
def site(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'service.db'}"
    upgrade(url)
    settings = trained.settings.model_copy(update={"database_url": url})
    database = Database(settings)
    with database.session() as session:
        tenant = tenant_named(session, "clinic")
        _, platform_key = create_key(session, tenant.id, Role.platform)
        clinician, clinician_key = create_key(session, tenant.id, Role.clinician)
        session.commit()
        clinician_id = clinician.id
    database.dispose()
    with serving(create_app(settings)) as (base, _):
        athletes, as_of = _load_cohort(base, platform_key, trained)
        last = as_of.date()
        run_batch(
            BatchRequest(
                tenant="clinic", to_db=True, first_day=last - dt.timedelta(days=SCORED_DAYS - 1), last_day=last
            ),
            settings,
        )
        yield Site(base, settings, "clinic", clinician_key, clinician_id, athletes, last)


@pytest.fixture(scope="session")
def browser() -> Iterator[playwright_api.Browser]:
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: playwright_api.Browser) -> Iterator[playwright_api.Page]:
    """A fresh tab (its own sessionStorage) at laptop size."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: playwright_api.Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
