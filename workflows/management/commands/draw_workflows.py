from django.core.management.base import BaseCommand

from workflows.diagrams import dot, mermaid, readme_block
from workflows.machines import MACHINES


class Command(BaseCommand):
    help = "Print each case kind's state machine as a Mermaid diagram (default) or Graphviz DOT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
        parser.add_argument("--kind", choices=list(MACHINES), help="Only this kind (default: all).")
        parser.add_argument("--markdown", action="store_true", help="Wrap Mermaid output in fenced blocks.")
        parser.add_argument(
            "--update-readme",
            metavar="PATH",
            help="Replace the diagrams between the markers in this README with freshly generated ones.",
        )

    def handle(self, *args, **options) -> None:
        if options["update_readme"]:
            update_readme(options["update_readme"])
            return
        render = mermaid if options["format"] == "mermaid" else dot
        for kind in [options["kind"]] if options["kind"] else list(MACHINES):
            text = render(kind)
            if options["format"] == "mermaid" and options["markdown"]:
                text = f"#### {kind}\n\n```mermaid\n{text}\n```\n"
            else:
                text = f"%% {kind}\n{text}\n" if options["format"] == "mermaid" else f"// {kind}\n{text}\n"
            self.stdout.write(text)


def update_readme(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:start] + "\n" + readme_block() + text[end:])


README_START, README_END = "<!-- diagrams:start -->", "<!-- diagrams:end -->"
