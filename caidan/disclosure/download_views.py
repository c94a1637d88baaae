"""Open data downloads: the index page, each public list as CSV / Excel, the OCDS bulk files.
No login; only what the public lists show (see ``downloads``)."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from caidan.common.xlsx import XLSX_MIME

from . import bulk, downloads


def _dataset(name: str) -> downloads.Dataset:
    ds = downloads.dataset(name)
    if ds is None:
        raise Http404(_("没有这个数据集。"))
    return ds


@require_safe
def data_index(request):
    files = []
    for kind, filename in bulk.BULK_FILES.items():
        path = bulk.bulk_path(kind)
        stat = path.stat() if path else None
        files.append(
            {
                "kind": kind,
                "filename": filename,
                "built_at": (dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC) if stat else None),
                "size": stat.st_size if stat else None,
            }
        )
    return render(
        request,
        "disclosure/data_index.html",
        {"datasets": list(downloads.DATASETS.values()), "bulk": files},
    )


@require_safe
def dataset_csv(request, name: str):
    ds = _dataset(name)
    response = StreamingHttpResponse(
        downloads.csv_stream(ds, request.GET), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, downloads.download_filename(ds, "csv")
    )
    return response


@require_safe
def dataset_xlsx(request, name: str):
    ds = _dataset(name)
    # Written to a temporary file row by row, then sent from disk in blocks.
    return FileResponse(
        downloads.xlsx_file(ds, request.GET),
        content_type=XLSX_MIME,
        as_attachment=True,
        filename=downloads.download_filename(ds, "xlsx"),
    )


BULK_TYPES = {
    bulk.RELEASES_FILE: ("releases", "application/json"),
    bulk.RELEASES_GZ_FILE: ("releases_gz", "application/gzip"),
    bulk.RECORDS_FILE: ("records", "application/gzip"),
}


@require_safe
def ocds_bulk(request, filename: str):
    if filename not in BULK_TYPES:
        raise Http404(_("没有这个文件。"))
    kind, content_type = BULK_TYPES[filename]
    path = bulk.bulk_path(kind)
    if path is None:
        message = _(
            "开放合同数据批量文件尚未生成：它由定时任务每小时生成一次，请稍后再试。"
            "也可以通过 API 按项目获取。"
        )
        return render(request, "404.html", {"error": {"message": message}}, status=404)
    response = FileResponse(
        path.open("rb"), content_type=content_type, as_attachment=True, filename=filename
    )
    response["Last-Modified"] = http_date(path.stat().st_mtime)
    return response
