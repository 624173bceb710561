"""``nesyasp query``: answer a query over rules and facts, and explain the answers."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from nesyasp._paths import shell_path
from nesyasp.cli.commands._facts_table import read_table

NAME = "query"
HELP = "answer a query such as target(img,X) over rules and facts, and explain why (or why not)"
DESCRIPTION = """\
Load the rule and fact FILEs (one program, as clingo reads several files),
compute the program's unique model with clingo (or, for learned per-example
rule sets, with the equivalent compiled numpy path), and print the answers of
QUERY with their variable bindings.

A query is an atom with variables, e.g. "target(img,X)" (which class is img?)
or "target(X,kitchen)" (which images are kitchens?), or a conjunction such as
"a(X), not c(X)". It can be given with -q or as the last argument. Facts come
from .lp files (f145(img).; a large file of plain facts is read fast, and only
the facts of the example a query names are read when that suffices), and/or
from a CSV table (--facts-table): a header row, then one row per example; the
first column is the example id, every other column a 0/1 predicate (column
145 or f145 gives f145(id) where the cell is 1). A column named 'label' (the
true class, as in the tables 'nesyasp extract' writes) is not a predicate: it
is left out, with a note. A path programs/NAME.lp that is not a file in the
current folder names a program shipped with nesyasp, such as programs/lth.lp.

Explanations are justification trees in the style of s(CASP): an answer holds
because of one rule instance whose body holds, down to facts; a non-answer
fails because every rule that could derive it has a failing literal ("there is
no evidence that ..."). A literal explained once is not explained again: it
reads "(justified above)"; a false atom that depends on itself through a
positive loop reads "it is assumed that ...". --why-not takes an atom with
variables too ("target(img9,X)": every instance that does not hold). Rules
whose example variable occurs only under 'not' (target(X,c) :- not f398(X),
not ab1(X).) get the domain atom _example(X); every example, and any example
named in the query, is in that domain. A violated integrity constraint is an
error naming the constraint, its position and the ground atoms that violate
it (with --explain, why each holds).

formats:
  text    answers, and with --explain their justifications in English (#pred
          annotations are used where the program has them)
  json    {"query", "answers": [{"atom", "bindings", "justification"}], "why_not": [...]},
          a justification node being {"literal", "holds", "because", "rule", "children"}
          (plus "id", "ref", "refutes", "location", "note", "except", "holding" where they
          apply); nested at most 100 levels: a deeper node's children are in "continuations"
          ("continued": k), schema docs/justification.schema.json
  model   the partial model each justification uses: {target(img,bathroom), not ab1(img), ...}
  dot     one Graphviz digraph, one cluster per answer or proof (pipe into 'dot -Tpng')

examples:
  nesyasp query examples/figure3/labelled.lp examples/figure3/images_labelled.lp "target(img,X)" --explain
  nesyasp query rules.lp facts.lp -q "target(img,X)" --format json
  nesyasp query rules.lp facts.lp --why-not "target(img,kitchen)"
  nesyasp query rules.lp facts.lp --why-not "target(img9,X)" --detail holding
  nesyasp query rules.lp --facts-table filters.csv -q "target(X,C)" > answers.txt
  nesyasp query rules.lp facts.lp -q "target(img,X)" --format dot | dot -Tpng -o why.png
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run", "read_table"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: files, query, --explain, --why-not, --detail, --all-proofs, --format, --facts-table, --engine, --limit."""
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="rule and fact files (.lp); a last argument that is not a file is the query")
    parser.add_argument("-q", "--query", help='the query, e.g. "target(img,X)" or "a(X), not c(X)"')
    parser.add_argument("--explain", action="store_true", help="print the justification of every answer (text)")
    parser.add_argument("--why-not", action="append", default=[], metavar="ATOM",
                        help='explain why an atom does not hold, e.g. "target(img,kitchen)"; with variables '
                             '("target(img9,X)") every instance that does not hold (repeatable)')
    parser.add_argument("--detail", choices=("failing", "holding"), default="failing",
                        help="for each refuted rule instance, show the failing literal only (default) or also "
                             "the body literals that hold before it (s(CASP) style)")
    parser.add_argument("--all-proofs", action="store_true",
                        help="show every rule instance that derives an answer, not only the first")
    parser.add_argument("--format", choices=("text", "json", "model", "dot"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--facts-table", "--facts-csv", dest="facts_table", type=Path, metavar="CSV",
                        help="a 0/1 CSV table of facts: first column the example id, the others predicates")
    parser.add_argument("--engine", choices=("auto", "clingo", "compiled"), default="auto",
                        help="auto: the compiled numpy path where it applies, clingo otherwise (default: auto)")
    parser.add_argument("--limit", type=int, default=0, metavar="N",
                        help="print at most N answers (default: 0, all)")


def _split(args: argparse.Namespace) -> tuple[list[Path], str | None]:
    from nesyasp.errors import ReasoningError
    from nesyasp.shipped import resolve_program

    files, query = list(args.files), args.query
    if query is None and len(files) > 1 and not Path(files[-1]).exists() and not files[-1].endswith(".lp"):
        query = files.pop()
    files = [str(resolve_program(f)) for f in files]  # programs/lth.lp from any folder
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        what = "a folder, not a rule or fact file" if Path(missing[0]).is_dir() else "no such file"
        raise ReasoningError(f"{what}: {missing[0]}{_missing_hint(Path(missing[0]))}")
    tables = [f for f in files if f.lower().endswith((".csv", ".tsv"))]
    if tables:
        raise ReasoningError(f"{tables[0]}: a table, not a rule or fact file: give a 0/1 table with --facts-table "
                             f"{shell_path(tables[0])}, or run rules learned by 'nesyasp learn -o' on any table: "
                             f"nesyasp learn --predict {shell_path(tables[0])} --rules RULES")
    if query is None and not args.why_not:
        raise ReasoningError('give a query, e.g. -q "target(img,X)", or --why-not ATOM')
    return [Path(f) for f in files], query


def _missing_hint(path: Path) -> str:
    """What makes a missing file of a run folder (rules.lp, facts/test.lp, labelled_rules.lp), if it is one."""
    run = path.parent.parent if path.parent.name == "facts" else path.parent
    if not (run / "config.json").is_file():
        return ""
    if "labelled" in path.name and (run / "rules.lp").is_file():
        return f" (the run is not labelled yet: nesyasp label {shell_path(run)})"
    return f" (the run is not extracted yet: nesyasp extract {shell_path(run)})"


def _load(files: list[Path], engine: str) -> Any:
    """A reasoner over the files: large files of plain facts are facts (read fast, sliced per example)."""
    from nesyasp.reason import Reasoner
    from nesyasp.reason.factfile import LAZY_BYTES, FactFile

    rules, facts = [], []
    for path in files:
        big = path.stat().st_size >= LAZY_BYTES
        (facts if big and FactFile(path).simple and len(files) > 1 else rules).append(path)
    reasoner = Reasoner(rules or files, engine=engine)
    for path in facts if rules else []:
        reasoner.add_facts(path)
    return reasoner


def _warn_undefined(reasoner: Any, query: str | None, why_not: list[str]) -> None:
    from nesyasp.lang.ast import Atom
    from nesyasp.lang.parser import parse_atom, parse_query

    atoms = [lit.atom for lit in parse_query(query) if isinstance(lit.atom, Atom)] if query is not None else []
    atoms += [parse_atom(a) for a in why_not]
    for atom in atoms:
        if not reasoner.defines(atom.predicate, len(atom.arguments)):
            logger.warning("%s/%d is not defined: no rule, fact or table column has it (a typo?), so it never holds",
                           atom.predicate, len(atom.arguments))


def _warn_unknown_example(whole: Any, reasoner: Any, first: Any) -> None:
    """A warning when the query's example (``target(r3,X)``) is named by no fact while the facts have examples:
    it is answered as an example with no facts (every feature false), which a mistyped id would be too."""
    import clingo

    if first is None or not whole.translation.guarded or not isinstance(first, clingo.Symbol):
        return
    if first.type == clingo.SymbolType.Function and first.arguments:
        return
    facts = reasoner.facts
    if facts.is_example(first) or (reasoner is whole and not facts.examples() and not facts.tables):
        return
    logger.warning("%s: no fact names this example, so it is answered as an example with no facts (every "
                   "feature false); a typo? (the examples are the first arguments of the facts)", first)


def _example(query: str | None, why_not: list[str]) -> Any:
    """The one example every query and why-not names by its first argument, or None."""
    from nesyasp.lang.ast import Atom
    from nesyasp.lang.parser import parse_atom, parse_query
    from nesyasp.reason.terms import ground_term

    atoms = [lit.atom for lit in parse_query(query)] if query is not None else []
    atoms += [parse_atom(a) for a in why_not]
    firsts = {ground_term(a.arguments[0], {}) if isinstance(a, Atom) and a.arguments else None for a in atoms}
    return firsts.pop() if len(firsts) == 1 else None


def run(args: argparse.Namespace) -> int:
    """Load, answer, explain, print."""
    from nesyasp.errors import ReasoningError
    from nesyasp.reason import Document

    files, query = _split(args)
    reasoner = _load(files, args.engine)
    if args.facts_table is not None:
        columns, ids, matrix = read_table(args.facts_table)
        reasoner.add_table(matrix, columns, ids)
    _warn_undefined(reasoner, query, args.why_not)
    whole, first = reasoner, _example(query, args.why_not)
    reasoner = reasoner.slice_for(first)
    _warn_unknown_example(whole, reasoner, first)
    explain = args.explain or args.format != "text" or args.all_proofs
    reasoner.note_examples(*([query] if query is not None else []), *args.why_not)  # before the document
    try:
        document = Document(reasoner.justifier(), args.detail) if explain or args.why_not else None
    except ReasoningError:
        violations = reasoner.violations()
        if violations and (args.explain or args.format == "json"):
            sys.stdout.write(_render_violations(args.format, violations, reasoner))
        raise
    answers, proofs, total = [], [], 0
    if query is not None:
        found = reasoner.query(query)
        total = len(found)
        count = total if args.limit <= 0 else min(args.limit, total)
        # trees are numbered in the order they are unfolded: each answer's, then its proofs, as shown; text, dot
        # and model show only the proofs of an atom's answer, so its first tree is not unfolded (nothing may point
        # into a tree not shown)
        proofs_only = args.all_proofs and args.format != "json" and found.pattern is not None
        trees = reasoner.explain_answers(query, document, count) if explain and not proofs_only else None
        for i in range(count):
            tree = next(trees)[2] if trees is not None else None
            answers.append((found.atom(i), found.bindings(i), tree))
            if args.all_proofs:
                proofs.append(reasoner.proofs_in(document, found.atom(i)) if found.pattern is not None else [tree])
    why_not, holding = [], []
    for pattern in args.why_not:
        explained, true = reasoner.why_not(pattern, args.detail, document)
        why_not.extend((e.atom, e.bindings, e.node) for e in explained)
        holding.extend(true)
    brief = _brief(files, reasoner) if args.format == "text" else None
    sys.stdout.write(_render(args.format, query, answers, why_not, reasoner, total, args, proofs, holding,
                             brief))
    return 0


def _rules_file(path: Path) -> bool:
    """Whether ``path`` was written by ``nesyasp learn -o`` (its ``% nesyasp-head`` comment, before any rule)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("% nesyasp-head "):
                    return True
                if line.strip() and not line.startswith("%"):
                    return False
    except OSError:
        return False
    return False


def _brief(files: list[Path], reasoner: Any) -> Any:
    """For a rules file of ``nesyasp learn -o``: a function that states each comparison of a column in one
    sentence in text explanations (:mod:`nesyasp.learn.brief`); None for other programs."""
    rules = [f for f in files if _rules_file(f)]
    if not rules:
        return None
    from nesyasp.learn.brief import brief_tree, comparisons_of, reasoner_values
    from nesyasp.learn.plain import read_plain
    from nesyasp.learn.plain_predict import given_values

    comparisons = [comparisons_of(p.program, p.features) for p in map(read_plain, rules)]
    values = given_values(reasoner_values(reasoner), [f for f in files if f not in rules])  # code(2).  % 2.3

    def brief(node: Any) -> Any:
        for c in comparisons:
            node = brief_tree(node, c, values)
        return node
    return brief


def _render(fmt: str, query: str | None, answers: list, why_not: list, reasoner: Any, total: int,
            args: argparse.Namespace, proofs: list, holding: list[str], brief: Any = None) -> str:
    from nesyasp.reason import answers_json, render_model, render_text, to_dot_many
    from nesyasp.reason.node import references
    from nesyasp.reason.render import dumps

    preds = reasoner.translation.preds
    trees = [n for _, _, n in answers + why_not if n is not None]
    if fmt == "json":
        referenced = references(trees + [p for ps in proofs for p in ps])
        cut: list[dict[str, Any]] = []
        if query is None:
            out = answers_json(why_not[0][0] if len(why_not) == 1 else ", ".join(args.why_not), why_not,
                               referenced=referenced, continuations=cut)
        else:
            out = answers_json(query, answers, proofs if args.all_proofs else None, referenced, cut)
            if why_not or args.why_not:
                out["why_not"] = answers_json("", why_not, referenced=referenced, continuations=cut)["answers"]
        if holding:
            out["holds"] = holding
        return dumps(out, cut) + "\n"
    if fmt in ("model", "dot"):
        shown = _shown_trees(answers, why_not, proofs if args.all_proofs else None)
        if fmt == "model":
            return "".join(render_model(t) + "\n" for _, t in shown)
        return to_dot_many([t for _, t in shown], [title for title, _ in shown])
    lines = []
    if query is not None:
        for k, (atom, bindings, node) in enumerate(answers):
            binding = ", ".join(f"{key} = {value}" for key, value in bindings.items())
            lines.append(f"{atom}" + (f"    ({binding})" if binding else ""))
            shown = proofs[k] if args.all_proofs else [node] if node is not None else []
            for j, tree in enumerate(shown):
                pad = "    "
                if len(shown) > 1:
                    lines.append(f"    proof {j + 1} of {len(shown)}:")
                    pad = "        "
                tree = brief(tree) if brief else tree
                lines.extend(pad + line for line in render_text(tree, preds, detail=args.detail).splitlines())
        shown = f"{len(answers)} of {total}" if len(answers) < total else f"{total}"  # --limit
        lines.append(f"% {shown} answer{'s' if total != 1 else ''} to {query}")
    for atom in holding:
        lines.append(f"% {atom} holds")
    for atom, _, node in why_not:
        lines.append(f"% why not {atom}:")
        node = brief(node) if brief else node
        lines.extend("    " + line for line in render_text(node, preds, detail=args.detail).splitlines())
    if args.why_not and not why_not and not holding:
        lines.append(f"% nothing to explain for {', '.join(args.why_not)}")
    return "".join(line + "\n" for line in lines)


def _shown_trees(answers: list, why_not: list, proofs: list | None) -> list[tuple[str, Any]]:
    """``(title, tree)`` of every tree an output shows: each answer's (with ``proofs``, each of its proofs:
    ``p(1), proof 2 of 3``), then each why-not's (``why not p(4)``)."""
    shown = []
    for k, (atom, _, node) in enumerate(answers):
        trees = proofs[k] if proofs is not None else [node] if node is not None else []
        shown.extend((atom if len(trees) == 1 else f"{atom}, proof {j + 1} of {len(trees)}", tree)
                     for j, tree in enumerate(trees))
    return shown + [(f"why not {atom}", node) for atom, _, node in why_not if node is not None]


def _render_violations(fmt: str, violations: list, reasoner: Any) -> str:
    from nesyasp.errors import format_location
    from nesyasp.reason import node_to_dict, render_text
    from nesyasp.reason.node import references
    from nesyasp.reason.render import dumps
    from nesyasp.reason.texts import rule_text

    if fmt == "json":
        referenced = references([v.justification for v in violations])
        cut: list[dict[str, Any]] = []
        data = {"violations": [{"constraint": rule_text(v.constraint), "location": format_location(v.location),
                                "instance": v.instance,
                                "justification": node_to_dict(v.justification, referenced, cut)}
                               for v in violations]}
        return dumps(data, cut) + "\n"
    lines = []
    for v in violations:
        lines.append(f"% {format_location(v.location)}: the constraint {rule_text(v.constraint)} is violated by "
                     f"{', '.join(v.literals)}:")
        text = render_text(v.justification, reasoner.translation.preds)
        lines.extend("    " + line for line in text.splitlines())
    return "".join(line + "\n" for line in lines)
