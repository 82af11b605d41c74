"""Documentation that is checked: the case reference and the README examples."""

import re
from pathlib import Path

from oreflow.flowsheet.case import parse_case
from oreflow.report.casedoc import embed

ROOT = Path(__file__).resolve().parent.parent


def test_case_reference_is_generated_from_the_schemas():
    readme = ROOT / "cases" / "README.md"
    assert readme.read_text(encoding="utf-8") == embed(readme), (
        "cases/README.md is stale: run python -m oreflow.report.casedoc cases/README.md"
    )


def test_minimal_example_in_cases_readme_is_a_valid_case():
    text = (ROOT / "cases" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    spec = parse_case(block, "cases/README.md")
    assert spec.name == "minimal"


def test_every_unit_type_and_parameter_is_documented():
    from oreflow.units import UNIT_TYPES

    text = (ROOT / "cases" / "README.md").read_text(encoding="utf-8")
    for utype in UNIT_TYPES.values():
        assert f'type = \\"{utype.name}\\"' in text or f'type = "{utype.name}"' in text
        for p in utype.params:
            assert f"`{p.name}`" in text
            assert p.source, f"{utype.name}.{p.name} has no source"
