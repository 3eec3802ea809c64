"""The names facts may carry, with their type, unit of measure and description, as the policies declare
them (`inputs:` of youfu/policies/reference/*.yaml). An import uses it to read a column as the type the
policy expects; a name no policy declares is still accepted (a bank may import a fact before writing the
policy that reads it), its type taken from the cells themselves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from youfu.facts.choices import ValueType
from youfu.policies.document import read_policy

POLICY_DIRS: tuple[Path, ...] = (Path(__file__).resolve().parent.parent / "policies" / "reference",)


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: ValueType
    measure: str
    description: str
    policies: tuple[str, ...]


@lru_cache(maxsize=1)
def known_inputs() -> dict[str, InputSpec]:
    """name → spec; the first policy (by file name) that declares a name gives its type and unit."""
    found: dict[str, InputSpec] = {}
    for directory in POLICY_DIRS:
        for path in sorted(directory.glob("*.yaml")):
            policy, _findings = read_policy(path)
            if policy is None:
                continue
            for item in policy.inputs:
                if not item.name or getattr(item.type, "value", None) not in ValueType.values:
                    continue
                spec = found.get(item.name)
                if spec is None:
                    found[item.name] = InputSpec(
                        name=item.name,
                        type=ValueType(item.type.value),
                        measure=item.unit,
                        description=item.description,
                        policies=(policy.id,),
                    )
                else:
                    found[item.name] = InputSpec(
                        spec.name, spec.type, spec.measure, spec.description, (*spec.policies, policy.id)
                    )
    return found


def input_spec(name: str) -> InputSpec | None:
    return known_inputs().get(name)
