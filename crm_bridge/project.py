"""Load and validate a project folder: ``connectors/``, ``mappings/`` and ``jobs/``.

:func:`load_project` reads every file, validates each with its model, runs the checks that
span files (a job naming a connection that does not exist, a lifecycle condition naming a
canonical field that ``fields.yaml`` does not define, a conflict policy for an unknown field)
and raises ONE :class:`~crm_bridge.errors.ConfigError` listing every issue of every file.

Which mapping files are required: ``fields.yaml`` and ``lifecycle.yaml`` must exist;
``personas.yaml``, ``sla.yaml`` and ``alignment.yaml`` are optional (their features are off
when absent). SLA and alignment conditions naming a field ``fields.yaml`` does not define, and
stall stages that are not values of the canonical deal stage, are reported as
:attr:`Project.warnings` (such a condition or threshold never applies). ``connectors/`` needs at least one profile; ``jobs/`` may be empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from crm_bridge.conditions import AllOf, AnyOf, FieldCondition, NotOf
from crm_bridge.config.alignment import AlignmentFile
from crm_bridge.config.connectors import (
    PROFILE_ADAPTER,
    ConnectionProfile,
    HubSpotProfile,
    RealProfile,
    SalesforceProfile,
    SandboxProfile,
)
from crm_bridge.config.fields import FieldsFile
from crm_bridge.config.jobs import JobFile
from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.config.personas import PersonasFile
from crm_bridge.config.sla import SlaFile
from crm_bridge.errors import ConfigError, ConfigIssue
from crm_bridge.yamlio import YamlDoc, dotted, load_yaml, validate, validate_adapter

M = TypeVar("M", bound=BaseModel)
YAML_SUFFIXES = (".yaml", ".yml")
#: Names a condition may use besides fields.yaml's canonical fields (set by the pipeline).
DERIVED_FIELDS = frozenset(
    {
        "lifecycle_stage",
        "persona",
        "function",
        "seniority",
        "buying_role",
        "sla_status",
        "converted",
        "object_type",
        "crm",
    }
)


@dataclass(frozen=True)
class Connection:
    """One connection profile and the file it came from."""

    name: str
    profile: RealProfile
    file: str
    #: 1-based line of each top-level key in the file (for messages about this profile).
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """Line of ``key`` in the profile's file, else of ``auth``/``kind``, else 1."""
        for k in (key, "auth", "kind"):
            if k in self.key_lines:
                return self.key_lines[k]
        return 1


@dataclass(frozen=True)
class Job:
    """One job definition; ``name`` is the file stem."""

    name: str
    spec: JobFile
    file: str


@dataclass(frozen=True)
class Project:
    """A validated project folder. Optional mapping files are ``None`` when absent."""

    root: Path
    connections: Mapping[str, Connection]
    jobs: Mapping[str, Job]
    fields: FieldsFile
    lifecycle: LifecycleFile
    personas: PersonasFile | None
    sla: SlaFile | None
    alignment: AlignmentFile | None
    #: Problems that do not stop a run (e.g. an SLA condition on a field fields.yaml lacks,
    #: which then never holds); ``crm-bridge check`` shows them.
    warnings: tuple[ConfigIssue, ...] = ()

    def connection(self, name: str) -> Connection:
        """The connection called ``name`` (``KeyError`` when there is none)."""
        return self.connections[name]

    @property
    def mapping_files(self) -> tuple[str, ...]:
        """Names of the mapping files that were loaded."""
        present = {
            "fields.yaml": True,
            "lifecycle.yaml": True,
            "personas.yaml": self.personas is not None,
            "sla.yaml": self.sla is not None,
            "alignment.yaml": self.alignment is not None,
        }
        return tuple(k for k, v in present.items() if v)


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.issues: list[ConfigIssue] = []
        self.warnings: list[ConfigIssue] = []
        self.docs: dict[str, YamlDoc] = {}

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def read(self, path: Path) -> YamlDoc | None:
        doc, issues = load_yaml(path, self.rel(path))
        self.issues.extend(issues)
        if doc.data is None and issues:
            return None
        self.docs[doc.file] = doc
        return doc

    def model(self, path: Path, model: type[M], required: bool) -> M | None:
        if not path.is_file():
            if required:
                self.issues.append(
                    ConfigIssue(self.rel(path), None, "", "required file is missing")
                )
            return None
        doc = self.read(path)
        if doc is None:
            return None
        result = validate(model, doc)
        if isinstance(result, list):
            self.issues.extend(result)
            return None
        return result

    def folder(self, name: str) -> Iterator[Path]:
        folder = self.root / name
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir()):
            if path.suffix in YAML_SUFFIXES and path.is_file():
                yield path


def _connections(loader: _Loader) -> dict[str, Connection]:
    result: dict[str, Connection] = {}
    for path in loader.folder("connectors"):
        doc = loader.read(path)
        if doc is None:
            continue
        profile = validate_adapter(PROFILE_ADAPTER, doc, ConnectionProfile)
        if isinstance(profile, list):
            loader.issues.extend(profile)
            continue
        assert isinstance(profile, SalesforceProfile | HubSpotProfile | SandboxProfile)
        name = profile.name or path.stem
        if name in result:
            loader.issues.append(
                ConfigIssue(
                    doc.file,
                    doc.line_of(("name",)),
                    "name",
                    f"connection '{name}' is already defined in {result[name].file}",
                )
            )
            continue
        lines = {str(k[0]): v for k, v in doc.lines.items() if len(k) == 1}
        result[name] = Connection(name=name, profile=profile, file=doc.file, key_lines=lines)
    if not result and not any(i.file.startswith("connectors") for i in loader.issues):
        loader.issues.append(
            ConfigIssue(
                "connectors/", None, "", "no connection profiles found (expected *.yaml files)"
            )
        )
    return result


def _jobs(loader: _Loader, connections: Mapping[str, Connection]) -> dict[str, Job]:
    result: dict[str, Job] = {}
    for path in loader.folder("jobs"):
        doc = loader.read(path)
        if doc is None:
            continue
        spec = validate(JobFile, doc)
        if isinstance(spec, list):
            loader.issues.extend(spec)
            continue
        for key in ("source", "write"):
            for index, name in enumerate(getattr(spec, key)):
                if name not in connections:
                    known = ", ".join(sorted(connections)) or "none"
                    loader.issues.append(
                        ConfigIssue(
                            doc.file,
                            doc.line_of((key, index)),
                            f"{key}[{index}]",
                            f"unknown connection '{name}' (defined in connectors/: {known})",
                        )
                    )
        result[path.stem] = Job(name=path.stem, spec=spec, file=doc.file)
    return result


def _leaves(
    node: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[FieldCondition, tuple[str | int, ...]]]:
    """Every leaf condition reachable from ``node`` (a model, list or dict), with its path."""
    if isinstance(node, FieldCondition):
        yield node, path
    elif isinstance(node, AllOf):
        for i, c in enumerate(node.all):
            yield from _leaves(c, (*path, "all", i))
    elif isinstance(node, AnyOf):
        for i, c in enumerate(node.any):
            yield from _leaves(c, (*path, "any", i))
    elif isinstance(node, NotOf):
        yield from _leaves(node.not_, (*path, "not"))
    elif isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            yield from _leaves(getattr(node, name), (*path, info.alias or name))
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            yield from _leaves(item, (*path, i))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))


def _known_fields(fields: FieldsFile) -> set[str]:
    known = set(DERIVED_FIELDS) | set(fields.write)
    for kind in ("person", "account", "opportunity"):
        known |= set(getattr(fields, kind))
    return known


def _check_conflicts(loader: _Loader, fields: FieldsFile, jobs: Mapping[str, Job]) -> None:
    known = _known_fields(fields)
    for job in jobs.values():
        doc = loader.docs[job.file]
        for name in job.spec.conflicts:
            if name != "default" and name not in known:
                loader.issues.append(
                    ConfigIssue(
                        job.file,
                        doc.line_of(("conflicts", name)),
                        f"conflicts.{name}",
                        f"unknown field '{name}': not a canonical field of mappings/fields.yaml "
                        "(or 'default')",
                    )
                )


def _check_condition_fields(
    loader: _Loader, fields: FieldsFile, file: str, model: BaseModel | None, *, strict: bool
) -> None:
    if model is None or file not in loader.docs:
        return
    doc = loader.docs[file]
    known = _known_fields(fields)
    for leaf, path in _leaves(model, ()):
        name = leaf.field
        if name.startswith(("sf.", "hs.")) or name in known:
            continue
        (loader.issues if strict else loader.warnings).append(
            ConfigIssue(
                file,
                doc.line_of((*path, "field")),
                dotted((*path, "field")),
                f"unknown field '{name}': not defined in mappings/fields.yaml "
                "(use sf.<Field> or hs.<property> for a CRM field that is not mapped)",
            )
        )


def _check_stall_stages(
    loader: _Loader, fields: FieldsFile, alignment: AlignmentFile | None
) -> None:
    """Warn about stall stage names that the canonical deal ``stage`` never holds (they would
    never apply): the values of the picklist the opportunity ``stage`` field uses."""
    file = "mappings/alignment.yaml"
    spec = fields.opportunity.get("stage")
    if alignment is None or file not in loader.docs or spec is None or spec.picklist is None:
        return
    values = list(fields.picklists.get(spec.picklist, {}))
    known = {v.casefold() for v in values}
    stalls = alignment.stalls
    named: list[tuple[tuple[str | int, ...], str]] = [
        (("stalls", "stages", n), n) for n in stalls.stages
    ]
    named += [(("stalls", "ignore_stages", i), n) for i, n in enumerate(stalls.ignore_stages)]
    for path, name in named:
        if name.casefold() not in known:
            loader.warnings.append(
                ConfigIssue(
                    file,
                    loader.docs[file].line_of(path),
                    dotted(path),
                    f"unknown deal stage '{name}': the canonical stage is one of "
                    f"{', '.join(values)} (picklist {spec.picklist} in mappings/fields.yaml); "
                    "this entry never applies",
                )
            )


def _ordered(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    """Files in the order first reported; inside a file, by line."""
    files = list(dict.fromkeys(i.file for i in issues))
    return sorted(issues, key=lambda i: (files.index(i.file), i.line or 0))


def load_project(root: Path) -> Project:
    """Load and validate the project in ``root``; raise :class:`ConfigError` with every issue."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError([ConfigIssue(str(root), None, "", "project folder does not exist")])
    loader = _Loader(root)
    connections = _connections(loader)
    maps = root / "mappings"
    fields = loader.model(maps / "fields.yaml", FieldsFile, required=True)
    lifecycle = loader.model(maps / "lifecycle.yaml", LifecycleFile, required=True)
    personas = loader.model(maps / "personas.yaml", PersonasFile, required=False)
    sla = loader.model(maps / "sla.yaml", SlaFile, required=False)
    alignment = loader.model(maps / "alignment.yaml", AlignmentFile, required=False)
    jobs = _jobs(loader, connections)
    if fields is not None:
        _check_condition_fields(loader, fields, "mappings/lifecycle.yaml", lifecycle, strict=True)
        _check_condition_fields(loader, fields, "mappings/sla.yaml", sla, strict=False)
        _check_condition_fields(loader, fields, "mappings/alignment.yaml", alignment, strict=False)
        _check_stall_stages(loader, fields, alignment)
        _check_conflicts(loader, fields, jobs)
    if loader.issues or fields is None or lifecycle is None:
        raise ConfigError(_ordered(loader.issues))
    return Project(
        root=root,
        connections=connections,
        jobs=jobs,
        fields=fields,
        lifecycle=lifecycle,
        personas=personas,
        sla=sla,
        alignment=alignment,
        warnings=tuple(loader.warnings),
    )
