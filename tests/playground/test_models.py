"""playground/models.py: saved scenarios."""

from __future__ import annotations

import pytest

from playground.models import SLUG_LENGTH, Scenario


@pytest.mark.django_db
def test_scenario_ids_are_short_random_slugs():
    ids = {Scenario.objects.create(document={"format": 1}).id for _ in range(20)}
    assert len(ids) == 20
    for sid in ids:
        assert len(sid) == SLUG_LENGTH
        assert sid.isascii() and sid.isalnum()
