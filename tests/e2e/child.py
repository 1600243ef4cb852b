"""A sync run in a process of its own, against a sandbox served by another process (the test).

``python -m tests.e2e.child PROJECT ENDPOINT_JSON STATE_URL CLOCK_ISO`` runs the example job
once through the real connectors and prints the run's JSON summary. The crash tests SIGKILL it
part way through its writes.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from crm_bridge.project import load_project
from crm_bridge.sandbox.server import SandboxEndpoint
from crm_bridge.state.store import open_store
from tests.e2e.support import sync


def main(argv: list[str]) -> int:
    project_dir, endpoint_file, state_url, clock_iso = argv
    endpoint = SandboxEndpoint(**json.loads(Path(endpoint_file).read_text(encoding="utf-8")))
    now = datetime.fromisoformat(clock_iso)
    with open_store(state_url) as store:
        summary = sync(load_project(Path(project_dir)), endpoint, store, clock=lambda: now)
    print(json.dumps(summary.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
