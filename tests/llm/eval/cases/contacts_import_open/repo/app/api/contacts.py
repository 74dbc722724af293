import csv
import io

from fastapi import APIRouter, UploadFile

from app.api.deps import DbSession
from app.models import Contact

router = APIRouter()


@router.post("/import", status_code=201)
async def import_contacts(file: UploadFile, db: DbSession) -> dict:
    """Bulk-load contacts from a CSV export (name,email per row)."""
    text = (await file.read()).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    db.add_all(Contact(name=row["name"], email=row["email"]) for row in rows)
    return {"imported": len(rows)}
