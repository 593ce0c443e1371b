"""The documentation says what the code does: the README's settings table is the generated one."""

from conftest import ROOT

from lodpub.core.settings import settings_table


def test_readme_starts_with_make_run_and_make_test():
    commands = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("make ")]
    assert [c.split()[1] for c in commands[:2]] == ["run", "test"]


def test_readme_settings_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- settings-table")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /settings-table -->")]
    assert block.strip() == settings_table(), "run `lodpub settings` and paste its output into README.md"
