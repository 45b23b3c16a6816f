"""What a registration number in a URL or a body may look like: the national data IP layout
(16 characters, or a 17-digit certificate number where a route also takes one) and a prefixed
register's (issue 24 §1: "CQ…" for data property, `domain.numbering`). One pattern, so that
every route about a registration takes every register's numbers: a route that refused "CQ…"
made the data property registration page offer actions that then failed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

NUMBER = r"(?:[0-9X]{16,17}|[A-Z]{2}[0-9]{13}[0-9A-Z*]|[A-Z]{2}[0-9]{15})"
NUMBER_PATTERN = rf"^{NUMBER}$"

# a path parameter `{number}`
Number = Annotated[str, Path(pattern=NUMBER_PATTERN)]
# a body field naming a registration
NumberField = Annotated[str, Field(pattern=NUMBER_PATTERN)]
