"""Sub-commands of ``nesyasp``, one module each (discovered by :mod:`nesyasp.cli`)."""

__all__: list[str] = []
