"""Which languages labels are given in is the deployment's setting `label_languages`, not a rule
hard-wired for every town: the shapes mark the properties, the setting names the languages."""

import pytest
import rdflib
from conftest import TINY_SHAPES

from lodpub.cli import main
from lodpub.core.language_policy import language_shapes
from lodpub.core.settings import SettingsError, load_settings

MARKED_SHAPES = TINY_SHAPES.replace(
    "@prefix sh:", "@prefix lps: <https://w3id.org/lodpub/shapes/> .\n@prefix sh:"
).replace(
    'sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;\n        sh:qualifiedMinCount 1 ;',
    "sh:minCount 1 ;\n        lps:languages lps:required ;",
)


@pytest.fixture
def validate(tiny, capsys, monkeypatch):
    """`lodpub validate` on the tiny dataset, with shapes that mark rdfs:label, in `languages`."""
    tiny.shapes.write_text(MARKED_SHAPES, encoding="utf-8")
    for name in ("data", "ontology", "shapes"):
        monkeypatch.setenv(f"LODPUB_{name.upper()}", str(getattr(tiny, name)))

    def run(languages: str) -> tuple[int, str]:
        monkeypatch.setenv("LODPUB_LABEL_LANGUAGES", languages)
        code = main(["validate"])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_the_tiny_dataset_has_the_languages_it_is_asked_for(validate):
    code, output = validate("de en")
    assert code == 0, output


def test_a_missing_language_is_named_with_the_setting(tiny, validate):
    code, output = validate("de en ja")
    line = tiny.data.read_text().splitlines().index("city:montpellier a lp:City ;") + 1
    expected = (
        f'{tiny.data}:{line}: city:montpellier — rdfs:label in @ja is missing: add rdfs:label "..."@ja '
        "(label_languages: @de, @en, @ja)."
    )
    assert code == 1
    assert expected in output.splitlines()


def test_a_language_the_setting_does_not_list_is_reported_at_the_label(tiny, validate):
    code, output = validate("de")
    line = tiny.data.read_text().splitlines().index('    rdfs:label "Bautzen"@de, "Bautzen"@en .') + 1
    message = "rdfs:label in a language the setting label_languages does not list (@de)."
    expected = f"{tiny.data}:{line}: city:bautzen — {message}"
    assert code == 1
    assert expected in output.splitlines()


def test_another_town_sets_its_own_languages_or_none(tiny, validate):
    tiny.write_data(tiny.data.read_text().replace('"Bautzen"@de, "Bautzen"@en', '"Budyšin"@hsb'))
    assert validate("de en")[0] == 1
    assert validate("")[0] == 0


def test_no_languages_make_no_shapes():
    shapes = rdflib.Graph().parse(data=MARKED_SHAPES, format="turtle")
    assert len(language_shapes(shapes, [])) == 0
    assert len(language_shapes(shapes, ["de"])) > 0


def test_a_language_tag_that_is_not_one_is_a_configuration_error():
    with pytest.raises(SettingsError, match="label_languages: expected language tags"):
        load_settings({"label_languages": ["de_DE"]}, environ={})
