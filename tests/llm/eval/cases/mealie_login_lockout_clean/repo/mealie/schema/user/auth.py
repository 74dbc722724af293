from fastapi import Form
from pydantic import BaseModel


class CredentialsRequest(BaseModel):
    username: str
    password: str
    remember_me: bool = False


class CredentialsRequestForm:
    """Class that represents a user's credentials from the login form"""

    def __init__(
        self,
        username: str = Form(""),
        password: str = Form(""),
        remember_me: bool = Form(False),
    ):
        self.username = username
        self.password = password
        self.remember_me = remember_me
