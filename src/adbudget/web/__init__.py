"""The local dashboard: FastAPI app over the Workspace facade, pages and a JSON API."""

from adbudget.web.app import create_app
from adbudget.web.security import is_loopback, new_token
from adbudget.web.serve import serve

__all__ = ["create_app", "is_loopback", "new_token", "serve"]
