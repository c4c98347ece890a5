"""API keys and roles: how a key is made, how it is stored (a hash), and what each role may do."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

KEY_PREFIX = "irk_"


class Role(StrEnum):
    platform = "platform"
    clinician = "clinician"
    admin = "admin"


class Permission(StrEnum):
    score = "score"  # the stateless POST /v1/risk
    read_athletes = "read_athletes"
    write_athletes = "write_athletes"  # athletes, activities, erasure
    write_injuries = "write_injuries"
    manage_keys = "manage_keys"
    manage_model = "manage_model"  # reload the served model
    read_monitoring = "read_monitoring"  # the tenant's predictions against outcomes, and drift: no athlete's data


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # A training platform owns its athletes' data: it writes and reads all of it.
    Role.platform: frozenset(
        {Permission.score, Permission.read_athletes, Permission.write_athletes, Permission.write_injuries}
    ),
    # A clinician reads and records injuries (with notes), but does not change the training log.
    Role.clinician: frozenset(
        {Permission.score, Permission.read_athletes, Permission.write_injuries, Permission.read_monitoring}
    ),
    # An admin manages the tenant's keys and the served model, and sees no athlete data (monitoring figures are
    # counts and rates over the tenant, never one athlete's).
    Role.admin: frozenset(
        {Permission.score, Permission.manage_keys, Permission.manage_model, Permission.read_monitoring}
    ),
}


def new_key() -> str:
    """A fresh key: 256 random bits, URL-safe, with a recognisable prefix (so secret scanners can spot leaks)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings, not passwords: a fast hash cannot be brute-forced, and lookup by hash stays
    # an index hit. A slow password hash (bcrypt, argon2) would only slow every request.
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[: len(KEY_PREFIX) + 6]


ALL_PERMISSIONS = frozenset(Permission)


class Principal:
    """Who is calling: a tenant and a role (from a key), or the local demo tenant when auth is off."""

    __slots__ = ("key_id", "permissions", "role", "tenant_id")

    def __init__(self, tenant_id: int | None, role: str, key_id: int | None, permissions: frozenset[Permission]):
        self.tenant_id = tenant_id
        self.role = role
        self.key_id = key_id
        self.permissions = permissions

    @classmethod
    def for_role(cls, tenant_id: int, role: Role, key_id: int) -> Principal:
        return cls(tenant_id, role.value, key_id, PERMISSIONS[role])
