"""crm_bridge.sandbox — a local Salesforce + HubSpot emulator for tests, demos and benchmarks.

One HTTPS server (Starlette + uvicorn, TLS from a trustme CA made at start) on 127.0.0.1 serves
both CRMs on one port: Salesforce under ``/services/...``, HubSpot under ``/crm/...``,
``/oauth/...``, ``/integrations/...``, and the admin API under ``/_sandbox/``.

Modules (core): ``world`` (the World dataclasses) and ``generate`` (deterministic generator),
``core`` (`Sandbox`: stores, faults, calls, tokens, config, clock, reset, save/load), ``faults``,
``calls``, ``tokens``, ``app`` (the Starlette app and middleware), ``server`` (`SandboxServer`),
``clients`` (official clients trusting the sandbox CA), ``testing`` (pytest fixtures).
CRM packages: ``salesforce`` and ``hubspot`` (stores, routes, rate limits, seeding).

Division of work between the core middleware and the CRM routes:

- **Authentication is checked per route by each CRM package** (it knows which paths are
  public, e.g. ``POST /services/oauth2/token``, and renders its own 401 body). Use
  ``sb.tokens.valid(crm, token)``; the bearer token is ``request.headers["authorization"]``
  minus ``"Bearer "`` (helper: `crm_bridge.sandbox.tokens.bearer_token(request)`).
- **The core middleware** (``app.py``) counts every request (``sb.calls``), adds the optional
  latency (``sb.config.latency_ms``) and applies *request-level* faults from ``sb.faults.take``
  before the route runs, rendering them in the CRM's real error shape. Paths under
  ``/services/`` are Salesforce, ``/crm/``, ``/oauth/``, ``/integrations/`` HubSpot; the admin
  API is neither counted nor faulted.
- **Per-record failures** inside composite/batch writes are applied by the CRM handlers via
  ``sb.faults.record_failure(crm, method, path, record_id)``.
- **Rate limits** live in each CRM package, using ``sb.clock`` and ``sb.config``.
"""
