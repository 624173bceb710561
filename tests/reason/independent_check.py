"""An independent checker of nesyasp's JSON justification trees (it imports clingo, never nesyasp).

It reads the program text with clingo's own parser, computes the model with
clingo, and checks every node of the trees ``nesyasp query --format json``
prints, against the documented schema (docs/reasoning.md):

* a ground literal's ``holds`` is its truth in clingo's model; a false pattern
  (``age(cy,N)``) has no true instance;
* ``fact``: a fact of the program or of the facts text (or an example, ``_example``);
* ``rule``: ``rule`` is a ground instance of a program rule (the ``_example(X)``
  guard allowed where the documentation puts it), its head is the node's atom,
  its body literals are the children, in order, and all hold;
* ``comparison``: clingo evaluates it as the node says;
* ``negation``: one child, the atom, with the opposite truth;
* ``no_rule``: false, not a fact, and no program rule head unifies with it;
* ``all_rules_fail``: false; every child is false and says which program rule
  instance it refutes (``refutes``, an instance of that rule whose body holds the
  child); every rule whose head unifies is refuted, and every instance of it over
  the active domain is an instance of one of the refuted ones;
* ``loop``: false, and ``ref`` is an ancestor refuting the same literal, reached
  through positive literals only (an unfounded set, not a cycle through ``not``);
* ``shared``: ``ref`` is a node shown before (in pre-order over the document),
  not an ancestor, with the same literal and truth;
* ``conjunction``: every child holds; ``holding`` literals hold;
* no atom is derived below itself.

Usage: ``python tests/reason/independent_check.py PROGRAM.lp [FACTS.lp ...] < tree.json``
prints the problems (none: exit 0).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from typing import Any, Iterator

import clingo
import clingo.ast as ast

__all__ = ["Checker", "check_document"]

_BINARY = {ast.BinaryOperator.Plus: "+", ast.BinaryOperator.Minus: "-", ast.BinaryOperator.Multiplication: "*",
           ast.BinaryOperator.Division: "/", ast.BinaryOperator.Modulo: "\\", ast.BinaryOperator.Power: "**",
           ast.BinaryOperator.And: "&", ast.BinaryOperator.Or: "?", ast.BinaryOperator.XOr: "^"}
_COMPARE = {ast.ComparisonOperator.Equal: "=", ast.ComparisonOperator.NotEqual: "!=",
            ast.ComparisonOperator.LessThan: "<", ast.ComparisonOperator.LessEqual: "<=",
            ast.ComparisonOperator.GreaterThan: ">", ast.ComparisonOperator.GreaterEqual: ">="}
DOMAIN = "_example"


# ---------------------------------------------------------------- terms as tuples

def _term(node: Any, fresh: list[int]) -> tuple:
    t = node.ast_type
    if t == ast.ASTType.Variable:
        if node.name == "_":
            fresh[0] += 1
            return ("var", f"_#{fresh[0]}")
        return ("var", node.name)
    if t == ast.ASTType.SymbolicTerm:
        return ("sym", node.symbol)
    if t == ast.ASTType.Function:
        if not node.arguments:
            return ("sym", clingo.Function(node.name))
        return ("fun", node.name, tuple(_term(a, fresh) for a in node.arguments))
    if t == ast.ASTType.BinaryOperation:
        return ("bin", _BINARY[node.operator_type], _term(node.left, fresh), _term(node.right, fresh))
    if t == ast.ASTType.UnaryOperation:
        return ("un", "-" if node.operator_type == ast.UnaryOperator.Minus else "~", _term(node.argument, fresh))
    raise ValueError(f"unsupported term {node}")


def _literal(node: Any, fresh: list[int]) -> tuple:
    """``("atom", negated, term)`` or ``("cmp", negated, op, left, right)``."""
    negated = node.sign != ast.Sign.NoSign
    atom = node.atom
    if atom.ast_type == ast.ASTType.SymbolicAtom:
        return ("atom", negated, _term(atom.symbol, fresh))
    if atom.ast_type == ast.ASTType.Comparison:
        (guard,) = atom.guards
        return ("cmp", negated, _COMPARE[guard.comparison], _term(atom.term, fresh), _term(guard.term, fresh))
    raise ValueError(f"unsupported literal {node}")


def _text(term: tuple, binding: dict) -> str:
    kind = term[0]
    if kind == "var":
        value = binding.get(term[1])
        if value is None:
            raise KeyError(term[1])
        return str(value)
    if kind == "sym":
        return str(term[1])
    if kind == "fun":
        return f"{term[1]}({','.join(_text(a, binding) for a in term[2])})"
    if kind == "bin":
        return f"({_text(term[2], binding)}{term[1]}{_text(term[3], binding)})"
    return f"({term[1]}{_text(term[2], binding)})"


def _value(term: tuple, binding: dict) -> clingo.Symbol | None:
    """clingo's value of a ground term (clingo evaluates the arithmetic); None when undefined or unbound."""
    try:
        text = _text(term, binding)
    except KeyError:
        return None
    if term[0] == "sym":
        return term[1]
    try:
        return clingo.parse_term(text)
    except (RuntimeError, ValueError):
        return None


def _variables(term: tuple) -> Iterator[str]:
    if term[0] == "var":
        yield term[1]
    elif term[0] == "fun":
        for a in term[2]:
            yield from _variables(a)
    elif term[0] == "bin":
        yield from _variables(term[2])
        yield from _variables(term[3])
    elif term[0] == "un":
        yield from _variables(term[2])


def _match(pattern: tuple, target: tuple, binding: dict, free_ok: bool) -> bool:
    """Match a program term against an instance term (ground, or with free variables when ``free_ok``)."""
    if pattern[0] == "var":
        name = pattern[1]
        if target[0] == "var" and not free_ok and not (name.startswith("_#") and target[1].startswith("_#")):
            return False  # only '_' under 'not' stays unbound in a ground instance
        if name in binding:
            return binding[name] == (target if target[0] == "var" else _value(target, {}))
        if target[0] == "var":
            binding[name] = target
            return True
        value = _value(target, {})
        if value is None:
            return False
        binding[name] = value
        return True
    if target[0] == "var":
        return False  # an instance is at least as specific as the rule
    if pattern[0] == "fun" and target[0] == "fun":
        return pattern[1] == target[1] and len(pattern[2]) == len(target[2]) and \
            all(_match(p, t, binding, free_ok) for p, t in zip(pattern[2], target[2]))
    if pattern[0] in ("bin", "un") and target[0] == pattern[0] and pattern[1] == target[1]:
        if pattern[0] == "bin":
            return _match(pattern[2], target[2], binding, free_ok) and _match(pattern[3], target[3], binding, free_ok)
        return _match(pattern[2], target[2], binding, free_ok)
    if pattern[0] in ("bin", "un"):  # arithmetic against a value: checked by evaluation once bound
        value = _value(target, {})
        return value is not None and value.type == clingo.SymbolType.Number
    return _value(pattern, binding) == _value(target, {})


def _symbol_term(symbol: clingo.Symbol) -> tuple:
    if symbol.type == clingo.SymbolType.Function and symbol.arguments:
        return ("fun", symbol.name, tuple(_symbol_term(a) for a in symbol.arguments))
    return ("sym", symbol)


# ---------------------------------------------------------------- the checker

class Checker:
    """The program, its model by clingo, and checks of JSON trees against them."""

    def __init__(self, program: str, facts: str = "", examples: tuple[str, ...] = ()):
        program = re.sub(r"#pred[^\n]*?'\s*\.", "", program)
        self.rules: list[tuple[tuple | None, list[tuple], str]] = []
        self.facts: set[clingo.Symbol] = set()
        fresh = [0]
        statements: list[Any] = []
        ast.parse_string(program + "\n" + facts, statements.append)
        for stmt in statements:
            if stmt.ast_type != ast.ASTType.Rule:
                continue
            body = [_literal(lit, fresh) for lit in stmt.body]
            head = None if stmt.head.atom.ast_type == ast.ASTType.BooleanConstant else _term(stmt.head.atom.symbol, fresh)
            if head is not None and not body and not list(_variables(head)):
                self.facts.add(_value(head, {}))
                continue
            self.rules.append((head, self._guarded(head, body), str(stmt)))
        firsts = {f.arguments[0] for f in self.facts if f.arguments}
        firsts.update(clingo.parse_term(e) for e in examples)
        self.facts.update(clingo.Function(DOMAIN, [e]) for e in firsts)
        ctl = clingo.Control(["--warn=none"])
        text = "".join(f"{f}.\n" for f in self.facts)
        for head, body, _ in self.rules:
            if head is not None:
                text += f"{_text_rule(head, body)}\n"
        ctl.add("base", [], text)
        ctl.ground([("base", [])])
        self.model: set[clingo.Symbol] = set()
        ctl.solve(on_model=lambda m: self.model.update(m.symbols(atoms=True)))
        self.domain = sorted({a for atom in self.model for a in atom.arguments} |
                             {c for _, body, _ in self.rules for c in _constants(body)})

    @staticmethod
    def _guarded(head: tuple | None, body: list[tuple]) -> list[tuple]:
        """The documented domain atom: a head's first variable bound by no positive body atom gets ``_example``."""
        if head is None or head[0] != "fun" or head[2][0][0] != "var":
            return body
        name = head[2][0][1]
        bound = {v for lit in body if lit[0] == "atom" and not lit[1] for v in _variables(lit[2])}
        bound |= {lit[3][1] for lit in body if lit[0] == "cmp" and not lit[1] and lit[2] == "=" and lit[3][0] == "var"}
        if name in bound:
            return body
        return [("atom", False, ("fun", DOMAIN, (("var", name),)))] + body

    # ------------------------------------------------------------ parsing our texts
    @staticmethod
    def parse_literal(text: str) -> tuple:
        statements: list[Any] = []
        ast.parse_string(f":- {text}.", statements.append)
        return _literal(statements[-1].body[0], [0])

    @staticmethod
    def parse_rule(text: str) -> tuple[tuple | None, list[tuple]]:
        statements: list[Any] = []
        ast.parse_string(text, statements.append)
        stmt = statements[-1]
        fresh = [0]
        head = None if stmt.head.atom.ast_type == ast.ASTType.BooleanConstant else _term(stmt.head.atom.symbol, fresh)
        return head, [_literal(lit, fresh) for lit in stmt.body]

    # ------------------------------------------------------------ truth
    def truth(self, lit: tuple) -> bool | None:
        """Truth of a ground literal in the model; None when it has free variables (a pattern)."""
        if lit[0] == "cmp":
            left, right = _value(lit[3], {}), _value(lit[4], {})
            if left is None or right is None:
                return False if not lit[1] else None
            value = {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                     ">": left > right, ">=": left >= right}[lit[2]]
            return value != lit[1]
        if list(_variables(lit[2])):
            return None
        atom = _value(lit[2], {})
        return (atom in self.model) != lit[1]

    def matches_any(self, term: tuple) -> bool:
        """True when some atom of the model matches the pattern ``term``."""
        return any(_match(term, _symbol_term(a), {}, False) for a in self.model)

    def heads_unifying(self, atom: clingo.Symbol) -> list[int]:
        """The rules with an instance whose head is ``atom`` (arithmetic in a head: over the active domain)."""
        out = []
        for k, (head, _, _) in enumerate(self.rules):
            binding: dict = {}
            if head is None or not _match(head, _symbol_term(atom), binding, False):
                continue
            free = sorted(set(_variables(head)) - set(binding))
            if len(self.domain) ** len(free) > 20000:
                out.append(k)
                continue
            numbers = [d for d in self.domain if d.type == clingo.SymbolType.Number]
            if any(_value(head, {**binding, **dict(zip(free, values))}) == atom
                   for values in itertools.product(numbers, repeat=len(free))):
                out.append(k)
        return out

    def instance_of(self, k: int, head: tuple | None, body: list[tuple], free_ok: bool) -> dict | None:
        """A binding under which program rule ``k`` is the instance ``head :- body`` (None: it is not)."""
        rhead, rbody, _ = self.rules[k]
        if len(rbody) != len(body) or (rhead is None) != (head is None):
            return None
        binding: dict = {}
        for p, t in zip(rbody, body):
            if p[0] != t[0] or p[1] != t[1]:
                return None
            if p[0] == "cmp":
                if p[2] != t[2] or not _match(p[3], t[3], binding, free_ok) or not _match(p[4], t[4], binding, free_ok):
                    return None
            elif not _match(p[2], t[2], binding, free_ok):
                return None
        if head is not None and not _match(rhead, head, binding, free_ok):
            return None
        if not free_ok:
            for p, t in zip(rbody + ([("atom", False, rhead)] if rhead else []), body + ([("atom", False, head)] if head else [])):
                terms = [(p[3], t[3]), (p[4], t[4])] if p[0] == "cmp" else [(p[2], t[2])]
                if any(_value(a, binding) != _value(b, {}) for a, b in terms):
                    return None
        return binding

    # ------------------------------------------------------------ trees
    def check(self, root: dict, seen: dict[int, dict], order: list[dict]) -> list[str]:
        """The problems of one tree (``seen``/``order``: the nodes shown before, across the document)."""
        problems: list[str] = []
        stack: list[tuple[dict, tuple[dict, ...], frozenset]] = [(root, (), frozenset())]
        while stack:
            node, path, derived = stack.pop()
            order.append(node)
            self._node(node, path, derived, seen, problems)
            if "id" in node:
                seen[node["id"]] = node
            if node["because"] == "rule":
                derived = derived | {node["literal"]}
            items = []
            for child in node.get("children", []):
                items.extend(child.get("holding", []))
                items.append(child)
            stack.extend((c, path + (node,), derived) for c in reversed(items))
        return problems

    def _node(self, node: dict, path: tuple[dict, ...], derived: frozenset, seen: dict[int, dict],
              problems: list[str]) -> None:
        where = f"{node['literal']} ({node['because']})"
        because, holds, children = node["because"], node["holds"], node.get("children", [])

        def bad(message: str) -> None:
            problems.append(f"{where}: {message}")

        if because == "conjunction":
            if not holds or not all(c["holds"] for c in children):
                bad("a conjunction and its literals hold")
            return
        lit = self.parse_literal(node["literal"])
        truth = self.truth(lit)
        if truth is not None and truth != holds:
            bad(f"holds={holds} but clingo's model says {truth}")
        if truth is None and lit[0] == "atom":
            true = {a for a in self.model if _match(lit[2], _symbol_term(a), {}, False)}
            excepted = {_value(self.parse_literal(e)[2], {}) for e in node.get("except", [])}
            if holds == lit[1] and true != excepted:  # "no instance holds but these"
                bad(f"the instances of the pattern that hold are {sorted(map(str, true))}, "
                    f"not {sorted(map(str, excepted))}")
            if holds != lit[1] and not true:
                bad("a pattern said to have a true instance has none")
        for h in node.get("holding", []):
            if not h["holds"]:
                bad("a literal listed as holding does not hold")
        if because in ("rule", "fact") and lit[0] == "atom":
            atom = _value(lit[2], {})
            if node["literal"] in derived:
                bad("the atom is derived below itself")
            if because == "fact" and (atom not in self.facts or not holds or children):
                bad("not a fact")
            if because == "rule":
                self._rule(node, atom, bad)
        elif because == "comparison":
            if lit[0] != "cmp" or children:
                bad("not a comparison leaf")
        elif because == "negation":
            if len(children) != 1 or not lit[1] or children[0]["holds"] == holds or \
                    self.parse_literal(children[0]["literal"]) != ("atom", False, lit[2]) and truth is not None:
                bad("a negation has one child, its atom, with the opposite truth")
        elif because == "no_rule":
            atom = _value(lit[2], {}) if truth is not None else None
            if holds or children or (atom is not None and (atom in self.facts or self.heads_unifying(atom))):
                bad("no_rule: false, no fact, no rule head unifies")
        elif because == "all_rules_fail":
            self._refutation(node, lit, truth, bad)
        elif because == "loop":
            self._loop(node, path, bad)
        elif because == "shared":
            target = seen.get(node.get("ref"))
            if target is None or target["literal"] != node["literal"] or target["holds"] != holds or children \
                    or any(a is target for a in path):
                bad("shared: points to an earlier node (not an ancestor) with the same literal and truth")
        else:
            bad("unknown 'because'")

    def _rule(self, node: dict, atom: clingo.Symbol, bad) -> None:
        head, body = self.parse_rule(node["rule"])
        if _value(head, {}) != atom:
            bad("the instance's head is not the atom")
        if not any(self.instance_of(k, head, body, False) is not None for k in range(len(self.rules))):
            bad(f"{node['rule']} is not an instance of a program rule")
        children = node["children"]
        if [self.parse_literal(c["literal"]) for c in children] != body and \
                [_norm(self, c["literal"]) for c in children] != [_norm_lit(b) for b in body]:
            bad("the children are not the instance's body literals")
        if not all(c["holds"] for c in children):
            bad("a body literal of the instance does not hold")

    def _refutation(self, node: dict, lit: tuple, truth: bool | None, bad) -> None:
        if node["holds"]:
            bad("all_rules_fail must be false")
        children = node["children"]
        refuted: dict[int, list[tuple]] = {}
        for child in children:
            if child["holds"]:
                bad(f"the refuting child {child['literal']} holds")
            text = child.get("refutes")
            if text is None:
                bad(f"the child {child['literal']} does not say which rule instance it refutes")
                continue
            head, body = self.parse_rule(text)
            ks = [k for k in range(len(self.rules)) if self.instance_of(k, head, body, True) is not None]
            if not ks:
                bad(f"{text} is not an instance of a program rule")
            child_lit = self.parse_literal(child["literal"]) if child["because"] != "conjunction" else None
            if child_lit is not None and _norm_lit(child_lit) not in [_norm_lit(b) for b in body]:
                bad(f"{child['literal']} is not a literal of {text}")
            for k in ks:
                refuted.setdefault(k, []).append((head, body))
        if truth is None:
            return
        atom = _value(lit[2], {})
        for k in self.heads_unifying(atom):
            if k not in refuted:
                bad(f"the rule {self.rules[k][2]} is not refuted")
            else:
                self._coverage(k, atom, refuted[k], bad)

    def _coverage(self, k: int, atom: clingo.Symbol, instances: list[tuple], bad) -> None:
        """Every instance of rule ``k`` with head ``atom`` over the active domain is one of ``instances``."""
        head, body, text = self.rules[k]
        binding: dict = {}
        if not _match(head, _symbol_term(atom), binding, False):
            return
        names = sorted({v for lit in body for t in ((lit[2],) if lit[0] == "atom" else (lit[3], lit[4]))
                        for v in _variables(t)} - set(binding))
        if len(self.domain) ** len(names) > 20000:
            return
        for values in itertools.product(self.domain, repeat=len(names)):
            theta = {**binding, **dict(zip(names, values))}
            if _value(head, theta) != atom:
                continue
            ground = [_ground(lit, theta) for lit in body]
            if any(g is None for g in ground):
                continue  # an undefined arithmetic term: no such instance
            if not any(_generalizes(i, ground) for _, i in instances):
                bad(f"the instance of {text} under {theta} is not refuted")
                return

    def _loop(self, node: dict, path: tuple[dict, ...], bad) -> None:
        target = next((k for k, a in enumerate(path) if a.get("id") == node.get("ref")), None)
        if target is None or node["holds"] or node.get("children"):
            bad("loop: false, pointing to an ancestor")
            return
        ancestor = path[target]
        if ancestor["literal"] != node["literal"] or ancestor["because"] != "all_rules_fail":
            bad("loop: the ancestor refutes another literal")
        if any(a["because"] == "negation" for a in path[target:]):
            bad("loop: the cycle goes through 'not' (not an unfounded set)")


def _constants(body: list[tuple]) -> Iterator[clingo.Symbol]:
    for lit in body:
        for term in ((lit[2],) if lit[0] == "atom" else (lit[3], lit[4])):
            yield from _term_constants(term)


def _term_constants(term: tuple) -> Iterator[clingo.Symbol]:
    if term[0] == "sym":
        yield term[1]
    elif term[0] == "fun":
        for a in term[2]:
            yield from _term_constants(a)


def _ground(lit: tuple, theta: dict) -> tuple | None:
    if lit[0] == "atom":
        value = _value(lit[2], theta)
        return None if value is None else ("atom", lit[1], _symbol_term(value))
    left, right = _value(lit[3], theta), _value(lit[4], theta)
    return ("cmp", lit[1], lit[2], ("sym", left) if left else lit[3], ("sym", right) if right else lit[4])


def _generalizes(instance: list[tuple], ground: list[tuple]) -> bool:
    """True when the (partial) instance's body matches the ground body, its free variables binding values."""
    if len(instance) != len(ground):
        return False
    binding: dict = {}
    for p, g in zip(instance, ground):
        if p[0] != g[0] or p[1] != g[1]:
            return False
        if p[0] == "atom":
            if not _match(p[2], g[2], binding, False):
                return False
        elif p[2] != g[2]:
            return False
    return True


def _norm_lit(lit: tuple) -> tuple:
    if lit[0] == "cmp":
        return ("cmp", lit[1], lit[2], _value(lit[3], {}) or lit[3], _value(lit[4], {}) or lit[4])
    value = _value(lit[2], {})
    return ("atom", lit[1], value if value is not None else _strip(lit[2]))


def _strip(term: tuple) -> tuple:
    if term[0] == "var":
        return ("var", "_")
    if term[0] == "fun":
        return ("fun", term[1], tuple(_strip(a) for a in term[2]))
    return term


def _norm(checker: Checker, text: str) -> tuple:
    return _norm_lit(checker.parse_literal(text))


def _text_rule(head: tuple, body: list[tuple]) -> str:
    def term(t: tuple) -> str:
        if t[0] == "var":
            return "_" if t[1].startswith("_#") else t[1]
        if t[0] == "sym":
            return str(t[1])
        if t[0] == "fun":
            return f"{t[1]}({','.join(term(a) for a in t[2])})"
        if t[0] == "bin":
            return f"({term(t[2])}{t[1]}{term(t[3])})"
        return f"({t[1]}{term(t[2])})"

    def literal(lit: tuple) -> str:
        prefix = "not " if lit[1] else ""
        if lit[0] == "atom":
            return prefix + term(lit[2])
        return prefix + f"{term(lit[3])}{lit[2]}{term(lit[4])}"

    return f"{term(head)} :- {', '.join(literal(b) for b in body)}." if body else f"{term(head)}."


def check_document(program: str, document: dict, facts: str = "") -> list[str]:
    """Every problem of a ``nesyasp query --format json`` document (its answers, why-nots and proofs)."""
    document = rejoin(document)
    trees = []
    for key in ("answers", "why_not"):
        for item in document.get(key, []):
            trees.append((item["atom"], item["justification"]))
            trees.extend((item["atom"], p) for p in item.get("proofs", []))
    examples = tuple(sorted({_first(atom) for atom, _ in trees if _first(atom)}))
    checker = Checker(program, facts, examples)
    seen: dict[int, dict] = {}
    order: list[dict] = []
    problems = []
    for _, tree in trees:
        problems.extend(checker.check(tree, seen, order))
    return problems


def rejoin(document: dict) -> dict:
    """A copy of the document whose cut nodes (``"continued": k``) have the children of continuation ``k``
    back, without ``"continuations"`` (built without recursion: the trees may be thousands of levels deep)."""
    parts = {entry["continues"]: entry["children"] for entry in document.get("continuations", [])}
    out: dict = {}
    stack: list = [(k, v, out) for k, v in document.items() if k != "continuations"]
    while stack:
        key, value, parent = stack.pop()
        if isinstance(value, dict):
            parent[key] = copy = {}
            if "continued" in value:
                value = {**value, "children": parts[value["continued"]]}
                del value["continued"]
            stack.extend((k, v, copy) for k, v in value.items())
        elif isinstance(value, list):
            parent[key] = copy = [None] * len(value)
            stack.extend((i, v, copy) for i, v in enumerate(value))
        else:
            parent[key] = value
    return out


def _first(atom: str) -> str | None:
    match = re.match(r"\s*_*[a-z][\w']*\(\s*(_*[a-z][\w']*|-?\d+)\s*[,)]", atom)
    return match.group(1) if match else None


if __name__ == "__main__":
    paths = sys.argv[1:]
    text = "\n".join(open(p, encoding="utf-8").read() for p in paths)
    found = check_document(text, json.load(sys.stdin))
    print("\n".join(found) or "valid")
    sys.exit(1 if found else 0)
