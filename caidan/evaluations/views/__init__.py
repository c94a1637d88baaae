"""Evaluation pages, one module per aggregate: ``evaluations`` (the public results, one
evaluation, the evaluator's tasks, scoring and publication), ``commissioning`` (a contract's
evaluation page: the evaluator, the stages, the purchaser's score), ``frameworks``,
``surveys`` (the purchaser's surveys and the public phone-first survey), ``hearings``,
``audit`` (plans and findings), ``assessments`` and ``track_records``; ``helpers`` holds
what they share.

Views are thin: parse a form, call one service or selector, render. What the reader may do
next comes from ``caidan.evaluations.affordances`` (the rules the services enforce); domain
errors become form errors or messages, permission problems the 403/404 pages
(``domain_errors``).
"""
