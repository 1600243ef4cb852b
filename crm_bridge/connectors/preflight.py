"""Pre-flight of a project's CRM connections: what ``crm-bridge check`` and ``setup`` do.

* :func:`requirements` lists, per native object, the fields a sync reads (mapped fields,
  the fields the connector always selects) and writes (alignment fields, ``sync: true``
  fields, the lifecycle field of ``lifecycle.yaml`` ``crm_values``).
* :func:`inspect` asks one connector whether it can log in, whether every required field
  exists (Salesforce hides fields the integration user may not read, so field-level security
  shows up as a missing field), whether every written field is updateable (HubSpot read-only or
  calculated properties, Salesforce fields without Edit access) and how much of the daily API
  budget is left.
* :func:`missing_alignment` lists the alignment fields (``write:`` of ``fields.yaml``) that do
  not exist yet (:func:`crm_bridge.jobs.setup.create_alignment` creates them).
* :func:`connection_targets` opens the project's real connections (or the embedded sandbox)
  and names the environment variables holding each one's secrets, for messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from crm_bridge.config.connectors import (
    HubSpotProfile,
    RealProfile,
    SalesforceProfile,
    SandboxProfile,
    env_var,
    resolve_secrets,
)
from crm_bridge.config.fields import FieldsFile
from crm_bridge.connectors.base import Connector, FieldInfo, FieldSpec
from crm_bridge.connectors.factory import open_connector, sandbox_connectors
from crm_bridge.connectors.hubspot import modified_property
from crm_bridge.connectors.retry import RetryPolicy
from crm_bridge.connectors.salesforce import EXTRA_FIELDS, MODSTAMP
from crm_bridge.errors import (
    AuthError,
    ConfigError,
    ConnectivityError,
    CredentialMissing,
    CrmError,
    PermissionDenied,
)
from crm_bridge.jobs.setup import alignment_specs, field_specs
from crm_bridge.model import NATIVE_KINDS, Crm
from crm_bridge.project import Project
from crm_bridge.settings import Settings

#: Checks should answer quickly: a few attempts, a short deadline.
CHECK_RETRY = RetryPolicy(deadline_s=20.0, max_attempts=3)
#: Contact roles are read from this Salesforce object (with these fields).
CONTACT_ROLE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "OpportunityContactRole": ("OpportunityId", "ContactId", "Role", "IsPrimary"),
}
ProblemKind = Literal[
    "connection", "permission", "missing_alignment", "missing_mapped", "not_updateable", "budget"
]


@dataclass(slots=True)
class Need:
    """One native field (``name``) a sync uses: read always, written when ``write``.

    ``alignment`` marks the fields ``crm-bridge setup`` creates; ``sources`` says where the
    project asks for it (``fields.yaml person.email``, ``fields.yaml write.persona``, ...).
    """

    name: str
    write: bool = False
    alignment: bool = False
    sources: list[str] = field(default_factory=list)


Needs = dict[str, dict[str, Need]]
"""Native object -> casefolded field name -> :class:`Need`."""


def _add(needs: Needs, obj: str, name: str, source: str, *, write: bool, alignment: bool) -> None:
    need = needs.setdefault(obj, {}).setdefault(name.casefold(), Need(name))
    need.write = need.write or write
    need.alignment = need.alignment or alignment
    if source not in need.sources:
        need.sources.append(source)


def requirements(project: Project, crm: Crm) -> Needs:
    """Every field a sync of ``project`` reads or writes in ``crm``, by native object."""
    fields: FieldsFile = project.fields
    needs: Needs = {}
    for obj, kind in NATIVE_KINDS[crm].items():
        for name, spec in fields.fields_of(kind).items():
            native = spec.native(crm, obj)
            if native is None:
                continue
            two_way = spec.sync and spec.salesforce is not None and spec.hubspot is not None
            _add(needs, obj, native, f"fields.yaml {kind}.{name}", write=two_way, alignment=False)
        for spec_ in field_specs(fields, crm, obj):
            canonical = next(
                n
                for n, w in fields.write.items()
                if (w.salesforce if crm == "salesforce" else w.hubspot) == spec_.name
            )
            _add(
                needs, obj, spec_.name, f"fields.yaml write.{canonical}", write=True, alignment=True
            )
        stage_field = project.lifecycle.crm_values.get(crm, {}).get(obj)
        if stage_field is not None:
            _add(
                needs,
                obj,
                stage_field.field,
                "lifecycle.yaml crm_values",
                write=True,
                alignment=False,
            )
        if crm == "salesforce":
            always: tuple[str, ...] = (MODSTAMP, "IsDeleted", *EXTRA_FIELDS.get(obj, ()))
        else:
            always = (modified_property(obj),)
            if obj in ("contacts", "companies"):
                always += ("hs_merged_object_ids",)
        for extra in always:
            _add(needs, obj, extra, "crm-bridge", write=False, alignment=False)
    if crm == "salesforce":
        for obj, names in CONTACT_ROLE_FIELDS.items():
            for name in names:
                _add(needs, obj, name, "contact roles", write=False, alignment=False)
    return needs


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that stops (or will stop) a sync on a connection."""

    kind: ProblemKind
    message: str
    object_type: str | None = None
    fields: tuple[str, ...] = ()
    exit_code: int = 2
    #: worth knowing but not stopping a sync (``exit_code`` is then 0)
    warning: bool = False


@dataclass(slots=True)
class ConnectionReport:
    """What :func:`inspect` found on one connection."""

    name: str
    crm: Crm | None
    authenticated: bool = False
    objects: int = 0
    fields_read: int = 0
    fields_written: int = 0
    budget_remaining: int | None = None
    budget_max: int | None = None
    problems: list[Problem] = field(default_factory=list)
    skipped: str = ""

    @property
    def ok(self) -> bool:
        """Authenticated and no problem (warnings allowed)."""
        return self.authenticated and not any(not p.warning for p in self.problems)

    def summary(self) -> str:
        """One line for the connection's row."""
        if self.skipped:
            return self.skipped
        if not self.authenticated:
            return "not connected"
        budget = "API budget not reported"
        if self.budget_remaining is not None and self.budget_max:
            budget = f"API budget {self.budget_remaining:,} of {self.budget_max:,} calls left today"
        n = sum(1 for p in self.problems if not p.warning)
        w = len(self.problems) - n
        state = "no problems" if not n else ("1 problem" if n == 1 else f"{n} problems")
        if w:
            state += ", 1 warning" if w == 1 else f", {w} warnings"
        return (
            f"authenticated ({self.crm}); {self.objects} objects, {self.fields_read} fields "
            f"readable, {self.fields_written} writable; {budget}; {state}"
        )


def _names(items: list[str]) -> str:
    return ", ".join(items)


def _connection_problem(exc: CrmError, secrets: tuple[str, ...]) -> Problem:
    hint = ""
    if isinstance(exc, AuthError):
        where = _names(list(secrets)) if secrets else "the connection's environment variables"
        hint = f": check the credentials in {where}"
    elif isinstance(exc, ConnectivityError):
        hint = ": check the network, domain/instance_url and proxy settings"
    elif isinstance(exc, PermissionDenied):
        hint = ": grant the integration user API access (Salesforce) or the scopes listed (HubSpot)"
    return Problem("connection", f"cannot connect: {exc.describe()}{hint}", exit_code=3)


def _field_problems(
    obj: str, described: Mapping[str, FieldInfo], needs: Mapping[str, Need], crm: Crm
) -> list[Problem]:
    known = {name.casefold(): info for name, info in described.items()}
    alignment = [n.name for key, n in needs.items() if n.alignment and key not in known]
    mapped = [n for key, n in needs.items() if not n.alignment and key not in known]
    locked = [n.name for key, n in needs.items() if n.write and key in known]
    locked = [f for f in locked if not known[f.casefold()].updateable]
    problems: list[Problem] = []
    if alignment:
        problems.append(
            Problem(
                "missing_alignment",
                f"{obj}: {len(alignment)} alignment field(s) missing ({_names(alignment)}): "
                "run `crm-bridge setup`",
                obj,
                tuple(alignment),
            )
        )
    if crm == "salesforce" and mapped:
        detail = "; ".join(f"{n.name} ({', '.join(n.sources)})" for n in mapped)
        problems.append(
            Problem(
                "missing_mapped",
                f"{obj}: mapped field(s) not found: {detail}; the integration user lacks Read "
                "access (field-level security) or the org has no such field (fix "
                "mappings/fields.yaml); queries naming it fail",
                obj,
                tuple(n.name for n in mapped),
            )
        )
    elif mapped:
        # HubSpot ignores unknown properties on reads (they read as empty); writes fail
        for written in (True, False):
            group = [n for n in mapped if n.write == written]
            if not group:
                continue
            detail = "; ".join(f"{n.name} ({', '.join(n.sources)})" for n in group)
            them = "it" if len(group) == 1 else "them"
            effect = f"writing {them} fails" if written else f"crm-bridge reads {them} as empty"
            problems.append(
                Problem(
                    "missing_mapped",
                    f"{obj}: mapped propert{'y' if len(group) == 1 else 'ies'} not found: "
                    f"{detail}; the account has no such property or mappings/fields.yaml "
                    f"misspells it; {effect}",
                    obj,
                    tuple(n.name for n in group),
                    exit_code=2 if written else 0,
                    warning=not written,
                )
            )
    if locked:
        why = (
            "not updateable by the integration user (read-only field, or field-level security "
            "grants Read but not Edit): grant Edit access, e.g. in a permission set"
            if crm == "salesforce"
            else "read-only or calculated properties: crm-bridge cannot write them; map "
            "another property or drop sync/write for it"
        )
        problems.append(
            Problem(
                "not_updateable",
                f"{obj}: {_names(locked)} {'is' if len(locked) == 1 else 'are'} {why}",
                obj,
                tuple(locked),
            )
        )
    return problems


def inspect(
    connector: Connector,
    needs: Needs,
    *,
    secrets: tuple[str, ...] = (),
    daily_share: float = 1.0,
) -> ConnectionReport:
    """Log in, describe every object in ``needs`` and read the API budget of one connection."""
    report = ConnectionReport(connector.name, connector.crm)
    for obj, wanted in needs.items():
        try:
            described = connector.describe(obj).fields
        except AuthError as exc:
            report.problems.append(_connection_problem(exc, secrets))
            return report
        except (PermissionDenied, CrmError) as exc:
            if not report.authenticated and not isinstance(exc, PermissionDenied):
                report.problems.append(_connection_problem(exc, secrets))
                return report
            report.authenticated = True
            report.problems.append(
                Problem(
                    "permission",
                    f"{obj}: cannot read the object's fields: {exc.describe()}",
                    obj,
                    exit_code=3,
                )
            )
            continue
        report.authenticated = True
        report.objects += 1
        known = {name.casefold(): info for name, info in described.items()}
        report.fields_read += sum(1 for key in wanted if key in known)
        report.fields_written += sum(
            1
            for key, need in wanted.items()
            if need.write and key in known and known[key].updateable
        )
        report.problems.extend(_field_problems(obj, described, wanted, connector.crm))
    budget = connector.check({})
    if not report.authenticated:
        if budget.error:
            report.problems.append(
                Problem("connection", f"cannot connect: {budget.error}", exit_code=3)
            )
            return report
        report.authenticated = budget.auth_ok
    report.budget_remaining, report.budget_max = budget.budget_remaining, budget.budget_max
    if report.budget_remaining is not None and report.budget_max:
        reserve = report.budget_max * (1.0 - daily_share)
        if report.budget_remaining <= reserve:
            used = report.budget_max - report.budget_remaining
            report.problems.append(
                Problem(
                    "budget",
                    f"daily API budget used up for crm-bridge: {used:,} of {report.budget_max:,} "
                    f"calls used, crm-bridge may use {daily_share:.0%}; wait for the daily reset "
                    "or raise limits.daily_api_share",
                )
            )
    return report


# -- alignment fields --------------------------------------------------------------------
def missing_alignment(connector: Connector, fields: FieldsFile) -> dict[str, list[FieldSpec]]:
    """Alignment fields of ``fields.yaml`` that ``connector``'s CRM lacks, by native object."""
    out: dict[str, list[FieldSpec]] = {}
    for obj, specs in alignment_specs(fields, connector.crm):
        known = {n.casefold() for n in connector.describe(obj).fields}
        missing = [s for s in specs if s.name.casefold() not in known]
        if missing:
            out[obj] = missing
    return out


# -- opening connections -----------------------------------------------------------------
@dataclass(slots=True)
class Target:
    """One connection to check or set up: an open connector, or why it could not be opened."""

    name: str
    crm: Crm | None
    connector: Connector | None = None
    error: CredentialMissing | CrmError | None = None
    secrets: tuple[str, ...] = ()
    #: those of ``secrets`` that are not set (empty when the credentials resolved)
    unset: tuple[str, ...] = ()
    daily_share: float = 1.0

    def close(self) -> None:
        """Close the connector's HTTP connections (when it has a ``close``)."""
        close: Any = getattr(self.connector, "close", None)
        if callable(close):
            close()


_SECRET_KEYS: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("salesforce", "password"): ("username", "password", "security_token"),
    ("salesforce", "client_credentials"): ("consumer_key", "consumer_secret"),
    ("salesforce", "jwt"): ("username", "consumer_key", "private_key_file"),
    ("salesforce", "session"): ("session_id",),
    ("hubspot", "private_app"): ("access_token",),
    ("hubspot", "oauth"): ("client_id", "client_secret", "refresh_token"),
}


def secret_variables(name: str, profile: RealProfile) -> tuple[str, ...]:
    """The environment variables connection ``name`` reads its credentials from.

    Values the profile writes itself (``username:``, ``consumer_key:``, ``client_id:``,
    ``private_key_file:``) are left out.
    """
    if isinstance(profile, SandboxProfile):
        return ()
    out: list[str] = []
    for key in _SECRET_KEYS.get((profile.kind, profile.auth), ()):
        if getattr(profile, key, None):
            continue
        override = getattr(profile, f"{key}_env", None)
        out.append(env_var(name, key, override if isinstance(override, str) else None))
    return tuple(out)


def connection_targets(
    project: Project,
    settings: Settings,
    server: Any = None,
    *,
    retry: RetryPolicy = CHECK_RETRY,
) -> Iterator[Target]:
    """Every real connection of ``project`` opened (or why not); with ``server``, the two
    connectors of that running sandbox instead."""
    if server is not None:
        # pace HubSpot calls only when the sandbox enforces the limits
        paced = bool(getattr(server.sandbox.config, "rate_limits", True))
        for kind, connector in sandbox_connectors(server, retry=retry, paced=paced).items():
            yield Target(connector.name, kind, connector)
        return
    environ = settings.environ()
    for conn in project.connections.values():
        profile = conn.profile
        if not isinstance(profile, SalesforceProfile | HubSpotProfile):
            continue
        crm: Crm = "salesforce" if isinstance(profile, SalesforceProfile) else "hubspot"
        target = Target(conn.name, crm, secrets=secret_variables(conn.name, profile))
        if isinstance(profile, SalesforceProfile):
            target.daily_share = profile.limits.daily_api_share
        try:
            creds = resolve_secrets(conn.name, profile, environ, conn.file)
            target.connector = open_connector(conn.name, profile, creds, retry=retry)
        except (CredentialMissing, CrmError) as exc:
            target.error = exc
            if isinstance(exc, CredentialMissing):
                target.unset = tuple(v for v in target.secrets if not environ.get(v))
        yield target


def require_credentials(targets: list[Target]) -> None:
    """Raise one :class:`ConfigError` listing every connection whose secrets are not set."""
    issues = [
        issue for t in targets if isinstance(t.error, CredentialMissing) for issue in t.error.issues
    ]
    if issues:
        raise ConfigError(issues)
