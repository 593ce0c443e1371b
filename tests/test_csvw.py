"""CSV of the canned queries with W3C CSVW metadata: found where CSVW processors look, describing
exactly the columns of the CSV, and read back without a warning by a CSVW processor (`csvw`)."""

import csv
import io
import re
import warnings

import csvw
import jsonschema
import pytest

from lodpub.app import services_of

HOST = "http://localhost"
MONTPELLIER = "https://lod.heidelberg.de/id/partnership/montpellier"
# The parameters each query needs at least (the others have defaults).
PARAMETERS = {"partnership_events": {"partnership": MONTPELLIER}}
COLUMN = {
    "type": "object",
    "required": ["name", "titles", "datatype"],
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z0-9%][A-Za-z0-9_%.]*$"},
        "titles": {"type": "string"},
        "datatype": {
            "enum": ["anyURI", "string", "date", "dateTime", "gYear", "gYearMonth", "integer", "decimal"]
        },
        "lang": {"type": "string"},
        "valueUrl": {"type": "string"},
    },
}
TABLE = {
    "type": "object",
    "required": ["url", "dc:title", "dialect", "tableSchema"],
    "properties": {
        "url": {"type": "string", "format": "uri"},
        "dc:title": {"type": "string", "minLength": 1},
        "dialect": {"type": "object", "required": ["header", "encoding", "delimiter"]},
        "tableSchema": {
            "type": "object",
            "required": ["columns"],
            "properties": {"columns": {"type": "array", "minItems": 1, "items": COLUMN}},
        },
    },
}
DOCUMENT = {
    "type": "object",
    "required": ["@context"],
    "properties": {"@context": {"type": "array", "prefixItems": [{"const": "http://www.w3.org/ns/csvw"}]}},
}


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


@pytest.fixture(scope="module")
def select_queries(heidelberg_app) -> list[str]:
    return sorted(q.name for q in services_of(heidelberg_app).queries.values() if q.form == "SELECT")


def local(url: str) -> str:
    return url.removeprefix(HOST)


def header_of(body: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(body.decode("utf-8"))))


def test_every_select_query_has_a_csv_at_a_url_csvw_can_follow(web, select_queries):
    assert len(select_queries) >= 6
    for name in select_queries:
        response = web.get(f"/api/{name}.csv", query_string=PARAMETERS.get(name, {}))
        assert response.status_code == 200, name
        assert response.content_type == "text/csv; charset=utf-8"
        assert re.fullmatch(
            r'<[^>]+\.csv-metadata\.json[^>]*>; rel="describedby"; .*', response.headers["Link"]
        )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_metadata_describes_exactly_the_columns_of_the_csv(web, select_queries, lang, tmp_path):
    for name in select_queries:
        params = {**PARAMETERS.get(name, {}), "lang": lang}
        data = web.get(f"/api/{name}.csv", query_string=params)
        described_by = re.match(r"<([^>]+)>", data.headers["Link"]).group(1)
        response = web.get(local(described_by))
        assert response.status_code == 200, name
        assert response.content_type == "application/csvm+json; charset=utf-8"
        document = response.get_json(force=True)
        jsonschema.validate(document, DOCUMENT)
        jsonschema.validate(document, TABLE)
        assert local(document["url"]) == data.request.full_path.rstrip("?")  # it names this very CSV
        columns = document["tableSchema"]["columns"]
        assert [c["titles"] for c in columns] == header_of(data.data)
        assert [c["name"] for c in columns] == header_of(data.data)
        csv_file = tmp_path / f"{name}-{lang}.csv"
        csv_file.write_bytes(data.data)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # csvw warns on titles that do not fit the header
            rows = list(csvw.Table.fromvalue(document).iterdicts(fname=str(csv_file)))
        assert len(rows) == len(data.data.decode().splitlines()) - 1


def test_the_default_metadata_locations_of_csvw_find_it(web, select_queries):
    """CSVW 5.3: `{+url}-metadata.json`, then `csv-metadata.json` beside the file."""
    group = web.get("/api/csv-metadata.json")
    assert group.status_code == 200
    tables = {local(t["url"]): t for t in group.get_json(force=True)["tables"]}
    csvw.TableGroup.fromvalue(group.get_json(force=True))
    for name in select_queries:
        if name in PARAMETERS:
            assert f"/api/{name}.csv" not in tables  # without its parameter it has no CSV to describe
            continue
        own = web.get(f"/api/{name}.csv-metadata.json").get_json(force=True)
        assert local(own["url"]) == f"/api/{name}.csv"
        assert tables[f"/api/{name}.csv"]["tableSchema"] == own["tableSchema"]


def test_columns_are_typed_from_the_values(web):
    columns = web.get("/api/partner_cities.csv-metadata.json").get_json(force=True)["tableSchema"]["columns"]
    by_name = {c["name"]: c for c in columns}
    assert by_name["partner"] == {
        "name": "partner",
        "titles": "partner",
        "datatype": "anyURI",
        "valueUrl": "{+partner}",
    }
    assert by_name["partnerLabel"]["lang"] == "en"
    assert by_name["startYear"]["datatype"] == "gYear"
    german = web.get("/api/partner_cities.csv-metadata.json?lang=de").get_json(force=True)
    assert {c["name"]: c.get("lang") for c in german["tableSchema"]["columns"]}["partnerLabel"] == "de"
    programmes = web.get("/api/programmes.csv-metadata.json").get_json(force=True)
    assert {c["name"]: c["datatype"] for c in programmes["tableSchema"]["columns"]}["relations"] == "integer"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/no_such_query.csv", 404),
        ("/api/no_such_query.csv-metadata.json", 404),
        ("/api/partnership_events.csv", 400),
        ("/api/partner_cities.csv?lang=fr", 400),
        ("/api/partner_cities.csv-metadata.json?colour=red", 400),
    ],
)
def test_bad_requests_are_refused_as_the_api_refuses_them(web, path, status):
    assert web.get(path).status_code == status
