"""fastapi-review: a precise reviewer for FastAPI changes."""

__version__ = "0.1.0"
