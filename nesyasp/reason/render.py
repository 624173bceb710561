"""Renderers of justification trees: s(CASP)-style English, the partial model, JSON, networkx and DOT.

Plain functions over :class:`~nesyasp.reason.node.Node`. The English follows
s(CASP)'s ``--tree --human`` wording in its older form, the one FOLD and
NeSyFOLD papers print: ``'target' holds (for img, and bathroom), because there
is no evidence that 'ab1' holds (for img), ...``. A ``#pred`` annotation
replaces the default phrase: ``#pred target(X,Y) :: '@(X) is a @(Y)'.`` gives
``img is a bathroom``. The domain atom ``_example(img)`` is left out of the
English when it holds (it is bookkeeping, not a reason).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping, Sequence

import clingo
import networkx as nx

from nesyasp.lang.ast import Pred, Variable
from nesyasp.reason.node import Node, node_to_dict, walk
from nesyasp.reason.terms import symbol_text
from nesyasp.reason.translate import DOMAIN_PREDICATE

__all__ = ["render_text", "render_model", "render_json", "answers_json", "to_networkx", "to_dot", "phrase"]

_OPERATORS = {">": "is greater than", ">=": "is greater than or equal to", "<": "is less than",
              "<=": "is less than or equal to", "=": "is equal to", "!=": "is not equal to"}
_PLACEHOLDER = re.compile(r"@\((\w+)(?::(\w+))?\)")


def phrase(atom: clingo.Symbol | None, literal: str, preds: Mapping[tuple[str, int], Pred] | None = None) -> str:
    """An atom in words: its ``#pred`` text, else ``'name' holds (for a, and b)``."""
    if atom is None:
        name, _, rest = literal.removeprefix("not ").partition("(")
        args = [a for a in rest.rstrip(")").split(",") if a] if rest else []
    else:
        name, args = atom.name, [symbol_text(a) for a in atom.arguments]
    pred = (preds or {}).get((name, len(args)))
    if pred is not None:
        names = [a.name if isinstance(a, Variable) else None for a in pred.atom.arguments]
        values = dict(zip(names, args))
        return _PLACEHOLDER.sub(lambda m: (f"the {m.group(2)} " if m.group(2) else "") + values.get(m.group(1), m.group(0)),
                                pred.text)
    if not args:
        return f"'{name}' holds"
    return f"'{name}' holds (for {', and '.join(args)})"


def _sentence(node: Node, preds: Mapping[tuple[str, int], Pred] | None) -> str:
    if node.because == "negation" and not node.holds and node.children and node.children[0].holds:
        return _sentence(node.children[0], preds)  # 'not p(_)' fails: say which p(...) holds
    if node.because == "comparison":
        text = node.literal.removeprefix("not ")
        op = node.comparison.operator if node.comparison is not None else ""
        left, found, right = text.partition(op) if op else (text, "", "")
        base = f"{left} {_OPERATORS[op]} {right}" if found else text
        if op == "<" and right == '""' and re.fullmatch(r"-?\d+(\.\d+)?", left):
            base = f"{left} is a number"  # below the smallest string: the learner's "the cell is a number"
        if node.note == "undefined":
            return f"{text} is undefined (a value is not a number)"
        return base if node.holds != node.negated else f"it is not the case that {base}"
    words = phrase(node.atom, node.literal, preds)
    if node.atom is not None and node.atom.name == DOMAIN_PREDICATE and not node.holds:
        return f"{symbol_text(node.atom.arguments[0])} is not a known example"
    positive = node.holds != node.negated
    text = words if positive else f"there is no evidence that {words}"
    note = node.note if node.because in ("no_rule", "all_rules_fail") else ""
    if node.because == "negation" and node.children and node.children[0].because in ("no_rule", "all_rules_fail"):
        note = node.children[0].note
    return f"{text} ({note})" if note else text


def _hidden(node: Node) -> bool:
    return node.holds and node.atom is not None and node.atom.name == DOMAIN_PREDICATE


def _reasons(node: Node) -> list[Node]:
    """The nodes printed under ``node`` (a ``not a`` node is explained by ``a``'s reasons)."""
    if node.because == "negation":
        return [c for child in node.children for c in _reasons(child)] if node.children else []
    return [c for c in node.children if not _hidden(c)]


def render_text(node: Node, preds: Mapping[tuple[str, int], Pred] | None = None, indent: str = "   ") -> str:
    """s(CASP)-style English, one literal a line, nested by indentation.

    >>> print(render_text(Node("target(img,bathroom)", True, "rule", children=(
    ...     Node("not f398(img)", True, "negation", negated=True),))))
    'target' holds (for img, and bathroom), because
       there is no evidence that 'f398' holds (for img).
    """
    lines: list[str] = []
    _text_lines(node, preds, indent, 0, lines, ".")
    return "\n".join(lines)


def _text_lines(node: Node, preds: Mapping[tuple[str, int], Pred] | None, indent: str, depth: int,
                lines: list[str], end: str) -> None:
    reasons = _reasons(node)
    sentence = _sentence(node, preds)
    lines.append(f"{indent * depth}{sentence}{', because' if reasons else end}")
    for k, child in enumerate(reasons):
        _text_lines(child, preds, indent, depth + 1, lines, end if k == len(reasons) - 1 else ", and")


def render_model(nodes: Node | Iterable[Node]) -> str:
    """The partial model the trees use: ``{target(img,bathroom), not ab1(img), ...}``.

    Literals come in the order of the trees, each once; comparisons and the
    domain atom are left out.
    """
    roots = [nodes] if isinstance(nodes, Node) else list(nodes)
    seen: dict[str, None] = {}
    for root in roots:
        for node in walk(root):
            if node.atom is None or node.atom.name == DOMAIN_PREDICATE or node.because == "comparison":
                continue
            true = node.holds != node.negated
            seen[str(node.atom) if true else f"not {node.atom}"] = None
    return "{" + ", ".join(seen) + "}"


def answers_json(query: str, answers: Sequence[tuple[str, Mapping[str, str], Node]]) -> dict[str, Any]:
    """``{"query": ..., "answers": [{"atom", "bindings", "justification"}]}`` as a dict."""
    return {"query": query, "answers": [{"atom": atom, "bindings": dict(bindings), "justification": node_to_dict(n)}
                                        for atom, bindings, n in answers]}


def render_json(query: str, answers: Sequence[tuple[str, Mapping[str, str], Node]], indent: int | None = 2) -> str:
    """:func:`answers_json` as JSON text."""
    return json.dumps(answers_json(query, answers), indent=indent)


def to_networkx(node: Node) -> nx.DiGraph:
    """The tree as a directed graph (edges from a literal to its reasons); node ids are 0, 1, ...

    Each graph node has the attributes ``literal``, ``holds``, ``because`` and ``rule``.
    """
    graph = nx.DiGraph()
    counter = [0]

    def add(current: Node) -> int:
        ident = counter[0]
        counter[0] += 1
        graph.add_node(ident, literal=current.literal, holds=current.holds, because=current.because,
                       rule=current.rule)
        for child in current.children:
            graph.add_edge(ident, add(child))
        return ident

    add(node)
    return graph


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(node: Node, name: str = "justification") -> str:
    """Graphviz DOT text of the tree: green literals hold, red ones do not."""
    graph = to_networkx(node)
    lines = [f"digraph {name} {{", "  node [shape=box, fontname=\"Helvetica\"];"]
    for ident, data in graph.nodes(data=True):
        label = _quote(f"{data['literal']} ({data['because']})")
        color = "darkgreen" if data["holds"] else "firebrick"
        lines.append(f"  n{ident} [label={label}, color={color}];")
    lines.extend(f"  n{a} -> n{b};" for a, b in graph.edges())
    lines.append("}")
    return "\n".join(lines) + "\n"
