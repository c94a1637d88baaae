"""Contract pages, one module per aggregate: ``contracts`` (list, record, PDF, drafting,
signing, cancelling, amendments, termination), ``renewals``, ``payments``, ``reports`` and
the parties' ``todo`` list; ``helpers`` holds what they share.

Views are thin: parse a form, call one service or selector, render. What the reader may do
next comes from ``contract_affordances`` (the rules the services enforce); domain errors
become form errors or messages, permission problems the 403/404 pages (``domain_errors``).
"""
