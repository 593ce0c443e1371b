"""The vocabularies lodpub speaks, named once: namespace IRIs, the terms several parts use, and the
prefix maps documents declare. Code and tests take every vocabulary IRI from here."""

# --- namespaces ------------------------------------------------------------------------------------
LP = "https://w3id.org/lodpub/ontology/"  # lodpub's ontology
LPT = "https://w3id.org/lodpub/theme/"  # the concepts of the ontology's theme scheme
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
VANN = "http://purl.org/vocab/vann/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GSP = "http://www.opengis.net/ont/geosparql#"
SPDX = "http://spdx.org/rdf/terms#"  # DCAT-AP's checksums
FORMATS = "http://www.w3.org/ns/formats/"  # W3C's IRIs of the RDF formats themselves
SD = "http://www.w3.org/ns/sparql-service-description#"  # the endpoint's own description
ENTAILMENT = "http://www.w3.org/ns/entailment/"  # its entailment regime
SH = "http://www.w3.org/ns/shacl#"  # shapes, and the ontology's SPARQL rules (SHACL-AF)
WDT = "http://www.wikidata.org/prop/direct/"  # Wikidata's direct properties (the entailed graph's P190)

# --- terms several parts use -----------------------------------------------------------------------
RDF_TYPE = RDF + "type"
RDF_LANGSTRING = RDF + "langString"
RDFS_LABEL = RDFS + "label"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
DESCRIPTION = DCTERMS + "description"
# What every page's licence and provenance are read from (a resource without its own falls back on the
# document `rdfs:isDefinedBy` names).
DEFINED_BY = RDFS + "isDefinedBy"
LICENSE = DCTERMS + "license"
SOURCE = DCTERMS + "source"
DERIVED_FROM = PROV + "wasDerivedFrom"

# --- prefix maps -------------------------------------------------------------------------------------
# Every prefix lodpub declares anywhere; the order is the order documents write them in.
NAMESPACES = {
    "lp": LP,
    "lpt": LPT,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "dcat": DCAT,
    "void": VOID,
    "schema": SCHEMA,
    "vann": VANN,
    "foaf": FOAF,
    "org": ORG,
    "vcard": VCARD,
    "geo": GEO,
    "gsp": GSP,
    "spdx": SPDX,
    "formats": FORMATS,
    "sd": SD,
    "sh": SH,
    "wdt": WDT,
}


def prefixes(*names: str) -> dict[str, str]:
    """A prefix map of the named prefixes, in the order named: what one document declares."""
    return {name: NAMESPACES[name] for name in names}


# Resource documents (the data's own prefixes, `city:` and so on, are added per document).
PREFIXES = prefixes(
    "lp", "lpt", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "dcat", "void", "schema"
)
# The ontology's document also names the vocabularies it aligns to.
ONTOLOGY_PREFIXES = {**PREFIXES, **prefixes("vann", "foaf", "org", "vcard", "geo", "gsp")}
