"""The SPARQL service behind ``/sparql``: guard, engines (a pool of killable worker processes over the
data directory, or an external SPARQL 1.1 store), result serialisation with a row cap, writes through
the data directory, service description, and the read models of the HTTP resources.

Module map: ``guard`` (what a request is and whether it is allowed, on its parse; ``lexer`` places the
protocol's USING clauses), ``sandbox`` (workers without a network), ``formats`` (content negotiation),
``results`` (row- and byte-capped serialisation), ``worker`` (the worker process), ``process`` and
``pool`` (running workers with a hard timeout), ``stream`` (a result on its way to the client),
``engine`` and ``external`` (the two engines),
``graphs`` (writes), ``description`` (service description), ``resources`` (entities, reports, IRIs).
"""
