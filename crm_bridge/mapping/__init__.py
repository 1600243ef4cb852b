"""The mapping layer: from CRM records to shared, canonical facts.

- :mod:`~crm_bridge.mapping.compile` — structured conditions compiled into ``(record, now) -> bool``.
- :mod:`~crm_bridge.mapping.transforms` — the fixed registry of named field transforms.
- :mod:`~crm_bridge.mapping.fields` — ``fields.yaml`` compiled into per-object mappers (and back).
- :mod:`~crm_bridge.mapping.identity` — the same person/account/deal across both CRMs.
- :mod:`~crm_bridge.mapping.lifecycle` — the shared funnel (forward-only, recycle, entry times).
- :mod:`~crm_bridge.mapping.titles` / :mod:`~crm_bridge.mapping.personas` — persona tags.
"""
