"""The documentation says what the code does: the README's settings table is the generated one."""

from conftest import ROOT

from lodpub.core.settings import load_settings, settings_table
from lodpub.store.deployment import deployment_of


def test_readme_starts_with_make_run_and_make_test():
    commands = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("make ")]
    assert [c.split()[1] for c in commands[:2]] == ["run", "test"]


def test_readme_settings_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- settings-table")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /settings-table -->")]
    assert block.strip() == settings_table(), "run `lodpub settings` and paste its output into README.md"


def test_readme_deployment_example_is_a_valid_configuration(tmp_path):
    """The `lodpub.toml` the README shows loads, and states what it says about the dataset."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- deployment-example")
    example = readme[
        readme.index("```toml\n", start) + 8 : readme.index("```", readme.index("```toml\n", start) + 8)
    ]
    config = tmp_path / "lodpub.toml"
    config.write_text(example, encoding="utf-8")
    settings = load_settings(config_file=config, environ={})
    base = "https://data.example-city.eu/"
    assert settings["base_uri"] == base
    assert deployment_of(settings) == (
        ("http://purl.org/dc/terms/license", "http://dcat-ap.de/def/licenses/cc-by/4.0"),
        ("http://purl.org/dc/terms/publisher", base + "id/organization/city-of-example"),
        ("http://www.w3.org/ns/dcat#contactPoint", base + "id/contact-point/open-data-office"),
    )
