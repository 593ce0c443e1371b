"""What the publisher decides (licence, publisher, contact points) is a setting of the deployment: the
loader states it about the dataset resource in `{base}graph/deployment`, where every part reads it as
data; the files still win where they say it themselves."""

from pathlib import Path

import pytest
from conftest import BASE, LODPUB

from lodpub.app import services_of
from lodpub.core.formats import build_registry
from lodpub.core.settings import SettingsError, load_settings
from lodpub.core.sources import files_from_settings
from lodpub.core.validate import validate
from lodpub.store import open_store
from lodpub.store.deployment import deployment_of

LICENCE = "http://example.org/licence/open"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
DATASET = BASE + "id/dataset/cities"
DATA = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<id/dataset/cities> a dcat:Dataset ; rdfs:label "Cities"@en .
<id/organization/town-hall> rdfs:label "Town hall"@en .
"""
SHAPES = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
<#DatasetShape> a sh:NodeShape ; sh:targetClass dcat:Dataset ;
    sh:property [ sh:path dcterms:license ; sh:minCount 1 ; sh:message "A dataset needs a licence." ] .
"""
DECISIONS = {
    "dataset_licence": LICENCE,
    "dataset_publisher": "id/organization/town-hall",
    "dataset_contacts": ["id/contact-point/desk"],
}


def write(folder: Path, data: str = DATA) -> dict:
    (folder / "cities.ttl").write_text(data, encoding="utf-8")
    (folder / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (folder / "onto.ttl").write_text("", encoding="utf-8")
    return {
        "data": [str(folder / "cities.ttl")],
        "ontology": [str(folder / "onto.ttl")],
        "shapes": [str(folder / "shapes.ttl")],
        "base_uri": BASE,
        **DECISIONS,
    }


def stated(store, predicate: str) -> dict[str, set[str]]:
    """graph → values of `predicate` for the dataset, as SPARQL sees them."""
    query = f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ <{DATASET}> <{predicate}> ?o }} }}"
    found: dict[str, set[str]] = {}
    for row in store.query(query):
        found.setdefault(row["g"].value, set()).add(row["o"].value)
    return found


@pytest.mark.parametrize("spec", ["memory", "oxigraph"])
def test_the_settings_are_stated_about_the_dataset_in_their_own_graph(tmp_path, spec):
    settings = load_settings(write(tmp_path))
    files = files_from_settings(settings, build_registry())
    where = "memory" if spec == "memory" else f"oxigraph:{tmp_path / 'db'}"
    store = open_store(where, files.served, BASE, deployment=deployment_of(settings))
    graph = BASE + "graph/deployment"
    assert stated(store, DCTERMS + "license") == {graph: {LICENCE}}
    assert stated(store, DCTERMS + "publisher") == {graph: {BASE + "id/organization/town-hall"}}
    assert stated(store, DCAT + "contactPoint") == {graph: {BASE + "id/contact-point/desk"}}
    store.close()


def test_the_files_win_where_they_state_it_themselves(tmp_path):
    own = DATA + f"<id/dataset/cities> <{DCTERMS}license> <http://example.org/licence/own> .\n"
    settings = load_settings(write(tmp_path, own))
    files = files_from_settings(settings, build_registry())
    store = open_store("memory", files.served, BASE, deployment=deployment_of(settings))
    assert stated(store, DCTERMS + "license") == {BASE + "graph/cities": {"http://example.org/licence/own"}}
    assert stated(store, DCTERMS + "publisher")  # what the files leave out, the settings still state


def test_data_without_a_dataset_resource_gets_nothing_stated(tmp_path):
    settings = load_settings(
        write(tmp_path, '<id/city/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .\n')
    )
    files = files_from_settings(settings, build_registry())
    store = open_store("memory", files.served, BASE, deployment=deployment_of(settings))
    assert BASE + "graph/deployment" not in store.graphs()


def test_a_new_decision_is_a_new_version(tmp_path):
    settings = write(tmp_path)
    files = files_from_settings(load_settings(settings), build_registry())

    def version(overrides: dict) -> str:
        chosen = load_settings({**settings, **overrides})
        return open_store("memory", files.served, BASE, deployment=deployment_of(chosen)).info.version

    assert version({}) == version({})
    assert version({"dataset_licence": "http://example.org/licence/other"}) != version({})


def test_validation_checks_the_data_with_what_the_deployment_states(tmp_path):
    settings = load_settings(write(tmp_path))
    files = files_from_settings(settings, build_registry())
    args = (files.data, files.ontology, files.shapes, BASE)
    assert [p for p in validate(*args, deployment_of(settings)) if p.blocking] == []
    without = validate(*args, deployment_of({**settings, "dataset_licence": ""}))
    assert [p.message.split(" (path")[0] for p in without if p.blocking] == ["A dataset needs a licence."]


def test_every_part_reads_the_decisions_as_data(tmp_path, make_app):
    app = make_app(write(tmp_path))
    client = app.test_client()
    catalog = client.get("/catalog", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert f"> <{DCTERMS}license> <{LICENCE}> ." in catalog  # on each distribution, as DCAT-AP has it
    assert f"<{DATASET}> <{DCTERMS}publisher> <{BASE}id/organization/town-hall> ." in catalog
    assert f"<{LICENCE}>" in client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(True)
    assert services_of(app).publication.get().licences_of(DATASET) == (LICENCE,)


def test_a_decision_that_is_no_iri_is_a_configuration_error(tmp_path):
    with pytest.raises(SettingsError, match="dataset_publisher: expected an IRI"):
        deployment_of(load_settings({**write(tmp_path), "dataset_publisher": "http://bad iri/"}))


def test_the_command_line_says_so_without_a_traceback(tmp_path):
    import subprocess

    env = {"LODPUB_DATASET_PUBLISHER": "http://bad iri/", "PATH": "/usr/bin:/bin"}
    settings = write(tmp_path)
    result = subprocess.run(
        [str(LODPUB), "validate", settings["data"][0], "--base-uri", BASE],
        env={**env, "LODPUB_ONTOLOGY": settings["ontology"][0], "LODPUB_SHAPES": settings["shapes"][0]},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "dataset_publisher: expected an IRI" in result.stderr and "Traceback" not in result.stderr
