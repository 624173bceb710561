"""A JSON Schema validator for the keywords ``docs/justification.schema.json`` uses (no jsonschema dependency).

Keywords: ``type`` (one or a list), ``enum``, ``minimum``, ``properties``, ``required``,
``additionalProperties`` (false or a schema), ``items``, ``$ref`` (``#/$defs/NAME``); ``$schema``,
``title`` and ``description`` are annotations. A schema using any other keyword is refused, so that
nothing the schema says goes unchecked. Iterative: documents may nest deeply.
"""

from __future__ import annotations

from typing import Any

KEYWORDS = {"type", "enum", "minimum", "properties", "required", "additionalProperties", "items", "$ref",
            "$schema", "title", "description", "$defs"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def unknown_keywords(schema: Any) -> set[str]:
    """Keywords of ``schema`` (and its subschemas) this validator does not check."""
    found, stack = set(), [schema]
    while stack:
        s = stack.pop()
        if not isinstance(s, dict):
            continue
        found |= set(s) - KEYWORDS
        stack.extend(s.get("properties", {}).values())
        stack.extend(s.get("$defs", {}).values())
        stack.extend(v for k, v in s.items() if k in ("items", "additionalProperties") and isinstance(v, dict))
    return found


def _is(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name]) and not (name != "boolean" and isinstance(value, bool))


def validate(document: Any, schema: dict) -> list[str]:
    """Every place where ``document`` breaks ``schema``, as ``path: problem`` strings (empty when valid)."""
    assert not unknown_keywords(schema), unknown_keywords(schema)
    problems: list[str] = []
    stack: list[tuple[Any, dict, str]] = [(document, schema, "$")]
    while stack:
        value, s, path = stack.pop()
        while "$ref" in s:
            s = schema["$defs"][s["$ref"].removeprefix("#/$defs/")]
        types = s.get("type")
        if types is not None and not any(_is(value, t) for t in ([types] if isinstance(types, str) else types)):
            problems.append(f"{path}: {value!r:.60} is not of type {types}")
            continue
        if "enum" in s and value not in s["enum"]:
            problems.append(f"{path}: {value!r} is not one of {s['enum']}")
        if "minimum" in s and value < s["minimum"]:
            problems.append(f"{path}: {value} is less than {s['minimum']}")
        if isinstance(value, dict):
            problems.extend(f"{path}: no {key!r}" for key in s.get("required", ()) if key not in value)
            extra = s.get("additionalProperties", True)
            for key, item in value.items():
                if key in s.get("properties", {}):
                    stack.append((item, s["properties"][key], f"{path}.{key}"))
                elif extra is False:
                    problems.append(f"{path}: unexpected key {key!r}")
                elif isinstance(extra, dict):
                    stack.append((item, extra, f"{path}.{key}"))
        if isinstance(value, list) and "items" in s:
            stack.extend((item, s["items"], f"{path}[{i}]") for i, item in enumerate(value))
    return problems
