from pathlib import Path

from django.core.management import call_command

from workflows.diagrams import edges, readme_block

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_embeds_the_generated_diagrams():
    assert readme_block() in README.read_text(encoding="utf-8"), (
        "run `make diagrams` after changing a machine"
    )


def test_complaint_diagram_shows_the_second_round_path():
    complaint = edges("complaint")
    assert ("decided", "appealed", "appeal") in complaint
    assert ("suspended", "verifying", "resume") in complaint


def test_petition_machines_offer_no_appeal_or_suspension():
    actions = {a for _s, _t, a in edges("reflection")}
    assert not actions & {"appeal", "suspend", "resume", "extend", "reject"}


def test_dot_output_is_a_digraph(capsys):
    call_command("draw_workflows", "--format", "dot", "--kind", "denunciation")
    out = capsys.readouterr().out
    assert out.count("digraph") == 1 and '"awaiting_approval" -> "decided" [label="approve"]' in out
