"""The contracts API's one router: each aggregate's module adds its handlers to it."""

from ninja import Router

router = Router(tags=["contracts 合同管理"])
