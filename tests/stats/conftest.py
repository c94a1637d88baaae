"""The needs fixtures (verified residents, a published catalog, menus) for the gap tests."""

from tests.needs.conftest import *  # noqa: F403
