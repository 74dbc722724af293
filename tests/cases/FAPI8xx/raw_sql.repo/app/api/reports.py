import sqlite3

from fastapi import APIRouter, Depends, Query
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_db

router = APIRouter(prefix="/reports", tags=["reports"])
ORDERS_TABLE = "orders"


@router.get("/legacy")
async def legacy_report(region: str, db: AsyncSession = Depends(get_db)) -> list[dict[str, object]]:
    result = await db.execute(text(f"SELECT * FROM {ORDERS_TABLE} WHERE region = '{region}'"))
    return [dict(row) for row in result.mappings()]


@router.get("/by-customer")
async def by_customer(customer: str, db: AsyncSession = Depends(get_db)) -> list[dict[str, object]]:
    result = await db.execute(
        text(f"SELECT id, total FROM {ORDERS_TABLE} WHERE customer = '{customer}'")
    )
    return [dict(row) for row in result.mappings()]


@router.get("/top")
async def top_orders(
    sort: str = "total",
    limit: int = Query(10, le=100),
    db: AsyncSession = Depends(get_db),
) -> list[dict[str, object]]:
    query = "SELECT id, total FROM %s ORDER BY %s DESC" % (ORDERS_TABLE, sort)
    query += f" LIMIT {limit}"
    result = await db.execute(text(query))
    return [dict(row) for row in result.mappings()]


@router.get("/search")
async def search_orders(
    status: str | None = None,
    customer: str | None = None,
    db: AsyncSession = Depends(get_db),
) -> list[dict[str, object]]:
    conditions = ["1 = 1"]
    if status:
        conditions.append("status = :status")
    if customer:
        conditions.append("customer = :customer")
    sql = f"SELECT id, total FROM {ORDERS_TABLE} WHERE " + " AND ".join(conditions)
    result = await db.execute(text(sql), {"status": status, "customer": customer})
    return [dict(row) for row in result.mappings()]


@router.get("/export")
def export_region(region: str) -> list[tuple[object, ...]]:
    with sqlite3.connect("reports.db") as conn:
        cursor = conn.execute("SELECT * FROM orders WHERE region = ?", (region,))
        rows = cursor.fetchall()
        conn.execute("DELETE FROM export_log WHERE region = '" + region + "'")  # fastapi-review: ignore[FAPI804]
    return rows


@router.get("/cached/{key}")
async def cached(key: str, redis: Redis = Depends()) -> object:
    return await redis.execute_command(f"GET report:{key}")
