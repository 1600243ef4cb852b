"""Alignment fields to create in each CRM (``crm-bridge setup``, and ``sync --sandbox``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from crm_bridge.config.fields import FieldsFile
from crm_bridge.connectors.base import Connector, FieldSpec
from crm_bridge.model import NATIVE_KINDS, Crm


def field_specs(fields: FieldsFile, crm: Crm, object_type: str) -> list[FieldSpec]:
    """The ``write:`` fields of ``fields.yaml`` that apply to ``object_type`` in ``crm``."""
    kind = NATIVE_KINDS[crm][object_type]
    specs: list[FieldSpec] = []
    for name, spec in fields.write.items():
        native = spec.salesforce if crm == "salesforce" else spec.hubspot
        if native is None or kind not in spec.objects:
            continue
        specs.append(
            FieldSpec(
                name=native,
                type=spec.type,
                label=spec.label or name.replace("_", " ").capitalize() + " (crm-bridge)",
                length=spec.length,
                options=tuple(spec.options or ()),
            )
        )
    return specs


def alignment_specs(fields: FieldsFile, crm: Crm) -> Iterator[tuple[str, list[FieldSpec]]]:
    """(native object, its alignment field specs) for every object of ``crm`` that has any."""
    for object_type in NATIVE_KINDS[crm]:
        specs = field_specs(fields, crm, object_type)
        if specs:
            yield object_type, specs


def create_alignment(connector: Connector, fields: FieldsFile) -> dict[str, list[FieldSpec]]:
    """Create the alignment fields ``connector``'s CRM lacks (idempotent); what was created,
    by native object."""
    created: dict[str, list[FieldSpec]] = {}
    for object_type, specs in alignment_specs(fields, connector.crm):
        names = set(connector.ensure_fields(object_type, specs))
        if names:
            created[object_type] = [s for s in specs if s.name in names]
    return created


def ensure_all(
    connectors: Mapping[Crm, Connector], fields: FieldsFile
) -> dict[tuple[Crm, str], list[str]]:
    """Create every missing alignment field in every CRM; returns what was created."""
    return {
        (crm, object_type): [s.name for s in specs]
        for crm, connector in connectors.items()
        for object_type, specs in create_alignment(connector, fields).items()
    }
