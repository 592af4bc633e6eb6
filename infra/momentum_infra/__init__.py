"""The ``momentum`` command and the local stack: everything that runs a developer's machine, not AWS."""

from pathlib import Path

# The checkout this package runs from (infra/momentum_infra/ is two levels below it).
REPO_ROOT = Path(__file__).resolve().parents[2]
