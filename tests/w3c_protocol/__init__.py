"""The W3C SPARQL 1.1 protocol tests, and the live-server fixtures shared by the HTTP tests."""
