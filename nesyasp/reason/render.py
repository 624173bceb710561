"""Renderers of justification trees: s(CASP)-style English, the partial model, JSON, networkx and DOT.

Plain functions over :class:`~nesyasp.reason.node.Node`. The English follows
s(CASP)'s ``--tree --human`` wording in its older form, the one FOLD and
NeSyFOLD papers print: ``'target' holds (for img, and bathroom), because there
is no evidence that 'ab1' holds (for img), ...``. A ``#pred`` annotation
replaces the default phrase: ``#pred target(X,Y) :: '@(X) is a @(Y)'.`` gives
``img is a bathroom``; of several annotations of one predicate
(``#pred target(X,bedroom) :: ...`` and ``#pred target(X,kitchen) :: ...``) the
most specific one that matches the atom is used, and none when none matches.
The domain atom ``_example(img)`` is left out of the English when it holds
(it is bookkeeping, not a reason). A ``loop`` node reads "it is assumed that
...", a ``shared`` one "(justified above)". Several trees of one output
(:func:`to_dot_many`, :func:`render_json`) keep their node numbers, so a
``shared`` node can point into an earlier tree.
"""

from __future__ import annotations

import json
import re
from typing import Any, Collection, Iterable, Mapping, Sequence

import clingo
import networkx as nx

from nesyasp.lang.ast import BinaryOperation, Function, Pred, Term, UnaryOperation, Variable
from nesyasp.reason.node import Node, node_to_dict, references, walk
from nesyasp.reason.terms import INT_MAX, ground_term, symbol_text
from nesyasp.reason.translate import DOMAIN_PREDICATE

__all__ = ["render_text", "render_model", "render_json", "answers_json", "to_networkx", "to_dot", "to_dot_many",
           "phrase", "annotation", "dumps"]

_OPERATORS = {">": "is greater than", ">=": "is greater than or equal to", "<": "is less than",
              "<=": "is less than or equal to", "=": "is equal to", "!=": "is not equal to"}
_PLACEHOLDER = re.compile(r"@\((\w+)(?::(\w+))?\)")
_FREE = re.compile(r"_*[A-Z][\w']*\Z|_\Z")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_DOT_KEYWORDS = {"graph", "digraph", "subgraph", "node", "edge", "strict"}


def _split_arguments(text: str) -> list[str]:
    """The top-level arguments of ``name(a,f(b,c),"x,y")``."""
    out, depth, current, quoted = [], 0, [], False
    for ch in text:
        if ch == '"' and (not current or current[-1] != "\\"):
            quoted = not quoted
        if not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    if current:
        out.append("".join(current))
    return out


def _arguments(atom: clingo.Symbol | None, literal: str) -> tuple[str, list[str], list[str]]:
    """``(name, clingo texts, words)`` of an atom or a pattern literal; a free variable reads "any N"."""
    if atom is not None:
        return atom.name, [str(a) for a in atom.arguments], [symbol_text(a) for a in atom.arguments]
    name, _, rest = literal.removeprefix("not ").partition("(")
    texts = _split_arguments(rest[:-1]) if rest else []
    words = ["any value" if t == "_" else f"any {t}" if _FREE.match(t) else t.strip('"') or '""' for t in texts]
    return name, texts, words


def annotation(preds: Mapping[tuple[str, int], Pred] | None, name: str, texts: Sequence[str]) -> Pred | None:
    """The most specific ``#pred`` annotation of ``name/len(texts)`` that matches the arguments, or None.

    An annotation matches when its constants equal the arguments (a free
    variable of a pattern matches only a variable) and a repeated variable
    stands for one value. One whose text names a variable its atom does not
    have (``nesyasp check`` warns about it) is never used.
    """
    if not preds:
        return None
    signature = (name, len(texts))
    candidates = getattr(preds, "by_signature", {}).get(signature)
    if candidates is None:
        candidates = [preds[signature]] if signature in preds else []
    best, best_score = None, -1
    for pred in candidates:
        if pred.unknown_placeholders():  # '@(Y) is cold' for cold(X) would print '@(Y)': never used
            continue
        values: dict[str, str] = {}
        score, ok = 0, True
        for term, text in zip(pred.atom.arguments, texts):
            if isinstance(term, Variable):
                if term.name != "_" and values.setdefault(term.name, text) != text:
                    ok = False
                continue
            score += 1
            if str(term) != text:
                ok = False
        if ok and score > best_score:
            best, best_score = pred, score
    return best


def phrase(atom: clingo.Symbol | None, literal: str, preds: Mapping[tuple[str, int], Pred] | None = None) -> str:
    """An atom in words: its matching ``#pred`` text, else ``'name' holds (for a, and b)``."""
    name, texts, words = _arguments(atom, literal)
    pred = annotation(preds, name, texts)
    if pred is not None:
        names = [a.name if isinstance(a, Variable) else None for a in pred.atom.arguments]
        values = dict(zip(names, words))
        return _PLACEHOLDER.sub(lambda m: (f"the {m.group(2)} " if m.group(2) else "") + values.get(m.group(1), m.group(0)),
                                pred.text)
    if not words:
        return f"'{name}' holds"
    return f"'{name}' holds (for {', and '.join(words)})"


def _comparison_sentence(node: Node) -> str:
    text = node.literal.removeprefix("not ")
    op = node.comparison.operator if node.comparison is not None else ""
    left, found, right = text.partition(op) if op else (text, "", "")
    base = f"{left} {_OPERATORS[op]} {right}" if found else text
    if op == "<" and right == '""' and re.fullmatch(r"-?\d+(\.\d+)?", left):
        base = f"{left} is a number"  # below the smallest string: the learner's "the cell is a number"
    if op == "<=" and right == str(INT_MAX):
        base = f"{left} is a number"  # clingo orders every other term after every integer
    if node.note == "undefined":
        why = "a division by zero" if node.comparison is not None and any(
            _divides_by_zero(t, node.binding) for t in (node.comparison.left, node.comparison.right)) \
            else "a value is not a number"
        return f"{text} is undefined ({why})"
    return base if node.holds != node.negated else f"it is not the case that {base}"


def _divides_by_zero(term: Term, binding: Mapping[str, clingo.Symbol]) -> bool:
    """Whether ``term`` divides (``/``) or takes a remainder (``\\``) by a value that is 0 under ``binding``."""
    if isinstance(term, BinaryOperation):
        if term.operator in ("/", "\\") and ground_term(term.right, binding) == clingo.Number(0):
            return True
        return _divides_by_zero(term.left, binding) or _divides_by_zero(term.right, binding)
    if isinstance(term, UnaryOperation):
        return _divides_by_zero(term.argument, binding)
    if isinstance(term, Function):
        return any(_divides_by_zero(a, binding) for a in term.arguments)
    return False


def _sentence(node: Node, preds: Mapping[tuple[str, int], Pred] | None) -> str:
    if node.because == "conjunction":
        return f"{node.literal} holds"
    if node.because == "comparison":
        return _comparison_sentence(node)
    subject = node.children[0] if node.because == "negation" and node.children else node
    if node.because == "negation" and not node.holds and subject.holds and node.atom is None:
        return _sentence(subject, preds)  # 'not p(_)' fails: say which p(...) holds
    words = phrase(node.atom, node.literal, preds)
    if node.atom is not None and node.atom.name == DOMAIN_PREDICATE and not node.negated and not node.holds:
        return f"{symbol_text(node.atom.arguments[0])} is not a known example"
    positive = node.holds != node.negated
    text = words if positive else f"there is no evidence that {words}"
    if subject.exceptions and not positive:
        values = _exception_values(subject.literal, subject.exceptions)
        shown = ", ".join(values[:3]) + (f" and {len(values) - 3} more" if len(values) > 3 else "")
        text += f" other than {shown}"
    if subject.because == "loop":
        return f"it is assumed that {text} (a loop: it depends on itself)"
    note = subject.note if subject.because == "no_rule" or subject.note == "undefined" else ""
    if subject.because == "shared":
        note = "justified above"
    return f"{text} ({note})" if note else text


def _exception_values(literal: str, exceptions: Sequence[str]) -> list[str]:
    """The instances a pattern's refutation leaves out, by the values of its free variables
    (``age(ann,N)`` except ``age(ann,20)``: ``20``); whole atoms where that is not possible."""
    _, texts, _ = _arguments(None, literal)
    free = [i for i, t in enumerate(texts) if _FREE.match(t)]
    out = []
    for exception in exceptions:
        _, found, words = _arguments(None, exception)
        if not free or len(found) != len(texts):
            out.append(exception)
            continue
        values = [words[i] for i in free]
        out.append(values[0] if len(values) == 1 else f"({', '.join(values)})")
    return out


def _hidden(node: Node) -> bool:
    return node.holds and node.atom is not None and node.atom.name == DOMAIN_PREDICATE and not node.negated


def _reasons(node: Node) -> list[Node]:
    """The nodes printed under ``node`` (a ``not a`` node is explained by ``a``'s reasons)."""
    if node.because == "negation":
        return [c for child in node.children for c in _reasons(child)] if node.children else []
    return [c for c in node.children if not _hidden(c)]


def render_text(node: Node, preds: Mapping[tuple[str, int], Pred] | None = None, indent: str = "   ",
                detail: str = "failing") -> str:
    """s(CASP)-style English, one literal a line, nested by indentation.

    A literal's line starts ``indent`` times its depth in; a ``#pred`` text with line breaks goes on
    at the same margin, so that the lines of its children stay one ``indent`` further in.

    ``detail="holding"`` prints, before a failing literal of a refuted rule
    instance, the body literals of that instance that hold (when the tree has
    them: ``Reasoner.explain(..., detail="holding")``), s(CASP)'s way.

    >>> print(render_text(Node("target(img,bathroom)", True, "rule", children=(
    ...     Node("not f398(img)", True, "negation", negated=True),))))
    'target' holds (for img, and bathroom), because
       there is no evidence that 'f398' holds (for img).
    """
    lines: list[str] = []
    if node.because == "conjunction":
        items = _reasons(node)
        for k, child in enumerate(items):
            _text_lines(child, preds, indent, 0, lines, "." if k == len(items) - 1 else ", and", detail)
        return "\n".join(lines)
    _text_lines(node, preds, indent, 0, lines, ".", detail)
    return "\n".join(lines)


def _text_lines(root: Node, preds: Mapping[tuple[str, int], Pred] | None, indent: str, depth: int,
                lines: list[str], end: str, detail: str) -> None:
    stack: list[tuple[Node, int, str, str]] = [(root, depth, end, "")]
    while stack:
        node, level, ending, lead = stack.pop()
        reasons = _reasons(node)
        sentence = _LINE_BREAK.sub("\n" + indent * level, _sentence(node, preds))  # a multi-line #pred text
        lines.append(f"{indent * level}{lead}{sentence}{', because' if reasons else ending}")
        items: list[tuple[Node, int, str, str]] = []
        for k, child in enumerate(reasons):
            last = k == len(reasons) - 1
            held = [h for h in child.holding if not _hidden(h)] if detail == "holding" else []
            for j, h in enumerate(held):
                items.append((h, level + 1, ", and" if j < len(held) - 1 else ",", ""))
            items.append((child, level + 1, ending if last else ", and", "but " if held else ""))
        stack.extend(reversed(items))


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


def answers_json(query: str, answers: Sequence[tuple[str, Mapping[str, str], Node]],
                 proofs: Sequence[Sequence[Node]] | None = None,
                 referenced: Collection[int] | None = None,
                 continuations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``{"query": ..., "answers": [{"atom", "bindings", "justification"}]}`` as a dict.

    With ``proofs`` (one list per answer, ``--all-proofs``), each answer also has ``"proofs"``: every
    rule instance that derives it, as trees. ``referenced``: the node numbers that nodes of the whole
    output point to (:func:`~nesyasp.reason.node.references`), when this is part of a larger output.
    ``continuations``: cut the trees at :data:`~nesyasp.reason.node.MAX_NESTING` levels of JSON, appending
    the rest to this list (:func:`~nesyasp.reason.node.node_to_dict`), which the caller puts in the document
    as ``"continuations"``; without it the trees are nested as deep as they are.
    """
    if referenced is None:
        referenced = references([n for _, _, n in answers] + [p for ps in proofs or () for p in ps])
    out = []
    for k, (atom, bindings, node) in enumerate(answers):
        item: dict[str, Any] = {"atom": atom, "bindings": dict(bindings),
                                "justification": node_to_dict(node, referenced, continuations)}
        if proofs is not None:
            item["proofs"] = [node_to_dict(p, referenced, continuations) for p in proofs[k]]
        out.append(item)
    return {"query": query, "answers": out}


def render_json(query: str, answers: Sequence[tuple[str, Mapping[str, str], Node]], indent: int | None = 2) -> str:
    """:func:`answers_json` as JSON text, its trees cut at :data:`~nesyasp.reason.node.MAX_NESTING` levels
    (``"continuations"`` holds the rest; :func:`~nesyasp.reason.node.rejoin` joins them)."""
    continuations: list[dict[str, Any]] = []
    data = answers_json(query, answers, continuations=continuations)
    return dumps(data, continuations, indent)


def dumps(data: dict[str, Any], continuations: Sequence[dict[str, Any]] = (), indent: int | None = 2) -> str:
    """``json.dumps`` of a document whose trees were cut into ``continuations`` (added as ``"continuations"``
    when there are any)."""
    if continuations:
        data = {**data, "continuations": list(continuations)}
    return json.dumps(data, indent=indent)


def to_networkx(node: Node) -> nx.DiGraph:
    """The tree as a directed graph (edges from a literal to its reasons); node ids are 0, 1, ...

    Each graph node has the attributes ``literal``, ``holds``, ``because``, ``rule`` and ``ref``
    (for ``loop``/``shared`` nodes, the ``ident`` of the node they point to, else 0) and ``ident``.
    """
    graph = nx.DiGraph()
    counter = 0
    stack: list[tuple[Node, int | None]] = [(node, None)]
    while stack:
        current, parent = stack.pop()
        ident = counter
        counter += 1
        graph.add_node(ident, literal=current.literal, holds=current.holds, because=current.because,
                       rule=current.rule, ref=current.ref, ident=current.ident)
        if parent is not None:
            graph.add_edge(parent, ident)
        items: list[Node] = []
        for child in current.children:
            items.extend(child.holding)
            items.append(child)
        stack.extend((c, ident) for c in reversed(items))
    return graph


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(text: str) -> str:
    """A DOT label showing ``text`` as it is: quoted, and ``&`` written ``&amp;`` (Graphviz reads ``&amp;``,
    ``&lt;``, ... in any label as the character they name)."""
    return _quote(text.replace("&", "&amp;"))


def _graph_name(name: str) -> str:
    """A graph name as DOT reads it: an identifier as it is, anything else (``why p``, ``graph``) quoted."""
    plain = re.fullmatch(r"[A-Za-z_]\w*", name, re.ASCII) and name.lower() not in _DOT_KEYWORDS
    return name if plain else _quote(name)


def _dot_body(node: Node, prefix: str, idents: dict[int, str], lines: list[str], pad: str) -> None:
    graph = to_networkx(node)
    for ident, data in graph.nodes(data=True):
        name = f"{prefix}_{ident}"
        if data["ident"]:
            idents[data["ident"]] = name
        label = _label(f"{data['literal']} ({data['because']})")
        color = "darkgreen" if data["holds"] else "firebrick"
        style = ", style=dashed" if data["because"] in ("loop", "shared") else ""
        lines.append(f"{pad}{name} [label={label}, color={color}{style}];")
    for a, b in graph.edges():
        lines.append(f"{pad}{prefix}_{a} -> {prefix}_{b};")
    for ident, data in graph.nodes(data=True):
        target = idents.get(data["ref"]) if data["ref"] else None
        if target is not None:
            lines.append(f"{pad}{prefix}_{ident} -> {target} [style=dashed, constraint=false];")


def to_dot(node: Node, name: str = "justification") -> str:
    """Graphviz DOT text of the tree: green literals hold, red ones do not; a dashed arrow goes from a
    ``loop`` or ``shared`` node to the node it points to."""
    lines = [f"digraph {_graph_name(name)} {{", "  node [shape=box, fontname=\"Helvetica\"];"]
    _dot_body(node, "n", {}, lines, "  ")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_dot_many(trees: Sequence[Node], titles: Sequence[str] | None = None, name: str = "justifications") -> str:
    """One Graphviz digraph holding several trees, each in its own cluster (``dot -Tpng`` draws one picture)."""
    lines = [f"digraph {_graph_name(name)} {{", "  node [shape=box, fontname=\"Helvetica\"];", "  compound=true;"]
    idents: dict[int, str] = {}
    for k, tree in enumerate(trees):
        title = titles[k] if titles is not None and k < len(titles) else tree.literal
        lines.append(f"  subgraph cluster_{k} {{")
        lines.append(f"    label={_label(title)};")
        _dot_body(tree, f"t{k}", idents, lines, "    ")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
