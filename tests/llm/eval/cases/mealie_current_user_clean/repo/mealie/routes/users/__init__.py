from fastapi import APIRouter

from mealie.routes.users import ratings

router = APIRouter()
router.include_router(ratings.router)
