"""The SPARQL service behind ``/sparql``: guard, engines (a pool of killable worker processes over the
data directory, or an external SPARQL 1.1 store), result serialisation with a row cap, writes through
the data directory, service description, and the read models of the HTTP resources.

Module map: ``lexer``/``guard`` (what a request is and whether it is allowed), ``formats`` (content
negotiation), ``results`` (capped serialisation), ``worker`` (the worker process), ``process`` and
``pool`` (running workers with a hard timeout), ``engine`` and ``external`` (the two engines),
``graphs`` (writes), ``description`` (service description), ``resources`` (entities, reports, IRIs).
"""
