from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from shop.routes import account

app = FastAPI(title="Shop")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
)
app.include_router(account.router)
