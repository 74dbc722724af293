from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from modules.catalogue import router as catalogue_router

# Run from services/partners: `modules` is a top-level package there.
app = FastAPI(title="Partners API")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["GET"],
)
app.include_router(catalogue_router)
