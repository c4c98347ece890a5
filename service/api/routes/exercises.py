"""GET /v1/exercises: the exercise catalogue strength sessions refer to."""

from __future__ import annotations

from fastapi import APIRouter

from training.domain.catalogue import Exercise, default_catalogue

router = APIRouter(prefix="/v1", tags=["exercises"])


@router.get("/exercises", response_model=list[Exercise], summary="The exercise catalogue")
def list_exercises() -> list[Exercise]:
    return list(default_catalogue().exercises)
