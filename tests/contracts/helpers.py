"""Steps through the contracts services, shared by the contracts tests and other apps' tests:
an instalment paid, a report submitted and accepted, a contract's instalment amounts."""

import datetime as dt

from django.utils import timezone

from caidan.contracts.inputs import PaymentInput, ReportInput
from caidan.contracts.services import payment_record, report_attach, report_review, report_submit

TODAY = dt.date.today


def amounts(contract):
    return [i.amount for i in contract.instalments.order_by("sequence")]


def pay(world, contract, seq):
    inst = contract.instalments.get(sequence=seq)
    return payment_record(
        instalment=inst,
        actor=world.actor("purchaser"),
        data=PaymentInput.parse(paid_on=timezone.localdate(), voucher=f"PZ-{seq}"),
    )


def accept(world, contract, kind, **extra):
    report = contract.reports.get(kind=kind)
    if kind == "final":
        from django.core.files.uploadedfile import SimpleUploadedFile

        report_attach(
            report=report,
            file=SimpleUploadedFile("财务报表.pdf", b"%PDF-1.4\n%x\n"),
            actor=world.actor("provider"),
        )
    report_submit(
        report=report,
        actor=world.actor("provider"),
        data=ReportInput.parse(
            summary="服务开展顺利，完成 2400 人次探访。",
            fund_lines=extra.get(
                "fund_lines", [{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}]
            ),
        ),
    )
    return report_review(report=report, accept=True, actor=world.actor("purchaser"))
