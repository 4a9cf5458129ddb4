"""Render the state machines as Mermaid or Graphviz DOT, read straight from the transitions."""

from __future__ import annotations

from django_fsm import RETURN_VALUE

from .machines import MACHINES


def edges(kind: str) -> list[tuple[str, str, str]]:
    """(source, target, action) for every transition of the machine, sorted for stable output."""
    machine = MACHINES[kind]
    field = machine._meta.get_field("state")
    found: set[tuple[str, str, str]] = set()
    for t in field.get_all_transitions(machine):
        if isinstance(t.target, RETURN_VALUE):
            targets = t.target.allowed_states or []
            # A RETURN_VALUE transition either stays (extend, partial withdrawal) or goes elsewhere.
            targets = [s for s in targets if s == t.source or s not in _sources(machine, t.name)]
        else:
            targets = [t.target]
        for target in targets:
            found.add((str(t.source), str(target), t.name))
    return sorted(found)


def _sources(machine, name: str) -> set[str]:
    return {
        str(t.source) for t in machine._meta.get_field("state").get_all_transitions(machine) if t.name == name
    }


def mermaid(kind: str) -> str:
    lines = ["stateDiagram-v2", "    [*] --> received"]
    lines += [f"    {s} --> {t}: {a}" for s, t, a in edges(kind)]
    return "\n".join(lines)


def dot(kind: str) -> str:
    lines = [f'digraph "{kind}" {{', "    rankdir=LR;", "    node [shape=box, style=rounded];"]
    lines += [f'    "{s}" -> "{t}" [label="{a}"];' for s, t, a in edges(kind)]
    lines.append("}")
    return "\n".join(lines)


def readme_block() -> str:
    """The Markdown the README embeds: one fenced Mermaid diagram per kind."""
    return "".join(f"#### {kind}\n\n```mermaid\n{mermaid(kind)}\n```\n\n" for kind in MACHINES)
