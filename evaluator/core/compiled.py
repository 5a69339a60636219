"""The compile cache: one World per scenario object, shared by every run.

A World is frozen (world.py), so every evaluation of a scenario, and every
request of the web app that holds the same Scenario object, can share it.
"""

from __future__ import annotations

from .model import Scenario
from .problems import Problem, locate
from .world import World, build_world

# Keyed by the scenario object's id; the entry holds the scenario, so the id
# cannot be reused while it is cached, and `is` confirms a hit.
_WORLDS: dict[int, tuple[Scenario, World]] = {}


def compile_scenario(scenario: Scenario) -> World:
    """Compile every policy once per scenario object (R: compiled once per version)."""
    cached = _WORLDS.get(id(scenario))
    if cached is not None and cached[0] is scenario:
        return cached[1]
    world = build_world(scenario)
    if len(_WORLDS) > 64:
        _WORLDS.clear()
    _WORLDS[id(scenario)] = (scenario, world)
    return world


def policy_problems(
    scenario: Scenario, positions: dict[str, tuple[int, int]] | None = None
) -> list[Problem]:
    """The problems of every policy in the scenario (compiled once), located in the text."""
    return locate(compile_scenario(scenario).problems, positions)
