"""HubSpot CRM v3 emulator: store, properties, search, associations v4, pipelines, routes."""
