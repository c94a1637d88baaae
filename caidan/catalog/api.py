from ninja import Router

router = Router(tags=["catalog 目录"])
