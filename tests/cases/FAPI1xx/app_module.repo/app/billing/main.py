import uvicorn
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from app.billing import invoices, payments, settings

app = FastAPI(title="Billing", debug=True)
app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_size)
app.include_router(invoices.router, prefix="/invoices")
app.include_router(payments.router, prefix="/payments")


@app.on_event("startup")
async def open_ledger() -> None:
    await payments.ledger.open()


if __name__ == "__main__":
    # Local development only: servers import `app.billing.main:app` and never run this block.
    uvicorn.run("app.billing.main:app", reload=True)
