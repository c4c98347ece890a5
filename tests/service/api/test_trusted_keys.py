"""A key checked moments ago is trusted without the database; a revocation elsewhere holds once the window passes."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from service.api.trusted_keys import TrustedKeys
from service.db.models import ApiKey
from service.security import Principal, Role
from tests.tenants import new_tenant

PLATFORM = Principal.for_role(1, Role.platform, 7)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_checked_key_is_trusted_for_the_window_and_then_asked_about_again():
    clock = Clock()
    trusted = TrustedKeys(5.0, clock)
    trusted.trust("hash", PLATFORM, None, trusted.now())
    clock.now += 4.9
    assert trusted.principal("hash") is PLATFORM
    clock.now += 0.1
    assert trusted.principal("hash") is None


def test_a_key_is_not_trusted_past_its_expiry_nor_after_it_is_forgotten_nor_with_a_window_of_zero():
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    trusted = TrustedKeys(60.0)
    trusted.trust("expired", PLATFORM, past, trusted.now())
    trusted.trust("revoked", PLATFORM, None, trusted.now())
    trusted.forget(PLATFORM.key_id or 0)
    assert trusted.principal("expired") is None and trusted.principal("revoked") is None
    never = TrustedKeys(0.0)
    never.trust("hash", PLATFORM, None, never.now())
    assert never.principal("hash") is None


def test_a_check_that_began_before_a_revocation_here_does_not_trust_the_key_again():
    clock = Clock()
    trusted = TrustedKeys(5.0, clock)
    began = trusted.now()  # the database said yes, then the revocation committed before the answer was kept
    clock.now += 0.01
    trusted.forget(PLATFORM.key_id or 0)
    trusted.trust("hash", PLATFORM, None, began)
    assert trusted.principal("hash") is None
    clock.now += 0.01
    trusted.trust("hash", PLATFORM, None, trusted.now())  # a check begun after it: the key passed again
    assert trusted.principal("hash") is PLATFORM


def test_a_key_revoked_behind_this_process_is_refused_once_the_window_has_passed(service: TestClient):
    clock = Clock()
    service.app.state.trusted_keys = TrustedKeys(5.0, clock)  # type: ignore[attr-defined]  # a bare ASGI app type
    tenant = new_tenant(service)
    assert service.get("/v1/athletes", headers=tenant.platform).status_code == 200
    # Revoked as another server process or the command line would: straight in the database.
    with service.app.state.db.session() as session:  # type: ignore[attr-defined]
        session.get_one(ApiKey, tenant.key_ids["platform"]).revoked_at = dt.datetime.now(dt.UTC)
        session.commit()
    assert service.get("/v1/athletes", headers=tenant.platform).status_code == 200
    clock.now += 5.0
    refused = service.get("/v1/athletes", headers=tenant.platform)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
