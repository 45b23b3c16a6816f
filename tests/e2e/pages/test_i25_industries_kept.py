"""Issue 25: the industry table's sections and divisions, which the announcement search page
offers as a filter on every request, are kept by the process — and a newer table an admin
loads is what the next page shows."""

from __future__ import annotations

from dataip.services import reference
from dataip.services.context import SYSTEM, Env
from tests.support.api import Api


def test_i25_search_filter_shows_a_newly_loaded_industry_table_at_once(api: Api, env: Env) -> None:
    admin = api.user("registrar_admin")
    shipped = reference.shipped_industry_csv()
    assert "农、林、牧、渔业" in api.c.get("/announcements").text
    renamed = shipped.replace("A,section,农、林、牧、渔业,,A", "A,section,农林牧渔业（新版）,,A")
    assert renamed != shipped
    try:
        r = api.c.put(
            "/api/v1/industries",
            params={"edition": "GB/T 4754-2017"},
            files={"file": ("gbt4754.csv", renamed.encode("utf-8"), "text/csv")},
            headers=api.h(admin),
        )
        assert r.status_code == 200, r.text
        page = api.c.get("/announcements").text
        assert "农林牧渔业（新版）" in page and "农、林、牧、渔业" not in page
    finally:  # the industry table is kept between tests
        reference.load_industries(SYSTEM, env=env)
    assert "农、林、牧、渔业" in api.c.get("/announcements").text
