"""`lodpub validate` tells editors exactly what is wrong, as `file:line: focus — message`."""

import pytest

from lodpub.cli import main


@pytest.fixture
def validate(tiny, capsys, monkeypatch):
    """Run `lodpub validate` in-process against the tiny dataset's ontology and shapes."""

    def run(*files: str):
        monkeypatch.setenv("LODPUB_ONTOLOGY", str(tiny.ontology))
        monkeypatch.setenv("LODPUB_SHAPES", str(tiny.shapes))
        monkeypatch.setenv("LODPUB_DATA", str(tiny.data))
        code = main(["validate", *files])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_clean_files_exit_0(validate):
    code, output = validate()
    assert code == 0
    assert "cities.ttl: valid" in output


def test_a_violation_names_file_line_focus_and_message(tiny, validate):
    tiny.write_data(tiny.data.read_text().replace('"Bautzen"@en', '"Budyšin"@hsb'))
    code, output = validate()
    assert code == 1
    line = tiny.data.read_text().splitlines().index("city:bautzen a lp:City ;") + 1
    expected = f"{tiny.data}:{line}: city:bautzen — A city needs an English label (rdfs:label with @en)."
    assert expected in output.splitlines()[0]
    assert "1 violation" in output


def test_a_syntax_error_names_file_and_line_and_exits_2(tiny, validate):
    tiny.write_data(tiny.data.read_text().replace("lp:City ;\n    rdfs:label", "lp:City ;\n    rdfs:label ,"))
    code, output = validate()
    assert code == 2
    assert output.startswith(f"{tiny.data}:6: syntax error:")


def test_files_given_on_the_command_line_replace_the_configured_data(tiny, validate):
    other = tiny.folder / "more.ttl"
    other.write_text("@prefix lp: <https://w3id.org/lodpub/ontology/> .\n\n<id/city/rehovot> a lp:City .\n")
    code, output = validate(str(other))
    assert code == 1
    assert f"{other}:3: <https://lod.heidelberg.de/id/city/rehovot> — A city needs an English label" in output


def test_a_problem_in_a_blank_node_is_reported_where_it_is_used(tiny, validate):
    tiny.write_data(
        tiny.data.read_text() + "\n<id/x> <https://w3id.org/lodpub/ontology/has> [ a lp:City ] .\n"
    )
    code, output = validate()
    assert code == 1
    assert f"{tiny.data}:11: [] in <https://lod.heidelberg.de/id/x> — A city needs an English label" in output


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.ttl", "missing.ttl: file not found"), ("notes.txt", "cannot tell the RDF format")],
)
def test_unreadable_files_are_named_and_exit_2(tiny, validate, name, message):
    path = tiny.folder / name
    if name.endswith(".txt"):
        path.write_text("hello")
    code, output = validate(str(path))
    assert code == 2
    assert message in output


def test_bad_configuration_exits_2_with_the_setting_named(validate, monkeypatch):
    monkeypatch.setenv("LODPUB_BASE_URI", "not-an-iri")
    code, output = validate()
    assert code == 2
    assert "configuration: base_uri" in output
