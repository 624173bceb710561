"""Placeholder replaced below."""
from nesyasp.lang.parser import parse_file, resolve_includes


def read_facts(path, facts):
    facts.add_program(resolve_includes(parse_file(path)))
