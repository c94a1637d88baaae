"""The evaluations API's one router: each aggregate's module adds its handlers to it."""

from ninja import Router

router = Router(tags=["evaluations 绩效评价"])
