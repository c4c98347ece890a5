"""The service's tables as SQLAlchemy 2 models. Pydantic bodies live in service/schemas; these are storage only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores no zone and hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: the service stores UTC times only")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_athlete_id() -> str:
    # Random, not sequential: an id says nothing about how many athletes a tenant has or whose they are.
    return uuid.uuid4().hex


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of the key is kept; the prefix lets people tell their keys apart in listings.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Null: never expires. A rotated key expires at the end of its grace period.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Requests refused because the key was revoked or expired: a client still using an old key shows here.
    failed_auth_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_auth_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (CheckConstraint("role in ('platform', 'clinician', 'admin')", name="ck_api_keys_role"),)


class Athlete(Base):
    __tablename__ = "athletes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_athlete_id)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    age: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(1))
    years_running: Mapped[float] = mapped_column(Float)
    body_mass_kg: Mapped[float | None] = mapped_column(Float)
    height_cm: Mapped[float | None] = mapped_column(Float)
    # How activity files are read for this athlete: the local day when a file has no offset, and intensity zones.
    timezone: Mapped[str | None] = mapped_column(String(64))
    max_hr_bpm: Mapped[int | None] = mapped_column(Integer)
    threshold_hr_bpm: Mapped[int | None] = mapped_column(Integer)
    threshold_pace_s_per_km: Mapped[float | None] = mapped_column(Float)
    # First day the stored log is complete from; null: complete. Days before it are unknown, not rest days.
    log_start: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)

    __table_args__ = (UniqueConstraint("tenant_id", "external_id", name="uq_athletes_tenant_external_id"),)


class Activity(Base):
    """A run or a strength session; a strength session keeps its exercise sets as a JSON list."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date] = mapped_column(Date)
    km: Mapped[float | None] = mapped_column(Float)
    km_threshold: Mapped[float | None] = mapped_column(Float)
    km_interval: Mapped[float | None] = mapped_column(Float)
    km_sprint: Mapped[float | None] = mapped_column(Float)
    duration_min: Mapped[float | None] = mapped_column(Float)
    rpe: Mapped[float | None] = mapped_column(Float)
    exercises: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    __table_args__ = (
        UniqueConstraint("athlete_id", "external_id", name="uq_activities_athlete_external_id"),
        CheckConstraint("kind in ('run', 'strength')", name="ck_activities_kind"),
        # The API checks these first; the database refuses them too, so no path can store an impossible run.
        CheckConstraint("kind <> 'run' or (km > 0 and km <= 200)", name="ck_activities_run_km"),
        Index("ix_activities_athlete_date", "athlete_id", "date", "id"),
    )


class InjuryEvent(Base):
    __tablename__ = "injuries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    side: Mapped[str | None] = mapped_column(String(8))
    onset: Mapped[dt.date] = mapped_column(Date)
    resolved: Mapped[dt.date | None] = mapped_column(Date)
    time_lost_days: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    __table_args__ = (
        UniqueConstraint("athlete_id", "external_id", name="uq_injuries_athlete_external_id"),
        Index("ix_injuries_athlete_onset", "athlete_id", "onset", "id"),
    )


class RiskAssessment(Base):
    """One stored answer of GET /v1/athletes/{id}/risk: the model's four probabilities as of a day."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(32))
    # Null while the athlete has that injury (not scored), as in the API answer.
    p_pfps: Mapped[float | None] = mapped_column(Float)
    p_mtss: Mapped[float | None] = mapped_column(Float)
    p_hamstring: Mapped[float | None] = mapped_column(Float)
    p_achilles: Mapped[float | None] = mapped_column(Float)
    rr_pfps: Mapped[float | None] = mapped_column(Float)
    rr_mtss: Mapped[float | None] = mapped_column(Float)
    rr_hamstring: Mapped[float | None] = mapped_column(Float)
    rr_achilles: Mapped[float | None] = mapped_column(Float)
    # The cohort listing sorts by it when no injury is named.
    rr_max: Mapped[float | None] = mapped_column(Float)
    drivers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The model's input values (null for a missing one), for drift monitoring; null for rows stored before 0005 and
    # for batch rows.
    features: Mapped[dict[str, float | None] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    __table_args__ = (Index("ix_risk_assessments_athlete", "athlete_id", "as_of", "id"),)


class AuditEntry(Base):
    """Who did what to which athlete, and when. Holds no training or health content, only references."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # Null for a key created before auth was turned off, or for local demos without auth.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    # Set to null when the athlete is erased: the entry keeps that something happened, not to whom.
    athlete_id: Mapped[str | None] = mapped_column(String(32), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
