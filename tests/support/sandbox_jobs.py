"""Jobs for the sandbox tests, in a module of their own: a sandboxed child imports it to unpickle a job,
so it imports nothing heavy."""

from __future__ import annotations

import os
from pathlib import Path


def no_warm_up() -> None:
    """Jobs of these tests need nothing loaded."""


class SpinJob:
    """Burns CPU for ever; writes its pid first so the test can see the process go."""

    def __init__(self, pid_file: str) -> None:
        self.pid_file = pid_file

    def run(self) -> None:
        Path(self.pid_file).write_text(str(os.getpid()))
        while True:
            pass


class HogJob:
    def run(self) -> int:
        return len(bytearray(512 * 1024 * 1024))


class ExpandJob:
    """Parses a billion-laughs RDF/XML document with no first wall: only the memory cap stands."""

    def run(self) -> int:
        import pyoxigraph as ox

        return sum(1 for _ in ox.parse(billion_laughs(), format=ox.RdfFormat.RDF_XML))


def billion_laughs(levels: int = 8) -> bytes:
    """About 600 bytes that an XML parser expanding entities turns into a 10**levels-character literal."""
    entities = ['<!ENTITY l0 "xxxxxxxxxx">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + "\n]>\n"
        + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        + 'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
        + f"<ex:p>&l{levels - 1};</ex:p></rdf:Description></rdf:RDF>"
    ).encode()
