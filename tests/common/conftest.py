from tests.procurement.conftest import own_expert_pool  # noqa: F401 - procurement scenes need it
