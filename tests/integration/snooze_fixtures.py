"""The fake Slack and Graph servers as fixtures, each wired in through the environment.

A test module imports the ones it uses (``slack_fixture`` for the fixture ``slack``): pytest
finds fixtures among a module's names, and the ``_fixture`` names keep linters from reading a
test's ``slack`` argument as a redefinition of the import.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.fake_graph import FakeGraph
from tests.fakes.fake_slack import FakeSlack

SLACK_TOKEN = "xoxp-test"
"""The token the ``slack`` fixture's fake accepts."""
GRAPH_TOKEN = "good"
"""The token the ``graph`` fixture's fake accepts."""


@pytest.fixture(name="slack")
def slack_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    fake = FakeSlack(SLACK_TOKEN)
    monkeypatch.setenv("DEEPWORKZONE_SLACK_API_URL", fake.url)
    yield fake
    fake.close()


@pytest.fixture(name="graph")
def graph_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    fake = FakeGraph(GRAPH_TOKEN)
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_API_URL", fake.url)
    yield fake
    fake.close()
