"""The dataset published whole and described: `/dumps/` (every RDF format, gzip, checksums), `/catalog`
(DCAT-AP) and `/.well-known/void` (VoID), `/events.ics` and `/partners.geojson`, and the ontology's own
documentation at its namespace (`/ontology/`). The bytes come from `exporters/`; these add the web."""

from lodpub.app import Part
from lodpub.publish import descriptions, dumps, feeds, ontology

DUMPS = Part("dumps", dumps.init_app, links=(("link_dumps", "/dumps/"),))
DESCRIPTIONS = Part(
    "descriptions",
    descriptions.init_app,
    links=(("link_catalog", "/catalog"),),
    entries=("/.well-known/void",),
)
FEEDS = Part(
    "feeds", feeds.init_app, links=(("link_calendar", "/events.ics"), ("link_geojson", "/partners.geojson"))
)
ONTOLOGY = Part("ontology", ontology.init_app)
