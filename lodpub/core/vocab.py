"""The vocabularies lodpub speaks, named once: namespace IRIs and the terms several parts use."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
LP = "https://w3id.org/lodpub/ontology/"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
XSD_STRING = XSD + "string"
DESCRIPTION = DCTERMS + "description"

# Prefixes for readable Turtle and RDF/XML (resource documents, the ontology, dumps add the data's own).
PREFIXES = {
    "lp": LP,
    "lpt": "https://w3id.org/lodpub/theme/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": DCTERMS,
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": DCAT,
    "void": VOID,
    "schema": "https://schema.org/",
}
ONTOLOGY_PREFIXES = {
    **PREFIXES,
    "vann": "http://purl.org/vocab/vann/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
}
