"""A contract type for import-linter (.importlinter) that its built-in ones cannot express: "these modules
may import, of this package, only these modules".

A `forbidden` contract would have to list every other module of the package and would silently let a
module added later through; an allow-list catches it. Only direct imports are checked: what an allowed
module imports in turn is that module's business (and other contracts').
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


class AllowlistContract(Contract):
    """
    Configuration options:
        - source_modules:   the modules (with their descendants) the rule is about.
        - package:          the package whose modules they may import only from the allow-list.
        - allowed_modules:  those modules (with their descendants). Imports among the source modules
                            and of anything outside `package` are always allowed.
    """

    type_name = "allowlist"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    package = fields.ModuleField()
    allowed_modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        package = self.package.name  # type: ignore[attr-defined]
        allowed = [module.name for module in self.allowed_modules]  # type: ignore[attr-defined]
        roots = [module.name for module in self.source_modules]  # type: ignore[attr-defined]
        for name in [package, *allowed, *roots]:
            if name not in graph.modules:
                raise ValueError(f"Module '{name}' does not exist.")
        sources = set(roots).union(*(graph.find_descendants(root) for root in roots))

        violations = []
        for importer in sorted(sources):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if (
                    imported in sources
                    or not _within(imported, package)
                    or any(_within(imported, ok) for ok in allowed)
                ):
                    continue
                lines = sorted(
                    detail["line_number"]
                    for detail in graph.get_import_details(importer=importer, imported=imported)
                )
                violations.append({"importer": importer, "imported": imported, "lines": lines})
        output.verbose_print(verbose, f"Checked the direct imports of {len(sources)} modules.")
        return ContractCheck(kept=not violations, warnings=[], metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        allowed = ", ".join(module.name for module in self.allowed_modules)  # type: ignore[attr-defined]
        output.print_error(f"Only {allowed} may be imported from {self.package}:")  # type: ignore[attr-defined]
        output.new_line()
        for violation in check.metadata["violations"]:
            lines = ", ".join(f"l.{line}" for line in violation["lines"])
            output.print_error(f"- {violation['importer']} -> {violation['imported']} ({lines})")
        output.new_line()
