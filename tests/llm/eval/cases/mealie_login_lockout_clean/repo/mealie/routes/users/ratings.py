from uuid import UUID

from fastapi import Depends
from sqlalchemy.orm.session import Session

from mealie.core.dependencies import get_current_user
from mealie.db.db_setup import generate_session
from mealie.routes._base.routers import UserAPIRouter
from mealie.schema.user import PrivateUser

router = UserAPIRouter(prefix="/users", tags=["Users: Ratings"])


@router.get("/{id}/ratings")
def get_ratings(id: UUID, session: Session = Depends(generate_session)):
    return session.query("UserToRecipe").filter_by(user_id=id).all()


@router.get("/self/ratings/{recipe_id}")
def get_own_rating(
    recipe_id: UUID,
    user: PrivateUser = Depends(get_current_user),
    session: Session = Depends(generate_session),
):
    return session.query("UserToRecipe").filter_by(user_id=user.id, recipe_id=recipe_id).first()
