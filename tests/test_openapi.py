"""`/openapi.json` describes the whole HTTP API and is generated, not written: it validates as
OpenAPI 3.1, and every canned query, parameter and format of the registry shows up in it."""

import pytest
from conftest import ROOT
from openapi_spec_validator import validate


@pytest.fixture(scope="module")
def document(make_module_app):
    return make_module_app({"validate_on_load": False}).test_client().get("/openapi.json").get_json()


def test_it_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_it_covers_the_endpoint_the_queries_and_the_service_paths(document):
    paths = document["paths"]
    assert {"/sparql", "/api", "/healthz", "/context.jsonld", "/openapi.json"} <= set(paths)
    assert set(paths["/sparql"]) == {"get", "post"}
    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    assert {f"/api/{name}" for name in names} <= set(paths)


def test_the_sparql_operation_has_the_protocol_s_parameters_and_media_types(document):
    get, post = document["paths"]["/sparql"]["get"], document["paths"]["/sparql"]["post"]
    assert {p["name"] for p in get["parameters"]} == {
        "query",
        "default-graph-uri",
        "named-graph-uri",
        "format",
    }
    assert set(post["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }
    media_types = set(get["responses"]["200"]["content"])
    assert {
        "application/sparql-results+json",
        "text/csv",
        "text/turtle",
        "application/ld+json",
        "text/html",
    } <= media_types


def test_each_query_has_its_parameters_with_types_defaults_and_choices(document):
    events = document["paths"]["/api/events_in_range"]["get"]
    parameters = {p["name"]: p for p in events["parameters"]}
    assert set(parameters) == {"from", "to", "lang", "format"}
    # The server fills in a default, for a missing value and an empty one (a form's empty field) alike.
    empty = {"const": "", "description": "empty: as if not given"}
    assert parameters["from"]["schema"] == {
        "anyOf": [{"type": "string", "format": "date"}, empty],
        "default": "2021-01-01",
    }
    assert parameters["from"]["required"] is False
    assert parameters["lang"]["schema"]["anyOf"] == [{"type": "string", "enum": ["de", "en"]}, empty]
    assert events["summary"] == "Events in a date range"
    assert events["tags"] == ["events"]
    partnership = {p["name"]: p for p in document["paths"]["/api/partnership_events"]["get"]["parameters"]}
    assert partnership["partnership"]["required"] is True
    assert partnership["partnership"]["schema"] == {"type": "string", "format": "iri"}


def test_each_query_answers_in_the_formats_of_the_registry(document):
    operation = document["paths"]["/api/partner_cities"]["get"]
    content = operation["responses"]["200"]["content"]
    assert list(content) == [
        "application/ld+json",
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/html",
    ]
    rows = content["application/ld+json"]["schema"]["properties"]["@graph"]["items"]["properties"]
    assert {"partner", "partnerLabel", "country", "startYear"} <= set(rows)
    assert content["application/sparql-results+json"]["schema"] == {
        "$ref": "#/components/schemas/SparqlResults"
    }
    formats = {p["name"]: p for p in operation["parameters"]}["format"]["schema"]["enum"]
    assert formats == ["jsonld", "json", "xml", "csv", "tsv", "html"]
    assert set(operation["responses"]) == {"200", "304", "400", "406", "503"}
    errors = document["components"]["responses"]["BadRequest"]["content"]
    assert set(errors) == {"text/plain", "text/html"}  # text for programs, the page for browsers


def test_a_new_query_file_becomes_an_operation(make_app, tmp_path, tiny):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "cities_named.rq").write_text(
        "#+ summary: Cities by name\n#+ tags: [places]\n"
        "SELECT ?city WHERE { ?city <http://www.w3.org/2000/01/rdf-schema#label> ?_name_en }\n",
        encoding="utf-8",
    )
    app = make_app({**tiny.settings, "queries": str(tmp_path / "queries")})
    document = app.test_client().get("/openapi.json").get_json()
    validate(document)
    assert [p for p in document["paths"] if p.startswith("/api/")] == ["/api/cities_named"]
    [name, _format] = document["paths"]["/api/cities_named"]["get"]["parameters"]
    assert (name["name"], name["required"]) == ("name", True)
    assert "'en'" in name["description"]
    response = app.test_client().get("/api/cities_named?name=Bautzen&format=csv")
    assert response.get_data(as_text=True).split() == ["city", "https://lod.heidelberg.de/id/city/bautzen"]
    page = app.test_client().get("/api/cities_named?name=Bautzen", headers={"Accept": "text/html"})
    assert 'href="/api/cities_named?name=Bautzen&amp;format=csv"' in page.get_data(as_text=True)


def test_the_endpoint_s_dataset_is_the_store_s_graphs_and_its_query_not_blank(document):
    """Graphs the dataset lacks are a 400, so the parameters list the graphs there are."""
    get, post = document["paths"]["/sparql"]["get"], document["paths"]["/sparql"]["post"]
    parameters = {p["name"]: p for p in get["parameters"]}
    graphs = parameters["default-graph-uri"]["schema"]["items"]["enum"]
    assert "https://lod.heidelberg.de/graph/heidelberg" in graphs and "" in graphs  # an empty one: ignored
    query = parameters["query"]
    assert query["required"] is False  # without one: the service description or the query page
    assert query["schema"]["minLength"] == 1
    assert "events_in_range" in query["examples"]
    assert {"304", "400", "403", "406", "413", "503"} <= set(get["responses"])
    assert "415" in post["responses"] and "415" not in get["responses"]
