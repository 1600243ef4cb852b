"""Benchmark: field mapping + identity + lifecycle + personas on generated records, one core.

``python -m bench.mapping [--records N]`` generates N synthetic source records (Salesforce
leads/contacts/accounts/opportunities and HubSpot contacts/companies/deals, with realistic
titles, emails, domains and some bad values), then times the mapping layer over them:
map every record, classify every person's title, decide every person's lifecycle stage and
link both CRMs. Prints one JSON object as the last line and writes it to
``bench/results/mapping.json``. Target: >= 50,000 records/s.

The generated input list is frozen out of the garbage collector before timing (a streaming
sync never holds all its input); the canonical records produced are held (identity needs
them) and stay subject to collection.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

import crm_bridge
from crm_bridge.config.fields import FieldsFile
from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.identity import link_records
from crm_bridge.mapping.lifecycle import Funnel
from crm_bridge.mapping.personas import PersonaClassifier, default_personas
from crm_bridge.model import Canonical, RecordRef, SourceRecord, Value

EXAMPLE = Path(crm_bridge.__file__).parent / "example" / "mappings"
RESULT = Path(__file__).parent / "results" / "mapping.json"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)

LEVELS = ["", "Senior ", "Sr. ", "Head of ", "VP ", "Director of ", "", "Chief ", "Jr. "]
ROLES = [
    "Marketing Manager",
    "Software Engineer",
    "Account Executive",
    "Sales",
    "Finance",
    "IT Manager",
    "Product Manager",
    "Customer Success Manager",
    "Operations",
    "HR Business Partner",
    "Procurement",
    "Legal Counsel",
    "Data Scientist",
    "Demand Generation",
    "Controller",
]
EXTRA = [
    "CEO",
    "CFO",
    "CTO",
    "Founder",
    "Geschäftsführer",
    "Directeur Financier",
    "n/a",
    "-",
    "Gerente de Ventas",
    "Leiter IT",
    "Office Manager",
    "SDR",
    "RVP Sales",
    "Owner",
]
STATUSES = [
    "Open - Not Contacted",
    "Working - Contacted",
    "Nurture",
    "Qualified",
    "Closed - Not Converted",
]
HS_STATUS = ["NEW", "IN_PROGRESS", "BAD_TIMING", "OPEN_DEAL", "UNQUALIFIED", "CONNECTED"]
SOURCES = ["Web", "Trade Show", "Partner", "Advertisement", "Other"]
STAGES = ["Prospecting", "Qualification", "Proposal/Price Quote", "Closed Won", "Closed Lost"]


def _titles(rng: random.Random, n: int) -> list[str]:
    titles = [lvl + role for lvl in LEVELS for role in ROLES] + EXTRA
    return [rng.choice(titles) for _ in range(n)]


def generate(n: int, seed: int = 7) -> Iterator[SourceRecord]:
    """N source records: 70 % people, 15 % accounts, 15 % opportunities, both CRMs."""
    rng = random.Random(seed)
    titles = _titles(rng, 5000)
    companies = max(10, n // 20)
    for i in range(n):
        company = i % companies
        domain = f"company{company}.com"
        modified = NOW - timedelta(minutes=i % 10000)
        kind = i % 20
        side = i % 2
        fields: dict[str, Value]
        if kind < 14:
            email = (
                f"person{i // 2}@{domain}"
                if rng.random() > 0.05
                else f" Person{i // 2}@{domain.upper()}"
            )
            if side == 0:
                obj = "Lead" if i % 3 else "Contact"
                fields = {
                    "Email": email,
                    "FirstName": "Ann",
                    "LastName": f"Smith{i}",
                    "Title": titles[i % 5000],
                    "Company": f"Company {company}",
                    "Lead_Score__c": rng.choice([10.0, 45.0, 62.0, 80.0, "bad", None]),
                    "Status": rng.choice(STATUSES),
                    "LeadSource": rng.choice(SOURCES),
                    "OwnerId": "005000000000001",
                    "CreatedDate": "2024-01-15T10:20:30.000+0000",
                    "Phone": "+1 (555) 010-0000",
                }
                ref = RecordRef("salesforce", obj, f"{'00Q' if obj == 'Lead' else '003'}{i:012d}")
            else:
                fields = {
                    "email": email,
                    "firstname": "Ann",
                    "lastname": f"Smith{i}",
                    "jobtitle": titles[i % 5000],
                    "company": f"Company {company}",
                    "hubspotscore": str(rng.choice([10, 45, 62, 80])),
                    "hs_lead_status": rng.choice(HS_STATUS),
                    "hs_analytics_source": "ORGANIC_SEARCH",
                    "lifecyclestage": rng.choice(["lead", "marketingqualifiedlead", "opportunity"]),
                    "hubspot_owner_id": "77",
                    "createdate": "2024-01-15T10:20:30.000Z",
                }
                ref = RecordRef("hubspot", "contacts", str(i))
        elif kind < 17:
            if side == 0:
                fields = {
                    "Name": f"Company {company}",
                    "Website": f"https://www.{domain}/",
                    "Industry": "Software",
                    "NumberOfEmployees": 250,
                    "AnnualRevenue": 1e7,
                }
                ref = RecordRef("salesforce", "Account", f"001{i:012d}")
            else:
                fields = {
                    "name": f"Company {company}",
                    "domain": domain,
                    "industry": "SOFTWARE",
                    "numberofemployees": "250",
                    "annualrevenue": "10000000",
                }
                ref = RecordRef("hubspot", "companies", str(i))
        else:
            if side == 0:
                fields = {
                    "Name": f"Deal {i}",
                    "StageName": rng.choice(STAGES),
                    "Amount": 25000.0,
                    "CloseDate": "2026-09-30",
                    "IsClosed": False,
                    "IsWon": False,
                    "LastStageChangeDate": "2026-04-01T10:00:00.000+0000",
                }
                ref = RecordRef("salesforce", "Opportunity", f"006{i:012d}")
            else:
                fields = {
                    "dealname": f"Deal {i}",
                    "dealstage": "qualifiedtobuy",
                    "amount": "25000",
                    "closedate": "2026-09-30",
                    "pipeline": "default",
                    "crmb_salesforce_id": f"006{i - 1:012d}",
                }
                ref = RecordRef("hubspot", "deals", str(i))
        yield SourceRecord(ref, modified, fields)


def run(n: int) -> dict[str, float | int]:
    """Time the mapping layer over ``n`` generated records."""
    fields = FieldsFile.model_validate(yaml.safe_load((EXAMPLE / "fields.yaml").read_text()))
    lifecycle = LifecycleFile.model_validate(
        yaml.safe_load((EXAMPLE / "lifecycle.yaml").read_text())
    )
    records = list(generate(n))
    gc.collect()
    gc.freeze()  # the generated input is not part of the measured work
    started = time.perf_counter()
    mapper = FieldMapper(fields)
    funnel = Funnel(lifecycle)
    personas = PersonaClassifier(default_personas())
    setup = time.perf_counter() - started

    t0 = time.perf_counter()
    sf: list[Canonical] = []
    hs: list[Canonical] = []
    issues = 0
    for source in records:
        mapped = mapper.map(source)
        issues += len(mapped.issues)
        (sf if source.ref.crm == "salesforce" else hs).append(mapped.record)
    t1 = time.perf_counter()
    people = 0
    for record in sf + hs:
        if record.ref.kind == "person":
            people += 1
            personas.classify(record.values.get("title"), record.values.get("department"))
    t2 = time.perf_counter()
    for record in sf + hs:
        if record.ref.kind == "person":
            funnel.decide(record, NOW, record.values.get("stage"))  # type: ignore[arg-type]
    t3 = time.perf_counter()
    identity = link_records(sf, hs)
    t4 = time.perf_counter()

    total = t4 - t0
    return {
        "records": n,
        "people": people,
        "records_per_second": round(n / total),
        "target_records_per_second": 50000,
        "target_ratio": round(n / total / 50000, 2),
        "field_mapping_per_second": round(n / (t1 - t0)),
        "personas_per_second": round(people / (t2 - t1)),
        "lifecycle_per_second": round(people / (t3 - t2)),
        "identity_per_second": round(n / (t4 - t3)),
        "seconds_total": round(total, 3),
        "setup_seconds": round(setup, 3),
        "mapping_issues": issues,
        "links": len(identity.links),
        "ambiguities": len(identity.ambiguities),
        "duplicates": len(identity.duplicates),
    }


def main() -> None:
    """Parse ``--records``, run, print and write the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    result = run(args.records)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
