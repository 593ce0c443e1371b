"""What schema.org says, apart from any data and from Google: its class tree and where its properties
may be used (`schema:domainIncludes`), for the classes and properties lodpub writes. Both the computed
schema.org graph (`lodpub.store.entailed`) and the page markup (`exporters.schemaorg`) keep to it;
the tests check these facts against the published vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache


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


@cache  # a fixed table: the loader asks it once per computed triple, the markup once per node
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
