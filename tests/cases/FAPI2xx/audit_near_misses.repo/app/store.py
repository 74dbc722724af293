async def delete_webhook(hook_id: int) -> None:
    """Remove the webhook and its delivery log."""
