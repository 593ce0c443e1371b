"""Linked Data: every IRI of the dataset dereferences (`/id/…` → 303 → `/doc/…`), in the format the
client asks for; `paths` maps IRIs to this server's paths, `describe` reads a resource's triples,
`representations` writes them in RDF formats and JSON-LD, `pages` renders them for people."""

from lodpub.app import Part
from lodpub.linked_data.views import document_pages, init_app

PART = Part("linked_data", init_app, pages=document_pages)
