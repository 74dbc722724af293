import httpx

from app.config import settings


async def send_invitation(inviter: str, to: str) -> None:
    async with httpx.AsyncClient(base_url="https://api.mailer.example") as client:
        await client.post("/send", json={"to": to, "template": "invite", "inviter": inviter})
