"""crm_bridge.alignment: pure alignment logic (no CRM calls, no database).

- :mod:`.calendar`: business-hours calendars (add / between / is_open), DST- and holiday-aware.
- :mod:`.sla`: the SLA clock state machine and the SLA alignment fields.
- :mod:`.sla_events`: start/stop event detection from :class:`~.sla_events.SlaFacts`.
- :mod:`.partner`: closed loop for leads handed to partners and resellers.
- :mod:`.stalls`: stalled-deal detection.
- :mod:`.committee`: buying-committee coverage of an opportunity.
- :mod:`.kpis` / :mod:`.kpi_inputs`: shared revenue KPIs for the report.
"""
