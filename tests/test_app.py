"""The app factory builds a working app from settings alone; errors never leak internals.

Apps are built through conftest's `make_app`, which calls `create_app` and closes them after the test."""

import pytest

from lodpub.app import services_of
from lodpub.core.sources import DataError


def test_factory_serves_the_configured_files(app):
    assert services_of(app).store.info.triples == 8


def test_healthz_reports_triple_count_and_version(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["triples"] == 8
    assert body["version"] == services_of(app).store.info.version
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_paths_get_a_plain_404_message(client):
    response = client.get("/no/such/page", headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("404 Not Found:")
    assert "/no/such/page" in response.get_data(as_text=True)


def test_server_bugs_are_logged_and_answered_without_a_trace(make_app, tiny, caplog):
    app = make_app(tiny.settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text


def test_invalid_data_builds_no_app(make_app, tiny):
    tiny.write_data(tiny.data.read_text().replace('"Montpellier"@en', '"Montpellier"@fr'))
    with pytest.raises(DataError, match="A city needs an English label"):
        make_app(tiny.settings)


def test_validation_can_be_switched_off_for_processes_that_trust_their_parent(make_app, tiny):
    tiny.write_data(tiny.data.read_text().replace('"Montpellier"@en', '"Montpellier"@fr'))
    app = make_app({**tiny.settings, "validate_on_load": False})
    assert services_of(app).store.info.triples == 8


def test_files_that_passed_validation_are_not_validated_again(make_app, tiny, monkeypatch):
    make_app(tiny.settings)

    def must_not_run(*args):
        raise AssertionError("validated twice")

    monkeypatch.setattr("lodpub.core.checks.require_valid", must_not_run)
    make_app(tiny.settings)  # same files: the marker from the first start is enough
    tiny.shapes.write_text(tiny.shapes.read_text() + "\n# edited\n")
    with pytest.raises(AssertionError, match="validated twice"):
        make_app(tiny.settings)  # any change, even to the shapes, validates again
