"""What is measured: the same SPARQL queries for every system, plus lodpub's own pages and dumps.

Each query names resources that exist at every scale (`generate.sample`), so a lookup finds one
resource and a date range a few events, however large the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import generate

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """PREFIX lp: <https://w3id.org/lodpub/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@dataclass(frozen=True)
class Query:
    name: str
    sparql: str
    selective: bool  # touches a few resources: held to "pyoxigraph in-process x1.2 + 1 ms"
    joins: bool  # join-heavy: held to "20x faster than rdflib"


def queries(triples: int | None) -> list[Query]:
    """The queries for a scale (`None`: the Heidelberg dataset)."""
    if triples is None:
        base = "https://lod.heidelberg.de/"
        city, partnership = f"{base}id/city/montpellier", f"{base}id/partnership/montpellier"
        window = ("2021-01-01", "2021-12-31")
    else:
        sample = generate.sample(triples)
        city, partnership = sample.city, sample.partnership
        window = ("2001-03-01", "2001-03-31")
    generic = [
        Query("limit10", "SELECT * WHERE { ?s ?p ?o } LIMIT 10", True, False),
        Query("lookup", f"SELECT ?p ?o WHERE {{ <{city}> ?p ?o }}", True, False),
        Query(
            "date_range",
            PREFIXES + "SELECT ?event ?start ?label WHERE { ?event lp:startDate ?start ; rdfs:label ?label "
            f'FILTER(?start >= "{window[0]}"^^xsd:date && ?start <= "{window[1]}"^^xsd:date '
            '&& LANG(?label) = "en") } ORDER BY ?start LIMIT 100',
            True,
            False,
        ),
        Query(
            "aggregate",
            PREFIXES
            + "SELECT ?country (COUNT(?city) AS ?cities) WHERE { ?city a lp:City ; lp:country ?country } "
            "GROUP BY ?country ORDER BY DESC(?cities) LIMIT 20",
            False,
            True,
        ),
        Query(
            "text_filter",
            PREFIXES + "SELECT ?city ?label WHERE { ?city a lp:City ; rdfs:label ?label "
            'FILTER(LANG(?label) = "en" && CONTAINS(LCASE(?label), "bergheim")) } LIMIT 20',
            False,
            False,
        ),
        Query(
            "property_path",
            PREFIXES + "SELECT ?event ?type WHERE { ?event lp:superEvent* / lp:municipalRelation "
            f"<{partnership}> ; a ?type . ?type rdfs:subClassOf* lp:Event }}",
            True,
            True,
        ),
    ]
    return generic + canned(partnership)


def canned(partnership: str) -> list[Query]:
    """The queries of `queries/`, bound to their defaults (and one partnership where one is needed)."""
    from lodpub.api.named_queries import load_queries

    found = []
    for named in load_queries(ROOT / "queries"):
        args = {"partnership": partnership} if named.parameter("partnership") else {}
        found.append(Query(f"api_{named.name}", named.bind(args), False, True))
    return found


QUICK_QUERIES = ("limit10", "lookup", "date_range", "api_partner_cities")
