import typer
from databases import Database
from sqlalchemy import create_engine

from app.config import settings
from app.migrations import upgrade

cli = typer.Typer()
local_db = Database("sqlite:///local.db")


@cli.command("migrate")
def migrate() -> None:
    engine = create_engine(settings.database_url)
    upgrade(engine)


def create_schema(url: str, name: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {name}")
    engine.dispose()


def reporting_engine(host: str):
    url = f"postgresql+psycopg://reports@{host}/reports"
    return create_engine(url)


def local_engine():
    return create_engine(str(local_db.url))


if __name__ == "__main__":
    upgrade(create_engine(settings.database_url))
