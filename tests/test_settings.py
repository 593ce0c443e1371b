"""Settings come from one table and are layered: defaults, lodpub.toml, LODPUB_* environment, overrides."""

import pytest

from lodpub.core.settings import DEFAULTS, SETTINGS, SettingsError, load_settings


def test_defaults_need_no_file_and_no_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}) == DEFAULTS


def test_every_setting_has_help_and_an_environment_variable():
    for setting in SETTINGS:
        assert setting.help
        assert setting.env == "LODPUB_" + setting.name.upper()


def test_later_layers_win(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lodpub.toml").write_text('port = 7000\nworkers = 3\nstore = "oxigraph:db"\n')
    settings = load_settings({"workers": 5}, environ={"LODPUB_PORT": "7001"})
    assert settings["store"] == "oxigraph:db"  # from the file
    assert settings["port"] == 7001  # the environment beats the file
    assert settings["workers"] == 5  # overrides beat everything


def test_config_file_can_be_named_in_the_environment(tmp_path):
    config = tmp_path / "city.toml"
    config.write_text('base_uri = "https://data.example.org/"\ndata = ["a.ttl", "b.ttl"]\n')
    settings = load_settings(environ={"LODPUB_CONFIG": str(config)})
    assert settings["base_uri"] == "https://data.example.org/"
    assert settings["data"] == ["a.ttl", "b.ttl"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LODPUB_DATA", "a.ttl, b.ttl", ["a.ttl", "b.ttl"]),
        ("LODPUB_DATA", "a.ttl b.ttl", ["a.ttl", "b.ttl"]),
        ("LODPUB_VALIDATE_ON_LOAD", "no", False),
        ("LODPUB_VALIDATE_ON_LOAD", "1", True),
        ("LODPUB_WORKERS", "4", 4),
    ],
)
def test_environment_strings_take_the_type_of_the_default(variable, value, expected):
    name = variable.removeprefix("LODPUB_").lower()
    assert load_settings(environ={variable: value})[name] == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LODPUB_PORT": "eighty"}, "LODPUB_PORT: expected a whole number"),
        ({"LODPUB_PORT": "70000"}, "port: expected 1-65535"),
        ({"LODPUB_BASE_URI": "ftp://x/"}, r"base_uri: expected an http\(s\) IRI"),
        ({"LODPUB_BASE_URI": "https://x.org/id"}, "ending in '/'"),
        ({"LODPUB_STORE": "sqlite:x"}, "store: expected 'memory', 'oxigraph:DIR' or 'sparql:QUERY_URL"),
        ({"LODPUB_STORE": "sparql:ftp://x/q"}, "store: expected 'memory', 'oxigraph:DIR' or 'sparql:"),
        ({"LODPUB_VALIDATE_ON_LOAD": "maybe"}, "expected true or false"),
        ({"LODPUB_CONFIG": "/nonexistent/lodpub.toml"}, "configuration file not found"),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=environ)


def test_unknown_and_mistyped_settings_in_the_file_are_named(tmp_path):
    config = tmp_path / "lodpub.toml"
    config.write_text("prot = 80\n")
    with pytest.raises(SettingsError, match=r"unknown setting 'prot'"):
        load_settings(environ={}, config_file=config)
    config.write_text("port = true\n")
    with pytest.raises(SettingsError, match=r"lodpub.toml: port: expected int"):
        load_settings(environ={}, config_file=config)
    config.write_text("port = \n")
    with pytest.raises(SettingsError, match=r"lodpub.toml: Invalid value"):
        load_settings(environ={}, config_file=config)


def test_the_rate_limit_is_on_by_default_and_read_as_requests_per_seconds():
    from lodpub.core.settings import rate_limit

    assert rate_limit(load_settings({}, environ={})) == (600, 60)
    assert rate_limit(load_settings({"rate_limit": "off"}, environ={})) is None
    assert rate_limit(load_settings({}, environ={"LODPUB_RATE_LIMIT": "20/second"})) == (20, 1)
    with pytest.raises(SettingsError, match="rate_limit"):
        load_settings({"rate_limit": "lots"}, environ={})
