"""One router per page of the web console; ``app.py`` mounts them all behind the owner's login."""
