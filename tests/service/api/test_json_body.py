"""A JSON body validated from its bytes: the same model for a valid body, FastAPI's own answer for any other."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from service.api.json_body import JsonBodyRoute


class Item(BaseModel):
    name: str = Field(min_length=1)
    km: float = Field(gt=0, le=200)


def app_with(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(route_class=route_class)

    @router.post("/items")
    async def create(item: Item) -> dict[str, Any]:
        return {"type": type(item).__name__, **item.model_dump()}

    app = FastAPI()
    app.include_router(router)
    return app


def test_a_valid_body_is_validated_from_its_bytes_without_json_loads(monkeypatch: pytest.MonkeyPatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("json.loads called")

    client = TestClient(app_with(JsonBodyRoute))
    with monkeypatch.context() as patched:
        patched.setattr("starlette.requests.json.loads", refuse)
        response = client.post("/items", json={"name": "r1", "km": 8})
    assert response.status_code == 200, response.text
    assert response.json() == {"type": "Item", "name": "r1", "km": 8.0}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"name": "r1", "km": 8}', "application/json"),
        (b'{"name": "r1", "km": 8}', "application/vnd.api+json"),
        (b'{"name": "", "km": 800}', "application/json"),
        (b'{"name": "r1"}', "application/json"),
        (b'{"name": "r1", "km": NaN}', "application/json"),
        (b'{"name": "r1", "km": 8', "application/json"),
        (b"[]", "application/json"),
        (b"", "application/json"),
        (b'{"name": "r1", "km": 8}', "text/plain"),
        (b'{"name": "r1", "km": 8}', ""),
        ('{"name": "r1", "km": 8}'.encode("utf-16"), "application/json"),
    ],
)
def test_every_body_gets_the_answer_fastapi_gives(content: bytes, content_type: str):
    headers = {"content-type": content_type} if content_type else {}
    answers = [
        TestClient(app_with(route_class), raise_server_exceptions=False).post(
            "/items", content=content, headers=headers
        )
        for route_class in (APIRoute, JsonBodyRoute)
    ]
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].content == answers[1].content
