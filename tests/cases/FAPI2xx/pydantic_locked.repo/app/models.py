from pydantic import BaseModel, ConfigDict, validator
from pydantic.dataclasses import dataclass
from sqlmodel import Field, SQLModel


@dataclass(config=ConfigDict(extra="allow"))
class Caller:
    tenant_id: str
    email: str


class Rule(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


class RuleIn(BaseModel):
    name: str

    @validator("name")
    def stripped(cls, value: str) -> str:
        return value.strip()

    class Config:
        orm_mode = True


def rows(rules: list[Rule]) -> list[dict]:
    return [rule.model_dump() for rule in rules]


def create(body: RuleIn) -> Rule:
    return Rule(**body.dict())
