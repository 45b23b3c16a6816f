"""Issue 24 §4: catalogue metadata. A registration's public page embeds its JSON-LD
(schema.org / DCAT `Dataset`), which an independent JSON-LD processor (pyld) expands and
rdflib reads into triples a SPARQL query reads back; the DCAT catalogue's pages parse as
JSON-LD and as Turtle, and a harvester following `hydra:next` collects every public
registration exactly once — also when registrations change during its walk — and its next,
incremental harvest collects just what changed."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from dataip.bootstrap import Registry
from dataip.services import ledger
from tests.support.api import Api, World, problem

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
CSTR = "CSTR:31253.11.sciencedb.jsonld"
DOI = "10.57760/sciencedb.jsonld"


def _page_jsonld(api: Api, number: str) -> dict[str, Any]:
    r = api.c.get(f"/registrations/{number}")
    assert r.status_code == 200, r.text
    found = SCRIPT.findall(r.text)
    assert len(found) == 1, "one JSON-LD block in the page's head"
    head = r.text.split("</head>")[0]
    assert found[0] in head
    doc: dict[str, Any] = json.loads(found[0])
    return doc


@pytest.fixture
def world(api: Api) -> World:
    return api.world()


def test_r31_page_jsonld_expands_and_answers_sparql(
    api: Api, registry: Registry, world: World
) -> None:
    number = world.registered(name="青藏高原冰川观测科学数据集")
    api.at("2026-10-21 10:00")
    world.changed(number, {"identifiers": {"cstr": CSTR, "doi": DOI}})
    ledger.integrate(registry.env, registry.log_keys)  # the receipt link appears once logged
    doc = _page_jsonld(api, number)

    expanded = jsonld.expand(doc)  # pyld: an independent processor
    assert len(expanded) == 1
    node = expanded[0]
    assert "http://www.w3.org/ns/dcat#Dataset" in node["@type"]
    assert "https://schema.org/Dataset" in node["@type"]

    g = Graph()
    g.parse(data=json.dumps(expanded), format="json-ld")
    rows = list(
        g.query(
            """
            PREFIX dct: <http://purl.org/dc/terms/>
            PREFIX dcat: <http://www.w3.org/ns/dcat#>
            PREFIX spdx: <http://spdx.org/rdf/terms#>
            SELECT ?id ?agency ?sum ?alg WHERE {
              ?d a dcat:Dataset ;
                 dct:identifier ?id ;
                 dct:publisher ?p ;
                 spdx:checksum ?c .
              ?p dct:identifier ?agency .
              ?c spdx:checksumValue ?sum ; spdx:algorithm ?alg .
            }
            """
        )
    )
    ids = {str(r.id) for r in rows}
    detail = api.reg(None, number).json()
    assert {number, detail["certificate_number"], CSTR, DOI} <= ids
    assert {str(r.agency) for r in rows} == {registry.env.profile.registry_code}
    assert {str(r.sum) for r in rows} == {"ab" * 32}  # the form's evidence hash (sha256)
    assert {str(r.alg) for r in rows} == {"http://spdx.org/rdf/terms#checksumAlgorithm_sha256"}

    d = URIRef(node["@id"])
    assert str(d).endswith(f"/registrations/{number}")
    creators = list(g.objects(d, DCTERMS.creator))
    assert len(creators) == 1
    assert str(g.value(creators[0], DCTERMS.identifier)) == api.numbers[world.party]
    sdo = "https://schema.org/"
    same = {str(o) for o in g.objects(d, URIRef(sdo + "sameAs"))}
    assert same == {
        "https://cstr.cn/31253.11.sciencedb.jsonld",
        "https://doi.org/10.57760/sciencedb.jsonld",
    }
    subject_of = {str(o) for o in g.objects(d, URIRef(sdo + "subjectOf"))}
    assert any(s.endswith(f"/registrations/{number}/certificate") for s in subject_of)
    assert any(re.search(r"/api/v1/log/entries/\d+/receipt$", s) for s in subject_of)
    keywords = {str(o) for o in g.objects(d, DCAT.keyword)}
    assert "交通运输" in keywords  # the scenario; the industry's name too
    assert len(keywords) == 2
    assert g.value(d, DCTERMS.modified) is not None and g.value(d, DCTERMS.issued) is not None
    # nothing typed freely, nothing private
    text = json.dumps(doc, ensure_ascii=False)
    for private in ("清洗、标注、质量校验", "多源数据融合", "贵阳市观山湖区", "fee_fen"):
        assert private not in text


def test_r31_a_natural_person_is_a_person_without_a_name(api: Api, world: World) -> None:
    person = api.party(
        world.applicant, kind="natural_person", name="司马青衫", verify_by=world.examiner
    )
    number = World(api, world.examiner, world.applicant, person).registered()
    doc = _page_jsonld(api, number)
    text = json.dumps(doc, ensure_ascii=False)
    assert "司马" not in text and api.numbers[person] not in text
    assert doc["dct:creator"] == [{"@type": ["foaf:Person", "schema:Person"]}]


def test_r31_json_in_the_page_cannot_close_its_script(api: Api, world: World) -> None:
    number = world.registered(name="</script><b>数据集")
    doc = _page_jsonld(api, number)
    assert doc["dct:title"]["@value"] == "</script><b>数据集"


def _walk(api: Api, url: str, *, turtle: bool = False, during: Any = None) -> tuple[list[str], str]:
    """A harvester: follow hydra:next to the end; the datasets' IRIs in the order served, and
    where the next harvest resumes."""
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert pages < 100
        if turtle:
            r = api.c.get(url, headers={"Accept": "text/turtle"})
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
            g = Graph().parse(data=r.text, format="turtle")
        else:
            r = api.c.get(url)
            assert r.status_code == 200, r.text
            assert r.headers["content-type"].startswith("application/ld+json")
            assert r.headers["cache-control"] == "public, no-cache" and r.headers["etag"]
            g = Graph().parse(data=json.dumps(jsonld.expand(r.json())), format="json-ld")
        catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
        assert len(catalogs) == 1
        seen += sorted(str(d) for d in g.objects(catalogs[0], DCAT.dataset))
        hydra = "http://www.w3.org/ns/hydra/core#"
        view = g.value(catalogs[0], URIRef(hydra + "view"))
        nxt = g.value(view, URIRef(hydra + "next"))
        resume = g.value(
            catalogs[0], URIRef(str(catalogs[0]).replace("/api/v1/catalogue", "/ns#resume"))
        )
        if during is not None:
            during(pages)
        if nxt is None:
            assert resume is not None
            assert 'rel="next"' not in r.headers["link"]
            return seen, str(resume)
        assert 'rel="next"' in r.headers["link"]
        url = str(nxt)


def test_r31_a_harvester_collects_every_registration_once(api: Api, world: World) -> None:
    districts = ("南明区", "云岩区", "花溪区", "乌当区", "白云区")
    numbers = [
        world.registered(
            name=f"{d}交通拥堵预测数据集",
            evidence={
                "platform": "存证平台",
                "certificate_number": f"GZ-{i}",
                "hash_value": f"{i + 1:064x}",
                "evidenced_on": "2026-09-01",
            },
        )
        for i, d in enumerate(districts)
    ]
    api.at("2026-10-21 10:00")
    every = {r["registration_number"] for r in api.c.get("/api/v1/registrations?limit=200").json()}
    assert set(numbers) <= every

    seen, _ = _walk(api, "/api/v1/catalogue?limit=2", turtle=True)
    assert len(seen) == len(set(seen)) and {s.rsplit("/", 1)[1] for s in seen} == every

    # modify one served on the first page and one not yet served, during the walk
    first, _ = _walk(api, "/api/v1/catalogue?limit=200")
    order = [s.rsplit("/", 1)[1] for s in first]
    early, late = order[0], order[-1]

    def change(page: int) -> None:
        if page == 1:
            for n in (early, late):
                world.changed(n, {"update": {"frequency": "weekly"}})

    seen, resume = _walk(api, "/api/v1/catalogue?limit=2", during=change)
    assert len(seen) == len(set(seen)), "nobody twice"
    assert {s.rsplit("/", 1)[1] for s in seen} == every, "nobody missed"

    # the next harvest, from where this one ended: just the two that changed
    again, _ = _walk(api, resume)
    assert sorted(s.rsplit("/", 1)[1] for s in again) == sorted([early, late])


def test_r31_catalogue_since_a_time_and_bad_cursor(api: Api, world: World) -> None:
    a = world.registered(name="较早的交通预测数据集")
    api.at("2026-10-20 10:00")
    r = api.c.get("/api/v1/catalogue", params={"modified_since": "2026-10-15T00:00:00+08:00"})
    assert r.status_code == 200
    assert not any(d["@id"].endswith(a) for d in r.json()["dcat:dataset"])
    api.at("2026-10-21 10:00")
    world.changed(a, {"update": {"frequency": "weekly"}})
    r = api.c.get("/api/v1/catalogue", params={"modified_since": "2026-10-15T00:00:00+08:00"})
    assert [d["@id"].rsplit("/", 1)[1] for d in r.json()["dcat:dataset"]] == [a]
    r2 = api.c.get(
        "/api/v1/catalogue",
        params={"modified_since": "2026-10-15T00:00:00+08:00"},
        headers={"If-None-Match": r.headers["etag"]},
    )
    assert r2.status_code == 304
    problem(api.c.get("/api/v1/catalogue", params={"cursor": "5.1"}), 422, "invalid_cursor")
    assert api.c.get("/api/v1/catalogue", params={"cursor": "x"}).status_code == 422
    # the portal links the catalogue
    home = api.c.get("/").text
    assert 'href="/api/v1/catalogue"' in home
