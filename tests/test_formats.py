"""One registry of media types: every name a format answers to leads to the same format."""

import pytest

from lodpub.core.formats import UnknownFormat, build_registry


@pytest.fixture
def registry():
    return build_registry()


@pytest.mark.parametrize("key", ["text/turtle", "turtle", "ttl", "TTL", " text/turtle "])
def test_media_type_short_name_and_extension_reach_the_same_format(registry, key):
    assert registry.get(key).name == "turtle"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("data.ttl", "turtle"),
        ("dump.nt.gz", "ntriples"),
        ("x.nq", "nquads"),
        ("o.owl", "rdfxml"),
        ("g.jsonld", "jsonld"),
        ("g.trig", "trig"),
    ],
)
def test_file_formats_come_from_the_extension(registry, path, name):
    assert registry.for_path(path).name == name


@pytest.mark.parametrize("path", ["data.txt", "noextension", "results.srj"])
def test_files_that_are_not_rdf_are_refused_with_the_known_extensions(registry, path):
    with pytest.raises(UnknownFormat, match=r"known: \.ttl"):
        registry.for_path(path)


def test_text_formats_declare_their_charset(registry):
    assert registry.get("csv").content_type == "text/csv; charset=utf-8"


def test_unknown_names_are_refused(registry):
    with pytest.raises(UnknownFormat):
        registry.get("text/html+rdf")
