"""Close the connectors a test opened, so the sandbox server never waits on idle sockets."""

from collections.abc import Iterator

import pytest

from tests.connectors.support import OPEN


@pytest.fixture(autouse=True)
def _close_connectors() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()
