"""Procurement pages: the public tender list, announcement and award notice; the
purchaser's drafting, publication, amendments, questions, expert draw, award and challenge
answers; the bidders' questions, sealed bids and receipts; the experts' declarations and
score sheets; the admin's expert pool.

One module per part: ``tenders`` (the public pages), ``drafting`` (the purchaser's
documents and their lifecycle), ``questions``, ``bids``, ``panel``, ``review`` (the
expert's declaration and score sheet), ``awards`` (the award and challenges) and
``experts`` (the pool). What a reader may do next on a tender comes from
``caidan.procurement.affordances``, the same answer the API gives.

Views are thin: parse a form, call one service or selector, render. Domain errors become
form errors or messages; permission problems the 403/404 pages (``domain_errors``).
"""
