"""Name, place and company-word pools for the generator, drawn once from a seeded Faker."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

COUNTRIES: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    # (code, weight, locale, cities)
    ("US", 55, "en_US", ()),
    ("GB", 10, "en_GB", ("London", "Manchester", "Leeds", "Bristol", "Edinburgh", "Cambridge")),
    ("DE", 10, "de_DE", ("Berlin", "München", "Hamburg", "Frankfurt am Main", "Köln", "Stuttgart")),
    ("FR", 8, "fr_FR", ("Paris", "Lyon", "Toulouse", "Nantes", "Lille", "Bordeaux")),
    ("ES", 5, "es_ES", ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao")),
    ("CA", 7, "en_CA", ("Toronto", "Vancouver", "Montréal", "Calgary", "Ottawa")),
    ("AU", 5, "en_AU", ("Sydney", "Melbourne", "Brisbane", "Perth")),
)
US_PLACES: tuple[tuple[str, str], ...] = (
    ("CA", "San Francisco"), ("CA", "Los Angeles"), ("CA", "San Diego"), ("CA", "San Jose"),
    ("NY", "New York"), ("NY", "Buffalo"), ("TX", "Austin"), ("TX", "Dallas"), ("TX", "Houston"),
    ("MA", "Boston"), ("MA", "Cambridge"), ("IL", "Chicago"), ("WA", "Seattle"),
    ("CO", "Denver"), ("GA", "Atlanta"), ("FL", "Miami"), ("FL", "Tampa"), ("NC", "Raleigh"),
    ("PA", "Philadelphia"), ("PA", "Pittsburgh"), ("OH", "Columbus"), ("MN", "Minneapolis"),
    ("UT", "Salt Lake City"), ("AZ", "Phoenix"), ("OR", "Portland"), ("VA", "Arlington"),
)  # fmt: skip
TLD: dict[str, tuple[str, ...]] = {
    "US": (".com", ".com", ".com", ".io", ".co", ".net"),
    "GB": (".co.uk", ".com", ".co.uk", ".io"),
    "DE": (".de", ".de", ".com"),
    "FR": (".fr", ".fr", ".com"),
    "ES": (".es", ".es", ".com"),
    "CA": (".ca", ".com"),
    "AU": (".com.au", ".com"),
}
LEGAL: dict[str, tuple[str, ...]] = {
    "US": ("Inc.", "Inc.", "LLC", "Corp.", "", "Co.", "Group"),
    "GB": ("Ltd", "Ltd", "plc", "", "Group"),
    "DE": ("GmbH", "GmbH", "AG", "GmbH & Co. KG", ""),
    "FR": ("SAS", "SA", "SARL", ""),
    "ES": ("S.L.", "S.A.", ""),
    "CA": ("Inc.", "Ltd.", "Corp.", ""),
    "AU": ("Pty Ltd", "Ltd", ""),
}
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "Technology": ("Systems", "Software", "Labs", "Technologies", "Cloud", "Data", "AI"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Fabrication", "Works"),
    "Healthcare": ("Health", "Medical", "Care", "Clinics", "Diagnostics"),
    "Finance": ("Capital", "Financial", "Partners", "Advisors", "Holdings"),
    "Banking": ("Bank", "Bancorp", "Credit Union", "Trust"),
    "Insurance": ("Insurance", "Assurance", "Underwriters", "Mutual"),
    "Retail": ("Retail", "Stores", "Outfitters", "Market", "Supply"),
    "Consulting": ("Consulting", "Advisory", "Group", "Associates"),
    "Education": ("Learning", "Academy", "Education", "Institute"),
    "Telecommunications": ("Telecom", "Networks", "Communications", "Wireless"),
    "Energy": ("Energy", "Power", "Solar", "Renewables"),
    "Transportation": ("Logistics", "Freight", "Transport", "Shipping", "Fleet"),
    "Media": ("Media", "Studios", "Publishing", "Digital"),
    "Biotechnology": ("Bio", "Therapeutics", "Genomics", "Biosciences"),
    "Food & Beverage": ("Foods", "Brewing", "Beverages", "Kitchen"),
    "Construction": ("Construction", "Builders", "Engineering", "Contractors"),
    "Hospitality": ("Hotels", "Hospitality", "Resorts", "Travel"),
    "Chemicals": ("Chemicals", "Materials", "Polymers"),
    "Electronics": ("Electronics", "Devices", "Semiconductors", "Instruments"),
    "Not For Profit": ("Foundation", "Alliance", "Society"),
}
PREFIXES: tuple[str, ...] = (
    "Acme", "Blue", "North", "Summit", "Apex", "Vertex", "Silver", "Cedar", "Harbor", "Iron",
    "Bright", "Pioneer", "Atlas", "Nova", "Orion", "Quantum", "Sterling", "Evergreen", "Granite",
    "Pacific", "Atlantic", "Keystone", "Lumen", "Crescent", "Falcon", "Redwood", "Beacon", "Prime",
    "Union", "Horizon", "Meridian", "Polar", "Sapphire", "Cobalt", "Willow", "Oak", "Aurora",
    "Zenith", "Vector", "Nimbus", "Helix", "Stratus", "Monarch", "Titan", "Vanguard", "Ember",
)  # fmt: skip
FREE_MAIL: tuple[str, ...] = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com")


@dataclass(frozen=True, slots=True)
class Pools:
    """Seeded pools the generator draws from."""

    first_names: dict[str, tuple[str, ...]]
    last_names: dict[str, tuple[str, ...]]
    surnames_for_companies: tuple[str, ...]
    rep_names: tuple[tuple[str, str], ...]


def ascii_slug(text: str) -> str:
    """Lowercase ASCII letters/digits only (for domains and email local parts)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def build_pools(seed: int) -> Pools:
    """Draw a few hundred names per locale from Faker, seeded, deduplicated in draw order."""
    first: dict[str, tuple[str, ...]] = {}
    last: dict[str, tuple[str, ...]] = {}
    for code, _w, locale, _c in COUNTRIES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        first[code] = tuple(dict.fromkeys(fake.first_name() for _ in range(600)))
        last[code] = tuple(
            dict.fromkeys(n for n in (fake.last_name() for _ in range(900)) if ascii_slug(n))
        )
    fake = Faker("en_US")
    fake.seed_instance(seed + 1)
    surnames = tuple(dict.fromkeys(fake.last_name() for _ in range(1500)))
    reps = tuple((fake.first_name(), fake.last_name()) for _ in range(200))
    return Pools(first, last, surnames, reps)
