"""The page's files under /app: served from the package, closed by their headers, no key needed to load them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.api.web import WEB_DIR


def test_page_is_served_with_a_policy_that_runs_only_its_own_scripts(client: TestClient):
    page = client.get("/app/", headers={"Authorization": ""})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<script type="module" src="js/main.js">' in page.text


def test_every_module_the_page_imports_is_served(client: TestClient):
    modules = sorted(path.name for path in (WEB_DIR / "js").glob("*.js"))
    assert "main.js" in modules
    for name in modules:
        response = client.get(f"/app/js/{name}")
        assert response.status_code == 200 and "javascript" in response.headers["content-type"], name
        for imported in response.text.split('from "./')[1:]:
            assert imported.split('"')[0] in modules, (name, imported)


def test_bare_app_path_redirects_to_the_page_and_unknown_files_are_404(client: TestClient):
    assert client.get("/app", follow_redirects=False).headers["location"] == "/app/"
    assert client.get("/app/nothing.js").status_code == 404
