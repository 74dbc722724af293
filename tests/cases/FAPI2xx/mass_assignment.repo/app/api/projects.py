from fastapi import APIRouter

from app.deps import CurrentUser, SessionDep
from app.models import Project
from app.schemas import ProjectCopy, ProjectCreate

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201)
def create_project(body: ProjectCreate, session: SessionDep, current_user: CurrentUser) -> Project:
    project = Project.model_validate(body)
    session.add(project)
    session.commit()
    return project


@router.post("/copies", status_code=201)
def copy_project(body: ProjectCopy, session: SessionDep, current_user: CurrentUser) -> Project:
    project = Project.model_validate(body, update={"owner_id": current_user.id})
    session.add(project)
    session.commit()
    return project
