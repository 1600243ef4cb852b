"""Linking the same person, account and opportunity across Salesforce and HubSpot.

:func:`link_records` takes mapped canonical records of both CRMs and the links already stored
(from the state store) and tries, in this order, stopping at the first that decides:

1. ``stored`` — a known link of the record;
2. ``written_id`` — the other CRM's id crm-bridge wrote back (``hubspot_id`` on Salesforce
   records, ``salesforce_id`` on HubSpot records);
3. ``hubspot_sf_property`` — HubSpot's own Salesforce id properties
   (``salesforce_contact_id`` / ``salesforce_lead_id`` / ``salesforce_account_id`` /
   ``salesforce_opportunity_id``, set by HubSpot's own Salesforce integration);
4. ``email`` for people (stripped, lower-cased) and ``domain`` for accounts (scheme, ``www.``
   and path removed; free-mail domains never match).

Several candidates are never linked silently: they become an :class:`Ambiguity`. Records of
one CRM sharing an email or domain are reported as :class:`Duplicate`. A converted Salesforce
lead (``converted`` with ``converted_contact_id``) hands its link to the contact. Canonical
field names are configurable through :class:`IdentityKeys`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, TypeAlias

from crm_bridge.mapping.transforms import normalise_domain
from crm_bridge.model import Canonical, ObjectKind, RecordRef

LinkMethod: TypeAlias = Literal[
    "stored", "converted", "written_id", "hubspot_sf_property", "email", "domain"
]
_HS_TYPE: dict[ObjectKind, str] = {
    "person": "contacts",
    "account": "companies",
    "opportunity": "deals",
}
_KeyFn: TypeAlias = Callable[[Canonical], str | None]
_SF_PREFIX = {"00Q": "Lead", "003": "Contact", "001": "Account", "006": "Opportunity"}


@dataclass(frozen=True, slots=True)
class IdentityKeys:
    """Canonical field names the matcher reads (see ``mappings/fields.yaml``)."""

    email: str = "email"
    domain: str = "domain"
    hubspot_id: str = "hubspot_id"
    salesforce_id: str = "salesforce_id"
    salesforce_lead_id: str = "salesforce_lead_id"
    salesforce_contact_id: str = "salesforce_contact_id"
    salesforce_account_id: str = "salesforce_account_id"
    salesforce_opportunity_id: str = "salesforce_opportunity_id"
    converted: str = "converted"
    converted_contact_id: str = "converted_contact_id"


@dataclass(frozen=True, slots=True)
class Link:
    """The same real-world thing in both CRMs, and how the link was found."""

    salesforce: RecordRef
    hubspot: RecordRef
    method: LinkMethod


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """A record with several candidates on the other side; nothing was linked."""

    record: RecordRef
    method: LinkMethod
    key: str
    candidates: tuple[RecordRef, ...]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Records of one CRM that share a matching key (email or domain)."""

    key: str
    records: tuple[RecordRef, ...]


@dataclass(frozen=True, slots=True)
class Conversion:
    """A converted Salesforce lead and the contact that carries its identity now."""

    lead: RecordRef
    contact: RecordRef


@dataclass(slots=True)
class IdentityResult:
    """Links found, matches refused as ambiguous, duplicates and lead conversions."""

    links: list[Link] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)

    def by_ref(self) -> dict[RecordRef, RecordRef]:
        """Both directions of every link: ref -> its counterpart."""
        pairs: dict[RecordRef, RecordRef] = {}
        for link in self.links:
            pairs[link.salesforce] = link.hubspot
            pairs[link.hubspot] = link.salesforce
        return pairs


def load_free_mail_domains() -> frozenset[str]:
    """The shipped list of free-mail domains (one per line, ``#`` comments)."""
    text = (resources.files("crm_bridge.mapping") / "free_mail_domains.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


FREE_MAIL_DOMAINS = load_free_mail_domains()


def normalise_email(value: object) -> str | None:
    """``'  Ann@Example.COM '`` -> ``'ann@example.com'``; ``None`` when not an email."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text.count("@") != 1 or text.startswith("@") or "." not in text.rsplit("@", 1)[1]:
        return None
    return text


def id_text(value: object) -> str | None:
    """An id-like value as trimmed text (numbers too), or None for blanks and other types."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


class _Linker:
    def __init__(
        self,
        kind: ObjectKind,
        keys: IdentityKeys,
        known: Mapping[RecordRef, RecordRef],
        free_mail: frozenset[str],
        result: IdentityResult,
    ) -> None:
        self.kind = kind
        self.keys = keys
        self.known = known
        self.free_mail = free_mail
        self.result = result
        self.sf_of: dict[RecordRef, RecordRef] = {}  # hubspot ref -> salesforce ref
        self.hs_of: dict[RecordRef, RecordRef] = {}
        self.moved: dict[RecordRef, RecordRef] = {}  # converted lead -> contact

    def sf_ref(self, record_id: str, index: Mapping[str, RecordRef]) -> RecordRef | None:
        if record_id in index:
            return index[record_id]
        object_type = _SF_PREFIX.get(record_id[:3])
        if object_type is None:
            return None
        ref = RecordRef("salesforce", object_type, record_id)
        return ref if ref.kind == self.kind else None

    def link(self, sf: RecordRef, hs: RecordRef, method: LinkMethod) -> None:
        sf = self.moved.get(sf, sf)
        if self.hs_of.get(sf) == hs:
            return
        if sf in self.hs_of or hs in self.sf_of:
            other = self.hs_of.get(sf) or self.sf_of.get(hs)
            assert other is not None
            record, candidates = (
                (sf, (self.hs_of[sf], hs)) if sf in self.hs_of else (hs, (self.sf_of[hs], sf))
            )
            self.result.ambiguities.append(
                Ambiguity(record, method, "conflicting link", candidates)
            )
            return
        self.hs_of[sf] = hs
        self.sf_of[hs] = sf
        self.result.links.append(Link(sf, hs, method))

    def run(self, sf_records: list[Canonical], hs_records: list[Canonical]) -> None:
        k = self.keys
        index = {r.ref.id: r.ref for r in sf_records}
        for record in sf_records:
            if record.ref.object_type == "Lead" and record.values.get(k.converted) is True:
                contact_id = id_text(record.values.get(k.converted_contact_id))
                if contact_id:
                    contact = RecordRef("salesforce", "Contact", contact_id)
                    self.moved[record.ref] = contact
                    self.result.conversions.append(Conversion(record.ref, contact))
        # 1. stored links
        for record in sf_records:
            other = self.known.get(record.ref)
            if other is not None and other.crm == "hubspot":
                self.link(record.ref, other, "converted" if record.ref in self.moved else "stored")
        for record in hs_records:
            other = self.known.get(record.ref)
            if other is not None and other.crm == "salesforce":
                self.link(other, record.ref, "converted" if other in self.moved else "stored")
        # 2. ids crm-bridge wrote back
        for record in sf_records:
            hs_id = id_text(record.values.get(k.hubspot_id))
            if (
                hs_id
                and record.ref not in self.hs_of
                and self.moved.get(record.ref) not in self.hs_of
            ):
                self.link(
                    record.ref, RecordRef("hubspot", _HS_TYPE[self.kind], hs_id), "written_id"
                )
        for record in hs_records:
            sf_id = id_text(record.values.get(k.salesforce_id))
            if sf_id and record.ref not in self.sf_of:
                ref = self.sf_ref(sf_id, index)
                if ref is not None:
                    self.link(ref, record.ref, "written_id")
        # 3. HubSpot's Salesforce id properties
        props = (
            k.salesforce_contact_id,
            k.salesforce_lead_id,
            k.salesforce_account_id,
            k.salesforce_opportunity_id,
        )
        for record in hs_records:
            if record.ref in self.sf_of:
                continue
            for prop in props:
                sf_id = id_text(record.values.get(prop))
                ref = self.sf_ref(sf_id, index) if sf_id else None
                if ref is not None:
                    self.link(ref, record.ref, "hubspot_sf_property")
                    break
        # 4. email / domain
        if self.kind == "person":
            self.by_key(
                sf_records, hs_records, "email", lambda r: normalise_email(r.values.get(k.email))
            )
        elif self.kind == "account":
            self.by_key(sf_records, hs_records, "domain", self.domain_of)

    def domain_of(self, record: Canonical) -> str | None:
        value = record.values.get(self.keys.domain)
        domain = normalise_domain(value) if isinstance(value, str) else None
        return None if domain is None or domain in self.free_mail else domain

    def by_key(
        self,
        sf_records: list[Canonical],
        hs_records: list[Canonical],
        method: Literal["email", "domain"],
        key_of: _KeyFn,
    ) -> None:
        sides: list[dict[str, list[RecordRef]]] = []
        for records in (sf_records, hs_records):
            groups: dict[str, list[RecordRef]] = defaultdict(list)
            for record in records:
                if record.ref in self.moved:
                    continue
                key = key_of(record)
                if key is not None:
                    groups[key].append(record.ref)
            for key, refs in groups.items():
                if len(refs) > 1:
                    self.result.duplicates.append(Duplicate(key, tuple(refs)))
            sides.append(groups)
        sf_groups, hs_groups = sides
        for key, sf_refs in sf_groups.items():
            hs_refs = hs_groups.get(key)
            if not hs_refs:
                continue
            sf_open = [r for r in sf_refs if r not in self.hs_of]
            hs_open = [r for r in hs_refs if r not in self.sf_of]
            if not sf_open or not hs_open:
                continue
            if len(sf_open) == 1 and len(hs_open) == 1:
                self.link(sf_open[0], hs_open[0], method)
                continue
            for ref in sf_open:
                self.result.ambiguities.append(Ambiguity(ref, method, key, tuple(hs_open)))
            for ref in hs_open:
                self.result.ambiguities.append(Ambiguity(ref, method, key, tuple(sf_open)))


def link_records(
    salesforce: Iterable[Canonical],
    hubspot: Iterable[Canonical],
    known_links: Mapping[RecordRef, RecordRef] | None = None,
    keys: IdentityKeys | None = None,
    free_mail: frozenset[str] = FREE_MAIL_DOMAINS,
) -> IdentityResult:
    """Link records of the two CRMs (any mix of kinds); see the module docstring.

    ``known_links`` maps a ref to its counterpart (either or both directions)."""
    result = IdentityResult()
    by_kind: dict[ObjectKind, tuple[list[Canonical], list[Canonical]]] = {}
    for side, records in ((0, salesforce), (1, hubspot)):
        for record in records:
            by_kind.setdefault(record.ref.kind, ([], []))[side].append(record)
    for kind, (sf_records, hs_records) in by_kind.items():
        _Linker(kind, keys or IdentityKeys(), known_links or {}, free_mail, result).run(
            sf_records, hs_records
        )
    return result
