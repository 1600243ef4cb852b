"""HubSpot CRM v3 emulator, mounted by the sandbox app via `routes.routes(sb)`.

The unmodified ``hubspot.HubSpot`` client works against it: exact success codes per
endpoint, string property values, ISO timestamps with ms, HubSpot's error JSON, rate-limit
headers and 429 bodies. Modules:

- `store` — `HubSpotStore` (records per type, properties, groups, pipelines, owners,
  associations; `seed(world)`, `to_json()`/`from_json()`), `HubSpotSettings` (search filter
  limits, 10,000 cap, eventual-consistency lag, search per-second limit, daily quota).
- `records`, `properties`, `pipelines`, `owners`, `associations` — the data model.
- `search` — filter groups, one sort, offset paging, result cache per data version.
- `ratelimit` — rolling 10 s burst per token, daily quota, 5/s search.
- `http` — auth, limits and error rendering around every handler.
- `routes_objects`, `batch`, `routes_meta`, `routes_assoc`, `routes` — the endpoints.
- `seed` — the World's HubSpot side.
"""
