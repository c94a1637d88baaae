"""The ``Actor`` lives in ``caidan.common.actor`` (model-free, importable by every app); this
name is kept for the apps that import it from here."""

from caidan.common.actor import Actor, user_of

__all__ = ["Actor", "user_of"]
