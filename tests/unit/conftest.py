"""Unit tests do no I/O beyond files: network connections (a database, AWS) fail loudly here."""

import socket

import pytest


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"unit tests must not open network connections (tried {address!r})")
        return original(self, address, *args, **kwargs)

    original = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
