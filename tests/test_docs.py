"""The documentation says what the code does: the README's settings table is the generated one."""

import json
import re
import shlex
import subprocess

from conftest import LODPUB, ROOT

from lodpub.core.settings import load_settings, settings_table
from lodpub.store.deployment import deployment_of


def test_readme_starts_with_make_run_and_make_test():
    commands = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("make ")]
    assert [c.split()[1] for c in commands[:2]] == ["run", "test"]


def test_every_image_the_readme_shows_is_in_the_repository():
    readme = (ROOT / "README.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert images, "the README shows the first-time chart"
    assert [path for path in images if not (ROOT / path).is_file()] == []


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


def readme_block(marker: str) -> list[str]:
    """The commands of the README's code block after `<!-- marker`, continuation lines joined."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```sh\n", readme.index(f"<!-- {marker}")) + len("```sh\n")
    text = readme[start : readme.index("```", start)].replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_readme_writes_example_runs(start_server, tmp_path):
    """The README's writes example as written: the server line's settings, then each curl command
    against that server (its port put in), each succeeding, and the write seen by all of them."""
    serve, *commands = readme_block("writes-example")
    environment, _, rest = serve.partition(" ")
    name, _, value = environment.partition("=")
    argv = shlex.split(rest.removesuffix("&"))
    assert argv[:1] == ["lodpub"] and argv[-2:] == ["--port", "5000"]
    env = {name: value, "LODPUB_CACHE_DIR": str(tmp_path / "cache")}
    server = start_server(*argv[1:-2], "--port", "{port}", command=[str(LODPUB)], env=env)
    outputs = []
    for command in commands:
        assert command.startswith("curl ")
        argv = shlex.split(command.replace("http://127.0.0.1:5000", server.url))
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{command}\n{done.stderr}\n{server.log()}"
        outputs.append(done.stdout)
    update, graph, changes = outputs
    assert json.loads(update)["added"] >= 7  # its seven triples, and their schema.org restatements
    assert "Delegation from Exampleton visits" in graph
    assert json.loads(changes)[0]["token"] == "office"


def test_the_security_checklist_names_tests_that_exist():
    """docs/SECURITY.md says which test shows each defence: each named file and test is there."""
    import re

    text = (ROOT / "docs" / "SECURITY.md").read_text()
    file = None
    named = 0
    for match in re.finditer(r"`(test_[a-z_0-9]+\.py)?(?:::([a-z_0-9]+))?`", text):
        file = match.group(1) or file
        assert file and (ROOT / "tests" / file).is_file(), match.group(0)
        if match.group(2):
            assert f"def {match.group(2)}(" in (ROOT / "tests" / file).read_text(), match.group(0)
            named += 1
    assert named >= 20
