"""The local web app (``selfdex serve`` mounts it at ``/``): import, timeline, profile, ask &
recommend, sharing and the audit log, server-rendered with Jinja2 and htmx, working offline.

Importing this package pulls in FastAPI and Jinja2; the CLI imports it only inside ``selfdex serve``.
"""

from .app import create_web_app
from .security import BindRefused, WebSettings, check_bind, is_loopback

__all__ = ["BindRefused", "WebSettings", "check_bind", "create_web_app", "is_loopback"]
