"""The API explorer at /api/v1/docs, served with its own assets, renders the OpenAPI the app
publishes (3.1) in a real browser, with each operation's problems and their codes."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)


def test_i18_the_api_explorer_shows_each_operations_problems(
    page: Page, site: str, shots: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site + "/api/v1/docs")
    patch = page.locator(".opblock-patch").first
    expect(patch).to_contain_text("/api/v1/applications/{application_id}", timeout=20_000)
    patch.locator(".opblock-summary").click()
    responses = patch.locator(".responses-table")
    expect(responses).to_contain_text("412")
    expect(responses).to_contain_text("stale_version")
    expect(responses).to_contain_text("application/problem+json")
    patch.screenshot(path=shots / "explorer-patch-application.png")
    assert all(url.startswith(site) for url in requested), requested  # no CDN
