from typing import Annotated

from fastapi import Path
from pydantic import StringConstraints

PrimaryKey = int
OrganizationSlug = Annotated[str, Path(), StringConstraints(pattern=r"^[\w]+(?:_[\w]+)*$")]
