"""What schema.org and Google say, apart from any data: schema.org's class tree, where its properties
may be used, and what Google requires of an event; `tests/test_schemaorg.py` checks these facts
against the published vocabulary and Google's documented requirements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _table(text: str) -> Mapping[str, tuple[str, ...]]:
    """`a b: x y` lines → {a: (x, y), b: (x, y)}: keeps the schema.org facts below readable."""
    table: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        keys, _, values = line.partition(":")
        for key in keys.split():
            table[key] = (*table.get(key, ()), *values.split())
    return table


# schema.org's class tree (rdfs:subClassOf) for the classes markup uses.
SCHEMA_PARENTS = _table("""
CreativeWork Event Intangible Organization Person Place: Thing
DataCatalog Dataset MediaObject: CreativeWork
DataDownload: MediaObject
EducationEvent ExhibitionEvent SocialEvent: Event
EventSeries: Event Series
Audience EducationalOccupationalProgram Enumeration Schedule Series StructuredValue: Intangible
ContactPoint GeoCoordinates QuantitativeValue: StructuredValue
PostalAddress: ContactPoint
Observation: QuantitativeValue Intangible
FundingScheme GovernmentOrganization Project: Organization
AdministrativeArea: Place
City Country: AdministrativeArea
""")

# Where schema.org lets each property be used (schema:domainIncludes). A property missing here is
# left out of the markup: on the wrong type it would be an error in every validator.
SCHEMA_DOMAINS = _table("""
name description url sameAs alternateName identifier: Thing
about: Certification CommunicateAction CreativeWork DefinedTerm DefinedTermSet Event
startDate endDate: CreativeWorkSeason CreativeWorkSeries DatedMoneySpecification
startDate endDate: EducationalOccupationalProgram Event MerchantReturnPolicySeasonalOverride Role Schedule
address: GeoCoordinates GeoShape Organization Person Place
addressCountry postalCode: DefinedRegion GeoCoordinates GeoShape PostalAddress
streetAddress addressLocality: PostalAddress
containedInPlace geo: Place
latitude longitude: GeoCoordinates Place
location: Action Event InteractionCounter Organization
organizer attendee performer superEvent eventStatus eventAttendanceMode: Event
contributor: CreativeWork Event
provider: Action CreativeWork EducationalOccupationalProgram FinancialIncentive Invoice
provider: ParcelDelivery Reservation Service Trip
member parentOrganization: Organization
member: ProgramMembership
memberOf: Organization Person
jobTitle honorificPrefix: Person
contactPoint: HealthInsurancePlan Organization Person
areaServed: ContactPoint DeliveryChargeSpecification Demand FinancialIncentive Offer Organization Service
slogan: Brand Organization Place Product Service
dateCreated dateModified: CreativeWork DataFeedItem
datePublished: Certification CreativeWork
fromLocation: ExerciseAction MoveAction TransferAction
toLocation: ExerciseAction InsertAction MoveAction TransferAction
value: MonetaryAmount PropertyValue QuantitativeValue
measurementQualifier: Observation StatisticalVariable
observationAbout observationPeriod: Observation
variableMeasured: Dataset Observation
keywords: CreativeWork Event Organization Place Product
license spatialCoverage temporalCoverage version: CreativeWork
creator: CreativeWork UserComments
publisher: CreativeWork FinancialIncentive
inLanguage: BroadcastService CommunicateAction CreativeWork Event LinkRole PronounceableText WriteAction
isAccessibleForFree: CreativeWork Event Place
distribution includedInDataCatalog: Dataset
contentUrl: MediaObject
encodingFormat: CreativeWork MediaObject
""")

# Google's Event rich results (developers.google.com/search/docs/appearance/structured-data/event):
# an event without these is not eligible, and partial Event markup is reported as an error.
EVENT_REQUIRED = ("name", "startDate", "location")
FULL_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
NOT_SHOWN = "search engines will not show it as an event"


def schema_ancestors(name: str) -> frozenset[str]:
    """A schema.org class and all its superclasses (Thing included)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(SCHEMA_PARENTS.get(current, ()))
    return frozenset(seen | {"Thing"})


def is_a(types: Iterable[str], schema_class: str) -> bool:
    return any(schema_class in schema_ancestors(t) for t in types)


def fits(prop: str, types: Sequence[str]) -> bool:
    """Whether schema.org allows `prop` on something of these types (untyped: a Thing)."""
    domains = SCHEMA_DOMAINS.get(prop, ())
    return any(d in schema_ancestors(t) for t in (*types, "Thing") for d in domains)


def one_or_many(values: list[Any]) -> Any:
    """JSON-LD's usual shape: a single value alone, several as a list."""
    return values[0] if len(values) == 1 else values


def many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def node_types(node: Mapping[str, Any]) -> list[str]:
    """The schema.org types of a node object (none for a plain reference)."""
    return many(node.get("@type"))


def event_problems(node: Mapping[str, Any]) -> list[str]:
    """Why an Event node is not eligible for Google's event results (empty: it is)."""
    problems = [f"no {prop}" for prop in EVENT_REQUIRED if not node.get(prop)]
    problems += [f"startDate {d} is not a full date" for d in many(node.get("startDate")) if not full_date(d)]
    places = many(node.get("location"))
    if places and not any(isinstance(p, dict) and _has_address(p) for p in places):
        names = ", ".join(str(p.get("name", p.get("@id", "?"))) for p in places if isinstance(p, dict))
        problems.append(f"location {names or places[0]} has no postal address")
    return [f"{problem}: {NOT_SHOWN}" for problem in problems]


def full_date(date: Any) -> bool:
    """An ISO 8601 day or instant: what Google needs for an event (a year or a month will not do)."""
    return isinstance(date, str) and bool(FULL_DATE.match(date))


def _has_address(place: Mapping[str, Any]) -> bool:
    """A location Google can place: a Place with an address, an address, or a VirtualLocation's url."""
    if is_a(node_types(place), "PostalAddress"):
        return True
    return bool(place.get("address")) if is_a(node_types(place), "Place") else bool(place.get("url"))
